"""Every command fails with a message, never a traceback, and never writes where it should not."""

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

import sim
from sim.params import checks as preflight
from sim.params.schema import ConfigError
from sim.runs.runner import simulate
from sim.world.geography import GeographyError, data_path, load_file


@pytest.mark.parametrize("bad", ["scenario=full", ["scenario=full"], 3, {1: 2}])
def test_evaluate_with_the_wrong_types_is_a_clear_type_error(bad):
    with pytest.raises(TypeError, match="dict of dotted keys|dotted config keys"):
        sim.evaluate(bad)


def test_evaluate_takes_no_interpolation_from_a_value():
    with pytest.raises(ConfigError, match="not interpolations"):
        sim.evaluate({"policy.name": "${oc.env:HOME}"})


def test_evaluate_many_checks_every_dict_before_composing(monkeypatch):
    from sim.params import compose as composing

    calls = []
    monkeypatch.setattr(composing, "_compose", lambda ov: calls.append(ov))
    with pytest.raises(ConfigError, match=r"(?s)overrides\[2\].*unknown"):
        sim.evaluate_many([{"run.years": 1}, {"run.years": 1}, {"run.yeers": 1}], n_jobs=1)
    assert calls == []  # the bad key was found before any composition
    with pytest.raises(TypeError, match="list of dicts"):
        sim.evaluate_many({"run.years": 1})


def test_evaluate_many_runs_the_configs_it_checked():
    rows = sim.evaluate_many(
        [{"run.years": 1, "geography.n_firms": 300, "run.seed": s} for s in (0, 0)], n_jobs=1
    )
    assert (
        rows[0]
        == rows[1]
        == sim.evaluate({"run.years": 1, "geography.n_firms": 300, "run.seed": 0})
    )


@pytest.mark.parametrize(
    "argv",
    [["hydra.run.dir="], ["hydra.run.dir=''"], ["-m", "hydra.sweep.dir="], ["hydra.run.dir=."]],
)
def test_an_empty_or_project_results_folder_is_refused(argv):
    from tests.helpers import ROOT

    with pytest.raises(ConfigError, match="folder"):
        import os

        old = os.getcwd()
        os.chdir(ROOT)
        try:
            preflight.check_command(argv)
        finally:
            os.chdir(old)


def test_a_park_capacity_that_overflows_is_refused(tmp_path):
    raw = yaml.safe_load(data_path("fujian_ningxia").read_text(encoding="utf-8"))
    raw["parks"][0]["capacity"] = 1e300
    path = tmp_path / "g.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(GeographyError, match="at most"):
        load_file(str(path))


def test_a_valid_large_seed_runs_every_replication():
    seed = (2**63 - 1) // 3 - 1  # run.seed*3 + 2 is the largest 64-bit integer
    cfg = sim.compose(
        {"run.seed": seed, "run.replications": 3, "run.years": 1, "geography.n_firms": 300}
    )
    model = simulate(cfg, seed=seed * 3 + 2)
    assert math.isfinite(model.summary()["west_jobs_local"])


@pytest.mark.parametrize(
    "argv,message",
    [
        (["-m", "hydra/launcher=joblib", "hydra.launcher.poll_s=-1"], "Could not override"),
        (["-m", "hydra/launcher=slurm", "hydra.launcher.poll_s=-1"], "poll_s = -1"),
        (["-m", "hydra/launcher=slurm", "hydra.launcher.poll_s=0"], "poll_s = 0"),
    ],
)
def test_a_launcher_setting_that_would_fail_later_is_refused_first(argv, message):
    with pytest.raises(ConfigError, match=message):
        preflight.check_command(argv)


def test_a_slurm_sweep_without_sbatch_is_one_message_before_submitting(tmp_path, monkeypatch):
    from sim.runs import sweep_record

    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))  # python, but no sbatch
    sweep = tmp_path / "s"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim.run",
            "-m",
            "hydra/launcher=slurm",
            "run.seed=0,1,2",
            "run.years=1",
            f"hydra.sweep.dir={sweep}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.count("sbatch") == 1 and "no log names it" not in r.stderr, r.stderr
    assert not (sweep / ".submitit").exists() and sweep_record.read(sweep) is not None


def test_a_refused_submission_is_told_once_and_running_jobs_never_as_never_started(
    tmp_path, monkeypatch
):
    from omegaconf import OmegaConf

    from sim.hydra import callback, launcher, sweeper

    class Executor:
        def map_array(self, *args):
            raise RuntimeError(
                "sbatch: error: Batch job submission failed: Invalid partition name specified"
            )

    slurm = launcher.SlurmLauncher.__new__(launcher.SlurmLauncher)
    slurm.config, slurm.params = OmegaConf.create({"hydra": {"sweep": {"dir": str(tmp_path)}}}), {}
    monkeypatch.setattr(slurm, "_executor", lambda: Executor())
    monkeypatch.setattr(
        launcher.shutil, "which", lambda name: f"/usr/bin/{name}"
    )  # as on a login node
    with pytest.raises(
        launcher.NotSubmitted, match="none was submitted: sbatch: error: .*Invalid partition"
    ):
        slurm.launch([["run.seed=0"], ["run.seed=1"]], 0)

    covering = sweeper.CoveringSweeper.__new__(sweeper.CoveringSweeper)
    covering.config = OmegaConf.create(
        {
            "hydra": {
                "sweep": {"dir": str(tmp_path)},
                "job": {"config": {"override_dirname": {"exclude_keys": []}}},
            }
        }
    )
    covering.launcher = slurm
    monkeypatch.setattr(callback, "FAILURES", [])
    monkeypatch.setattr(sweeper, "FAILURES", callback.FAILURES)
    covering.launch([["run.seed=0"], ["run.seed=1"], ["run.seed=2"]], 0)
    assert len(callback.FAILURES) == 1 and "none was submitted" in callback.FAILURES[0]
    assert "never started" not in callback.FAILURES[0]


def test_jobs_whose_queue_cannot_be_watched_are_said_to_be_maybe_running(tmp_path, monkeypatch):
    from omegaconf import OmegaConf

    from sim.hydra import launcher

    class Job:
        job_id = "42"

    class Executor:
        def map_array(self, *args):
            return [Job(), Job()]

    def lost(jobs, poll_s):
        raise OSError("squeue: error: slurm_load_jobs error: Unable to contact slurm controller")

    slurm = launcher.SlurmLauncher.__new__(launcher.SlurmLauncher)
    slurm.config, slurm.params = OmegaConf.create({"hydra": {"sweep": {"dir": str(tmp_path)}}}), {}
    monkeypatch.setattr(slurm, "_executor", lambda: Executor())
    monkeypatch.setattr(
        launcher.shutil, "which", lambda name: f"/usr/bin/{name}"
    )  # as on a login node
    monkeypatch.setattr(launcher, "wait", lost)
    with pytest.raises(launcher.SubmittedNotFollowed, match="may still be running") as err:
        slurm.launch([["run.seed=0"], ["run.seed=1"]], 0)
    assert "never started" not in str(err.value) and "42" in str(err.value)


def test_numpy_values_still_work():
    assert (
        sim.evaluate({"run.years": np.int64(1), "geography.n_firms": np.float64(300.0)})[
            "firms_in_west"
        ]
        >= 0
    )
