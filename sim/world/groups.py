"""County groups for "for whom" outcomes: paired/unpaired and national key assistance counties.

The key-county list of a geography is ``sim/world/NAME/key_counties.yaml`` (a list
of county names with its source); a geography without one has no key counties.
"""

from __future__ import annotations

import functools

import numpy as np
import yaml

from sim.world import bounded_yaml
from sim.world.geography import GeographyError, world_file


@functools.cache
def _key_county_names(name: str) -> tuple[str, ...]:
    path = world_file(name, "key_counties.yaml")
    if not path.exists():
        return ()
    try:
        raw = bounded_yaml.read(path) or {}
    except bounded_yaml.YamlLimitError as err:
        raise GeographyError(str(err)) from None
    except yaml.YAMLError as err:
        raise GeographyError(f"{path}: not valid YAML: {str(err)[:300]}") from None
    names = tuple(str(n) for n in raw.get("counties", []))
    if "count" in raw and len(names) != raw["count"]:
        raise GeographyError(f"{path}: lists {len(names)} counties but says count: {raw['count']}.")
    return names


def key_counties(geo) -> np.ndarray:
    """Boolean (n_counties,) flag of the geography's national key assistance counties (none for a
    synthetic one)."""
    name = str(geo.name)
    names = _key_county_names(name)
    known = set(geo.county_name.astype(str))
    missing = [n for n in names if n not in known]
    if missing:
        raise GeographyError(
            f"{world_file(name, 'key_counties.yaml')}: no county named {', '.join(missing)} "
            f"in geography '{name}'."
        )
    return np.isin(geo.county_name.astype(str), names) & geo.is_west


# The Chinese name of a municipal district (市辖区) ends in 区 (浦东新区 included); counties end in
# 县 or 旗, county-level cities in 市 (GB/T 2260 names).
URBAN_DISTRICT_SUFFIX = "区"


def urban_districts(geo) -> np.ndarray:
    """Boolean (n_counties,) flag of the municipal districts (市辖区) among the counties, from their
    Chinese names (False where the file gives none: a synthetic or prefecture-level row)."""
    return np.array([str(z).endswith(URBAN_DISTRICT_SUFFIX) for z in geo.county_name_zh], bool)


def partners(geo) -> np.ndarray:
    """The name of each western county's eastern partner ("" if unpaired, and in the east)."""
    names = geo.county_name.astype(str)
    return np.where(geo.partner >= 0, names[np.maximum(geo.partner, 0)], "").astype(object)


def quintile(values: np.ndarray, among: np.ndarray) -> np.ndarray:
    """Quintile 1 (lowest) to 5 of ``values`` among the rows flagged ``among``: five groups of
    equal count (ties in row order); 0 elsewhere."""
    rows = np.flatnonzero(among)
    out = np.zeros(len(values), np.int64)
    if rows.size:
        order = rows[np.argsort(np.asarray(values, float)[rows], kind="stable")]
        out[order] = 1 + (5 * np.arange(rows.size)) // rows.size
    return out
