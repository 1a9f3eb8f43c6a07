"""Harris–Todaro check of the labour market.

With fixed wages and a fixed eastern job-finding rate, a mobile farmer migrates
only while the expected eastern income (wage × job-finding − cost of living away
and of moving) exceeds what he has at home; the migrant stock then settles where
the outflow this gap drives balances the returns, a closed form in the rates.
"""

import numpy as np
import pytest

from sim.model.mechanisms import labour
from sim.model.mechanisms.labour import FARM, IMMOBILE, LOW, MIGRANT, MOBILE, N_STATUS
from sim.params.schema import EconomyConfig

EAST_WAGE, JOB_FINDING, FARM_INCOME = 60_000.0, 0.8, 20_000.0
SPY = 4


def farmers(n=1000.0):
    """One county, everyone farming, half of them mobile."""
    p = np.zeros((1, 2, 2, N_STATUS))
    p[0, :, MOBILE, FARM] = n / 4
    p[0, :, IMMOBILE, FARM] = n / 4
    return p


def step(people, migration_cost, e):
    """One quarter of the labour market with no local jobs and fixed wages."""
    w = np.full((1, 2), 30_000.0)
    zero = np.zeros(1)
    east_income = np.full((1, 2), EAST_WAGE * JOB_FINDING)  # fixed wage × fixed job-finding rate
    return labour.labour_market(
        people,
        w,
        prevailing_wage=w,
        demand_park=np.zeros((1, 2)),
        workshop_slots=zero,
        workshop_wage=30_000.0,
        service_demand=zero,
        farm_income=np.array([FARM_INCOME]),
        reservation_ratio=np.ones(1),
        east_income=east_income,
        migration_cost=np.array([migration_cost]),
        trainees_funded=zero,
        training_rate=0.0,
        params=labour.LabourParams.from_config(e),
        steps_per_year=SPY,
    )


def test_migration_stops_where_expected_incomes_net_of_cost_equalise():
    e = EconomyConfig()
    indifference = EAST_WAGE * JOB_FINDING - FARM_INCOME  # cost at which east and home pay alike
    lo, hi = 0.0, 1e6
    for _ in range(60):  # bisection on the cost at which migration ceases
        mid = (lo + hi) / 2
        migrated = step(farmers(), mid, e)[2].migrated[0]
        lo, hi = (mid, hi) if migrated > 0 else (lo, mid)
    assert hi == pytest.approx(indifference, abs=1.0)  # within 1 yuan/year
    assert step(farmers(), indifference - 100, e)[2].migrated[0] > 0
    assert step(farmers(), indifference + 100, e)[2].migrated[0] == 0


@pytest.mark.parametrize("gap", [-5_000.0, 2_000.0, 15_000.0])
def test_migrant_stock_settles_at_the_balance_of_outflow_and_returns(gap):
    """Fixed point of one quarter: M/F = a(1-b)/b with a, b the per-step leaving and return
    shares."""
    e = EconomyConfig()
    cost = EAST_WAGE * JOB_FINDING - FARM_INCOME - gap
    a = labour.per_step(e.migration_rate, SPY) * max(np.tanh(gap / e.migration_scale), 0.0)
    b = labour.per_step(e.return_rate, SPY) * (0.5 + 0.5 * np.tanh(-gap / e.migration_scale))
    people = farmers()
    people[0, :, MOBILE, MIGRANT] = 100.0  # start away from the balance
    for _ in range(2000):
        people = step(people, cost, e)[0]
    mobile = people[0, LOW, MOBILE]
    ratio = mobile[MIGRANT] / mobile[FARM]
    assert ratio == pytest.approx(a * (1 - b) / b, rel=1e-3, abs=1e-6)
    assert people[0, :, IMMOBILE, MIGRANT].sum() == 0  # the immobile never leave
    assert people.sum() == pytest.approx(farmers().sum() + 200.0)  # headcount conserved
