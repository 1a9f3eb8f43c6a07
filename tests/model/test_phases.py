"""The step is data: ``TransferModel.PHASES`` in order, and the benchmark times the same phases."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.workers import MECHANISMS, timed_step
from sim.model import phases
from sim.model.transfer import TransferModel
from tests.helpers import model

SMALL = {"geography.n_firms": 600, "run.years": 1}


def _recording(calls: list) -> tuple:
    """PHASES wrapped so each call appends its name to ``calls``."""

    def wrap(phase):
        def recorded(m):
            calls.append(phase.__name__)
            phase(m)

        recorded.__name__ = phase.__name__
        return recorded

    return tuple(wrap(p) for p in TransferModel.PHASES)


def test_step_runs_exactly_the_phases_in_order(monkeypatch):
    calls: list[str] = []
    m = model(SMALL)
    monkeypatch.setattr(TransferModel, "PHASES", _recording(calls))
    m.step()
    m.step()
    expected = [p.__name__ for p in _recording([])]
    assert calls == expected * 2
    assert m.t == 2


def test_phases_follow_the_process_order_of_the_odd():
    names = [p.__name__ for p in TransferModel.PHASES]
    assert names == [
        "drift_costs",
        "governments_act",
        "firm_demography",
        "firms_choose",
        "parks_admit",
        "labour_market",
        "produce_and_pay",
        "advance_clock",
        "record",
    ]
    assert all(getattr(phases, n) is p for n, p in zip(names, TransferModel.PHASES, strict=True))


def test_the_benchmark_times_the_models_own_phases(monkeypatch):
    calls: list[str] = []
    m = model(SMALL)
    monkeypatch.setattr(TransferModel, "PHASES", _recording(calls))
    acc: dict = {}
    timed_step(m, acc)
    assert calls == [p.__name__ for p in TransferModel.PHASES]
    assert list(acc) == calls == list(MECHANISMS)


@pytest.mark.parametrize(
    "overrides", [{"scenario": "full", "run.seed": 3}, {"scenario": "enclave", "run.seed": 1}]
)
def test_a_benchmark_step_is_a_model_step(overrides):
    a, b = model({**SMALL, **overrides}), model({**SMALL, **overrides})
    for _ in range(a.n_steps):
        a.step()
        timed_step(b, {})
    assert a.t == b.t
    for k in a.history:
        np.testing.assert_array_equal(a.history[k], b.history[k], err_msg=k)
