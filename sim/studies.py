"""Study reports: the table and figures each experiment (configs/experiment/) makes.

Called by the sweep callback when a multirun with ``study`` set ends, or by
``python -m sim.collect DIR --report``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from . import outputs, plots
from .collect import load_sweep, load_timeseries
from .stats import ci_table

SCENARIO_ORDER = ["baseline", "pairing", "enclave", "labour", "consumption", "full"]


def _fmt_table(table: pd.DataFrame, keys: list[str], metrics: list[str]) -> str:
    """Plain-text table: mean [95% CI] per metric."""
    def cell(r, m):
        v, lo, hi = r[m], r[f"{m}_lo"], r[f"{m}_hi"]
        return f"{v:,.4g} [{lo:,.4g}, {hi:,.4g}]"
    rows = [[str(r[k]) for k in keys] + [str(r["runs"])] + [cell(r, m) for m in metrics] for _, r in table.iterrows()]
    head = keys + ["runs"] + [f"{m} ({plots.METRICS[m][0]})" for m in metrics]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
    line = lambda cells: "  ".join(c.ljust(w) if i < len(keys) else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))  # noqa: E731
    return "\n".join([line(head), line(["-" * w for w in widths]), *map(line, rows)])


def _write_table(sweep_dir: Path, name: str, table: pd.DataFrame, text: str) -> None:
    outputs.write_atomic(sweep_dir / f"{name}.csv", table.to_csv(index=False).encode())
    outputs.write_atomic(sweep_dir / f"{name}.txt", (text + "\n").encode())


def policy_comparison(sweep_dir: Path) -> str:
    """All scenarios × seeds: jobs, income, firms and fiscal cost with 95% CIs; time paths."""
    summary, ts = load_sweep(sweep_dir), load_timeseries(sweep_dir)
    order = [s for s in SCENARIO_ORDER if s in set(summary["scenario"])] + \
        [s for s in dict.fromkeys(summary["scenario"]) if s not in SCENARIO_ORDER]
    summary["scenario"] = pd.Categorical(summary["scenario"], order, ordered=True)
    ts["scenario"] = pd.Categorical(ts["scenario"], order, ordered=True)
    metrics = ["west_jobs_local", "west_income_per_capita", "firms_in_west", "west_fiscal_cost"]
    table = ci_table(summary.sort_values("scenario"), "scenario", metrics)
    text = _fmt_table(table, ["scenario"], metrics)
    _write_table(sweep_dir, "policy_comparison", table, text)
    fig = plots.time_paths(ts.sort_values(["scenario", "year"]), ["west_jobs_local", "west_income_per_capita", "firms_in_west"],
                           "scenario", "East–West policies compared: western jobs, income and firms")
    paths = plots.save(fig, sweep_dir / "figures" / "policy_comparison")
    return f"Final year ({int(ts['year'].max())}), mean [95% CI] over seeds:\n{text}\nFigure: {paths[0]}"


def tax_share_sweep(sweep_dir: Path) -> str:
    """tax_share_east × compliance: firms, western retained tax, eastern enclave revenue, jobs."""
    summary = load_sweep(sweep_dir)
    x, by = "policy.enclave.tax_share_east", "policy.enclave.compliance"
    metrics = ["firms_in_west", "west_tax_revenue", "east_tax_revenue_enclave", "west_jobs_local"]
    table = ci_table(summary.sort_values([by, x]), [by, x], metrics)
    text = _fmt_table(table, [by, x], metrics)
    _write_table(sweep_dir, "tax_share_sweep", table, text)
    fig = plots.response(summary, x, metrics, by, "Enclave tax sharing: who gains as the eastern share rises?")
    paths = plots.save(fig, sweep_dir / "figures" / "tax_share_sweep")
    best = table.loc[table.groupby(by)["west_tax_revenue"].idxmax(), [by, x, "west_tax_revenue"]]
    lines = [f"  compliance {r[by]:g}: western retained tax peaks at tax_share_east = {r[x]:g}" for _, r in best.iterrows()]
    return f"{text}\n" + "\n".join(lines) + f"\nFigure: {paths[0]}"


def labour_vs_industry(sweep_dir: Path) -> str:
    """Labour cooperation versus enclave parks at equal eastern cost: jobs, income, low-income share."""
    summary, ts = load_sweep(sweep_dir), load_timeseries(sweep_dir)
    metrics = ["west_jobs_local", "west_migrants_east", "west_income_per_capita", "low_income_share", "east_programme_cost"]
    table = ci_table(summary, "scenario", metrics)
    text = _fmt_table(table, ["scenario"], metrics)
    _write_table(sweep_dir, "labour_vs_industry", table, text)
    fig = plots.time_paths(ts, ["west_income_per_capita", "low_income_share", "west_jobs_local"], "scenario",
                           "Labour cooperation versus enclave parks at equal eastern cost")
    paths = plots.save(fig, sweep_dir / "figures" / "labour_vs_industry")
    return f"{text}\nFigure: {paths[0]}"


REPORTS = {f.__name__: f for f in (policy_comparison, tax_share_sweep, labour_vs_industry)}


def report_dir(sweep_dir: Path, study: str | None = None) -> None:
    """Make and print the report of ``study`` (read from the sweep's first config if not given)."""
    sweep_dir = Path(sweep_dir)
    if study is None:
        import yaml

        from .collect import job_dirs

        cfg = yaml.safe_load((job_dirs(sweep_dir)[0] / "config.yaml").read_text())
        study = cfg.get("study")
    if study not in REPORTS:
        print(f"No report for study {study!r}; tables are in {sweep_dir}", file=sys.stderr)
        return
    print(REPORTS[study](sweep_dir))
