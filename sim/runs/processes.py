"""SIGTERM as Ctrl-C, stopping a command's worker processes (``sim.run``, the calibration), and
the C allocator's settings of a process that runs models."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters (malloc.h)


def keep_freed_memory() -> None:
    """Let the C allocator reuse the memory numpy frees instead of handing it back to the OS.

    A step makes and frees many temporary arrays of a few MB. By default glibc maps each
    one fresh from the OS and unmaps it when freed (or trims the heap), so every step pays
    the page faults of zeroing the same memory again: about a third of a second of system
    time in a national run. Here blocks up to 32 MiB come from the heap and the heap is
    not trimmed, so the process keeps its peak memory until it exits. Only with glibc
    (Linux); elsewhere nothing changes.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt  # the process's own C library
    except (OSError, AttributeError):  # not glibc (e.g. musl): keep its defaults
        return
    mallopt(_M_MMAP_THRESHOLD, 32 * 2**20)  # glibc's largest allowed value
    mallopt(_M_TRIM_THRESHOLD, 2**30)


def stop_on_sigterm() -> None:
    """SIGTERM as Ctrl-C: joblib, submitit and pyabc then stop their workers, not orphan them.

    A worker forked from this process inherits the handler; there SIGTERM keeps its
    default meaning (the worker ends quietly, without a KeyboardInterrupt traceback).
    """
    main = os.getpid()

    def handler(signum, frame):
        if os.getpid() != main:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)
            return
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def child_processes() -> list[int]:
    """Process ids whose parent is this process (Linux /proc; elsewhere none are found)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields and int(fields[1]) == os.getpid():
            children.append(int(stat.parent.name))
    return children


def stop_workers() -> None:
    """Send SIGTERM to this process's children (workers a launcher or sampler left running)."""
    for pid in child_processes():
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
