"""The national case at full size, for a few steps: a correctness check, not a timing.

``geography=synthetic`` is the size of today's programme (343 eastern and 832
western counties, 1,500 parks, 100,000 firms). Three steps take a few seconds.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.mechanisms import labour
from sim.model.mechanisms.labour import MIGRANT, MOBILE
from sim.model.mechanisms.location import BRANCH, EXITED, HOME, RELOCATED
from sim.model.transfer import TransferModel
from sim.params.compose import compose

N_FIRMS, N_PARKS, N_EAST, N_WEST = 100_000, 1_500, 343, 832
STEPS = 3


@pytest.fixture(scope="module")
def national():
    """The national model, its headcounts per western county before and after each step, and who
    reviewed."""
    model = TransferModel(compose({"geography": "synthetic", "scenario": "full"}))
    heads = [model.labour.people.sum(axis=(1, 2, 3)).copy()]
    reviewing, eligible = [], []
    for _ in range(STEPS):
        eligible.append(int(np.isin(model.firms.state, (HOME, BRANCH)).sum()))
        model.step()
        reviewing.append(int(model.last_choice.firms.size))
        heads.append(model.labour.people.sum(axis=(1, 2, 3)).copy())
    return model, heads, reviewing, eligible


def test_sizes_are_the_national_programme(national):
    model, *_ = national
    cfg, geo = model.cfg.geography, model.geo
    assert (cfg.kind, cfg.n_firms, cfg.n_parks, cfg.n_east_counties, cfg.n_west_counties) == (
        "synthetic",
        N_FIRMS,
        N_PARKS,
        N_EAST,
        N_WEST,
    )
    assert (geo.n_east, geo.n_west, geo.n_counties, geo.n_parks) == (
        N_EAST,
        N_WEST,
        N_EAST + N_WEST,
        N_PARKS,
    )
    assert geo.is_west[N_EAST:].all() and not geo.is_west[:N_EAST].any()  # east first, then west
    assert (
        np.bincount(geo.park_county - N_EAST, minlength=N_WEST).min() >= 1
    )  # every western county has a park
    assert (geo.partner[N_EAST:] >= 0).all() and (geo.partner[N_EAST:] < N_EAST).all()


def test_array_shapes(national):
    model, *_ = national
    f, pk, c, lab = model.firms, model.parks, model.counties, model.labour
    n = f.state.size
    assert n >= N_FIRMS and n == N_FIRMS + model.choices.entered  # the starting pool plus entrants
    for name in (
        "home",
        "sector",
        "jobs",
        "output_per_job",
        "chain_master",
        "state",
        "park",
        "entry_step",
        "loss_steps",
        "ever_west",
        "margin",
        "home_margin",
        "taste",
        "edge",
        "share",
        "ready_step",
        "backlog",
    ):
        assert getattr(f, name).shape == (n,), name
    for name in (
        "county",
        "capacity",
        "occupancy",
        "land_cost",
        "quality",
        "enclave",
        "partner",
        "partner_effort",
        "coinvest",
    ):
        assert getattr(pk, name).shape == (N_PARKS,), name
    for name in ("friction", "debt", "revenue", "retained_tax", "effort", "aid"):
        assert getattr(c, name).shape == (N_EAST + N_WEST,), name
    assert lab.people.shape == (N_WEST, 2, 2, labour.N_STATUS)
    assert lab.wage.shape == lab.demand.shape == (N_WEST, 2)
    assert lab.income_pc.shape == (N_WEST,)
    for k, v in model.region_history.items():
        assert v.shape == (model.n_steps + 1, N_EAST + N_WEST), k
    assert model.t == STEPS
    n = model.firms.state.size
    assert len(model.firm_agents) == n and len(model.park_agents) == N_PARKS
    assert len(model.county_agents) == N_EAST + N_WEST and len(model.labour_pools) == N_WEST
    assert len(model.agents) == n + N_PARKS + N_EAST + 2 * N_WEST


def test_headcount_is_conserved_in_every_county(national):
    _, heads, *_ = national
    for step, h in enumerate(heads[1:], 1):
        np.testing.assert_allclose(h, heads[0], rtol=1e-9, err_msg=f"step {step}")
    assert (heads[0] > 0).all()


def test_people_are_never_negative_and_migrants_are_mobile(national):
    model, *_ = national
    people = model.labour.people
    assert np.isfinite(people).all() and (people >= 0).all()
    assert people[:, :, MOBILE, MIGRANT].sum() > 0
    assert np.isfinite(model.labour.wage).all() and (model.labour.wage > 0).all()


def test_some_firms_review_each_step(national):
    _, _, reviewing, eligible = national
    # about a quarter of the eligible firms review each quarter (one review a year)
    for n, elig in zip(reviewing, eligible, strict=True):
        assert 0.2 * elig < n < 0.3 * elig, (n, elig)


def test_state_counts_sum_to_the_firm_count(national):
    model, *_ = national
    f, m = model.firms, model.metrics
    counts = np.bincount(f.state, minlength=4)
    n = N_FIRMS + model.choices.entered
    assert counts.size == 4 and counts.sum() == n
    assert counts[HOME] + counts[BRANCH] + counts[RELOCATED] + counts[EXITED] == n
    assert m["firms_active"] == n - counts[EXITED]
    assert (m["firms_branch"], m["firms_relocated_full"], m["firms_exited"]) == (
        counts[BRANCH],
        counts[RELOCATED],
        counts[EXITED],
    )
    assert m["firms_in_west"] == counts[BRANCH] + counts[RELOCATED]


def test_parks_hold_exactly_their_firms(national):
    model, *_ = national
    f, pk = model.firms, model.parks
    in_west = np.isin(f.state, (BRANCH, RELOCATED))
    assert (f.park[in_west] >= 0).all() and (f.park[~in_west] == -1).all()
    np.testing.assert_array_equal(np.bincount(f.park[in_west], minlength=N_PARKS), pk.occupancy)
    assert (pk.occupancy <= np.floor(pk.capacity + 1e-9)).all()
