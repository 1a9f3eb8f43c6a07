"""The worked examples in experiments/ drive the model from SALib and EMA workbench with their own
numpy types."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest

from tests.helpers import ROOT


def _example(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "experiments" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_salib_example_passes_numpy_rows_and_gets_indices():
    ex = _example("salib_example")
    prob, X, Y, Si = ex.run(n=2, years=2, firms=800, n_jobs=1)
    assert isinstance(X[0, 0], np.float64) and len(Y) == 2 * (len(ex.PARAMETERS) + 2)
    assert np.isfinite(Y).all() and len(Si["ST"]) == len(ex.PARAMETERS)
    lows, highs = np.array(prob["bounds"]).T
    assert ((X >= lows) & (X <= highs)).all()


def test_ema_example_runs_experiments_and_prim():
    pytest.importorskip("ema_workbench")
    ex = _example("ema_prim_example")
    experiments, outcomes, box = ex.run(n=6, years=2, firms=800)
    assert len(experiments) == 6 and np.isfinite(outcomes["jobs_gain"]).all()
    assert "float64" in ex.SEEN_TYPES  # EMA's own numpy values reached sim.evaluate
    assert (outcomes["east_cost"] > 0).all()  # the enclave scenario costs the east
    assert 0 < box.coverage <= 1
