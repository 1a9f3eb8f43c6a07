"""regions.parquet carries the county attributes a notebook regroups by, and they are those of
the data files (geography.yaml, key_counties.yaml, counties.csv), read here on their own."""

from __future__ import annotations

import csv
import functools

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.model.metrics import REGION_ATTRIBUTES
from sim.world import groups
from sim.world.geography import world_file
from tests.helpers import model


@functools.cache
def _regions(geo: str) -> pd.DataFrame:
    m = model({"geography": geo, "scenario": "full", "run.years": 1, "geography.n_firms": 300})
    return m.run().regions()


def _file(geo: str, name: str) -> dict:
    return yaml.safe_load(world_file(geo, name).read_text(encoding="utf-8"))


def _west_final(r: pd.DataFrame) -> pd.DataFrame:
    last = r[(r["step"] == r["step"].max()) & (r["side"] == "west")]
    return last.set_index(last["county"].astype(str))


@pytest.mark.parametrize("geo", ["shanghai_yunnan", "fujian_ningxia", "northeast"])
def test_attributes_are_those_of_the_geography_file(geo):
    r = _regions(geo)
    assert set(REGION_ATTRIBUTES) <= set(r.columns)
    rows = {c["name"]: c for c in _file(geo, "geography.yaml")["counties"]}
    first = r[r["step"] == 0].set_index(r.loc[r["step"] == 0, "county"].astype(str))
    assert set(first.index) == set(rows)
    for name, c in rows.items():
        got = first.loc[name]
        assert got["population"] == c["population"], name
        assert got["prefecture"] == c.get("prefecture", ""), name
        assert got["province"] == c.get("province", ""), name
        assert got["county_zh"] == c["name_zh"], name
        assert bool(got["urban_district"]) == c["name_zh"].endswith("区"), name
        if c["side"] == "west" and c.get("wage_tier") is not None:
            assert got["min_wage_tier"] == str(c["wage_tier"]), name
        else:
            assert pd.isna(got["min_wage_tier"]), name
    # the same attributes at every step
    static = [k for k in REGION_ATTRIBUTES]
    per_county = r.groupby("county", observed=True)[static].nunique(dropna=False)
    assert (per_county <= 1).all().all()


def test_paired_and_partner_follow_the_pairs_of_the_file():
    geo = "shanghai_yunnan"
    raw = _file(geo, "geography.yaml")
    prefecture = {c["name"]: c.get("prefecture") for c in raw["counties"] if c["side"] == "west"}
    partner = {}
    for p in raw["pairs"]:
        targets = (
            [p["west"]]
            if "west" in p
            else [n for n, pref in prefecture.items() if pref == p["west_prefecture"]]
        )
        partner.update(dict.fromkeys(targets, p["east"]))
    last = _west_final(_regions(geo))
    assert 0 < len(partner) < len(last), "the file has paired and unpaired counties"
    for name, row in last.iterrows():
        assert row["paired"] == (1.0 if name in partner else 0.0), name
        assert (row["partner"] if pd.notna(row["partner"]) else None) == partner.get(name), name


def test_key_county_flag_and_the_county_table_agree_with_their_files():
    geo = "shanghai_yunnan"
    listed = set(_file(geo, "key_counties.yaml")["counties"])
    last = _west_final(_regions(geo))
    assert listed <= set(last.index)
    assert set(last.index[last["key_county"] == 1.0]) == listed
    with world_file(geo, "counties.csv").open(encoding="utf-8") as f:
        table = {row["name"]: row for row in csv.DictReader(f)}
    # the urban-district flag from the Chinese names of the county table as well
    for name, row in last.iterrows():
        if name in table:
            assert bool(row["urban_district"]) == table[name]["name_zh"].endswith("区"), name
    assert 0 < last["urban_district"].sum() < len(last)


def test_start_income_is_step_zero_income_and_quintiles_rank_it():
    r = _regions("shanghai_yunnan")
    west = r[r["side"] == "west"]
    start = west[west["step"] == 0].set_index("county", drop=False)
    last = _west_final(r)
    assert np.allclose(last["income_start"], start.loc[last.index, "income_per_capita"])
    q = last["income_quintile"].astype(int)
    sizes = q.value_counts().sort_index()
    assert list(sizes.index) == [1, 2, 3, 4, 5] and sizes.max() - sizes.min() <= 1
    top_of = last.groupby(q)["income_start"].max()
    bottom_of = last.groupby(q)["income_start"].min()
    assert (top_of.to_numpy()[:-1] <= bottom_of.to_numpy()[1:]).all()
    assert r.loc[r["side"] == "east", "income_quintile"].isna().all()


def test_quintile_of_a_small_case():
    values = np.array([np.nan, 5.0, 1.0, 4.0, 2.0, 3.0, 9.0, 0.0, 8.0, 7.0, 6.0])
    among = ~np.isnan(values)
    q = groups.quintile(values, among)
    assert q[0] == 0
    # ten counties: two per quintile, lowest first
    assert dict(zip(values[1:], q[1:], strict=True)) == {
        0.0: 1,
        1.0: 1,
        2.0: 2,
        3.0: 2,
        4.0: 3,
        5.0: 3,
        6.0: 4,
        7.0: 4,
        8.0: 5,
        9.0: 5,
    }


def test_income_per_capita_times_residents_adds_up_to_the_western_total():
    """Group incomes are sums of income_per_capita x residents: the county columns must add up
    to the model's western household income."""
    m = model({"scenario": "full", "run.years": 1, "geography.n_firms": 300}).run()
    last = _west_final(m.regions())
    total = (last["income_per_capita"] * last["residents"]).sum()
    assert total == pytest.approx(m.summary()["west_income_total"], rel=1e-9)
