"""ABC-SMC (pyabc) with a checkpoint: the fit, its posterior, identification and point estimate.

The checkpoint is an SQLite database, ``<run_dir>/abc.db``, written after every
generation: the same command resumes a killed calibration. One calibration at a time
may use a checkpoint (:func:`hold`): a second one, local or a Slurm job, is refused.
"""

from __future__ import annotations

import json
import logging
import math
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from sim.analysis.calibration.experiment import Experiment, name
from sim.analysis.calibration.measures import distance
from sim.analysis.calibration.sampler import SeededMappingSampler
from sim.params.schema import ConfigError
from sim.runs import store

log = logging.getLogger("sim.analysis.calibration")
LOCK = ".checkpoint.lock"  # held (flock) by the process fitting into the folder
SLURM_RECORD = ".slurm_job"  # the Slurm job submitted to fit into the folder


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ------------------------------------------------------------------ one calibration per checkpoint
def hold(run_dir: Path):
    """Take the checkpoint folder for this process (released when it ends, even if killed).

    Two calibrations on one checkpoint would mix their populations; the second is refused.
    Returns the open lock file: keep a reference while fitting.
    """
    job = os.environ.get("SLURM_JOB_ID")
    return store.hold_folder(
        run_dir,
        LOCK,
        f"another calibration is using the checkpoint {run_dir} right now ({{holder}}). "
        "Wait for it to end (or stop it); nothing was run.",
        holder_note=(f", Slurm job {job}" if job else "") + f", since {now()}",
    )


def is_held(run_dir: Path) -> str | None:
    """Who holds the checkpoint folder right now (a local process), or None."""
    import fcntl

    path = run_dir / LOCK
    if not path.exists():
        return None
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            return handle.read().strip() or "another process"
        fcntl.flock(handle, fcntl.LOCK_UN)
    return None


def check_checkpoint(run_dir: Path) -> None:
    """A checkpoint that exists must be readable: a damaged one is reported, not half-resumed."""
    db, stamp = run_dir / "abc.db", run_dir / "experiment.json"
    if stamp.exists():
        try:
            json.loads(stamp.read_text())["digest"]
        except (OSError, ValueError, KeyError, TypeError):
            raise ConfigError(
                f"the checkpoint record {stamp} is damaged; run again with --fresh to start "
                "the fit afresh (the checkpoint is then deleted)."
            ) from None
    if db.exists():
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
                tables = {
                    r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")
                }
        except sqlite3.Error as err:
            raise ConfigError(
                f"the checkpoint {db} is damaged ({err}); run again with --fresh to start the fit "
                "afresh (the checkpoint is then deleted)."
            ) from None
        if "populations" not in tables:
            raise ConfigError(
                f"the checkpoint {db} is not a pyabc database (no populations table); run again "
                "with --fresh to start afresh (the file is then deleted)."
            )


# ------------------------------------------------------------------ ABC-SMC with a checkpoint
def run_abc(
    exp: Experiment,
    budget: dict,
    workers: int,
    run_dir: Path,
    fresh: bool = False,
    client=None,
):
    """Run (or resume) ABC-SMC; returns pyabc's History. Checkpoint: ``run_dir/abc.db``.

    The simulations run on ``workers`` local processes, or on the workers of a dask
    ``client`` (engine.py); either gives the same populations."""
    import pyabc

    run_dir.mkdir(parents=True, exist_ok=True)
    db, stamp = run_dir / "abc.db", run_dir / "experiment.json"
    if not fresh:
        check_checkpoint(run_dir)
    digest = exp.digest()
    if db.exists() and (
        fresh or not stamp.exists() or json.loads(stamp.read_text())["digest"] != digest
    ):
        if not fresh:
            log.warning(
                "the checkpoint in %s belongs to another experiment or code version: starting "
                "afresh",
                run_dir,
            )
        db.unlink()
    prior = pyabc.Distribution(
        **{
            name(k): pyabc.RV("uniform", lo, hi - lo)
            for k in exp.params
            for lo, hi in [exp.bounds(k)]
        }
    )
    sampler = SeededMappingSampler(workers, seed=int(digest[:8], 16), client=client)
    abc = pyabc.ABCSMC(
        exp,
        prior,
        lambda s, o: distance(s, o),
        population_size=budget["population"],
        sampler=sampler,
    )
    url = f"sqlite:///{db.resolve()}"
    if db.exists():
        history = abc.load(url, 1)
        log.info("resuming from generation %d (%s)", history.max_t + 1, db)
    else:
        abc.new(url, exp.observed)
        stamp.write_text(json.dumps({"digest": digest, "started": now()}))
    done = abc.history.max_t + 1
    remaining = budget["generations"] - done
    try:
        if remaining > 0 and abc.history.total_nr_simulations < budget["max_simulations"]:
            abc.run(
                max_nr_populations=remaining, max_total_nr_simulations=budget["max_simulations"]
            )
    finally:
        sampler.close()
    return abc.history


def abc_seconds(history, fallback: float) -> float:
    """Wall time of the ABC run from its database (a resumed run counts its earlier sessions)."""
    try:
        abc = history.get_abc()
        return (abc.end_time - abc.start_time).total_seconds()
    except (AttributeError, TypeError):  # not finished: no end time
        return fallback


# ------------------------------------------------------------------ the posterior
def posterior(exp: Experiment, history) -> tuple[list, np.ndarray, np.ndarray]:
    """Final population in fit space: (columns, particles [n, k], weights [n])."""
    df, w = history.get_distribution(m=0, t=history.max_t)
    cols = [name(k) for k in exp.params]
    return cols, df[cols].to_numpy(), np.asarray(w, dtype=float)


def identification(exp: Experiment, particles: np.ndarray, weights: np.ndarray) -> dict:
    """Posterior vs prior width per parameter in fit space; the strongest posterior correlation.

    A parameter whose posterior keeps most of its prior width (ratio > 0.7) is not
    identified by the targets; 0.4-0.7 weakly; below 0.4 identified.
    """
    mean = weights @ particles
    cov = ((particles - mean) * weights[:, None]).T @ (particles - mean)
    sd = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sd, sd)
    out = {}
    for i, key in enumerate(exp.params):
        lo, hi = exp.bounds(key)
        ratio = float(sd[i] / ((hi - lo) / math.sqrt(12)))
        j = max((j for j in range(len(sd)) if j != i), key=lambda j: abs(corr[i, j]), default=None)
        out[key] = {
            "prior_sd": (hi - lo) / math.sqrt(12),
            "posterior_sd": float(sd[i]),
            "width_ratio": ratio,
            "verdict": "identified"
            if ratio < 0.4
            else "weakly identified"
            if ratio < 0.7
            else "not identified",
            "most_correlated": list(exp.params)[j] if j is not None else None,
            "correlation": float(corr[i, j]) if j is not None else None,
        }
    return out


def draw_sample(exp: Experiment, particles, weights, n: int) -> list[dict]:
    """``n`` equally weighted draws resampled from the weighted population (fixed seed)."""
    rng = np.random.default_rng(20231)
    idx = rng.choice(len(weights), size=n, p=weights / weights.sum())
    cols = [name(k) for k in exp.params]
    return [
        {"values": rounded(exp.to_model(dict(zip(cols, particles[i], strict=True))), exp)}
        for i in idx
    ]


def rounded(values: dict, exp: Experiment) -> dict:
    from omegaconf import OmegaConf

    out = {}
    for k, v in values.items():
        out[k] = (
            int(round(v)) if isinstance(OmegaConf.select(exp.base, k), int) else float(f"{v:.4g}")
        )
    return out


def point_estimate(exp: Experiment, particles: np.ndarray, weights: np.ndarray) -> dict:
    """The weighted posterior median of each parameter, in fit space (log10 where the prior is
    log-uniform), of the final population.

    A stated estimator rather than one chosen particle: on a ridge the best particle's
    position along it is an accident of the sample, and the median does not depend on the
    order particles are drawn. Where a parameter is not identified the median sits near
    the middle of what the targets allow; the draws carry the spread (docs/calibration.md).
    """
    cols = [name(k) for k in exp.params]
    medians = {c: weighted_median(particles[:, i], weights) for i, c in enumerate(cols)}
    return rounded(exp.to_model(medians), exp)


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The smallest value at which the cumulative weight reaches half (ties: the lower)."""
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(np.asarray(weights, float)[order])
    return float(values[order][np.searchsorted(cum, 0.5 * cum[-1])])
