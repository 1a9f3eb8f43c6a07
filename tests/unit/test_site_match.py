"""The firm's match with a place: a mean-one lognormal of the stated spread, fixed per firm and
place, independent across places, and not changed by which other places exist."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.mechanisms.site_match import place_codes, site_match


def _keys(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 2**64 - 1, n, dtype=np.uint64, endpoint=True)


@given(sd=st.floats(0.02, 0.5), seed=st.integers(0, 1000))
@settings(max_examples=20, deadline=None)
def test_the_match_is_mean_one_lognormal_with_the_stated_spread(sd, seed):
    keys = _keys(50_000, seed)
    match = site_match(keys, np.full(keys.size, place_codes(["Qujing"])[0]), sd)
    assert match.mean() == pytest.approx(1.0, abs=4 * np.sqrt(np.exp(sd**2) - 1) / 220)
    assert np.log(match).std() == pytest.approx(sd, rel=0.03)


def test_the_match_is_fixed_per_pair_and_independent_across_places():
    keys = _keys(20_000)
    a, b = place_codes(["Qujing", "Zhaotong"])
    here = site_match(keys, np.full(keys.size, a), 0.2)
    assert np.array_equal(here, site_match(keys.copy(), np.full(keys.size, a), 0.2))
    there = site_match(keys, np.full(keys.size, b), 0.2)
    assert abs(np.corrcoef(np.log(here), np.log(there))[0, 1]) < 0.03
    # a place's code depends on its name only, not on the other places listed
    assert place_codes(["Zhaotong"])[0] == b


def test_no_spread_is_no_match():
    assert (site_match(_keys(10), np.zeros(10, np.uint64), 0.0) == 1.0).all()
