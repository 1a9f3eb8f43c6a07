#!/usr/bin/env python
"""Benchmarks of the East–West transfer model; writes ``docs/benchmarks.md``.

    python benchmarks/run.py                   # every case (about 10 minutes on 2 cores)
    python benchmarks/run.py --quick           # one run per case, small grids: a smoke check
    python benchmarks/run.py --only national   # some cases (comma-separated names, see --list)
    python benchmarks/run.py --output /tmp/b.md

Whole-process cases run ``python -m sim.run ...`` (the interpreter running this
script, ``sys.executable``) in a fresh output directory each time: wall time
from just before the process starts to its exit, CPU time and peak RSS of that
process from ``os.wait4``. Each case runs once to warm caches, then ``repeats``
times; the table gives the median. Numerical libraries are held to one thread
and cases run one at a time, so a single run uses one core (the table shows
CPU/wall). In-process cases (breakdown, scaling, reference) run in a child of
this script (``--worker``) and time code with ``time.perf_counter``.

The machine may be shared: before each measured run the script waits (up to
``--max-wait`` seconds) for other processes to leave the CPUs idle, and the
tables show the background load during each case (other busy cores, mean).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DEFAULT_OUTPUT = ROOT / "docs" / "benchmarks.md"
RESULT_TAG = "BENCH-RESULT "
GiB = 1024 ** 3
MiB = 1024 ** 2
ONE_THREAD = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                               "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")}

# Targets of the performance issue.
NATIONAL_WALL_S = 6.0
NATIONAL_RSS_BYTES = 2 * GiB
DEFAULT_BEYOND_STARTUP_S = 1.0
IMPORT_BEYOND_MESA_S = 0.3
FIRMS_200K_RATIO = 2.2
REFERENCE_SPEEDUP = 30.0
SWEEP_SPEEDUP = 1.7
SCALING_EXPONENT = 1.3      # log-log slope between the two largest sizes; 2 would be quadratic
SCALING_MIN_MS = 1.0        # mechanisms cheaper than this per step at the largest size are noise

NATIONAL = ["geography=synthetic"]
MECHANISMS = ("_drift_costs", "_governments_act", "_firms_choose", "_parks_admit",
              "_labour_market", "_produce_and_pay", "_record")
MECHANISM_LABEL = {
    "_drift_costs": "1 costs drift", "_governments_act": "2 governments act",
    "_firms_choose": "3 location choice", "_parks_admit": "4 parks admit",
    "_labour_market": "5 labour market", "_produce_and_pay": "6 production and taxes",
    "_record": "7 record (incl. Mesa DataCollector)", "datacollector": "  of which DataCollector.collect",
    "mesa_overhead": "Mesa step machinery (step − Σ mechanisms)", "step": "whole step",
}


# =============================================================== measuring processes
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


def background_cores(sample_s: float = 0.5) -> float | None:
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

    def __init__(self, argv, wall, cpu, rss, rc, stdout, stderr, background):
        self.argv, self.wall, self.cpu, self.rss, self.rc = argv, wall, cpu, rss, rc
        self.stdout, self.stderr, self.background = stdout, stderr, background

    def result(self):
        """The JSON a ``--worker`` child printed."""
        for line in reversed(self.stdout.splitlines()):
            if line.startswith(RESULT_TAG):
                return json.loads(line[len(RESULT_TAG):])
        raise RuntimeError(f"no result from {' '.join(self.argv)}:\n{self.stderr[-3000:]}")


def run_process(argv: list[str], env_extra: dict | None = None, timeout: float = 1800,
                check: bool = True) -> Proc:
    """Run ``argv`` to completion; time it and read its own resource usage with ``os.wait4``."""
    env = dict(os.environ, **ONE_THREAD, **(env_extra or {}))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        j0 = _cpu_jiffies()
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
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
    proc = Proc(argv, wall, cpu, rss, p.returncode, stdout, stderr, background)
    if check and p.returncode != 0:
        raise RuntimeError(f"exit status {p.returncode}: {' '.join(argv)}\n{stderr[-3000:]}")
    return proc


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

    def measure(self, label: str, make_argv, repeats: int, warmup: int | None = None, **kw) -> dict:
        """Run ``make_argv(scratch_dir)`` ``warmup`` + ``repeats`` times; summarise the measured runs."""
        warmup = self.warmups() if warmup is None else warmup
        runs = []
        for i in range(warmup + repeats):
            if not self.quick:
                wait_quiet(self.args.max_wait)
            d = self.fresh_dir(label)
            proc = run_process(make_argv(d), **kw)
            shutil.rmtree(d, ignore_errors=True)
            if i >= warmup:
                runs.append(proc)
            progress(f"    {label}: run {i + 1}/{warmup + repeats} {'(warm-up) ' if i < warmup else ''}"
                     f"{proc.wall:.3f} s, peak RSS {proc.rss / MiB:.0f} MiB"
                     + (f", background {proc.background:.2f} cores" if proc.background is not None else ""))
        return summarise(runs)

    def close(self):
        shutil.rmtree(self.scratch, ignore_errors=True)


def summarise(runs: list[Proc]) -> dict:
    walls = [r.wall for r in runs]
    bg = [r.background for r in runs if r.background is not None]
    return {
        "n": len(runs), "wall": statistics.median(walls), "wall_min": min(walls), "wall_max": max(walls),
        "walls": walls, "cpu": statistics.median(r.cpu for r in runs), "rss": max(r.rss for r in runs),
        "background": statistics.mean(bg) if bg else None,
        "results": [r.result() for r in runs if RESULT_TAG in r.stdout],
    }


def progress(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def worker_argv(name: str, **params) -> list[str]:
    return [PY, str(Path(__file__).resolve()), "--worker", name, "--params", json.dumps(params)]


def sim_run_argv(*overrides: str):
    return lambda d: [PY, "-m", "sim.run", *overrides, f"hydra.run.dir={d}"]


# =============================================================== cases (parent side)
CASES: dict[str, tuple] = {}


def case(name: str, about: str):
    def register(fn):
        CASES[name] = (fn, about)
        return fn
    return register


IMPORT_CODE = """
import json, time
t0 = time.perf_counter()
import mesa
t1 = time.perf_counter()
{extra}
t2 = time.perf_counter()
print({tag!r} + json.dumps({{"mesa": t1 - t0, "extra": t2 - t1}}))
"""


@case("startup", "interpreter and import start-up: python -c pass, import mesa, sim, sim.model, sim.run")
def case_startup(r: Runner, res: dict) -> dict:
    out = {"rows": []}
    n = r.repeats(7)
    s = r.measure("python -c pass", lambda d: [PY, "-c", "pass"], n)
    out["rows"].append(("interpreter: `python -c pass`", s))
    out["python"] = s
    for mod in ("mesa", "sim", "sim.model", "sim.run"):
        code = IMPORT_CODE.format(extra="" if mod == "mesa" else f"import {mod}", tag=RESULT_TAG)
        s = r.measure(f"import {mod}", lambda d, code=code: [PY, "-c", code], n)
        s["beyond_mesa"] = statistics.median(x["extra"] for x in s["results"])
        s["mesa_in_process"] = statistics.median(x["mesa"] for x in s["results"])
        out["rows"].append((f"`import mesa` then `import {mod}`" if mod != "mesa" else "`import mesa`", s))
        out[mod] = s
    out["baseline"] = out["sim.run"]["wall"]
    res["startup_baseline"] = out["baseline"]
    return out


def startup_baseline(r: Runner, res: dict) -> float:
    """Wall time of a process that only imports sim.run (interpreter + imports)."""
    if "startup_baseline" not in res:
        code = IMPORT_CODE.format(extra="import sim.run", tag=RESULT_TAG)
        s = r.measure("start-up baseline (import sim.run)", lambda d: [PY, "-c", code], r.repeats(5))
        res["startup_baseline"] = s["wall"]
        res.setdefault("extra_rows", []).append(("start-up baseline: `import mesa; import sim.run`", s))
    return res["startup_baseline"]


@case("default", "python -m sim.run (Shanghai–Yunnan, 10,000 firms, 40 steps), whole process")
def case_default(r: Runner, res: dict) -> dict:
    base = startup_baseline(r, res)
    s = r.measure("default run", sim_run_argv(), r.repeats(7))
    s["beyond_startup"] = s["wall"] - base
    return {"rows": [("default: `python -m sim.run`", s)], "run": s}


@case("national", "python -m sim.run geography=synthetic (100,000 firms, 1,500 parks), whole process")
def case_national(r: Runner, res: dict) -> dict:
    base = startup_baseline(r, res)
    s = r.measure("national run", sim_run_argv(*NATIONAL), r.repeats(5))
    s["beyond_startup"] = s["wall"] - base
    return {"rows": [("national: `python -m sim.run geography=synthetic`", s)], "run": s}


@case("national_200k", "national geography with 200,000 firms, whole process")
def case_national_200k(r: Runner, res: dict) -> dict:
    base = startup_baseline(r, res)
    s = r.measure("national run, 200k firms", sim_run_argv(*NATIONAL, "geography.n_firms=200000"), r.repeats(5))
    s["beyond_startup"] = s["wall"] - base
    return {"rows": [("national, 200,000 firms: `... geography.n_firms=200000`", s)], "run": s}


@case("breakdown", "in-process: where the default and the national run spend their time (phases, ms/step)")
def case_breakdown(r: Runner, res: dict) -> dict:
    out = {}
    for label, overrides in (("default", []), ("national", NATIONAL)):
        s = r.measure(f"breakdown {label}", lambda d, o=overrides: worker_argv("breakdown", overrides=o, out=str(d)),
                      r.repeats(3))
        out[label] = {"proc": s, "data": median_dicts(s["results"])}
    return out


@case("scaling", "in-process: ms/step of each mechanism vs number of firms and of parks")
def case_scaling(r: Runner, res: dict) -> dict:
    firms = [25_000, 50_000, 100_000] if r.quick else [25_000, 50_000, 100_000, 200_000, 400_000]
    parks = [1_500, 3_000] if r.quick else [1_500, 3_000, 6_000, 12_000, 24_000]
    years = 1 if r.quick else 3
    out = {"years": years, "firms": {}, "parks": {}}
    for n in firms:
        s = r.measure(f"scaling firms={n}", lambda d, n=n: worker_argv(
            "steps", overrides=[*NATIONAL, f"geography.n_firms={n}", f"run.years={years}"]), r.repeats(3))
        out["firms"][n] = median_dicts(s["results"])
    for n in parks:
        s = r.measure(f"scaling parks={n}", lambda d, n=n: worker_argv(
            "steps", overrides=[*NATIONAL, f"geography.n_parks={n}", f"run.years={years}"]), r.repeats(3))
        out["parks"][n] = median_dicts(s["results"])
    return out


@case("reference", "vectorised vs per-agent reference (tests/reference.py): location choice and labour market per step")
def case_reference(r: Runner, res: dict) -> dict:
    if not (ROOT / "tests" / "reference.py").exists():
        return {"skipped": "tests/reference.py does not exist"}
    out = {}
    for label, overrides, warm, steps in (("default", [], 8, 3), ("national", NATIONAL, 8, 2)):
        if r.quick:
            warm, steps = 2, 1
        s = r.measure(f"reference {label}", lambda d, o=overrides, w=warm, k=steps: worker_argv(
            "reference", overrides=o, warmup=w, steps=k, ref_reps=1 if r.quick else 3), 1, warmup=0)
        out[label] = s["results"][0]
    return out


SCENARIOS = "scenario=baseline,pairing,enclave,labour,consumption,full"
# the main job's sweep (make run) without its report: 6 scenarios x 10 seeds
SWEEP = ["-m", SCENARIOS, "run.seed=range(10)", "hydra/launcher=joblib"]
SWEEP_SMALL = ["-m", "scenario=baseline,pairing,enclave,full", "run.seed=range(4)", "hydra/launcher=joblib"]
# the same 60 runs as 12 jobs of 5 replications each (fewer, longer jobs)
SWEEP_REPLICATIONS = ["-m", SCENARIOS, "run.seed=range(2)", "run.replications=5", "hydra/launcher=joblib"]
# a research-size sweep: 300 runs as 60 jobs of 5 replications
SWEEP_LARGE = ["-m", SCENARIOS, "run.seed=range(10)", "run.replications=5", "hydra/launcher=joblib"]
SWEEP_CASES = ("sweep", "sweep_wide", "sweep_large", "sweep_small", "sweep_replications", "sweep_national")
# the same 300 runs as 300 single-run jobs
SWEEP_WIDE = ["-m", SCENARIOS, "run.seed=range(50)", "hydra/launcher=joblib"]
SWEEP_NATIONAL = ["-m", "scenario=baseline,pairing,enclave,full", "run.seed=range(2)", "geography=synthetic",
                  "hydra/launcher=joblib"]


def sweep_pair(r: Runner, label: str, overrides: list[str], n_jobs_expected: int, reps: int, warmups: int) -> dict:
    """Wall time of the same sweep with 1 and with 2 joblib workers (runs interleaved)."""
    def argv(n, d):
        return [PY, "-m", "sim.run", *overrides, f"hydra.launcher.n_jobs={n}", f"hydra.sweep.dir={d}",
                "run.progress=off"]

    jobs = {1: [], 2: []}
    procs = {1: [], 2: []}
    steady = {1: [], 2: []}
    first = {1: [], 2: []}
    for i in range(warmups + reps):
        for n in (1, 2):  # interleaved, so both see the same conditions
            if not r.quick:
                wait_quiet(r.args.max_wait)
            d = r.fresh_dir(f"{label}{n}")
            started = time.time()
            proc = run_process(argv(n, d))
            markers = list(d.glob("*/run.json"))
            job_walls = [json.loads(p.read_text())["wall_time_s"] for p in markers]
            # jobs completed per second between the first and the last completion: throughput with
            # the sweep's start-up (imports, pre-launch check, worker start) and final collection left out
            ends = sorted(p.stat().st_mtime for p in markers)
            shutil.rmtree(d, ignore_errors=True)
            progress(f"    {label} n_jobs={n}: run {i + 1}/{warmups + reps}{' (warm-up)' if i < warmups else ''} "
                     f"{proc.wall:.2f} s, {len(job_walls)} jobs, mean job {statistics.mean(job_walls or [0]):.3f} s"
                     + (f", background {proc.background:.2f} cores" if proc.background is not None else ""))
            if len(job_walls) != n_jobs_expected:
                raise RuntimeError(f"{label} n_jobs={n} completed {len(job_walls)} of {n_jobs_expected} jobs")
            if i >= warmups:
                jobs[n].append(statistics.mean(job_walls))
                procs[n].append(proc)
                first[n].append(ends[0] - started)
                if len(ends) > 2:
                    steady[n].append((len(ends) - 1) / (ends[-1] - ends[0]))
    out = {"jobs": n_jobs_expected, "overrides": overrides}
    for n in (1, 2):
        s = summarise(procs[n])
        s["job_mean"] = statistics.median(jobs[n])
        s["first_done"] = statistics.median(first[n])
        s["steady"] = statistics.median(steady[n]) if steady[n] else None
        out[n] = s
    out["speedup"] = out[1]["wall"] / out[2]["wall"]
    out["steady_speedup"] = out[2]["steady"] / out[1]["steady"] if out[1]["steady"] and out[2]["steady"] else None
    return out


@case("sweep", "local sweep of the main job's 60 default runs (6 scenarios x 10 seeds), joblib: n_jobs=1 vs n_jobs=2")
def case_sweep(r: Runner, res: dict) -> dict:
    return sweep_pair(r, "sweep", SWEEP, 60, r.repeats(3), r.warmups())


@case("sweep_large", "300 default runs as 60 jobs x 5 replications, joblib: n_jobs=1 vs n_jobs=2 (one repeat)")
def case_sweep_large(r: Runner, res: dict) -> dict:
    return sweep_pair(r, "sweep-large", SWEEP_LARGE, 60, 1, 0)


@case("sweep_wide", "the same 300 default runs as 300 single-run jobs, joblib: n_jobs=1 vs n_jobs=2 (one repeat)")
def case_sweep_wide(r: Runner, res: dict) -> dict:
    return sweep_pair(r, "sweep-wide", SWEEP_WIDE, 300, 1, 0)


@case("ceiling", "the machine's own limit: two national runs at once vs one alone (whole processes)")
def case_ceiling(r: Runner, res: dict) -> dict:
    """Throughput of 2 simultaneous processes / 1: what any 2-worker sweep can reach on this machine."""
    argv = sim_run_argv(*NATIONAL)
    ratios, alone, pair = [], [], []
    for i in range(r.warmups() + r.repeats(3)):
        if not r.quick:
            wait_quiet(r.args.max_wait)
        d = r.fresh_dir("ceiling-alone")
        one = run_process(argv(d)).wall
        shutil.rmtree(d, ignore_errors=True)
        dirs = [r.fresh_dir("ceiling-pair") for _ in range(2)]
        walls = [0.0, 0.0]

        def run(k, _walls=walls, _dirs=dirs):
            _walls[k] = run_process(argv(_dirs[k])).wall
        threads = [threading.Thread(target=run, args=(k,)) for k in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for dd in dirs:
            shutil.rmtree(dd, ignore_errors=True)
        progress(f"    ceiling: run {i + 1}: alone {one:.2f} s, two at once {walls[0]:.2f} s and {walls[1]:.2f} s")
        if i >= r.warmups():
            alone.append(one)
            pair.append(max(walls))
            ratios.append(2 * one / max(walls))
    return {"ratio": statistics.median(ratios), "alone": statistics.median(alone), "pair": statistics.median(pair),
            "n": len(ratios)}


@case("sweep_small", "local sweep of 16 default jobs, joblib: n_jobs=1 vs n_jobs=2 (start-up bound; not the target)")
def case_sweep_small(r: Runner, res: dict) -> dict:
    return sweep_pair(r, "sweep-small", SWEEP_SMALL, 16, r.repeats(3), r.warmups())


@case("sweep_replications", "the 60 runs as 12 jobs x 5 replications, joblib: n_jobs=1 vs n_jobs=2 (not a target)")
def case_sweep_replications(r: Runner, res: dict) -> dict:
    return sweep_pair(r, "sweep-reps", SWEEP_REPLICATIONS, 12, r.repeats(3), r.warmups())


@case("sweep_national", "local sweep of 8 national jobs (100,000 firms each): n_jobs=1 vs n_jobs=2 (not a target)")
def case_sweep_national(r: Runner, res: dict) -> dict:
    return sweep_pair(r, "sweep-national", SWEEP_NATIONAL, 8, r.repeats(3), 0)


@case("profile", "pyinstrument profile of one national run (whole process)")
def case_profile(r: Runner, res: dict) -> dict:
    try:
        from pyinstrument.renderers import ConsoleRenderer
        from pyinstrument.session import Session
    except ImportError:
        return {"skipped": "pyinstrument is not installed (pip install pyinstrument; it is in the dev extra)"}
    d = r.fresh_dir("profile")
    d.mkdir(parents=True)
    session_file = d / "national.pyisession"
    proc = run_process([PY, "-m", "pyinstrument", "-r", "pyisession", "-o", str(session_file),
                        "-m", "sim.run", *NATIONAL, f"hydra.run.dir={d / 'run'}"])
    session = Session.load(str(session_file))
    tree = ConsoleRenderer(unicode=True, color=False, time="seconds",
                           processor_options={"filter_threshold": 0.03}).render(session)
    flat = self_times(session.root_frame())
    shutil.rmtree(d, ignore_errors=True)
    progress(f"    profile: {session.duration:.2f} s profiled, wall {proc.wall:.2f} s")
    return {"tree": _strip_banner(tree), "flat": flat, "duration": session.duration, "wall": proc.wall}


def self_times(root, top: int = 25) -> list[tuple[float, float, str]]:
    """(share, seconds, function) of the ``top`` functions by self time in a pyinstrument frame tree.

    pyinstrument 5 keeps a function's self time in a synthetic ``[self]`` child frame;
    it is credited to the parent here.
    """
    acc: dict[str, float] = {}
    stack = [root]
    while stack:
        f = stack.pop()
        stack.extend(f.children)
        if f.is_synthetic:
            owner = f.parent
            t = f.time
        else:
            owner = f
            t = f.time - sum(c.time for c in f.children)
        if owner is None or t <= 0:
            continue
        name = f"{owner.function}  {owner.file_path_short}:{owner.line_no}"
        acc[name] = acc.get(name, 0.0) + t
    total = root.time or 1.0
    return [(v / total, v, k) for k, v in sorted(acc.items(), key=lambda kv: -kv[1])[:top]]


def _strip_banner(text: str) -> list[str]:
    lines = [ln.rstrip() for ln in text.splitlines()]
    # drop pyinstrument's ASCII-art banner and blank lines; keep the header facts
    keep = []
    for ln in lines:
        if not ln.strip() or ln.lstrip().startswith(("_ ", "/_", "/ ")) or "pyinstrument" in ln.lower() and "v" in ln:
            continue
        keep.append(ln)
    return keep


# =============================================================== workers (child side)
def _timer_wrap(obj, name: str, acc: dict, key: str | None = None, stack: list | None = None):
    """Replace ``obj.name`` by a wrapper adding its run time to ``acc[key]`` (nested keys with ``stack``)."""
    fn = getattr(obj, name)
    key = key or name

    def wrapper(*a, **k):
        full = "/".join([*stack, key]) if stack is not None else key
        if stack is not None:
            stack.append(key)
        t0 = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            dt = time.perf_counter() - t0
            if stack is not None:
                stack.pop()
            slot = acc.setdefault(full, [0.0, 0])
            slot[0] += dt
            slot[1] += 1

    setattr(obj, name, wrapper)
    return fn


def _instrument_steps(model, acc: dict):
    for name in MECHANISMS:
        _timer_wrap(model, name, acc)
    _timer_wrap(model.datacollector, "collect", acc, key="datacollector")


def _run_steps(model, acc: dict, n: int | None = None) -> list[float]:
    steps = []
    for _ in range(model.n_steps - model.t if n is None else n):
        t0 = time.perf_counter()
        model.step()
        steps.append(time.perf_counter() - t0)
    return steps


def _per_step_ms(acc: dict, n_steps: int, step_times: list[float]) -> dict:
    ms = {k: 1000 * v[0] / n_steps for k, v in acc.items()}
    ms["step"] = 1000 * sum(step_times) / n_steps
    ms["mesa_overhead"] = ms["step"] - sum(ms.get(k, 0.0) for k in MECHANISMS)
    return ms


def worker_breakdown(overrides: list[str], out: str) -> dict:
    """Everything ``sim.run`` does for one run, timed phase by phase in one process."""
    t = {}

    def tick(label, t0):
        t[label] = time.perf_counter() - t0

    t0 = time.perf_counter()
    import mesa  # noqa: F401
    tick("import mesa", t0)
    t0 = time.perf_counter()
    import numpy as np
    import yaml

    from sim import config, geography, outputs, schema
    from sim import model as model_mod
    from sim.mechanisms import location
    tick("import sim.config, sim.model, sim.outputs (beyond mesa)", t0)

    t0 = time.perf_counter()
    cfg = config.compose(overrides)
    tick("hydra compose (first)", t0)
    t0 = time.perf_counter()
    config.compose(overrides)
    tick("hydra compose (again)", t0)
    t0 = time.perf_counter()
    schema.validate(cfg)
    tick("schema validate", t0)
    t0 = time.perf_counter()
    cfg_yaml = config.to_yaml(cfg)
    tick("config to YAML", t0)
    t0 = time.perf_counter()
    outputs.code_hash()
    tick("code hash (reads sim/**/*.py, *.yaml)", t0)
    t0 = time.perf_counter()
    c = model_mod.as_config(cfg)
    tick("OmegaConf → dataclass config (as_config)", t0)

    # the geography data file parsed by PyYAML's pure-Python SafeLoader and by its C (libyaml) loader
    path = geography.GEOGRAPHY_DIR / f"{c.geography.name}.yaml"
    text = path.read_text(encoding="utf-8")
    t0 = time.perf_counter()
    yaml.safe_load(text)
    tick("geography YAML parse alone, pure-Python yaml.safe_load", t0)
    if getattr(yaml, "CSafeLoader", None):
        t0 = time.perf_counter()
        yaml.load(text, Loader=yaml.CSafeLoader)
        tick("geography YAML parse alone, libyaml CSafeLoader", t0)

    init = {}
    _timer_wrap(geography, "build", init, key="geography.build (incl. YAML)")
    _timer_wrap(model_mod.TransferModel, "_create_agents", init, key="create Mesa agents")
    _timer_wrap(mesa.DataCollector, "__init__", init, key="DataCollector()")
    t0 = time.perf_counter()
    m = model_mod.TransferModel(c)
    tick("TransferModel(...) total", t0)
    n_agents = len(m.agents)

    acc = {}
    stack: list[str] = []
    _instrument_steps(m, acc)
    # the location-choice subtree and the calls it shares with production
    # (whichever of these the current code has)
    for name in ("draw_shocks", "consideration_sets", "choose_locations", "west_sites", "west_margin",
                 "distance_km", "utilities", "decode", "home_margin"):
        if callable(getattr(location, name, None)):
            _timer_wrap(location, name, acc, key=f"location.{name}", stack=stack)
    for name in ("_west_sites", "_book_margins"):
        if callable(getattr(m, name, None)):
            _timer_wrap(m, name, acc, key=f"model.{name}", stack=stack)
    if callable(getattr(model_mod, "_csr", None)):
        _timer_wrap(model_mod, "_csr", acc, key="model._csr", stack=stack)
    # the wrappers of the mechanisms must be on the stack too, so nested keys are unique
    for name in MECHANISMS:
        inner = getattr(m, name)

        def stacked(*a, _inner=inner, _name=name, **k):
            stack.append(_name)
            try:
                return _inner(*a, **k)
            finally:
                stack.pop()
        setattr(m, name, stacked)
    steps = _run_steps(m, acc)
    n_steps = len(steps)

    t0 = time.perf_counter()
    m.summary()
    tick("summary()", t0)
    t0 = time.perf_counter()
    ts = m.timeseries()
    tick("timeseries() DataFrame", t0)
    t0 = time.perf_counter()
    rg = m.regions()
    tick("regions() DataFrame", t0)
    t0 = time.perf_counter()
    files = {"timeseries.parquet": outputs.parquet_bytes(ts)}
    tick("timeseries → parquet bytes", t0)
    t0 = time.perf_counter()
    files["regions.parquet"] = outputs.parquet_bytes(rg)
    tick("regions → parquet bytes", t0)
    t0 = time.perf_counter()
    outputs.versions()
    tick("package versions (importlib.metadata)", t0)
    t0 = time.perf_counter()
    outputs.git_revision()
    tick("git revision (2 git subprocesses)", t0)
    files["config.yaml"] = cfg_yaml.encode()
    files["summary.json"] = outputs.json_bytes(m.summary())
    t0 = time.perf_counter()
    outputs.write_run(Path(out), files, {"config_hash": outputs.config_hash(cfg_yaml)})
    tick("write run directory (atomic writes, fsync)", t0)

    # what precomputing the firm-home × park distances would cost instead of haversine per candidate
    shocks, cand = m.last_choice.shocks, m.last_choice.candidates
    home = m.firms.home[shocks.reviewing]
    park = np.maximum(cand, 0)
    geo = m.geo
    t0 = time.perf_counter()
    for _ in range(5):
        location.distance_km(np.repeat(geo.lon[home][:, None], cand.shape[1], 1),
                             np.repeat(geo.lat[home][:, None], cand.shape[1], 1),
                             geo.lon[geo.park_county][park], geo.lat[geo.park_county][park])
    haversine = (time.perf_counter() - t0) / 5
    t0 = time.perf_counter()
    east = slice(0, geo.n_east)  # homes are eastern counties, listed first
    table = location.distance_km(geo.lon[east, None], geo.lat[east, None], geo.lon[geo.park_county][None, :],
                                 geo.lat[geo.park_county][None, :])
    build_table = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(5):
        table[home[:, None], park]
    gather = (time.perf_counter() - t0) / 5

    return {
        "phases": t, "init": {k: v[0] for k, v in init.items()},
        "per_step_ms": _per_step_ms({k: v for k, v in acc.items() if "/" not in k}, n_steps, steps),
        "tree_ms": {k: 1000 * v[0] / n_steps for k, v in acc.items()},
        "calls": {k: v[1] for k, v in acc.items()},
        "n_steps": n_steps, "n_firms": int(m.firms.home.size), "n_parks": int(m.geo.n_parks),
        "n_counties": int(m.geo.n_counties), "n_agents": n_agents,
        "reviewing_last_step": int(shocks.reviewing.size), "candidates_per_firm": int(cand.shape[1]),
        "distance": {"haversine_ms": 1000 * haversine, "table_build_ms": 1000 * build_table,
                     "table_gather_ms": 1000 * gather, "table_mib": table.nbytes / MiB},
    }


def worker_steps(overrides: list[str]) -> dict:
    """Per-mechanism ms/step of one configuration (for the scaling grid)."""
    from sim import config
    from sim.model import TransferModel, as_config

    cfg = as_config(config.compose(overrides))
    init = {}
    _timer_wrap(TransferModel, "_create_agents", init, key="agents")
    t0 = time.perf_counter()
    m = TransferModel(cfg)
    init_s = time.perf_counter() - t0
    acc = {}
    _instrument_steps(m, acc)
    reviewing = []
    orig = m._firms_choose

    def firms_choose():
        orig()
        reviewing.append(int(m.last_choice.firms.size))
    m._firms_choose = firms_choose
    steps = _run_steps(m, acc)
    ms = _per_step_ms(acc, len(steps), steps)
    return {"per_step_ms": ms, "init_s": init_s, "agents_s": init["agents"][0],
            "reviewing_per_step": statistics.mean(reviewing), "n_steps": len(steps),
            "n_firms": int(m.firms.home.size), "n_parks": int(m.geo.n_parks)}


def worker_reference(overrides: list[str], warmup: int, steps: int, ref_reps: int = 3) -> dict:
    """Vectorised vs per-agent reference on identical state and draws, side by side in one process.

    For each checked step: run ``_drift_costs`` and ``_governments_act``; save the
    model's state and generator; let the model choose once (its draws are
    ``last_choice.shocks``); restore, and time the reference on those draws and the
    model's own ``_firms_choose`` (generator restored before each call, so it draws
    the same shocks; the time spent drawing is measured and taken off, since the
    reference is handed its draws). The labour market: the inputs the model passes
    to ``labour.labour_market`` are captured and both sides are called on them.
    """
    import copy
    import inspect
    from types import SimpleNamespace

    import numpy as np

    from sim import config
    from sim.mechanisms import labour, location
    from sim.model import TransferModel, as_config
    from tests import reference as ref

    m = TransferModel(as_config(config.compose(overrides)))
    for _ in range(warmup):
        m.step()

    real_market = labour.labour_market
    real_draw = location.draw_shocks
    sig = inspect.signature(real_market)
    captured = {}
    draw_time = [0.0]

    def spy_market(*a, **k):
        captured["inputs"] = {key: v.copy() if isinstance(v, np.ndarray) else v
                              for key, v in sig.bind(*a, **k).arguments.items()}
        return real_market(*a, **k)

    def timed_draw(*a, **k):
        t0 = time.perf_counter()
        try:
            return real_draw(*a, **k)
        finally:
            draw_time[0] += time.perf_counter() - t0

    def snapshot():
        state = {k: copy.deepcopy(v) for k, v in vars(m).items()
                 if isinstance(v, (SimpleNamespace, np.ndarray, tuple))}
        return state, copy.deepcopy(m.rng.bit_generator.state)

    def restore(saved):
        state, rng_state = saved
        for k, v in state.items():
            setattr(m, k, copy.deepcopy(v))
        m.rng.bit_generator.state = copy.deepcopy(rng_state)

    def best_of(fn, before=None, min_time=0.2, min_reps=3, max_reps=50):
        """Fastest of repeated calls (≥ ``min_reps`` calls and ≥ ``min_time`` s): (min, median, reps, result)."""
        times, result = [], None
        while (sum(times) < min_time or len(times) < min_reps) and len(times) < max_reps:
            if before is not None:
                before()
            t0 = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - t0)
        return min(times), statistics.median(times), len(times), result

    def model_choice():
        lc = m.last_choice
        return list(zip(lc.firms.tolist(), lc.new_state.tolist(), lc.park.tolist(), strict=True))

    rows = []
    labour.labour_market = spy_market
    location.draw_shocks = timed_draw
    try:
        for _ in range(steps):
            m._drift_costs()
            m._governments_act()
            saved = snapshot()
            m._firms_choose()
            shocks, vec_choice = m.last_choice.shocks, model_choice()
            restore(saved)
            ref_loc, _, ref_loc_n, ref_choice = best_of(
                lambda s=shocks: ref.reference_location_choice(m, s), min_reps=ref_reps)
            draws = []

            def choose(_draws=draws):
                draw_time[0] = 0.0
                m._firms_choose()
                _draws.append(draw_time[0])
            vec_loc_total, _, n_loc, _ = best_of(choose, before=lambda s=saved: restore(s))
            draw = min(draws)
            # the last call left the model as one real call would (same state, same draws)
            same_choice = ref_choice == vec_choice == model_choice()
            m._parks_admit()
            m._labour_market()
            inputs = captured["inputs"]
            frozen = {k: v.copy() for k, v in inputs.items() if isinstance(v, np.ndarray)}
            ref_lab, _, ref_lab_n, (ref_people, ref_wage) = best_of(
                lambda x=inputs: ref.reference_labour_market(m, x)[:2], min_reps=ref_reps)
            vec_lab, _, n_lab, out = best_of(lambda x=inputs: real_market(**x))
            # neither side may change its inputs (they are reused across the repeats)
            untouched = all(np.array_equal(v, frozen[k]) for k, v in inputs.items() if isinstance(v, np.ndarray))
            same_labour = bool(untouched and np.allclose(ref_people, out[0], rtol=1e-9, atol=1e-6)
                               and np.allclose(ref_wage, out[1], rtol=1e-9, atol=0))
            m._produce_and_pay()
            m.t += 1
            m._record()
            rows.append({
                "t": m.t - 1, "reviewing": int(shocks.reviewing.size),
                "candidates": int(m.last_choice.candidates.shape[1]),
                "ref_location_s": ref_loc, "ref_location_reps": ref_loc_n,
                "vec_location_s": vec_loc_total - draw, "vec_location_with_draws_s": vec_loc_total,
                "draw_s": draw, "vec_location_reps": n_loc, "same_choices": bool(same_choice),
                "ref_labour_s": ref_lab, "ref_labour_reps": ref_lab_n, "vec_labour_s": vec_lab,
                "vec_labour_reps": n_lab, "same_labour": same_labour, "n_west_counties": int(m.geo.n_west),
            })
    finally:
        labour.labour_market = real_market
        location.draw_shocks = real_draw
    return {"rows": rows, "n_firms": int(m.firms.home.size), "n_parks": int(m.geo.n_parks),
            "n_west": int(m.geo.n_west)}


WORKERS = {"breakdown": worker_breakdown, "steps": worker_steps, "reference": worker_reference}


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


# =============================================================== report
def machine_info() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = None
    mem = None
    try:
        with open("/proc/meminfo") as fh:
            mem = int(fh.readline().split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    from importlib import metadata

    versions = {}
    for pkg in ("numpy", "mesa", "pandas", "pyarrow", "hydra-core", "omegaconf", "joblib", "pyinstrument"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "not installed"
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "sim", "configs"],
                               cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        rev = (rev + ("-dirty" if dirty else "")) or "unknown"
    except (OSError, subprocess.SubprocessError):
        rev = "unknown"
    return {"cpu": cpu, "cores": os.cpu_count(), "affinity": affinity, "memory": mem,
            "os": f"{platform.system()} {platform.release()}", "python": platform.python_version(),
            "python_exe": PY, "versions": versions, "git": rev, "fingerprint": code_fingerprint(),
            "date": _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")}


def code_fingerprint() -> str:
    """Hash of the code and configs a benchmark runs (sim/, configs/, the reference implementation)."""
    import hashlib

    h = hashlib.sha256()
    paths = [*(ROOT / "sim").rglob("*.py"), *(ROOT / "sim").rglob("*.yaml"), *(ROOT / "configs").rglob("*.yaml"),
             ROOT / "tests" / "reference.py"]
    for path in sorted(p for p in paths if p.is_file() and "__pycache__" not in p.parts):
        h.update(str(path.relative_to(ROOT)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


def fmt_s(x, digits=3):
    return "–" if x is None else f"{x:.{digits}f}"


def fmt_ms(x):
    if x is None:
        return "–"
    return f"{x:.2f}" if x < 10 else f"{x:.1f}"


def fmt_x(x):
    return f"{x:,.1f}×" if x < 100 else f"{x:,.0f}×"


def fmt_bg(x):
    return "–" if x is None else f"{x:.2f}"


def status(ok: bool | str | None) -> str:
    if isinstance(ok, str):  # a row shown for scale, with no limit
        return ok
    return "not measured" if ok is None else ("**met**" if ok else "**not met**")


def slope(xs, ys):
    """Log-log slope between the last two points (local exponent)."""
    if len(xs) < 2 or ys[-1] <= 0 or ys[-2] <= 0:
        return None
    return math.log(ys[-1] / ys[-2]) / math.log(xs[-1] / xs[-2])


def fit_slope(xs, ys):
    """Least-squares log-log slope over all points."""
    pts = [(math.log(x), math.log(y)) for x, y in zip(xs, ys, strict=True) if y > 0]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx if sxx else None


def scaling_verdicts(grid: dict) -> tuple[dict, bool | None]:
    """Per mechanism: (fitted slope, top slope, ms at the largest size, ok) and overall ok."""
    if not grid or len(grid) < 2:
        return {}, None
    sizes = sorted(grid, key=int)
    xs = [int(s) for s in sizes]
    out, all_ok = {}, True
    keys = [*MECHANISMS, "datacollector", "mesa_overhead", "step"]
    for k in keys:
        ys = [grid[s]["per_step_ms"].get(k, 0.0) for s in sizes]
        top = slope(xs, ys)
        big = ys[-1]
        ok = None if big < SCALING_MIN_MS else (top is not None and top <= SCALING_EXPONENT)
        if ok is False:
            all_ok = False
        out[k] = (fit_slope(xs, ys), top, big, ok, ys)
    init = [grid[s]["init_s"] * 1000 for s in sizes]
    top = slope(xs, init)
    ok = top is not None and top <= SCALING_EXPONENT
    out["init"] = (fit_slope(xs, init), top, init[-1], ok, init)
    return out, all_ok and ok


def targets(res: dict) -> list[tuple]:
    """(target, measured, limit, ok) rows."""
    rows = []
    nat = res.get("national", {}).get("run")
    rows.append(("national run, whole process (start-up included), median wall",
                 f"{nat['wall']:.2f} s" if nat else "–", f"≤ {NATIONAL_WALL_S:g} s",
                 None if not nat else nat["wall"] <= NATIONAL_WALL_S))
    rows.append(("national run, peak RSS", f"{nat['rss'] / GiB:.2f} GiB ({nat['rss'] / MiB:.0f} MiB)" if nat else "–",
                 "≤ 2 GiB", None if not nat else nat["rss"] <= NATIONAL_RSS_BYTES))
    d = res.get("default", {}).get("run")
    rows.append(("default run beyond interpreter + import start-up "
                 "(wall of `python -m sim.run` − wall of `python -c 'import mesa; import sim.run'`)",
                 f"{d['beyond_startup']:.2f} s (run {d['wall']:.2f} s − start-up {res['startup_baseline']:.2f} s)"
                 if d else "–", f"≤ {DEFAULT_BEYOND_STARTUP_S:g} s",
                 None if not d else d["beyond_startup"] <= DEFAULT_BEYOND_STARTUP_S))
    st = res.get("startup")
    for mod, note in (("sim", "(lazy package: loads nothing)"), ("sim.model", ""), ("sim.run", "(Hydra CLI)")):
        s = st.get(mod) if st else None
        rows.append((f"`import {mod}` beyond `import mesa` (in-process) {note}".strip(),
                     f"{s['beyond_mesa']:.3f} s" if s else "–", f"≤ {IMPORT_BEYOND_MESA_S:g} s",
                     None if not s else s["beyond_mesa"] <= IMPORT_BEYOND_MESA_S))
    n2 = res.get("national_200k", {}).get("run")
    if nat and n2:
        ratio = n2["beyond_startup"] / nat["beyond_startup"]
        rows.append(("200,000 vs 100,000 firms, whole process beyond start-up",
                     f"{ratio:.2f}× ({n2['beyond_startup']:.2f} s / {nat['beyond_startup']:.2f} s)",
                     f"≤ {FIRMS_200K_RATIO:g}×", ratio <= FIRMS_200K_RATIO))
    else:
        rows.append(("200,000 vs 100,000 firms, whole process beyond start-up", "–", f"≤ {FIRMS_200K_RATIO:g}×", None))
    sc = res.get("scaling")
    for dim, label in (("firms", "n_firms"), ("parks", "n_parks")):
        if sc and sc.get(dim):
            verdicts, ok = scaling_verdicts(sc[dim])
            worst = max(((k, v) for k, v in verdicts.items() if v[3] is not None), key=lambda kv: kv[1][1] or 0)
            sizes = sorted(sc[dim], key=int)
            rows.append((f"no mechanism super-linear in {label} (local log-log slope between the two largest "
                         f"sizes ≤ {SCALING_EXPONENT:g} for each mechanism ≥ {SCALING_MIN_MS:g} ms/step, and set-up)",
                         f"worst: {MECHANISM_LABEL.get(worst[0], worst[0]).strip()} slope {worst[1][1]:.2f} "
                         f"({int(sizes[-2]):,}→{int(sizes[-1]):,})", f"≤ {SCALING_EXPONENT:g}", ok))
        else:
            rows.append((f"no mechanism super-linear in {label}", "–", f"≤ {SCALING_EXPONENT:g}", None))
    rf = res.get("reference")
    for key, label in (("location", "location choice"), ("labour", "labour market")):
        for size in ("default", "national"):
            data = rf.get(size) if rf and "skipped" not in rf else None
            if data:
                sp = reference_speedup(data, key)
                rows.append((f"vectorised {label} vs per-agent reference, {size} size, per step",
                             fmt_x(sp), f"≥ {REFERENCE_SPEEDUP:g}×", sp >= REFERENCE_SPEEDUP))
            else:
                rows.append((f"vectorised {label} vs per-agent reference, {size} size", "–",
                             f"≥ {REFERENCE_SPEEDUP:g}×", None))
    for key, what in (("sweep_wide", "300 default runs as 300 single-run jobs"),
                      ("sweep_large", "300 default runs as 60 jobs × 5 replications"),
                      ("sweep", "the main job's 60 default runs as 60 jobs, ~20 s: start-up bound")):
        sw = res.get(key)
        rows.append((f"sweep throughput, 2 joblib workers vs 1, whole sweep ({what})",
                     f"{sw['speedup']:.2f}× ({sw[1]['wall']:.1f} s → {sw[2]['wall']:.1f} s)" if sw else "–",
                     f"≥ {SWEEP_SPEEDUP:g}×", None if not sw else sw["speedup"] >= SWEEP_SPEEDUP))
    sw = res.get("sweep")
    if sw and sw.get("steady_speedup"):
        rows.append(("sweep throughput, 2 joblib workers vs 1, jobs/s between the first and the last job done "
                     "(the main job's 60 runs)",
                     f"{sw['steady_speedup']:.2f}× ({sw[1]['steady']:.2f} → {sw[2]['steady']:.2f} jobs/s)",
                     f"≥ {SWEEP_SPEEDUP:g}×", sw["steady_speedup"] >= SWEEP_SPEEDUP))
    ce = res.get("ceiling")
    if ce:
        rows.append(("for scale, not a target: this machine's own limit, two national runs at once vs one alone",
                     f"{ce['ratio']:.2f}× ({ce['alone']:.2f} s alone, {ce['pair']:.2f} s for both)", "–", "for scale"))
    return rows


def reference_speedup(data: dict, key: str) -> float:
    """Median over checked steps of reference time / vectorised time."""
    return statistics.median(r[f"ref_{key}_s"] / r[f"vec_{key}_s"] for r in data["rows"])


def md_table(header: list[str], rows: list[list], align: str | None = None) -> list[str]:
    align = align or "l" + "r" * (len(header) - 1)
    sep = ["---:" if a == "r" else "---" for a in align]
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join(sep) + " |"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


def render(res: dict, info: dict, args, started: float, errors: dict) -> str:
    L = []
    add = L.append
    minutes = (time.monotonic() - started) / 60
    add("# Benchmarks")
    add("")
    add(f"Generated by `benchmarks/run.py` (`make bench`) on {info['date']} in {minutes:.1f} min"
        + (f", options: `{' '.join(args.argv)}`" if args.argv else "") + ". Do not edit by hand: re-run the script.")
    if args.quick or args.only:
        add("")
        add("> **Partial or quick run** (`--quick` / `--only`): fewer repeats or cases than the full suite; "
            "numbers are a smoke check, not the reference figures.")
    add("")
    add("## Machine")
    add("")
    v = info["versions"]
    add(f"- CPU: {info['cpu']}; {info['cores']} logical cores"
        + (f" ({info['affinity']} usable by this process)" if info["affinity"] else "")
        + (f"; {info['memory'] / GiB:.1f} GiB RAM" if info["memory"] else ""))
    add(f"- {info['os']}; Python {info['python']} (`{info['python_exe']}`)")
    add(f"- numpy {v['numpy']}, mesa {v['mesa']}, pandas {v['pandas']}, pyarrow {v['pyarrow']}, "
        f"hydra-core {v['hydra-core']}, omegaconf {v['omegaconf']}, joblib {v['joblib']}, "
        f"pyinstrument {v['pyinstrument']}")
    add(f"- code: git {info['git']}; fingerprint of sim/, configs/ and tests/reference.py {info['fingerprint']}")
    if info.get("fingerprint_end") and info["fingerprint_end"] != info["fingerprint"]:
        add(f"- **the code changed while the benchmarks ran** (fingerprint {info['fingerprint_end']} at the end): "
            "cases may have measured different versions; re-run for consistent figures.")
    bgs = [s["background"] for s in iter_summaries(res) if s.get("background") is not None]
    if bgs:
        add(f"- background load from other processes during the measured runs: mean {statistics.mean(bgs):.2f}, "
            f"max {max(bgs):.2f} busy cores (of {info['cores']}). Above ~0.3 the timings of that case are "
            "inflated by sharing the machine.")
    add("")
    add("## Method")
    add("")
    add("Whole-process cases start `python -m sim.run ...` with the interpreter that runs the script, in a fresh "
        "output directory each time (so no run is skipped as complete), after one warm-up run. Wall time is from "
        "just before the process starts to its exit; CPU time (user + system) and peak RSS are that process's own "
        "(`os.wait4`). Numerical libraries are limited to one thread and cases run one at a time; CPU/wall ≤ 1 "
        "confirms a run used one core. Tables give the median over the repeats (min and max alongside) and the "
        "largest peak RSS. *Start-up* is the wall time of `python -c 'import mesa; import sim.run'`: interpreter "
        "plus every import a CLI run makes. In-process cases time code with `time.perf_counter` in a child process.")
    add("")

    add("## Targets")
    add("")
    L.extend(md_table(["target", "measured", "limit", "status"],
                      [[t, m, lim, status(ok)] for t, m, lim, ok in targets(res)], "llll"))
    add("")

    rows = []
    for name in ("startup", "default", "national", "national_200k"):
        for label, s in res.get(name, {}).get("rows", []):
            rows.append(summary_row(label, s))
    for label, s in res.get("extra_rows", []):
        rows.append(summary_row(label, s))
    if rows:
        add("## Whole-process timings")
        add("")
        L.extend(md_table(["case", "median wall (s)", "min–max (s)", "CPU (s)", "CPU/wall", "peak RSS (MiB)",
                           "runs", "background cores"], rows))
        add("")
        st = res.get("startup")
        if st:
            add("In-process import times (median):")
            add("")
            L.extend(md_table(["import", "`import mesa` (s)", "then the module (s)"],
                              [[f"`{m}`", fmt_s(st[m]["mesa_in_process"]), fmt_s(st[m]["beyond_mesa"])]
                               for m in ("mesa", "sim", "sim.model", "sim.run")]))
            add("")
        d, n, n2 = (res.get(k, {}).get("run") for k in ("default", "national", "national_200k"))
        if any((d, n, n2)):
            add("Beyond start-up (" + fmt_s(res.get("startup_baseline")) + " s): "
                + "; ".join(f"{lab} {s['beyond_startup']:.2f} s" for lab, s in
                            (("default", d), ("national", n), ("200k firms", n2)) if s) + ".")
            add("")

    bd = res.get("breakdown")
    if bd:
        render_breakdown(L, bd, res)
    sc = res.get("scaling")
    if sc:
        render_scaling(L, sc)
    rf = res.get("reference")
    if rf:
        render_reference(L, rf)
    sweeps = [(k, res[k]) for k in SWEEP_CASES if res.get(k)]
    if sweeps:
        add("## Local sweeps: 1 vs 2 joblib workers")
        add("")
        add("`python -m sim.run -m ... hydra/launcher=joblib hydra.launcher.n_jobs=N hydra.sweep.dir=<fresh>`, "
            "not pinned, so 2 workers can use both cores; the two settings run alternately. Throughput ratio = "
            "median wall with 1 worker / median wall with 2. *Mean job* is the mean of the jobs' own "
            "`wall_time_s` (model runs and outputs, from `run.json`); the rest of the wall time is start-up, "
            "Hydra's composition of each job's config, worker start-up and the final collection. *First job done*: "
            "seconds from launch to the first `run.json`; with 2 workers it includes starting them (each imports "
            "mesa, pandas, scipy and Hydra, ~1 s). *Steady jobs/s*: jobs completed per second between the first "
            "and the last completion, i.e. throughput without the sweep's fixed start and end.")
        add("")
        rows = []
        for key, sw in sweeps:
            what = {"sweep": "default jobs (the main job's runs)", "sweep_small": "default jobs",
                    "sweep_wide": "default jobs (single runs)",
                    "sweep_replications": "default jobs × 5 replications", "sweep_large": "default jobs × 5 replications",
                    "sweep_national": "national jobs"}[key]
            for n in (1, 2):
                rows.append([f"{sw['jobs']} {what}", n, fmt_s(sw[n]["wall"], 2),
                             f"{sw[n]['wall_min']:.2f}–{sw[n]['wall_max']:.2f}", fmt_s(sw[n]["job_mean"]),
                             f"{sw['jobs'] * sw[n]['job_mean']:.1f}", f"{sw[n].get('first_done', math.nan):.2f}",
                             f"{sw['jobs'] / sw[n]['wall']:.2f}", fmt_x(sw["speedup"]) if n == 2 else "",
                             f"{sw[n]['steady']:.2f}" if sw[n].get("steady") else "–",
                             fmt_x(sw["steady_speedup"]) if n == 2 and sw.get("steady_speedup") else "",
                             sw[n]["n"], fmt_bg(sw[n]["background"])])
        L.extend(md_table(["sweep", "workers", "median wall (s)", "min–max (s)", "mean job (s)", "Σ jobs (s)",
                           "first job done (s)", "jobs/s", "ratio", "steady jobs/s", "steady ratio", "runs",
                           "background cores"], rows))
        add("")
        for _key, sw in sweeps:
            add(f"- `python -m sim.run {' '.join(sw['overrides'])} hydra.launcher.n_jobs=N`")
        add("")
    ce = res.get("ceiling")
    if ce:
        add(f"**This machine's limit.** Two national runs started together take {ce['pair']:.2f} s against "
            f"{ce['alone']:.2f} s for one alone (median of {ce['n']}): two processes get {ce['ratio']:.2f}× the "
            "throughput of one, not 2×, so no 2-worker sweep here can go faster than that. A sweep's fixed cost "
            "(start-up, pre-launch check, worker start, final collection: about 2–3 s) lowers its ratio "
            "further, the more so the shorter the sweep.")
        add("")
    pr = res.get("profile")
    if pr:
        add("## Profile of a national run (pyinstrument, whole process)")
        add("")
        if "skipped" in pr:
            add(f"Skipped: {pr['skipped']}.")
        else:
            add(f"`python -m pyinstrument -m sim.run geography=synthetic`: {pr['duration']:.2f} s profiled "
                f"(sampling inflates many small Python calls, e.g. agent creation and YAML parsing). "
                "Call tree, frames ≥ 3% of the run (library internals folded):")
            add("")
            add("```text")
            L.extend(pr["tree"][:45])
            add("```")
            add("")
            add("Self time by function (time spent in the function's own code, not in its callees), top 25:")
            add("")
            add("```text")
            L.extend(f"{share:6.1%} {sec:7.3f} s  {name}" for share, sec, name in pr["flat"])
            add("```")
            add("")
    if errors:
        add("## Errors")
        add("")
        for name, err in errors.items():
            add(f"- `{name}`:")
            add("")
            add("```text")
            L.extend(err.strip().splitlines()[-15:])
            add("```")
        add("")
    return "\n".join(L).rstrip() + "\n"


def iter_summaries(res):
    for name in ("startup", "default", "national", "national_200k"):
        for _, s in res.get(name, {}).get("rows", []):
            yield s
    for _, s in res.get("extra_rows", []):
        yield s
    for label in ("default", "national"):
        if res.get("breakdown", {}).get(label):
            yield res["breakdown"][label]["proc"]
    for key in SWEEP_CASES:
        for n in (1, 2):
            if res.get(key, {}).get(n):
                yield res[key][n]


def summary_row(label, s):
    return [label, fmt_s(s["wall"]), f"{s['wall_min']:.3f}–{s['wall_max']:.3f}", fmt_s(s["cpu"]),
            f"{s['cpu'] / s['wall']:.2f}", f"{s['rss'] / MiB:.0f}", s["n"], fmt_bg(s["background"])]


def render_breakdown(L, bd, res):
    add = L.append
    add("## Where the time goes (in-process)")
    add("")
    add("What `python -m sim.run` does for one run, phase by phase in one process (median of the repeats). "
        "Mechanism times are per step (ms), averaged over the 40 steps.")
    add("")
    labels = [lab for lab in ("default", "national") if lab in bd]
    data = {lab: bd[lab]["data"] for lab in labels}
    phases = list(data[labels[0]]["phases"])
    rows = []
    for p in phases:
        rows.append([p, *[fmt_ms(1000 * data[lab]["phases"].get(p, 0.0)) for lab in labels]])
        if p == "TransferModel(...) total":
            for k in data[labels[0]]["init"]:
                rows.append([f"  of which {k}", *[fmt_ms(1000 * data[lab]["init"].get(k, 0.0)) for lab in labels]])
    rows.append(["40 steps (sum of the steps below × n_steps)",
                 *[fmt_ms(data[lab]["per_step_ms"]["step"] * data[lab]["n_steps"]) for lab in labels]])
    L.extend(md_table(["phase (ms)", *labels], rows))
    add("")
    sizes = ", ".join(f"{lab}: {data[lab]['n_firms']:,} firms, {data[lab]['n_parks']:,} parks, "
                      f"{data[lab]['n_counties']:,} counties, {data[lab]['n_agents']:,} Mesa agents, "
                      f"{data[lab]['reviewing_last_step']:,} reviewing firms × {data[lab]['candidates_per_firm']} "
                      f"candidate parks in the last step" for lab in labels)
    add(f"Sizes — {sizes}.")
    add("")
    rows = []
    for k in (*MECHANISMS, "datacollector", "mesa_overhead", "step"):
        vals = [data[lab]["per_step_ms"].get(k, 0.0) for lab in labels]
        shares = [f"{100 * data[lab]['per_step_ms'].get(k, 0.0) / data[lab]['per_step_ms']['step']:.0f}%"
                  for lab in labels]
        rows.append([MECHANISM_LABEL[k], *[f"{fmt_ms(v)} ({s})" for v, s in zip(vals, shares, strict=True)]])
    L.extend(md_table(["mechanism: ms/step (share of step)", *labels], rows))
    add("")
    nat = data.get("national") or data[labels[0]]
    lab = "national" if "national" in data else labels[0]
    add(f"Inside the location choice and production ({lab}; ms/step; nested calls indented):")
    add("")
    rows = []
    for key in sorted(nat["tree_ms"], key=_tree_order):
        if "/" not in key:
            continue
        depth = key.count("/")
        name = key.rsplit("/", 1)[1]
        rows.append([("  " * (depth - 1)) + ("└ " if depth > 1 else "") + f"`{name}` in `{key.split('/')[0]}`"
                     if depth == 1 else ("  " * (depth - 1)) + f"└ `{name}`",
                     fmt_ms(nat["tree_ms"][key]), nat["calls"].get(key, 0) // max(nat["n_steps"], 1)])
    L.extend(md_table(["call", "ms/step", "calls/step"], rows))
    add("")
    # what the whole process spends beyond start-up that the in-process phases do not account for
    run_phases = [p for p in phases if not p.startswith(("import", "geography YAML", "hydra compose (again)"))]
    for lab in labels:
        whole = res.get(lab, {}).get("run")
        if not whole:
            continue
        inproc = (sum(data[lab]["phases"][p] for p in run_phases)
                  + data[lab]["per_step_ms"]["step"] * data[lab]["n_steps"] / 1000)
        rest = whole["beyond_startup"] - inproc
        add(f"{lab.capitalize()} run: {whole['beyond_startup']:.2f} s beyond start-up as a whole process; the "
            f"phases above (compose once, set-up, steps, outputs) take {inproc:.2f} s in-process"
            + (f"; the remaining {rest:.2f} s is Hydra's `@hydra.main` machinery (config search path, output "
               "directory, logging, callbacks), printing, interpreter exit and noise." if rest > 0.05 else
               ", so Hydra's `@hydra.main` machinery adds nothing measurable beyond its compose."))
        add("")
    ds = nat["distance"]
    haversine_per_step = sum(v for k, v in nat["tree_ms"].items() if k.endswith("/location.distance_km"))
    if haversine_per_step > 0.5:
        add(f"Distances: the haversine over reviewing firms × candidates costs {ds['haversine_ms']:.1f} ms per call; "
            f"an eastern county × park distance table would take {ds['table_build_ms']:.1f} ms to build once "
            f"({ds['table_mib']:.1f} MiB) and {ds['table_gather_ms']:.2f} ms per step to index.")
        add("")


def _tree_order(key: str):
    parts = key.split("/")
    order = {n: i for i, n in enumerate(MECHANISMS)}
    return (order.get(parts[0], 99), key)


def render_scaling(L, sc):
    add = L.append
    add("## Scaling in firms and parks (in-process)")
    add("")
    add(f"National geography (343 + 832 counties), {sc["years"]} simulated year(s), ms per step of each mechanism "
        "(median of the repeats). *slope* is the log-log exponent: fitted over all sizes, and local between the "
        f"two largest sizes (1 = linear, 2 = quadratic). A mechanism fails when its local slope exceeds "
        f"{SCALING_EXPONENT:g} at ≥ {SCALING_MIN_MS:g} ms/step.")
    for dim, what in (("firms", "firms (1,500 parks)"), ("parks", "parks (100,000 firms)")):
        grid = sc.get(dim)
        if not grid:
            continue
        sizes = sorted(grid, key=int)
        verdicts, _ = scaling_verdicts(grid)
        add("")
        add(f"### vs number of {what}")
        add("")
        header = ["mechanism (ms/step)", *[f"{int(s):,}" for s in sizes], "slope (fit)", "slope (top)", "ok"]
        rows = []
        for k, (fit, top, _big, ok, ys) in verdicts.items():
            label = "set-up: TransferModel(...) (ms)" if k == "init" else MECHANISM_LABEL[k]
            rows.append([label, *[fmt_ms(y) for y in ys], fmt_s(fit, 2), fmt_s(top, 2),
                         "n/a" if ok is None else ("yes" if ok else "**no**")])
        agents = [fmt_ms(grid[s]["agents_s"] * 1000) for s in sizes]
        rows.append(["  of which creating Mesa agents (ms)", *agents, "", "", ""])
        rows.append(["reviewing firms per step", *[f"{grid[s]['reviewing_per_step']:,.0f}" for s in sizes], "", "", ""])
        if dim == "firms":
            rows.append(["location choice µs per reviewing firm",
                         *[f"{1000 * grid[s]['per_step_ms']['_firms_choose'] / max(grid[s]['reviewing_per_step'], 1):.2f}"
                           for s in sizes], "", "", ""])
        L.extend(md_table(header, rows))
    add("")


def render_reference(L, rf):
    add = L.append
    add("## Vectorised vs per-agent reference")
    add("")
    if "skipped" in rf:
        add(f"Skipped: {rf['skipped']}.")
        add("")
        return
    add("One process: the model is run some steps, then for each checked step both sides get the same state and "
        "the same draws. The reference is `tests/reference.py` (loops over Mesa agents, scalar arithmetic). "
        "Vectorised location choice is the model's own `_firms_choose` (consideration sets, margins, logit choice "
        "and booking), called with the model's state and generator restored before each call, so it redraws the "
        "same shocks; the time of drawing them is taken off (*vec*), since the reference is handed its draws "
        "(*with draws* keeps it). The labour market: both sides get the inputs the model passed to "
        "`labour.labour_market`. Each side is timed as the fastest of ≥ 3 calls (and ≥ 0.2 s); the target "
        "uses the median over the checked steps of reference / vectorised. *Same*: identical choices; labour "
        "results equal to rtol 1e-9.")
    add("")
    rows = []
    for size, data in rf.items():
        for r in data["rows"]:
            rows.append([size, r["t"], f"{r['reviewing']:,} × {r['candidates']}",
                         fmt_ms(1000 * r["ref_location_s"]), fmt_ms(1000 * r["vec_location_s"]),
                         fmt_ms(1000 * r["vec_location_with_draws_s"]),
                         fmt_x(r['ref_location_s'] / r['vec_location_s']), "yes" if r["same_choices"] else "**no**",
                         r["n_west_counties"], fmt_ms(1000 * r["ref_labour_s"]), fmt_ms(1000 * r["vec_labour_s"]),
                         fmt_x(r['ref_labour_s'] / r['vec_labour_s']), "yes" if r["same_labour"] else "**no**"])
    L.extend(md_table(["size", "step", "reviewing × candidates", "location ref (ms)", "location vec (ms)",
                       "vec with draws (ms)", "speed-up", "same", "labour pools", "labour ref (ms)", "labour vec (ms)", "speed-up", "same"],
                      rows))
    add("")


# =============================================================== main
def write_atomic(path: Path, text: str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(prog="benchmarks/run.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="one run per case, small grids (smoke check)")
    ap.add_argument("--only", default="", help="comma-separated case names (see --list)")
    ap.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="report path (default docs/benchmarks.md)")
    ap.add_argument("--repeats", type=int, default=0, help="at least this many measured runs per case")
    ap.add_argument("--max-wait", type=float, default=10.0,
                    help="seconds to wait for an idle machine before each run (default 10; 0 = never)")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--params", default="{}", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.argv = argv

    if args.worker:
        sys.path.insert(0, str(ROOT))
        result = WORKERS[args.worker](**json.loads(args.params))
        print(RESULT_TAG + json.dumps(result), flush=True)
        return 0
    if args.list:
        for name, (_, about) in CASES.items():
            print(f"{name:<14} {about}")
        return 0
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(CASES)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        ap.error(f"unknown case(s) {', '.join(unknown)}; choose from {', '.join(CASES)}")

    started = time.monotonic()
    info = machine_info()
    progress(f"Benchmarks: {', '.join(names)}{' (quick)' if args.quick else ''} with {PY}")
    progress(f"  {info['cpu']}, {info['cores']} cores, Python {info['python']}, numpy {info['versions']['numpy']}, "
             f"mesa {info['versions']['mesa']}")
    runner = Runner(args)
    res: dict = {}
    errors: dict = {}
    try:
        for name in names:
            fn, about = CASES[name]
            progress(f"[{name}] {about}")
            t0 = time.monotonic()
            try:
                res[name] = fn(runner, res)
            except Exception:  # noqa: BLE001 - report the failure, go on with the other cases
                errors[name] = traceback.format_exc()
                progress(f"  {name} FAILED:\n{errors[name]}")
            progress(f"  [{name}] done in {time.monotonic() - t0:.1f} s")
    finally:
        runner.close()
    info["fingerprint_end"] = code_fingerprint()
    if info["fingerprint_end"] != info["fingerprint"]:
        progress("  warning: sim/, configs/ or tests/reference.py changed while the benchmarks ran")
    text = render(res, info, args, started, errors)
    write_atomic(args.output, text)
    progress(f"Wrote {args.output}")
    for t, m, lim, ok in targets(res):
        if isinstance(ok, bool):
            progress(f"  {'met    ' if ok else 'NOT MET'}  {t}: {m} (limit {lim})")
    return 1 if errors else 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
