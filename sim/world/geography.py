"""Geographies: counties, pairings and parks as arrays.

A file geography is read from ``sim/world/NAME/geography.yaml`` (format in
``docs/data.md``); a synthetic one is generated at any size from distributions
fitted to a template file geography. Counties are ordered east first, then
west, so western county ``w`` is county ``n_east + w``.
"""

from __future__ import annotations

import functools
import math
import stat
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from sim.world import bounded_yaml
from sim.world.bounded_yaml import excerpt

WORLD_DIR = (
    Path(__file__).parent
)  # one folder per geography (geography.yaml, key counties, calibration); shared tables beside them


def world_file(geography: str, name: str) -> Path:
    """A data file of a shipped geography: ``sim/world/<geography>/<name>``."""
    return WORLD_DIR / geography / name


_SafeLoader = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)  # libyaml's parser when available: 7x faster

ECONOMY_KEYS = (
    "east_wage",
    "west_wage_low",
    "west_wage_mid",
    "migrant_wage_east",
    "farm_income",
    "east_income_per_capita",
    "west_transfer_per_capita",
    "east_contribution_rate",
    "east_contribution_floor",
    "west_contribution_rate",
    "west_contribution_floor",
    "east_land_price",
    "west_land_price",
    "land_per_job",
    "land_annuity",
    "east_power_price",
    "west_power_price",
    "west_consumption_share",
    "working_age_share",
    "mobile_share",
    "mid_skill_share",
)
SHARE_KEYS = (
    "working_age_share",
    "mobile_share",
    "mid_skill_share",
    "east_contribution_rate",
    "west_contribution_rate",
    "land_annuity",
    "west_consumption_share",
    "west_other_income_share",
)
# optional: official per-capita disposable income of all western residents in the start year
# (yuan/year), which anchors east_west_income_ratio to the official basis; with the urban and
# rural figures and the share of property and transfer income it also sets each county's start
# income (docs/ODD.md §5)
OPTIONAL_ECONOMY_KEYS = (
    "west_income_per_capita",
    "west_urban_income_per_capita",
    "west_rural_income_per_capita",
    "west_other_income_share",
)
# optional per western county row: census shares that set the county's local economy at the start
# (urban residents, employed residents off the farm, residents aged 15-59, each over its whole)
COUNTY_SHARE_KEYS = ("urban_share", "nonfarm_share", "working_age_share")
# optional per western county row: the per-capita disposable income the start reproduces
# (yuan/year; sim/world/<geo>/start_income.csv)
COUNTY_INCOME_KEYS = ("income_pc",)
COUNTY_KEYS = COUNTY_SHARE_KEYS + COUNTY_INCOME_KEYS


class GeographyError(ValueError):
    """Bad geography data; the message names the file, table, row and field."""


@dataclass(frozen=True)
class Sectors:
    """Industry sectors (``sim/world/sectors.yaml``)."""

    name: np.ndarray
    weight: np.ndarray  # share of at-risk firms, sums to 1
    labour_share: np.ndarray  # wage bill / output at home (share)
    mid_skill: np.ndarray  # share of jobs needing mid skill
    energy_share: np.ndarray  # electricity bill / output at eastern power prices (share)
    value_density: np.ndarray  # output value per tonne shipped (yuan/t)
    markets: np.ndarray  # (sector, 4) sales mix over MARKETS (shares summing to 1)
    capital_intensity: np.ndarray  # plant capital per job relative to the mean (weighted mean 1)


def market_mix(sales: np.ndarray, west_consumption_share: float) -> np.ndarray:
    """The (sector, 4) sales mix over MARKETS from sectors.yaml's (sector, 3) split [home, rest of
    China, export]: the west takes ``west_consumption_share`` of the rest of China, the national
    market the remainder (the rule is stated in sectors.yaml and docs/ODD.md §7.13)."""
    home, rest, export = sales[:, 0], sales[:, 1], sales[:, 2]
    s = west_consumption_share
    return np.column_stack([home, rest * (1 - s), rest * s, export])


@functools.cache
def load_sectors(west_consumption_share: float = 0.0) -> Sectors:
    """Sectors of ``sectors.yaml`` with the western market's share of each sector's sales derived
    from a geography's ``west_consumption_share`` (share of national consumption)."""
    raw = yaml.load((WORLD_DIR / "sectors.yaml").read_text(encoding="utf-8"), Loader=_SafeLoader)
    rows = raw["sectors"]
    w = np.array([r["weight"] for r in rows], float)
    intensity = np.array([r["capital_intensity"] for r in rows], float)
    return Sectors(
        name=np.array([r["name"] for r in rows], dtype=object),
        weight=w / w.sum(),
        labour_share=np.array([r["labour_share"] for r in rows], float),
        mid_skill=np.array([r["mid_skill"] for r in rows], float),
        energy_share=np.array([r["energy_share"] for r in rows], float),
        value_density=np.array([r["value_density"] for r in rows], float),
        markets=market_mix(np.array([r["markets"] for r in rows], float), west_consumption_share),
        capital_intensity=intensity / (w @ intensity / w.sum()),
    )


MARKETS = ("home", "national", "west", "export")


@dataclass(frozen=True)
class Markets:
    """Where firms sell, beyond their eastern home county (a geography's ``markets`` table).

    ``national``: (lon, lat) of the national market's centre; ``west``: (lon, lat) of
    the western market's centre, or None for the western counties' population
    centroid; ``gateways``: export gateways as (lon, lat, onward road-km equivalent
    of the leg beyond the gateway).
    """

    national: tuple[float, float] = (
        113.4,
        32.9,
    )  # near China's population centre (southern Henan); approximate
    west: tuple[float, float] | None = None
    gateways: tuple[tuple[float, float, float], ...] = ()
    local_km: float = 50.0


def _markets(raw, where: str) -> Markets:
    """The optional ``markets`` table: national and western market centres, export gateways."""
    if raw is None:
        return Markets()
    if not isinstance(raw, dict):
        raise GeographyError(
            f"{where}: markets must be a mapping (national, west, gateways, local_km)."
        )

    def point(key):
        v = raw.get(key)
        if v is None:
            return None
        if not isinstance(v, dict):
            raise GeographyError(f"{where}: markets.{key} must be a mapping with lon and lat.")
        return (
            _number(v.get("lon"), f"{where}: markets.{key}.lon", lo=-180, hi=180),
            _number(v.get("lat"), f"{where}: markets.{key}.lat", lo=-90, hi=90),
        )

    gateways = raw.get("gateways") or []
    if not isinstance(gateways, list):
        raise GeographyError(f"{where}: markets.gateways must be a list of gateways.")
    gates = []
    for i, g in enumerate(gateways):
        what = f"{where}: markets.gateways[{i}]"
        if not isinstance(g, dict):
            raise GeographyError(f"{what} must be a mapping with lon, lat and onward_km.")
        gates.append(
            (
                _number(g.get("lon"), what + ".lon", lo=-180, hi=180),
                _number(g.get("lat"), what + ".lat", lo=-90, hi=90),
                _number(g.get("onward_km"), what + ".onward_km", lo=0),
            )
        )
    local = _number(raw.get("local_km", Markets.local_km), f"{where}: markets.local_km", lo=0)
    return Markets(
        national=point("national") or Markets.national,
        west=point("west"),
        gateways=tuple(gates),
        local_km=local,
    )


@dataclass(frozen=True)
class Geography:
    """Counties (east first), pairings and western parks as arrays."""

    name: str
    county_name: np.ndarray  # str
    county_prefecture: np.ndarray  # str
    county_province: np.ndarray  # str
    is_west: np.ndarray  # bool
    lon: np.ndarray  # degrees
    lat: np.ndarray  # degrees
    population: np.ndarray  # persons
    firm_weight: np.ndarray  # relative, east only (0 in the west)
    migrant_share: np.ndarray  # share of working age, west only
    partner: np.ndarray  # east county index of a western county's partner, -1 if none
    park_name: np.ndarray  # str
    park_county: np.ndarray  # county index (west)
    park_co_built: np.ndarray  # bool
    park_capacity: np.ndarray  # firm slots
    park_sector: np.ndarray  # sector index, -1 if none
    economy: dict = field(default_factory=dict)  # name -> value (units in the data file)
    markets: Markets = field(default_factory=Markets)
    # a western county's wage level relative to the western average (ratio; 1 in the east and
    # where the file has no wage tiers): its minimum-wage tier over the population-weighted mean
    wage_index: np.ndarray | None = None
    # census shares of a western county (NaN where the file has none, and in the east): urban
    # residents over residents; employed residents not farming over employed residents;
    # residents aged 15-59 over residents
    urban_share: np.ndarray | None = None
    nonfarm_share: np.ndarray | None = None
    working_age_share: np.ndarray | None = None
    # per-capita disposable income a western county starts with (yuan/year; NaN where none)
    income_pc: np.ndarray | None = None
    # eastern firms already in the west's parks in the base year (`stock` table; empty where the
    # cooperation starts with the run): firms, first year of the cooperation, branch share
    stock: dict = field(default_factory=dict)
    # the county's Chinese name ("" where the file has none) and its minimum-wage tier as the
    # file writes it ("" where none): attributes that group counties in the outputs
    county_name_zh: np.ndarray | None = None
    wage_tier: np.ndarray | None = None

    @property
    def has_stock(self) -> bool:
        """Whether eastern firms are already in the west's parks in the base year."""
        return self.stock.get("firms", 0) > 0

    def __post_init__(self):
        n = len(self.county_name)
        if self.wage_index is None:
            object.__setattr__(self, "wage_index", np.ones(n))
        for k in ("county_name_zh", "wage_tier"):
            if getattr(self, k) is None:
                object.__setattr__(self, k, np.full(n, "", dtype=object))
        for k in COUNTY_KEYS:
            if getattr(self, k) is None:
                object.__setattr__(self, k, np.full(n, np.nan))

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
    return sorted(p.parent.name for p in WORLD_DIR.glob("*/geography.yaml"))


def data_path(name: str) -> Path:
    """The data file of ``geography.name``: a shipped name, or a path (``.yaml`` optional)."""
    if "/" in name or "\\" in name or name.endswith((".yaml", ".yml")):
        path = Path(name).expanduser()
        return path if path.suffix in (".yaml", ".yml") else path.with_name(path.name + ".yaml")
    return world_file(name, "geography.yaml")


def _read(name: str) -> tuple[Path, bytes]:
    path = data_path(name)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a folder, FIFO or device would block or never end
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise GeographyError(f"geography.name = {name!r}: cannot read {path}: {kind}.")
        if info.st_size > bounded_yaml.MAX_BYTES:
            raise GeographyError(
                f"geography.name = {name!r}: {path} is {info.st_size / 2**20:.0f} MB, more than "
                f"the {bounded_yaml.MAX_BYTES // 2**20} MB a data file may have."
            )
        return path, path.read_bytes()
    except FileNotFoundError:
        raise GeographyError(
            f"geography.name = {name!r}: no data file {path}. "
            f"Available: {', '.join(available())} (or a path to a data file)."
        ) from None
    except OSError as err:
        raise GeographyError(
            f"geography.name = {name!r}: cannot read {path}: {err.strerror or err}."
        ) from None


def content_digest(name: str) -> str:
    """SHA-256 of the data file's bytes (and of the key-county list beside it, which the model also
    reads): part of every config hash and cache key, so an edited file is never stale."""
    from hashlib import sha256

    path, data = _read(name)
    key_counties = path.parent / "key_counties.yaml"
    if key_counties.is_file():
        data += b"\0key_counties.yaml\0" + key_counties.read_bytes()
    return sha256(data).hexdigest()


def load_file(name: str) -> Geography:
    """Read and check a geography data file; raise :class:`GeographyError` on bad data.

    Cached by the file's content, not its name: an edited file is read again.
    """
    path, data = _read(name)
    return _from_bytes(str(path), data)


@functools.lru_cache(maxsize=16)
def _from_bytes(where: str, data: bytes) -> Geography:
    """A data file's checked geography, built once per process per content (the jobs of a sweep
    share a worker)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise GeographyError(
            f"{where}: not UTF-8 text (byte {err.start}); save the file as UTF-8."
        ) from None
    try:
        raw = bounded_yaml.loads(text, where)
    except bounded_yaml.YamlLimitError as err:
        raise GeographyError(str(err)) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise GeographyError(
            f"{where}: not valid YAML{at}: {getattr(err, 'problem', None) or err}."
        ) from None
    return from_dict(raw, where=where)


# economy figures that must be positive: a zero wage or income would divide the model by zero
POSITIVE_KEYS = (
    "east_wage",
    "west_wage_low",
    "west_wage_mid",
    "migrant_wage_east",
    "farm_income",
    "east_income_per_capita",
    "east_power_price",
    "west_power_price",
)
TABLES = {"counties": list, "pairs": list, "parks": list, "economy": dict}
# economy figures derived from others when the file is read (not typed in the file)
DERIVED_ECONOMY_KEYS = ("east_land_cost", "west_land_cost")


def _row_name(row: dict, table: str, i: int) -> str:
    return f"{table}[{i}]" + (f" ({row['name']})" if isinstance(row.get("name"), str) else "")


def _need(row: dict, key: str, where: str, i: int, table: str):
    if key not in row or row[key] is None:
        raise GeographyError(f"{where}: {_row_name(row, table, i)} lacks '{key}'.")
    return row[key]


def _text(row: dict, key: str, where: str, i: int, table: str) -> str:
    value = _need(row, key, where, i, table)
    if not isinstance(value, str) or not value.strip():
        raise GeographyError(
            f"{where}: {_row_name(row, table, i)}: {key} = {excerpt(value)} must be a "
            "non-empty text."
        )
    return value


def _new_name(row: dict, where: str, i: int, table: str, seen: set, kind: str) -> str:
    """Row ``i``'s name (a ``kind``: county, park), checked to be a text no earlier row of
    ``table`` has; added to ``seen``."""
    name = _text(row, "name", where, i, table)
    if name in seen:
        raise GeographyError(f"{where}: {table}[{i}]: duplicate {kind} name {excerpt(name)}.")
    seen.add(name)
    return name


def _number(
    value, what: str, lo: float | None = None, hi: float | None = None, positive: bool = False
) -> float:
    """``value`` as a finite float within its range; ``what`` names file, entry and field in the
    message."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    ok = (
        ok
        and (lo is None or value >= lo)
        and (hi is None or value <= hi)
        and (not positive or value > 0)
    )
    if not ok:
        if positive:
            allowed = "a positive number"
        elif lo is not None and hi is not None:
            allowed = f"a number in [{lo:g}, {hi:g}]"
        else:
            allowed = f"a number >= {lo:g}" if lo is not None else "a finite number"
        raise GeographyError(f"{what} = {excerpt(value)} must be {allowed}.")
    return float(value)


def _check_layout(raw, where: str) -> None:
    """The file's top level: a mapping of the four tables, each of the right kind, rows as
    mappings."""
    if raw is None:
        raise GeographyError(
            f"{where}: the file is empty; it needs the tables {', '.join(TABLES)} (see "
            "docs/data.md)."
        )
    if not isinstance(raw, dict):
        raise GeographyError(
            f"{where}: the top level must be a mapping of the tables {', '.join(TABLES)}, "
            f"not a {type(raw).__name__}."
        )
    for table, kind in TABLES.items():
        if table not in raw:
            raise GeographyError(f"{where}: missing table '{table}'.")
        if not isinstance(raw[table], kind):
            raise GeographyError(
                f"{where}: table '{table}' must be a {'list' if kind is list else 'mapping'}, "
                f"not {type(raw[table]).__name__}."
            )
        if kind is list:
            for i, row in enumerate(raw[table]):
                if not isinstance(row, dict):
                    raise GeographyError(
                        f"{where}: {table}[{i}] must be a mapping of fields, not {excerpt(row)}."
                    )


def _check_counties(rows: list, where: str) -> None:
    seen = set()
    for i, r in enumerate(rows):
        name = _new_name(r, where, i, "counties", seen, "county")
        side = _need(r, "side", where, i, "counties")
        if side not in ("east", "west"):
            raise GeographyError(
                f"{where}: counties[{i}] ({name}): side = {excerpt(side)}, allowed: east, west."
            )
        at = f"{where}: counties[{i}] ({name})"
        _number(_need(r, "population", where, i, "counties"), f"{at}: population", positive=True)
        _number(_need(r, "lon", where, i, "counties"), f"{at}: lon", lo=-180, hi=180)
        _number(_need(r, "lat", where, i, "counties"), f"{at}: lat", lo=-90, hi=90)
        if side == "west":
            _number(r.get("migrant_share", 0.0), f"{at}: migrant_share", lo=0, hi=1)
            for k in COUNTY_SHARE_KEYS:
                if r.get(k) is not None:
                    _number(r[k], f"{at}: {k}", lo=0, hi=1)
            for k in COUNTY_INCOME_KEYS:
                if r.get(k) is not None:
                    _number(r[k], f"{at}: {k}", positive=True)
        else:
            _number(r.get("firm_weight", 1.0), f"{at}: firm_weight", lo=0)
        for k in ("prefecture", "province"):
            if r.get(k) is not None and not isinstance(r[k], str):
                raise GeographyError(f"{at}: {k} = {excerpt(r[k])} must be a text.")


MAX_PARK_CAPACITY = (
    1e9  # firm slots; far beyond any park, and small enough that sums and products stay finite
)


def _check_parks(parks: list, index: dict, is_west: np.ndarray, sector_names, where: str) -> None:
    if not parks:
        raise GeographyError(
            f"{where}: table 'parks' is empty; the model needs at least one western park."
        )
    names = set()
    for i, p in enumerate(parks):
        name = _new_name(p, where, i, "parks", names, "park")
        c = _need(p, "county", where, i, "parks")
        if not isinstance(c, str) or c not in index or not is_west[index[c]]:
            raise GeographyError(
                f"{where}: parks[{i}] ({name}): county = {excerpt(c)} is not a western "
                "county of this file."
            )
        cap = _need(p, "capacity", where, i, "parks")
        if not (
            isinstance(cap, (int, float))
            and not isinstance(cap, bool)
            and math.isfinite(cap)
            and 0 < cap <= MAX_PARK_CAPACITY
        ):
            raise GeographyError(
                f"{where}: parks[{i}] ({name}): capacity = {excerpt(cap)} must be a positive "
                "number "
                f"of firm slots, at most {MAX_PARK_CAPACITY:g}."
            )
        if p.get("kind", "local") not in ("local", "co_built"):
            raise GeographyError(
                f"{where}: parks[{i}] ({name}): kind = {excerpt(p['kind'])}, allowed: local, "
                "co_built."
            )
        s = p.get("sector_focus")
        if s is not None and s not in sector_names:
            raise GeographyError(
                f"{where}: parks[{i}] ({name}): sector_focus = {excerpt(s)}, allowed: "
                f"{', '.join(sector_names)}."
            )


def _pair_targets(
    p: dict, i: int, rows: list, index: dict, is_west: np.ndarray, where: str
) -> list[int]:
    east = p.get("east")
    if not isinstance(east, str) or east not in index or is_west[index[east]]:
        raise GeographyError(
            f"{where}: pairs[{i}]: east = {excerpt(east)} is not an eastern county of this file."
        )
    if "west" in p:
        if (
            not isinstance(p["west"], str)
            or p["west"] not in index
            or not is_west[index[p["west"]]]
        ):
            raise GeographyError(
                f"{where}: pairs[{i}]: west = {excerpt(p['west'])} is not a western county "
                "of this file."
            )
        return [index[p["west"]]]
    if "west_prefecture" in p:
        targets = [
            j
            for j, r in enumerate(rows)
            if r["side"] == "west" and r.get("prefecture") == p["west_prefecture"]
        ]
        if not targets:
            raise GeographyError(
                f"{where}: pairs[{i}]: west_prefecture = {excerpt(p['west_prefecture'])} has "
                "no western counties."
            )
        return targets
    raise GeographyError(f"{where}: pairs[{i}] needs 'west' or 'west_prefecture'.")


def _economy(table: dict, where: str) -> dict[str, float]:
    economy = {}
    for k in ECONOMY_KEYS + OPTIONAL_ECONOMY_KEYS:
        entry = table.get(k)
        v = entry.get("value") if isinstance(entry, dict) else entry
        if v is None and k in OPTIONAL_ECONOMY_KEYS and entry is None:
            continue
        if v is None:
            raise GeographyError(
                f"{where}: economy.{k} is missing"
                + (" its 'value'." if isinstance(entry, dict) else ".")
            )
        what = f"{where}: economy.{k}"
        if k in SHARE_KEYS:
            economy[k] = _number(v, what, lo=0, hi=1)
        else:
            economy[k] = (
                _number(v, what, positive=True) if k in POSITIVE_KEYS else _number(v, what, lo=0)
            )
    for k in DERIVED_ECONOMY_KEYS:
        if k in table:
            raise GeographyError(
                f"{where}: economy.{k} is derived (land price × land_per_job × land_annuity); "
                "give east_land_price / west_land_price instead."
            )
    # land rent per job (yuan/job/year): the price of a 50-year use right, annualised
    per_job = economy["land_per_job"] * economy["land_annuity"]
    economy["east_land_cost"] = economy["east_land_price"] * per_job
    economy["west_land_cost"] = economy["west_land_price"] * per_job
    return economy


def _wage_index(raw: dict, rows: list, is_west: np.ndarray, where: str) -> np.ndarray:
    """Each county's wage level relative to the western average, from the optional ``wage_tiers``
    table (minimum wage by tier) and each western county's ``wage_tier``: the tier's minimum wage
    over the population-weighted mean of the western counties' (1 where there is no table)."""
    table = raw.get("wage_tiers")
    tiers_given = [i for i, r in enumerate(rows) if r.get("wage_tier") is not None]
    if table is None:
        if tiers_given:
            r = rows[tiers_given[0]]
            raise GeographyError(
                f"{where}: counties ({r['name']}): wage_tier is given but the file has no "
                "'wage_tiers' table (minimum wage by tier)."
            )
        return np.ones(len(rows))
    if not isinstance(table, dict) or not isinstance(table.get("monthly"), dict):
        raise GeographyError(
            f"{where}: wage_tiers must be a mapping with 'monthly' (tier -> minimum wage, "
            "yuan/month), 'year' and 'source'."
        )
    amount = {
        str(t): _number(v, f"{where}: wage_tiers.monthly.{t}", positive=True)
        for t, v in table["monthly"].items()
    }
    level = np.ones(len(rows))
    for i, r in enumerate(rows):
        t = r.get("wage_tier")
        if is_west[i]:
            if t is None or str(t) not in amount:
                raise GeographyError(
                    f"{where}: counties ({r['name']}): wage_tier = {excerpt(t)}; every western "
                    f"county needs one of the tiers {', '.join(amount)} of 'wage_tiers'."
                )
            level[i] = amount[str(t)]
        elif t is not None:
            raise GeographyError(
                f"{where}: counties ({r['name']}): wage_tier applies to western counties only."
            )
    pop = np.array([r["population"] for r in rows], float) * is_west
    mean = float((level * pop).sum() / pop.sum())
    return np.where(is_west, level / mean, 1.0)


def from_dict(raw: dict, where: str = "<geography>") -> Geography:
    """Build a :class:`Geography` from the parsed data-file mapping, checking it.

    Every problem raises :class:`GeographyError` naming the file, the entry and
    the field, before any model is built.
    """
    sectors = load_sectors()
    sector_index = {s: i for i, s in enumerate(sectors.name)}
    _check_layout(raw, where)
    _check_counties(raw["counties"], where)
    rows = sorted(raw["counties"], key=lambda r: r["side"] == "west")  # east first, stable
    index = {r["name"]: i for i, r in enumerate(rows)}
    is_west = np.array([r["side"] == "west" for r in rows], dtype=bool)
    if is_west.all() or not is_west.any():
        raise GeographyError(f"{where}: needs at least one east and one west county.")
    if not any(r.get("firm_weight", 1.0) > 0 for r in rows if r["side"] == "east"):
        raise GeographyError(
            f"{where}: every eastern county has firm_weight 0; at least one must hold firms."
        )
    partner = np.full(len(rows), -1, dtype=np.int64)
    for i, p in enumerate(raw["pairs"]):
        east = index[p["east"]] if isinstance(p.get("east"), str) and p["east"] in index else None
        for j in _pair_targets(p, i, rows, index, is_west, where):
            if partner[j] >= 0 and partner[j] != east:
                raise GeographyError(
                    f"{where}: pairs[{i}]: {rows[j]['name']} is paired twice "
                    f"({rows[partner[j]]['name']} and {p['east']}); a western county has one "
                    "partner."
                )
            partner[j] = east
    parks = raw["parks"]
    _check_parks(parks, index, is_west, list(sectors.name), where)
    economy = _economy(raw["economy"], where)
    if "name" in raw and not isinstance(raw["name"], str):
        raise GeographyError(f"{where}: name = {excerpt(raw['name'])} must be a text.")
    arr = lambda key, default=0.0: np.array([r.get(key, default) for r in rows], dtype=float)  # noqa: E731
    return Geography(
        name=str(raw.get("name", where)),
        county_name=np.array([r["name"] for r in rows], dtype=object),
        county_prefecture=np.array([r.get("prefecture", "") for r in rows], dtype=object),
        county_province=np.array([r.get("province", "") for r in rows], dtype=object),
        is_west=is_west,
        lon=arr("lon"),
        lat=arr("lat"),
        population=arr("population"),
        firm_weight=np.where(is_west, 0.0, arr("firm_weight", 1.0)),
        migrant_share=np.where(is_west, arr("migrant_share"), 0.0),
        partner=partner,
        park_name=np.array([p["name"] for p in parks], dtype=object),
        park_county=np.array([index[p["county"]] for p in parks], dtype=np.int64),
        park_co_built=np.array([p.get("kind", "local") == "co_built" for p in parks], dtype=bool),
        park_capacity=np.array([p["capacity"] for p in parks], dtype=float),
        park_sector=np.array(
            [sector_index.get(p.get("sector_focus"), -1) for p in parks], dtype=np.int64
        ),
        economy=economy,
        markets=_markets(raw.get("markets"), where),
        wage_index=_wage_index(raw, rows, is_west, where),
        **{k: np.where(is_west, arr(k, np.nan), np.nan) for k in COUNTY_KEYS},
        stock=_stock(raw.get("stock"), where),
        county_name_zh=np.array([str(r.get("name_zh") or "") for r in rows], dtype=object),
        wage_tier=np.array(
            [str(r["wage_tier"]) if r.get("wage_tier") is not None else "" for r in rows],
            dtype=object,
        ),
    )


def _stock(raw, where: str) -> dict:
    """The optional ``stock`` table: ``firms`` (eastern firms in western parks in the base year),
    ``since`` (year the cooperation began: their plants are of every age since) and
    ``branch_share`` (share of them that are branches), each ``{value: ..., source: ...}``."""
    if raw is None:
        return {}
    if not isinstance(raw, dict) or set(raw) != {"firms", "since", "branch_share"}:
        raise GeographyError(
            f"{where}: table 'stock' must map firms, since and branch_share, each to "
            "{value: ..., source: ...}."
        )
    value = {k: v.get("value") if isinstance(v, dict) else None for k, v in raw.items()}
    return {
        "firms": int(_number(value["firms"], f"{where}: stock.firms", lo=0, hi=1e7)),
        "since": int(_number(value["since"], f"{where}: stock.since", lo=1900, hi=2100)),
        "branch_share": _number(value["branch_share"], f"{where}: stock.branch_share", lo=0, hi=1),
    }


def west_power_price_ratio(economy: dict) -> float:
    """Industrial power price in a western park relative to the east (ratio), from a geography's
    economy figures."""
    return economy["west_power_price"] / economy["east_power_price"]


def _lognormal_fit(x: np.ndarray) -> tuple[float, float]:
    lx = np.log(x[x > 0])
    return float(lx.mean()), float(lx.std() or 0.1)


def synthetic(
    template: Geography,
    n_east: int,
    n_west: int,
    n_parks: int,
    rng: np.random.Generator,
    co_built_share: float | None = None,
) -> Geography:
    """A geography of any size whose distributions are fitted to ``template``.

    Fitted: western county population and eastern firm weight (lognormal),
    migrant share (mean and spread), park capacity (lognormal), co-built share,
    and coordinates (normal around the template's eastern and western centroids,
    spread widened to national scale). Each western county has one eastern
    partner; eastern partners are spread evenly. Economy figures are the template's.
    """
    check_synthetic_sizes(n_west, n_parks)
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
    template_w = np.flatnonzero(west)
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
    names = np.array(
        [f"E{i:05d}" for i in range(n_east)] + [f"W{i:05d}" for i in range(n_west)], dtype=object
    )
    prov = np.array(["east"] * n_east + ["west"] * n_west, dtype=object)
    return Geography(
        name=f"synthetic({template.name})",
        county_name=names,
        county_prefecture=prov,
        county_province=prov,
        is_west=is_west,
        lon=np.r_[elon, wlon],
        lat=np.r_[elat, wlat],
        population=np.r_[np.exp(rng.normal(em, es, n_east)), pop_w],
        firm_weight=np.r_[np.exp(rng.normal(fm, fs, n_east)), np.zeros(n_west)],
        migrant_share=np.r_[
            np.zeros(n_east), np.clip(rng.normal(mig.mean(), mig.std(), n_west), 0.0, 0.9)
        ],
        partner=partner,
        park_name=np.array([f"P{i:06d}" for i in range(n_parks)], dtype=object),
        park_county=park_w + n_east,
        park_co_built=co_built,
        park_capacity=np.maximum(1.0, np.round(np.exp(rng.normal(cm, cs, n_parks)))),
        park_sector=np.full(n_parks, -1, dtype=np.int64),
        economy=dict(template.economy),
        markets=template.markets,
        # the template's minimum-wage tiers belong to its counties, not to generated ones
        wage_index=np.ones(n),
        # generated county i takes the census shares of template western county i mod their
        # number (no draw: the generator's stream stays as it was)
        **_cycled_shares(template, template_w, n_east, n_west),
    )


def _cycled_shares(
    template: Geography, rows: np.ndarray, n_east: int, n_west: int
) -> dict[str, np.ndarray]:
    """Census shares and start incomes of ``n_west`` generated counties: those of the template's
    western counties ``rows`` in turn, all from the same county; NaN in the east."""
    pick = rows[np.arange(n_west) % rows.size]
    return {k: np.r_[np.full(n_east, np.nan), getattr(template, k)[pick]] for k in COUNTY_KEYS}


# sizes of geography=synthetic when not given: China's eastern and western counties at national
# scale
SYNTHETIC_SIZES = {"n_east_counties": 343, "n_west_counties": 832, "n_parks": 1500}


def synthetic_sizes(cfg_geography) -> tuple[int, int, int]:
    """(eastern counties, western counties, parks) of a synthetic geography config (a config or a
    dict)."""
    get = (
        cfg_geography.get
        if isinstance(cfg_geography, dict)
        else lambda k: getattr(cfg_geography, k)
    )
    return tuple(get(k) or default for k, default in SYNTHETIC_SIZES.items())


def check_synthetic_sizes(n_west: int, n_parks: int) -> None:
    if n_parks < n_west:
        raise GeographyError(
            f"geography.n_parks = {n_parks} must be >= geography.n_west_counties = {n_west} "
            "(every western county has a park)."
        )


def build(cfg_geography, rng: np.random.Generator) -> Geography:
    """The geography a run asks for: a data file, or a synthetic one from ``rng``."""
    if cfg_geography.kind == "file":
        return load_file(cfg_geography.name)
    template = load_file(cfg_geography.name)
    n_east, n_west, n_parks = synthetic_sizes(cfg_geography)
    return synthetic(template, n_east, n_west, n_parks, rng, cfg_geography.co_built_share)


@functools.cache
def county_codes(name: str) -> dict[str, str]:
    """GB/T 2260 code (6 digits) of each county row of file geography ``name``, by county name
    (``sim/world/county_codes.yaml``; rows without a single division, and synthetic counties,
    have none)."""
    try:
        data = yaml.load(
            (WORLD_DIR / "county_codes.yaml").read_text(encoding="utf-8"), Loader=_SafeLoader
        )
    except OSError:
        return {}
    return dict((data or {}).get(name, {}))
