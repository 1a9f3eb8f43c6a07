"""Properties of the mechanism functions on random inputs (hypothesis)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.model.mechanisms import costs, government, labour, location, parks, production
from sim.params.schema import EconomyConfig

E = EconomyConfig()
money = st.floats(0, 1e9, allow_nan=False)


@given(st.integers(1, 6), st.integers(0, 2**32 - 1), st.floats(0, 1), st.floats(0, 20000))
@settings(max_examples=40, deadline=None)
def test_labour_market_conserves_headcount(n, seed, training, support):
    rng = np.random.default_rng(seed)
    people = rng.uniform(0, 1e5, (n, 2, 2, labour.N_STATUS))
    people[:, :, 1, labour.MIGRANT] = 0  # the immobile never migrate
    wage = rng.uniform(2e4, 8e4, (n, 2))
    out, new_wage, flows = labour.labour_market(
        people,
        wage,
        prevailing_wage=wage.copy(),
        demand_park=rng.uniform(0, 2e5, (n, 2)),
        workshop_slots=rng.uniform(0, 5e4, n),
        workshop_wage=3e4,
        service_demand=rng.uniform(0, 5e4, n),
        farm_income=rng.uniform(5e3, 3e4, n),
        reservation_ratio=rng.uniform(0.5, 3.0, n),
        east_income=rng.uniform(2e4, 8e4, (n, 2)),
        migration_cost=np.full(n, 2e4 - support / 3),
        trainees_funded=rng.uniform(0, 1e4, n),
        training_rate=training,
        params=labour.LabourParams.from_config(E),
        steps_per_year=4,
    )
    np.testing.assert_allclose(out.sum(axis=(1, 2, 3)), people.sum(axis=(1, 2, 3)), rtol=1e-9)
    assert out.min() >= 0
    assert np.all(out[:, :, 1, labour.MIGRANT] == 0)
    assert np.all(new_wage[:, 1] >= new_wage[:, 0])
    assert np.all(flows.migrated >= 0) and np.all(flows.returned >= 0)


@given(arrays(np.int64, st.integers(0, 60), elements=st.integers(0, 9)), st.integers(0, 2**32 - 1))
@settings(max_examples=60, deadline=None)
def test_admission_never_exceeds_free_slots(app_park, seed):
    rng = np.random.default_rng(seed)
    free = rng.integers(0, 4, 10)
    ok = parks.admit(app_park, rng.random(app_park.size), free)
    admitted = np.bincount(app_park[ok], minlength=10)
    assert np.all(admitted <= free)
    applied = np.bincount(app_park, minlength=10)
    np.testing.assert_array_equal(
        admitted, np.minimum(applied, free)
    )  # first come while slots last


@given(
    arrays(float, 20, elements=money),
    arrays(float, 20, elements=st.floats(-1e8, 1e8)),
    arrays(bool, 20),
    arrays(bool, 20),
    st.floats(0, 1),
    st.floats(0, 1),
)
@settings(max_examples=60, deadline=None)
def test_tax_split_sums_to_tax_paid(output, profit, holiday, enclave, share, compliance):
    t = production.park_taxes(
        output,
        profit,
        holiday,
        enclave,
        tax_share_east=share,
        compliance=compliance,
        rates=production.TaxRates.from_config(E),
    )
    np.testing.assert_allclose(t.upper + t.west + t.east, t.paid, rtol=1e-12, atol=1e-6)
    assert np.all(t.east[~enclave] == 0) and np.all(t.rebated[~holiday] == 0)
    assert np.all(t.east <= t.west / max(1 - share * compliance, 1e-12) + 1e-6)


@given(st.integers(1, 8), st.integers(0, 2**32 - 1))
@settings(max_examples=40, deadline=None)
def test_budget_never_spends_more_than_revenue_plus_allowed_borrowing(n, seed):
    rng = np.random.default_rng(seed)
    own, tax, aid = rng.uniform(0, 1e8, n), rng.uniform(0, 1e8, n), rng.uniform(0, 1e8, n)
    due, debt = rng.uniform(0, 5e8, n), rng.uniform(0, 1e9, n)
    b = government.west_budgets(
        own, tax, aid, due, debt, params=government.BudgetParams.from_config(E), dt=0.25
    )
    assert np.all(b.spending <= b.discretionary + b.borrowing + 1e-6)
    assert np.all(b.borrowing <= b.headroom + 1e-6)
    assert np.all((b.funding_ratio >= 0) & (b.funding_ratio <= 1))
    assert np.all(b.subsidy <= due + 1e-6)


@given(st.integers(1, 8), st.floats(1e6, 1e9))
@settings(max_examples=30, deadline=None)
def test_park_slots_arrive_only_after_they_are_built(build_steps, investment):
    capacity, pipeline = np.array([10.0]), np.zeros((1, build_steps))
    quality0, infra = np.array([0.5]), np.array([0.0])
    added = []
    for step in range(build_steps + 2):
        money = np.array([investment if step == 0 else 0.0])
        new_cap, pipeline, quality, infra = parks.grow(
            capacity, pipeline, quality0, infra, money, money / 1e7, half_investment=2e8
        )
        added.append(float(new_cap[0] - capacity[0]))
        capacity = new_cap
    # nothing while it is built, then all of it at once; quality rises with the money spent
    assert all(a == 0 for a in added[:build_steps])
    assert added[build_steps] == pytest.approx(investment / 1e7)
    assert quality[0] > 0.5


def dense_nested_choice(u, gumbel, nest_scale):
    """The nested logit over the whole (R, J) table at once: what ``location.nested_choice``,
    which computes only the allowed options, must equal to the bit."""
    j = u.shape[1]
    lam = max(nest_scale, 1e-6)
    inner = u[:, 1:] / lam
    work = inner + gumbel[:, 1:j]
    within = 1 + np.argmax(work, axis=1)
    top = np.max(inner, axis=1)
    finite = np.isfinite(top)
    top[~finite] = 0.0
    with np.errstate(invalid="ignore"):
        weights = np.exp(inner - top[:, None])
    with np.errstate(divide="ignore"):
        iv = lam * (top + np.log(weights.sum(axis=1)))
    iv[~finite] = -np.inf
    change_value = iv + gumbel[:, j]
    change = change_value > u[:, 0] + gumbel[:, 0]
    chosen_u = np.where(change, u[np.arange(u.shape[0]), within], 0.0)
    taste = np.where(change, change_value - gumbel[:, 0] - chosen_u, 0.0)
    return np.where(change, within, 0), taste


@given(
    st.integers(1, 400),
    st.integers(2, 24),
    st.integers(0, 2**32 - 1),
    st.sampled_from([0.3, 0.6, 1.0, 4.0, 300.0]),
    st.floats(0, 1),
    st.sampled_from([0.01, 0.3, 1.0, 1e-7]),
)
@settings(max_examples=60, deadline=None)
def test_nested_choice_equals_the_dense_formula_to_the_bit(r, j, seed, spread, closed, nest):
    """Sums of three or more weights depend on the order of addition: that one too must be
    numpy's, so runs stay byte-identical."""
    rng = np.random.default_rng(seed)
    u = rng.normal(0, spread, (r, j))
    u[rng.random((r, j)) < closed] = -np.inf  # options not allowed
    u[:, 0] = rng.normal(0, 1, r)  # staying is always allowed
    gumbel = -np.log(rng.standard_exponential((r, j + 1)))
    choice, taste = location.nested_choice(u, gumbel, nest)
    want_choice, want_taste = dense_nested_choice(u, gumbel, nest)
    assert np.array_equal(choice, want_choice)
    assert taste.tobytes() == want_taste.tobytes()


@given(st.integers(1, 300), st.integers(0, 300), st.integers(0, 2**32 - 1), st.floats(0, 1))
@settings(max_examples=60, deadline=None)
def test_row_sums_are_numpys_to_the_bit(r, n, seed, zeros):
    """The nested logit's inclusive values sum weights column by column; numpy sums each row
    pairwise, in an order that changes the last bits when the terms span many magnitudes."""
    rng = np.random.default_rng(seed)
    table = np.exp(rng.normal(0, 20, (r, n)))
    table[rng.random((r, n)) < zeros] = 0.0
    want = table.sum(axis=1)
    got = location.row_sums(table.T.copy())  # a copy: row_sums writes into its argument
    assert got.tobytes() == want.tobytes()


@given(
    arrays(np.float64, st.integers(0, 60), elements=st.floats(0, 80)),
    st.sampled_from([0.25, 1.0, 1 / 12, 7.0]),
    st.sampled_from([20.0, 15.0, 0.5, 30.3]),
)
@settings(max_examples=80, deadline=None)
def test_plant_ages_wrap_as_np_mod_to_the_bit(years, dt, life):
    """Plants age and a worn-out one starts again from 0: the same numbers as ``np.mod``."""
    assert costs.age(years, dt, life).tobytes() == np.mod(years + dt, life).tobytes()
