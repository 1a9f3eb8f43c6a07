"""The calibration command: bad input ends in a message before any simulation, one calibration
per checkpoint (local or Slurm), SIGTERM stops it and its workers, and it writes no tracked file."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from sim.analysis.calibration import cli, experiment, fit
from sim.params import draws
from sim.world.geography import WORLD_DIR
from tests.helpers import ROOT

GEO = "shanghai_yunnan"


@pytest.fixture
def world(tmp_path, monkeypatch):
    """A copy of the calibration's input files that a test may break; fitting is forbidden."""
    root = tmp_path / "world"
    for geo in (GEO, *experiment.VALIDATION_RUNS):
        (root / geo).mkdir(parents=True)
        for name in ("calibration.yaml", "targets.yaml"):
            if (WORLD_DIR / geo / name).exists():
                shutil.copy(WORLD_DIR / geo / name, root / geo / name)
    located = lambda geo, name: root / geo / name  # noqa: E731
    monkeypatch.setattr(draws, "world_file", located)
    monkeypatch.setattr(experiment, "world_file", located)

    def no_fit(*args, **kwargs):
        raise AssertionError("a simulation started")

    monkeypatch.setattr(fit, "run_abc", no_fit)
    return root


def edit(path: Path, change) -> None:
    doc = yaml.safe_load(path.read_text())
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))


def first_target(doc):
    return doc["firms_landed_2023"]


BROKEN_INPUTS = {
    "target of 0": (
        "targets.yaml",
        lambda d: first_target(d).update(value=0),
        "must be a positive number",
    ),
    "target with its unit": (
        "targets.yaml",
        lambda d: first_target(d).update(value="408 firms"),
        "must be a positive number",
    ),
    "renamed target": (
        "targets.yaml",
        lambda d: d.update(firms_landed=d.pop("firms_landed_2023")),
        "renamed?",
    ),
    "unknown measure": (
        "targets.yaml",
        lambda d: first_target(d).update(measure="firms_landed"),
        "not a model measure",
    ),
    "prior reversed": (
        "calibration.yaml",
        lambda d: d["parameters"]["economy.move_cost"].update(prior=[0.5, 0.05]),
        "low < high",
    ),
    "prior not numbers": (
        "calibration.yaml",
        lambda d: d["parameters"]["economy.move_cost"].update(prior="wide"),
        "low < high",
    ),
    "log prior at 0": (
        "calibration.yaml",
        lambda d: d["parameters"]["economy.capital_per_job"].update(prior=[0, 2_000_000]),
        "low > 0",
    ),
    "prior outside the schema": (
        "calibration.yaml",
        lambda d: d["parameters"]["economy.move_cost"].update(prior=[-1, 0.5]),
        "allowed range",
    ),
    "unknown parameter": (
        "calibration.yaml",
        lambda d: d["parameters"].update({"economy.no_such": d["parameters"]["economy.move_cost"]}),
        "not a configuration key",
    ),
    "bad budget": (
        "calibration.yaml",
        lambda d: d["budgets"]["smoke"].update(population=0),
        "whole numbers >= 1",
    ),
}


@pytest.fixture(autouse=True)
def no_simulation(monkeypatch):
    """Every case here must stop before a model runs: a simulation fails the test."""
    from sim.runs import runner

    def refuse(*args, **kwargs):
        raise AssertionError("a simulation ran: the input should have been refused first")

    monkeypatch.setattr(runner, "simulate", refuse)


def run_main(capsys, *args) -> tuple[int, str]:
    try:
        code = cli.main(list(args))
    except SystemExit as stop:
        code = stop.code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


@pytest.mark.parametrize("case", list(BROKEN_INPUTS))
def test_broken_inputs_are_a_message_before_any_simulation(world, tmp_path, capsys, case):
    name, change, message = BROKEN_INPUTS[case]
    edit(world / GEO / name, change)
    code, err = run_main(capsys, "--budget", "smoke", "--results", str(tmp_path / "results"))
    assert code == 2 and message in err and "sim.calibration:" in err, err


@pytest.mark.parametrize(
    "args, message",
    [
        (["--workers", "-3"], "--workers: -3 must be at least 1"),
        (["--workers", "0"], "--workers: 0 must be at least 1"),
        (["--workers", "two"], "not a whole number"),
        (["--timeout-min", "-5"], "--timeout-min: -5 must be at least 1"),
        (["--budget", "huge"], "unknown budget 'huge'"),
        (["--budget", "smoke", "--install"], "only a 'full' fit may replace"),
        (["--results", "/proc/calibration"], "not writable"),
        (["--jobs", "0"], "--jobs: 0 must be at least 1"),
        (["--cluster", "kubernetes"], "invalid choice: 'kubernetes'"),
        (["--slurm", "--cluster", "slurm"], "Choose one"),
        (["--cluster", "dask-local", "--scheduler", "tcp://h:8786"], "drop --cluster dask-local"),
    ],
)
def test_bad_options_are_a_one_line_message(world, tmp_path, capsys, args, message):
    args = args if "--results" in args else [*args, "--results", str(tmp_path / "results")]
    code, err = run_main(capsys, *args)
    assert code == 2 and message in err, err
    assert len(err.strip().splitlines()) == 1, err


def test_a_results_path_through_a_file_is_refused(world, tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    code, err = run_main(
        capsys, "--budget", "smoke", "--results", str(tmp_path / "file" / "results")
    )
    assert code == 2 and "is not a folder" in err, err


@pytest.mark.parametrize(
    "content, message",
    [
        (b"not a database at all" * 100, "is damaged"),
        (b"", "not a pyabc database"),
    ],
)
def test_a_damaged_checkpoint_is_reported(tmp_path, capsys, monkeypatch, content, message):
    run_dir = tmp_path / "results" / GEO / "smoke"
    run_dir.mkdir(parents=True)
    (run_dir / "abc.db").write_bytes(content)
    monkeypatch.setattr(
        experiment.Experiment, "__init__", lambda self, geo: None
    )  # no model needed
    code, err = run_main(capsys, "--budget", "smoke", "--results", str(tmp_path / "results"))
    assert code == 2 and message in err and "--fresh" in err, err


def test_a_damaged_checkpoint_record_is_reported(tmp_path, capsys):
    run_dir = tmp_path / "results" / GEO / "smoke"
    run_dir.mkdir(parents=True)
    (run_dir / "experiment.json").write_text("{not json")
    code, err = run_main(capsys, "--budget", "smoke", "--results", str(tmp_path / "results"))
    assert code == 2 and "damaged" in err, err


# -------------------------------------------------- Slurm, faked: a queued job holds the checkpoint
@pytest.fixture
def fake_slurm(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    scripts = {
        "sbatch": "echo 'Submitted batch job 4242'",
        "sinfo": "printf 'debug*\\nbatch\\n'",
        "squeue": 'if [ "$3" = "777" ]; then echo PENDING; fi',
        "sacct": "true",
    }
    for name, body in scripts.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return bin_dir


def test_an_unknown_slurm_partition_is_refused_before_submitting(
    world, tmp_path, capsys, fake_slurm
):
    code, err = run_main(
        capsys,
        "--budget",
        "smoke",
        "--slurm",
        "--partition",
        "gpu",
        "--results",
        str(tmp_path / "results"),
    )
    assert (
        code == 2
        and "no such Slurm partition" in err
        and "debug, batch" in err.replace("batch, debug", "debug, batch")
    ), err


def test_a_queued_slurm_calibration_holds_its_checkpoint(world, tmp_path, capsys, fake_slurm):
    run_dir = tmp_path / "results" / GEO / "smoke"
    run_dir.mkdir(parents=True)
    (run_dir / fit.SLURM_RECORD).write_text("777\n")  # squeue says PENDING
    code, err = run_main(
        capsys, "--budget", "smoke", "--slurm", "--results", str(tmp_path / "results")
    )
    assert code == 2 and "Slurm job 777 (PENDING) is already calibrating" in err, err


def test_without_slurm_the_slurm_option_is_a_message(world, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    code, err = run_main(
        capsys, "--budget", "smoke", "--slurm", "--results", str(tmp_path / "results")
    )
    assert code == 2 and "no sbatch" in err, err
    code, err = run_main(
        capsys, "--budget", "smoke", "--cluster", "slurm", "--results", str(tmp_path / "results")
    )
    assert code == 2 and "--cluster slurm: Slurm is not available" in err, err


# ---------------------------------------------------------------- a real calibration: lock, SIGTERM
def _children(pid: int) -> set[int]:
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            out.add(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_second_calibration_is_refused_and_sigterm_stops_the_first_with_its_workers(tmp_path):
    results = tmp_path / "results"
    args = [
        sys.executable,
        "-m",
        "sim.analysis.calibration",
        "--budget",
        "smoke",
        "--workers",
        "2",
        "--results",
        str(results),
    ]
    first = subprocess.Popen(
        args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        run_dir, deadline, workers = results / GEO / "smoke", time.time() + 120, set()
        while time.time() < deadline and not (fit.is_held(run_dir) and workers):
            workers = _children(first.pid)
            time.sleep(0.2)
        assert fit.is_held(run_dir) and workers, "the calibration did not start its workers"
        second = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert second.returncode == 2, second.stderr
        assert (
            "another calibration is using the checkpoint" in second.stderr
            and "Traceback" not in second.stderr
        )
        first.send_signal(signal.SIGTERM)
        _, err = first.communicate(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 130 and "stopped" in err, err
    assert "Traceback" not in err, err
    time.sleep(1)
    assert not [p for p in workers if _alive(p)], "workers left running"
    assert not fit.is_held(run_dir)
