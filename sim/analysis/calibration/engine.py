"""Where the calibration's simulations run: this machine's processes or a dask cluster.

Every engine runs the same seeded tasks (:mod:`sampler`) and gathers them in task order,
so the engine changes the time a fit takes, never its result:

* ``local`` (default): a pool of ``--workers`` processes on this machine.
* ``dask-local``: a dask ``LocalCluster`` of ``--workers`` processes (checks the dask path
  without a cluster).
* ``slurm``: dask-jobqueue's ``SLURMCluster``; ``--jobs`` Slurm jobs, each with
  ``--cores-per-job`` single-threaded worker processes, so the fit uses many nodes. The
  fitting process stays where it was started (a login node, or inside a Slurm job).
* ``--scheduler ADDRESS``: the workers of a dask cluster that is already running.

Worker processes run one task at a time (one thread each): pyabc draws from numpy's
global generator, which threads of one process would share.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path

from sim.params.schema import ConfigError

log = logging.getLogger("sim.analysis.calibration")
KINDS = ("local", "dask-local", "slurm")
GB_PER_CORE = 2  # default memory of a Slurm worker job: one simulation needs well under 1 GB


@dataclass(frozen=True)
class Engine:
    kind: str = "local"
    workers: int = 1  # local and dask-local: processes on this machine
    jobs: int = 1  # slurm: worker jobs
    cores_per_job: int = 4  # slurm: worker processes (and cores) per job
    memory_per_job: str | None = None  # slurm: e.g. "8GB"; default GB_PER_CORE per core
    timeout_min: int = 120  # slurm: time limit of each worker job
    partition: str | None = None  # slurm: partition (queue)
    scheduler: str | None = None  # address of a running dask scheduler

    def describe(self) -> str:
        if self.scheduler:
            return f"dask scheduler {self.scheduler}"
        if self.kind == "slurm":
            return (
                f"dask-jobqueue SLURMCluster: {self.jobs} job(s) x {self.cores_per_job} "
                "worker processes"
            )
        if self.kind == "dask-local":
            return f"dask LocalCluster: {self.workers} worker processes"
        return f"local process pool: {self.workers} worker(s)"

    @property
    def uses_dask(self) -> bool:
        return self.kind != "local" or self.scheduler is not None


def check(engine: Engine) -> None:
    """The engine's settings make sense, and its libraries are installed."""
    if engine.kind not in KINDS:
        raise ConfigError(f"--cluster {engine.kind}: expected one of {', '.join(KINDS)}.")
    if engine.scheduler and engine.kind != "local":
        raise ConfigError(
            "--scheduler ADDRESS uses a dask cluster that is already running; "
            f"drop --cluster {engine.kind}."
        )
    if not engine.uses_dask:
        return
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise ConfigError(
            "a dask engine needs dask's distributed scheduler: pip install 'sim[calibrate]'."
        ) from None
    if engine.kind == "slurm":
        try:
            import dask_jobqueue  # noqa: F401
        except ImportError:
            raise ConfigError(
                "--cluster slurm needs dask-jobqueue: pip install 'sim[calibrate]'."
            ) from None


def walltime(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}:00"


def slurm_cluster(engine: Engine, log_dir: Path):
    """dask-jobqueue's SLURMCluster with ``engine.jobs`` worker jobs (not yet started).

    Site settings the options do not cover (account, network interface, ``module load``
    lines) are read by dask-jobqueue from its configuration, ``~/.config/dask/jobqueue.yaml``.
    """
    from dask_jobqueue import SLURMCluster

    extra = []
    if engine.timeout_min >= 10:
        # a worker leaves before its job's time limit; its tasks move on, its job is replaced
        extra = ["--lifetime", f"{engine.timeout_min - 5}m", "--lifetime-stagger", "2m"]
    log_dir.mkdir(parents=True, exist_ok=True)
    return SLURMCluster(
        cores=engine.cores_per_job,
        processes=engine.cores_per_job,  # one thread per worker process
        memory=engine.memory_per_job or f"{GB_PER_CORE * engine.cores_per_job}GB",
        walltime=walltime(engine.timeout_min),
        queue=engine.partition,
        job_name="sim-calibration",
        log_directory=str(log_dir),
        worker_extra_args=extra,
    )


@contextlib.contextmanager
def dask_client(engine: Engine, log_dir: Path):
    """A dask ``distributed.Client`` for the engine (None for the local pool); closing it
    stops the workers this process started (``scancel`` for Slurm jobs)."""
    if not engine.uses_dask:
        yield None
        return
    from distributed import Client, LocalCluster

    with contextlib.ExitStack() as stack:
        if engine.scheduler:
            client = stack.enter_context(Client(engine.scheduler))
        elif engine.kind == "dask-local":
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=engine.workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                )
            )
            client = stack.enter_context(Client(cluster))
        else:
            cluster = stack.enter_context(slurm_cluster(engine, log_dir))
            # adaptive with a fixed size: a worker job that ends (time limit) is replaced
            cluster.adapt(minimum_jobs=engine.jobs, maximum_jobs=engine.jobs)
            client = stack.enter_context(Client(cluster))
            log.info(
                "%s; their tasks wait until Slurm starts them (squeue; logs in %s)",
                engine.describe(),
                log_dir,
            )
        yield client


def processes(client, fallback: int) -> int:
    """Worker processes of the client's cluster (those started by now), else ``fallback``."""
    if client is None:
        return fallback
    return len(client.scheduler_info().get("workers", {})) or fallback
