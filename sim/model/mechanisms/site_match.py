"""How well a firm fits a western place: a persistent firm-by-prefecture productivity match.

Firms differ in how their products, suppliers and skills suit a place, so the same
park pays some firms and not others (firm-by-location productivity dispersion;
Hsieh & Klenow 2009 measure wide within-industry TFP dispersion in Chinese
manufacturing). Each firm carries a random 64-bit key drawn from the run's
generator when it is created; its match with a prefecture is a mean-one lognormal
ratio of output per job, a pure function of the key and the prefecture's name.
So the match is the same at every review and in every phase (the choice weighs
what the plant then produces), costs no draws per step, and does not change when
other places are added to the map.
"""

from __future__ import annotations

import zlib

import numpy as np
from scipy.special import ndtri

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def place_codes(names: np.ndarray) -> np.ndarray:
    """A stable 32-bit code of each place name (CRC-32 of its UTF-8 text), as uint64."""
    return np.array([zlib.crc32(str(n).encode()) for n in names], dtype=np.uint64)


def mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a bijective scramble of uint64 values (arithmetic mod 2**64)."""
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


def site_match(key: np.ndarray, place: np.ndarray, sd: float) -> np.ndarray:
    """Output per job of firms with ``key`` (uint64) at places ``place`` (:func:`place_codes`),
    relative to the place's average (ratio, mean one): exp(sd·z − sd²/2) with z standard
    normal, a function of the pair only. ``sd`` is the spread of log output per job (log
    units); 0 gives ones."""
    if sd == 0:
        return np.ones(np.shape(key))
    h = mix64(key ^ mix64(place.astype(np.uint64) + _GOLDEN))
    u = ((h >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0**-53
    return np.exp(sd * ndtri(u) - 0.5 * sd * sd)
