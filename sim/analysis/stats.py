"""Confidence intervals over seeds."""

from __future__ import annotations

import numpy as np


def mean_ci(values, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval of the mean (``scipy.stats.t.interval``); NaNs are
    dropped."""
    from scipy import stats

    x = np.asarray(values, float)
    x = x[~np.isnan(x)]
    m = float(x.mean()) if x.size else float("nan")
    sem = float(stats.sem(x)) if x.size >= 2 else 0.0
    if sem == 0.0:
        return m, m, m
    lo, hi = stats.t.interval(level, x.size - 1, loc=m, scale=sem)
    return m, float(lo), float(hi)


def ci_table(df, by: list[str] | str, metrics: list[str], level: float = 0.95):
    """Mean, CI low and high of each metric by group, as a tidy DataFrame."""
    import pandas as pd

    rows = []
    for key, g in df.groupby(by, sort=False):
        row = dict(
            zip(
                [by] if isinstance(by, str) else by,
                key if isinstance(key, tuple) else (key,),
                strict=True,
            )
        )
        row["runs"] = len(g)
        for m in metrics:
            mean, lo, hi = mean_ci(g[m].to_numpy(), level)
            row[f"{m}"], row[f"{m}_lo"], row[f"{m}_hi"] = mean, lo, hi
        rows.append(row)
    return pd.DataFrame(rows)


def fmt(v: float) -> str:
    """A number for a table: bn/m for money-sized values, thousands separators, 3 significant
    digits."""
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:,.2f}bn"
    if a >= 1e6:
        return f"{v / 1e6:,.1f}m"
    if a >= 100:
        return f"{v:,.0f}"
    return f"{v:.3g}"
