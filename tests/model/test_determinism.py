"""Same config and seed → identical outcome tables; different seeds → different ones."""

import pandas as pd

from tests.helpers import model


def _tables(seed):
    m = model({"scenario": "full", "run.seed": seed, "run.years": 3, "geography.n_firms": 3000})
    m.run()
    return m.timeseries(), m.regions(), m.summary()


def test_same_seed_same_tables():
    a, b = _tables(7), _tables(7)
    pd.testing.assert_frame_equal(a[0], b[0], check_exact=True)
    pd.testing.assert_frame_equal(a[1], b[1], check_exact=True)
    assert a[2] == b[2]


def test_different_seed_different_tables():
    a, b = _tables(7), _tables(8)
    assert not a[0].equals(b[0])
    assert a[2] != b[2]
    assert not a[1].equals(b[1])
