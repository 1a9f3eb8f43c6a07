"""Costs drift (DESIGN §3.1): exogenous trends of wages, land and incomes."""

from __future__ import annotations


def grow(value, rate_per_year: float, dt: float):
    """``value`` after ``dt`` years of growth at ``rate_per_year`` (share/year), any unit."""
    return value * (1.0 + rate_per_year) ** dt
