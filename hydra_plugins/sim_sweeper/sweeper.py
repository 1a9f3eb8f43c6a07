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
- every checked config is also held to the model's ranges (``sim.schema``),
  which the basic sweeper leaves to each job.

Each job's config is still composed in full where it runs.
"""

from __future__ import annotations

from collections.abc import Sequence

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override
from hydra.errors import ConfigCompositionException
from omegaconf import Container, DictConfig, OmegaConf, read_write
from omegaconf.errors import OmegaConfBaseException

from sim.schema import ConfigError, validate

_ABSENT = object()


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
    """True if ``override`` sets an existing leaf of ``config`` (not a group choice, addition or deletion)."""
    if override.package is not None or override.is_add() or override.is_force_add() or override.is_delete():
        return False
    node = OmegaConf.select(config, override.key_or_group, default=_ABSENT, throw_on_missing=False)
    return node is not _ABSENT and not isinstance(node, Container)


class CoveringSweeper(BasicSweeper):
    """Hydra's basic sweeper (same options, same jobs, same order); only the check before launching differs."""

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        loader = self.hydra_context.config_loader
        parser = OverridesParser.create()
        composed: dict[tuple[str, ...], DictConfig] = {}
        for job in covering_jobs(batch):
            overrides = parser.parse_overrides(list(job))
            values = [o for o in overrides if is_plain_value(o, self.config)]
            rest = tuple(o.input_line for o in overrides if o not in values)
            if rest not in composed:
                cfg = composed[rest] = loader.load_sweep_config(master_config=self.config, sweep_overrides=list(job))
            else:
                cfg = composed[rest]
                for o in values:
                    try:
                        with read_write(cfg):
                            OmegaConf.update(cfg, o.key_or_group, o.value(), merge=False)
                    except OmegaConfBaseException as err:
                        raise ConfigCompositionException(f"Error merging override {o.input_line}\n{err}") from None
            try:  # the model's ranges too, so a bad value stops the sweep here, not in each of its jobs
                validate(cfg)
            except ConfigError as err:
                raise ConfigCompositionException(f"Job {' '.join(job)}:\n{err}") from None
