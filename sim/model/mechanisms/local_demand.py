"""Local demand (docs/ODD.md §7.8, "Local demand").

Wages earned in parks and workshops are spent locally
and create non-tradable (service) jobs.

The multiplier is in jobs per tradable job at the park wage: Wang & Chanda (2018,
J. Comparative Economics) find 0.34 non-tradable jobs per manufacturing job in
Chinese prefectures 2000–10 (none for low-tech manufacturing); Cheng (2025)
finds 0.59–0.62 in county census data, not significant for 2010–20. Workshop
jobs count by their wage bill relative to the park wage, so a lower-paid job
creates fewer service jobs.
"""

from __future__ import annotations

import numpy as np


def service_demand(park_workers: np.ndarray, workshop_workers: np.ndarray, workshop_wage: float,
                   park_wage_low: np.ndarray, multiplier: float) -> np.ndarray:
    """Non-tradable jobs (W,) demanded in each county from last step's local wage spending."""
    wage_weight = workshop_wage / np.maximum(park_wage_low, 1.0)
    return multiplier * (park_workers + workshop_workers * wage_weight)
