"""The benchmark cases (parent side), registered in ``CASES`` by name, in run order."""

from __future__ import annotations

import json
import shutil
import statistics
import threading
import time

from benchmarks.harness import (
    PY,
    RESULT_TAG,
    ROOT,
    Runner,
    background_note,
    median_dicts,
    progress,
    run_process,
    sim_run_argv,
    summarise,
    worker_argv,
)

NATIONAL = ["geography=synthetic"]

CASES: dict[str, tuple] = {}  # name -> (function, description), in the order they run by default


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


@case(
    "startup",
    "interpreter and import start-up: python -c pass, import mesa, sim, sim.model, sim.run",
)
def case_startup(r: Runner, res: dict) -> dict:
    out = {"rows": []}
    n = r.repeats(7)
    s = r.measure("python -c pass", lambda d: [PY, "-c", "pass"], n)
    out["rows"].append(("interpreter: `python -c pass`", s))
    for mod in ("mesa", "sim", "sim.model", "sim.run"):
        code = IMPORT_CODE.format(extra="" if mod == "mesa" else f"import {mod}", tag=RESULT_TAG)
        s = r.measure(f"import {mod}", lambda d, code=code: [PY, "-c", code], n)
        s["beyond_mesa"] = statistics.median(x["extra"] for x in s["results"])
        s["mesa_in_process"] = statistics.median(x["mesa"] for x in s["results"])
        out["rows"].append(
            (f"`import mesa` then `import {mod}`" if mod != "mesa" else "`import mesa`", s)
        )
        out[mod] = s
    res["startup_baseline"] = out["sim.run"]["wall"]
    return out


def startup_baseline(r: Runner, res: dict) -> float:
    """Wall time of a process that only imports sim.run (interpreter + imports)."""
    if "startup_baseline" not in res:
        code = IMPORT_CODE.format(extra="import sim.run", tag=RESULT_TAG)
        s = r.measure(
            "start-up baseline (import sim.run)", lambda d: [PY, "-c", code], r.repeats(5)
        )
        res["startup_baseline"] = s["wall"]
        res.setdefault("extra_rows", []).append(
            ("start-up baseline: `import mesa; import sim.run`", s)
        )
    return res["startup_baseline"]


def whole_run(
    r: Runner, res: dict, label: str, row: str, overrides: list[str], repeats: int
) -> dict:
    """``python -m sim.run <overrides>`` as a whole process, with its time beyond start-up."""
    base = startup_baseline(r, res)
    s = r.measure(label, sim_run_argv(*overrides), r.repeats(repeats))
    s["beyond_startup"] = s["wall"] - base
    return {"rows": [(row, s)], "run": s}


@case("default", "python -m sim.run (Shanghai–Yunnan, 10,000 firms, 40 steps), whole process")
def case_default(r: Runner, res: dict) -> dict:
    return whole_run(r, res, "default run", "default: `python -m sim.run`", [], 7)


@case(
    "national",
    "python -m sim.run geography=synthetic (100,000 firms, 1,500 parks), whole process, "
    "and its ratio to `python -c 'import mesa'` measured alternately in the same call",
)
def case_national(r: Runner, res: dict) -> dict:
    out = whole_run(
        r, res, "national run", "national: `python -m sim.run geography=synthetic`", NATIONAL, 5
    )
    # the ratio: each national run next to an `import mesa` process, so both see the same machine
    mesa_code = [PY, "-c", "import mesa"]
    pairs = []
    for i in range(r.warmups() + r.repeats(5)):
        r.wait_quiet()
        d = r.fresh_dir("national-ratio")
        m = run_process(mesa_code)
        n = run_process(sim_run_argv(*NATIONAL)(d))
        shutil.rmtree(d, ignore_errors=True)
        progress(
            f"    national / import mesa: pair {i + 1}: {n.wall:.3f} s / {m.wall:.3f} s = "
            f"{n.wall / m.wall:.2f}" + background_note(n)
        )
        if i >= r.warmups():
            pairs.append((m, n))
    mesa_s = summarise([m for m, _ in pairs])
    out["rows"].append(("`python -c 'import mesa'` (alternating with the national run)", mesa_s))
    out["mesa"] = mesa_s
    out["ratio"] = statistics.median(n.wall / m.wall for m, n in pairs)
    return out


# `python -m sim.run` timed from inside one process: the import runs sim/run.py's module body as
# `-m` does (allocator, garbage collector, mesa, the CLI), then its `main()` with the command line
ANATOMY_CODE = """
import atexit, json, sys, time
t0 = time.perf_counter()
import sim.run as entry
t1 = time.perf_counter()
import sim.cli
from sim.model.transfer import TransferModel
from sim.params import checks
spent = {{}}
def timed(owner, name, key):
    f = getattr(owner, name)
    def wrapper(*a, **k):
        t = time.perf_counter()
        try:
            return f(*a, **k)
        finally:
            spent[key] = spent.get(key, 0.0) + time.perf_counter() - t
    setattr(owner, name, wrapper)
for owner, name, key in ((entry, "cli", "cli"), (checks, "check_command", "check"),
        (sim.cli, "run_job", "job"), (TransferModel, "__init__", "setup"),
        (TransferModel, "run", "steps")):
    timed(owner, name, key)
def report():
    inside = time.perf_counter() - t0
    print({tag!r} + json.dumps({{"imports": t1 - t0, "inside": inside, **spent}}), flush=True)
atexit.register(report)
sys.argv = ["sim.run", *sys.argv[1:]]
entry.main()
"""


@case(
    "anatomy",
    "the national run as one whole process timed part by part from inside, each next to "
    "`python -c 'import mesa'`",
)
def case_anatomy(r: Runner, res: dict) -> dict:
    code = ANATOMY_CODE.format(tag=RESULT_TAG)
    rounds = []
    for i in range(r.warmups() + r.repeats(5)):
        r.wait_quiet()
        d = r.fresh_dir("anatomy")
        m = run_process([PY, "-c", "import mesa"])
        n = run_process([PY, "-c", code, *NATIONAL, f"hydra.run.dir={d}"])
        shutil.rmtree(d, ignore_errors=True)
        t = n.result()
        parts = {  # seconds; labels in benchmarks/report.py (ANATOMY_PARTS)
            "start_exit": n.wall - t["inside"],
            "imports": t["imports"],
            "check": t["check"],
            "setup": t["setup"],
            "steps": t["steps"],
            "outputs": t["job"] - t["setup"] - t["steps"],
            "hydra": t["cli"] - t["check"] - t["job"],
            "after": t["inside"] - t["imports"] - t["cli"],
        }
        progress(
            f"    anatomy: round {i + 1}: whole {n.wall:.3f} s, import mesa {m.wall:.3f} s, "
            f"steps {t['steps']:.3f} s" + background_note(n)
        )
        if i >= r.warmups():
            rounds.append({"mesa": m.wall, "whole": n.wall, "parts": parts})
    return {
        "n": len(rounds),
        "mesa": statistics.median(x["mesa"] for x in rounds),
        "whole": statistics.median(x["whole"] for x in rounds),
        "parts": {k: statistics.median(x["parts"][k] for x in rounds) for k in rounds[0]["parts"]},
        # the ratio with nothing but `import mesa` and the model's own work
        "floor": statistics.median(
            (x["mesa"] + x["parts"]["setup"] + x["parts"]["steps"]) / x["mesa"] for x in rounds
        ),
        "ratio": statistics.median(x["whole"] / x["mesa"] for x in rounds),
    }


@case("national_200k", "national geography with 200,000 firms, whole process")
def case_national_200k(r: Runner, res: dict) -> dict:
    return whole_run(
        r,
        res,
        "national run, 200k firms",
        "national, 200,000 firms: `... geography.n_firms=200000`",
        [*NATIONAL, "geography.n_firms=200000"],
        5,
    )


@case(
    "breakdown",
    "in-process: where the default and the national run spend their time (phases, ms/step)",
)
def case_breakdown(r: Runner, res: dict) -> dict:
    out = {}
    for label, overrides in (("default", []), ("national", NATIONAL)):
        s = r.measure(
            f"breakdown {label}",
            lambda d, o=overrides: worker_argv("breakdown", overrides=o, out=str(d)),
            r.repeats(3),
        )
        out[label] = {"proc": s, "data": median_dicts(s["results"])}
    return out


@case("scaling", "in-process: ms/step of each mechanism vs number of firms and of parks")
def case_scaling(r: Runner, res: dict) -> dict:
    firms = [25_000, 50_000, 100_000] if r.quick else [25_000, 50_000, 100_000, 200_000, 400_000]
    parks = [1_500, 3_000] if r.quick else [1_500, 3_000, 6_000, 12_000, 24_000]
    years = 1 if r.quick else 3
    out = {"years": years, "firms": {}, "parks": {}}
    for n in firms:
        s = r.measure(
            f"scaling firms={n}",
            lambda d, n=n: worker_argv(
                "steps", overrides=[*NATIONAL, f"geography.n_firms={n}", f"run.years={years}"]
            ),
            r.repeats(3),
        )
        out["firms"][n] = median_dicts(s["results"])
    for n in parks:
        s = r.measure(
            f"scaling parks={n}",
            lambda d, n=n: worker_argv(
                "steps", overrides=[*NATIONAL, f"geography.n_parks={n}", f"run.years={years}"]
            ),
            r.repeats(3),
        )
        out["parks"][n] = median_dicts(s["results"])
    return out


@case(
    "reference",
    "vectorised vs per-agent reference (tests/reference.py): location choice and labour "
    "market per step",
)
def case_reference(r: Runner, res: dict) -> dict:
    if not (ROOT / "tests" / "reference.py").exists():
        return {"skipped": "tests/reference.py does not exist"}
    out = {}
    for label, overrides, warm, steps in (("default", [], 8, 3), ("national", NATIONAL, 8, 2)):
        if r.quick:
            warm, steps = 2, 1
        s = r.measure(
            f"reference {label}",
            lambda d, o=overrides, w=warm, k=steps: worker_argv(
                "reference", overrides=o, warmup=w, steps=k, ref_reps=1 if r.quick else 3
            ),
            1,
            warmup=0,
        )
        out[label] = s["results"][0]
    return out


SCENARIOS = "scenario=baseline,pairing,enclave,labour,consumption,full"
# the main job's sweep (make run) without its report: 6 scenarios x 10 seeds
SWEEP = ["-m", SCENARIOS, "run.seed=range(10)", "hydra/launcher=joblib"]
SWEEP_SMALL = [
    "-m",
    "scenario=baseline,pairing,enclave,full",
    "run.seed=range(4)",
    "hydra/launcher=joblib",
]
# the same 60 runs as 12 jobs of 5 replications each (fewer, longer jobs)
SWEEP_REPLICATIONS = [
    "-m",
    SCENARIOS,
    "run.seed=range(2)",
    "run.replications=5",
    "hydra/launcher=joblib",
]
# a research-size sweep: 300 runs as 60 jobs of 5 replications
SWEEP_LARGE = ["-m", SCENARIOS, "run.seed=range(10)", "run.replications=5", "hydra/launcher=joblib"]
# the same 300 runs as 300 single-run jobs
SWEEP_WIDE = ["-m", SCENARIOS, "run.seed=range(50)", "hydra/launcher=joblib"]
SWEEP_NATIONAL = [
    "-m",
    "scenario=baseline,pairing,enclave,full",
    "run.seed=range(2)",
    "geography=synthetic",
    "hydra/launcher=joblib",
]
# the cases that call sweep_pair, in the order of the report's sweep table
SWEEP_CASES = (
    "sweep",
    "sweep_wide",
    "sweep_large",
    "sweep_small",
    "sweep_replications",
    "sweep_national",
)


def sweep_pair(
    r: Runner, label: str, overrides: list[str], n_jobs_expected: int, reps: int, warmups: int
) -> dict:
    """Wall time of the same sweep with 1 and with 2 joblib workers (runs interleaved)."""

    def argv(n, d):
        return [
            PY,
            "-m",
            "sim.run",
            *overrides,
            f"hydra.launcher.n_jobs={n}",
            f"hydra.sweep.dir={d}",
            "run.progress=off",
        ]

    jobs = {1: [], 2: []}
    procs = {1: [], 2: []}
    steady = {1: [], 2: []}
    first = {1: [], 2: []}
    for i in range(warmups + reps):
        for n in (1, 2):  # interleaved, so both see the same conditions
            r.wait_quiet()
            d = r.fresh_dir(f"{label}{n}")
            started = time.time()
            proc = run_process(argv(n, d))
            markers = list(d.glob("*/run.json"))
            job_walls = [json.loads(p.read_text())["wall_time_s"] for p in markers]
            # jobs completed per second between the first and the last completion: throughput with
            # the sweep's start-up (imports, pre-launch check, worker start) and final collection
            # left out
            ends = sorted(p.stat().st_mtime for p in markers)
            shutil.rmtree(d, ignore_errors=True)
            progress(
                f"    {label} n_jobs={n}: run "
                f"{i + 1}/{warmups + reps}{' (warm-up)' if i < warmups else ''} "
                f"{proc.wall:.2f} s, {len(job_walls)} jobs, mean job "
                f"{statistics.mean(job_walls or [0]):.3f} s" + background_note(proc)
            )
            if len(job_walls) != n_jobs_expected:
                raise RuntimeError(
                    f"{label} n_jobs={n} completed {len(job_walls)} of {n_jobs_expected} jobs"
                )
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
    out["steady_speedup"] = (
        out[2]["steady"] / out[1]["steady"] if out[1]["steady"] and out[2]["steady"] else None
    )
    return out


@case(
    "sweep",
    "local sweep of the main job's 60 default runs (6 scenarios x 10 seeds), joblib: "
    "n_jobs=1 vs n_jobs=2",
)
def case_sweep(r: Runner, res: dict) -> dict:
    return sweep_pair(r, "sweep", SWEEP, 60, r.repeats(3), r.warmups())


@case(
    "sweep_large",
    "300 default runs as 60 jobs x 5 replications, joblib: n_jobs=1 vs n_jobs=2 (one repeat)",
)
def case_sweep_large(r: Runner, res: dict) -> dict:
    return sweep_pair(r, "sweep-large", SWEEP_LARGE, 60, 1, 0)


@case(
    "sweep_wide",
    "the same 300 default runs as 300 single-run jobs, joblib: n_jobs=1 vs n_jobs=2 (one repeat)",
)
def case_sweep_wide(r: Runner, res: dict) -> dict:
    return sweep_pair(r, "sweep-wide", SWEEP_WIDE, 300, 1, 0)


@case(
    "ceiling", "the machine's own limit: two national runs at once vs one alone (whole processes)"
)
def case_ceiling(r: Runner, res: dict) -> dict:
    """Throughput of 2 simultaneous processes / 1: what any 2-worker sweep can reach on this
    machine."""
    argv = sim_run_argv(*NATIONAL)
    ratios, alone, pair = [], [], []
    for i in range(r.warmups() + r.repeats(3)):
        r.wait_quiet()
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
        progress(
            f"    ceiling: run {i + 1}: alone {one:.2f} s, two at once {walls[0]:.2f} s and "
            f"{walls[1]:.2f} s"
        )
        if i >= r.warmups():
            alone.append(one)
            pair.append(max(walls))
            ratios.append(2 * one / max(walls))
    return {
        "ratio": statistics.median(ratios),
        "alone": statistics.median(alone),
        "pair": statistics.median(pair),
        "n": len(ratios),
    }


@case(
    "sweep_small",
    "local sweep of 16 default jobs, joblib: n_jobs=1 vs n_jobs=2 (start-up bound; not the target)",
)
def case_sweep_small(r: Runner, res: dict) -> dict:
    return sweep_pair(r, "sweep-small", SWEEP_SMALL, 16, r.repeats(3), r.warmups())


@case(
    "sweep_replications",
    "the 60 runs as 12 jobs x 5 replications, joblib: n_jobs=1 vs n_jobs=2 (not a target)",
)
def case_sweep_replications(r: Runner, res: dict) -> dict:
    return sweep_pair(r, "sweep-reps", SWEEP_REPLICATIONS, 12, r.repeats(3), r.warmups())


@case(
    "sweep_national",
    "local sweep of 8 national jobs (100,000 firms each): n_jobs=1 vs n_jobs=2 (not a target)",
)
def case_sweep_national(r: Runner, res: dict) -> dict:
    return sweep_pair(r, "sweep-national", SWEEP_NATIONAL, 8, r.repeats(3), 0)


@case("profile", "pyinstrument profile of one national run (whole process)")
def case_profile(r: Runner, res: dict) -> dict:
    try:
        from pyinstrument.renderers import ConsoleRenderer
        from pyinstrument.session import Session
    except ImportError:
        return {
            "skipped": "pyinstrument is not installed "
            "(pip install pyinstrument; it is in the dev extra)"
        }
    d = r.fresh_dir("profile")
    d.mkdir(parents=True)
    session_file = d / "national.pyisession"
    proc = run_process(
        [
            PY,
            "-m",
            "pyinstrument",
            "-r",
            "pyisession",
            "-o",
            str(session_file),
            "-m",
            "sim.run",
            *NATIONAL,
            f"hydra.run.dir={d / 'run'}",
        ]
    )
    session = Session.load(str(session_file))
    tree = ConsoleRenderer(
        unicode=True, color=False, time="seconds", processor_options={"filter_threshold": 0.03}
    ).render(session)
    flat = self_times(session.root_frame())
    shutil.rmtree(d, ignore_errors=True)
    progress(f"    profile: {session.duration:.2f} s profiled, wall {proc.wall:.2f} s")
    return {
        "tree": _strip_banner(tree),
        "flat": flat,
        "duration": session.duration,
        "wall": proc.wall,
    }


def self_times(root, top: int = 25) -> list[tuple[float, float, str]]:
    """(share, seconds, function) of the ``top`` functions by self time in a pyinstrument frame
    tree.

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
        if (
            not ln.strip()
            or ln.lstrip().startswith(("_ ", "/_", "/ "))
            or "pyinstrument" in ln.lower()
            and "v" in ln
        ):
            continue
        keep.append(ln)
    return keep
