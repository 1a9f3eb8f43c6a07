"""Command line: ``python -m sim.run [overrides]`` (``-m`` for a sweep). See the README.

Bad input, unwritable folders and failed jobs end in one paragraph and a
non-zero exit code, never a traceback; SIGTERM stops a run or a sweep (and its
workers) as Ctrl-C does, and the same command resumes it.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.errors import CompactHydraException
from omegaconf import DictConfig, OmegaConf

from sim.hydra import callback as sweep
from sim.params.compose import CONFIG_DIR  # importing sim.config registers the schema and resolvers
from sim.params.point import resolve
from sim.params.schema import ConfigError
from sim.runs import sweep_record
from sim.runs.processes import keep_freed_memory, stop_on_sigterm, stop_workers
from sim.runs.runner import run_job
from sim.world.geography import GeographyError


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def main(cfg: DictConfig):
    keep_freed_memory()  # in a sweep's worker processes too (sim.run sets it in its own)
    hc = HydraConfig.get()
    run_dir = Path(hc.runtime.output_dir)
    multirun = hc.mode.name == "MULTIRUN"
    if multirun and os.environ.get(
        "SUBMITIT_EXECUTOR"
    ):  # names this job in its submitit log (sim.hydra.callback.job_logs)
        print(f"{sweep.JOB_LOG_LINE}{run_dir}", file=sys.stderr, flush=True)
    try:
        resolve(cfg)  # the parameter point (design row or run.draw), then validation of every value
        overrides = OmegaConf.to_container(
            hc.overrides.task, resolve=False
        )  # as typed, ${...} kept
        shared = (sweep_record.read(Path(hc.sweep.dir)) or {}).get("shared") if multirun else None
        if multirun and cfg.search.worker >= 0:  # a worker of the policy search, not one run
            from sim.studies import policy_search

            return policy_search.run_job(cfg, run_dir, overrides)
        rows = run_job(cfg, run_dir, overrides, multirun, sweep_shared=shared)
    except (ConfigError, GeographyError, OSError) as err:
        _remove_if_empty(run_dir)
        message = _explain(err, run_dir)
        if multirun:  # Hydra prints a compact exception as its message alone
            raise JobFailed(message) from None
        print(f"\nsim.run: {message}\n", file=sys.stderr)
        sys.exit(2)
    if not multirun:
        _print_summary(rows, run_dir)
    return rows


class JobFailed(CompactHydraException):
    """A sweep job that stopped on bad input or a file system error (message only, no traceback)."""


def _explain(err: Exception, run_dir: Path) -> str:
    if isinstance(err, OSError):
        what = err.strerror or str(err)
        return (
            f"cannot write the results to {run_dir}: {what}"
            + (f" ({err.filename})" if err.filename else "")
            + ". Free space or choose another folder (hydra.run.dir=... / hydra.sweep.dir=...); "
            "complete runs are kept and the same command resumes the rest."
        )
    return str(err)


def _remove_if_empty(path: Path) -> None:
    try:
        path.rmdir()
    except OSError:
        pass


def _print_summary(rows, run_dir) -> None:
    from sim.analysis.stats import fmt
    from sim.model.metrics import CONTRACT, METRICS

    print(
        f"Run written to {run_dir}"
        + (f" (mean of {len(rows)} replications)" if len(rows) > 1 else "")
    )
    for k in CONTRACT:
        print(f"  {k:<26} {fmt(sum(r[k] for r in rows) / len(rows)):>10}  {METRICS[k][0]}")


@contextmanager
def _mode_known(cfg):
    """Hydra composes the whole config once more only to read ``hydra.mode`` (run or sweep)
    before composing it for the run; the check above has just composed it (~0.1 s each)."""
    if cfg is None:
        yield
        return
    from hydra._internal.hydra import Hydra

    mode = cfg.hydra.mode
    get_mode = Hydra.get_mode
    Hydra.get_mode = lambda self, config_name, overrides: mode  # type: ignore[method-assign]
    try:
        yield
    finally:
        Hydra.get_mode = get_mode  # type: ignore[method-assign]


def cli(argv: list[str] | None = None) -> int:
    """``python -m sim.run``: check the command line, run it, turn every failure into a message and
    exit code."""
    from sim.params import checks as preflight

    argv = sys.argv[1:] if argv is None else argv
    try:
        cfg = preflight.check_command(argv)
    except (ConfigError, GeographyError) as err:
        print(f"\nsim.run: {err}\n", file=sys.stderr)
        return 2
    stop_on_sigterm()
    try:
        with _mode_known(cfg):
            main()
    except KeyboardInterrupt:
        stop_workers()
        print(
            "\nsim.run: stopped. Complete runs are kept; run the same command again to resume.",
            file=sys.stderr,
        )
        return 130
    if sweep.REFUSED:
        print("\nsim.run: " + "\n".join(sweep.REFUSED) + "\n", file=sys.stderr)
        return 2
    if sweep.FAILURES:
        print("\nsim.run: " + "\n".join(sweep.FAILURES), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(cli())
