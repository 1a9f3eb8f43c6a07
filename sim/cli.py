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


def _task_name() -> str | None:
    """``hydra.job.name`` Hydra gives a run of :func:`main` (the config may set another)."""
    from hydra._internal.utils import (
        detect_calling_file_or_module_from_task_function,
        detect_task_name,
    )

    try:
        return detect_task_name(*detect_calling_file_or_module_from_task_function(main))
    except ValueError:  # Hydra would look up the call stack: no name to give the check
        return None


@contextmanager
def _composed_once(cfg, argv: list[str], job_name: str | None):
    """Hydra composes the whole config twice after the check above has (~0.1-0.2 s each): once
    only to read ``hydra.mode`` (run or sweep), then for the run or the sweep. Both are
    answered from the check's config, composed from the same command line and job name; Hydra
    adds ``hydra.mode=RUN`` (or ``MULTIRUN``) to the command line when the config leaves the mode
    open, and that override is applied to it as Hydra applies it. Any other composition (a
    sweep's jobs, ``hydra.verbose``'s listing, another config name or folder) is Hydra's own."""
    if cfg is None:
        yield
        return
    from hydra._internal.config_loader_impl import ConfigLoaderImpl
    from hydra._internal.hydra import Hydra
    from hydra._internal.utils import get_args_parser
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.core.utils import JobRuntime
    from hydra.types import RunMode

    args, _ = get_args_parser().parse_known_args(argv)
    command = list(args.overrides)
    command_mode = RunMode.MULTIRUN if args.multirun else RunMode.RUN
    own_files = args.config_name is None and args.config_path is None and args.config_dir is None
    pending = [cfg] if own_files and job_name is not None else []
    mode = cfg.hydra.mode
    get_mode, load = Hydra.get_mode, ConfigLoaderImpl.load_configuration

    def load_configuration(
        self, config_name, overrides, run_mode, from_shell=True, validate_sweep_overrides=True
    ):
        added = overrides[len(command) :]
        if (
            pending
            and (config_name, run_mode, from_shell, validate_sweep_overrides)
            == ("config", command_mode, True, True)
            and overrides[: len(command)] == command
            and added in ([], [f"hydra.mode={run_mode.name}"])
            and JobRuntime.instance().get("name") == job_name
        ):
            composed = pending.pop()
            parsed = OverridesParser.create().parse_overrides(added)
            ConfigLoaderImpl._apply_overrides_to_config(parsed, composed)
            composed.hydra.overrides.hydra.extend(added)  # where Hydra lists a hydra.* override
            return composed
        return load(self, config_name, overrides, run_mode, from_shell, validate_sweep_overrides)

    Hydra.get_mode = lambda self, config_name, overrides: mode  # type: ignore[method-assign]
    ConfigLoaderImpl.load_configuration = load_configuration  # type: ignore[method-assign]
    try:
        yield
    finally:
        Hydra.get_mode = get_mode  # type: ignore[method-assign]
        ConfigLoaderImpl.load_configuration = load  # type: ignore[method-assign]


def cli(argv: list[str] | None = None) -> int:
    """``python -m sim.run``: check the command line, run it, turn every failure into a message and
    exit code."""
    from sim.params import checks as preflight

    argv = sys.argv[1:] if argv is None else argv
    try:
        job_name = _task_name()
        cfg = preflight.check_command(argv, job_name or "app")
    except (ConfigError, GeographyError) as err:
        print(f"\nsim.run: {err}\n", file=sys.stderr)
        return 2
    stop_on_sigterm()
    try:
        with _composed_once(cfg, argv, job_name):
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
