"""The dashboard's two figures: time paths against the baseline, and the county map.

Plain matplotlib ``Figure`` objects (no pyplot state, so each browser session
draws in its own thread); the page shows them as images, so no chart library
has to be fetched by the browser.
"""

from __future__ import annotations

import textwrap

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from sim.dashboard.view import HEADLINE_METRICS, PATH_METRICS, Comparison
from sim.model.metrics import METRICS, REGION_METRICS
from sim.report.figures import degree_aspect, label_counties, outline_units, signed_scale
from sim.world import boundaries

COLOURS = {"scenario": "#c0392b", "baseline": "#555555"}
GAIN_CMAP = matplotlib.colormaps["RdBu"].with_extremes(bad="#eeeeee")


def magnitude(unit: str, values) -> tuple[float, str]:
    """Divisor and word for yuan amounts (bn, m) so axes and tables need no 1e9 offsets."""
    top = float(np.nanmax(np.abs(np.asarray(values, float)))) if len(values) else 0.0
    if unit.startswith("yuan") and top >= 1e9:
        return 1e9, "bn "
    if unit.startswith("yuan") and top >= 1e6:
        return 1e6, "m "
    return 1.0, ""


def human(value: float, unit: str, signed: bool = False) -> str:
    """A number for people: ``6.84 bn yuan/year``, ``22.7 m yuan/year``, ``52,366 persons``,
    ``12.3%`` (a gain in a share: ``+0.4 pp``)."""
    if not np.isfinite(value):
        return "n/a"
    sign = "+" if signed else ""
    if unit == "share":
        return f"{100 * value:{sign},.1f} pp" if signed else f"{100 * value:,.1f}%"
    div, word = magnitude(unit, [value])
    v = value / div
    number = f"{v:{sign},.0f}" if div == 1 and abs(v) >= 100 else f"{v:{sign},.3g}"
    if div == 1 and abs(v) >= 1000:
        number = f"{v:{sign},.0f}"
    return f"{number} {word}{unit}".strip()


def display_unit(unit: str) -> tuple[float, str]:
    """Scale and unit shown for a metric: shares as percent, the rest as they are."""
    if unit == "share":
        return 100.0, "%"
    return 1.0, unit


def heading(meaning: str, width: int = 200) -> str:
    """A metric's meaning as a title: capitalised, wrapped at ``width`` characters."""
    return textwrap.fill(meaning[0].upper() + meaning[1:], width)


def _calendar(paths: pd.DataFrame) -> pd.Series:
    """Fractional year of each step (2021.0, 2021.25, ...): bands are over seeds at one step."""
    first = paths.groupby("year")["step"].transform("min")
    per_year = paths.groupby("year")["step"].transform("nunique")
    return paths["year"] + (paths["step"] - first) / per_year


def paths_figure(comp: Comparison) -> Figure:
    """Jobs, income and costs over time: the view's scenario against the same-seed baseline.

    Lines are means over the seeds at each step; bands the range over the seeds at that step.
    """
    fig = Figure(figsize=(11, 6.4), layout="constrained")
    axes = fig.subplots(2, 2, sharex=True).ravel()
    n = len(comp.seeds)
    paths = comp.paths.assign(t=_calendar(comp.paths))
    for ax, metric in zip(axes, PATH_METRICS, strict=True):
        unit, meaning = METRICS[metric]
        scale, shown = display_unit(unit)
        div, word = magnitude(unit, paths[metric].to_numpy(float))
        for run, label in (("baseline", "baseline"), ("scenario", comp.view.scenario)):
            df = paths[paths["run"] == run]
            by_step = df.groupby("t")[metric]
            k = scale / div
            mean, lo, hi = by_step.mean() * k, by_step.min() * k, by_step.max() * k
            ax.plot(
                mean.index,
                mean.values,
                color=COLOURS[run],
                lw=2,
                ls="--" if run == "baseline" else "-",
                label=f"{label} (mean of {n} seeds)",
            )
            if n > 1:
                ax.fill_between(
                    mean.index,
                    lo.values,
                    hi.values,
                    color=COLOURS[run],
                    alpha=0.25,
                    lw=0,
                    label=f"{label}: lowest to highest seed, each quarter",
                )
        ax.set_title(heading(meaning, 60), fontsize=10, loc="left")
        ax.set_ylabel(f"{word}{shown}")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.10g}"))
        ax.grid(alpha=0.3)
    for ax in axes[2:]:
        ax.set_xlabel("year")
    axes[0].legend(fontsize=8, loc="best")
    fig.suptitle(
        textwrap.fill(
            f"{comp.view.scenario} against baseline, {comp.view.geography} "
            f"(same seeds: {', '.join(map(str, comp.seeds))})",
            110,
        ),
        fontsize=11,
    )
    return fig


def map_figure(comp: Comparison, metric: str) -> Figure:
    """Western counties filled by the final-year gain over baseline in ``metric`` (a scale
    symmetric about zero, printed on the colour bar), the province's edge, the counties that
    gain most and least named, a dot at each county seat."""
    unit, meaning = REGION_METRICS[metric]
    scale, shown = display_unit(unit)
    df = comp.counties
    gain = df[metric].to_numpy(float) * scale
    div, word = magnitude(unit, gain)
    gain = gain / div
    shown = f"{word}{'percentage points' if shown == '%' else shown}"
    fig = Figure(figsize=(7.5, 6.6), layout="constrained")
    ax = fig.subplots()
    span, _ = signed_scale(gain)
    norm = TwoSlopeNorm(0.0, -span, span)
    drawn = outline_units(
        ax,
        boundaries.load(comp.view.geography),
        df["code"],
        gain,
        GAIN_CMAP,
        norm,
        names=df["county"],
    )
    points = ax.scatter(
        df["lon"],
        df["lat"],
        c=gain,
        s=10 if drawn else 40,
        cmap=GAIN_CMAP,
        norm=norm,
        edgecolors="#333333",
        linewidths=0.4,
        zorder=3,
    )
    fig.colorbar(
        ax.collections[0] if drawn else points,
        ax=ax,
        shrink=0.8,
        label=f"gain over baseline ({shown}); blue: gain, red: loss",
    )
    degree_aspect(ax, df["lat"])
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.grid(alpha=0.3)
    year = int(comp.paths["year"].max())
    what = meaning.removeprefix("west: ")
    fig.suptitle(
        textwrap.fill(f"Gain by western county, {year}: {what}", 64)  # fits a narrow province
        + f"\n(mean over {len(comp.seeds)} seeds; named: most and least gain)",
        fontsize=10,
    )
    fig.draw_without_rendering()  # labels are placed against the final layout
    label_counties(ax, df, gain, n=3)
    return fig


def map_label(metric: str) -> str:
    """A per-county outcome in words with its unit: 'per-capita disposable income of residents
    (yuan/year)'."""
    unit, meaning = REGION_METRICS[metric]
    return f"{meaning.removeprefix('west: ')} ({'percentage points' if unit == 'share' else unit})"


def map_caption(comp: Comparison, metric: str) -> str:
    """What the map draws, in numbers: how many county outlines (or seats) and the range of
    gains."""
    unit, _ = REGION_METRICS[metric]
    gain = comp.counties[metric].to_numpy(float)
    outlines = boundaries.load(comp.view.geography)
    n = (
        len(set(outlines.rings(comp.counties["code"], comp.counties["county"])[1]))
        if outlines
        else 0
    )
    drawn = (
        f"{n} county outlines drawn ({outlines.credit}; sim/world/BOUNDARIES-LICENSE.txt)"
        if n
        else f"{len(gain)} western county seats drawn (no county outlines for this geography)"
    )
    return f"{drawn}; gain from {human(gain.min(), unit, True)} to {human(gain.max(), unit, True)}"


def gain_table(comp: Comparison, metric: str, n: int = 5) -> pd.DataFrame:
    """The counties with the lowest and the highest gain in ``metric``."""
    unit, _ = REGION_METRICS[metric]
    df = comp.counties.sort_values(metric, kind="stable")
    parts = [df.head(n).assign(rank="lowest"), df.tail(n).iloc[::-1].assign(rank="highest")]
    out = pd.concat(parts)[["rank", "county", "prefecture", metric]]
    out[metric] = out[metric].map(lambda g: human(g, unit, signed=True))
    return out.rename(columns={metric: "gain over baseline"})


# Headline rows whose meaning, cut at its first colon, would drop what sets them apart.
HEADLINE_NAMES = {"public_programme_cost": "Public cost of all channels, aid counted once"}


def headline(comp: Comparison) -> pd.DataFrame:
    """Final-year jobs, income and costs (western, eastern and public with aid counted once, as in
    the report's cost table): the scenario, the baseline and the gain (scenario minus the baseline
    with the same seeds), means over seeds."""
    rows = []
    for metric in HEADLINE_METRICS:
        unit, meaning = METRICS[metric]
        s, b = comp.final["scenario"][metric], comp.final["baseline"][metric]
        name = HEADLINE_NAMES.get(metric) or heading(meaning.split(" (")[0].split(":")[0])
        rows.append(
            {
                "final year": name,
                comp.view.scenario: human(s, unit),
                "baseline": human(b, unit),
                "gain (same seeds)": human(s - b, unit, signed=True),
            }
        )
    return pd.DataFrame(rows)


# the group view's columns: metric of sim.analysis.county_groups.GROUP_METRICS -> heading
GROUP_COLUMNS = {
    "jobs_local": "local jobs",
    "jobs_per_1000": "jobs per 1,000 persons",
    "income_per_capita": "income per capita",
    "income_total": "income, all",
}


def group_table(comp: Comparison) -> pd.DataFrame:
    """Gain over the same-seed baseline by group of western counties (start-income quintile, key
    counties, paired, urban districts): mean over the seeds [2.5–97.5 percentiles of the
    seed-by-seed gains], each column on one scale (the report's formatter)."""
    from sim.analysis.county_groups import GROUP_METRICS, by_group
    from sim.report.tables import gain_column

    g = comp.groups
    if g.empty:
        return pd.DataFrame()
    order, wide = by_group(g, GROUP_COLUMNS)
    out = pd.DataFrame({"county group": order})
    first = g.drop_duplicates("group").set_index("group")
    out["counties"] = [f"{first.loc[k, 'counties']:.0f}" for k in order]
    for metric, head in GROUP_COLUMNS.items():
        unit = GROUP_METRICS[metric][0]
        cells, shown = gain_column(wide[metric], "" if metric == "jobs_per_1000" else unit)
        out[f"{head} ({shown})" if shown else head] = cells
    return out


def _seeds(comp: Comparison) -> str:
    n = len(comp.seeds)
    return f"{n} seed" + ("s" if n != 1 else "")


def group_caption(comp: Comparison) -> str:
    """What the group table's numbers and intervals are taken over."""
    n = _seeds(comp)
    return (
        f"Gain over the baseline by group of western counties, final year: mean over the {n} "
        f"[2.5–97.5 percentiles of the {n.split()[0]} seed-by-seed gains; random uncertainty only, "
        "at the point estimate of the parameters: the main job's report adds parameter draws]. "
        "Jobs: park and workshop jobs; per capita: over the persons income per capita is "
        "counted per; groups as in the report (start-income quintile, national key counties, "
        "paired, municipal districts)."
    )


def losing_text(comp: Comparison, most: int = 12) -> str:
    """The western counties whose mean gain in income per capita is below zero, largest loss
    first."""
    lose = comp.losing
    n = _seeds(comp)
    if lose.empty:
        return f"No western county loses income per capita (mean over {n})."
    named = "; ".join(
        f"{r.county} ({r.prefecture}) {human(r.income_per_capita, 'yuan/year', signed=True)}"
        for r in lose.head(most).itertuples()
    )
    more = f"; and {len(lose) - most} more" if len(lose) > most else ""
    return f"{len(lose)} western counties lose income per capita (mean over {n}): {named}{more}."


def front_figure(front: pd.DataFrame) -> Figure:
    """The policy search's front: robust gain of its first objective against public cost."""
    from sim.dashboard.view import SEARCH_COST, search_objective

    objective = search_objective(front)
    fig = Figure(figsize=(3.4, 2.4))
    ax = fig.subplots()
    ax.plot(front[SEARCH_COST] / 1e8, front[objective], "-o", ms=3, c="tab:red")
    for _, r in front.iterrows():
        ax.annotate(str(int(r["candidate"])), (r[SEARCH_COST] / 1e8, r[objective]), fontsize=6)
    ax.set_xlabel("public cost, worst run (100 m yuan/year)", fontsize=7)
    ax.set_ylabel(objective.replace(" [", "\n["), fontsize=7)
    ax.tick_params(labelsize=6)
    fig.tight_layout()
    return fig
