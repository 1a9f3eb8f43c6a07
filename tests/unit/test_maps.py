"""County maps: outlines shipped with the package, a scale per panel, extremes named, losses in
the legend; seats only where a geography ships no outlines."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text

from sim.report import figures
from sim.world import boundaries

GEOGRAPHIES = ["shanghai_yunnan", "fujian_ningxia", "northeast"]


def _regions(geo: str, scales=(1.0, 50.0)) -> pd.DataFrame:
    """Two scenarios' county gains of very different size (illustrative values)."""
    counties = pd.read_csv(boundaries.WORLD / geo / "counties.csv", dtype={"code": str})
    rng = np.random.default_rng(0)
    out = []
    for scenario, k in zip(["pairing", "labour"], scales, strict=True):
        income = k * rng.normal(size=len(counties))
        out.append(
            pd.DataFrame(
                {
                    "scenario": scenario,
                    "code": counties["code"],
                    "county": counties["name"],
                    "lon": 0.0,
                    "lat": 0.0,
                    "income_per_capita": income,
                    "jobs_local": 100 * rng.normal(size=len(counties)),
                }
            )
        )
    df = pd.concat(out, ignore_index=True)
    # seats: inside each county's first ring (its mean vertex is close enough for a label)
    outlines = boundaries.load(geo)
    centre = {c: outlines.counties[c][0].mean(axis=0) for c in counties["code"]}
    df["lon"] = [centre[c][0] for c in df["code"]]
    df["lat"] = [centre[c][1] for c in df["code"]]
    return df


@pytest.mark.parametrize("geo", GEOGRAPHIES)
def test_every_shipped_geography_has_small_outlines_for_all_its_counties(geo):
    outlines = boundaries.load(geo)
    counties = pd.read_csv(boundaries.WORLD / geo / "counties.csv", dtype={"code": str})
    assert set(outlines.counties) == set(counties["code"])
    assert outlines.provinces and all(r.shape[1] == 2 for r in outlines.provinces)
    assert boundaries.path(geo).stat().st_size < 1_000_000
    assert (boundaries.WORLD / "BOUNDARIES-LICENSE.txt").exists()


def test_a_geography_without_outlines_has_none():
    assert boundaries.load("synthetic") is None
    assert boundaries.load("../etc") is None


def test_report_map_fills_counties_with_a_scale_per_panel_and_names_the_extremes():
    regions = _regions("fujian_ningxia")
    fig = figures.county_map(
        regions,
        "income_per_capita",
        "jobs_local",
        "scenario",
        "Who gains?",
        outlines=boundaries.load("fujian_ningxia"),
    )
    fig.draw_without_rendering()  # labels at their drawn places
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert len(panels) == 2
    bars = [ax for ax in fig.axes if ax not in panels and ax.get_visible()]
    spans = sorted(abs(ax.get_ylim()[1]) for ax in bars)
    assert len(bars) == 2 and spans[1] > 10 * spans[0]  # each panel on its own scale
    for ax, (_, d) in zip(panels, regions.groupby("scenario", sort=False), strict=True):
        filled = ax.collections[0]
        assert len(filled.get_paths()) >= len(d)  # every county's outline
        named = " ".join(t.get_text() for t in ax.texts)
        top = d.loc[d["income_per_capita"].idxmax(), "county"]
        assert top in named
        boxes = [Text.get_window_extent(t) for t in ax.texts]  # the words, not their leader lines
        assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    legend = fig.legends[0]
    assert any("loss" in t.get_text() for t in legend.get_texts())
    assert "own scale" in fig._suptitle.get_text()


def test_report_map_without_outlines_shows_seats_and_says_so():
    regions = _regions("fujian_ningxia")
    fig = figures.county_map(regions, "income_per_capita", "jobs_local", "scenario", "Who gains?")
    assert "seats only" in fig._suptitle.get_text()
