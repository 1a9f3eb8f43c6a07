"""Regenerates the figures and times of docs/policy_search.md.

    python experiments/policy_search.py            # the search (TPE), then random sampling
    python experiments/policy_search.py --report   # figures and times from the sweeps as they are

Runs ``python -m sim.run -m experiment=policy_search`` (2 workers on local cores) into
results/sweeps/policy_search and the same search with ``search.sampler=random`` into
results/sweeps/policy_search_random, records each one's wall time in its folder
(``search_time.json``), checks the TPE search's answer (``python -m
sim.studies.policy_search_checks``: the best mixes on held-out draws, single-lever lines through
the best mix; timed in ``checks_time.json``), and writes docs/img/policy_search.png (the fronts) and
docs/img/policy_search_convergence.png (best robust gain within budget against mixes evaluated,
both samplers). Prints the numbers the document quotes.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SWEEPS = {
    "tpe": ROOT / "results/sweeps/policy_search",
    "random": ROOT / "results/sweeps/policy_search_random",
}
IMG = ROOT / "docs/img"


def run(sampler: str, extra: list[str]) -> None:
    folder = SWEEPS[sampler]
    if (folder / "search_time.json").exists():  # timed already: delete the file to time it again
        return
    t0 = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sim.run",
            "-m",
            "experiment=policy_search",
            f"search.sampler={sampler}",
            f"hydra.sweep.dir={folder}",
            *extra,
        ],
        cwd=ROOT,
        check=True,
    )
    seconds = time.perf_counter() - t0
    (folder / "search_time.json").write_text(json.dumps({"wall_time_s": round(seconds, 1)}))


def checks() -> None:
    """Held-out draws and lever lines for the TPE search (cached runs: a re-run only reprints)."""
    from sim.studies import policy_search as ps
    from sim.studies import policy_search_checks as pc

    folder = SWEEPS["tpe"]
    t0 = time.perf_counter()
    held, line = pc.holdout(folder), pc.lines(folder)
    timed = folder / "checks_time.json"
    if not timed.exists():
        timed.write_text(json.dumps({"wall_time_s": round(time.perf_counter() - t0, 1)}))
    print(pc.summary(ps._spec_from_sweep(folder), held, line))
    print(f"checks took {json.loads(timed.read_text())['wall_time_s'] / 60:.1f} min")


def report() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    IMG.mkdir(parents=True, exist_ok=True)
    shutil.copy(SWEEPS["tpe"] / "figures/policy_search.png", IMG / "policy_search.png")
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    for sampler, folder in SWEEPS.items():
        path = folder / "policy_search_convergence.csv"
        if not path.exists():
            continue
        conv = pd.read_csv(path)
        ax.step(conv["evaluations"], conv.iloc[:, 1], where="post", label=sampler)
        t = folder / "search_time.json"
        secs = json.loads(t.read_text())["wall_time_s"] if t.exists() else float("nan")
        print(
            f"{sampler}: {len(conv)} mixes in {secs / 60:.1f} min; best within budget after "
            + ", ".join(
                f"{n}: {conv.iloc[n - 1, 1]:.0f}" for n in (8, 16, 32, len(conv)) if n <= len(conv)
            )
        )
    ax.set_xlabel("mixes evaluated")
    ax.set_ylabel(f"best {conv.columns[1][5:]} gain within budget\n(10th percentile, persons)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(IMG / "policy_search_convergence.png", dpi=120)
    table = pd.read_csv(SWEEPS["tpe"] / "policy_search.csv")
    best = table[table["best_at_budget_level"].notna()]
    cols = [c for c in table.columns if c.startswith("policy.")]
    print(best[["candidate", "best_at_budget_level", *cols]].to_string(index=False))
    print(pd.read_csv(SWEEPS["tpe"] / "policy_search_scenarios.csv").to_string(index=False))
    robustness(SWEEPS["tpe"], table, cols)


def robustness(folder: Path, table: pd.DataFrame, levers: list[str]) -> None:
    """What the robust best mix depends on: its gain in each draw against the best feasible mix
    of that draw (regret), and the rank correlation of each lever with the first objective."""
    from sim.studies import policy_search as ps

    spec = ps._spec_from_sweep(folder)
    study = ps.open_study(folder / ps.FOLDER, spec)
    o = spec.objectives[0]
    runs = {
        t.user_attrs[ps.CANDIDATE]: t.user_attrs["runs"]
        for t in study.get_trials()
        if t.state.name == "COMPLETE"
    }
    feasible = set(table.loc[(table["kind"] == "search") & table["feasible"], "candidate"])
    best = table[table["best_at_budget_level"] == 1.0]
    if best.empty:
        return
    b = int(best["candidate"].iloc[0])
    print(f"mix {b} per draw ({o}, mean over seeds) against the best feasible mix of that draw:")
    for d in range(spec.draws):
        idx = [i for i, (dd, _) in enumerate(spec.runs) if dd == d]
        per = {c: sum(runs[c][i][o] for i in idx) / len(idx) for c in feasible}
        top = max(per, key=per.get)
        print(
            f"  draw {d}: {per[b]:.0f}; best mix {top}: {per[top]:.0f}; "
            f"regret {per[top] - per[b]:.0f} ({(per[top] - per[b]) / per[top]:.1%})"
        )
    mixes = table[table["kind"] == "search"]
    first = next(c for c in mixes.columns if c.startswith(o + " ["))
    corr = mixes[levers].corrwith(mixes[first], method="spearman")
    cost = mixes[levers].corrwith(mixes["public_cost_max [yuan/year]"], method="spearman")
    print(f"rank correlation over the mixes, with {o} / with public cost:")
    for k in levers:
        print(f"  {k}: {corr[k]:+.2f} / {cost[k]:+.2f}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--report", action="store_true", help="only the figures and numbers")
    ap.add_argument("overrides", nargs="*", help="extra overrides for both searches")
    args = ap.parse_args(argv)
    if not args.report:
        for sampler in SWEEPS:
            run(sampler, args.overrides)
    report()
    checks()
    return 0


if __name__ == "__main__":
    sys.exit(main())
