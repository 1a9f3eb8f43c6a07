"""Helpers the tests import: models composed the way Hydra composes them, small cached runs,
the command line as a user types it."""

from __future__ import annotations

import functools
import subprocess
import sys
from pathlib import Path

import numpy as np

from sim.model.transfer import TransferModel
from sim.params.compose import compose

ROOT = Path(__file__).resolve().parent.parent


def model(overrides: dict | None = None) -> TransferModel:
    """A fresh model for dotted overrides (e.g. ``{"scenario": "enclave", "run.seed": 2}``)."""
    return TransferModel(compose(overrides))


@functools.cache
def _final(items: tuple) -> dict:
    m = model(dict(items))
    m.run()
    return m.summary()


def final(overrides: dict) -> dict:
    """Final-year metrics of one run (cached: tests share runs)."""
    return _final(tuple(sorted(overrides.items())))


def mean_over_seeds(overrides: dict, metric: str, seeds=range(4)) -> float:
    return float(np.mean([final({**overrides, "run.seed": s})[metric] for s in seeds]))


def run_cli(*args: str, cwd: Path = ROOT, timeout: float = 300) -> subprocess.CompletedProcess:
    """``python -m sim.run ARGS`` as a user would type it."""
    return subprocess.run(
        [sys.executable, "-m", "sim.run", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def fake_run(d: Path, overrides: list[str], config: dict, value: float = 1.0, **info) -> None:
    """A complete run folder ``d`` without running the model: ``config``, a summary holding
    ``value`` as ``west_jobs_local``, one-row tables; ``info`` adds to its run record."""
    import pandas as pd
    import yaml

    from sim.runs import store as outputs

    files = {
        "config.yaml": yaml.safe_dump(config).encode(),
        "summary.json": outputs.json_bytes({"seed": 0, "replication": 0, "west_jobs_local": value}),
        "timeseries.parquet": outputs.parquet_bytes(
            pd.DataFrame({"step": [0], "west_jobs_local": [value]})
        ),
        "regions.parquet": outputs.parquet_bytes(pd.DataFrame({"county": ["a"]})),
    }
    outputs.write_run(d, files, {"config_hash": "h", "overrides": overrides, **info})
