"""Command line: ``python -m sim.run [overrides]`` (``-m`` for a sweep). See the README."""

from __future__ import annotations

import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from .config import CONFIG_DIR  # importing sim.config registers the schema and resolvers
from .geography import GeographyError
from .runner import run_job
from .schema import ConfigError, validate


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def main(cfg: DictConfig):
    hc = HydraConfig.get()
    run_dir = Path(hc.runtime.output_dir)
    multirun = hc.mode.name == "MULTIRUN"
    try:
        validate(cfg)
        rows = run_job(cfg, run_dir, list(hc.overrides.task), multirun)
    except (ConfigError, GeographyError) as err:
        _remove_if_empty(run_dir)
        if multirun:
            raise
        print(f"\nsim.run: {err}\n", file=sys.stderr)
        sys.exit(2)
    if not multirun:
        _print_summary(rows, run_dir)
    return rows


def _remove_if_empty(path: Path) -> None:
    try:
        path.rmdir()
    except OSError:
        pass


def _print_summary(rows, run_dir) -> None:
    from .metrics import CONTRACT, METRICS
    from .stats import fmt

    print(f"Run written to {run_dir}" + (f" (mean of {len(rows)} replications)" if len(rows) > 1 else ""))
    for k in CONTRACT:
        print(f"  {k:<26} {fmt(sum(r[k] for r in rows) / len(rows)):>10}  {METRICS[k][0]}")


if __name__ == "__main__":
    main()
