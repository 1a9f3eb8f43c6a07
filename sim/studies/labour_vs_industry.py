"""Labour cooperation versus enclave parks, per yuan of eastern cost (experiment
labour_vs_industry)."""

from __future__ import annotations

from pathlib import Path

from sim.analysis.paired import paired_gain
from sim.analysis.stats import ci_table, fmt
from sim.report import figures as plots
from sim.report import labels
from sim.runs.collect import load_sweep, load_timeseries
from sim.studies.reports import fmt_table, write_table


def report(sweep_dir: Path) -> str:
    """Labour cooperation versus enclave parks: jobs, income, low-income share, also per yuan of
    each arm's eastern cost.

    Effects are paired differences from the baseline run with the same seed,
    also per 100 m yuan of the arm's measured eastern cost.
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
    cost = summary.groupby("scenario", observed=True)["east_programme_cost"].mean()
    for m in metrics:
        arms[f"{m}_per_100m"] = arms[m] / (arms["scenario"].map(cost).astype(float) / 1e8)
    table = ci_table(
        arms.sort_values("scenario"),
        "scenario",
        metrics + [f"{m}_per_100m" for m in ("west_jobs_local", "west_income_per_capita")],
    )
    text = fmt_table(table, ["scenario"], metrics, difference=True)
    per = "\n".join(
        f"  {labels.scenario(s)}: eastern cost {fmt(cost[s])} yuan/year; per 100 m yuan: "
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
        f"{text}\n{per}\nFigure: {paths[0]}"
    )
