"""Job matching for workers of paired counties (docs/ODD.md §7.5), costed per participant.

The programme has a budget; it serves ``budget / cost_per_participant`` workers a year, at most
every mobile worker of a paired county, spread over paired counties by their mobile workers. A
participant's eastern job-finding probability rises by ``matching_gain``; a county's mobile
workers see the mean rise, ``matching_gain`` × the share of them who take part.
"""

from __future__ import annotations

import numpy as np


def participants(
    budget: float, cost_per_participant: float, eligible: np.ndarray, paired: np.ndarray
) -> np.ndarray:
    """Participants a year (W,), persons: ``budget`` (yuan/year) over ``cost_per_participant``
    (yuan), spread over paired counties by their ``eligible`` (W,) mobile workers (persons) and
    never more than them; 0 in unpaired counties and when the budget is 0."""
    pool = np.where(paired, np.maximum(eligible, 0.0), 0.0)
    total = float(pool.sum())
    if budget <= 0 or total <= 0:
        return np.zeros_like(pool)
    served = min(budget / max(cost_per_participant, 1e-9), total)
    return pool * (served / total)


def coverage(participants: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Share (W,) of a county's mobile workers taking part this year (0–1)."""
    return np.clip(participants / np.maximum(eligible, 1e-9), 0.0, 1.0)


def cost(participants: np.ndarray | float, cost_per_participant: float) -> float:
    """Eastern cost of the programme (yuan/year): every participant (persons a year, by county
    or in all) at the cost per participant (yuan)."""
    return float(np.sum(participants)) * cost_per_participant
