"""Costs drift (docs/ODD.md §7.1): exogenous trends of wages, land and incomes."""

from __future__ import annotations

import numpy as np


def labour_cost[Amount: (float, np.ndarray)](
    wage: Amount, contribution_rate: float, floor: float
) -> Amount:
    """What an employer pays for a job (yuan/job/year): the wage plus employer social-insurance
    contributions at ``contribution_rate`` (share) on ``max(wage, floor)`` — the contribution
    base may not fall below the floor (yuan/year), so low wages carry a higher effective rate."""
    return wage + contribution_rate * np.maximum(wage, floor)


def age(years: np.ndarray, dt: float, life: float, out: np.ndarray | None = None) -> np.ndarray:
    """Ages (years) after ``dt`` more years, starting again from 0 at ``life`` (a plant rebuilt
    where it stands): ``np.mod(years + dt, life)``, without its division while ages stay below
    ``life`` (then subtracting ``life`` once is exact). Into ``out`` if given (may be
    ``years``)."""
    older = np.add(years, dt, out=out)
    if older.size and (older.min() < 0 or older.max() >= 2 * life):
        return np.mod(older, life, out=out)
    return np.subtract(older, life, out=older, where=older >= life)


def grow[Amount: (float, np.ndarray)](
    value: Amount, rate_per_year: float, dt: float, out: np.ndarray | None = None
) -> Amount:
    """``value`` after ``dt`` years of growth at ``rate_per_year`` (share/year), any unit; into
    ``out`` if given (may be ``value``: a column grown in place)."""
    if out is None:
        return value * (1.0 + rate_per_year) ** dt
    return np.multiply(value, (1.0 + rate_per_year) ** dt, out=out)
