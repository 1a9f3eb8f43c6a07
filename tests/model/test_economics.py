"""Comparative statics an economist expects, each averaged over seeds with a margin
that a broken mechanism would fail."""

import numpy as np
import pytest

from sim.model.mechanisms.location import RELOCATED
from sim.params.compose import compose
from tests.helpers import final, mean_over_seeds, model

BASE = {"run.years": 6}


def test_pairing_raises_firms_and_local_jobs():
    # the baseline has market-driven moves of its own (sourced cost gaps), and local jobs start
    # with each county's census non-farm jobs, so pairing adds a fraction of what is there
    for metric, factor in (("firms_in_west", 1.1), ("west_jobs_local", 1.05)):
        base = mean_over_seeds({**BASE, "scenario": "baseline"}, metric)
        paired = mean_over_seeds({**BASE, "scenario": "pairing"}, metric)
        assert paired > factor * base, (metric, base, paired)


@pytest.mark.parametrize(
    "key,low,high",
    [
        ("economy.west_wage_scale", 1.0, 1.15),
        # western land is cheap (709 yuan/job/year): ×30 is about 5% of a textile firm's output
        ("economy.west_land_scale", 1.0, 30.0),
    ],
)
def test_western_costs_reduce_relocation(key, low, high):
    cheap = mean_over_seeds({**BASE, "scenario": "pairing", key: low}, "firms_relocated_cum")
    dear = mean_over_seeds({**BASE, "scenario": "pairing", key: high}, "firms_relocated_cum")
    assert dear < 0.85 * cheap, (cheap, dear)


def test_migration_support_raises_migration():
    none = mean_over_seeds(
        {**BASE, "scenario": "labour", "policy.labour.migration_support": 0.0}, "west_migrants_east"
    )
    strong = mean_over_seeds(
        {**BASE, "scenario": "labour", "policy.labour.migration_support": 10000.0},
        "west_migrants_east",
    )
    assert strong > 1.03 * none, (none, strong)


def test_workshops_employ_immobile_workers():
    s = final({**BASE, "scenario": "pairing", "run.seed": 0})
    assert s["west_workshop_jobs"] > 1000
    m = model({"run.years": 1})
    immobile_share = m.labour.people[:, :, 1].sum() / m.labour.people.sum()
    assert s["west_workshop_jobs_immobile"] / s["west_workshop_jobs"] > immobile_share + 0.2


def _follow_on(seed: int, chain_master: bool) -> int:
    """Same-sector firms that move into a park after one large firm relocated there at the start."""
    # a pool of fixed size: the shipped calibration's pool would change what "few followers" means
    m = model({"scenario": "baseline", "run.seed": seed, "run.years": 5, "geography.n_firms": 5866})
    f = m.firms
    lead = int(np.flatnonzero(f.chain_master)[0])
    # the largest park where labour is cheaper than the western average (a low minimum-wage tier)
    cheap = m.geo.wage_index[m.parks.county] < 1
    park = int(np.argmax(np.where(cheap, m.parks.capacity, 0)))
    m.firm_agents[lead].chain_master = chain_master  # the only difference between the two arms
    f.state[lead], f.park[lead], f.share[lead], f.entry_step[lead] = RELOCATED, park, 1.0, 0
    m.parks.occupancy[park] += 1
    m.parks.capacity[park] += 50  # room for followers in both arms
    m.run()
    same = (f.park == park) & (f.sector == f.sector[lead])
    same[lead] = False
    return int(same.sum())


def test_chain_master_pulls_same_sector_followers():
    # paired by seed: same firms, same draws; only the lead's chain-master flag differs
    seeds = range(6)
    diff = np.array([_follow_on(s, True) - _follow_on(s, False) for s in seeds], float)
    se = diff.std(ddof=1) / np.sqrt(diff.size)
    assert diff.mean() > max(2 * se, 5), diff


def _co_built_tenants(scenario: str) -> float:
    counts = []
    for seed in range(4):
        m = model({**BASE, "scenario": scenario, "run.seed": seed})
        m.run()
        counts.append(m.parks.occupancy[m.parks.co_built].sum())
    return float(np.mean(counts))


def test_enclave_park_draws_more_firms_than_same_park_run_locally():
    # same parks, same pairing; only the operator (and its tax split) differs
    assert _co_built_tenants("enclave") > 1.2 * _co_built_tenants("pairing")


def test_tax_share_east_lowers_west_tax_per_firm_and_raises_promotion():
    low = {**BASE, "scenario": "enclave", "policy.enclave.tax_share_east": 0.1}
    high = {**BASE, "scenario": "enclave", "policy.enclave.tax_share_east": 0.8}

    def per_firm(o):
        return np.mean(
            [
                final({**o, "run.seed": s})["west_tax_revenue"]
                / final({**o, "run.seed": s})["firms_in_west"]
                for s in range(4)
            ]
        )  # noqa: E731

    assert per_firm(high) < 0.9 * per_firm(low)
    assert mean_over_seeds(high, "east_promotion_effort") > 1.2 * mean_over_seeds(
        low, "east_promotion_effort"
    )
    assert mean_over_seeds(high, "east_tax_revenue_enclave") > mean_over_seeds(
        low, "east_tax_revenue_enclave"
    )


def test_consumption_cooperation_raises_income_and_lowers_low_income_share():
    base = {**BASE, "scenario": "baseline"}
    cons = {**BASE, "scenario": "consumption"}
    assert mean_over_seeds(cons, "west_income_per_capita", range(2)) > mean_over_seeds(
        base, "west_income_per_capita", range(2)
    )
    assert mean_over_seeds(cons, "low_income_share", range(2)) < mean_over_seeds(
        base, "low_income_share", range(2)
    )


def test_compliance_cuts_eastern_enclave_revenue():
    full = mean_over_seeds({**BASE, "scenario": "enclave"}, "east_tax_revenue_enclave", range(2))
    half = mean_over_seeds(
        {**BASE, "scenario": "enclave", "policy.enclave.compliance": 0.5},
        "east_tax_revenue_enclave",
        range(2),
    )
    assert half < 0.6 * full


def test_eastern_wages_outgrowing_productivity_push_firms_west():
    slow = mean_over_seeds(
        {**BASE, "scenario": "baseline", "economy.east_wage_growth": 0.02}, "firms_relocated_cum"
    )
    fast = mean_over_seeds(
        {**BASE, "scenario": "baseline", "economy.east_wage_growth": 0.07}, "firms_relocated_cum"
    )
    assert fast > 1.15 * slow, (slow, fast)


def test_dearer_freight_stops_full_moves_and_shifts_the_west_to_branches():
    # a full move takes the firm away from its eastern customers; a branch keeps them and serves
    # the markets it is nearest to, so dearer freight cuts full moves far more than branches
    cheap, dear = ({**BASE, "scenario": "pairing", "economy.freight_rate": r} for r in (0.35, 1.0))
    assert compose({}).economy.freight_rate == 0.35  # the default the doubling below starts from
    full = mean_over_seeds(dear, "firms_relocated_full") / mean_over_seeds(
        cheap, "firms_relocated_full"
    )
    branches = mean_over_seeds(dear, "firms_branch") / mean_over_seeds(cheap, "firms_branch")
    assert full < 0.5, full
    assert branches > 0.8 and branches > full + 0.3, (branches, full)
    # doubling the default rate: fewer full moves, and no more western plants in total
    doubled = {**cheap, "economy.freight_rate": 0.7}
    assert mean_over_seeds(doubled, "firms_relocated_full") < 0.8 * mean_over_seeds(
        cheap, "firms_relocated_full"
    )
    west = [mean_over_seeds(o, "firms_in_west") for o in (cheap, doubled, dear)]
    assert west[1] <= west[0] and west[2] <= west[0], west
