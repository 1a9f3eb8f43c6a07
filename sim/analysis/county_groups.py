"""For whom: gains by group of western counties, and the counties that lose.

Groups (:data:`GROUPS`) are read from the county attributes of ``regions.parquet``
(``sim.model.metrics.REGION_ATTRIBUTES`` and the ``paired``/``key_county`` flags): start-income
quintile, national key counties against the others, paired against unpaired, municipal
districts (市辖区) against rural counties. A county's group is that of its baseline twin (the
baseline run with the same draw and seed), so a scenario and its twin always compare the same
counties.

Every gain is the paired gain (:func:`sim.analysis.paired.paired_gain`) of a run over its
baseline twin, per group summed (jobs, income) or divided by the group's persons (per capita)
before pairing; central value the mean over the pairs, interval the percentiles
:data:`sim.analysis.uncertainty.INTERVAL` of the pairs' gains
(:func:`sim.analysis.uncertainty.gain_intervals`), as in the main table.
"""

from __future__ import annotations

import pandas as pd

from sim.analysis import uncertainty
from sim.analysis.paired import paired_gain

ALL = "all"
# attribute column -> {value: label}, in the order the tables show them
GROUPS: tuple[tuple[str, dict], ...] = (
    (ALL, {True: "All western counties"}),
    (
        "income_quintile",
        {q: f"Income Q{q}" + {1: " (poorest)", 5: " (richest)"}.get(q, "") for q in range(1, 6)},
    ),
    ("key_county", {1.0: "Key counties", 0.0: "Other counties"}),
    ("paired", {1.0: "Paired counties", 0.0: "Unpaired counties"}),
    ("urban_district", {True: "Urban districts", False: "Rural counties"}),
)
# per group and run: name -> (unit, meaning)
GROUP_METRICS: dict[str, tuple[str, str]] = {
    "jobs_local": ("persons", "local (park and workshop) jobs, summed over the group"),
    "jobs_per_1000": ("per 1,000 persons", "local jobs per 1,000 persons of working_age"),
    "income_total": ("yuan/year", "household income, summed over the group"),
    "income_per_capita": (
        "yuan/year",
        "household income over the group's residents (the persons income_per_capita is per)",
    ),
}
COUNTY_METRICS = ("income_per_capita", "jobs_local")
# county facts the county table carries (from the baseline twin), when the sweep has them
FACTS = (
    "prefecture",
    "code",
    "county_zh",
    "population",
    "paired",
    "key_county",
    "urban_district",
    "income_quintile",
    "income_start",
)


def _west(regions: pd.DataFrame) -> pd.DataFrame:
    west = regions[regions["side"].astype(str) == "west"].copy()
    west["county"] = west["county"].astype(str)
    return west


def _twin_groups(west: pd.DataFrame, by: str, baseline: str) -> pd.DataFrame:
    """``west`` with every group attribute taken from the baseline run of the same draw and seed."""
    cols = [c for c, _ in GROUPS if c in west]
    is_base = west[by].astype(str) == baseline
    if not cols or not is_base.any():
        return west
    keys = [*uncertainty.pair_keys(west), "county"]
    base = west.loc[is_base, [*keys, *cols]]
    return west.drop(columns=cols).merge(base, on=keys, how="left")


def _member(values: pd.Series, value) -> pd.Series:
    return (values == value).fillna(False).astype(bool)


def group_totals(regions: pd.DataFrame, by: str = "scenario", baseline: str = "baseline"):
    """One row per run and county group: counties, population, working_age, residents, jobs_local,
    income_total, jobs_per_1000 and income_per_capita (:data:`GROUP_METRICS`), with ``column``
    (the attribute) and ``group`` (its label)."""
    west = _twin_groups(_west(regions), by, baseline)
    west["income_total"] = west["income_per_capita"] * west["residents"]
    run = [by, *uncertainty.pair_keys(west)]
    summed = ["population", "working_age", "residents", "jobs_local", "income_total"]
    frames = []
    for col, labels in GROUPS:
        if col != ALL and (col not in west or west[col].nunique() < 2):
            continue  # no such attribute, or no contrast (a geography without key counties)
        for value, label in labels.items():
            rows = west if col == ALL else west[_member(west[col], value)]
            if len(rows):
                frames.append(rows[[*run, *summed]].assign(column=col, group=label))
    long = pd.concat(frames, ignore_index=True)
    totals = long.groupby([*run, "column", "group"], observed=True, sort=False)[summed].sum()
    totals["counties"] = long.groupby([*run, "column", "group"], observed=True, sort=False).size()
    totals["jobs_per_1000"] = 1000.0 * totals["jobs_local"] / totals["working_age"]
    totals["income_per_capita"] = totals["income_total"] / totals["residents"]
    return totals.reset_index()


def group_gains(
    regions: pd.DataFrame, by: str = "scenario", baseline: str = "baseline"
) -> pd.DataFrame:
    """Tidy: per scenario, county group and metric of :data:`GROUP_METRICS`, the gain over the
    baseline twin with its interval (:func:`sim.analysis.uncertainty.gain_intervals`), and the
    group's counties and population (in the baseline). Runs: those with parameter draws (the
    point estimate's if there are none)."""
    totals = group_totals(uncertainty.over_draws(regions), by, baseline)
    metrics = list(GROUP_METRICS)
    keys = [*uncertainty.pair_keys(totals), "column", "group"]
    gains = paired_gain(totals, metrics, on=keys, by=by, baseline=baseline)
    gains = gains[gains[by].astype(str) != baseline]
    out = uncertainty.gain_intervals(gains, [by, "column", "group"], metrics)
    base = totals[totals[by].astype(str) == baseline]
    size = base.groupby("group", sort=False)[["counties", "population"]].median()
    out[by] = out[by].astype(str)
    return out.merge(size, left_on="group", right_index=True, how="left")


def by_group(gains: pd.DataFrame, metrics) -> tuple[list[str], dict[str, pd.DataFrame]]:
    """One scenario's (or run's) rows of :func:`group_gains`: its groups in the order they come
    (that of :data:`GROUPS`) and, per metric of ``metrics``, its rows indexed by group in that
    order."""
    order = list(dict.fromkeys(gains["group"]))
    return order, {
        m: gains[gains["metric"] == m].set_index("group").reindex(order) for m in metrics
    }


def county_gains(
    regions: pd.DataFrame,
    by: str = "scenario",
    baseline: str = "baseline",
    metrics: tuple[str, ...] = COUNTY_METRICS,
) -> pd.DataFrame:
    """Per scenario and western county: each metric's mean paired gain (column named as the
    metric) with ``<metric>_lo``/``_hi`` (interval) and ``<metric>_p_loss`` (share of pairs in
    which the county loses), and the county's facts (:data:`FACTS`, of its baseline twin)."""
    west = _west(uncertainty.over_draws(regions))
    keys = [*uncertainty.pair_keys(west), "county"]
    gains = paired_gain(west, list(metrics), on=keys, by=by, baseline=baseline)
    gains = gains[gains[by].astype(str) != baseline]
    t = uncertainty.gain_intervals(gains, [by, "county"], list(metrics))
    wide = t.pivot_table(
        index=[by, "county"],
        columns="metric",
        values=["gain", "gain_lo", "gain_hi", "p_loss"],
        observed=True,
        sort=False,
    )
    out = pd.DataFrame(index=wide.index)
    for m in metrics:
        out[m] = wide[("gain", m)]
        out[f"{m}_lo"] = wide[("gain_lo", m)]
        out[f"{m}_hi"] = wide[("gain_hi", m)]
        out[f"{m}_p_loss"] = wide[("p_loss", m)]
    out = out.reset_index()
    out[by] = out[by].astype(str)
    base = west[west[by].astype(str) == baseline]
    facts = base.drop_duplicates("county")[["county", *[f for f in FACTS if f in base]]]
    return out.merge(facts, on="county", how="left")


def losing_counties(
    table: pd.DataFrame,
    metric: str = "income_per_capita",
    by: str = "scenario",
    tolerance: float = 0.5,
) -> pd.DataFrame:
    """The rows of a :func:`county_gains` table whose mean gain in ``metric`` is below
    ``-tolerance`` (default half a unit, a yuan or a person: no rounding noise), largest loss
    first within each scenario."""
    lose = table[table[metric] < -tolerance]
    return lose.sort_values([by, metric], kind="stable").reset_index(drop=True)
