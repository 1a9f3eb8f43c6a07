"""The cost data firms pay in each geography: minimum-wage tiers by county, employer contributions
on a floor, the eastern cost shock, land and power prices, and the western market share rule."""

from __future__ import annotations

import csv

import numpy as np
import pytest
import yaml

from sim.model import phases
from sim.model.mechanisms import costs
from sim.model.transfer import TransferModel
from sim.params import designs
from sim.params.compose import compose
from sim.world import geography
from sim.world.geography import GeographyError, from_dict, world_file

FILES = ("shanghai_yunnan", "fujian_ningxia", "northeast")


def raw(name: str) -> dict:
    return yaml.safe_load(world_file(name, "geography.yaml").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- the data files
def test_yunnan_wage_tiers_follow_the_county_table():
    """Each Yunnan county's tier is the one counties.csv gives (with its source), and its wage
    index is its tier's minimum wage over the population-weighted mean."""
    with world_file("shanghai_yunnan", "counties.csv").open(encoding="utf-8") as f:
        table = {r["name"]: r for r in csv.DictReader(f)}
    g = raw("shanghai_yunnan")
    monthly = {int(k): v for k, v in g["wage_tiers"]["monthly"].items()}
    assert monthly == {1: 1670, 2: 1500, 3: 1350}  # the 2018 standard, in force in 2021
    geo = geography.load_file("shanghai_yunnan")
    west = np.flatnonzero(geo.is_west)
    tier = {c["name"]: c["wage_tier"] for c in g["counties"] if c["side"] == "west"}
    assert set(tier) == set(table)
    for name, t in tier.items():
        assert str(t) == table[name]["min_wage_tier"], name
        assert table[name]["source_min_wage_tier"].startswith("yn_minwage")
    # the tiers differ by county as the source does: Kunming's core is tier 1, Baoshan's Longyang
    # district tier 2 and its four counties tier 3 (the 2018 Baoshan notice)
    assert tier["Wuhua"] == 1 and tier["Longyang"] == 2
    assert {tier[c] for c in ("Shidian", "Tengchong", "Longling", "Changning (Baoshan)")} == {3}
    index = dict(zip(geo.county_name[west], geo.wage_index[west], strict=True))
    assert index["Wuhua"] / index["Shidian"] == pytest.approx(1670 / 1350)
    pop = geo.population[west]
    assert np.average(geo.wage_index[west], weights=pop) == pytest.approx(1.0)
    assert (geo.wage_index[~geo.is_west] == 1).all()


def test_starting_wages_follow_the_tiers():
    m = TransferModel(compose({"geography.n_firms": 200}))
    geo = m.geo
    west = geo.county_name[geo.is_west].tolist()
    wage = m.labour.prevailing
    low = geo.economy["west_wage_low"]
    assert wage[west.index("Wuhua"), 0] == pytest.approx(low * 1670 / 1437.01, rel=5e-3)
    assert wage[west.index("Wuhua"), 0] / wage[west.index("Zhenxiong"), 0] == pytest.approx(
        1670 / 1350
    )
    assert (wage[:, 1] > wage[:, 0]).all()  # mid-skill pay stays above low-skill pay


@pytest.mark.parametrize("name", FILES)
def test_economy_figures_have_one_base_year_and_ranges_where_illustrative(name):
    g = raw(name)
    for key, entry in g["economy"].items():
        assert isinstance(entry, dict) and "source" in entry, key
        assert entry["source"] in g["sources"] or entry["source"] == "illustrative", key
        if entry["source"] == "illustrative" or "illustrative" in entry.get("note", ""):
            lo, hi = entry["range"]
            assert lo <= entry["value"] <= hi, key
        assert "2022" not in entry.get("note", "").split("(")[0], key  # no other base year
    assert "2021" in g["economy"]["east_wage"]["note"]
    assert "2021" in g["economy"]["west_wage_low"]["note"]


def test_cost_ratios_of_shanghai_yunnan():
    """The cost gaps the location choice sees at the start (documented in docs/data.md)."""
    ec = geography.load_file("shanghai_yunnan").economy
    east = costs.labour_cost(
        ec["east_wage"], ec["east_contribution_rate"], ec["east_contribution_floor"]
    )
    # a factory wage above Shanghai's contribution floor
    assert east == pytest.approx(ec["east_wage"] * 1.272)
    assert ec["east_wage"] > ec["east_contribution_floor"]
    ratios = []
    for index in (1670 / 1437.01, 1500 / 1437.01, 1350 / 1437.01):
        wage = ec["west_wage_low"] * index
        ratios.append(
            costs.labour_cost(wage, ec["west_contribution_rate"], ec["west_contribution_floor"])
            / east
        )
    assert ratios[0] > ratios[1] > ratios[2]
    assert 0.60 < ratios[2] < 0.70 and 0.75 < ratios[0] < 0.85
    # at the provincial mean wage: the centre of the prior docs/evidence.md §2 sets (0.70)
    mean = costs.labour_cost(
        ec["west_wage_low"], ec["west_contribution_rate"], ec["west_contribution_floor"]
    )
    assert 0.66 < mean / east < 0.74
    assert ec["west_land_cost"] / ec["east_land_cost"] == pytest.approx(150 / 1337)
    assert geography.west_power_price_ratio(ec) == pytest.approx(0.45 / 0.65)


def test_capital_intensity_averages_one_over_firms():
    s = geography.load_sectors()
    assert np.average(s.capital_intensity, weights=s.weight) == pytest.approx(1.0, abs=0.01)
    assert (s.capital_intensity > 0).all()
    names = s.name.tolist()
    ci = dict(zip(names, s.capital_intensity, strict=True))
    assert ci["footwear"] < ci["electronics"] < ci["chemicals"] < ci["nonferrous"]


# ---------------------------------------------------------------- the western market share rule
@pytest.mark.parametrize("name", FILES)
def test_west_market_share_is_the_rest_of_china_times_the_west_consumption_share(name):
    m = TransferModel(compose({"geography.name": name, "geography.n_firms": 100}))
    share = m.geo.economy["west_consumption_share"]
    typed = yaml.safe_load(geography.WORLD_DIR.joinpath("sectors.yaml").read_text())["sectors"]
    rest = np.array([r["markets"][1] for r in typed])
    mix = m.sectors.markets
    np.testing.assert_allclose(mix[:, 2], rest * share)
    np.testing.assert_allclose(mix[:, 1], rest * (1 - share))
    np.testing.assert_allclose(mix.sum(axis=1), 1.0)
    np.testing.assert_allclose(m.market_map.mix, mix)
    assert (mix[:, 2] < 0.05).all()


# ---------------------------------------------------------------- employer contributions
def test_contributions_are_paid_on_the_floor_when_the_wage_is_below_it():
    assert costs.labour_cost(40_000.0, 0.3, 50_000.0) == pytest.approx(40_000 + 0.3 * 50_000)
    assert costs.labour_cost(60_000.0, 0.3, 50_000.0) == pytest.approx(60_000 * 1.3)
    wages = np.array([[30_000.0, 70_000.0]])
    np.testing.assert_allclose(
        costs.labour_cost(wages, 0.25, 50_000.0), [[30_000 + 12_500, 70_000 * 1.25]]
    )


def test_park_firms_pay_the_western_labour_cost_and_home_firms_the_eastern():
    m = TransferModel(compose({"geography.n_firms": 200}))
    p = m.prices
    sites = phases.west_sites(m)
    expected = costs.labour_cost(m.labour.wage, p.west_contribution_rate, p.west_contribution_floor)
    mid = m.sectors.mid_skill[None, :]
    pw = expected[m.parks.county_w]
    np.testing.assert_allclose(sites.wage, (1 - mid) * pw[:, :1] + mid * pw[:, 1:])
    # the floor binds in tier-3 counties, not in Kunming's core
    west = m.geo.county_name[m.geo.is_west].tolist()
    low_rate = expected[:, 0] / m.labour.wage[:, 0] - 1
    assert low_rate[west.index("Zhenxiong")] > p.west_contribution_rate + 0.005
    assert low_rate[west.index("Wuhua")] == pytest.approx(p.west_contribution_rate)
    labour, land = phases.east_costs(m)
    assert labour == pytest.approx(
        p.east_wage + p.east_contribution_rate * max(p.east_wage, p.east_contribution_floor)
    )
    assert land == pytest.approx(m.geo.economy["east_land_cost"])


# ---------------------------------------------------------------- the eastern cost shock
def test_east_cost_scale_leaves_output_per_job_and_lowers_home_margins():
    base = TransferModel(compose({"geography.n_firms": 500, "run.seed": 3}))
    shock = TransferModel(
        compose({"geography.n_firms": 500, "run.seed": 3, "economy.east_cost_scale": 1.2})
    )
    np.testing.assert_array_equal(base.firms.output_per_job, shock.firms.output_per_job)
    np.testing.assert_array_equal(base.firms.edge, shock.firms.edge)
    assert (shock.firms.home_margin < base.firms.home_margin).all()
    # the fall is the extra cost per yuan of output (before tax, where margins stay positive)
    labour, land = phases.east_costs(base)
    drop = 0.2 * (labour + land) / base.firms.output_per_job
    both_positive = (shock.firms.home_margin > 0) & (base.firms.home_margin > 0)
    np.testing.assert_allclose(
        (base.firms.home_margin - shock.firms.home_margin)[both_positive],
        (1 - base.e.cit_rate_east) * drop[both_positive],
    )
    # east_wage_scale, by contrast, moves output per job with the wage and leaves margins alone
    wage = TransferModel(
        compose({"geography.n_firms": 500, "run.seed": 3, "economy.east_wage_scale": 1.2})
    )
    np.testing.assert_allclose(wage.firms.output_per_job, 1.2 * base.firms.output_per_job)
    np.testing.assert_allclose(wage.firms.home_margin, base.firms.home_margin, atol=1e-12)


def test_a_configured_power_price_ratio_overrides_the_geographys():
    m = TransferModel(compose({"geography.n_firms": 100}))
    assert m.views.location.west_power_price_ratio == pytest.approx(0.45 / 0.65)
    m = TransferModel(compose({"geography.n_firms": 100, "economy.west_power_price_ratio": 0.9}))
    assert m.views.location.west_power_price_ratio == 0.9


# ---------------------------------------------------------------- validation
def _minimal() -> dict:
    g = raw("shanghai_yunnan")
    west = [c for c in g["counties"] if c["side"] == "west"][:2]
    east = [c for c in g["counties"] if c["side"] == "east"][:1]
    return {
        "counties": east + west,
        "pairs": [],
        "parks": [{"name": "P", "county": west[0]["name"], "capacity": 5}],
        "economy": g["economy"],
        "wage_tiers": g["wage_tiers"],
    }


def test_the_minimal_file_loads():
    geo = from_dict(_minimal(), "<t>")
    assert geo.wage_index[geo.is_west].std() >= 0


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda g: g["counties"][1].pop("wage_tier"), "every western county needs one of the"),
        (lambda g: g["counties"][1].update(wage_tier=7), "wage_tier = 7"),
        (lambda g: g["counties"][0].update(wage_tier=1), "applies to western counties only"),
        (lambda g: g.pop("wage_tiers"), "has no 'wage_tiers' table"),
        (lambda g: g["wage_tiers"].update(monthly={1: -5}), "wage_tiers.monthly.1 = -5"),
        (
            lambda g: g["economy"].update(east_land_cost={"value": 1}),
            "economy.east_land_cost is derived",
        ),
        (lambda g: g["economy"].pop("west_power_price"), "economy.west_power_price is missing"),
        (
            lambda g: g["economy"]["west_consumption_share"].update(value=2),
            "economy.west_consumption_share = 2 must be a number in [0, 1]",
        ),
        (
            lambda g: g["economy"]["east_power_price"].update(value=0),
            "economy.east_power_price = 0 must be a positive number",
        ),
    ],
)
def test_bad_cost_data_is_refused_with_a_clear_message(edit, message):
    g = _minimal()
    g["economy"] = {k: dict(v) for k, v in g["economy"].items()}
    g["wage_tiers"] = dict(g["wage_tiers"])
    g["counties"] = [dict(c) for c in g["counties"]]
    edit(g)
    with pytest.raises(GeographyError, match=message.replace("(", r"\(").replace("[", r"\[")):
        from_dict(g, "<t>")


# ---------------------------------------------------------------- governance_gain's prior
def test_governance_gain_prior_is_triangular_and_includes_zero():
    from sim.params.schema import PairingPolicy

    assert PairingPolicy().governance_gain == 0.01
    prior = designs.design_priors()["policy.pairing.governance_gain"]
    assert (prior.kind, prior.args) == ("triangular", (0.0, 0.01, 0.05))
    assert designs.prior_ranges()["policy.pairing.governance_gain"] == (0.0, 0.05)
    u = np.linspace(0.001, 0.999, 999)
    values = prior.quantile(u)
    assert values.min() >= 0 and values.max() <= 0.05
    assert np.mean(values) == pytest.approx(0.02, abs=5e-4)  # (0 + 0.01 + 0.05) / 3


def test_calibration_draws_carry_the_governance_prior():
    rows = designs.parameter_draws("shanghai_yunnan", 40)
    gains = np.array([r["policy.pairing.governance_gain"] for r in rows])
    assert gains.min() >= 0 and gains.max() <= 0.05 and gains.std() > 0.005
    assert np.mean(gains) == pytest.approx(0.02, abs=0.004)
    assert "economy.move_cost" in rows[0]  # alongside the calibration's own parameters
    keys = designs.design_keys("draws", (), "shanghai_yunnan")
    assert "policy.pairing.governance_gain" in keys
    s = {"method": "draws", "n": 8, "seed": 0, "parameters": [], "sample": 3}
    assert designs.sample_values(s, "shanghai_yunnan")[
        "policy.pairing.governance_gain"
    ] == pytest.approx(gains[3])
