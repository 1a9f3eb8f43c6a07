"""Analytic checks of the location choice: sampled choices converge to the closed-form
nested-logit probabilities, and the branch's market allocation is the cheapest-first filling."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.mechanisms import location, markets


def nested_logit_probabilities(u: np.ndarray, nu: float) -> np.ndarray:
    """Closed form: P(stay) vs the nest of changes with inclusive value nu*log(sum exp(u_j/nu))."""
    iv = nu * np.log(np.exp(u[1:] / nu).sum())
    p_change = np.exp(iv) / (np.exp(iv) + np.exp(u[0]))
    within = np.exp(u[1:] / nu) / np.exp(u[1:] / nu).sum()
    return np.r_[1 - p_change, p_change * within]


@pytest.mark.parametrize("nu", [0.3, 1.0])
def test_sampled_choices_match_the_closed_form(nu):
    rng = np.random.default_rng(7)
    u = np.array([0.0, -1.0, -0.5, -2.0, 0.3, -np.inf])
    n = 200_000
    gumbel = -np.log(rng.standard_exponential((n, u.size + 1)))
    choice, taste = location.nested_choice(np.tile(u, (n, 1)), gumbel, nu)
    freq = np.bincount(choice, minlength=u.size) / n
    expected = nested_logit_probabilities(u[:-1], nu)
    np.testing.assert_allclose(freq[:-1], expected, atol=4e-3)
    assert freq[-1] == 0  # a forbidden option is never chosen
    changed = choice > 0
    # the realised value of the chosen change is at least that of staying
    assert np.all(u[choice[changed]] + taste[changed] >= u[0] - 1e-12)


def test_a_flat_logit_lets_each_candidate_add_odds_but_the_nest_does_not():
    u1 = np.array([0.0, -3.0])
    u8 = np.r_[0.0, np.full(8, -3.0)]
    flat = [1 - nested_logit_probabilities(u, 1.0)[0] for u in (u1, u8)]
    nested = [1 - nested_logit_probabilities(u, 0.3)[0] for u in (u1, u8)]
    assert flat[1] / flat[0] > 6
    assert nested[1] / nested[0] < 2.2


@given(st.integers(0, 2**32 - 1), st.floats(0, 1))
@settings(max_examples=50, deadline=None)
def test_branch_allocation_is_cheapest_first(seed, share):
    rng = np.random.default_rng(seed)
    n = 50
    mix = rng.dirichlet(np.ones(4), n)
    km_home, km_park = rng.uniform(0, 3000, (n, 4)), rng.uniform(0, 3000, (n, 3))
    distance = rng.uniform(0, 3000, (n, n))
    mm = markets.MarketMap(
        home_km=km_home, park_km=km_park, per_km=rng.uniform(0, 1e-4, n), mix=mix
    )
    idx = np.arange(n)
    park = rng.integers(0, n, n)
    got = markets.branch_allocation_gain(mm, idx, park, idx, share, distance)
    for i in range(n):  # brute force: fill markets in order of the branch's freight advantage
        saving = mm.per_km[i] * (np.r_[distance[i, park[i]], km_park[park[i]]] - km_home[i])
        left, cost = share, 0.0
        for m in np.argsort(saving, kind="stable"):
            take = min(left, mix[i, m])
            cost += take * saving[m]
            left -= take
        assert got[i] == pytest.approx(share * (mix[i] * saving).sum() - cost, abs=1e-12)
        assert got[i] >= -1e-12


def test_branch_allocation_in_blocks_is_the_same_to_the_bit():
    """Many firms are worked out a block at a time (for speed): the same numbers as all at once."""
    rng = np.random.default_rng(7)
    n_home, n_park, n_sector, n = 30, 40, 6, 3 * markets._BLOCK + 11
    mm = markets.MarketMap(
        home_km=rng.uniform(0, 3000, (n_home, 4)),
        park_km=rng.uniform(0, 3000, (n_park, 3)),
        per_km=rng.uniform(0, 1e-4, n_sector),
        mix=rng.dirichlet(np.ones(4), n_sector),
    )
    distance = rng.uniform(0, 3000, (n_home, n_park))
    home, park = rng.integers(0, n_home, n), rng.integers(0, n_park, n)
    sector, share = rng.integers(0, n_sector, n), rng.choice([0.3, 0.5], n)
    blocked = markets.branch_allocation_gain(mm, home, park, sector, share, distance)
    whole = markets._allocation_gain(mm, home, park, sector, share, distance)
    assert blocked.tobytes() == whole.tobytes()


def identical_regions_geography(path) -> str:
    """Shanghai–Yunnan with every western cost equal to the eastern one: wages and contributions,
    land and power prices, and no minimum-wage tiers (every county at the same wage)."""
    import yaml

    from sim.world.geography import world_file

    g = yaml.safe_load(world_file("shanghai_yunnan", "geography.yaml").read_text(encoding="utf-8"))
    ec = g["economy"]
    for west, east in (
        ("west_wage_low", "east_wage"),
        ("west_wage_mid", "east_wage"),
        ("west_contribution_rate", "east_contribution_rate"),
        ("west_contribution_floor", "east_contribution_floor"),
        ("west_land_price", "east_land_price"),
        ("west_power_price", "east_power_price"),
    ):
        ec[west]["value"] = ec[east]["value"]
    del g["wage_tiers"]
    for c in g["counties"]:
        c.pop("wage_tier", None)
    file = path / "identical.yaml"
    file.write_text(yaml.safe_dump(g, allow_unicode=True), encoding="utf-8")
    return str(file)


def test_identical_regions_bring_no_systematic_relocation(tmp_path):
    from tests.helpers import final

    # a western park that costs what home costs, with nothing to gain from markets or policy
    identical = {
        "scenario": "baseline",
        "run.years": 5,
        "geography.name": identical_regions_geography(tmp_path),
        "economy.west_productivity": 1.0,
        "economy.site_match_sd": 0.0,  # no firm fits a place better than its home
        "economy.infra_weight": 0.0,
        "economy.friction_west": 0.01,
        "economy.freight_rate": 0.0,
        "economy.cit_rate_west": 0.25,
        "economy.agglomeration": 0.0,
        "economy.sector_focus_bonus": 0.0,
        "economy.chain_master_pull": 0.0,
        "policy.subsidy.land_discount": 0.0,
        "policy.subsidy.tax_holiday_years": 0.0,
        "economy.west_land_growth": 0.04,
        "economy.west_wage_growth": 0.04,
    }
    for seed in range(2):
        s = final({**identical, "run.seed": seed})
        assert s["moves_paying_share"] == 0.0, s["moves_paying_share"]
        assert s["firms_in_west"] < 0.005 * s["firms_active"], s["firms_in_west"]
