"""The policy search as a user runs it: a smoke-sized search through ``python -m sim.run -m
experiment=policy_search`` (two workers sharing the journal), its table, a mix reproduced from
its row, and the same command run again resuming a complete search without running any mix."""

from __future__ import annotations

import json
import shlex

import pandas as pd
import pytest

from sim.params import schema
from sim.studies import policy_search as ps
from tests.helpers import run_cli

SMOKE = [
    "search.trials=4",
    "search.batch=2",
    "search.draws=2",
    "search.seeds=1",
    "run.years=1",
    "geography.n_firms=300",
    "run.progress=off",
]


@pytest.fixture(scope="module")
def searched(tmp_path_factory):
    folder = tmp_path_factory.mktemp("policy_search")
    r = run_cli("-m", "experiment=policy_search", *SMOKE, f"hydra.sweep.dir={folder}")
    assert r.returncode == 0, r.stderr[-3000:]
    return folder, r


def test_the_search_writes_its_table_with_levers_in_range_and_overrides(searched):
    folder, r = searched
    table = pd.read_csv(folder / "policy_search.csv")
    mixes = table[table["kind"] == "search"]
    assert sorted(mixes["candidate"]) == [0, 1, 2, 3]
    assert set(table.loc[table["kind"] == "scenario", "scenario"]) == set(ps.SCENARIOS)
    fields = dict(schema.schema_fields())
    for key in schema.SEARCH_LEVERS:
        m = fields[key].metadata
        assert mixes[key].between(m["lo"], m["hi"] if m["hi"] is not None else float("inf")).all()
    assert "west_jobs_local [persons]" in table and "public_cost_max [yuan/year]" in table
    assert (folder / "figures" / "policy_search.png").exists()
    assert "Robust best mix per budget level" in r.stdout


def test_a_mix_is_reproduced_from_its_row(searched):
    folder, _ = searched
    table = pd.read_csv(folder / "policy_search.csv")
    row = table[table["kind"] == "search"].iloc[0]
    overrides = shlex.split(row["overrides"])
    spec = ps.spec_of(ps.compose_search(overrides))
    study = ps.open_study(folder / ps.FOLDER, spec)
    trial = next(
        t
        for t in study.get_trials()
        if t.state.name == "COMPLETE" and t.user_attrs[ps.CANDIDATE] == row["candidate"]
    )
    levers = [o for o in overrides if o.split("=")[0] in spec.levers]
    base = [o for o in overrides if o not in levers]
    again = ps.ModelGains(base, spec)(
        {o.split("=")[0]: float(o.split("=")[1]) for o in levers}, 0, 0
    )
    assert again == pytest.approx(trial.user_attrs["runs"][0], rel=1e-12, abs=1e-9)


def test_the_same_command_resumes_a_complete_search_without_running_a_mix(searched):
    # the workers' jobs are complete, so none starts again, and no mix runs again
    folder, _ = searched

    def finished():
        spec = ps._spec_from_sweep(folder)
        trials = ps.open_study(folder / ps.FOLDER, spec).get_trials()
        return [(t.number, t.datetime_complete) for t in trials if t.state.name == "COMPLETE"]

    before = finished()
    r = run_cli("-m", "experiment=policy_search", *SMOKE, f"hydra.sweep.dir={folder}")
    assert r.returncode == 0, r.stderr[-3000:]
    assert finished() == before and len(before) == 4
    # the finished workers' jobs are complete: none is launched again
    assert "2 of 2 jobs complete already, not launched" in r.stderr, r.stderr[-3000:]
    assert json.loads((folder / ps.FOLDER / "base_overrides.json").read_text())[0] == (
        "experiment=policy_search"
    )


def test_the_checks_score_the_best_mixes_on_draws_the_search_did_not_see(searched, monkeypatch):
    from dataclasses import replace

    import numpy as np

    from sim.studies import policy_search_checks as checks

    folder, _ = searched
    spec = ps._spec_from_sweep(folder)
    held = checks.holdout(folder, top=2, workers=1)
    assert set(ps.SCENARIOS) <= set(held["mix"])
    table = pd.read_csv(folder / "policy_search.csv")
    mixes = held[held["mix"].str.startswith("mix")]
    feasible = table[(table["kind"] == "search") & table["feasible"]]
    assert len(mixes) >= min(2, len(feasible))
    # the held-out score is the same quantile over draws 2 and 3 of a 4-draw design
    row = mixes.iloc[0]
    cand = table[table["candidate"] == int(row["mix"].split()[1])].iloc[0]
    base = json.loads((folder / ps.FOLDER / "base_overrides.json").read_text())
    gains = ps.ModelGains(base, replace(spec, draws=4))
    runs = [gains({k: float(cand[k]) for k in spec.levers}, d, 0) for d in (2, 3)]
    o = spec.objectives[0]
    assert row[f"heldout_{o}"] == pytest.approx(np.quantile([r[o] for r in runs], spec.quantile))
    # cached: a second check runs no model
    monkeypatch.setattr(ps, "_simulate", lambda ov: pytest.fail(f"ran a model again: {ov}"))
    again = checks.holdout(folder, top=2, workers=1)
    pd.testing.assert_frame_equal(again, held)
    monkeypatch.undo()
    line = checks.lines(folder, n_levers=1, points=3, workers=1)
    assert len(line) == 3 and line["lever"].nunique() == 1
    lo, hi = spec.levers[line["lever"].iloc[0]]
    assert line["value"].tolist() == pytest.approx([lo, (lo + hi) / 2, hi])
    assert (folder / "policy_search_holdout.csv").exists()
    assert (folder / "policy_search_lines.csv").exists()
