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
