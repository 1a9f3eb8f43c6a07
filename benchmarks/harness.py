"""Measuring child processes: wall/CPU time, peak RSS, background load, repeats (``Runner``)."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SCRIPT = Path(__file__).resolve().with_name("run.py")  # the entry point, also run as a worker
RESULT_TAG = "BENCH-RESULT "
GiB = 1024**3
MiB = 1024**2
ONE_THREAD = {
    k: "1"
    for k in (
        "OMP_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
        "NUMEXPR_NUM_THREADS",
        "VECLIB_MAXIMUM_THREADS",
    )
}


def _cpu_jiffies() -> tuple[int, int] | None:
    """(busy, total) jiffies of all CPUs from /proc/stat, or None off Linux."""
    try:
        with open("/proc/stat") as fh:
            fields = [int(x) for x in fh.readline().split()[1:]]
    except OSError:
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    total = sum(fields[:8])
    return total - idle, total


def _n_cpus() -> int:
    return os.cpu_count() or 1


def background_cores(sample_s: float) -> float | None:
    """Mean number of busy CPUs over ``sample_s`` seconds (this script is asleep meanwhile)."""
    a = _cpu_jiffies()
    if a is None:
        return None
    time.sleep(sample_s)
    b = _cpu_jiffies()
    return _n_cpus() * (b[0] - a[0]) / max(b[1] - a[1], 1)


def wait_quiet(max_wait: float, threshold: float = 0.25) -> float | None:
    """Wait up to ``max_wait`` s until other processes use less than ``threshold`` cores."""
    deadline = time.monotonic() + max_wait
    load = background_cores(0.3)
    while load is not None and load > threshold and time.monotonic() < deadline:
        load = background_cores(1.0)
    return load


class Proc:
    """One finished child process: wall and CPU time (s), peak RSS (bytes), output."""

    def __init__(self, argv, wall, cpu, rss, stdout, stderr, background):
        self.argv, self.wall, self.cpu, self.rss = argv, wall, cpu, rss
        self.stdout, self.stderr, self.background = stdout, stderr, background

    def result(self):
        """The JSON a ``--worker`` child printed."""
        for line in reversed(self.stdout.splitlines()):
            if line.startswith(RESULT_TAG):
                return json.loads(line[len(RESULT_TAG) :])
        raise RuntimeError(f"no result from {' '.join(self.argv)}:\n{self.stderr[-3000:]}")


def run_process(argv: list[str], timeout: float = 1800) -> Proc:
    """Run ``argv`` to completion; time it and read its own resource usage with ``os.wait4``."""
    env = dict(os.environ, **ONE_THREAD)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    # bytecode caches as on a user's machine, where the first run writes them: with
    # PYTHONDONTWRITEBYTECODE set, every measured run would compile the package's ~50 modules
    # again (~0.1 s), while Mesa's come compiled from its install
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        j0 = _cpu_jiffies()
        t0 = time.perf_counter()
        p = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL
        )
        killer = threading.Timer(timeout, p.kill)
        killer.start()
        try:
            _, status, ru = os.wait4(p.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - t0
        j1 = _cpu_jiffies()
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    cpu = ru.ru_utime + ru.ru_stime
    rss = ru.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    background = None
    if j0 is not None and j1 is not None:
        hz = os.sysconf("SC_CLK_TCK")
        # CPU seconds spent by everything else during the run, per second of wall time
        background = max(((j1[0] - j0[0]) / hz - cpu) / wall, 0.0)
    if p.returncode != 0:
        raise RuntimeError(f"exit status {p.returncode}: {' '.join(argv)}\n{stderr[-3000:]}")
    return Proc(argv, wall, cpu, rss, stdout, stderr, background)


class Runner:
    """Repeats, warm-up, quiet waits and scratch directories for the cases."""

    def __init__(self, args):
        self.args = args
        self.quick = args.quick
        self.scratch = Path(tempfile.mkdtemp(prefix="sim-bench-"))
        self._n = 0

    def fresh_dir(self, label: str) -> Path:
        """A new, not yet existing directory; its name is safe as a Hydra override value."""
        self._n += 1
        safe = "".join(ch if ch.isalnum() else "-" for ch in label).strip("-")
        return self.scratch / f"{safe}-{self._n}"

    def repeats(self, full: int) -> int:
        return 1 if self.quick else max(full, self.args.repeats or 0, 1)

    def warmups(self) -> int:
        return 0 if self.quick else 1

    def wait_quiet(self) -> None:
        """Before a measured run: wait for an idle machine (not in quick runs)."""
        if not self.quick:
            wait_quiet(self.args.max_wait)

    def measure(self, label: str, make_argv, repeats: int, warmup: int | None = None) -> dict:
        """Run ``make_argv(scratch_dir)`` ``warmup`` + ``repeats`` times; summarise the measured
        runs."""
        warmup = self.warmups() if warmup is None else warmup
        runs = []
        for i in range(warmup + repeats):
            self.wait_quiet()
            d = self.fresh_dir(label)
            proc = run_process(make_argv(d))
            shutil.rmtree(d, ignore_errors=True)
            if i >= warmup:
                runs.append(proc)
            progress(
                f"    {label}: run {i + 1}/{warmup + repeats} {'(warm-up) ' if i < warmup else ''}"
                f"{proc.wall:.3f} s, peak RSS {proc.rss / MiB:.0f} MiB" + background_note(proc)
            )
        return summarise(runs)

    def close(self):
        shutil.rmtree(self.scratch, ignore_errors=True)


def summarise(runs: list[Proc]) -> dict:
    walls = [r.wall for r in runs]
    bg = [r.background for r in runs if r.background is not None]
    return {
        "n": len(runs),
        "wall": statistics.median(walls),
        "wall_min": min(walls),
        "wall_max": max(walls),
        "cpu": statistics.median(r.cpu for r in runs),
        "rss": max(r.rss for r in runs),
        "background": statistics.mean(bg) if bg else None,
        "results": [r.result() for r in runs if RESULT_TAG in r.stdout],
    }


def background_note(proc: Proc) -> str:
    """``", background X cores"`` for a progress line, or nothing off Linux."""
    return f", background {proc.background:.2f} cores" if proc.background is not None else ""


def progress(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def worker_argv(name: str, **params) -> list[str]:
    return [PY, str(SCRIPT), "--worker", name, "--params", json.dumps(params)]


def sim_run_argv(*overrides: str):
    return lambda d: [PY, "-m", "sim.run", *overrides, f"hydra.run.dir={d}"]


def median_dicts(items: list):
    """Element-wise median of equally shaped nested dicts/lists of numbers."""
    if not items:
        return None
    first = items[0]
    if isinstance(first, dict):
        return {k: median_dicts([it[k] for it in items if k in it]) for k in first}
    if isinstance(first, bool) or not isinstance(first, (int, float)):
        return first
    return statistics.median(items)
