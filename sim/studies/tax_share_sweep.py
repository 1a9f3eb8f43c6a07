"""Enclave tax sharing: the eastern share of enclave tax × compliance (tax_share_sweep)."""

from __future__ import annotations

from pathlib import Path

from sim.analysis.stats import ci_table
from sim.report import figures as plots
from sim.report import labels
from sim.runs.collect import load_sweep
from sim.studies.reports import fmt_table, write_table


def report(sweep_dir: Path) -> str:
    """tax_share_east × compliance: firms, western retained tax, eastern enclave revenue, jobs."""
    summary = load_sweep(sweep_dir)
    x, by = "policy.enclave.tax_share_east", "policy.enclave.compliance"
    metrics = ["firms_in_west", "west_tax_revenue", "east_tax_revenue_enclave", "west_jobs_local"]
    table = ci_table(summary.sort_values([by, x]), [by, x], metrics)
    text = fmt_table(table, [by, x], metrics)
    write_table(sweep_dir, "tax_share_sweep", table, text)
    fig = plots.response(
        summary, x, metrics, by, "Enclave tax sharing: who gains as the eastern share rises?"
    )
    paths = plots.save(fig, sweep_dir / "figures" / "tax_share_sweep")
    best = table.loc[table.groupby(by)["west_tax_revenue"].idxmax(), [by, x, "west_tax_revenue"]]
    lines = [
        f"  {labels.name(by)} {labels.value(by, r[by])}: "
        f"{labels.name('west_tax_revenue').lower()} peaks at "
        f"{labels.name(x).lower()} = {labels.value(x, r[x])}"
        for _, r in best.iterrows()
    ]
    return f"{text}\n" + "\n".join(lines) + f"\nFigure: {paths[0]}"
