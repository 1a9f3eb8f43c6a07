"""Confidence intervals over seeds."""

from __future__ import annotations

import numpy as np


def mean_ci(values, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval of the mean (NaN-free input)."""
    from scipy import stats

    x = np.asarray(values, float)
    m = float(x.mean()) if x.size else float("nan")
    if x.size < 2:
        return m, m, m
    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return m, m - half, m + half


def ci_table(df, by: list[str] | str, metrics: list[str], level: float = 0.95):
    """Mean, CI low and high of each metric by group, as a tidy DataFrame."""
    import pandas as pd

    rows = []
    for key, g in df.groupby(by, sort=False):
        row = dict(zip([by] if isinstance(by, str) else by, key if isinstance(key, tuple) else (key,), strict=True))
        row["runs"] = len(g)
        for m in metrics:
            mean, lo, hi = mean_ci(g[m].to_numpy(), level)
            row[f"{m}"], row[f"{m}_lo"], row[f"{m}_hi"] = mean, lo, hi
        rows.append(row)
    return pd.DataFrame(rows)
