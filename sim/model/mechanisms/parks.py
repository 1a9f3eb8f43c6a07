"""Parks admit firms, and their owners add serviced land when they fill (docs/ODD.md §7.2, §7.4)."""

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


def slots_wanted(
    capacity: np.ndarray,
    occupancy: np.ndarray,
    pipeline: np.ndarray,
    turned_away: np.ndarray,
    fill_target: float,
) -> np.ndarray:
    """Serviced-land slots an owner orders now (firms, ≥ 0, fractional): enough that its tenants
    plus the applicants it turned away last step (``turned_away``, firms) fill no more than
    ``fill_target`` (share) of its capacity once the slots under construction (``pipeline``,
    park × steps) arrive. A park below the target orders nothing."""
    need = (occupancy + turned_away) / fill_target - capacity - pipeline.sum(axis=1)
    return np.maximum(need, 0.0)


def fund_slots(
    wanted: np.ndarray, county: np.ndarray, money: np.ndarray, cost_per_slot: float
) -> tuple[np.ndarray, np.ndarray]:
    """Slots each park's county pays for (firms) and what they cost it (yuan).

    ``wanted`` (park) slots at ``cost_per_slot`` (yuan/slot) each, paid from ``money`` (county,
    yuan this step): a county short of money scales all its parks' orders down alike.
    """
    cost = wanted * cost_per_slot
    need = np.bincount(county, cost, money.size)
    paid = np.where(need > 0, np.minimum(money / np.where(need > 0, need, 1.0), 1.0), 0.0)
    spend = cost * paid[county]
    return spend / cost_per_slot, spend


def grow(
    capacity: np.ndarray,
    pipeline: np.ndarray,
    quality0: np.ndarray,
    infra_cum: np.ndarray,
    investment: np.ndarray,
    new_slots: np.ndarray,
    *,
    half_investment: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Capacity (firm slots), slots under construction, infrastructure quality (0–1) after this
    step's investment.

    ``new_slots`` (firms, bought by part of ``investment``) join ``pipeline`` (park, steps to
    completion) and come into use when they reach its front; quality closes the gap to 1 as
    cumulative investment ``infra_cum`` (yuan) approaches ``half_investment`` and beyond.
    Returns (capacity, pipeline, quality, infra_cum).
    """
    infra_cum = infra_cum + investment
    capacity = capacity + pipeline[:, 0]
    pipeline = np.concatenate([pipeline[:, 1:], np.asarray(new_slots, float)[:, None]], axis=1)
    quality = quality0 + (1 - quality0) * infra_cum / (infra_cum + half_investment)
    return capacity, pipeline, quality, infra_cum
