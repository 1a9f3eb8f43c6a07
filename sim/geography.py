"""Geographies: counties, pairings and parks as arrays.

A file geography is read from ``sim/data/geography/NAME.yaml`` (format in
``docs/data.md``); a synthetic one is generated at any size from distributions
fitted to a template file geography. Counties are ordered east first, then
west, so western county ``w`` is county ``n_east + w``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

DATA_DIR = Path(__file__).parent / "data"
GEOGRAPHY_DIR = DATA_DIR / "geography"
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when available: 7x faster

ECONOMY_KEYS = (
    "east_wage", "west_wage_low", "west_wage_mid", "migrant_wage_east", "farm_income",
    "east_income_per_capita", "west_transfer_per_capita", "east_land_cost", "west_land_cost",
    "working_age_share", "mobile_share", "mid_skill_share",
)
SHARE_KEYS = ("working_age_share", "mobile_share", "mid_skill_share")


class GeographyError(ValueError):
    """Bad geography data; the message names the file, table, row and field."""


@dataclass(frozen=True)
class Sectors:
    """Industry sectors (``sim/data/sectors.yaml``)."""

    name: np.ndarray
    weight: np.ndarray          # share of at-risk firms, sums to 1
    labour_share: np.ndarray    # wage bill / output at home (share)
    mid_skill: np.ndarray       # share of jobs needing mid skill
    transport: np.ndarray       # multiplier on economy.transport_cost


@functools.cache
def load_sectors() -> Sectors:
    raw = yaml.safe_load((DATA_DIR / "sectors.yaml").read_text(encoding="utf-8"))
    rows = raw["sectors"]
    w = np.array([r["weight"] for r in rows], float)
    return Sectors(
        name=np.array([r["name"] for r in rows], dtype=object),
        weight=w / w.sum(),
        labour_share=np.array([r["labour_share"] for r in rows], float),
        mid_skill=np.array([r["mid_skill"] for r in rows], float),
        transport=np.array([r["transport"] for r in rows], float),
    )


@dataclass(frozen=True)
class Geography:
    """Counties (east first), pairings and western parks as arrays."""

    name: str
    county_name: np.ndarray        # str
    county_prefecture: np.ndarray  # str
    county_province: np.ndarray    # str
    is_west: np.ndarray            # bool
    lon: np.ndarray                # degrees
    lat: np.ndarray                # degrees
    population: np.ndarray         # persons
    firm_weight: np.ndarray        # relative, east only (0 in the west)
    migrant_share: np.ndarray      # share of working age, west only
    partner: np.ndarray            # east county index of a western county's partner, -1 if none
    park_name: np.ndarray          # str
    park_county: np.ndarray        # county index (west)
    park_co_built: np.ndarray      # bool
    park_capacity: np.ndarray      # firm slots
    park_sector: np.ndarray        # sector index, -1 if none
    economy: dict = field(default_factory=dict)   # name -> value (units in the data file)

    @property
    def n_counties(self) -> int:
        return len(self.county_name)

    @property
    def n_east(self) -> int:
        return int((~self.is_west).sum())

    @property
    def n_west(self) -> int:
        return int(self.is_west.sum())

    @property
    def n_parks(self) -> int:
        return len(self.park_name)


def available() -> list[str]:
    return sorted(p.stem for p in GEOGRAPHY_DIR.glob("*.yaml"))


@functools.cache
def load_file(name: str) -> Geography:
    """Read and check a geography data file; raise :class:`GeographyError` on bad data."""
    path = GEOGRAPHY_DIR / f"{name}.yaml"
    if not path.exists():
        raise GeographyError(f"geography.name = {name!r}: no data file {path}. "
                             f"Available: {', '.join(available())} (or geography=synthetic).")
    stat = path.stat()
    return from_dict(_parse(str(path), stat.st_mtime_ns, stat.st_size), where=str(path))


@functools.lru_cache(maxsize=16)
def _parse(path: str, mtime_ns: int, size: int) -> dict:
    """A data file's parsed YAML, read once per process while the file is unchanged (the jobs of a sweep share a worker)."""
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_SafeLoader)


def _need(row: dict, key: str, where: str, i: int, table: str):
    if key not in row or row[key] is None:
        raise GeographyError(f"{where}: {table}[{i}] ({row.get('name', '?')}) lacks '{key}'.")
    return row[key]


def from_dict(raw: dict, where: str = "<geography>") -> Geography:
    """Build a :class:`Geography` from the parsed data-file mapping, checking it."""
    sectors = load_sectors()
    sector_index = {s: i for i, s in enumerate(sectors.name)}
    for table in ("counties", "pairs", "parks", "economy"):
        if table not in raw:
            raise GeographyError(f"{where}: missing table '{table}'.")
    rows = raw["counties"]
    seen = set()
    for i, r in enumerate(rows):
        name = _need(r, "name", where, i, "counties")
        if name in seen:
            raise GeographyError(f"{where}: counties[{i}]: duplicate county name {name!r}.")
        seen.add(name)
        side = _need(r, "side", where, i, "counties")
        if side not in ("east", "west"):
            raise GeographyError(f"{where}: counties[{i}] ({name}): side = {side!r}, allowed: east, west.")
        pop = _need(r, "population", where, i, "counties")
        if not (isinstance(pop, (int, float)) and pop > 0):
            raise GeographyError(f"{where}: counties[{i}] ({name}): population = {pop!r} must be a positive number.")
        for k in ("lon", "lat"):
            _need(r, k, where, i, "counties")
        if side == "west":
            m = r.get("migrant_share", 0.0)
            if not 0 <= m <= 1:
                raise GeographyError(f"{where}: counties[{i}] ({name}): migrant_share = {m!r} must be in [0, 1].")
        elif r.get("firm_weight", 0) < 0:
            raise GeographyError(f"{where}: counties[{i}] ({name}): firm_weight = {r['firm_weight']!r} must be >= 0.")
    rows = sorted(rows, key=lambda r: r["side"] == "west")  # east first, stable
    index = {r["name"]: i for i, r in enumerate(rows)}
    is_west = np.array([r["side"] == "west" for r in rows])
    if is_west.all() or not is_west.any():
        raise GeographyError(f"{where}: needs at least one east and one west county.")
    partner = np.full(len(rows), -1, dtype=np.int64)
    for i, p in enumerate(raw["pairs"]):
        east = p.get("east")
        if east not in index or is_west[index[east]]:
            raise GeographyError(f"{where}: pairs[{i}]: east = {east!r} is not an eastern county of this file.")
        if "west" in p:
            if p["west"] not in index or not is_west[index[p["west"]]]:
                raise GeographyError(f"{where}: pairs[{i}]: west = {p['west']!r} is not a western county of this file.")
            targets = [index[p["west"]]]
        elif "west_prefecture" in p:
            targets = [j for j, r in enumerate(rows) if r["side"] == "west" and r.get("prefecture") == p["west_prefecture"]]
            if not targets:
                raise GeographyError(f"{where}: pairs[{i}]: west_prefecture = {p['west_prefecture']!r} has no western counties.")
        else:
            raise GeographyError(f"{where}: pairs[{i}] needs 'west' or 'west_prefecture'.")
        for j in targets:
            if partner[j] >= 0 and partner[j] != index[east]:
                raise GeographyError(f"{where}: pairs[{i}]: {rows[j]['name']} is paired twice "
                                     f"({rows[partner[j]]['name']} and {east}); a western county has one partner.")
            partner[j] = index[east]
    parks = raw["parks"]
    park_names = set()
    for i, p in enumerate(parks):
        name = _need(p, "name", where, i, "parks")
        if name in park_names:
            raise GeographyError(f"{where}: parks[{i}]: duplicate park name {name!r}.")
        park_names.add(name)
        c = _need(p, "county", where, i, "parks")
        if c not in index or not is_west[index[c]]:
            raise GeographyError(f"{where}: parks[{i}] ({name}): county = {c!r} is not a western county of this file.")
        cap = _need(p, "capacity", where, i, "parks")
        if not (isinstance(cap, (int, float)) and cap > 0):
            raise GeographyError(f"{where}: parks[{i}] ({name}): capacity = {cap!r} must be a positive number of firm slots.")
        if p.get("kind", "local") not in ("local", "co_built"):
            raise GeographyError(f"{where}: parks[{i}] ({name}): kind = {p['kind']!r}, allowed: local, co_built.")
        s = p.get("sector_focus")
        if s is not None and s not in sector_index:
            raise GeographyError(f"{where}: parks[{i}] ({name}): sector_focus = {s!r}, allowed: {', '.join(sectors.name)}.")
    economy = {}
    for k in ECONOMY_KEYS:
        entry = raw["economy"].get(k)
        if entry is None:
            raise GeographyError(f"{where}: economy.{k} is missing.")
        v = entry["value"] if isinstance(entry, dict) else entry
        if not isinstance(v, (int, float)) or v < 0 or (k in SHARE_KEYS and v > 1):
            rng_text = "[0, 1]" if k in SHARE_KEYS else ">= 0"
            raise GeographyError(f"{where}: economy.{k} = {v!r} must be a number in {rng_text}.")
        economy[k] = float(v)
    arr = lambda key, default=0.0: np.array([r.get(key, default) for r in rows], dtype=float)  # noqa: E731
    return Geography(
        name=raw.get("name", where),
        county_name=np.array([r["name"] for r in rows], dtype=object),
        county_prefecture=np.array([r.get("prefecture", "") for r in rows], dtype=object),
        county_province=np.array([r.get("province", "") for r in rows], dtype=object),
        is_west=is_west,
        lon=arr("lon"), lat=arr("lat"), population=arr("population"),
        firm_weight=np.where(is_west, 0.0, arr("firm_weight", 1.0)),
        migrant_share=np.where(is_west, arr("migrant_share"), 0.0),
        partner=partner,
        park_name=np.array([p["name"] for p in parks], dtype=object),
        park_county=np.array([index[p["county"]] for p in parks], dtype=np.int64),
        park_co_built=np.array([p.get("kind", "local") == "co_built" for p in parks]),
        park_capacity=np.array([p["capacity"] for p in parks], dtype=float),
        park_sector=np.array([sector_index.get(p.get("sector_focus"), -1) for p in parks], dtype=np.int64),
        economy=economy,
    )


def _lognormal_fit(x: np.ndarray) -> tuple[float, float]:
    lx = np.log(x[x > 0])
    return float(lx.mean()), float(lx.std() or 0.1)


def synthetic(template: Geography, n_east: int, n_west: int, n_parks: int,
              rng: np.random.Generator, co_built_share: float | None = None) -> Geography:
    """A geography of any size whose distributions are fitted to ``template``.

    Fitted: western county population and eastern firm weight (lognormal),
    migrant share (mean and spread), park capacity (lognormal), co-built share,
    and coordinates (normal around the template's eastern and western centroids,
    spread widened to national scale). Each western county has one eastern
    partner; eastern partners are spread evenly. Economy figures are the template's.
    """
    if n_parks < n_west:
        raise GeographyError(f"geography.n_parks = {n_parks} must be >= geography.n_west_counties = {n_west} "
                             "(every western county has a park).")
    east, west = ~template.is_west, template.is_west
    pm, ps = _lognormal_fit(template.population[west])
    fm, fs = _lognormal_fit(template.firm_weight[east])
    em, es = _lognormal_fit(template.population[east])
    cm, cs = _lognormal_fit(template.park_capacity)
    mig = template.migrant_share[west]
    share = float(template.park_co_built.mean()) if co_built_share is None else co_built_share

    def coords(mask, n, widen):
        lo = rng.normal(template.lon[mask].mean(), max(template.lon[mask].std(), 1.0) * widen, n)
        la = rng.normal(template.lat[mask].mean(), max(template.lat[mask].std(), 1.0) * widen, n)
        return lo, la

    elon, elat = coords(east, n_east, 3.0)
    wlon, wlat = coords(west, n_west, 2.0)
    n = n_east + n_west
    is_west = np.r_[np.zeros(n_east, bool), np.ones(n_west, bool)]
    partner = np.full(n, -1, dtype=np.int64)
    partner[n_east:] = rng.permutation(np.arange(n_west) % n_east)
    # every western county has a local park; the rest go to counties drawn by population
    pop_w = np.exp(rng.normal(pm, ps, n_west))
    extra = rng.choice(n_west, size=n_parks - n_west, p=pop_w / pop_w.sum())
    park_w = np.sort(np.r_[np.arange(n_west), extra])
    co_built = np.zeros(n_parks, bool)
    n_co = int(round(share * n_parks))
    co_built[rng.choice(n_parks, size=n_co, replace=False)] = True
    names = np.array([f"E{i:05d}" for i in range(n_east)] + [f"W{i:05d}" for i in range(n_west)], dtype=object)
    prov = np.array(["east"] * n_east + ["west"] * n_west, dtype=object)
    return Geography(
        name=f"synthetic({template.name})",
        county_name=names, county_prefecture=prov, county_province=prov, is_west=is_west,
        lon=np.r_[elon, wlon], lat=np.r_[elat, wlat],
        population=np.r_[np.exp(rng.normal(em, es, n_east)), pop_w],
        firm_weight=np.r_[np.exp(rng.normal(fm, fs, n_east)), np.zeros(n_west)],
        migrant_share=np.r_[np.zeros(n_east), np.clip(rng.normal(mig.mean(), mig.std(), n_west), 0.0, 0.9)],
        partner=partner,
        park_name=np.array([f"P{i:06d}" for i in range(n_parks)], dtype=object),
        park_county=park_w + n_east,
        park_co_built=co_built,
        park_capacity=np.maximum(1.0, np.round(np.exp(rng.normal(cm, cs, n_parks)))),
        park_sector=np.full(n_parks, -1, dtype=np.int64),
        economy=dict(template.economy),
    )


def build(cfg_geography, rng: np.random.Generator) -> Geography:
    """The geography a run asks for: a data file, or a synthetic one from ``rng``."""
    if cfg_geography.kind == "file":
        return load_file(cfg_geography.name)
    template = load_file(cfg_geography.name)
    return synthetic(template, cfg_geography.n_east_counties or 343, cfg_geography.n_west_counties or 832,
                     cfg_geography.n_parks or 1500, rng, cfg_geography.co_built_share)


@functools.cache
def county_codes(name: str) -> dict[str, str]:
    """GB/T 2260 code (6 digits) of each county row of file geography ``name``, by county name
    (``sim/data/county_codes.yaml``; rows without a single division, and synthetic counties, have none)."""
    try:
        data = yaml.load((DATA_DIR / "county_codes.yaml").read_text(encoding="utf-8"), Loader=_SafeLoader)
    except OSError:
        return {}
    return dict((data or {}).get(name, {}))
