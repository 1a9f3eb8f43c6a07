"""Policy comparisons that carry parameter uncertainty (the main job's table, README's Outputs).

The main job runs every scenario for the point estimate (``sensitivity.sample=-1``)
and for parameter draws ``0..D-1`` (:func:`sim.params.designs.parameter_draws`), each
with the same seeds. Scenarios share the draw and the seed of each run (common
random numbers), so a scenario's gain over baseline is a paired difference.

Per scenario and metric, :func:`comparison_table` gives the level and the gain
with a seed-only 95 % CI (point estimate), the gain's 95 % interval over draws ×
seeds, ``p_better_than_baseline`` (the direction of the outcome's record in
:mod:`sim.model.metrics`), ``p_above_baseline`` (the gain is positive: for a cost,
the probability it is costlier), ``p_rank_first`` (among the building blocks
:data:`BLOCKS` only; NaN for ``full`` and the baseline) and how much pairing narrows
the CI of the mean gain.

Per yuan (:func:`per_yuan`, :func:`ranking`, :func:`conditional_ranking`): each pair's gains
over public cost, the building blocks ranked on them pair by pair, and how that ranking moves
with each drawn parameter (which assumptions flip it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.paired import SAMPLE, paired_gain
from sim.analysis.stats import mean_ci
from sim.model.metrics import COST, OUTCOMES

INTERVAL = (2.5, 97.5)  # percentiles of the gain over draws × seeds
# The building blocks ranked against each other; ``full`` is their superset and is not ranked.
BLOCKS = ("pairing", "enclave", "labour", "consumption")


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


def ranked_scenarios(scenarios) -> list[str]:
    """The scenarios ranked against each other: the building blocks :data:`BLOCKS` present
    (if none is, every scenario but the baseline)."""
    names = [str(s) for s in dict.fromkeys(scenarios)]
    blocks = [b for b in BLOCKS if b in names]
    return blocks or [s for s in names if s != "baseline"]


def rank_first(
    df: pd.DataFrame,
    metric: str,
    direction: float | None = None,
    among: list[str] | None = None,
) -> pd.Series:
    """Probability over draws × seeds that each scenario of ``among`` (default
    :func:`ranked_scenarios`) is the best of them on ``metric`` (ties share); sums to 1 over
    ``among``. Pairs in which none of them has a value are left out."""
    direction = sign(metric) if direction is None else direction
    among = ranked_scenarios(df["scenario"].astype(str)) if among is None else among
    d = df[df["scenario"].astype(str).isin(among)]
    keys = pair_keys(d) or ["_pair"]
    if keys == ["_pair"]:
        d = d.assign(_pair=d.groupby("scenario", observed=True).cumcount())
    wide = d.assign(scenario=d["scenario"].astype(str)).pivot_table(
        index=keys, columns="scenario", values=metric, observed=True, dropna=False
    )
    wide = (wide * direction).dropna(how="all")
    if wide.empty:
        return pd.Series(np.nan, index=among)
    best = wide.eq(wide.max(axis=1), axis=0).astype(float)
    return (best.div(best.sum(axis=1), axis=0)).mean().reindex(among)


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
    among = ranked_scenarios(summary["scenario"].astype(str))
    for m in metrics:
        first = rank_first(draws, m, signs[m], among)
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


# ---------------------------------------------------------------- per yuan
PER_MILLION = 1e6
PER_YUAN = {
    "jobs_per_million_yuan": "local jobs gained per million public yuan/year",
    "income_per_public_yuan": "household income gained per public yuan, over the window",
}
# each per-yuan measure: (gain, public cost it is divided by, scale)
PER_YUAN_PARTS = {
    "jobs_per_million_yuan": ("west_jobs_local", "public_programme_cost", PER_MILLION),
    "income_per_public_yuan": ("income_cum", "public_cost_cum", 1.0),
}


def per_yuan(summary: pd.DataFrame, window: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per non-baseline run (scenario, draw, seed): its gains over the baseline twin per
    public yuan. ``jobs_per_million_yuan``: local (park and workshop) jobs gained in the final
    quarter per million yuan/year of public cost gained (``public_programme_cost``);
    ``income_per_public_yuan``: household income gained over the window per public yuan gained
    over it (``income_cum`` over ``public_cost_cum`` of ``window``, one row per run). NaN where
    the public cost gained is not positive."""
    keys = [c for c in ("scenario", *pair_keys(summary)) if c in summary]
    runs = summary[[*keys, "west_jobs_local", "public_programme_cost"]]
    if window is not None and {"income_cum", "public_cost_cum"} <= set(window):
        runs = runs.merge(window[[*keys, "income_cum", "public_cost_cum"]], on=keys, how="left")
    metrics = [c for c in runs if c not in keys]
    g = paired_gains(runs, metrics)
    g = g[g["scenario"].astype(str) != "baseline"].copy()
    for name, (num, den, scale) in PER_YUAN_PARTS.items():
        g[name] = g[num] / g[den].where(g[den] > 0) * scale if den in g else np.nan
    g["scenario"] = g["scenario"].astype(str)
    return g.reset_index(drop=True)


def per_yuan_columns(ratios: pd.DataFrame) -> pd.DataFrame:
    """Per scenario: each per-yuan measure as the ratio of the mean gains (central value, as the
    cost per job), its :data:`INTERVAL` over the pairs (``_lo``, ``_hi``), public cost per job
    with its interval (the reciprocal of jobs per yuan: NaN where that interval reaches zero)
    and ``p_first_<measure>`` (P(rank first) among the building blocks, NaN for the others)."""
    out = {}
    among = ranked_scenarios(ratios["scenario"])
    for name, (num, den, scale) in PER_YUAN_PARTS.items():
        if den not in ratios:
            continue
        per_run = ratios.groupby("scenario", sort=False)
        means = per_run[[num, den]].mean()
        central = means[num] / means[den].where(means[den] > 0) * scale
        lo = per_run[name].quantile(INTERVAL[0] / 100)
        hi = per_run[name].quantile(INTERVAL[1] / 100)
        first = rank_first(ratios, name, 1.0, among)
        out[name] = central
        out[f"{name}_lo"] = lo
        out[f"{name}_hi"] = hi
        out[f"p_first_{name}"] = first.reindex(central.index)
    t = pd.DataFrame(out)
    if "jobs_per_million_yuan" in t:
        t["public_cost_per_job_lo"] = (PER_MILLION / t["jobs_per_million_yuan_hi"]).where(
            t["jobs_per_million_yuan_lo"] > 0
        )
        t["public_cost_per_job_hi"] = (PER_MILLION / t["jobs_per_million_yuan_lo"]).where(
            t["jobs_per_million_yuan_lo"] > 0
        )
    return t


def ranking(ratios: pd.DataFrame, among: list[str] | None = None) -> pd.DataFrame:
    """Tidy: per per-yuan measure and building block, ``p_rank_first`` (share of the pairs in
    which it is the best of ``among`` per yuan; ties share; sums to 1 over ``among``),
    ``mean_rank`` (1 = best), ``p_rank_last`` and ``pairs``. ``full`` and the baseline are not
    ranked: ``full`` is the blocks' superset, the baseline costs nothing extra."""
    among = ranked_scenarios(ratios["scenario"]) if among is None else among
    d = ratios[ratios["scenario"].isin(among)]
    rows = []
    for name in PER_YUAN:
        if name not in d or d[name].isna().all():
            continue
        wide = d.pivot_table(
            index=pair_keys(d), columns="scenario", values=name, dropna=False
        ).dropna(how="all")
        ranks = wide.rank(axis=1, ascending=False, method="average")
        first = rank_first(d, name, 1.0, among)
        last = rank_first(d, name, -1.0, among)
        for s in among:
            rows.append(
                {
                    "measure": name,
                    "scenario": s,
                    "p_rank_first": float(first.get(s, np.nan)),
                    "mean_rank": float(ranks[s].mean()) if s in ranks else np.nan,
                    "p_rank_last": float(last.get(s, np.nan)),
                    "pairs": int(wide[s].notna().sum()) if s in wide else 0,
                }
            )
    return pd.DataFrame(rows)


def conditional_ranking(
    ratios: pd.DataFrame, params: pd.DataFrame, among: list[str] | None = None
) -> pd.DataFrame:
    """Which assumptions flip the ranking. ``params``: one row per draw (index: the draw's
    ``sensitivity.sample``), one column per drawn parameter. For each parameter and per-yuan
    measure, the draws are split at the parameter's median into a lower and an upper half and
    P(rank first) is computed in each (over their draws × seeds). One row per parameter and
    measure: the block first overall, in each half and with what probability, the half's range
    of the parameter, ``shift`` (the largest change in any block's P(rank first) between the
    halves) and ``flips`` (the first-ranked block differs between the halves). Largest shift
    first."""
    among = ranked_scenarios(ratios["scenario"]) if among is None else among
    rows = []
    draws = ratios[ratios[SAMPLE] >= 0] if SAMPLE in ratios else ratios.iloc[:0]
    for name in PER_YUAN:
        if name not in draws or draws[name].isna().all():
            continue
        overall = rank_first(draws, name, 1.0, among)
        for key in params.columns:
            v = params[key].astype(float)
            if v.nunique() < 2:
                continue
            order = v.rank(method="first")
            low = v.index[order <= len(v) / 2]
            halves = {"low": low, "high": v.index.difference(low)}
            p = {
                h: rank_first(draws[draws[SAMPLE].isin(idx)], name, 1.0, among)
                for h, idx in halves.items()
            }
            rows.append(
                {
                    "measure": name,
                    "parameter": key,
                    "first_overall": overall.idxmax(),
                    "p_first_overall": float(overall.max()),
                    "low_range": f"{v[halves['low']].min():.4g}–{v[halves['low']].max():.4g}",
                    "first_low": p["low"].idxmax(),
                    "p_first_low": float(p["low"].max()),
                    "high_range": f"{v[halves['high']].min():.4g}–{v[halves['high']].max():.4g}",
                    "first_high": p["high"].idxmax(),
                    "p_first_high": float(p["high"].max()),
                    "shift": float((p["high"] - p["low"]).abs().max()),
                    "flips": bool(p["low"].idxmax() != p["high"].idxmax()),
                }
            )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    order = out["measure"].map(list(PER_YUAN).index)
    return (
        out.assign(_m=order)
        .sort_values(["_m", "shift"], ascending=[True, False])
        .drop(columns="_m")
        .reset_index(drop=True)
    )
