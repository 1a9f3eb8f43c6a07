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
from matplotlib.collections import PolyCollection
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from sim.dashboard import boundaries
from sim.dashboard.view import PATH_METRICS, Comparison
from sim.model.metrics import METRICS, REGION_METRICS

COLOURS = {"scenario": "#c0392b", "baseline": "#555555"}
GAIN_CMAP = matplotlib.colormaps["RdBu"].with_extremes(bad="#eeeeee")  # bad: a unit with no seat inside


def display_unit(unit: str) -> tuple[float, str]:
    """Scale and unit shown for a metric: shares as percent, the rest as they are."""
    if unit == "share":
        return 100.0, "%"
    return 1.0, unit


def heading(meaning: str, width: int = 200) -> str:
    """A metric's meaning as a title: capitalised, wrapped at ``width`` characters."""
    return textwrap.fill(meaning[0].upper() + meaning[1:], width)


def paths_figure(comp: Comparison) -> Figure:
    """Jobs, income and costs over time: the view's scenario against the same-seed baseline.

    Lines are means over the seeds, bands the range (lowest to highest seed).
    """
    fig = Figure(figsize=(11, 6.4), layout="constrained")
    axes = fig.subplots(2, 2, sharex=True).ravel()
    n = len(comp.seeds)
    for ax, metric in zip(axes, PATH_METRICS, strict=True):
        unit, meaning = METRICS[metric]
        scale, shown = display_unit(unit)
        for run, label in (("baseline", "baseline"), ("scenario", comp.view.scenario)):
            df = comp.paths[comp.paths["run"] == run]
            by_year = df.groupby("year")[metric]
            mean, lo, hi = (by_year.mean() * scale, by_year.min() * scale, by_year.max() * scale)
            ax.plot(mean.index, mean.values, color=COLOURS[run], lw=2,
                    ls="--" if run == "baseline" else "-", label=f"{label} (mean of {n} seeds)")
            ax.fill_between(mean.index, lo.values, hi.values, color=COLOURS[run], alpha=0.25, lw=0,
                            label=f"{label}: range over seeds")
        ax.set_title(heading(meaning, 60), fontsize=10, loc="left")
        ax.set_ylabel(shown)
        ax.grid(alpha=0.3)
    for ax in axes[2:]:
        ax.set_xlabel("year")
    axes[0].legend(fontsize=8, loc="best")
    fig.suptitle(f"{comp.view.scenario} against baseline, {comp.view.geography} (same seeds: "
                 f"{', '.join(map(str, comp.seeds))})", fontsize=11)
    return fig


def map_figure(comp: Comparison, metric: str) -> Figure:
    """Western county seats coloured and sized by the final-year gain over baseline in ``metric``."""
    unit, meaning = REGION_METRICS[metric]
    scale, shown = display_unit(unit)
    shown = "percentage points" if shown == "%" else shown
    df = comp.counties
    gain = df[metric].to_numpy() * scale
    fig = Figure(figsize=(7.5, 6.4), layout="constrained")
    ax = fig.subplots()
    extent = max(float(np.abs(gain).max()), 1e-12)
    norm = TwoSlopeNorm(0.0, -extent, extent)
    _draw_boundaries(ax, df, gain, norm)
    size = 12 + 240 * np.abs(gain) / extent
    points = ax.scatter(df["lon"], df["lat"], c=gain, s=size, cmap=GAIN_CMAP, norm=norm,
                        edgecolors="#333333", linewidths=0.4, zorder=3)
    for i in np.argsort(gain)[:3]:  # name the counties that gain least
        ax.annotate(df["county"].iloc[i], (df["lon"].iloc[i], df["lat"].iloc[i]), fontsize=7,
                    xytext=(4, 4), textcoords="offset points")
    fig.colorbar(points, ax=ax, shrink=0.8, label=f"gain over baseline ({shown})")
    ax.set_aspect(1 / np.cos(np.radians(df["lat"].mean())))
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.grid(alpha=0.3)
    year = int(comp.paths["year"].max())
    ax.set_title(f"Gain by western county, {year}: {meaning.removeprefix('west: ')}\n"
                 f"(mean over {len(comp.seeds)} seeds; marker size = size of the gain)", fontsize=10, loc="left")
    return fig


def _draw_boundaries(ax, df, gain, norm) -> bool:
    """Unit boundaries (cnmaps) shaded by the gain of the seat inside each; False if unavailable."""
    polygons = boundaries.west_units(df["province"], df["prefecture"], df["county"])
    if not polygons:
        return False
    seat = boundaries.seat_of(polygons, df["lon"], df["lat"])
    rings, shade = [], []
    for poly, s in zip(polygons, seat, strict=True):
        for ring in boundaries.outlines(poly):
            rings.append(ring)
            shade.append(gain[s] if s >= 0 else np.nan)
    ax.add_collection(PolyCollection(rings, array=np.array(shade), cmap=GAIN_CMAP, norm=norm, alpha=0.45,
                                     edgecolors="#999999", linewidths=0.3, zorder=1))
    return True


def map_label(metric: str) -> str:
    """A per-county outcome in words with its unit: 'household income per working-age person (yuan/year)'."""
    unit, meaning = REGION_METRICS[metric]
    return f"{meaning.removeprefix('west: ')} ({'percentage points' if unit == 'share' else unit})"


def map_caption(comp: Comparison, metric: str) -> str:
    """What the map draws, in numbers: how many county seats and the range of their gains."""
    unit, _ = REGION_METRICS[metric]
    scale, shown = display_unit(unit)
    gain = comp.counties[metric] * scale
    drawn = ("; boundaries from cnmaps" if boundaries.west_units(comp.counties["province"], comp.counties["prefecture"],
                                                                 comp.counties["county"]) else "")
    return (f"{len(gain)} western county seats drawn; gain from {gain.min():,.3g} to {gain.max():,.3g} "
            f"{'percentage points' if shown == '%' else shown}{drawn}")


def gain_table(comp: Comparison, metric: str, n: int = 5) -> pd.DataFrame:
    """The counties with the lowest and the highest gain in ``metric`` (display units)."""
    unit, _ = REGION_METRICS[metric]
    scale, shown = display_unit(unit)
    shown = "pp" if shown == "%" else shown
    df = comp.counties.assign(gain=comp.counties[metric] * scale).sort_values("gain", kind="stable")
    parts = [df.head(n).assign(rank="lowest"), df.tail(n).iloc[::-1].assign(rank="highest")]
    out = pd.concat(parts)[["rank", "county", "prefecture", "gain"]]
    out["gain"] = out["gain"].map(lambda g: f"{g:,.3g}")
    return out.rename(columns={"gain": f"gain ({shown})"})


def headline(comp: Comparison) -> pd.DataFrame:
    """Final-year jobs, income and costs, the scenario against baseline (means over seeds)."""
    rows = []
    for metric in PATH_METRICS:
        unit, meaning = METRICS[metric]
        scale, shown = display_unit(unit)
        rows.append({"final year": f"{heading(meaning)} ({shown})",
                     comp.view.scenario: f"{comp.final['scenario'][metric] * scale:,.0f}",
                     "baseline": f"{comp.final['baseline'][metric] * scale:,.0f}"})
    return pd.DataFrame(rows)
