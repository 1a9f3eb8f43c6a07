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
    return _mix64_in_place(np.array(x, dtype=np.uint64))


def _mix64_in_place(x: np.ndarray) -> np.ndarray:
    """:func:`mix64` of a uint64 array, overwriting it (the same operations, fewer temporaries)."""
    t = np.empty_like(x)
    for shift, factor in ((30, _M1), (27, _M2)):
        np.bitwise_xor(x, np.right_shift(x, np.uint64(shift), out=t), out=x)
        np.multiply(x, factor, out=x)
    return np.bitwise_xor(x, np.right_shift(x, np.uint64(31), out=t), out=x)


def place_hash(place: np.ndarray) -> np.ndarray:
    """The place codes' half of the match's hash (:func:`site_match`), computed once per place."""
    return mix64(place.astype(np.uint64) + _GOLDEN)


def site_match(key: np.ndarray, place: np.ndarray, sd: float) -> np.ndarray:
    """Output per job of firms with ``key`` (uint64) at places ``place`` (:func:`place_codes`),
    relative to the place's average (ratio, mean one): exp(sd·z − sd²/2) with z standard
    normal, a function of the pair only. ``sd`` is the spread of log output per job (log
    units); 0 gives ones."""
    return hashed_match(key, place_hash(place), sd)


def hashed_match(key: np.ndarray, hashed: np.ndarray, sd: float) -> np.ndarray:
    """:func:`site_match` with the places given by their :func:`place_hash`."""
    if sd == 0:
        return np.ones(np.shape(key))
    h = _mix64_in_place(np.bitwise_xor(key, hashed))
    u = np.right_shift(h, np.uint64(11), out=h).astype(np.float64)
    u += 0.5
    u *= 2.0**-53
    z = ndtri(u, out=u)
    z *= sd
    z -= 0.5 * sd * sd
    return np.exp(z, out=z)
