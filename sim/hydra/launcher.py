"""Slurm launcher with per-job failure reports (see the package docstring)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from pathlib import Path

from hydra.core.singleton import Singleton
from hydra.core.utils import JobReturn, JobStatus
from hydra_plugins.hydra_submitit_launcher import submitit_launcher
from hydra_plugins.hydra_submitit_launcher.config import BaseQueueConf
from omegaconf import OmegaConf

# Slurm job states after which no result file will appear (the job never ran to its end)
ENDED_WITHOUT_RESULT = {
    "CANCELLED",
    "TIMEOUT",
    "NODE_FAIL",
    "OUT_OF_MEMORY",
    "BOOT_FAIL",
    "DEADLINE",
    "PREEMPTED",
}


class SlurmLauncher(submitit_launcher.SlurmLauncher):
    def _executor(self):
        import submitit

        params = dict(self.params)
        params.pop("poll_s", None)
        folder = params.pop("submitit_folder")
        extra = {f"slurm_{k}": params.pop(k) for k in ("max_num_timeout",) if k in params}
        executor = submitit.AutoExecutor(cluster="slurm", folder=folder, **extra)
        shared = set(OmegaConf.structured(BaseQueueConf).keys())  # the rest take the slurm_ prefix
        executor.update_parameters(
            **{k if k in shared else f"slurm_{k}": v for k, v in params.items()}
        )
        return executor

    def launch(
        self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int
    ) -> Sequence[JobReturn]:
        from sim.hydra.callback import mark_failed

        sweep_dir = Path(str(self.config.hydra.sweep.dir))
        sweep_dir.mkdir(parents=True, exist_ok=True)
        indices = range(initial_job_idx, initial_job_idx + len(job_overrides))
        calls = [
            (list(ov), "hydra.sweep.dir", i, f"job_id_for_{i}", Singleton.get_state())
            for i, ov in zip(indices, job_overrides, strict=True)
        ]
        if shutil.which("sbatch") is None:
            raise NotSubmitted(
                "hydra/launcher=slurm submits jobs with Slurm's sbatch, which is not on this "
                "machine's PATH: run the command on the cluster's login node (or use "
                "hydra/launcher=joblib here). Nothing was submitted."
            )
        try:
            jobs = self._executor().map_array(self, *zip(*calls, strict=True))
        except Exception as err:  # noqa: BLE001 - sbatch missing, controller unreachable, bad partition
            raise NotSubmitted(
                f"Slurm refused the submission of {len(calls)} job(s), so none was submitted: "
                f"{_last_line(err)}"
            ) from None
        try:
            wait(jobs, float(self.params.get("poll_s", 30)))
        except Exception as err:  # noqa: BLE001 - the queue could not be watched; the jobs may still run
            ids = ", ".join(str(j.job_id) for j in jobs[:5]) + (" …" if len(jobs) > 5 else "")
            raise SubmittedNotFollowed(
                f"{len(jobs)} job(s) were submitted to Slurm (ids {ids}) but their queue "
                "could not be watched: "
                f"{_last_line(err)}. They may still be running: run the same command again "
                "when they end to "
                "collect them (complete jobs are not run again)."
            ) from None
        returns = []
        for i, overrides, job in zip(indices, job_overrides, jobs, strict=True):
            try:
                if (job.state.split() or ["UNKNOWN"])[
                    0
                ] in ENDED_WITHOUT_RESULT and not job.paths.result_pickle.exists():
                    # no result will come: skip submitit's 15 s wait for a late result file per job
                    raise RuntimeError(f"Slurm job {job.job_id} ended {job.state} without a result")
                returns.append(job.results()[0])
            except Exception as err:  # noqa: BLE001 - cancelled, timed out, node failure, error in the job
                mark_failed(
                    sweep_dir, i, list(overrides), job.job_id, job.state, str(job.paths.stderr), err
                )
                # the launch is done; the job's folder stays incomplete and the sweep reports it at
                # the end
                returns.append(JobReturn(overrides=list(overrides), status=JobStatus.COMPLETED))
        return returns


class NotSubmitted(RuntimeError):
    """No job of the batch reached the cluster: told once, not job by job."""


class SubmittedNotFollowed(RuntimeError):
    """The jobs were submitted but could not be followed: they may be running, never "never
    started"."""


def _last_line(err: Exception) -> str:
    lines = [ln.strip() for ln in str(err).strip().splitlines() if ln.strip()]
    return (lines[-1] if lines else type(err).__name__)[:300]


def wait(jobs, poll_s: float) -> None:
    """Until every job has finished, one way or another (one state query per round for all jobs)."""
    pending = list(jobs)
    while pending:
        pending[0].watcher.update()
        pending = [j for j in pending if not j.done()]
        if pending:
            time.sleep(poll_s)
