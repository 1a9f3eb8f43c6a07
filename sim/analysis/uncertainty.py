"""Policy comparisons that carry parameter uncertainty (the main job's table, README's Outputs).

The main job runs every scenario for the point estimate (``sensitivity.sample=-1``)
and for parameter draws ``0..D-1`` (:func:`sim.params.designs.parameter_draws`), each
with the same seeds. Scenarios share the draw and the seed of each run (common
random numbers), so a scenario's gain over baseline is a paired difference.

Per scenario and metric, :func:`comparison_table` gives the level and the gain
with a seed-only 95 % CI (point estimate), the gain's 95 % interval over draws ×
seeds, ``p_better_than_baseline`` (the direction of the outcome's record in
:mod:`sim.model.metrics`), ``p_above_baseline`` (the gain is positive: for a cost,
the probability it is costlier), ``p_rank_first`` and how much pairing narrows
the CI of the mean gain.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.paired import SAMPLE, paired_gain
from sim.analysis.stats import mean_ci
from sim.model.metrics import COST, OUTCOMES

INTERVAL = (2.5, 97.5)  # percentiles of the gain over draws × seeds


def sign(metric: str) -> float:
    """+1 if more is better, -1 if less is better (the outcome's record), NaN if neither."""
    return OUTCOMES[metric].sign if metric in OUTCOMES else float("nan")


def is_cost(metric: str) -> bool:
    return metric in OUTCOMES and OUTCOMES[metric].better == COST


def point_estimate(df: pd.DataFrame) -> pd.DataFrame:
    """The runs at the point estimate (all runs of a sweep without parameter draws)."""
    if SAMPLE not in df or not (df[SAMPLE] < 0).any():
        return df
    return df[df[SAMPLE] < 0]


def over_draws(df: pd.DataFrame) -> pd.DataFrame:
    """The runs with parameter draws (the point-estimate runs if there are none)."""
    if SAMPLE not in df or not (df[SAMPLE] >= 0).any():
        return point_estimate(df)
    return df[df[SAMPLE] >= 0]


def pair_keys(df: pd.DataFrame) -> list[str]:
    """The columns that pair a run with its baseline twin: its draw and its seed."""
    return [c for c in (SAMPLE, "seed") if c in df]


def paired_gains(df: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """Each run's metrics minus the baseline run with the same draw and seed."""
    return paired_gain(df, metrics, on=pair_keys(df))


def rank_first(df: pd.DataFrame, metric: str, direction: float | None = None) -> pd.Series:
    """Probability over draws × seeds that each scenario is the best on ``metric`` (ties share)."""
    direction = sign(metric) if direction is None else direction
    wide = (
        df.pivot_table(index=pair_keys(df), columns="scenario", values=metric, observed=True)
        * direction
    )
    best = wide.eq(wide.max(axis=1), axis=0).astype(float)
    return (best.div(best.sum(axis=1), axis=0)).mean()


def _ci_width(x: np.ndarray) -> float:
    _, lo, hi = mean_ci(x)
    return hi - lo


def _unpaired_ci_width(a: np.ndarray, b: np.ndarray) -> float:
    """Welch 95 % CI width of mean(a) - mean(b) as if the runs were independent."""
    from scipy import stats

    va, vb = np.var(a, ddof=1) / a.size, np.var(b, ddof=1) / b.size
    se = np.sqrt(va + vb)
    if se == 0:
        return 0.0
    dof = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    return float(2 * stats.t.ppf(0.975, dof) * se)


def comparison_table(
    summary: pd.DataFrame, metrics: list[str], signs: dict[str, float] | None = None
) -> pd.DataFrame:
    """Tidy: one row per scenario and metric (columns in the module docstring). ``signs``: +1/-1
    for metrics that have no outcome record (derived quantities such as cumulative costs)."""
    signs = {m: (signs or {}).get(m, sign(m)) for m in metrics}
    point, draws = point_estimate(summary), over_draws(summary)
    has_base = "baseline" in set(summary["scenario"].astype(str))
    gains_pt = paired_gains(point, metrics) if has_base else None
    gains = paired_gains(draws, metrics) if has_base else None
    rows = []
    for m in metrics:
        first = rank_first(draws, m, signs[m])
        base_draws = draws.loc[draws["scenario"].astype(str) == "baseline", m].to_numpy(float)
        for s, g in point.groupby("scenario", observed=True, sort=True):
            level, lo, hi = mean_ci(g[m].to_numpy(float))
            row = {
                "scenario": str(s),
                "metric": m,
                "runs_point": len(g),
                "mean": level,
                "lo": lo,
                "hi": hi,
                "p_rank_first": float(first.get(s, np.nan)),
            }
            if has_base:
                row.update(_gain_columns(str(s), m, gains_pt, gains, draws, base_draws, signs[m]))
            rows.append(row)
    return pd.DataFrame(rows)


def _gain_columns(s: str, m: str, gains_pt, gains, draws, base_draws, direction: float) -> dict:
    gp = gains_pt.loc[gains_pt["scenario"].astype(str) == s, m].to_numpy(float)
    gd = gains.loc[gains["scenario"].astype(str) == s, m].to_numpy(float)
    mean_pt, lo_pt, hi_pt = mean_ci(gp)
    out = {
        "gain_point": mean_pt,
        "gain_point_lo": lo_pt,
        "gain_point_hi": hi_pt,
        "runs_draws": gd.size,
        "gain": float(gd.mean()),
        "gain_lo": float(np.percentile(gd, INTERVAL[0])),
        "gain_hi": float(np.percentile(gd, INTERVAL[1])),
    }
    if s == "baseline":
        return {
            **out,
            "p_better_than_baseline": np.nan,
            "p_above_baseline": np.nan,
            "paired_ci_width": np.nan,
            "unpaired_ci_width": np.nan,
        }
    level = draws.loc[draws["scenario"].astype(str) == s, m].to_numpy(float)
    better = float(np.mean(gd * direction > 0)) if np.isfinite(direction) else np.nan
    return {
        **out,
        "p_better_than_baseline": better,
        "p_above_baseline": float(np.mean(gd > 0)),
        "paired_ci_width": _ci_width(gd),
        "unpaired_ci_width": _unpaired_ci_width(level, base_draws),
    }


def narrowing(table: pd.DataFrame) -> pd.Series:
    """Unpaired over paired CI width of the mean gain, per metric (median over scenarios)."""
    t = table.dropna(subset=["paired_ci_width"])
    ratio = t["unpaired_ci_width"] / t["paired_ci_width"].where(t["paired_ci_width"] > 0)
    return ratio.groupby(t["metric"], sort=False).median()


def gain_intervals(gains: pd.DataFrame, by: list[str], metrics: list[str]) -> pd.DataFrame:
    """Per group ``by`` of paired gains (one row per pair, from :func:`paired_gain`), per metric:
    ``gain`` (the mean over the pairs), ``gain_lo``/``gain_hi`` (their :data:`INTERVAL`
    percentiles), ``p_gain``/``p_loss`` (share of pairs above/below zero) and ``pairs``.
    Tidy: one row per group and metric."""
    long = gains.melt(id_vars=by, value_vars=metrics, var_name="metric", value_name="v")
    long = long.dropna(subset=["v"]).assign(
        above=lambda d: (d["v"] > 0).astype(float), below=lambda d: (d["v"] < 0).astype(float)
    )
    g = long.groupby([*by, "metric"], observed=True, sort=False)
    out = pd.DataFrame(
        {
            "gain": g["v"].mean(),
            "gain_lo": g["v"].quantile(INTERVAL[0] / 100),
            "gain_hi": g["v"].quantile(INTERVAL[1] / 100),
            "p_gain": g["above"].mean(),
            "p_loss": g["below"].mean(),
            "pairs": g.size(),
        }
    )
    return out.reset_index()
