"""Carry each county's census figures from ``sim/world/<geo>/counties.csv`` (and
``east_counties.csv``) into its row of ``sim/world/<geo>/geography.yaml`` (the file the model
reads), and write each western county's start income to ``sim/world/<geo>/start_income.csv``.

Carried (source ``census2020_leiii``, the geography's ``sources.yaml``), matched by ``name``:

- ``population`` (every row with a census row, east and west) = ``population_2020``, residents
  on census day 2020-11-01;
- ``urban_share`` = ``urban_share_2020``; ``nonfarm_share`` = 1 − ``emp_share_farm`` (employed
  residents outside farming over all employed residents, long-form sample);
  ``working_age_share`` = ``share_15_59`` (western rows).

Start income (``income_pc``, yuan per resident per year, the start year of the file's economy):
where the file's ``economy`` has the all-residents, urban and rural per-capita disposable
incomes, each western county's income is its urban share × the urban income + the rest × the
rural income, scaled so the population-weighted mean is the all-residents figure. A prefecture
listed in ``inputs/prefecture_income.csv`` (columns ``prefecture_zh``, ``year``,
``urban_income_pc``, ``rural_income_pc``, ``source``) uses its own urban and rural incomes
instead of the province's. The result is derived, not reported; its range (±20 %) is the
judgement written in docs/data.md. A row already carrying a field is rewritten.
tests/model/test_county_start.py checks the files agree.

    python experiments/county_start_fields.py            # all file geographies with a CSV
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import yaml

WORLD = Path(__file__).resolve().parents[1] / "sim" / "world"
WEST_FIELDS = ("urban_share", "nonfarm_share", "working_age_share", "income_pc")
INCOME_RANGE = 0.20  # ± share of the derived income (docs/data.md)
START_COLUMNS = (
    "code",
    "name",
    "name_zh",
    "prefecture_zh",
    "population_2020",
    "urban_share_2020",
    "urban_income_pc",
    "rural_income_pc",
    "income_source",
    "income_pc",
    "income_pc_low",
    "income_pc_high",
    "year",
    "level",
)


def _rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def census(geo_dir: Path) -> tuple[dict[str, dict], dict[str, int]]:
    """Western county name -> carried fields; every census row's name -> population."""
    west = {
        r["name"]: {
            "urban_share": round(float(r["urban_share_2020"]), 4),
            "nonfarm_share": round(1.0 - float(r["emp_share_farm"]), 4),
            "working_age_share": round(float(r["share_15_59"]), 4),
        }
        for r in _rows(geo_dir / "counties.csv")
        if r.get("urban_share_2020") and r.get("emp_share_farm") and r.get("share_15_59")
    }
    pop = {
        r["name"]: int(r["population_2020"])
        for name in ("counties.csv", "east_counties.csv")
        for r in _rows(geo_dir / name)
        if r.get("population_2020")
    }
    return west, pop


def _value(entry):
    return entry["value"] if isinstance(entry, dict) else entry


def start_incomes(geo_dir: Path) -> list[dict]:
    """One row per western county with its derived start income; [] where the file's economy
    lacks the three income figures."""
    econ = yaml.safe_load((geo_dir / "geography.yaml").read_text(encoding="utf-8"))["economy"]
    keys = (
        "west_income_per_capita",
        "west_urban_income_per_capita",
        "west_rural_income_per_capita",
    )
    if not all(k in econ for k in keys):
        return []
    mean, urban_inc, rural_inc = (float(_value(econ[k])) for k in keys)
    year = str(econ[keys[0]].get("note", "")) if isinstance(econ[keys[0]], dict) else ""
    m = re.search(r"base year (\d{4})", year)
    year = m.group(1) if m else ""
    own = {r["prefecture_zh"]: r for r in _rows(geo_dir / "inputs" / "prefecture_income.csv")}
    out = []
    for r in _rows(geo_dir / "counties.csv"):
        p = own.get(r["prefecture_zh"])
        u = float(p["urban_income_pc"]) if p else urban_inc
        v = float(p["rural_income_pc"]) if p else rural_inc
        src = p["source"] if p else f"{econ[keys[1]]['source']}; {econ[keys[2]]['source']}"
        out.append(
            {
                "code": r["code"],
                "name": r["name"],
                "name_zh": r["name_zh"],
                "prefecture_zh": r["prefecture_zh"],
                "population_2020": int(r["population_2020"]),
                "urban_share_2020": round(float(r["urban_share_2020"]), 4),
                "urban_income_pc": round(u),
                "rural_income_pc": round(v),
                "income_source": src,
                "year": year,
                "level": "derived",
            }
        )
    mix = [
        r["urban_share_2020"] * r["urban_income_pc"]
        + (1 - r["urban_share_2020"]) * r["rural_income_pc"]
        for r in out
    ]
    pop = [r["population_2020"] for r in out]
    scale = mean * sum(pop) / sum(x * n for x, n in zip(mix, pop, strict=True))
    for r, x in zip(out, mix, strict=True):
        r["income_pc"] = round(x * scale)
        r["income_pc_low"] = round(x * scale * (1 - INCOME_RANGE))
        r["income_pc_high"] = round(x * scale * (1 + INCOME_RANGE))
    return out


def write_start_incomes(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=START_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def _fmt(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def rewrite(yaml_path: Path, west: dict[str, dict], pop: dict[str, int]) -> int:
    """Insert or replace the fields in each row of ``yaml_path``; rows changed."""
    out, n = [], 0
    for line in yaml_path.read_text(encoding="utf-8").splitlines(keepends=True):
        m = re.match(r'\s*- \{name: "([^"]+)".*side: "(east|west)"', line)
        if m and m.group(1) in pop:
            line = re.sub(r"population: [0-9]+", f"population: {pop[m.group(1)]}", line)
            n += 1
        if m and m.group(2) == "west" and m.group(1) in west:
            for k in WEST_FIELDS:
                line = re.sub(rf", {k}: [0-9.]+", "", line)
            extra = "".join(f", {k}: {_fmt(v)}" for k, v in west[m.group(1)].items())
            line = re.sub(r"\}\s*$", extra + "}\n", line)
        out.append(line)
    yaml_path.write_text("".join(out), encoding="utf-8")
    return n


def main(argv: list[str]) -> None:
    geos = argv or [p.parent.name for p in sorted(WORLD.glob("*/counties.csv"))]
    for geo in geos:
        geo_dir = WORLD / geo
        west, pop = census(geo_dir)
        # populations first: the start incomes are weighted by the census populations
        rewrite(geo_dir / "geography.yaml", west, pop)
        incomes = start_incomes(geo_dir)
        for r in incomes:
            west[r["name"]]["income_pc"] = r["income_pc"]
        if incomes:
            write_start_incomes(geo_dir / "start_income.csv", incomes)
        n = rewrite(geo_dir / "geography.yaml", west, pop)
        print(f"{geo}: {n} rows, {len(incomes)} start incomes")


if __name__ == "__main__":
    main(sys.argv[1:])
