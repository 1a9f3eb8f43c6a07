"""Training has a channel: trained workers lower the cost of the park firms that employ them, so
firms weigh a county's trained pool in their choice (sim/model/mechanisms/skills.py)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from sim.model import phases
from sim.model.mechanisms import labour, location, skills
from sim.model.mechanisms.labour import FARM, IDLE, LOW, MID, MIGRANT, PARK
from sim.model.mechanisms.location import HOME
from tests.helpers import model

SHORT = {"run.years": 2, "geography.n_firms": 3000}


def _params(productivity: float = 0.23, wage: float = 0.12) -> skills.SkillParams:
    return skills.SkillParams(
        training_productivity_premium=productivity, training_wage_premium=wage
    )


def test_a_larger_trained_pool_lowers_the_cost_of_low_skill_output_only():
    start = np.array([0.2, 0.2, 0.2])
    factor = skills.low_job_cost_factor(np.array([0.2, 0.5, 0.1]), start, _params())
    assert factor[0] == 1.0 and factor[1] < 1.0 < factor[2]
    # (1 + 0.12 · 0.3) / (1 + 0.23 · 0.3): the firm keeps the output premium beyond the pay one
    assert factor[1] == pytest.approx(1.036 / 1.069)
    # a firm that pays the whole output premium as wages keeps nothing
    assert skills.low_job_cost_factor(start + 0.3, start, _params(0.12, 0.12)) == pytest.approx(1)
    cost = np.array([[40000.0, 60000.0]] * 3)
    out = skills.effective_labour_cost(cost, factor)
    assert np.array_equal(out[:, MID], cost[:, MID]) and out[1, LOW] < cost[1, LOW]


def test_trained_share_counts_residents_not_migrants():
    people = np.zeros((1, 2, 2, 7))
    people[0, LOW, 0, FARM] = 60
    people[0, MID, 0, PARK] = 20
    people[0, MID, 1, IDLE] = 20
    people[0, MID, 1, MIGRANT] = 100  # away: not in the pool park firms hire from
    assert skills.trained_share(people)[0] == pytest.approx(0.4)


def _train(m, county: int, share: float) -> None:
    """Move ``share`` of the county's low-skill residents to mid skill, in their status."""
    p = m.labour.people
    moved = p[county, LOW] * share
    moved[:, MIGRANT] = 0.0
    p[county, LOW] -= moved
    p[county, MID] += moved


def _choices(m, sites, park: int) -> tuple[int, float]:
    """Home firms offered ``park`` alone, with this step's draws: how many choose it and their
    mean measured gain (share of output/year)."""
    f = m.firms
    rng = np.random.default_rng(7)
    eligible = (f.state == HOME) & (f.ready_step <= m.t)
    shocks = location.draw_shocks(
        rng, eligible, 1.0, n_promoted=0, n_enclave=0, n_word_of_mouth=0, n_random=1
    )
    cand = np.full((shocks.reviewing.size, 1), park)
    new_share = np.full(shocks.reviewing.size, m.e.branch_share)
    i, new_state, chosen, _, gain = location.choose_locations(
        shocks,
        f,
        sites,
        cand,
        home_m_all=f.home_margin,
        current_all=f.margin + f.taste,
        holiday_share=0.0,
        mid_skill=m.sectors.mid_skill,
        expanding=np.zeros(i_size := shocks.reviewing.size, bool),
        new_share=new_share,
        params=m.views.location,
    )
    assert i_size == i.size
    took = chosen == park
    return int(took.sum()), float(gain[took].mean()) if took.any() else 0.0


@pytest.mark.parametrize("channel_on", [True, False])
def test_a_county_with_a_larger_trained_pool_draws_more_firms_through_the_channel(channel_on):
    """Same seed, same draws: a county whose residents are more often trained offers park firms
    a lower cost per unit of low-skill output, so more home firms choose its park, at a higher
    measured gain. With the premiums at zero (the channel removed) nothing changes."""
    # a pool large enough that some firms are near the margin for one park
    m = model({**SHORT, "scenario": "baseline", "geography.n_firms": 20000})
    for _ in range(2):
        m.step()
    if not channel_on:
        m.views = replace(m.views, skills=_params(0.0, 0.0))
    park = int(np.argmax(m.parks.capacity - m.parks.occupancy))
    county = int(m.parks.county_w[park])
    textiles = int(np.flatnonzero(m.sectors.name == "textiles")[0])
    before_sites = phases.west_sites(m)
    before = _choices(m, before_sites, park)
    _train(m, county, 0.5)
    after_sites = phases.west_sites(m)
    after = _choices(m, after_sites, park)
    wage_before = before_sites.wage[park, textiles]
    wage_after = after_sites.wage[park, textiles]
    if channel_on:
        assert wage_after < 0.99 * wage_before  # low-skill sectors gain most: the cost of a job
        assert after[0] > before[0] and after[1] > before[1]
    else:
        assert wage_after == pytest.approx(wage_before) and after == before


def test_trained_park_workers_beyond_the_start_earn_the_wage_premium():
    m = model({**SHORT, "scenario": "baseline"}).run()
    lab = m.labour
    county = int(np.argmax(labour.by_skill(lab.people, PARK)[:, LOW]))
    pay0 = labour.park_pay(lab.people, lab.demand, lab.wage)
    same = skills.trained_pay(
        pay0, lab.people, lab.demand, lab.wage, lab.trained0, lab.trained0, m.views.skills
    )
    assert np.array_equal(same, pay0)  # no change in the pool: no premium
    more = lab.trained0.copy()
    more[county] += 0.3
    pay = skills.trained_pay(
        pay0, lab.people, lab.demand, lab.wage, more, lab.trained0, m.views.skills
    )
    assert pay[county, MID] > pay0[county, MID] and np.array_equal(pay[:, LOW], pay0[:, LOW])


def test_the_channel_table_reports_trainings_jobs_and_income_per_yuan():
    from sim.studies import channels

    table = channels.compare(seeds=(0,), extra=SHORT, channels=["training"]).set_index("channel")
    row = table.loc["training"]
    assert row["east_cost_cum"] > 0
    assert row["jobs_per_m_east_yuan"] == pytest.approx(
        row["d_jobs_local"] / row["east_cost_cum"] * 1e6
    )
    assert row["income_per_east_yuan"] == pytest.approx(row["d_income_cum"] / row["east_cost_cum"])
    assert row["d_income_cum"] > 0  # the trained earn the wage premium in park jobs
