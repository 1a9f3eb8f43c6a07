"""The paired comparison: each run minus the baseline run with the same draw and seed.

Scenarios of a sweep share the parameter draw (``sensitivity.sample``) and the seed of
each run (common random numbers), so a scenario's gain over the baseline is measured
run by run. Every study, the uncertainty table, the dashboard and the channel study
use this one function, so "the gain" means one thing everywhere.
"""

from __future__ import annotations

import pandas as pd

SAMPLE = "sensitivity.sample"
# columns that identify a run's twin in the baseline, when present
PAIR_KEYS = (SAMPLE, "seed", "step", "county")


def pair_keys(df: pd.DataFrame, extra: tuple[str, ...] = ()) -> list[str]:
    """The columns of ``df`` that pair a run with its baseline twin (draw, seed, step, county)."""
    return [c for c in (*PAIR_KEYS, *extra) if c in df.columns]


def paired_gain(
    df: pd.DataFrame,
    metrics: list[str],
    on: list[str] | None = None,
    by: str = "scenario",
    baseline: str = "baseline",
) -> pd.DataFrame:
    """``df`` with ``metrics`` replaced by their difference from the ``baseline`` row of ``by``
    that has the same values of ``on`` (default :func:`pair_keys`). Rows without a twin get NaN;
    the baseline's own rows become 0."""
    on = pair_keys(df) if on is None else list(on)
    is_base = df[by].astype(str) == baseline
    base = df[is_base].set_index(on)[metrics]
    if base.index.has_duplicates:
        raise ValueError(f"the baseline has several rows per {on}: the pairing is ambiguous")
    out = df.set_index(on)
    out[metrics] = out[metrics].to_numpy(float) - base.reindex(out.index).to_numpy(float)
    return out.reset_index()


# The enclave's firms and jobs split into what pairing alone would not have brought
# (additional) and what moved in from elsewhere in the west (diverted); name -> (unit, meaning)
ADDITIONALITY: dict[str, tuple[str, str]] = {
    "additional_firms": (
        "firms",
        "firms in western parks over the same-seed run of the reference scenario",
    ),
    "diverted_firms": (
        "firms",
        "firms in enclave parks that are not additional: they would be in western parks anyway "
        "(these parks run locally, or others)",
    ),
    "additional_jobs": (
        "persons",
        "western local jobs over the same-seed run of the reference scenario",
    ),
    "diverted_jobs": (
        "jobs",
        "jobs of enclave-park plants that are not additional local jobs",
    ),
}


def additionality(
    df: pd.DataFrame, reference: str = "pairing", by: str = "scenario"
) -> pd.DataFrame:
    """The rows of ``df`` other than the ``reference`` scenario's, with the columns of
    :data:`ADDITIONALITY` (aggregate definition): additional = firms in the west (local jobs)
    minus those of the reference run with the same draw and seed (:func:`paired_gain`); diverted =
    firms in enclave parks (jobs of their plants) minus additional."""
    levels = ["firms_in_west", "west_jobs_local"]
    gain = paired_gain(df, levels, by=by, baseline=reference)  # row for row of df
    keep = (df[by].astype(str) != reference).to_numpy()
    out = df[keep].copy()
    out["additional_firms"] = gain["firms_in_west"].to_numpy(float)[keep]
    out["additional_jobs"] = gain["west_jobs_local"].to_numpy(float)[keep]
    out["diverted_firms"] = out["firms_in_enclave_parks"] - out["additional_firms"]
    out["diverted_jobs"] = out["enclave_park_jobs"] - out["additional_jobs"]
    return out
