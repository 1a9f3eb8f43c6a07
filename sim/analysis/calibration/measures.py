"""The simulator seen by the calibration: model quantities compared with reported figures."""

from __future__ import annotations

import copy
import math

import numpy as np
from omegaconf import OmegaConf

# the names targets.yaml may use as a target's measure (besides firms_in_county:<county>)
MEASURES = (
    "firms_landed_year",
    "investment_year",
    "workshop_jobs_built_year",
    "workshops_built_year",
    "branch_share",
    "relocation_hazard",
    "east_west_income_ratio",
    "firms_in_west",
    "firms_relocated_cum",
)


def measures(model) -> dict[str, float]:
    """Model quantities the reported figures are compared with (names used in targets.yaml)."""
    h, spy, t = model.history, model.cfg.run.steps_per_year, model.t
    year_ago = max(t - spy, 0)
    active = max(h["firms_active"][t], 1.0)
    in_west = h["firms_in_west"][t]
    out = {
        "firms_landed_year": float(h["firms_landed_year"][t]),
        "investment_year": float(h["investment_cum"][t] - h["investment_cum"][year_ago]),
        "workshop_jobs_built_year": float(h["west_workshop_jobs_built"][t]),
        "branch_share": float(h["firms_branch"][t] / in_west) if in_west else 0.0,
        "relocation_hazard": float(
            h["firms_relocated_full"][t] - h["firms_relocated_full"][year_ago]
        )
        / active,
        "east_west_income_ratio": float(h["east_west_income_ratio"][t]),
        "firms_in_west": float(in_west),
        "firms_relocated_cum": float(h["firms_relocated_cum"][t]),
    }
    names = model.geo.county_name.astype(str)
    for county, row in zip(names, model.region_history["firms"][t], strict=True):
        out[f"firms_in_county:{county}"] = float(row)
    return out


def with_values(cfg, values: dict):
    """A copy of ``cfg`` with dotted ``values`` set (integers kept integers)."""
    cfg = copy.deepcopy(cfg)
    for key, value in values.items():
        current = OmegaConf.select(cfg, key)
        OmegaConf.update(
            cfg, key, int(round(value)) if isinstance(current, int) else float(value), merge=False
        )
    return cfg


def simulate_measures(cfg, seeds, workers_per_workshop: float = 30.0) -> dict[str, float]:
    """Mean of :func:`measures` over ``seeds`` (the same seeds for every parameter set: CRN)."""
    from sim.runs.runner import simulate

    rows = [measures(simulate(cfg, seed=s)) for s in seeds]
    mean = {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}
    mean["workshops_built_year"] = mean["workshop_jobs_built_year"] / workers_per_workshop
    return mean


def distance(simulated: dict, observed: dict) -> float:
    """Root mean squared log ratio of simulated to reported figures (scale-free: 0.22 ≈ 25% off)."""
    errs = [math.log(max(simulated[k], 1e-9) / observed[k]) for k in observed]
    return math.sqrt(sum(e * e for e in errs) / len(errs))
