"""Skills: what trained workers are worth to the park firms that employ them (docs/ODD.md §7.5).

A trained worker produces more than an untrained one in the same job and is paid
somewhat more (Konings & Vanormelingen 2015: +23% output, +12% pay; docs/evidence.md §9).
A park firm fills its low-skill jobs from its county's residents, so the trained share of
those workers follows the county's trained (mid-skill) share of residents; its mid-skill
jobs are held by mid-skill workers anyway. The calibrated start embodies each county's
start-year pool, so only the change in the trained share since the start acts: it lowers
the cost of a unit of low-skill labour's output in the county's parks (what firms weigh in
their margins, so in their location choice) and raises the pay of trained park workers in
low-skill jobs by the wage premium.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.mechanisms import ParamView
from sim.model.mechanisms.labour import LOW, MID, MIGRANT, PARK, mid_in_low_jobs


@dataclass(frozen=True)
class SkillParams(ParamView):
    """What the skills channel reads of the economy config (shares)."""

    training_productivity_premium: float  # output of a trained worker over an untrained one − 1
    training_wage_premium: float  # pay of a trained worker over an untrained one − 1


def trained_share(people: np.ndarray) -> np.ndarray:
    """Trained (mid-skill) share of each western county's resident labour force (W,), migrants
    left out: the pool its park firms hire from."""
    residents = people.sum(axis=(2, 3)) - people[..., MIGRANT].sum(axis=2)  # (W, skill)
    total = residents.sum(axis=1)
    return np.divide(residents[:, MID], total, out=np.zeros_like(total), where=total > 0)


def low_job_cost_factor(
    trained: np.ndarray, trained0: np.ndarray, params: SkillParams
) -> np.ndarray:
    """Labour cost per unit of a low-skill job's output (W,) relative to the start (ratio).

    With a trained share ``trained`` against ``trained0`` at the start, a low-skill job's
    output rises by ``productivity premium × change`` and its pay by ``wage premium × change``;
    the firm keeps the difference. 1 where the pool has not changed, below 1 where it grew.
    """
    change = trained - trained0
    return (1 + params.training_wage_premium * change) / np.maximum(
        1 + params.training_productivity_premium * change, 1e-9
    )


def effective_labour_cost(cost: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """Labour cost per job (W, 2), yuan/job/year, in units of a start-year job's output: the
    low-skill column times ``factor`` (:func:`low_job_cost_factor`), the mid-skill one as is."""
    out = cost.copy()
    out[:, LOW] *= factor
    return out


def trained_pay(
    pay: np.ndarray,
    people: np.ndarray,
    demand_park: np.ndarray,
    wage: np.ndarray,
    trained: np.ndarray,
    trained0: np.ndarray,
    params: SkillParams,
) -> np.ndarray:
    """Mean pay (W, 2) of park workers by skill with the wage premium of the trained beyond the
    start-year share, yuan/year.

    Of the workers in low-skill park jobs, the share ``trained − trained0`` more are trained
    than at the start; each earns ``training_wage_premium`` × the low wage more. The premium
    goes to the mid-skill park workers (the trained) as a mean over them.
    """
    employed = people[:, :, :, PARK].sum(axis=2)  # (W, skill)
    low_jobs_held = employed[:, LOW] + mid_in_low_jobs(employed, demand_park)
    premium = params.training_wage_premium * wage[:, LOW] * (trained - trained0) * low_jobs_held
    out = pay.copy()
    mid = employed[:, MID]
    out[:, MID] += np.divide(premium, mid, out=np.zeros_like(premium), where=mid > 0)
    out[:, MID] = np.maximum(out[:, MID], pay[:, LOW])  # a pool smaller than at the start
    return out
