"""Firms weigh the real money: measured cost gaps decide, taste only perturbs.

On the shipped (calibrated) defaults: which firms have a western option that pays after
capital costs, how many moves rest on taste, and comparative statics that must work
through the channel they name. Each check averages over seeds with a margin a broken
mechanism would fail.
"""

import numpy as np
import pytest

from sim.analysis.decisions import by_sector, option_gains
from sim.model.mechanisms.location import BRANCH, RELOCATED
from sim.params.compose import compose
from tests.helpers import mean_over_seeds, model

SEEDS = range(3)
FULL = {"scenario": "full"}


def labour_intensive(m) -> list[str]:
    """Sectors whose labour share is in the top third of the sectors (sectors.yaml)."""
    share = m.sectors.labour_share
    return list(m.sectors.name[share >= np.quantile(share, 2 / 3)])


def test_labour_intensive_firms_have_western_options_that_pay_after_capital():
    m = model({})
    gains = option_gains(m)
    table = by_sector(gains)
    labour = gains[gains.sector.isin(labour_intensive(m))]
    # a quarter of the labour-intensive sectors' firms, pooled, have an option that pays at the
    # cost of capital; fewer clear the firm's hurdle rate, which is above it (docs/ODD.md §7.3)
    assert (labour.best_gain > 0).mean() >= 0.25, table
    assert (labour.best_over_hurdle > 0).mean() >= 0.05, table
    # they lead: every other sector has a smaller paying share than the labour-intensive pool
    others = table.drop(index=labour_intensive(m))
    assert (others.paying_share < (labour.best_gain > 0).mean()).all(), table
    # cement-like goods, dear to ship and to build, never pay
    assert table.loc["building_materials", "paying_share"] == 0.0, table


def test_few_moves_rest_on_taste():
    assert mean_over_seeds(FULL, "moves_marginal_share", SEEDS) < 0.2
    assert mean_over_seeds(FULL, "moves_paying_share", SEEDS) > 0.8


@pytest.mark.parametrize("factor", [0.5, 2.0])
def test_the_taste_scale_barely_moves_relocation(factor):
    default = compose({}).economy.logit_scale
    base = mean_over_seeds(FULL, "firms_in_west", SEEDS)
    other = mean_over_seeds(
        {**FULL, "economy.logit_scale": default * factor}, "firms_in_west", SEEDS
    )
    assert abs(other / base - 1) < 0.25, (base, other)


def test_dearer_western_labour_lowers_relocation_within_the_literatures_range():
    base = mean_over_seeds(FULL, "firms_in_west", SEEDS)
    dearer = mean_over_seeds({**FULL, "economy.west_wage_scale": 1.2}, "firms_in_west", SEEDS)
    assert 0.4 <= dearer / base <= 0.9, (base, dearer)  # 10–60% fewer


def test_an_eastern_cost_shock_raises_exits_and_relocation():
    # output per job unchanged: eastern margins fall. Firms exit, branch firms move fully west,
    # and the industry that survives is more western. (The count of western plants need not
    # rise: a new western plant must earn its capital, which the shock does not cheapen, and
    # the exits shrink the pool that would have expanded west; docs/decisions.md.)
    shock = {**FULL, "economy.east_cost_scale": 1.2}

    def mean(config, key):
        return mean_over_seeds(config, key, SEEDS)

    assert mean(shock, "firms_exited") > 1.3 * mean(FULL, "firms_exited")
    assert mean(shock, "firms_relocated_full") > 1.5 * mean(FULL, "firms_relocated_full")
    west_share = {
        name: mean(c, "firms_in_west") / mean(c, "firms_active")
        for name, c in (("base", FULL), ("shock", shock))
    }
    assert west_share["shock"] > west_share["base"] + 0.05, west_share


def test_dearer_freight_keeps_firms_near_their_customers():
    base, dear = FULL, {**FULL, "economy.freight_rate": 2 * compose({}).economy.freight_rate}
    assert mean_over_seeds(dear, "firms_relocated_full", SEEDS) < mean_over_seeds(
        base, "firms_relocated_full", SEEDS
    )
    assert mean_over_seeds(dear, "firms_in_west", SEEDS) <= mean_over_seeds(
        base, "firms_in_west", SEEDS
    )


def test_investment_booked_is_the_capital_weighed():
    m = model({**FULL, "run.seed": 1, "run.years": 4})
    checked = 0
    for _ in range(m.n_steps):
        f = m.firms
        park_before = f.park.copy()
        booked_before = m.parks.firm_investment_cum.sum()
        t = m.t
        m.step()
        c = m.last_choice
        i = c.firms
        park_before = np.r_[park_before, np.full(m.firms.park.size - park_before.size, -1)]
        west = (c.new_state == BRANCH) | (c.new_state == RELOCATED)
        into_own = west & (c.park == park_before[i])
        landed = west & (m.firms.entry_step[i] == t) & (m.firms.park[i] == c.park)
        booked = m.parks.firm_investment_cum.sum() - booked_before
        weighed = c.capital[landed | into_own].sum()
        assert booked == pytest.approx(weighed, rel=1e-9), (t, booked, weighed)
        assert (c.capital[~west] == 0).all()
        checked += int((landed | into_own).sum())
    assert checked >= 20, checked
