"""The policy search's machinery (sim.studies.policy_search) on a toy objective built from the
model's enclave mechanisms: it finds a known optimum, keeps to the budget in every run, resumes a
killed search without repeating finished mixes, and proposes the same mixes for the same seed."""

import multiprocessing
import os
import signal
import time

import numpy as np
import pytest

from sim.model.mechanisms.enclave import best_response, value_per_firm
from sim.params.schema import ConfigError
from sim.studies import policy_search as ps

SHARE = "policy.enclave.tax_share_east"
LAM, ROOM = np.array([6.0, 4.0, 3.0]), np.array([2.0, 3.0, 1.0])
TAX = 2e6


def toy(params: dict, draw: int, seed: int) -> dict:
    """Three enclave parks' operators answer the tax share with their effort
    (:func:`best_response`); the west keeps (1 − share) of the tax of the firms landed: zero at
    share 0 (no effort) and at 1 (nothing kept), highest in between. The draw raises the
    operators' effort cost; the operators' spending is the eastern cost."""
    s = params[SHARE]
    value = value_per_firm(s, np.array([0.9, 0.8, 0.7]), TAX, 10.0, 2.0)
    choice = best_response(
        value,
        LAM,
        ROOM,
        slots_per_yuan=1e-7,
        coinvest_max=5e7,
        fixed_cost=1e6,
        effort_cost=2e7 * (1 + 0.2 * draw),
    )
    landed = np.minimum(LAM * choice.effort, ROOM + choice.coinvest * 1e-7)
    return {
        "west_fiscal_balance": float(((1 - s) * TAX * landed).sum()),
        "east_cost": float(choice.cost.sum()),
        "west_cost": 0.0,
    }


def slow_toy(params, draw, seed):
    time.sleep(0.05)
    return toy(params, draw, seed)


def spec(**kw) -> ps.Spec:
    base = dict(
        levers={SHARE: (0.0, 1.0)},
        objectives=["west_fiscal_balance"],
        budget_east=1e9,
        budget_west=1e9,
        trials=24,
        batch=6,
        draws=3,
        seeds=1,
        quantile=0.1,
        seed=0,
    )
    return ps.Spec(**(base | kw))


def robust(sp: ps.Spec, share: float) -> float:
    return ps.score(sp, [toy({SHARE: share}, d, s) for d, s in sp.runs])[0][0]


def test_finds_a_known_optimum_inside_the_bounds(tmp_path):
    sp = spec()
    grid = np.linspace(0, 1, 1001)
    scores = np.array([robust(sp, s) for s in grid])
    best = scores.max()
    assert 0.1 < grid[scores.argmax()] < 0.9  # the optimum lies inside the bounds
    ps.run_worker(tmp_path, sp, toy, poll_s=0.01)
    table = ps.trials_table(tmp_path, sp)
    assert len(table) == sp.trials
    found = table.loc[table["west_fiscal_balance"].idxmax()]
    assert found["west_fiscal_balance"] >= 0.97 * best
    near = grid[scores >= 0.97 * best]
    assert near.min() - 0.02 <= found[SHARE] <= near.max() + 0.02
    assert table[SHARE].between(0, 1).all()


def test_a_mix_found_under_a_budget_stays_within_it_in_every_run(tmp_path):
    sp = spec(budget_east=8e6, budget_levels=[0.5, 1.0])
    ps.run_worker(tmp_path, sp, toy, poll_s=0.01)
    table = ps.trials_table(tmp_path, sp)
    assert 0 < table["feasible"].sum() < len(table)  # the budget binds
    best = ps.best_per_budget(table, sp)
    assert len(best) == 2
    for _, row in best.iterrows():
        for d, s in sp.runs:  # every evaluated draw, recomputed from the mix's levers
            run = toy({SHARE: row[SHARE]}, d, s)
            assert run["east_cost"] <= row["budget_level"] * sp.budget_east
    # the unconstrained optimum costs more than the budget: the budget changed the answer
    assert best.iloc[-1]["west_fiscal_balance"] < table["west_fiscal_balance"].max()


def _worker(folder, sp):
    ps.run_worker(folder, sp, slow_toy, poll_s=0.01)


def test_a_mix_taken_by_a_worker_killed_before_it_claimed_it_is_queued_again(tmp_path):
    # a worker killed between taking a mix (study.ask) and writing its token on it leaves a
    # running mix with no owner: once older than stale_s it is failed and queued again
    optuna = pytest.importorskip("optuna")
    sp = spec(trials=4, batch=2)
    study = ps.open_study(tmp_path, sp)
    ps._fill_queue(study, sp, tmp_path)
    orphan = study.ask(ps.distributions(sp))  # taken, never claimed
    assert "worker" not in orphan.user_attrs and ps.CANDIDATE in orphan.user_attrs
    assert ps.requeue_dead(study, tmp_path, stale_s=60.0) == 0  # too young to be orphaned
    ps.run_worker(tmp_path, sp, toy, poll_s=0.01, stale_s=0.0)
    trials = ps.open_study(tmp_path, sp).get_trials()
    complete = [t for t in trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert sorted(t.user_attrs[ps.CANDIDATE] for t in complete) == list(range(sp.trials))
    assert trials[orphan.number].state == optuna.trial.TrialState.FAIL


def test_a_killed_search_resumes_without_repeating_finished_mixes(tmp_path):
    optuna = pytest.importorskip("optuna")
    sp = spec(trials=12, batch=4)
    ctx = multiprocessing.get_context("fork")
    p = ctx.Process(target=_worker, args=(tmp_path, sp))
    p.start()
    study = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.05)
        if (tmp_path / "journal.log").exists():
            study = ps.open_study(tmp_path, sp)
            done = study.get_trials(states=(optuna.trial.TrialState.COMPLETE,))
            if len(done) >= 5:
                break
    os.kill(p.pid, signal.SIGKILL)
    p.join()
    assert study is not None
    before = {
        t.number: t.datetime_complete
        for t in ps.open_study(tmp_path, sp).get_trials()
        if t.state == optuna.trial.TrialState.COMPLETE
    }
    assert 5 <= len(before) < sp.trials
    # stale_s: a mix the kill left unclaimed (taken, no token yet) is requeued after 1 s
    ps.run_worker(tmp_path, sp, slow_toy, poll_s=0.01, stale_s=1.0)
    trials = ps.open_study(tmp_path, sp).get_trials()
    complete = [t for t in trials if t.state == optuna.trial.TrialState.COMPLETE]
    candidates = [t.user_attrs[ps.CANDIDATE] for t in complete]
    assert sorted(candidates) == list(range(sp.trials))  # each mix finished exactly once
    for t in complete:  # the finished ones were kept, not run again
        if t.number in before:
            assert t.datetime_complete == before[t.number]
    assert not [t for t in trials if t.state == optuna.trial.TrialState.RUNNING]
    killed = [t for t in trials if t.user_attrs.get("requeued")]
    assert all(t.state == optuna.trial.TrialState.FAIL for t in killed)


def test_same_seed_same_mixes_whatever_the_number_of_workers(tmp_path):
    sp = spec(trials=12, batch=4)
    ps.run_worker(tmp_path / "one", sp, toy, poll_s=0.01)
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_worker, args=(tmp_path / "two", sp)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    one, two = (ps.trials_table(tmp_path / f, sp) for f in ("one", "two"))
    assert one[SHARE].tolist() == two[SHARE].tolist()
    ps.run_worker(tmp_path / "seed1", spec(trials=12, batch=4, seed=1), toy, poll_s=0.01)
    three = ps.trials_table(tmp_path / "seed1", spec(trials=12, batch=4, seed=1))
    assert three[SHARE].tolist() != one[SHARE].tolist()


def test_levers_keep_to_their_schema_range():
    bounds = ps.lever_bounds(["policy.pairing.promotion"], [])
    assert bounds == {"policy.pairing.promotion": (0.5, 1.5)}  # its prior's range
    with pytest.raises(ConfigError, match="leaves its range"):
        ps.lever_bounds([SHARE], [f"{SHARE}:0:1.5"])
    with pytest.raises(ConfigError, match="not a numeric policy lever"):
        ps.lever_bounds(["economy.wage_east"], [])
    with pytest.raises(ConfigError, match="does not list"):
        ps.lever_bounds([SHARE], ["policy.pairing.promotion:0.5:1"])


def test_the_dashboard_loads_a_mix_of_the_front_into_the_levers(tmp_path):
    from sim.dashboard.figures import front_figure
    from sim.dashboard.view import View, mix_label, mix_view, search_front

    sp = spec(trials=6, batch=3)
    ps.run_worker(tmp_path, sp, toy, poll_s=0.01)
    table = ps.trials_table(tmp_path, sp)
    front = ps.pareto_front(table, "west_fiscal_balance", "public_cost_max")
    table["on_front"] = table["candidate"].isin(front["candidate"])
    table["overrides"] = [
        f"experiment=policy_search run.years=2 {SHARE}={s!r}" for s in table[SHARE]
    ]
    table = table.rename(
        columns={
            "west_fiscal_balance": "west_fiscal_balance [yuan/year]",
            "public_cost_max": "public_cost_max [yuan/year]",
        }
    )
    table.to_csv(tmp_path / "policy_search.csv", index=False)
    shown = search_front(tmp_path / "policy_search.csv")
    assert len(shown) == len(front) and shown["public_cost_max [yuan/year]"].is_monotonic_increasing
    assert search_front(tmp_path / "missing.csv") is None
    row = shown.iloc[-1]
    assert mix_label(row).startswith(f"mix {int(row['candidate'])}: west_fiscal_balance")
    loaded = mix_view(row, View(scenario="labour", seed=4))
    assert (loaded.scenario, loaded.seed) == ("full", 4)
    assert dict(loaded.levers)[SHARE] == pytest.approx(row[SHARE])
    assert front_figure(shown).axes


def test_the_sweep_counts_its_progress_in_mixes(tmp_path, capsys):
    import threading

    from omegaconf import OmegaConf

    from sim.hydra import callback

    config = OmegaConf.create(
        {
            "study": "policy_search",
            "search": {"trials": 3},
            "hydra": {"sweep": {"dir": str(tmp_path)}},
        }
    )
    folder, total, unit = callback._own_progress(config)
    assert (folder, total, unit) == (tmp_path / ps.FOLDER / "done", 3, "mix")
    folder.mkdir(parents=True)
    for c in (0, 1):
        (folder / str(c)).touch()
    stop = threading.Event()
    stop.set()
    callback._watch(folder, total, stop, False, unit)
    assert "sweep: 2/3 mixes done" in capsys.readouterr().err
