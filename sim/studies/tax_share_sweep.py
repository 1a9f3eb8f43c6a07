"""Enclave tax sharing: the eastern share of enclave tax × compliance (tax_share_sweep).

The sweep holds the enclave runs and, for each seed, the same-seed ``pairing`` run (the
counterfactual: the same pairs without enclave operators). The report splits the firms and jobs
in enclave parks into additional (over that run) and diverted (from other western parks),
gives the operators' net gain, and finds the share that is best for the west by two objectives,
each over the same-seed pairing run (which ranks the shares as the levels do, with less noise):
local jobs, and household income plus retained park tax (both yuan/year, so they add up).

Why the west can have a best share strictly inside the range (docs/ODD.md §7.12 has the
numbers of a run): the operator makes no effort below its break-even share, so there sharing
only gives tax away; above it, effort and the firms it brings rise with the share; but effort
stops rising once the enclave parks are full (the operator co-invests only where a tenant's
shared tax repays a slot), and from there a higher share is a transfer to the east. Local jobs
alone then stay level rather than fall, so their best share need not be distinguishable from the
highest; household income plus retained tax falls again, so it can peak inside the range. The
report says whether the best share is clearly better than both ends (95% CI of the seed-paired
differences); it is picked from the same runs, so read it as a region.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.paired import additionality, paired_gain
from sim.analysis.stats import ci_table, fmt
from sim.report import figures as plots
from sim.report import labels
from sim.runs.collect import load_sweep
from sim.studies.reports import fmt_table, write_table

X, BY = "policy.enclave.tax_share_east", "policy.enclave.compliance"
REFERENCE = "pairing"
OUTCOMES = ["firms_in_west", "west_tax_revenue", "east_tax_revenue_enclave", "west_jobs_local"]
SPLIT = [
    "additional_firms",
    "diverted_firms",
    "additional_jobs",
    "diverted_jobs",
    "east_enclave_operator_net",
    "enclave_partner_effort",
]
# the west's objectives, over the same-seed pairing run: local jobs; household income plus
# retained park tax (yuan/year)
OBJECTIVES = ["additional_jobs", "west_income_and_tax"]


def enclave_runs(summary: pd.DataFrame) -> pd.DataFrame:
    """The sweep's enclave runs with the additionality split over the same-seed pairing run and
    the western objectives; refuses a sweep without its pairing runs."""
    if "scenario" not in summary or not (summary["scenario"].astype(str) == REFERENCE).any():
        raise ValueError(
            "the tax share sweep compares each enclave run with the pairing run of the same "
            "seed: sweep scenario=pairing,enclave (configs/experiment/tax_share_sweep.yaml)"
        )
    summary = summary.assign(
        west_income_and_tax=summary["west_income_total"] + summary["west_tax_revenue"]
    )
    gain = paired_gain(summary, ["west_income_and_tax"], by="scenario", baseline=REFERENCE)
    runs = additionality(summary, reference=REFERENCE)
    keep = (summary["scenario"].astype(str) != REFERENCE).to_numpy()
    runs["west_income_and_tax"] = gain["west_income_and_tax"].to_numpy(float)[keep]
    return runs


def best_shares(runs: pd.DataFrame) -> pd.DataFrame:
    """For each compliance and western objective: the share with the highest mean over seeds,
    whether it lies strictly inside the swept range, its gain (mean, 95% CI half-width over seeds)
    over the lowest and the highest share (same seeds), and whether both gains exceed their CI
    half-widths (``clearly_interior``)."""
    rows = []
    for c, d in runs.groupby(BY, sort=True):
        shares = np.sort(d[X].unique())
        for obj in OBJECTIVES:
            by_share = d.pivot_table(index="seed", columns=X, values=obj)
            best = float(by_share.mean().idxmax())
            row = {BY: c, "objective": obj, X: best, "interior": shares[0] < best < shares[-1]}
            for end, name in ((shares[0], "over_lowest"), (shares[-1], "over_highest")):
                diff = (by_share[best] - by_share[end]).dropna().to_numpy(float)
                half = 1.96 * diff.std(ddof=1) / np.sqrt(diff.size) if diff.size > 1 else np.nan
                row[name], row[f"{name}_half"] = float(diff.mean()), float(half)
            # strictly inside and better than both ends beyond the 95% CI of the differences
            row["clearly_interior"] = bool(
                row["interior"]
                and row["over_lowest"] > row["over_lowest_half"]
                and row["over_highest"] > row["over_highest_half"]
            )
            rows.append(row)
    return pd.DataFrame(rows)


def _best_lines(best: pd.DataFrame) -> list[str]:
    lines = []
    for _, r in best.iterrows():
        where = (
            "inside the range, better than both ends"
            if r["clearly_interior"]
            else "inside the range, but not clearly better than an end"
            if r["interior"]
            else "at an end of the range"
        )
        lines.append(
            f"  {labels.name(BY)} {labels.value(BY, r[BY])}: {labels.name(r['objective'])} is "
            f"highest at {labels.name(X).lower()} = {labels.value(X, r[X])} ({where}); "
            f"{fmt(r['over_lowest'])} ± {fmt(r['over_lowest_half'])} over the lowest share, "
            f"{fmt(r['over_highest'])} ± {fmt(r['over_highest_half'])} over the highest"
        )
    return lines


def report(sweep_dir: Path) -> str:
    """tax_share_east × compliance: firms, western retained tax, eastern enclave revenue, jobs;
    the additional and diverted firms and jobs over pairing; the operators' net gain; the share
    best for the west."""
    runs = enclave_runs(load_sweep(sweep_dir))
    runs = runs.sort_values([BY, X])
    table = ci_table(runs, [BY, X], OUTCOMES + SPLIT + ["west_income_and_tax"])
    text = fmt_table(table, [BY, X], OUTCOMES)
    split = fmt_table(table, [BY, X], SPLIT)
    write_table(sweep_dir, "tax_share_sweep", table, f"{text}\n\n{split}")
    best = best_shares(runs)
    write_table(sweep_dir, "tax_share_sweep_best", best, "\n".join(_best_lines(best)))
    fig = plots.response(
        runs,
        X,
        ["additional_firms", "diverted_firms", "west_tax_revenue", "east_enclave_operator_net"]
        + OBJECTIVES,
        BY,
        "Enclave tax sharing: firms brought and diverted, who gains as the eastern share rises",
    )
    paths = plots.save(fig, sweep_dir / "figures" / "tax_share_sweep")
    return (
        "Final year, mean ± 95% CI half-width over seeds:\n"
        f"{text}\n\nOver the same-seed pairing run (additional = firms in the west, local jobs "
        "over pairing; diverted = firms, jobs in enclave parks minus additional):\n"
        f"{split}\n\nBest share for the west (gains: mean ± 95% CI half-width over seeds):\n"
        + "\n".join(_best_lines(best))
        + f"\nFigure: {paths[0]}"
    )
