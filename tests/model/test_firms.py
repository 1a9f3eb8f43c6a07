"""Firms move west because it pays: choices follow measured margins, exit agrees
with staying, the pool neither drains nor jumps, plants take time (the enclave contract:
tests/model/test_enclave.py).

Each check averages over seeds with a margin a broken mechanism would fail."""

import functools

import numpy as np
import pytest

from sim.params.compose import compose
from sim.runs.runner import simulate
from tests.helpers import mean_over_seeds, model

SEEDS = range(3)


@functools.cache
def timeseries(scenario: str, seed: int, **extra):
    return simulate(compose({"scenario": scenario, "run.seed": seed, **extra})).timeseries()


def test_most_moves_pay_in_full():
    share = mean_over_seeds({"scenario": "full"}, "moves_paying_share", SEEDS)
    gain = mean_over_seeds({"scenario": "full"}, "mover_gain_mean", SEEDS)
    assert share > 0.5, share
    assert gain > 0, gain


@pytest.mark.parametrize("factor", [0.5, 2.0])
def test_relocation_is_not_driven_by_the_taste_scale(factor):
    default = compose({}).economy.logit_scale
    base = mean_over_seeds({"scenario": "full"}, "firms_in_west", SEEDS)
    other = mean_over_seeds(
        {"scenario": "full", "economy.logit_scale": default * factor}, "firms_in_west", SEEDS
    )
    assert 0.5 < other / base < 2.0, (base, other)


def test_exits_come_smoothly_and_the_pool_holds():
    for seed in SEEDS:
        ts = timeseries("baseline", seed)
        exits = np.diff(ts.firms_exited.to_numpy())
        assert exits.max() <= 3 * exits.mean() + 10, (seed, exits.max(), exits.mean())
        active = ts.firms_active.to_numpy()
        assert (np.abs(active / active[0] - 1) <= 0.3).all(), (seed, active.min(), active.max())
        assert ts.firms_entered_cum.iloc[-1] > 0 and ts.firms_exited.iloc[-1] > 0


def test_labour_intensive_light_goods_move_first_and_heavy_goods_stay():
    for seed in SEEDS:
        m = simulate(compose({"scenario": "full", "run.seed": seed}))
        f, names = m.firms, list(m.sectors.name)
        west = (f.state == 1) | (f.state == 2)
        pool = f.state != 3
        textiles = np.isin(f.sector, [names.index("textiles"), names.index("footwear")])
        heavy = f.sector == names.index("building_materials")
        assert textiles[west].mean() > textiles[pool].mean(), seed
        assert heavy[west & (f.state == 2)].sum() == 0, (
            seed
        )  # a full move never pays for cement-like goods


def test_effects_build_up_over_years():
    gain = {}
    for year in (1, 5):
        step = year * 4
        diffs = [
            timeseries("full", s).west_park_jobs.iloc[step]
            - timeseries("baseline", s).west_park_jobs.iloc[step]
            for s in SEEDS
        ]
        gain[year] = float(np.mean(diffs))
    assert gain[5] > 0 and gain[1] < 0.3 * gain[5], gain


def test_relocated_firms_review_again():
    m = model({"scenario": "full", "run.seed": 0, "run.years": 4})
    reviewed_moved = 0
    for _ in range(12):
        before = m.firms.state.copy()
        m.step()
        i = m.last_choice.firms
        reviewed_moved += int((before[i[i < before.size]] == 2).sum())
    assert reviewed_moved > 0
