"""Accounting identities at every step, on several seeds and scenarios."""

import numpy as np
import pytest

from sim.model.mechanisms.labour import MIGRANT, MOBILE
from sim.model.mechanisms.location import BRANCH, EXITED, HOME, RELOCATED
from tests.helpers import model

CASES = [("baseline", 0), ("pairing", 1), ("enclave", 2), ("full", 3), ("labour", 4)]


@pytest.mark.parametrize("scenario,seed", CASES)
def test_identities_hold_every_step(scenario, seed):
    m = model({"scenario": scenario, "run.seed": seed, "run.years": 4, "geography.n_firms": 3000})
    headcount = m.labour.people.sum(axis=(1, 2, 3)).copy()
    n_start = m.firms.state.size
    moved = 0
    for _ in range(m.n_steps):
        m.step()
        f, pk, c, lab = m.firms, m.parks, m.counties, m.labour
        # each labour pool's headcount is conserved across statuses; no negative cell
        np.testing.assert_allclose(lab.people.sum(axis=(1, 2, 3)), headcount, rtol=1e-9)
        assert lab.people.min() >= -1e-9
        # immobile people never migrate
        assert np.allclose(lab.people[:, :, 1 - MOBILE, MIGRANT], 0)
        # firm states sum to the firm count (the starting pool plus entrants); park occupancy is
        # exactly its tenants
        counts = [int((f.state == s).sum()) for s in (HOME, BRANCH, RELOCATED, EXITED)]
        assert sum(counts) == f.state.size == n_start + m.choices.entered
        assert all(getattr(f, k).size == f.state.size for k in vars(f))
        in_west = (f.state == BRANCH) | (f.state == RELOCATED)
        assert (f.park[in_west] >= 0).all() and (f.park[~in_west] == -1).all()
        np.testing.assert_array_equal(
            np.bincount(f.park[in_west], minlength=pk.capacity.size), pk.occupancy
        )
        # occupancy never exceeds capacity
        assert (pk.occupancy <= np.floor(pk.capacity + 1e-9)).all()
        # the tax split sums to the tax paid
        t = m.taxes
        np.testing.assert_allclose(t.upper + t.west + t.east, t.paid, rtol=1e-12)
        assert (t.east >= 0).all() and (t.west >= -1e-9).all()
        # spending never exceeds revenue plus allowed borrowing
        b = m.budget
        assert (b.borrowing <= b.headroom + 1e-6).all()
        assert (
            b.debt_service + b.subsidy + b.infrastructure + b.workshops + b.training + b.repayment
            <= b.discretionary + b.borrowing + 1e-6
        ).all()
        assert (c.debt >= -1e-6).all()
        moved = max(moved, counts[1] + counts[2])
    assert moved > 0, "no firm ever moved: the identities were not exercised"


def test_enclave_tax_goes_east_only_from_enclave_parks():
    m = model({"scenario": "enclave", "run.seed": 1, "run.years": 4})
    m.run()
    f, pk = m.firms, m.parks
    in_west = (f.state == BRANCH) | (f.state == RELOCATED)
    assert m.taxes.east.sum() > 0
    local_tax_parks = ~pk.enclave[f.park[in_west]]
    assert np.all(m.taxes.east[local_tax_parks] == 0)
