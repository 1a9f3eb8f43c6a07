"""Markets and freight (docs/ODD.md §7.13, "Markets and freight").

Where a firm sells and what shipping there costs.

A firm sells a sector-specific mix to its eastern home market, the national
market, the western/local market and exports (through the nearest gateway:
an eastern seaport or, for Yunnan, a border port). It keeps its customers
wherever it produces, so moving west changes the distance to each market.
Freight per yuan of output is ``freight_rate / value_density`` per km: heavy,
cheap goods (building materials) stay near their markets, light dear ones
(electronics) can be made far away.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

NATIONAL, WEST, EXPORT = 0, 1, 2  # columns of :func:`market_distances`
EARTH_RADIUS_KM = 6371.0


def distance_km(
    lon1: np.ndarray | float,
    lat1: np.ndarray | float,
    lon2: np.ndarray | float,
    lat2: np.ndarray | float,
) -> np.ndarray:
    """Great-circle distance (km) between points given in degrees."""
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def freight_per_km(freight_rate: float, value_density: np.ndarray) -> np.ndarray:
    """Freight cost per km as a share of output value, by sector (share/km).

    ``freight_rate`` yuan per tonne-km; ``value_density`` yuan of output per tonne.
    """
    return freight_rate / np.maximum(value_density, 1e-9)


def market_distances(
    lon: np.ndarray,
    lat: np.ndarray,
    national: tuple[float, float],
    west: tuple[float, float],
    gateways: Sequence[tuple[float, float, float]],
) -> np.ndarray:
    """Km from each site to the national market, the western market and the export market (site, 3).

    ``national``/``west``: (lon, lat) in degrees; ``gateways``: (lon, lat, onward km)
    tuples; the export leg is the cheapest gateway plus its onward leg (road-km
    equivalent); with no gateway, exports go as far as the national market.
    """
    d_nat = distance_km(lon, lat, *national)
    d_west = distance_km(lon, lat, *west)
    if gateways:
        g = np.asarray(gateways, float)
        d_exp = (
            distance_km(lon[:, None], lat[:, None], g[None, :, 0], g[None, :, 1]) + g[None, :, 2]
        ).min(axis=1)
    else:
        d_exp = d_nat
    return np.stack([d_nat, d_west, d_exp], axis=1)


def freight_beyond_home(dist: np.ndarray, mix: np.ndarray, per_km: np.ndarray) -> np.ndarray:
    """Freight to the national, western and export markets (site, sector), share of output.

    ``dist`` (site, 3) km; ``mix`` (sector, 4) sales shares [home, national, west, export];
    ``per_km`` (sector,) share of output per km.
    """
    return (dist @ mix[:, 1:].T) * per_km[None, :]


def home_leg(mix: np.ndarray, per_km: np.ndarray) -> np.ndarray:
    """Freight per km of distance to the firm's eastern home market, by sector (share of
    output/km)."""
    return mix[:, 0] * per_km


@dataclass
class MarketMap:
    """Distances to every market from every site, and the sectors' freight and sales mix (fixed)."""

    home_km: (
        np.ndarray
    )  # (east county, 4) km from a home site to [its own market, national, west, export]
    park_km: np.ndarray  # (park, 3) km from a park to [national, west, export]
    per_km: np.ndarray  # (sector,) share of output per km
    mix: np.ndarray  # (sector, 4) sales shares [home, national, west, export]


def branch_allocation_gain(
    mm: MarketMap,
    home: np.ndarray,
    park: np.ndarray,
    sector: np.ndarray,
    share: np.ndarray | float,
    distance: np.ndarray,
) -> np.ndarray:
    """Freight a two-plant firm saves by serving from its western branch the markets it is
    nearest to, rather than a proportional slice of every market (share of home output/year).

    ``share`` is the branch's share of output; arrays broadcast together; ``distance``
    (east county, park) km is the branch's distance to the firm's home market. The
    branch takes markets in order of its freight advantage until its output is sold.
    """
    home, park, sector, share = np.broadcast_arrays(home, park, sector, np.asarray(share, float))
    if home.ndim != 1 or home.size <= _BLOCK:
        return _allocation_gain(mm, home, park, sector, share, distance)
    # each firm's gain is its own: worked out a block at a time, so that the many passes over
    # the block stay in the processor's cache (the same numbers, faster)
    out = np.empty(home.size)
    for lo in range(0, home.size, _BLOCK):
        b = slice(lo, lo + _BLOCK)
        out[b] = _allocation_gain(mm, home[b], park[b], sector[b], share[b], distance)
    return out


_BLOCK = 8192


def _allocation_gain(
    mm: MarketMap,
    home: np.ndarray,
    park: np.ndarray,
    sector: np.ndarray,
    share: np.ndarray,
    distance: np.ndarray,
) -> np.ndarray:
    """:func:`branch_allocation_gain` over arrays of one shape."""
    per_km = mm.per_km[sector]
    # whole rows of each table, then their columns: faster than one (row, column) lookup each
    home_to_park = np.take(distance, home * distance.shape[1] + park)
    home_km, park_km = np.take(mm.home_km, home, axis=0), np.take(mm.park_km, park, axis=0)
    # extra freight per unit sold from the west, market by market
    saving = [per_km * (home_to_park - home_km[..., 0])]
    saving += [per_km * (park_km[..., m - 1] - home_km[..., m]) for m in (1, 2, 3)]
    mix_rows = np.take(mm.mix, sector, axis=0)
    mix = [mix_rows[..., m] for m in range(4)]
    # cheapest-first filling is a fractional knapsack; its cost is the max over breakpoints s_j of
    # s_j * share - sum_m mix_m * max(0, s_j - s_m) (the LP dual): no sort, column by column
    best = None
    for j, s_j in enumerate(saving):
        value = s_j * share
        for m, (mix_m, s_m) in enumerate(zip(mix, saving, strict=False)):
            if m != j:
                value = value - mix_m * np.maximum(s_j - s_m, 0.0)
        best = value if best is None else np.maximum(best, value)
    proportional = share * sum(mix_m * s_m for mix_m, s_m in zip(mix, saving, strict=False))
    return proportional - best
