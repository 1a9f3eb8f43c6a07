"""Labour cooperation versus enclave parks, per yuan of public cost (experiment
labour_vs_industry), and at equal public cost computed by the model.

``python -m sim.studies.labour_vs_industry [--seeds 0 1 2 3] [--years 10]`` runs the
baseline and the enclave arm, then scales the labour arm's budget levers (training rate,
migration support, matching budget) by one factor, found by scipy's secant search over runs, until
its cumulative public cost over the baseline equals the enclave arm's; it prints both arms'
gains at that cost.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import root_scalar

from sim.analysis.paired import paired_gain
from sim.analysis.stats import ci_table, fmt
from sim.report import figures as plots
from sim.report import labels
from sim.report.tables import print_wide
from sim.runs.collect import load_sweep, load_timeseries
from sim.studies.reports import fmt_table, write_table


def report(sweep_dir: Path) -> str:
    """Labour cooperation versus enclave parks: jobs, income, low-income share, also per yuan of
    each arm's public cost.

    Effects are paired differences from the baseline run with the same seed, also per 100 m
    yuan of the arm's public cost over the baseline (final year), as the model computes it.
    For both arms at one public cost, run this module (:func:`at_equal_cost`).
    """
    summary, ts = load_sweep(sweep_dir), load_timeseries(sweep_dir)
    metrics = [
        "west_jobs_local",
        "west_migrants_east",
        "west_income_per_capita",
        "low_income_share",
    ]
    delta = paired_gain(summary, metrics)
    arms = delta[delta["scenario"] != "baseline"].copy()
    # each arm's public cost over the baseline (east + west, aid once), as the model computes it
    level = summary.groupby("scenario", observed=True)["public_programme_cost"].mean()
    cost = level - level.get("baseline", 0.0)
    for m in metrics:
        arms[f"{m}_per_100m"] = arms[m] / (arms["scenario"].map(cost).astype(float) / 1e8)
    table = ci_table(
        arms.sort_values("scenario"),
        "scenario",
        metrics + [f"{m}_per_100m" for m in ("west_jobs_local", "west_income_per_capita")],
    )
    text = fmt_table(table, ["scenario"], metrics, difference=True)
    per = "\n".join(
        f"  {labels.scenario(s)}: public cost over the baseline {fmt(cost[s])} yuan/year; "
        "per 100 m yuan: "
        f"{fmt(r['west_jobs_local_per_100m'])} local jobs, "
        f"{fmt(r['west_income_per_capita_per_100m'])} yuan/year income per capita"
        for s, r in table.set_index("scenario").iterrows()
    )
    write_table(sweep_dir, "labour_vs_industry", table, text)
    shown = ["west_income_per_capita", "low_income_share", "west_jobs_local"]
    fig = plots.time_paths(
        paired_gain(ts, shown).query("scenario != 'baseline'"),
        shown,
        "scenario",
        "Labour cooperation versus enclave parks: change over the baseline run with the same seed",
        difference=True,
    )
    paths = plots.save(fig, sweep_dir / "figures" / "labour_vs_industry")
    return (
        "Change over baseline at the last step, mean ± 95% CI half-width over seeds:\n"
        f"{text}\n{per}\nAt equal public cost: python -m sim.studies.labour_vs_industry\n"
        f"Figure: {paths[0]}"
    )


# the labour arm's budget levers, scaled together from the labour scenario's values
LABOUR_LEVERS = (
    "policy.labour.training_rate",
    "policy.labour.migration_support",
    "policy.labour.matching_budget",
)
GAINS = ["west_jobs_local_all", "west_migrants_east", "west_income_per_capita"]
CUMULATIVE = {"public_programme_cost": "public_cost_cum", "west_income_people_total": "income_cum"}


def _runs(overrides: dict, seeds) -> pd.DataFrame:
    """Final-year gains' levels and cumulative cost and people's income, one row per seed."""
    from sim.params.compose import compose
    from sim.runs.runner import run_seeds

    rows = []
    for seed, m in run_seeds(compose(overrides), seeds):
        h = m.history
        row = {"seed": seed, **{k: float(h[k][-1]) for k in GAINS}}
        row.update({v: float(h[k][1:].sum() * m.dt) for k, v in CUMULATIVE.items()})
        rows.append(row)
    return pd.DataFrame(rows).set_index("seed")


def labour_levers(extra: dict | None = None) -> dict[str, float]:
    """The labour arm's budget levers as the labour scenario sets them."""
    from omegaconf import OmegaConf

    from sim.params.compose import compose

    cfg = compose({"scenario": "labour", **(extra or {})})
    return {k: float(OmegaConf.select(cfg, k)) for k in LABOUR_LEVERS}


def at_equal_cost(seeds=(0, 1, 2, 3), extra: dict | None = None, tol=0.01, progress=None):
    """Both arms at the enclave arm's public cost: (table, scale, iterations).

    The enclave operators choose their own spending, so that arm's cumulative public cost over
    the baseline (mean over ``seeds``) is the target; the labour arm's levers are multiplied by
    one scale, found by scipy's secant search on the model's cost (``tol``: relative tolerance
    on the scale, about that of the cost, which is close to proportional to it).
    """
    extra = dict(extra or {})
    base = _runs({"scenario": "baseline", **extra}, seeds)
    enclave = _runs({"scenario": "enclave_parks", **extra}, seeds) - base
    target = float(enclave["public_cost_cum"].mean())
    levers = labour_levers(extra)

    runs: dict[float, pd.DataFrame] = {0.0: base * 0.0}  # scale 0: no labour programme

    def arm(scale: float) -> pd.DataFrame:
        if scale not in runs:
            over = {"scenario": "labour", **extra, **{k: v * scale for k, v in levers.items()}}
            if progress:
                progress(f"labour arm at scale {scale:.4g}")
            runs[scale] = _runs(over, seeds) - base
        return runs[scale]

    cost = lambda d: float(d["public_cost_cum"].mean())  # noqa: E731
    # cost rises with the scale, about in proportion: a secant search from (0, 0) and (1, labour)
    found = root_scalar(
        lambda scale: cost(arm(scale)) - target,
        x0=0.0,
        x1=1.0,
        method="secant",
        rtol=tol,
        maxiter=8,
    )
    s1 = float(found.root)
    d1, it = arm(s1), len(runs) - 1
    rows = []
    for name, d in (("enclave_parks", enclave), ("labour at equal cost", d1)):
        c = cost(d)
        rows.append(
            {
                "arm": name,
                "public_cost_cum": c,
                "d_jobs_local_all": d["west_jobs_local_all"].mean(),
                "d_migrants": d["west_migrants_east"].mean(),
                "d_income_per_capita": d["west_income_per_capita"].mean(),
                "d_income_cum": d["income_cum"].mean(),
                "income_per_yuan": d["income_cum"].mean() / c if c > 0 else np.nan,
            }
        )
    return pd.DataFrame(rows).set_index("arm"), s1, it


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m sim.studies.labour_vs_industry", description=__doc__.split("\n\n")[0]
    )
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3])
    ap.add_argument("--years", type=int, default=10)
    args = ap.parse_args(argv)
    table, scale, it = at_equal_cost(
        args.seeds,
        {"run.years": args.years},
        progress=lambda msg: print(msg, file=sys.stderr, flush=True),
    )
    levers = labour_levers()
    print(
        f"labour levers × {scale:.4g} ({it} runs of the arm): "
        + ", ".join(f"{k.rsplit('.', 1)[1]} {v * scale:.4g}" for k, v in levers.items())
    )
    print_wide(table, digits=4)
    return 0


if __name__ == "__main__":
    sys.exit(main())
