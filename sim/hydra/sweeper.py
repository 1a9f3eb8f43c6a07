"""The basic sweeper, with a check before launching that costs per swept value, not per job.

Hydra's basic sweeper composes the config of every job in the launching process
before it starts any (about 60 ms each: a minute of serial work for a
1,000-job sweep, before the first job runs, whatever the launcher). This one
finds the same errors with less work:

- a job fails to compose because of one of its override values, so only a
  set of jobs in which every override occurs at least once is checked
  (:func:`covering_jobs`);
- jobs that differ from a checked job only in plain values (``run.seed=7``,
  not a config group such as ``scenario=enclave``) are not composed again:
  their values are set on that job's config, which checks type and key;
- every checked config is also held to the model's ranges (``sim.params.schema``),
  which the basic sweeper leaves to each job, after its parameter point (design row
  or draw) is applied by the function the job itself uses (``sim.params.point.resolve``),
  so a bad design stops the sweep here and a complete job's config hash is the one it
  recorded.

Each job's config is still composed in full where it runs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from hydra._internal.config_loader_impl import get_overrides_dirname
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override
from hydra.core.utils import JobStatus
from hydra.errors import CompactHydraException, ConfigCompositionException, HydraException
from omegaconf import Container, DictConfig, OmegaConf, read_write
from omegaconf.errors import OmegaConfBaseException

from sim.hydra.callback import (
    FAILURES,
    REFUSED,
    job_log,
    launcher_error,
    mark_done,
    unfinished_jobs,
)
from sim.params.checks import check_resolved, check_sweep_memory
from sim.params.compose import safe_dirname
from sim.params.point import resolve
from sim.params.schema import ConfigError
from sim.runs.collect import job_dirs
from sim.runs.store import is_complete
from sim.runs.sweep_record import check_and_record, flat, lock, record_jobs, shared_values
from sim.world.geography import GeographyError, content_digest

_ABSENT = object()
ENCLAVE = "policy.enclave."


def covering_jobs(batch: Sequence[Sequence[str]]) -> list[Sequence[str]]:
    """A subset of ``batch`` (jobs' override lists) in which every override occurs at least once.

    Greedy in launch order, so the first job is always in it; for a product of
    sweeps of sizes a, b, ... it has at most a + b + ... jobs.
    """
    seen: set[str] = set()
    chosen = []
    for job in batch:
        if not seen.issuperset(job):
            chosen.append(job)
            seen.update(job)
    return chosen


def is_plain_value(override: Override, config: DictConfig) -> bool:
    """True if ``override`` sets an existing leaf of ``config`` (not a group choice, addition or
    deletion)."""
    if (
        override.package is not None
        or override.is_add()
        or override.is_force_add()
        or override.is_delete()
    ):
        return False
    node = OmegaConf.select(config, override.key_or_group, default=_ABSENT, throw_on_missing=False)
    return node is not _ABSENT and not isinstance(node, Container)


def job_config(cfg: DictConfig) -> dict:
    """A job's config as the job itself will see it: resolved, without the ``hydra`` node."""
    return {
        k: OmegaConf.to_container(cfg[k], resolve=True) if OmegaConf.is_config(cfg[k]) else cfg[k]
        for k in cfg
        if k != "hydra"
    }


def _refuse(job: Sequence[str], err: Exception) -> ConfigCompositionException:
    return ConfigCompositionException(f"Job {' '.join(job)}:\n{err}")


class CoveringSweeper(BasicSweeper):
    """Hydra's basic sweeper (same options, same jobs, same order) with checks before launching.

    Before any job starts: every swept value is composed and checked (ranges,
    ``${...}`` values, geography files, memory); the sweep folder's record is
    compared with earlier jobs there (:mod:`sim.runs.sweep_record`); jobs whose folder
    is complete already are not launched at all (no worker, no cluster task).
    """

    def job_configs(self, jobs: Sequence[Sequence[str]], check: bool = True):
        """(job, task config) for each of ``jobs``: the config the job will run (no ``hydra`` node,
        its parameter point applied). Composed once per set of config-group choices and other
        non-plain overrides; a job's plain values are set on that composition (which is reused)."""
        loader, parser = self.hydra_context.config_loader, OverridesParser.create()
        composed: dict[tuple[str, ...], DictConfig] = {}
        for job in jobs:
            overrides = parser.parse_overrides(list(job))
            values = [o for o in overrides if is_plain_value(o, self.config)]
            rest = tuple(o.input_line for o in overrides if o not in values)
            if rest not in composed:
                composed[rest] = loader.load_sweep_config(
                    master_config=self.config, sweep_overrides=list(job)
                )
            else:
                for o in values:
                    try:
                        with read_write(composed[rest]):
                            OmegaConf.update(composed[rest], o.key_or_group, o.value(), merge=False)
                    except OmegaConfBaseException as err:
                        raise ConfigCompositionException(
                            f"Error merging override {o.input_line}\n{err}"
                        ) from None
            yield job, task_config(job, composed[rest], check)

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> list[dict]:
        """Check a covering set of the batch's jobs; return their job configs."""
        checked = []
        for job, cfg in self.job_configs(covering_jobs(batch)):
            # the model's ranges, values, data file and size, so a bad job stops the sweep here
            try:
                check_resolved(cfg)
                checked.append(job_config(cfg))
            except (ConfigError, GeographyError) as err:
                raise _refuse(job, err) from None
        return checked

    def jobs_to_run(self, batch: Sequence[Sequence[str]], sweep_dir: Path) -> list[Sequence[str]]:
        """The jobs of ``batch`` whose folders are not complete yet; complete ones count as done at
        once."""
        if not sweep_dir.is_dir() or not job_dirs(sweep_dir):
            return list(batch)
        todo = []
        if len(batch) > 100:  # ~10-30 ms a job: say what the pause is
            print(f"Checking which of {len(batch)} jobs are complete already ...", file=sys.stderr)
        for job, task_cfg in self.job_configs(batch, check=False):  # checked before launch
            name = self.job_name(job)
            if is_complete(sweep_dir / name, run_hash(task_cfg)):
                mark_done(sweep_dir, name, skipped=True)
            else:
                todo.append(job)
        return todo

    def job_name(self, job: Sequence[str]) -> str:
        """The folder Hydra will give this job (``hydra.sweep.subdir``)."""
        exclude = list(self.config.hydra.job.config.override_dirname.exclude_keys)
        return safe_dirname(
            get_overrides_dirname(
                OverridesParser.create().parse_overrides(list(job)), exclude, ",", "="
            )
        )

    def without_inert_keys(self, batch: Sequence[Sequence[str]]) -> list[Sequence[str]]:
        """The batch with the enclave keys left out of jobs whose enclave is switched off
        (``policy.enclave.enabled`` false): they change nothing there, so
        ``scenario=pairing,enclave policy.enclave.tax_share_east=0,0.5`` runs pairing once per
        seed, not once per share (:meth:`unique_jobs` then drops the repeats)."""
        parser = OverridesParser.create()

        def inert_key(o: Override) -> bool:
            key = o.key_or_group
            return key.startswith(ENCLAVE) and key != f"{ENCLAVE}enabled"

        parsed = [parser.parse_overrides(list(job)) for job in batch]
        if not any(inert_key(o) for job in parsed for o in job):
            return list(batch)
        loader, composed, out = self.hydra_context.config_loader, {}, []
        for job, overrides in zip(batch, parsed, strict=True):
            rest = tuple(o.input_line for o in overrides if not is_plain_value(o, self.config))
            if rest not in composed:
                cfg = loader.load_sweep_config(
                    master_config=self.config, sweep_overrides=list(rest)
                )
                composed[rest] = bool(cfg.policy.enclave.enabled)
            enabled = composed[rest]
            for o in overrides:
                if o.key_or_group == f"{ENCLAVE}enabled":
                    enabled = bool(o.value())
            out.append(job if enabled else [o.input_line for o in overrides if not inert_key(o)])
        return out

    def unique_jobs(self, batch: Sequence[Sequence[str]]) -> list[Sequence[str]]:
        """The batch without repeats: a value given twice (``run.seed=3,3``) would run twice into
        one folder; so would a switched-off enclave's keys (:meth:`without_inert_keys`)."""
        stripped = self.without_inert_keys(batch)
        inert = sum(len(a) != len(b) for a, b in zip(batch, stripped, strict=True))
        by_folder: dict[str, Sequence[str]] = {}
        for job in stripped:
            by_folder.setdefault(self.job_name(job), job)
        if len(by_folder) < len(batch):
            why = "; enclave keys do nothing where the enclave is off" if inert else ""
            print(
                f"{len(batch) - len(by_folder)} repeated jobs dropped (same values, same "
                f"folder{why})",
                file=sys.stderr,
            )
        return list(by_folder.values())

    def sweep(self, arguments: list[str]):
        params_conf = self._parse_config()
        params_conf.extend(arguments)
        parser = OverridesParser.create(config_loader=self.hydra_context.config_loader)
        parsed = parser.parse_overrides(params_conf)
        returns, initial_job_idx, first, expected = [], 0, True, []
        n_jobs = sweep_size(parsed)
        if n_jobs > MAX_SWEEP_JOBS:  # Hydra would list every job in memory before the first starts
            REFUSED.append(
                f"This sweep has {n_jobs:,} jobs; at most {MAX_SWEEP_JOBS:,} fit one sweep "
                "(listing and "
                f"checking them alone would take about {n_jobs * 0.02 / 3600:,.1f} hours). "
                "Split it "
                "into smaller sweeps. Nothing was run."
            )
            return returns
        self.overrides = self.split_arguments(parsed, self.max_batch_size)
        sweep_dir = Path(self.config.hydra.sweep.dir)
        while not self.is_done():
            batch = self.get_job_batch()
            try:
                checked = self.validate_batch_is_legal(batch)  # every value, before repeats go
                batch = self.unique_jobs(batch)
                check_sweep_memory(self.config.hydra, checked, len(batch))
                if first:
                    self._lock = lock(
                        sweep_dir
                        # one sweep at a time in a folder, until this process ends  # the record of
                        # the
                        # folder: one study, one configuration
                    )
                    shared = shared_values(
                        [
                            {**flat(c), "geography.sha256": content_digest(c["geography"]["name"])}
                            for c in checked
                        ]
                    )
                    check_and_record(
                        sweep_dir, shared, has_jobs=sweep_dir.is_dir() and bool(job_dirs(sweep_dir))
                    )
                    OmegaConf.save(self.config, sweep_dir / "multirun.yaml")
                    first = False
            except (HydraException, OmegaConfBaseException, ConfigError, GeographyError) as err:
                REFUSED.append(
                    str(err).strip()
                )  # sim.run prints it and exits 2; nothing was launched
                return returns
            expected += [self.job_name(job) for job in batch]
            record_jobs(
                sweep_dir, expected
            )  # before launching: a killed sweep still names its missing jobs
            todo = self.jobs_to_run(batch, sweep_dir)
            if len(todo) < len(batch):
                print(
                    f"{len(batch) - len(todo)} of {len(batch)} jobs complete already, not launched",
                    file=sys.stderr,
                )
            results = self.launch(todo, initial_job_idx) if todo else []
            initial_job_idx += len(batch)
            returns.append(results)
        return returns

    def launch_size(self, n_jobs: int) -> int:
        """Jobs handed to the launcher at once: all, except for submitit_local, which would start
        every job as its own process at once; it gets as many jobs at a time as there are cores."""
        if type(self.launcher).__name__ == "LocalLauncher":
            return max(
                1,
                len(os.sched_getaffinity(0))
                if hasattr(os, "sched_getaffinity")
                else os.cpu_count() or 1,
            )
        return max(1, n_jobs)

    def launch(self, jobs: list[Sequence[str]], initial_job_idx: int):
        """Launch ``jobs``; failed jobs are reported one by one (``sim.hydra.callback.FAILURES``),
        not as a traceback."""
        sweep_dir, size, results = (
            Path(self.config.hydra.sweep.dir),
            self.launch_size(len(jobs)),
            [],
        )
        for start in range(0, len(jobs), size):
            chunk = list(jobs[start : start + size])
            try:
                done = list(self.launcher.launch(chunk, initial_job_idx=initial_job_idx + start))
            except KeyboardInterrupt:
                raise
            except Exception as err:  # noqa: BLE001 - a launcher or cluster failure, reported by sim.run
                if type(err).__name__ in (
                    "NotSubmitted",
                    "SubmittedNotFollowed",
                ):  # one message for all
                    FAILURES.append(str(err))
                    if type(err).__name__ == "NotSubmitted":
                        break  # the next batch would be refused the same way
                    continue
                FAILURES.append(f"the launcher reported a failed job: {launcher_error(err)}")
                FAILURES.extend(unfinished_jobs(sweep_dir, [self.job_name(j) for j in chunk]))
                continue
            results += done
            for job, r in zip(chunk, done, strict=False):
                if r.status == JobStatus.FAILED:
                    log = job_log(sweep_dir, self.job_name(job))
                    FAILURES.append(
                        f"job {' '.join(job)} failed: {_job_error(r._return_value)}"
                        + (f" (log: {log})" if log else "")
                    )
        return results


MAX_SWEEP_JOBS = 250_000  # more than the largest design (sim.params.designs.MAX_DESIGN_ROWS)


def sweep_size(overrides: Sequence[Override]) -> int:
    """Jobs of a sweep, counted without listing them (``range(10**9)`` is one number)."""
    import math

    from hydra.core.override_parser.types import RangeSweep

    sizes: dict[str, int] = {}
    for o in overrides:
        if not o.is_sweep_override():
            continue
        v = o.value()
        if isinstance(v, RangeSweep) and v.step:
            size = max(0, math.ceil((v.stop - v.start) / v.step))
        else:
            size = len(list(o.sweep_string_iterator()))
        sizes[o.get_key_element()] = size
    return math.prod(sizes.values())


def task_config(job, cfg: DictConfig, check: bool = True) -> DictConfig:
    """The config job ``job`` runs, as ``sim.cli.main`` builds it: ``cfg`` without its ``hydra``
    node, with the job's parameter point applied and (``check``) validated
    (``sim.params.point.resolve``)."""
    task = OmegaConf.masked_copy(cfg, [k for k in cfg if k != "hydra"])  # a deep copy
    try:
        return resolve(task, check=check)
    except ConfigError as err:
        raise _refuse(job, err) from None


def _job_error(err: Exception) -> str:
    """A job's exception as text: sim's own messages as they are, anything else with its type."""
    return str(err) if isinstance(err, CompactHydraException) else f"{type(err).__name__}: {err}"


def run_hash(task_cfg: DictConfig) -> str:
    """The config hash a job of this config records in its run.json (see
    ``sim.runs.runner.run_job``)."""
    from sim.params.compose import to_yaml
    from sim.runs.store import config_hash

    return config_hash(to_yaml(task_cfg) + content_digest(task_cfg.geography.name))
