"""The Markdown report: targets and verdicts, tables, formatting, writing ``docs/benchmarks.md``."""

from __future__ import annotations

import math
import os
import statistics
import time
from pathlib import Path

from benchmarks.cases import SWEEP_CASES
from benchmarks.harness import GiB, MiB
from benchmarks.workers import MECHANISMS

# Targets of the performance issue.
NATIONAL_WALL_S = 6.0
NATIONAL_MESA_RATIO = 3.0  # national run's wall / `import mesa`'s wall, whole processes, same call
NATIONAL_RSS_BYTES = 2 * GiB
DEFAULT_BEYOND_STARTUP_S = 1.0
IMPORT_BEYOND_MESA_S = 0.3
FIRMS_200K_RATIO = 2.2
REFERENCE_SPEEDUP = 30.0
SWEEP_SPEEDUP = 1.7
SCALING_EXPONENT = 1.3  # log-log slope between the two largest sizes; 2 would be quadratic
SCALING_MIN_MS = 1.0  # mechanisms cheaper than this per step at the largest size are noise

MECHANISM_LABEL = {
    "drift_costs": "1 costs drift",
    "governments_act": "2 governments act",
    "firm_demography": "3 firm demography (entry, growth)",
    "firms_choose": "3 location choice",
    "parks_admit": "4 parks admit",
    "labour_market": "5 labour market",
    "produce_and_pay": "6 production and taxes",
    "advance_clock": "7 advance the clock",
    "record": "7 record (the history; Mesa's DataCollector is a view)",
    "mesa_overhead": "loop between phases (step − Σ phases)",
    "step": "whole step",
}


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
    """Per mechanism and set-up: (fitted slope, top slope, ok, ms at each size) and overall ok."""
    if not grid or len(grid) < 2:
        return {}, None
    sizes = sorted(grid, key=int)
    xs = [int(s) for s in sizes]
    out, all_ok = {}, True
    keys = [*MECHANISMS, "mesa_overhead", "step"]
    for k in keys:
        ys = [grid[s]["per_step_ms"].get(k, 0.0) for s in sizes]
        top = slope(xs, ys)
        ok = None if ys[-1] < SCALING_MIN_MS else (top is not None and top <= SCALING_EXPONENT)
        if ok is False:
            all_ok = False
        out[k] = (fit_slope(xs, ys), top, ok, ys)
    init = [grid[s]["init_s"] * 1000 for s in sizes]
    top = slope(xs, init)
    ok = top is not None and top <= SCALING_EXPONENT
    out["init"] = (fit_slope(xs, init), top, ok, init)
    return out, all_ok and ok


def targets(res: dict) -> list[tuple]:
    """(target, measured, limit, ok) rows."""
    rows = []
    nat = res.get("national", {}).get("run")
    rows.append(
        (
            "national run, whole process (start-up included), median wall",
            f"{nat['wall']:.2f} s" if nat else "–",
            f"≤ {NATIONAL_WALL_S:g} s",
            None if not nat else nat["wall"] <= NATIONAL_WALL_S,
        )
    )
    ratio = res.get("national", {}).get("ratio")
    mesa_s = res.get("national", {}).get("mesa")
    rows.append(
        (
            "national run / `python -c 'import mesa'`, whole processes run alternately in "
            "the same call "
            "(median of the pairs' ratios)",
            f"{ratio:.2f}× ({nat['wall']:.2f} s / {mesa_s['wall']:.2f} s medians)"
            if ratio
            else "–",
            f"≤ {NATIONAL_MESA_RATIO:g}×",
            None if not ratio else ratio <= NATIONAL_MESA_RATIO,
        )
    )
    rows.append(
        (
            "national run, peak RSS",
            f"{nat['rss'] / GiB:.2f} GiB ({nat['rss'] / MiB:.0f} MiB)" if nat else "–",
            "≤ 2 GiB",
            None if not nat else nat["rss"] <= NATIONAL_RSS_BYTES,
        )
    )
    d = res.get("default", {}).get("run")
    rows.append(
        (
            "default run beyond interpreter + import start-up "
            "(wall of `python -m sim.run` − wall of `python -c 'import mesa; import sim.run'`)",
            f"{d['beyond_startup']:.2f} s (run {d['wall']:.2f} s − start-up "
            f"{res['startup_baseline']:.2f} s)"
            if d
            else "–",
            f"≤ {DEFAULT_BEYOND_STARTUP_S:g} s",
            None if not d else d["beyond_startup"] <= DEFAULT_BEYOND_STARTUP_S,
        )
    )
    st = res.get("startup")
    for mod, note in (
        ("sim", "(lazy package: loads nothing)"),
        ("sim.model", ""),
        ("sim.run", "(Hydra CLI)"),
    ):
        s = st.get(mod) if st else None
        rows.append(
            (
                f"`import {mod}` beyond `import mesa` (in-process) {note}".strip(),
                f"{s['beyond_mesa']:.3f} s" if s else "–",
                f"≤ {IMPORT_BEYOND_MESA_S:g} s",
                None if not s else s["beyond_mesa"] <= IMPORT_BEYOND_MESA_S,
            )
        )
    n2 = res.get("national_200k", {}).get("run")
    if nat and n2:
        ratio = n2["beyond_startup"] / nat["beyond_startup"]
        rows.append(
            (
                "200,000 vs 100,000 firms, whole process beyond start-up",
                f"{ratio:.2f}× ({n2['beyond_startup']:.2f} s / {nat['beyond_startup']:.2f} s)",
                f"≤ {FIRMS_200K_RATIO:g}×",
                ratio <= FIRMS_200K_RATIO,
            )
        )
    else:
        rows.append(
            (
                "200,000 vs 100,000 firms, whole process beyond start-up",
                "–",
                f"≤ {FIRMS_200K_RATIO:g}×",
                None,
            )
        )
    sc = res.get("scaling")
    for dim, label in (("firms", "n_firms"), ("parks", "n_parks")):
        if sc and sc.get(dim):
            verdicts, ok = scaling_verdicts(sc[dim])
            worst = max(
                ((k, v) for k, v in verdicts.items() if v[2] is not None),
                key=lambda kv: kv[1][1] or 0,
            )
            sizes = sorted(sc[dim], key=int)
            rows.append(
                (
                    f"no mechanism super-linear in {label} (local log-log slope between the "
                    "two largest "
                    f"sizes ≤ {SCALING_EXPONENT:g} for each mechanism ≥ {SCALING_MIN_MS:g} "
                    "ms/step, and set-up)",
                    f"worst: {MECHANISM_LABEL.get(worst[0], worst[0]).strip()} slope "
                    f"{worst[1][1]:.2f} "
                    f"({int(sizes[-2]):,}→{int(sizes[-1]):,})",
                    f"≤ {SCALING_EXPONENT:g}",
                    ok,
                )
            )
        else:
            rows.append(
                (f"no mechanism super-linear in {label}", "–", f"≤ {SCALING_EXPONENT:g}", None)
            )
    rf = res.get("reference")
    for key, label in (("location", "location choice"), ("labour", "labour market")):
        for size in ("default", "national"):
            data = rf.get(size) if rf and "skipped" not in rf else None
            if data:
                sp = reference_speedup(data, key)
                rows.append(
                    (
                        f"vectorised {label} vs per-agent reference, {size} size, per step",
                        fmt_x(sp),
                        f"≥ {REFERENCE_SPEEDUP:g}×",
                        sp >= REFERENCE_SPEEDUP,
                    )
                )
            else:
                rows.append(
                    (
                        f"vectorised {label} vs per-agent reference, {size} size",
                        "–",
                        f"≥ {REFERENCE_SPEEDUP:g}×",
                        None,
                    )
                )
    for key, what in (
        ("sweep_wide", "300 default runs as 300 single-run jobs"),
        ("sweep_large", "300 default runs as 60 jobs × 5 replications"),
        ("sweep", "the main job's 60 default runs as 60 jobs, ~20 s: start-up bound"),
    ):
        sw = res.get(key)
        rows.append(
            (
                f"sweep throughput, 2 joblib workers vs 1, whole sweep ({what})",
                f"{sw['speedup']:.2f}× ({sw[1]['wall']:.1f} s → {sw[2]['wall']:.1f} s)"
                if sw
                else "–",
                f"≥ {SWEEP_SPEEDUP:g}×",
                None if not sw else sw["speedup"] >= SWEEP_SPEEDUP,
            )
        )
    sw = res.get("sweep")
    if sw and sw.get("steady_speedup"):
        rows.append(
            (
                "sweep throughput, 2 joblib workers vs 1, jobs/s between the first and the "
                "last job done "
                "(the main job's 60 runs)",
                f"{sw['steady_speedup']:.2f}× ({sw[1]['steady']:.2f} → {sw[2]['steady']:.2f} "
                "jobs/s)",
                f"≥ {SWEEP_SPEEDUP:g}×",
                sw["steady_speedup"] >= SWEEP_SPEEDUP,
            )
        )
    an = res.get("anatomy")
    if an:
        rows.append(
            (
                "for scale, not a target: national run / `import mesa` with nothing but "
                "`import mesa` and the model's own set-up and steps (the floor of the ratio above)",
                f"{an['floor']:.2f}× (the whole process in the same rounds: {an['ratio']:.2f}×)",
                "–",
                "for scale",
            )
        )
    ce = res.get("ceiling")
    if ce:
        rows.append(
            (
                "for scale, not a target: this machine's own limit, two national runs at "
                "once vs one alone",
                f"{ce['ratio']:.2f}× ({ce['alone']:.2f} s alone, {ce['pair']:.2f} s for both)",
                "–",
                "for scale",
            )
        )
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
    add(
        f"Generated by `benchmarks/run.py` (`make bench`) on {info['date']} in {minutes:.1f} min"
        + (f", options: `{' '.join(args.argv)}`" if args.argv else "")
        + ". Do not edit by hand: re-run the script. Dated measurements of earlier code, with "
        "the profiles before and after each speed change: [benchmarks_history.md]"
        "(benchmarks_history.md)."
    )
    if args.quick or args.only:
        add("")
        add(
            "> **Partial or quick run** (`--quick` / `--only`): fewer repeats or cases than "
            "the full suite; "
            "numbers are a smoke check, not the reference figures."
        )
    add("")
    add("## Machine")
    add("")
    v = info["versions"]
    add(
        f"- CPU: {info['cpu']}; {info['cores']} logical cores"
        + (f" ({info['affinity']} usable by this process)" if info["affinity"] else "")
        + (f"; {info['memory'] / GiB:.1f} GiB RAM" if info["memory"] else "")
    )
    add(f"- {info['os']}; Python {info['python']} (`{info['python_exe']}`)")
    add(
        f"- numpy {v['numpy']}, mesa {v['mesa']}, pandas {v['pandas']}, pyarrow {v['pyarrow']}, "
        f"hydra-core {v['hydra-core']}, omegaconf {v['omegaconf']}, joblib {v['joblib']}, "
        f"pyinstrument {v['pyinstrument']}"
    )
    add(
        f"- code: git {info['git']}; fingerprint of sim/, configs/ and tests/reference.py "
        f"{info['fingerprint']}"
    )
    if info.get("fingerprint_end") and info["fingerprint_end"] != info["fingerprint"]:
        add(
            "- **the code changed while the benchmarks ran** (fingerprint "
            f"{info['fingerprint_end']} at the end): "
            "cases may have measured different versions; re-run for consistent figures."
        )
    bgs = [s["background"] for s in iter_summaries(res) if s.get("background") is not None]
    if bgs:
        add(
            "- background load from other processes during the measured runs: mean "
            f"{statistics.mean(bgs):.2f}, "
            f"max {max(bgs):.2f} busy cores (of {info['cores']}). Above ~0.3 the timings of "
            "that case are "
            "inflated by sharing the machine."
        )
    add("")
    add("## Method")
    add("")
    add(
        "Whole-process cases start `python -m sim.run ...` with the interpreter that runs "
        "the script, in a fresh "
        "output directory each time (so no run is skipped as complete), after one warm-up "
        "run, which also writes the package's bytecode caches as a user's first run does "
        "(`PYTHONDONTWRITEBYTECODE` is unset for the measured processes). Wall time is from "
        "just before the process starts to its exit; CPU time (user + system) and peak RSS "
        "are that process's own "
        "(`os.wait4`). Numerical libraries are limited to one thread and cases run one at a "
        "time; CPU/wall ≤ 1 "
        "confirms a run used one core. Tables give the median over the repeats (min and max "
        "alongside) and the "
        "largest peak RSS. *Start-up* is the wall time of `python -c 'import mesa; import "
        "sim.run'`: interpreter "
        "plus every import a CLI run makes. In-process cases time code with "
        "`time.perf_counter` in a child process."
    )
    add("")

    add("## Targets")
    add("")
    L.extend(
        md_table(
            ["target", "measured", "limit", "status"],
            [[t, m, lim, status(ok)] for t, m, lim, ok in targets(res)],
            "llll",
        )
    )
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
        L.extend(
            md_table(
                [
                    "case",
                    "median wall (s)",
                    "min–max (s)",
                    "CPU (s)",
                    "CPU/wall",
                    "peak RSS (MiB)",
                    "runs",
                    "background cores",
                ],
                rows,
            )
        )
        add("")
        st = res.get("startup")
        if st:
            add("In-process import times (median):")
            add("")
            L.extend(
                md_table(
                    ["import", "`import mesa` (s)", "then the module (s)"],
                    [
                        [f"`{m}`", fmt_s(st[m]["mesa_in_process"]), fmt_s(st[m]["beyond_mesa"])]
                        for m in ("mesa", "sim", "sim.model", "sim.run")
                    ],
                )
            )
            add("")
        d, n, n2 = (res.get(k, {}).get("run") for k in ("default", "national", "national_200k"))
        if any((d, n, n2)):
            add(
                "Beyond start-up ("
                + fmt_s(res.get("startup_baseline"))
                + " s): "
                + "; ".join(
                    f"{lab} {s['beyond_startup']:.2f} s"
                    for lab, s in (("default", d), ("national", n), ("200k firms", n2))
                    if s
                )
                + "."
            )
            add("")

    an = res.get("anatomy")
    if an:
        render_anatomy(L, an)
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
        add(
            "`python -m sim.run -m ... hydra/launcher=joblib hydra.launcher.n_jobs=N "
            "hydra.sweep.dir=<fresh>`, "
            "not pinned, so 2 workers can use both cores; the two settings run alternately. "
            "Throughput ratio = "
            "median wall with 1 worker / median wall with 2. *Mean job* is the mean of the "
            "jobs' own "
            "`wall_time_s` (model runs and outputs, from `run.json`); the rest of the wall "
            "time is start-up, "
            "Hydra's composition of each job's config, worker start-up and the final "
            "collection. *First job done*: "
            "seconds from launch to the first `run.json`; with 2 workers it includes "
            "starting them (each imports "
            "mesa, pandas, scipy and Hydra, ~1 s). *Steady jobs/s*: jobs completed per "
            "second between the first "
            "and the last completion, i.e. throughput without the sweep's fixed start and end."
        )
        add("")
        rows = []
        for key, sw in sweeps:
            what = {
                "sweep": "default jobs (the main job's runs)",
                "sweep_small": "default jobs",
                "sweep_wide": "default jobs (single runs)",
                "sweep_replications": "default jobs × 5 replications",
                "sweep_large": "default jobs × 5 replications",
                "sweep_national": "national jobs",
            }[key]
            for n in (1, 2):
                rows.append(
                    [
                        f"{sw['jobs']} {what}",
                        n,
                        fmt_s(sw[n]["wall"], 2),
                        f"{sw[n]['wall_min']:.2f}–{sw[n]['wall_max']:.2f}",
                        fmt_s(sw[n]["job_mean"]),
                        f"{sw['jobs'] * sw[n]['job_mean']:.1f}",
                        f"{sw[n].get('first_done', math.nan):.2f}",
                        f"{sw['jobs'] / sw[n]['wall']:.2f}",
                        fmt_x(sw["speedup"]) if n == 2 else "",
                        f"{sw[n]['steady']:.2f}" if sw[n].get("steady") else "–",
                        fmt_x(sw["steady_speedup"]) if n == 2 and sw.get("steady_speedup") else "",
                        sw[n]["n"],
                        fmt_bg(sw[n]["background"]),
                    ]
                )
        L.extend(
            md_table(
                [
                    "sweep",
                    "workers",
                    "median wall (s)",
                    "min–max (s)",
                    "mean job (s)",
                    "Σ jobs (s)",
                    "first job done (s)",
                    "jobs/s",
                    "ratio",
                    "steady jobs/s",
                    "steady ratio",
                    "runs",
                    "background cores",
                ],
                rows,
            )
        )
        add("")
        for _key, sw in sweeps:
            add(f"- `python -m sim.run {' '.join(sw['overrides'])} hydra.launcher.n_jobs=N`")
        add("")
    ce = res.get("ceiling")
    if ce:
        add(
            "**This machine's limit.** Two national runs started together take "
            f"{ce['pair']:.2f} s against "
            f"{ce['alone']:.2f} s for one alone (median of {ce['n']}): two processes get "
            f"{ce['ratio']:.2f}× the "
            "throughput of one, not 2×, so no 2-worker sweep here can go faster than that. A "
            "sweep's fixed cost "
            "(start-up, pre-launch check, worker start, final collection: about 2–3 s) "
            "lowers its ratio "
            "further, the more so the shorter the sweep."
        )
        add("")
    pr = res.get("profile")
    if pr:
        add("## Profile of a national run (pyinstrument, whole process)")
        add("")
        if "skipped" in pr:
            add(f"Skipped: {pr['skipped']}.")
        else:
            add(
                "`python -m pyinstrument -m sim.run geography=synthetic`: "
                f"{pr['duration']:.2f} s profiled "
                "(sampling inflates many small Python calls, e.g. agent creation and YAML "
                "parsing). "
                "Call tree, frames ≥ 3% of the run (library internals folded):"
            )
            add("")
            add("```text")
            L.extend(pr["tree"][:45])
            add("```")
            add("")
            add(
                "Self time by function (time spent in the function's own code, not in its "
                "callees), top 25:"
            )
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
    return [
        label,
        fmt_s(s["wall"]),
        f"{s['wall_min']:.3f}–{s['wall_max']:.3f}",
        fmt_s(s["cpu"]),
        f"{s['cpu'] / s['wall']:.2f}",
        f"{s['rss'] / MiB:.0f}",
        s["n"],
        fmt_bg(s["background"]),
    ]


ANATOMY_PARTS = {
    "start_exit": "interpreter start and exit (whole wall − the time inside)",
    "imports": "imports: sim/run.py's module body (mesa, the Hydra command line)",
    "check": "pre-launch check (compose, validate)",
    "setup": "model set-up: `TransferModel(cfg)`",
    "steps": "model steps: `model.run()`",
    "outputs": "outputs: summary, tables, Parquet files, run folder",
    "hydra": "Hydra's job machinery (output folder, logging, callbacks) and printing",
    "after": "after the command: exit handlers that run before the timer's",
}


def render_anatomy(L, an):
    add = L.append
    add("## The national run as one process")
    add("")
    add(
        "`python -m sim.run geography=synthetic` timed part by part from inside the same process "
        "(the case imports `sim.run`, which runs its module body as `-m` does, then calls its "
        "`main()`), each run next to a `python -c 'import mesa'` process; medians over "
        f"{an['n']} round{'s' if an['n'] != 1 else ''} (the parts' medians need not add up to the "
        "whole's)."
    )
    add("")
    whole = an["whole"]
    rows = [
        [label, f"{an['parts'][key]:.3f}", f"{an['parts'][key] / whole:.0%}"]
        for key, label in ANATOMY_PARTS.items()
    ]
    rows.append(["whole process", f"{whole:.3f}", "100%"])
    rows.append(["for scale: `python -c 'import mesa'`", f"{an['mesa']:.3f}", ""])
    L.extend(md_table(["part", "s", "of the whole"], rows))
    add("")
    add(
        f"Whole / `import mesa`: {an['ratio']:.2f}×. With nothing but `import mesa` and the "
        f"model's own set-up and steps, the ratio would be {an['floor']:.2f}× (median over the "
        "rounds of (`import mesa` + set-up + steps) / `import mesa`): the part of the ratio "
        "that only a faster model can lower."
    )
    add("")


def render_breakdown(L, bd, res):
    add = L.append
    add("## Where the time goes (in-process)")
    add("")
    add(
        "What `python -m sim.run` does for one run, phase by phase in one process (median of "
        "the repeats). "
        "Mechanism times are per step (ms), averaged over the 40 steps."
    )
    add("")
    labels = [lab for lab in ("default", "national") if lab in bd]
    data = {lab: bd[lab]["data"] for lab in labels}
    phases = list(data[labels[0]]["phases"])
    rows = []
    for p in phases:
        rows.append([p, *[fmt_ms(1000 * data[lab]["phases"].get(p, 0.0)) for lab in labels]])
        if p == "TransferModel(...) total":
            for k in data[labels[0]]["init"]:
                rows.append(
                    [
                        f"  of which {k}",
                        *[fmt_ms(1000 * data[lab]["init"].get(k, 0.0)) for lab in labels],
                    ]
                )
    rows.append(
        [
            "40 steps (sum of the steps below × n_steps)",
            *[fmt_ms(data[lab]["per_step_ms"]["step"] * data[lab]["n_steps"]) for lab in labels],
        ]
    )
    L.extend(md_table(["phase (ms)", *labels], rows))
    add("")
    sizes = ", ".join(
        f"{lab}: {data[lab]['n_firms']:,} firms, {data[lab]['n_parks']:,} parks, "
        f"{data[lab]['n_counties']:,} counties, {data[lab]['n_agents']:,} Mesa agents, "
        f"{data[lab]['reviewing_last_step']:,} reviewing firms × "
        f"{data[lab]['candidates_per_firm']} "
        f"candidate parks in the last step"
        for lab in labels
    )
    add(f"Sizes — {sizes}.")
    add("")
    rows = []
    for k in (*MECHANISMS, "mesa_overhead", "step"):
        vals = [data[lab]["per_step_ms"].get(k, 0.0) for lab in labels]
        shares = [
            f"{100 * data[lab]['per_step_ms'].get(k, 0.0) / data[lab]['per_step_ms']['step']:.0f}%"
            for lab in labels
        ]
        rows.append(
            [MECHANISM_LABEL[k], *[f"{fmt_ms(v)} ({s})" for v, s in zip(vals, shares, strict=True)]]
        )
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
        rows.append(
            [
                ("  " * (depth - 1))
                + ("└ " if depth > 1 else "")
                + f"`{name}` in `{key.split('/')[0]}`"
                if depth == 1
                else ("  " * (depth - 1)) + f"└ `{name}`",
                fmt_ms(nat["tree_ms"][key]),
                nat["calls"].get(key, 0) // max(nat["n_steps"], 1),
            ]
        )
    L.extend(md_table(["call", "ms/step", "calls/step"], rows))
    add("")
    # what the whole process spends beyond start-up that the in-process phases do not account for
    run_phases = [
        p
        for p in phases
        if not p.startswith(("import", "geography YAML", "hydra compose (again)", "Mesa agents"))
    ]
    for lab in labels:
        whole = res.get(lab, {}).get("run")
        if not whole:
            continue
        inproc = (
            sum(data[lab]["phases"][p] for p in run_phases)
            + data[lab]["per_step_ms"]["step"] * data[lab]["n_steps"] / 1000
        )
        rest = whole["beyond_startup"] - inproc
        add(
            f"{lab.capitalize()} run: {whole['beyond_startup']:.2f} s beyond start-up as a "
            "whole process; the "
            f"phases above (compose once, set-up, steps, outputs) take {inproc:.2f} s in-process"
            + (
                f"; the remaining {rest:.2f} s is what separates medians of different processes "
                "run at different moments: Hydra's `@hydra.main` machinery (config search "
                "path, output directory, logging, callbacks), printing, interpreter exit, and "
                "the machine's "
                "drift between the measurements"
                + (
                    " (the same run timed from inside one process: the section above)."
                    if lab == "national" and res.get("anatomy")
                    else "."
                )
                if rest > 0.05
                else ", so Hydra's `@hydra.main` machinery adds nothing measurable beyond its "
                "compose."
            )
        )
        add("")
    ds = nat["distance"]
    haversine_per_step = sum(
        v for k, v in nat["tree_ms"].items() if k.endswith("/location.distance_km")
    )
    if haversine_per_step > 0.5:
        add(
            "Distances: the haversine over reviewing firms × candidates costs "
            f"{ds['haversine_ms']:.1f} ms per call; "
            f"an eastern county × park distance table would take {ds['table_build_ms']:.1f} "
            "ms to build once "
            f"({ds['table_mib']:.1f} MiB) and {ds['table_gather_ms']:.2f} ms per step to index."
        )
        add("")


def _tree_order(key: str):
    parts = key.split("/")
    order = {n: i for i, n in enumerate(MECHANISMS)}
    return (order.get(parts[0], 99), key)


def render_scaling(L, sc):
    add = L.append
    add("## Scaling in firms and parks (in-process)")
    add("")
    add(
        f"National geography (343 + 832 counties), {sc['years']} simulated year(s), ms per "
        "step of each mechanism "
        "(median of the repeats). *slope* is the log-log exponent: fitted over all sizes, "
        "and local between the "
        "two largest sizes (1 = linear, 2 = quadratic). A mechanism fails when its local "
        "slope exceeds "
        f"{SCALING_EXPONENT:g} at ≥ {SCALING_MIN_MS:g} ms/step."
    )
    for dim, what in (("firms", "firms (1,500 parks)"), ("parks", "parks (100,000 firms)")):
        grid = sc.get(dim)
        if not grid:
            continue
        sizes = sorted(grid, key=int)
        verdicts, _ = scaling_verdicts(grid)
        add("")
        add(f"### vs number of {what}")
        add("")
        header = [
            "mechanism (ms/step)",
            *[f"{int(s):,}" for s in sizes],
            "slope (fit)",
            "slope (top)",
            "ok",
        ]
        rows = []
        for k, (fit, top, ok, ys) in verdicts.items():
            label = "set-up: TransferModel(...) (ms)" if k == "init" else MECHANISM_LABEL[k]
            rows.append(
                [
                    label,
                    *[fmt_ms(y) for y in ys],
                    fmt_s(fit, 2),
                    fmt_s(top, 2),
                    "n/a" if ok is None else ("yes" if ok else "**no**"),
                ]
            )
        agents = [fmt_ms(grid[s]["agents_s"] * 1000) for s in sizes]
        rows.append(["  of which creating Mesa agents (ms)", *agents, "", "", ""])
        rows.append(
            [
                "reviewing firms per step",
                *[f"{grid[s]['reviewing_per_step']:,.0f}" for s in sizes],
                "",
                "",
                "",
            ]
        )
        if dim == "firms":
            rows.append(
                [
                    "location choice µs per reviewing firm",
                    *[
                        format(
                            1000
                            * grid[s]["per_step_ms"]["firms_choose"]
                            / max(grid[s]["reviewing_per_step"], 1),
                            ".2f",
                        )
                        for s in sizes
                    ],
                    "",
                    "",
                    "",
                ]
            )
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
    add(
        "One process: the model is run some steps, then for each checked step both sides get "
        "the same state and "
        "the same draws. The reference is `tests/reference.py` (loops over Mesa agents, "
        "scalar arithmetic). "
        "Vectorised location choice is the model's own `phases.firms_choose` (consideration "
        "sets, margins, logit choice "
        "and booking), called with the model's state and generator restored before each "
        "call, so it redraws the "
        "same shocks; the time of drawing them is taken off (*vec*), since the reference is "
        "handed its draws "
        "(*with draws* keeps it). The labour market: both sides get the inputs the model passed to "
        "`labour.labour_market`. Each side is timed as the fastest of ≥ 3 calls (and ≥ 0.2 "
        "s); the target "
        "uses the median over the checked steps of reference / vectorised. *Same*: identical "
        "choices; labour "
        "results equal to rtol 1e-9."
    )
    add("")
    rows = []
    for size, data in rf.items():
        for r in data["rows"]:
            rows.append(
                [
                    size,
                    r["t"],
                    f"{r['reviewing']:,} × {r['candidates']}",
                    fmt_ms(1000 * r["ref_location_s"]),
                    fmt_ms(1000 * r["vec_location_s"]),
                    fmt_ms(1000 * r["vec_location_with_draws_s"]),
                    fmt_x(r["ref_location_s"] / r["vec_location_s"]),
                    "yes" if r["same_choices"] else "**no**",
                    r["n_west_counties"],
                    fmt_ms(1000 * r["ref_labour_s"]),
                    fmt_ms(1000 * r["vec_labour_s"]),
                    fmt_x(r["ref_labour_s"] / r["vec_labour_s"]),
                    "yes" if r["same_labour"] else "**no**",
                ]
            )
    L.extend(
        md_table(
            [
                "size",
                "step",
                "reviewing × candidates",
                "location ref (ms)",
                "location vec (ms)",
                "vec with draws (ms)",
                "speed-up",
                "same",
                "labour pools",
                "labour ref (ms)",
                "labour vec (ms)",
                "speed-up",
                "same",
            ],
            rows,
        )
    )
    add("")


def write_atomic(path: Path, text: str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
