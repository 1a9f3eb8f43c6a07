"""Every yuan of cost appears once in the totals; the buyers' premium is a cost line; matching is
costed per participant and its participation follows its budget; incomes are measured as the
household survey measures them (docs/ODD.md §7.6, §7.9)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.mechanisms import matching
from sim.model.mechanisms.accounts import EAST_LINES, WEST_LINES, WEST_MEMO
from sim.model.mechanisms.labour import MIGRANT
from tests.helpers import model

SHORT = {"run.years": 2, "geography.n_firms": 3000}


@pytest.fixture(scope="module")
def full():
    return model({**SHORT, "scenario": "full"}).run()


def test_cost_lines_sum_to_the_totals_and_aid_is_counted_once(full):
    ts = full.timeseries().iloc[1:]
    east = ts[[f"east_cost_{k}" for k in EAST_LINES]].sum(axis=1)
    west = ts[[f"west_cost_{k}" for k in WEST_LINES]].sum(axis=1)
    np.testing.assert_allclose(ts["east_programme_cost"], east, rtol=1e-12)
    np.testing.assert_allclose(ts["west_programme_cost"], west, rtol=1e-12)
    assert (ts["east_cost_aid"] > 0).all()
    # aid is paid by the east and spent by the west: the public total holds it once
    np.testing.assert_allclose(ts["west_programme_cost_own"], west - ts["east_cost_aid"])
    np.testing.assert_allclose(
        ts["public_programme_cost"], east + west - ts["east_cost_aid"], rtol=1e-12
    )
    # every line is in exactly one side's total; the memo (debt service) in none
    assert not set(EAST_LINES) & set(WEST_MEMO) and not set(WEST_LINES) & set(WEST_MEMO)


def test_borrowed_infrastructure_is_counted_once(full):
    ts = full.timeseries().iloc[1:]
    c = full.counties
    assert ts["west_debt"].iloc[-1] > 0 and (ts["west_cost_debt_service"] > 0).any()
    # the borrowed outlay is in the infrastructure line, whose sum is all western outlays
    # however financed; the service that repays the debt is in no total
    np.testing.assert_allclose(
        full.costs.west["infrastructure"], c.spend_infrastructure[full.geo.is_west].sum()
    )
    lines = ts[[f"west_cost_{k}" for k in WEST_LINES]].sum(axis=1)
    np.testing.assert_allclose(ts["west_programme_cost"], lines)
    assert "west_cost_debt_service" not in {f"west_cost_{k}" for k in WEST_LINES}


def test_the_buyers_premium_is_an_eastern_cost_line_and_the_sellers_income():
    def run(premium):
        over = {**SHORT, "scenario": "consumption", "policy.consumption.premium_share": premium}
        return model(over).run().summary()

    none, some = run(0.0), run(0.2)
    p = 9.196e9  # configs/channel/consumption.yaml
    assert none["east_cost_consumption_premium"] == 0
    assert some["east_cost_consumption_premium"] == pytest.approx(0.2 * p)
    assert some["east_programme_cost"] == pytest.approx(
        none["east_programme_cost"] + 0.2 * p, rel=1e-9
    )
    assert some["west_income_total"] > none["west_income_total"]


def test_matching_participants_follow_the_budget_at_a_constant_cost_per_participant():
    eligible = np.array([1e5, 2e5, 3e5, 4e5])
    paired = np.array([True, True, False, True])
    one = matching.participants(1e8, 800.0, eligible, paired)
    two = matching.participants(2e8, 800.0, eligible, paired)
    assert one[2] == 0 and one.sum() == pytest.approx(1e8 / 800.0)
    np.testing.assert_allclose(two, 2 * one)
    assert matching.cost(two, 800.0) == pytest.approx(2 * matching.cost(one, 800.0))
    # never more participants than eligible workers: the cost stops with them
    cap = matching.participants(1e12, 800.0, eligible, paired)
    np.testing.assert_allclose(cap, np.where(paired, eligible, 0.0))


def test_doubling_the_matching_budget_doubles_participants_and_cost_in_the_model():
    def run(budget):
        over = {**SHORT, "scenario": "labour", "policy.labour.matching_budget": budget}
        return model(over).run().timeseries().iloc[1:]

    one, two = run(2e8), run(4e8)
    cost_per = 800.0  # the schema's matching_cost_per_participant
    for ts in (one, two):
        np.testing.assert_allclose(
            ts["east_cost_matching"], ts["east_matching_participants"] * cost_per
        )
    np.testing.assert_allclose(
        two["east_matching_participants"], 2 * one["east_matching_participants"], rtol=1e-9
    )
    np.testing.assert_allclose(two["east_cost_matching"], 4e8)
    assert (two["west_migrants_east"].iloc[-1]) > one["west_migrants_east"].iloc[-1]


def test_income_per_capita_is_per_resident_and_a_migrant_is_not_one(full):
    lab = full.labour
    migrants = lab.people[..., MIGRANT].sum(axis=(1, 2))
    np.testing.assert_allclose(lab.residents(), lab.population0 - (migrants - lab.migrants0))
    s = full.summary()
    assert s["west_income_per_capita"] == pytest.approx(
        s["west_income_total"] / s["west_residents"]
    )
    # the people's income counts each yuan of migrants' earnings once, in full
    earned = (lab.people[..., MIGRANT].sum(axis=2) * lab.east_income).sum()
    assert s["west_income_people_total"] == pytest.approx(
        s["west_income_total"] + (1 - full.e.remittance_share) * earned
    )


def test_supporting_migration_does_not_lower_measured_income():
    def run(support):
        over = {**SHORT, "run.years": 4, "policy.labour.migration_support": support}
        return model(over).run().summary()

    base, supported = run(0.0), run(2000.0)
    assert supported["west_migrants_east"] > base["west_migrants_east"]
    assert supported["west_income_per_capita"] > base["west_income_per_capita"]
    assert supported["west_income_people_total"] > base["west_income_people_total"]


def test_labour_vs_industry_compares_the_arms_at_the_cost_the_model_computes():
    from sim.studies import labour_vs_industry

    table, scale, _ = labour_vs_industry.at_equal_cost(seeds=(0,), extra=SHORT, tol=0.01)
    enclave, labour = table["public_cost_cum"]
    assert enclave > 0 and labour == pytest.approx(enclave, rel=0.01)
    assert 0 < scale < 1  # the labour arm as configured costs more than the enclave arm
