"""Parks admit firms and grow with investment (docs/ODD.md §7.4)."""

from __future__ import annotations

import numpy as np


def admit(app_park: np.ndarray, order_key: np.ndarray, free_slots: np.ndarray) -> np.ndarray:
    """Which applications a park accepts: first come (random ``order_key``) while slots last.

    ``app_park``: park of each application; ``free_slots``: free firm slots per park.
    Returns a boolean mask over applications.
    """
    if app_park.size == 0:
        return np.zeros(0, bool)
    order = np.lexsort((order_key, app_park))
    sorted_park = app_park[order]
    first = np.searchsorted(sorted_park, sorted_park, side="left")
    rank = np.arange(order.size) - first
    accepted = np.empty(order.size, bool)
    accepted[order] = rank < free_slots[sorted_park]
    return accepted


def free_slots(capacity: np.ndarray, occupancy: np.ndarray) -> np.ndarray:
    """Whole free firm slots (firms) of each park; capacity may be fractional while it grows."""
    return np.maximum(np.floor(capacity + 1e-9) - occupancy, 0).astype(np.int64)


def grow(capacity: np.ndarray, pipeline: np.ndarray, quality0: np.ndarray, infra_cum: np.ndarray,
         investment: np.ndarray, *, cost_per_slot: float,
         half_investment: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Capacity (firm slots), slots under construction, infrastructure quality (0–1) after this step's investment.

    ``investment`` (yuan) buys ``investment / cost_per_slot`` slots, which join
    ``pipeline`` (park, steps to completion) and come into use when they reach its
    front; quality closes the gap to 1 as cumulative investment ``infra_cum``
    (yuan) approaches ``half_investment`` and beyond.
    Returns (capacity, pipeline, quality, infra_cum).
    """
    infra_cum = infra_cum + investment
    capacity = capacity + pipeline[:, 0]
    pipeline = np.concatenate([pipeline[:, 1:], (investment / cost_per_slot)[:, None]], axis=1)
    quality = quality0 + (1 - quality0) * infra_cum / (infra_cum + half_investment)
    return capacity, pipeline, quality, infra_cum
