"""The screening behind the main job's draws (``make screen`` = ``python -m sim.studies.screen``).

Morris (SALib) over every uncertain and calibrated float parameter on the calibrated defaults
(``experiment=screen``), each design row run for the full package and the baseline with the
same seed. The outcomes are the package's gains over that baseline (:data:`OUTCOMES`). A
parameter is *influential* when its μ* on some outcome is at least :data:`THRESHOLD` of the
largest μ* on that outcome. The report writes ``screen_indices.csv`` (every parameter's μ*,
σ and share of the largest μ*, per outcome) and ``influential.yaml`` into the sweep folder;
``python -m sim.studies.screen`` runs the sweep, then copies ``influential.yaml`` to
``sim/world/<calibration>/``, where :func:`sim.params.designs.drawn_uncertain` reads it: the
main job's draws carry those parameters, each from its prior.

Deterministic: the design is seeded (``sensitivity.seed``), every run is seeded, and the file
records the code's commit and its date rather than the time the screening ran.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sim.analysis.paired import paired_gain
from sim.params import designs
from sim.params.draws import influential_file
from sim.params.schema import UNCERTAIN, schema_fields
from sim.report import labels
from sim.runs import store as outputs
from sim.runs.collect import job_dirs, load_sweep
from sim.studies.policy_comparison import with_public_cost
from sim.studies.sensitivity import _design

SCENARIO = "full"  # the package screened: every building block at once
KEY = "sensitivity.sample"
# Gains of the package over the same-row, same-seed baseline in the final quarter.
OUTCOMES = {
    "jobs_gain": "local (park and workshop) jobs gained",
    "income_gain": "income per resident gained (yuan/year)",
    "jobs_per_million_yuan": "local jobs gained per million public yuan/year",
}
# Share of the largest μ* on an outcome from which a parameter is influential. Each design row
# runs one seed, so seed noise gives every parameter some μ*: on the first screening the median
# share was 0.08–0.09 on the job outcomes; a quarter keeps clear of that floor.
THRESHOLD = 0.25
DEFAULT_SWEEP = Path("results/sweeps/screen")


def outcome_table(summary: pd.DataFrame) -> pd.DataFrame:
    """One row per design row: the package's gains over its baseline twin (:data:`OUTCOMES`)."""
    summary = with_public_cost(summary)
    metrics = ["west_jobs_local", "west_income_per_capita", "public_programme_cost"]
    g = paired_gain(summary, metrics, on=[KEY])
    g = g[g["scenario"].astype(str) == SCENARIO].set_index(KEY).sort_index()
    cost = g["public_programme_cost"] / 1e6
    return pd.DataFrame(
        {
            "jobs_gain": g["west_jobs_local"],
            "income_gain": g["west_income_per_capita"],
            "jobs_per_million_yuan": g["west_jobs_local"] / cost.where(cost > 0),
        }
    )


def indices(sweep_dir: Path) -> tuple[pd.DataFrame, int]:
    """Tidy: outcome, parameter, role, mu_star, mu_star_conf, sigma, share (μ* over the
    outcome's largest μ*); and the number of trajectories analysed: the complete ones from the
    first (a sweep stopped part-way gives a reduced screening; at least 2 are needed)."""
    from SALib.analyze import morris

    s, X = _design(sweep_dir)
    Y = outcome_table(load_sweep(sweep_dir))
    prob = designs.problem(list(s["keys"]), s["levers"])
    per = prob["num_vars"] + 1  # rows of one trajectory
    done = set(Y.dropna(subset=["jobs_gain"]).index)
    complete = 0
    while complete < int(s["n"]) and set(range(complete * per, (complete + 1) * per)) <= done:
        complete += 1
    if complete < 2:
        raise ValueError(
            f"fewer than 2 complete Morris trajectories of {per} design rows each in {sweep_dir}; "
            "re-run the same command to finish them"
        )
    X = X[: complete * per]
    roles = {k: f.metadata["role"] for k, f in schema_fields()}
    frames = []
    for outcome in OUTCOMES:
        y = Y[outcome].reindex(range(len(X))).to_numpy(float)
        if not np.isfinite(y).all():  # a row without a cost gain: its mean stands in
            y = np.where(np.isfinite(y), y, np.nanmean(y))
        r = morris.analyze(prob, X, y, num_levels=designs.MORRIS_LEVELS, seed=int(s["seed"]))
        mu = np.asarray(r["mu_star"], float)
        frames.append(
            pd.DataFrame(
                {
                    "outcome": outcome,
                    "parameter": prob["names"],
                    "role": [roles[k] for k in prob["names"]],
                    "mu_star": mu,
                    "mu_star_conf": np.asarray(r["mu_star_conf"], float),
                    "sigma": np.asarray(r["sigma"], float),
                    "share": mu / mu.max() if mu.max() > 0 else np.zeros_like(mu),
                }
            )
        )
    return pd.concat(frames, ignore_index=True), complete


def influential(table: pd.DataFrame, threshold: float = THRESHOLD) -> pd.DataFrame:
    """The uncertain parameters whose μ* share reaches ``threshold`` on some outcome, largest
    share first; :data:`sim.params.designs.WITH_CALIBRATION_DRAWS` always (flagged)."""
    wide = table[table["role"] == UNCERTAIN].pivot(
        index="parameter", columns="outcome", values="share"
    )
    wide = wide[list(OUTCOMES)]
    top = wide.max(axis=1)
    keep = (top >= threshold) | wide.index.isin(designs.WITH_CALIBRATION_DRAWS)
    out = wide[keep].assign(max_share=top[keep]).sort_values("max_share", ascending=False)
    return out.reset_index()


def _git(*args: str) -> str:
    try:
        r = subprocess.run(["git", *args], capture_output=True, text=True, timeout=20, check=False)
    except OSError:
        return ""
    return r.stdout.strip()


def influential_yaml(table: pd.DataFrame, s: dict, calibration: str, trajectories: int) -> str:
    """The influential list as data (:func:`sim.params.designs.drawn_uncertain` reads it)."""
    chosen = influential(table)
    digest = hashlib.sha256(table.to_csv(index=False).encode()).hexdigest()[:12]
    dirty = (
        " (with uncommitted changes)"
        if _git("status", "--porcelain", "--", "sim", ":!sim/world/*/influential.yaml")
        else ""
    )
    doc = {
        "calibration": calibration,
        "produced_by": (
            f"make screen (python -m sim.studies.screen): Morris over {len(s['names'])} "
            f"uncertain and calibrated parameters, {trajectories} trajectories"
            + (
                f" (the first {trajectories} of {s['n']}: a reduced screening)"
                if trajectories < int(s["n"])
                else ""
            )
            + f", {designs.MORRIS_LEVELS} levels: {trajectories * (len(s['names']) + 1)} design "
            f"rows × 2 scenarios (baseline, {SCENARIO}), design seed {s['seed']}, run seed 0, "
            "on the calibrated defaults"
        ),
        "commit": (_git("rev-parse", "--short", "HEAD") or "unknown") + dirty,
        # the screened code's date, not today's: the same code gives the same file
        "date": _git("log", "-1", "--format=%cs") or "unknown",
        "indices_digest": f"sha256:{digest} of screen_indices.csv",
        "outcomes": dict(OUTCOMES),
        "threshold": (
            f"μ* at least {THRESHOLD:g} of the largest μ* on some outcome; "
            f"{', '.join(designs.WITH_CALIBRATION_DRAWS)} always"
        ),
        "parameters": [
            {
                "key": r.parameter,
                "max_share": round(float(r.max_share), 3),
                **{o: round(float(getattr(r, o)), 3) for o in OUTCOMES},
            }
            for r in chosen.itertuples()
        ],
    }
    head = (
        "# Influential uncertain parameters: the main job's draws carry these, each from its\n"
        "# prior (sim/params/designs.py). Written by `make screen`; do not edit by hand.\n"
    )
    return head + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=96)


def _calibration(sweep_dir: Path) -> str:
    cfg = yaml.safe_load((job_dirs(sweep_dir)[0] / "config.yaml").read_text())
    return str(cfg["run"]["calibration"])


def report(sweep_dir: Path) -> str:
    """The study report: ``screen_indices.csv`` and ``influential.yaml`` in the sweep folder."""
    sweep_dir = Path(sweep_dir)
    s, _ = _design(sweep_dir)
    table, trajectories = indices(sweep_dir)
    outputs.write_atomic(sweep_dir / "screen_indices.csv", table.to_csv(index=False).encode())
    text = influential_yaml(table, s, _calibration(sweep_dir), trajectories)
    outputs.write_atomic(sweep_dir / "influential.yaml", text.encode())
    chosen = influential(table)
    lines = [f"{len(chosen)} influential uncertain parameters (largest μ* share first):"]
    lines += [
        f"  {labels.name(r.parameter)} ({r.parameter}): {r.max_share:.2f}"
        for r in chosen.itertuples()
    ]
    lines.append(f"Table: {sweep_dir / 'screen_indices.csv'}")
    lines.append(f"List:  {sweep_dir / 'influential.yaml'}")
    return "\n".join(lines)


def install(sweep_dir: Path) -> Path:
    """Copy the sweep's ``influential.yaml`` to its calibration's folder (atomically)."""
    sweep_dir = Path(sweep_dir)
    target = influential_file(_calibration(sweep_dir))
    outputs.write_atomic(target, (sweep_dir / "influential.yaml").read_bytes())
    return target


def main(argv: list[str] | None = None) -> int:
    """``python -m sim.studies.screen [--sweep-dir DIR] [--no-run] [OVERRIDE ...]``: run the
    screening sweep (resumed if partly done), then install its influential list."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m sim.studies.screen", description=main.__doc__)
    ap.add_argument("--sweep-dir", type=Path, default=DEFAULT_SWEEP)
    ap.add_argument("--no-run", action="store_true", help="re-analyse a finished sweep only")
    ap.add_argument("overrides", nargs="*", help="Hydra overrides, e.g. sensitivity.n=2")
    args = ap.parse_args(argv)
    if not args.no_run:
        cmd = [
            sys.executable,
            "-m",
            "sim.run",
            "-m",
            "experiment=screen",
            f"hydra.sweep.dir={args.sweep_dir}",
            *args.overrides,
        ]
        if subprocess.run(cmd, check=False).returncode != 0:
            return 1
    else:
        print(report(args.sweep_dir))
    print(f"Installed: {install(args.sweep_dir)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
