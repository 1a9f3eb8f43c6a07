"""Collection never mixes configurations, even without the sweep record; a swapped job folder is
told apart; a sweep whose values have several types still gives a table."""

import json
import shutil

import pandas as pd

from sim.runs import store as outputs
from sim.runs import sweep_record
from sim.runs.collect import collect
from tests.helpers import fake_run


def _job(d, overrides, config, shared=None, value=1.0):
    fake_run(
        d, overrides, config, value, folder=d.name, **({"sweep_shared": shared} if shared else {})
    )


def _sweep(tmp_path, years=2):
    s = tmp_path / "sweep"
    shared = {"run.years": years}
    for seed in (0, 1, 2):
        _job(
            s / f"run.seed={seed}",
            [f"run.seed={seed}"],
            {"run": {"years": years, "seed": seed}},
            shared,
        )
    return s


def test_without_the_sweep_record_a_job_of_another_configuration_is_left_out(tmp_path, capsys):
    s = _sweep(tmp_path)
    assert sweep_record.read(s) is None  # a copy-back that skipped hidden files
    _job(s / "run.seed=3", ["run.seed=3"], {"run": {"years": 5, "seed": 3}}, {"run.years": 5})
    summary, _ = collect(s)
    assert sorted(summary["run.seed"]) == [0, 1, 2]
    assert "another configuration, left out: run.seed=3" in capsys.readouterr().err


def test_a_swapped_job_folder_is_told_apart(tmp_path, capsys):
    s = _sweep(tmp_path)
    a, b, tmp = s / "run.seed=0", s / "run.seed=1", s / "swap"
    shutil.move(a, tmp)
    shutil.move(b, a)
    shutil.move(tmp, b)
    summary, _ = collect(s)
    assert list(summary["run.seed"]) == [2]
    assert "its results are those of run.seed=1" in capsys.readouterr().err


def test_a_sweep_of_values_of_several_types_gives_a_table(tmp_path):
    s = tmp_path / "sweep"
    for value in ("1", "abc"):
        _job(s / f"policy.name={value}", [f"policy.name={value}"], {"run": {"years": 2}})
    summary, series = collect(s)
    assert sorted(summary["policy.name"]) == ["1", "abc"]
    assert (s / "summary.parquet").exists() and (s / "timeseries.parquet").exists()
    assert sorted(pd.read_parquet(s / "summary.parquet")["policy.name"]) == ["1", "abc"]


def test_a_job_records_its_folder_and_the_sweeps_shared_values(tmp_path):
    from tests.helpers import run_cli

    sweep = tmp_path / "s"
    r = run_cli(
        "-m",
        "run.progress=off",
        "run.seed=0,1",
        f"hydra.sweep.dir={sweep}",
        "run.years=1",
        "geography.n_firms=300",
    )
    assert r.returncode == 0, r.stderr
    job = next(d for d in sweep.iterdir() if "run.seed=0" in d.name)
    marker = json.loads((job / outputs.MARKER).read_text())
    assert marker["folder"] == job.name and marker["sweep_shared"]["run.years"] == 1
    (sweep / sweep_record.RECORD).unlink()
    summary, _ = collect(sweep)
    assert sorted(summary["run.seed"]) == [0, 1]
