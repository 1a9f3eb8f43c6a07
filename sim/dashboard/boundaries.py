"""County and prefecture boundaries for the map, from the ``cnmaps`` package (optional).

``cnmaps`` ships China's administrative boundaries with the package (no download at
run time); install it with ``pip install 'sim[maps]'`` (``make setup`` does). Without it
the map shows county seats only. A polygon is matched to the geography's unit whose
seat lies inside it, so no name matching is needed; polygons without a seat stay grey.
"""

from __future__ import annotations

import functools

import numpy as np

# Western provinces of the geography files, as cnmaps names them.
PROVINCES_ZH = {"Yunnan": "云南省", "Ningxia": "宁夏回族自治区", "Liaoning": "辽宁省",
                "Jilin": "吉林省", "Heilongjiang": "黑龙江省"}


def available() -> bool:
    try:
        import cnmaps  # noqa: F401
    except ImportError:
        return False
    return True


@functools.cache
def _polygons(province_zh: str, level: str) -> tuple:
    """Shapely geometries of a province's units at ``level`` ('区县' county, '市' prefecture)."""
    from cnmaps import get_adm_maps
    from shapely.geometry import shape

    return tuple(shape(r["geometry"].__geo_interface__)
                 for r in get_adm_maps(province=province_zh, level=level, record="all"))


def west_units(provinces, prefectures, names) -> tuple | None:
    """Boundaries of the western units' provinces, or None (cnmaps missing or an unknown province).

    Rows that are prefectures themselves (name equals prefecture, as in the Northeast file)
    get prefecture boundaries; otherwise county boundaries.
    """
    if not available() or any(p not in PROVINCES_ZH for p in set(provinces)):
        return None
    level = "市" if all(n == p for n, p in zip(names, prefectures, strict=True)) else "区县"
    return tuple(g for p in sorted(set(provinces)) for g in _polygons(PROVINCES_ZH[p], level))


def seat_of(polygons, lon, lat) -> np.ndarray:
    """For each polygon the index of the seat inside it (-1: none)."""
    import shapely

    points = shapely.points(np.asarray(lon, float), np.asarray(lat, float))
    out = np.full(len(polygons), -1)
    for i, poly in enumerate(polygons):
        inside = np.flatnonzero(shapely.contains(poly, points))
        if inside.size:
            out[i] = inside[0]
    return out


def outlines(poly) -> list[np.ndarray]:
    """Exterior rings of a (multi)polygon as (n, 2) arrays of lon, lat."""
    parts = poly.geoms if poly.geom_type == "MultiPolygon" else [poly]
    return [np.asarray(p.exterior.coords) for p in parts]
