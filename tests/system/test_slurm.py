"""A real single-node Slurm (Debian's slurm-wlm and munge): ``make test-slurm``, as root.

The cluster is started by ``.ci/slurm-local`` in a temporary folder and stopped after.
Checks: a sweep through ``hydra/launcher=slurm`` writes the same bytes as a local joblib
sweep; a cancelled job and a job past its time limit are each reported by name, the
rest of the sweep is collected, and nothing hangs; the calibration runs as one Slurm job,
and on dask-jobqueue worker jobs with the local fit's result; a smoke policy search of the
cluster preset on two Slurm worker jobs runs each mix once, finds the mixes of the same search
on local processes, and run again launches no job.
"""

import json
import os
import shutil
import subprocess
import sys
import time

import pandas as pd
import pytest

from sim.studies import policy_search as ps
from tests.helpers import ROOT
from tests.system.test_policy_search import SMOKE as SEARCH_SMOKE

pytestmark = pytest.mark.slurm
TINY = ["run.years=1", "geography.n_firms=400", "run.progress=off"]


@pytest.fixture(scope="module")
def slurm(tmp_path_factory):
    """Environment of a running single-node cluster (the daemons stop after the module)."""
    missing = [b for b in ("munged", "slurmctld", "slurmd", "sbatch") if shutil.which(b) is None]
    if missing or os.geteuid() != 0:
        pytest.fail(
            f"needs root and Debian's slurm-wlm and munge (missing: {missing or 'root'}); "
            "`apt-get install slurm-wlm munge`, or run .ci/run"
        )
    cluster = tmp_path_factory.mktemp("slurm")
    script = ROOT / ".ci" / "slurm-local"
    subprocess.run([script, "start", cluster], check=True, timeout=60)
    env = {
        **os.environ,
        "SLURM_CONF": str(cluster / "slurm.conf"),
        "PATH": f"{cluster / 'bin'}:{os.environ['PATH']}",
    }
    yield env
    pids = [int(p.read_text()) for p in cluster.glob("*.pid")]
    assert len(pids) == 3  # munged, slurmctld, slurmd
    subprocess.run([script, "stop", cluster], check=False, timeout=60)
    alive = [pid for pid in pids if os.path.exists(f"/proc/{pid}")]
    assert not alive, f"daemons of the test cluster still run: {alive}"


def _sim(env, *args, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sim.run", "-m", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_a_slurm_sweep_writes_the_same_bytes_as_a_local_joblib_sweep(slurm, tmp_path):
    sweep = ["scenario=baseline,enclave", "run.seed=0,1", *TINY]
    r = _sim(
        slurm,
        *sweep,
        f"hydra.sweep.dir={tmp_path / 'slurm'}",
        "hydra/launcher=slurm",
        "hydra.launcher.timeout_min=5",
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert list((tmp_path / "slurm" / ".submitit").iterdir()), "the jobs did not go through sbatch"
    r = _sim(
        slurm,
        *sweep,
        f"hydra.sweep.dir={tmp_path / 'local'}",
        "hydra/launcher=joblib",
        "hydra.launcher.n_jobs=2",
    )
    assert r.returncode == 0, r.stdout + r.stderr
    jobs = sorted(p.name for p in (tmp_path / "local").iterdir() if "=" in p.name)
    assert len(jobs) == 4
    for job in jobs:
        for name in ("summary.json", "timeseries.parquet", "regions.parquet", "config.yaml"):
            assert (tmp_path / "slurm" / job / name).read_bytes() == (
                tmp_path / "local" / job / name
            ).read_bytes(), (job, name)


def _running_task(env, task: int, deadline: float) -> str:
    """Slurm id of array task ``task`` of the sweep once it runs (a pending task that is
    cancelled leaves no record for the sacct stand-in; the real sacct keeps one)."""
    while time.time() < deadline:
        running = subprocess.run(
            ["squeue", "-h", "-t", "R", "-o", "%i"], env=env, capture_output=True, text=True
        ).stdout.split()
        found = [r for r in running if r.endswith(f"_{task}")]
        if found:
            return found[0]
        time.sleep(0.5)
    raise AssertionError(f"array task {task} never started")


def test_a_cancelled_and_a_timed_out_job_are_reported_per_job_without_a_hang(slurm, tmp_path):
    # job #0 runs; #1 and #2 first sleep in the launcher's setup lines (part of each Slurm job):
    # #1 is cancelled by hand, #2 outlives its 1-minute limit
    out = tmp_path / "failing"
    stall = "case $SLURM_ARRAY_TASK_ID in 1|2) sleep 600;; esac"
    args = [
        sys.executable,
        "-m",
        "sim.run",
        "-m",
        "run.seed=0,1,2",
        *TINY,
        f"hydra.sweep.dir={out}",
        "hydra/launcher=slurm",
        "hydra.launcher.timeout_min=1",
        "hydra.launcher.signal_delay_s=20",
        "hydra.launcher.poll_s=2",
        f"hydra.launcher.setup=['{stall}']",
    ]
    t0 = time.time()
    proc = subprocess.Popen(
        args, cwd=ROOT, env=slurm, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    subprocess.run(["scancel", _running_task(slurm, 1, t0 + 120)], env=slurm, check=True)
    try:
        stdout, stderr = proc.communicate(timeout=300)
    finally:
        proc.kill()
    assert proc.returncode == 1, stdout + stderr
    assert "2 job(s) produced no results" in stderr, stderr
    lines = {line.split()[0]: line for line in stderr.splitlines() if line.startswith("  #")}
    assert "run.seed=1" in lines["#1"] and "CANCELLED" in lines["#1"], stderr
    assert "run.seed=2" in lines["#2"] and "TIMEOUT" in lines["#2"], stderr
    assert "#0" not in lines
    summary = pd.read_parquet(out / "summary.parquet")  # the complete job is collected
    assert summary["run.seed"].tolist() == [0]
    assert time.time() - t0 < 200, "the failures were noticed late"
    print(f"failing sweep reported after {time.time() - t0:.0f} s")
    # the same sweep again, without the stall: only the two failed jobs run
    done = {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/run.json")}
    assert len(done) == 1
    r = subprocess.run(args[:-1], cwd=ROOT, env=slurm, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert {
        p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/run.json")
    }.items() > done.items()
    assert sorted(pd.read_parquet(out / "summary.parquet")["run.seed"]) == [0, 1, 2]


def test_the_calibration_runs_as_a_slurm_job(slurm, tmp_path):
    """`python -m sim.analysis.calibration --slurm` submits the ABC run as one job; it finishes and
    writes its report."""
    env = {**slurm, "PYTHONPATH": str(ROOT)}
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim.analysis.calibration",
            "--budget",
            "smoke",
            "--slurm",
            "--no-write",
            "--workers",
            "1",
            "--timeout-min",
            "10",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    job = r.stdout.split("submitted Slurm job ")[1].split(";")[0]
    deadline = time.time() + 480
    while time.time() < deadline:
        if (
            job
            not in subprocess.run(
                ["squeue", "-h", "-o", "%i"], env=slurm, capture_output=True, text=True
            ).stdout.split()
        ):
            break
        time.sleep(2)
    else:
        raise AssertionError(f"the calibration job {job} did not finish in 8 minutes")
    report = tmp_path / "results" / "calibration" / "shanghai_yunnan" / "smoke" / "report.json"
    logs = "\n".join(
        p.read_text(errors="replace")[-2000:] for p in tmp_path.glob("results/calibration/**/*.err")
    )
    assert report.exists(), f"no report after the Slurm job; its logs:\n{logs}"


def test_the_calibration_on_slurm_worker_jobs_gives_the_local_result(slurm, tmp_path):
    """`--cluster slurm`: the fit's simulations run in a dask-jobqueue worker job (SLURMCluster);
    the populations, point estimate and checks are those of the same fit on local processes."""
    import pyabc

    env = {**slurm, "PYTHONPATH": str(ROOT)}
    smoke = ["-m", "sim.analysis.calibration", "--budget", "smoke", "--no-write"]

    def calibrate(where, *args) -> tuple[dict, object, float]:
        where.mkdir()
        t0 = time.time()
        r = subprocess.run(
            [sys.executable, *smoke, *args],
            cwd=where,
            env=env,
            capture_output=True,
            text=True,
            timeout=1200,
        )
        assert r.returncode == 0, r.stdout + r.stderr[-4000:]
        run_dir = where / "results" / "calibration" / "shanghai_yunnan" / "smoke"
        history = pyabc.History(f"sqlite:///{run_dir / 'abc.db'}", _id=1)
        report = json.loads((run_dir / "report.json").read_text())
        return report, history, time.time() - t0

    on_slurm, slurm_history, slurm_s = calibrate(
        tmp_path / "slurm",
        "--cluster",
        "slurm",
        "--jobs",
        "1",
        "--cores-per-job",
        "2",
        "--memory-per-job",
        "4GB",
        "--timeout-min",
        "30",
    )
    jobs = tmp_path / "slurm" / "results" / "calibration" / "shanghai_yunnan" / ".dask-jobs"
    assert list(jobs.glob("*.err")), "no worker job went through sbatch"
    assert "SLURMCluster" in on_slurm["engine"] and on_slurm["workers"] == 2
    local, local_history, local_s = calibrate(tmp_path / "local", "--workers", "2")
    assert "local process pool" in local["engine"]
    for key in ("point", "epsilons", "simulations", "generations", "fit", "validation"):
        assert on_slurm[key] == local[key], key
    for t in range(local_history.max_t + 1):
        a, wa = slurm_history.get_distribution(m=0, t=t)
        b, wb = local_history.get_distribution(m=0, t=t)
        assert a.equals(b) and (wa == wb).all(), t
    print(
        f"smoke calibration, whole command (ABC fit): on a Slurm worker job {slurm_s:.0f} s "
        f"({on_slurm['fit_seconds']:.0f} s), on 2 local processes {local_s:.0f} s "
        f"({local['fit_seconds']:.0f} s)"
    )
    deadline = time.time() + 60  # cancelled when the fit ends; a job may still be completing
    while subprocess.run(
        ["squeue", "-h", "-n", "sim-calibration"], env=slurm, capture_output=True, text=True
    ).stdout.strip():
        assert time.time() < deadline, "the worker jobs outlived the calibration"
        time.sleep(1)


def test_a_policy_search_on_slurm_workers_finds_the_local_mixes(slurm, tmp_path):
    """The cluster preset, smoke-sized, on 2 worker jobs (Slurm array tasks) sharing the journal:
    every mix runs once, the mixes (candidate -> lever values) and their scores are those of the
    same search on 2 local processes, and the same command again launches no job."""
    search = ["experiment=policy_search_cluster", "search.workers=2", *SEARCH_SMOKE]
    on_slurm = [
        *search,
        f"hydra.sweep.dir={tmp_path / 'slurm'}",
        "hydra/launcher=slurm",
        "hydra.launcher.timeout_min=5",
        "hydra.launcher.poll_s=2",
    ]
    t0 = time.time()
    r = _sim(slurm, *on_slurm)
    slurm_s = time.time() - t0
    assert r.returncode == 0, r.stdout + r.stderr[-3000:]
    folder = tmp_path / "slurm"
    submitted = sorted(p.name for p in (folder / ".submitit").iterdir())
    assert submitted, "the workers did not go through sbatch"
    spec = ps._spec_from_sweep(folder)
    trials = ps.open_study(folder / ps.FOLDER, spec).get_trials()
    mixes = [t for t in trials if ps.CANDIDATE in t.user_attrs]
    # each mix taken by one worker and finished there: none ran twice, none was left over
    assert sorted(t.user_attrs[ps.CANDIDATE] for t in mixes) == list(range(spec.trials))
    assert {t.state.name for t in mixes} == {"COMPLETE"}
    table = pd.read_csv(folder / "policy_search.csv")
    assert sorted(table.loc[table["kind"] == "search", "candidate"]) == list(range(spec.trials))

    t0 = time.time()
    r = _sim(
        slurm,
        *search,
        f"hydra.sweep.dir={tmp_path / 'local'}",
        "hydra/launcher=joblib",
        "hydra.launcher.n_jobs=2",
    )
    local_s = time.time() - t0
    assert r.returncode == 0, r.stdout + r.stderr[-3000:]
    local = pd.read_csv(tmp_path / "local" / "policy_search.csv")
    levers = ["candidate", *spec.levers]
    pd.testing.assert_frame_equal(table[levers], local[levers])  # the same mixes ...
    timing = ["seconds", "finished"]
    pd.testing.assert_frame_equal(table.drop(columns=timing), local.drop(columns=timing))

    t0 = time.time()
    r = _sim(slurm, *on_slurm)  # the search is complete: no worker job is submitted again
    again_s = time.time() - t0
    assert r.returncode == 0, r.stdout + r.stderr[-3000:]
    assert "2 of 2 jobs complete already, not launched" in r.stderr, r.stderr[-3000:]
    assert sorted(p.name for p in (folder / ".submitit").iterdir()) == submitted
    again = ps.open_study(folder / ps.FOLDER, spec).get_trials()
    assert [(t.number, t.datetime_complete) for t in again] == [
        (t.number, t.datetime_complete) for t in trials
    ]
    workers = [json.loads(p.read_text())["mixes"] for p in folder.glob("*/worker.json")]
    print(
        f"smoke policy search ({spec.trials} mixes): on 2 Slurm worker jobs {slurm_s:.0f} s "
        f"(mixes per worker {sorted(workers)}), on 2 local processes {local_s:.0f} s, "
        f"the complete search again {again_s:.0f} s"
    )
