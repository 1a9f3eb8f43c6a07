"""The simulator seen by the calibration: model quantities compared with reported figures."""

from __future__ import annotations

import copy
import math
import re

import numpy as np
from omegaconf import OmegaConf

# the names targets.yaml may use as a target's measure, read at the end of the run (besides
# firms_in_county:<county> and the period measures below)
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
    "at_risk_pool",
)
# read over a calendar period: ``NAME:2023`` (the year), ``NAME:2024H1`` (its first half)
PERIOD_MEASURES = (
    "firms_landed",  # firms committing to a western plant in the period (a flow)
    "investment",  # investment booked by the firms landing in the period (a flow)
    "firms_landed_cum",  # landings from the start of the run to the end of the period
    "workshop_jobs_built",  # per year, at the period's last step (as workshop_jobs_built_year)
    "workshops_built",  # the same over the workers per workshop
    "east_west_income_ratio",  # at the period's end
)
# need a run of the same seeds without the pairing (scenario baseline): fit table only
COUNTERFACTUAL_MEASURES = ("firms_landed_baseline", "landed_anyway_share")
PERIOD = re.compile(r"^(?P<name>[a-z_]+):(?P<year>\d{4})(?P<half>H1)?$")


def is_measure(name: str) -> bool:
    """Whether ``name`` is a measure the calibration can compute."""
    if name in MEASURES or name.startswith("firms_in_county:"):
        return True
    m = PERIOD.match(name)
    return bool(m) and m["name"] in PERIOD_MEASURES + COUNTERFACTUAL_MEASURES


def period_year(name: str) -> int | None:
    """The calendar year a period measure refers to (None for the others)."""
    m = PERIOD.match(name)
    return int(m["year"]) if m else None


def needs_counterfactual(name: str) -> bool:
    m = PERIOD.match(name)
    return bool(m) and m["name"] in COUNTERFACTUAL_MEASURES


def landings_by_step(landed_year, spy: int) -> np.ndarray:
    """Firms landed in each step, from the rolling one-year count the history keeps
    (``L[t] = l[t-spy+1] + ... + l[t]``, so ``l[t] = L[t] - L[t-1] + l[t-spy]``)."""
    landed_year = np.asarray(landed_year, dtype=float)
    step = np.zeros_like(landed_year)
    for t in range(1, landed_year.size):  # one pass over the steps, not the firms
        step[t] = landed_year[t] - landed_year[t - 1] + (step[t - spy] if t > spy else 0.0)
    return step


def periods(start_year: int, spy: int, t_end: int) -> dict[str, tuple[int, int]]:
    """Calendar periods a run of ``t_end`` steps covers: label -> (first step, last step).

    Step s (s >= 1) ends at ``start_year + s / spy``; a year is its ``spy`` steps, its first
    half the first ``spy / 2`` of them (when ``spy`` is even).
    """
    out = {}
    for k in range((t_end + spy - 1) // spy):
        first, year = k * spy + 1, start_year + k
        if first + spy - 1 <= t_end:
            out[str(year)] = (first, first + spy - 1)
        if spy % 2 == 0 and first + spy // 2 - 1 <= t_end:
            out[f"{year}H1"] = (first, first + spy // 2 - 1)
    return out


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
        "at_risk_pool": float(h["firms_active"][0]),  # the pool the run starts with
    }
    landed = np.cumsum(landings_by_step(h["firms_landed_year"][: t + 1], spy))
    invested = h["investment_cum"]
    for label, (first, last) in periods(model.cfg.run.start_year, spy, t).items():
        out[f"firms_landed:{label}"] = float(landed[last] - landed[first - 1])
        out[f"investment:{label}"] = float(invested[last] - invested[first - 1])
        out[f"firms_landed_cum:{label}"] = float(landed[last])
        if not label.endswith("H1"):
            out[f"workshop_jobs_built:{label}"] = float(h["west_workshop_jobs_built"][last])
            out[f"east_west_income_ratio:{label}"] = float(h["east_west_income_ratio"][last])
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


def simulate_measures(
    cfg, seeds, workers_per_workshop: float = 30.0, counterfactual=None
) -> dict[str, float]:
    """Mean of :func:`measures` over ``seeds`` (the same seeds for every parameter set: CRN).

    ``counterfactual``: the same configuration without the pairing (scenario baseline). Run on
    the same seeds, it adds each period's landings there (``firms_landed_baseline:P``) and
    their share of the landings with the pairing (``landed_anyway_share:P``).
    """
    from sim.runs.runner import simulate

    rows = [measures(simulate(cfg, seed=s)) for s in seeds]
    mean = {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}
    for k in [k for k in mean if k.startswith("workshop_jobs_built")]:
        mean[k.replace("workshop_jobs_built", "workshops_built")] = mean[k] / workers_per_workshop
    if counterfactual is not None:
        without = [measures(simulate(counterfactual, seed=s)) for s in seeds]
        for k in [k for k in mean if k.startswith("firms_landed:")]:
            label = k.split(":", 1)[1]
            anyway = float(np.mean([r[k] for r in without]))
            mean[f"firms_landed_baseline:{label}"] = anyway
            mean[f"landed_anyway_share:{label}"] = anyway / mean[k] if mean[k] else math.nan
    return mean


def distance(simulated: dict, observed: dict) -> float:
    """Root mean squared log ratio of simulated to reported figures (scale-free: 0.22 ≈ 25% off)."""
    errs = [math.log(max(simulated[k], 1e-9) / observed[k]) for k in observed]
    return math.sqrt(sum(e * e for e in errs) / len(errs))
