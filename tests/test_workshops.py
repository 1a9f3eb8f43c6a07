"""Village workshops are employers: they close when they cannot pay, with diminishing returns (issue 10)."""

from __future__ import annotations

import numpy as np

from sim.model.mechanisms import workshops
from sim.params.schema import EconomyConfig
from tests.conftest import model

E = EconomyConfig()


def _step(slots, budget, sales0, e=E, processing=0.0):
    n = np.size(slots)
    return workshops.step(np.full(n, slots, float), np.full(n, budget, float),
                          working_age=np.full(n, 200e3),
                          processing_purchases=np.full(n, processing), wage=30e3, sales0=sales0,
                          params=workshops.WorkshopParams.from_config(e), dt=0.25, steps_per_year=4)


def test_jobs_close_when_sales_and_funding_stop():
    b = _step(500.0, 0.0, 0.0)
    assert b.slots.sum() == 0 and b.closed.sum() > 0
    kept = _step(100.0, 0.0, E.workshop_sales_per_job)        # sales but no money: depreciation only
    assert 0 < kept.slots.sum() < 100


def test_returns_diminish_where_the_village_market_runs_out():
    small = _step(0.0, 1e6, E.workshop_sales_per_job)
    large = _step(0.0, 10e6, E.workshop_sales_per_job)
    assert large.slots.sum() < 10 * small.slots.sum()
    assert large.slots.sum() <= large.viable.sum() + 1e-9
    # sales per job fall as jobs grow; the wage bill never exceeds value added plus subsidy
    assert large.sales.sum() / large.slots.sum() < small.sales.sum() / small.slots.sum()
    assert (1 - E.workshop_input_share) * large.sales.sum() >= large.wage_bill.sum() - 1e-6
    # processed procurement widens the market
    assert _step(0.0, 10e6, E.workshop_sales_per_job, processing=50e6).slots.sum() > large.slots.sum()


def test_workshop_jobs_disappear_in_the_model_when_funding_and_sales_stop():
    m = model({"scenario": "pairing", "run.seed": 1, "run.years": 4})
    for _ in range(8):
        m.step()
    assert m.summary()["west_workshop_jobs"] > 1000
    m.e.budget_workshops = 0.0         # funding stops
    m.labour.workshop_sales0 = 0.0     # and nobody buys
    for _ in range(2):
        m.step()
    s = m.summary()
    assert s["west_workshop_jobs"] < 1.0
    assert s["west_workshop_sales"] == 0 and s["west_workshop_wage_bill"] == 0


def test_an_operating_subsidy_keeps_more_jobs_viable_but_is_paid_out_of_the_same_budget():
    from dataclasses import replace

    helped_e = replace(E, workshop_operating_subsidy=8000.0)
    plain = _step(100.0, 50e6, E.workshop_sales_per_job)
    helped = _step(100.0, 50e6, E.workshop_sales_per_job, e=helped_e)
    assert helped.viable.sum() > plain.viable.sum() and helped.slots.sum() > plain.slots.sum()
    assert helped.operating_subsidy.sum() > 0 == plain.operating_subsidy.sum()
    # in the model the subsidy is a cost line of the western account
    s = model({"scenario": "pairing", "run.seed": 1, "run.years": 2,
               "economy.workshop_operating_subsidy": 8000.0}).run().summary()
    assert s["west_cost_workshop_operating"] > 0
