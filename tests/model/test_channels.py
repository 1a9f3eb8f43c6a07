"""Every channel of pairing has a cost line; a channel that is off costs nothing."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.mechanisms.accounts import EAST_LINES, WEST_LINES
from tests.helpers import model

SHORT = {"run.years": 2, "geography.n_firms": 3000}
EVERYTHING = {**SHORT, "scenario": "full", "economy.workshop_operating_subsidy": 2000.0}


def _mean_costs(overrides: dict) -> dict[str, float]:
    """Each cost line averaged over the run's steps (yuan/year)."""
    m = model(overrides).run()
    ts = m.timeseries().iloc[1:]
    return {
        k: float(ts[k].mean()) for k in ts.columns if k.startswith(("east_cost_", "west_cost_"))
    }


def test_every_active_channel_has_a_positive_cost_line():
    costs = _mean_costs(EVERYTHING)
    for line in EAST_LINES:
        if line == "enclave_coinvest":
            continue  # the operator's choice: only where the shared tax repays a slot
        assert costs[f"east_cost_{line}"] > 0, line
    for line in WEST_LINES:
        assert costs[f"west_cost_{line}"] > 0, line


def test_channels_that_are_off_cost_nothing():
    costs = _mean_costs({**SHORT, "scenario": "baseline"})
    for line in EAST_LINES:
        assert costs[f"east_cost_{line}"] == 0, line
    assert costs["west_cost_cadres"] == 0 and costs["west_cost_workshop_operating"] == 0


def test_pairing_with_zero_aid_still_costs_the_east_something():
    m = model({**SHORT, "scenario": "pairing", "policy.pairing.aid_per_county": 0.0}).run()
    s = m.summary()
    assert s["east_cost_aid"] == 0
    assert s["east_cost_promotion"] > 0 and s["east_cost_cadres"] > 0
    assert s["east_programme_cost"] == pytest.approx(sum(s[f"east_cost_{k}"] for k in EAST_LINES))
    assert s["west_programme_cost"] == pytest.approx(sum(s[f"west_cost_{k}"] for k in WEST_LINES))


@pytest.mark.parametrize(
    "keys,line",
    [
        (["policy.pairing.promotion"], "promotion"),
        (["policy.pairing.cadres_per_county", "policy.pairing.trainees_per_county"], "cadres"),
        (["policy.labour.matching_budget"], "matching"),
        (["policy.labour.training_rate"], "training"),
        (["policy.labour.migration_support"], "migration_support"),
        (["policy.consumption.procurement_per_year"], "consumption"),
        (["policy.consumption.premium_share"], "consumption_premium"),
    ],
)
def test_switching_a_channel_off_removes_its_cost_line(keys, line):
    on = _mean_costs(EVERYTHING)
    off = _mean_costs({**EVERYTHING, **dict.fromkeys(keys, 0.0)})
    assert on[f"east_cost_{line}"] > 0 and off[f"east_cost_{line}"] == 0


def test_cadre_exchange_buys_the_governance_gain():
    def friction(cadres):
        m = model(
            {**SHORT, "scenario": "pairing", "policy.pairing.cadres_per_county": cadres}
        ).run()
        return m.counties.friction[m.paired].mean()

    start = model({**SHORT, "scenario": "pairing"}).counties.friction[model(SHORT).paired].mean()
    assert friction(0.0) == pytest.approx(start)
    assert friction(9.5) < friction(4.75) < start


def test_fiscal_cost_does_not_count_the_rebate_twice():
    m = model({**SHORT, "scenario": "enclave", "policy.subsidy.tax_holiday_years": 5.0}).run()
    s, c = m.summary(), m.counties
    assert s["west_tax_rebated"] > 0
    west = m.geo.is_west
    np.testing.assert_allclose(s["west_fiscal_cost"], (c.subsidy_due * c.funding_ratio)[west].sum())
    np.testing.assert_allclose(
        s["west_tax_revenue"] + s["east_tax_revenue_enclave"], (m.taxes.west + m.taxes.east).sum()
    )  # revenue is already net of the rebate


def test_channel_table_reports_gains_per_yuan_against_the_same_seed_baseline(capsys):
    from sim.studies import channels

    table = channels.compare(seeds=(0,), extra=SHORT, channels=["cadres", "consumption"])
    assert list(table["channel"]) == ["cadres", "consumption"]
    assert (table["east_cost_cum"] > 0).all()
    cons = table.set_index("channel").loc["consumption"]
    assert cons["d_income_cum"] > 0 and cons["income_per_east_yuan"] == pytest.approx(
        cons["d_income_cum"] / cons["east_cost_cum"]
    )
    assert channels.main(["--years", "1", "policy.labour.training_rate=7"]) == 2
    assert "error" in capsys.readouterr().err


def test_counties_borrow_for_infrastructure_within_their_limit_and_service_the_debt():
    m = model({**SHORT, "run.years": 4, "scenario": "pairing"})
    for _ in range(m.n_steps):
        m.step()
        c, w = m.counties, m.geo.is_west
        assert (c.debt[w] <= m.e.debt_limit * c.revenue[w] + 1e-6).all()
    s = m.summary()
    assert s["west_debt"] > 0 and s["west_cost_debt_service"] > 0
    none = model(
        {**SHORT, "run.years": 4, "scenario": "pairing", "economy.infrastructure_leverage": 0.0}
    ).run()
    assert none.summary()["west_debt"] == 0
