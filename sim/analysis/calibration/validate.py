"""How well the calibrated model reproduces the figures: the fit table and out-of-sample checks."""

from __future__ import annotations

import numpy as np

from sim.analysis.calibration.experiment import VALIDATION_RUNS, Experiment, load_targets
from sim.analysis.calibration.measures import simulate_measures, with_values

# the calibrated default must reproduce each fitted target within ±25% (docs/calibration.md)
TOLERANCE = 0.25


def spread(rows: list[dict], key: str) -> dict:
    v = np.array([r[key] for r in rows])
    return {
        "mean": float(v.mean()),
        "sd": float(v.std(ddof=1)) if len(v) > 1 else 0.0,
        "p5": float(np.percentile(v, 5)),
        "p95": float(np.percentile(v, 95)),
    }


def fit_table(exp: Experiment, point: dict, draws: list[dict], n_draws: int, seeds) -> list[dict]:
    """Each target: reported value, simulated mean and spread over seeds (point estimate)
    and over parameter draws (draw k with seed k), relative error of the means. Every run is
    paired with the same run without the pairing (the baseline counterfactual)."""
    targets = load_targets(exp.geography)
    at_point = [exp.run_point(point, seeds=[s], counterfactual=True) for s in seeds]
    over_draws = [
        exp.run_point(d["values"], seeds=[1000 + i], counterfactual=True)
        for i, d in enumerate(draws[:n_draws])
    ]
    rows = []
    for tid, t in targets.items():
        if not t.get("measure") or t["role"] not in ("fit", "validate"):
            continue
        m = t["measure"]
        p, d = spread(at_point, m), spread(over_draws, m)
        pooled = np.mean([r[m] for r in at_point + over_draws])
        rows.append(
            {
                "target": tid,
                "role": t["role"],
                "reported": float(t["value"]),
                "bound": t.get("bound"),
                "prior": t.get("prior"),
                "point": p,
                "draws": d,
                "pooled_mean": float(pooled),
                "rel_error": float(pooled / float(t["value"]) - 1),
            }
        )
    return rows


def validate_out_of_sample(point: dict, seeds) -> list[dict]:
    """The calibrated behaviour, not refitted, on the other geographies (their own pool sizes)."""
    from sim.params.compose import compose

    behaviour = {k: v for k, v in point.items() if not k.startswith("geography.")}
    rows = []
    for geo, overrides in VALIDATION_RUNS.items():
        cfg = with_values(
            compose({"geography": geo, "calibration": "none", **overrides}), behaviour
        )
        sims = [simulate_measures(cfg, [s]) for s in seeds]
        for tid, t in load_targets(geo).items():
            if t["role"] != "validate" or not t.get("measure"):
                continue
            s = spread(sims, t["measure"])
            rows.append(
                {
                    "geography": geo,
                    "target": tid,
                    "reported": float(t["value"]),
                    "simulated": s,
                    "ratio": s["mean"] / float(t["value"]),
                    "run": overrides,
                    "vintage": t["vintage"],
                    "n_firms": int(cfg.geography.n_firms),
                }
            )
    return rows
