"""Running configured models: one job = one or more replications → one run directory."""

from __future__ import annotations

import copy
import logging
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

from sim.model.transfer import TransferModel, as_config
from sim.runs import store as outputs
from sim.world import geography

log = logging.getLogger("sim")


def replication_seeds(seed: int, replications: int) -> list[int]:
    """Seeds of a job's replications: ``seed*k + r``, so jobs with seeds 0..n-1 never overlap."""
    return [seed * replications + r for r in range(replications)]


def run_seeds(
    cfg, seeds: Iterable[int] | None = None, progress: bool = False
) -> Iterator[tuple[int, TransferModel]]:
    """Run the config once per seed (default: its replication seeds, :func:`replication_seeds`),
    yielding ``(seed, model)`` after each run: the one way N seeds of a config are run."""
    if seeds is None:
        seeds = replication_seeds(cfg.run.seed, cfg.run.replications)
    for seed in seeds:
        yield seed, simulate(cfg, seed=seed, progress=progress)


def simulate(cfg, seed: int | None = None, progress: bool = False) -> TransferModel:
    """Build and run one model from a config (``seed`` overrides ``run.seed``)."""
    config = as_config(cfg)
    if seed is not None:
        if config is cfg:  # never change the caller's config
            config = copy.deepcopy(config)
        config.run.seed = seed
        # this model is one replication: its seed (run.seed*replications + r) is checked as such,
        # not as the first of `replications` more
        config.run.replications = 1
    model = TransferModel(config)
    if progress:
        from tqdm.auto import tqdm

        with tqdm(
            total=model.n_steps, desc=f"seed {config.run.seed}", unit="step", delay=2.0, leave=False
        ) as bar:
            model.run(progress=lambda _t: bar.update())
    else:
        model.run()
    return model


def _show_progress(cfg, multirun: bool) -> bool:
    mode = cfg.run.progress
    return mode == "on" or (mode == "auto" and not multirun and sys.stderr.isatty())


def run_job(
    cfg, run_dir: Path, overrides: list[str], multirun: bool, sweep_shared: dict | None = None
) -> list[dict]:
    """Run a job's replications and write its run directory; skip it if already complete.

    Returns one summary row per replication (metrics plus seed and replication). ``run.json``
    records the folder's name and the values the job's sweep shares (``sweep_shared``), so a
    moved folder, or a job of another configuration, is told apart without the sweep record.
    """
    from sim.params.compose import to_yaml

    config_yaml = to_yaml(cfg)
    geography_sha256 = geography.content_digest(
        cfg.geography.name
    )  # an edited data file is a new config
    cfg_hash = outputs.config_hash(config_yaml + geography_sha256)
    if outputs.is_complete(run_dir, cfg_hash):
        log.info("complete already, skipped: %s", run_dir)
        return read_summary(run_dir)
    t0 = time.perf_counter()
    seeds = replication_seeds(cfg.run.seed, cfg.run.replications)
    rows, series, regions = [], [], []
    for r, (seed, model) in enumerate(
        run_seeds(cfg, seeds, progress=_show_progress(cfg, multirun))
    ):
        rows.append({"seed": seed, "replication": r, **model.summary()})
        for frames, df in ((series, model.timeseries()), (regions, model.regions())):
            df.insert(0, "replication", r)
            df.insert(0, "seed", seed)
            frames.append(df)
    summary = rows[0] if len(rows) == 1 else rows
    files = {
        "config.yaml": config_yaml.encode(),
        "summary.json": outputs.json_bytes(summary),
        "timeseries.parquet": outputs.parquet_bytes(pd.concat(series, ignore_index=True)),
        "regions.parquet": outputs.parquet_bytes(pd.concat(regions, ignore_index=True)),
    }
    outputs.write_run(
        run_dir,
        files,
        {
            "config_hash": cfg_hash,
            "code_hash": outputs.code_hash(),
            "seeds": seeds,
            "replications": cfg.run.replications,
            "overrides": overrides,
            "geography_sha256": geography_sha256,
            "wall_time_s": round(time.perf_counter() - t0, 3),
            "folder": Path(run_dir).name,
            **({"sweep_shared": sweep_shared} if sweep_shared else {}),
        },
    )
    return rows


def read_summary(run_dir: Path) -> list[dict]:
    import json

    data = json.loads((Path(run_dir) / "summary.json").read_text())
    return data if isinstance(data, list) else [data]
