"""Sweeps: joblib and submitit_local launchers, replications, resume after a kill, tidy tables."""

import itertools
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.hydra.sweeper import covering_jobs
from sim.runs.collect import collect
from tests.helpers import ROOT, run_cli

TINY = ["run.years=1", "geography.n_firms=400", "run.progress=off"]


def _sweep(tmp_path, name, *extra, launcher="basic"):
    out = tmp_path / name
    r = run_cli(
        "-m",
        "scenario=baseline,enclave",
        "run.seed=0,1",
        *TINY,
        f"hydra.sweep.dir={out}",
        f"hydra/launcher={launcher}",
        *extra,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return out, r


def test_joblib_sweep_collects_a_tidy_table(tmp_path):
    out, r = _sweep(tmp_path, "joblib", "hydra.launcher.n_jobs=2", launcher="joblib")
    df = sim.load_sweep(out)
    assert len(df) == 4
    cols = list(df.columns)
    assert {"scenario", "run.seed", "job", "replication"} <= set(cols)
    assert cols.index("seed") < cols.index("west_jobs_local") and cols.index(
        "scenario"
    ) < cols.index("seed")
    assert not df.duplicated(["scenario", "run.seed", "replication"]).any()
    ts = sim.load_timeseries(out)
    assert len(ts) == 4 * 5 and {"scenario", "run.seed", "step", "firms_in_west"} <= set(ts.columns)
    assert "Sweep of 4 jobs" in r.stderr


def test_launchers_give_byte_identical_summaries(tmp_path):
    basic, _ = _sweep(tmp_path, "basic")
    joblib, _ = _sweep(tmp_path, "joblib", "hydra.launcher.n_jobs=2", launcher="joblib")
    local, _ = _sweep(tmp_path, "local", "hydra.launcher.timeout_min=5", launcher="submitit_local")
    jobs = sorted(p.name for p in basic.iterdir() if "=" in p.name)
    assert len(jobs) == 4
    for job in jobs:
        ref = (basic / job / "summary.json").read_bytes()
        assert (joblib / job / "summary.json").read_bytes() == ref
        assert (local / job / "summary.json").read_bytes() == ref


def test_replications_are_rows_of_their_own(tmp_path):
    out = tmp_path / "reps"
    r = run_cli(
        "-m",
        "scenario=baseline",
        "run.seed=0,1",
        "run.replications=3",
        *TINY,
        f"hydra.sweep.dir={out}",
    )
    assert r.returncode == 0, r.stderr
    df = sim.load_sweep(out)
    assert len(df) == 6
    assert sorted(df["seed"]) == [0, 1, 2, 3, 4, 5]  # seed*replications + replication
    assert sorted(df["replication"]) == [0, 0, 1, 1, 2, 2]


def test_rerun_redoes_only_missing_or_corrupt_jobs(tmp_path):
    out, _ = _sweep(tmp_path, "resume")
    jobs = sorted(p for p in out.iterdir() if "=" in p.name)
    (jobs[0] / "run.json").unlink()  # never finished
    with open(jobs[1] / "summary.json", "ab") as fh:  # corrupted after writing
        fh.write(b"garbage")
    untouched = {j: (j / "run.json").stat().st_mtime_ns for j in jobs[2:]}
    _, r = _sweep(tmp_path, "resume")
    assert "2 of 4 jobs complete already, not launched" in r.stderr
    for j, mtime in untouched.items():
        assert (j / "run.json").stat().st_mtime_ns == mtime
    df = sim.load_sweep(out)
    assert len(df) == 4 and not df.duplicated(["job", "replication"]).any()


def test_killed_sweep_finishes_exactly_what_is_missing(tmp_path):
    out = tmp_path / "killed"
    args = [
        sys.executable,
        "-m",
        "sim.run",
        "-m",
        "scenario=baseline,pairing,enclave",
        "run.seed=0,1",
        "run.years=3",
        "geography.n_firms=2000",
        "run.progress=off",
        f"hydra.sweep.dir={out}",
    ]
    proc = subprocess.Popen(
        args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.time() + 120
    while time.time() < deadline and len(list(out.glob("*/run.json"))) < 2:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = len(list(out.glob("*/run.json")))
    assert 2 <= done_before < 6, "the kill came too late to test a partial sweep"
    summary, _ = collect(out, write=False, verbose=False)
    assert len(summary) == done_before  # a partial sweep collects what is complete
    r = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert f"{done_before} of 6 jobs complete already, not launched" in r.stderr
    df = pd.read_parquet(out / "summary.parquet")
    assert len(df) == 6 and not df.duplicated(["scenario", "run.seed", "replication"]).any()


def test_collect_cli_on_a_copied_sweep(tmp_path):
    out, _ = _sweep(tmp_path, "copied")
    (out / "summary.parquet").unlink()
    r = subprocess.run(
        [sys.executable, "-m", "sim.collect", str(out)], cwd=ROOT, capture_output=True, text=True
    )
    assert r.returncode == 0 and "Collected 4 runs" in r.stderr
    assert len(pd.read_parquet(out / "summary.parquet")) == 4
    r = subprocess.run(
        [sys.executable, "-m", "sim.collect", str(tmp_path / "nope")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2 and "no sweep directory" in r.stderr


@pytest.mark.slow
def test_policy_comparison_experiment(tmp_path):
    out = tmp_path / "pc"
    r = run_cli(
        "-m",
        "experiment=policy_comparison",
        "run.progress=off",
        f"hydra.sweep.dir={out}",
        timeout=900,
    )
    assert r.returncode == 0, r.stderr
    assert "baseline" in r.stdout and (out / "figures" / "policy_comparison.png").exists()
    assert len(sim.load_sweep(out)) == 60


@pytest.mark.parametrize(
    "swept,named",
    [
        ("run.seed=0,1,abc", "run.seed=abc"),  # wrong type, found without composing the job
        ("scenario=baseline,nosuch", "nosuch"),  # unknown option of a config group
        (
            "policy.enclave.tax_share_east=0.3,1.5",
            "policy.enclave.tax_share_east = 1.5",
        ),  # out of the model's range
    ],
)
def test_a_bad_swept_value_stops_the_sweep_before_any_job_runs(tmp_path, swept, named):
    out = tmp_path / "bad"
    r = run_cli(
        "-m",
        "policy.subsidy.land_discount=0.1,0.2",
        swept,
        *TINY,
        f"hydra.sweep.dir={out}",
        "hydra/launcher=joblib",
        "hydra.launcher.n_jobs=2",
    )
    assert r.returncode != 0
    assert named in r.stderr and "Traceback" not in r.stderr
    assert not out.exists() or not [p for p in out.iterdir() if "=" in p.name]  # no job started


@given(st.lists(st.integers(1, 5), min_size=1, max_size=4))
def test_the_pre_launch_check_covers_every_swept_value(sizes):
    keys = [[f"k{i}={v}" for v in range(n)] for i, n in enumerate(sizes)]
    batch = [list(job) for job in itertools.product(*keys)]
    cover = covering_jobs(batch)
    assert cover[0] == batch[0] and all(job in batch for job in cover)
    assert {o for job in cover for o in job} == {o for job in batch for o in job}
    assert len(cover) <= sum(sizes)


# --------------------------------------------------------------------------- progress in a log
def test_a_sweep_logs_progress_lines_when_its_output_is_not_a_terminal(tmp_path):
    out = tmp_path / "logged"
    tiny = [a for a in TINY if not a.startswith("run.progress")]
    r = run_cli("-m", "run.seed=0,1,2", *tiny, f"hydra.sweep.dir={out}", "hydra/launcher=basic")
    assert r.returncode == 0, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("sweep: ")]
    assert lines and lines[-1].startswith("sweep: 3/3 jobs done (100%)"), r.stderr
    assert "elapsed" in lines[-1] and "\r" not in r.stderr  # lines, not a bar's redraws
    r = run_cli("-m", "run.seed=0,1,2,3", *tiny, f"hydra.sweep.dir={out}", "hydra/launcher=basic")
    assert "sweep: 4/4 jobs done" in r.stderr, r.stderr  # complete jobs count as done


def test_progress_lines_come_every_tenth_or_half_minute_with_an_estimate():
    from sim.hydra.callback import ProgressLines

    p = ProgressLines(total=20, start=0.0, every=30)
    assert p.line(1, 0, 5.0) is None  # under a tenth, under 30 s
    assert p.line(2, 0, 10.0) == "sweep: 2/20 jobs done (10%), 10s elapsed, about 1m30s left"
    assert p.line(2, 0, 39.0) is None
    assert p.line(2, 0, 41.0).startswith("sweep: 2/20 jobs done (10%), 41s elapsed")
    q = ProgressLines(total=20, start=0.0)
    assert q.line(0, 10, 1.0).endswith("estimate after the first job")  # skipped: no pace yet
    assert q.line(5, 10, 61.0) == "sweep: 15/20 jobs done (75%), 1m01s elapsed, about 1m01s left"
    assert q.line(10, 10, 90.0, final=True) == "sweep: 20/20 jobs done (100%), 1m30s elapsed"
    assert q.line(10, 10, 95.0, final=True) is None  # said once
