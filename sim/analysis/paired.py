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
