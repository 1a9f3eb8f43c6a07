"""Costs drift (docs/ODD.md §7.1): exogenous trends of wages, land and incomes."""

from __future__ import annotations

import numpy as np


def grow[Amount: (float, np.ndarray)](value: Amount, rate_per_year: float, dt: float) -> Amount:
    """``value`` after ``dt`` years of growth at ``rate_per_year`` (share/year), any unit."""
    return value * (1.0 + rate_per_year) ** dt
