"""Parks grow with demand at the cost of serviced land, and geographies with a history start
from their stock of eastern firms (docs/ODD.md §5, §7.2)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import phases
from sim.model.mechanisms import parks
from sim.model.mechanisms.location import BRANCH, in_west
from sim.params.files import read_yaml
from sim.world.geography import world_file
from tests.helpers import model


# ---------------------------------------------------------------- serviced land, unit checks
def test_an_owner_orders_slots_only_past_its_fill_target():
    cap, occ = np.array([100.0, 100.0, 100.0]), np.array([50, 95, 100])
    pipeline = np.array([[0.0], [0.0], [10.0]])
    want = parks.slots_wanted(cap, occ, pipeline, np.array([0.0, 0.0, 7.0]), 0.85)
    assert want[0] == 0  # half empty
    assert want[1] == pytest.approx(95 / 0.85 - 100)  # back to the target
    assert want[2] == pytest.approx(107 / 0.85 - 110)  # the turned-away count, less the pipeline


def test_a_county_short_of_money_scales_its_orders_and_pays_the_slot_cost_exactly():
    wanted, county = np.array([10.0, 30.0, 5.0]), np.array([0, 0, 1])
    slots, spend = parks.fund_slots(wanted, county, np.array([20e6, 1e9]), 1e6)
    np.testing.assert_allclose(slots, [5.0, 15.0, 5.0])  # county 0 affords half of 40 slots
    np.testing.assert_allclose(spend, slots * 1e6)
    assert spend[:2].sum() == pytest.approx(20e6)


def test_the_slot_cost_is_serviced_land_per_mu_times_land_per_slot():
    m = model({"run.years": 1})
    # the sourced figure: Xunwu's Shipai park extension, 36 m yuan for 600 mu of industrial land
    assert m.e.serviced_land_cost == pytest.approx(36e6 / 600)
    assert phases.slot_cost(m.e) == pytest.approx(m.e.serviced_land_cost * m.e.land_per_slot)


# ---------------------------------------------------------------- in the model
def test_capacity_grows_where_demand_exceeds_it_and_every_yuan_is_counted_once():
    m = model({"scenario": "enclave", "run.seed": 2, "run.years": 6})
    pk, c, dt = m.parks, m.counties, m.dt
    cap0 = pk.capacity.sum()
    has_parks = np.bincount(pk.county, minlength=m.geo.n_counties) > 0
    county_paid = operator_paid = 0.0
    for _ in range(m.n_steps):
        m.step()
        county_paid += c.spend_infrastructure[has_parks].sum() * dt
        operator_paid += pk.coinvest.sum() * dt
        # a park never holds more firms than its capacity
        assert np.all(pk.occupancy <= np.floor(pk.capacity + 1e-9))
    cost = phases.slot_cost(m.e)
    # demand exceeded the starting capacity, and the owners built for it
    assert pk.occupancy.sum() > cap0
    assert pk.capacity.sum() > 1.5 * cap0
    # what was built: the slots ordered less those still under construction
    built = pk.capacity.sum() - cap0
    assert built == pytest.approx(pk.slots_ordered_cum.sum() - pk.pipeline.sum())
    # slots cost the serviced-land price: the county's part from its infrastructure money, the
    # operators' from their co-investment (an eastern cost line), nothing else
    assert pk.slots_ordered_cum.sum() * cost == pytest.approx(
        pk.slot_spending_cum.sum() + operator_paid
    )
    assert pk.slot_spending_cum.sum() <= county_paid + 1e-3
    # every yuan invested in parks is paid once, by the county or the operator
    assert pk.investment_cum.sum() == pytest.approx(county_paid + operator_paid)
    assert m.summary()["east_cost_enclave_coinvest"] == pytest.approx(pk.coinvest.sum())


def test_an_owner_does_not_build_where_a_tenant_does_not_repay_a_slot():
    # serviced land at 100 times the sourced cost: a tenant's tax no longer repays a slot
    cap0 = model({"run.years": 1}).parks.capacity.sum()
    m = model({"scenario": "pairing", "run.years": 4, "economy.serviced_land_cost": 6e6})
    m.run()
    assert m.parks.slots_ordered_cum.sum() == 0 and m.parks.capacity.sum() == cap0


def test_fujian_ningxia_starts_with_its_base_year_stock_of_eastern_firms_in_western_parks():
    reported = read_yaml(world_file("fujian_ningxia", "targets.yaml"))["fujian_firms_in_ningxia"]
    stock = read_yaml(world_file("fujian_ningxia", "geography.yaml"))["stock"]
    assert stock["firms"]["value"] == reported["value"] and reported["role"] == "input"
    m = model({"geography": "fujian_ningxia", "calibration": "none", "run.years": 5})
    f, pk = m.firms, m.parks
    west = in_west(f.state)
    # the stock is there at the start: in parks, producing, employing, with plants of every age
    assert west.sum() == reported["value"] == pk.occupancy.sum()
    assert m.history["firms_in_west"][0] == reported["value"]
    assert np.all(f.park[west] >= 0) and np.all(f.ready_step[west] < 0)
    assert m.history["west_park_jobs"][0] > 10 * reported["value"]
    age = f.west_plant_age[west]
    span = m.cfg.run.start_year - stock["since"]["value"]
    assert age.min() < 2 and span - 2 < age.max() <= span
    assert 0.3 < np.mean(f.state[west] == BRANCH) < 0.7  # branches and full moves
    # the parks have room beyond the stock, and the run continues from it
    assert np.all(pk.occupancy <= pk.capacity)
    m.run()
    assert m.summary()["firms_in_west"] > 0.5 * reported["value"]
