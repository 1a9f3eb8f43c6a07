"""SIGTERM as Ctrl-C, and stopping a command's worker processes (``sim.run``, the calibration)."""

from __future__ import annotations

import os
import signal
from pathlib import Path


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
