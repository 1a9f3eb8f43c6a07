"""County and province outlines of a geography, from its shipped ``boundaries.geojson``.

The files are simplified once from a public package by experiments/build_boundaries.py (source
and licence: sim/world/BOUNDARIES-LICENSE.txt). Counties are keyed by their six-digit code, the
``code`` column of counties.csv and of the run's regions table, so no name matching is needed.
A geography without a file (a synthetic one) has no outlines: maps then show county seats only.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

WORLD = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Outlines:
    counties: dict[str, list[np.ndarray]]  # code -> rings of (n, 2) lon, lat
    names: dict[str, str]  # code -> English name
    provinces: list[np.ndarray]  # rings of the provinces' outer edges
    source: str

    def rings(self, codes, names=()) -> tuple[list[np.ndarray], list[int]]:
        """Rings of the counties ``codes`` (in order) and, per ring, the index of its county.
        A code the file lacks (a county recoded since) is looked up by its English name in
        ``names``, where that name is unique in the file."""
        by_name = {}
        for code, name in self.names.items():
            by_name[name] = None if name in by_name else code
        names = list(names) or [None] * len(codes)
        rings, owner = [], []
        for i, (code, name) in enumerate(zip(codes, names, strict=True)):
            code = str(code) if str(code) in self.counties else by_name.get(name)
            for ring in self.counties.get(code, []):
                rings.append(ring)
                owner.append(i)
        return rings, owner


def _rings(geometry: dict) -> list[np.ndarray]:
    """Outer rings of a GeoJSON (Multi)Polygon; holes are left out (they are not drawn)."""
    polys = (
        geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    )
    return [np.asarray(p[0], float) for p in polys if p and len(p[0]) >= 3]


def path(geography: str) -> Path:
    return WORLD / geography / "boundaries.geojson"


@functools.cache
def load(geography: str) -> Outlines | None:
    """The outlines of ``geography`` (a folder name under sim/world), or None if it ships none."""
    p = path(geography)
    if not geography.isidentifier() or not p.is_file():
        return None
    data = json.loads(p.read_text(encoding="utf-8"))
    counties, names, provinces = {}, {}, []
    for f in data["features"]:
        props = f["properties"]
        if props.get("level") == "province":
            provinces += _rings(f["geometry"])
        else:
            counties[props["code"]] = _rings(f["geometry"])
            names[props["code"]] = props.get("name", props["code"])
    return Outlines(counties, names, provinces, data.get("source", ""))
