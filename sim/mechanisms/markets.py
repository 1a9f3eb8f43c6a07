"""Markets and freight (DESIGN §3.3): where a firm sells and what shipping there costs.

A firm sells a sector-specific mix to its eastern home market, the national
market, the western/local market and exports (through the nearest gateway:
an eastern seaport or, for Yunnan, a border port). It keeps its customers
wherever it produces, so moving west changes the distance to each market.
Freight per yuan of output is ``freight_rate / value_density`` per km: heavy,
cheap goods (building materials) stay near their markets, light dear ones
(electronics) can be made far away.
"""

from __future__ import annotations

import numpy as np

from .location import distance_km

NATIONAL, WEST, EXPORT = 0, 1, 2  # columns of :func:`market_distances`


def freight_per_km(freight_rate: float, value_density: np.ndarray) -> np.ndarray:
    """Freight cost per km as a share of output value, by sector (share/km).

    ``freight_rate`` yuan per tonne-km; ``value_density`` yuan of output per tonne.
    """
    return freight_rate / np.maximum(value_density, 1e-9)


def market_distances(lon: np.ndarray, lat: np.ndarray, national, west, gateways) -> np.ndarray:
    """Km from each site to the national market, the western market and the export market (site, 3).

    ``national``/``west``: (lon, lat) in degrees; ``gateways``: (lon, lat, onward km)
    tuples; the export leg is the cheapest gateway plus its onward leg (road-km
    equivalent); with no gateway, exports go as far as the national market.
    """
    d_nat = distance_km(lon, lat, *national)
    d_west = distance_km(lon, lat, *west)
    if gateways:
        g = np.asarray(gateways, float)
        d_exp = (distance_km(lon[:, None], lat[:, None], g[None, :, 0], g[None, :, 1]) + g[None, :, 2]).min(axis=1)
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
    """Freight per km of distance to the firm's eastern home market, by sector (share of output/km)."""
    return mix[:, 0] * per_km
