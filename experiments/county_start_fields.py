"""Carry each western county's census shares from ``sim/world/<geo>/counties.csv`` into its row of
``sim/world/<geo>/geography.yaml`` (the file the model reads), as ``urban_share`` and
``nonfarm_share``.

``urban_share`` = ``urban_share_2020``; ``nonfarm_share`` = 1 − ``emp_share_farm`` (employed
residents outside farming over all employed residents, census long-form sample). Both are
``census2020_leiii`` (the geography's ``sources.yaml``). Rows are matched by ``name``; a row
already carrying the fields is rewritten. tests/unit/test_county_start.py checks the two files
agree.

    python experiments/county_start_fields.py            # all file geographies with a CSV
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

WORLD = Path(__file__).resolve().parents[1] / "sim" / "world"
FIELDS = ("urban_share", "nonfarm_share")


def shares(csv_path: Path) -> dict[str, dict[str, float]]:
    """County name -> {urban_share, nonfarm_share} (4 decimals)."""
    with csv_path.open(encoding="utf-8") as f:
        return {
            r["name"]: {
                "urban_share": round(float(r["urban_share_2020"]), 4),
                "nonfarm_share": round(1.0 - float(r["emp_share_farm"]), 4),
            }
            for r in csv.DictReader(f)
            if r.get("urban_share_2020") and r.get("emp_share_farm")
        }


def rewrite(yaml_path: Path, table: dict[str, dict[str, float]]) -> int:
    """Insert or replace the fields in each western row of ``yaml_path``; rows changed."""
    out, n = [], 0
    for line in yaml_path.read_text(encoding="utf-8").splitlines(keepends=True):
        m = re.match(r'\s*- \{name: "([^"]+)".*side: "west"', line)
        if m and m.group(1) in table:
            for k in FIELDS:
                line = re.sub(rf", {k}: [0-9.]+", "", line)
            extra = "".join(f", {k}: {table[m.group(1)][k]:g}" for k in FIELDS)
            line = re.sub(r"\}\s*$", extra + "}\n", line)
            n += 1
        out.append(line)
    yaml_path.write_text("".join(out), encoding="utf-8")
    return n


def main(argv: list[str]) -> None:
    geos = argv or [p.parent.name for p in sorted(WORLD.glob("*/counties.csv"))]
    for geo in geos:
        n = rewrite(WORLD / geo / "geography.yaml", shares(WORLD / geo / "counties.csv"))
        print(f"{geo}: {n} western rows")


if __name__ == "__main__":
    main(sys.argv[1:])
