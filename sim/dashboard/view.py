"""What the dashboard shows, as plain data: levers, the view, its runs and its export.

Nothing here knows about the browser, so tests drive it directly. A view is run
exactly as ``python -m sim.run`` runs a job (compose the overrides, one model per
replication seed), so the exported overrides reproduce the view from the CLI.
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.params import schema
from sim.params.compose import CONFIG_DIR, compose, format_value

BASELINE = "baseline"
# The time paths drawn against the baseline: jobs, income and the programme cost on each side
# (every cost line, as in the report; the west's land discounts alone are one of its lines).
PATH_METRICS = (
    "west_jobs_local",
    "west_income_per_capita",
    "west_programme_cost",
    "east_programme_cost",
)
# The headline adds the public cost of both sides with aid counted once (the east pays it, the
# west spends it), the report's "Public, aid once" column.
HEADLINE_METRICS = (*PATH_METRICS, "public_programme_cost")
# Per-county outcomes the map can show (regions.parquet columns that apply to western counties).
MAP_METRICS = (
    "income_per_capita",
    "jobs_local",
    "employment_rate",
    "low_income_share",
    "migrants_east",
    "firms",
    "tax_retained",
    "fiscal_cost",
)
MAX_SEEDS = 10
# regions.parquet columns the county groups need (sim.analysis.county_groups)
FOR_WHOM = (
    "side",
    "jobs_local",
    "income_per_capita",
    "working_age",
    "residents",
    "paired",
    "key_county",
    "urban_district",
    "income_quintile",
    "income_start",
)


@dataclass(frozen=True)
class Lever:
    """A policy key the dashboard lets the user move, with its schema metadata."""

    key: str  # dotted config key, e.g. policy.enclave.tax_share_east
    kind: type  # bool or float
    unit: str
    doc: str
    lo: float | None
    hi: float | None

    @property
    def label(self) -> str:
        """Human name with unit: 'enclave: tax share east (share)'."""
        section, name = self.key.split(".")[-2:]
        return f"{section}: {name.replace('_', ' ')}" + (
            "" if self.kind is bool else f" ({self.unit})"
        )

    @property
    def range_text(self) -> str:
        if self.kind is bool:
            return "on/off"
        return schema._range_text({"lo": self.lo, "hi": self.hi})

    @property
    def step(self) -> float:
        """A round slider step (a hundredth of the range's decade) that keeps round defaults."""
        import math

        return 10.0 ** (math.floor(math.log10(self.hi - self.lo)) - 2)

    @property
    def slider(self) -> bool:
        """A slider where the whole range is a sensible scale (shares, years, multipliers)."""
        return (
            self.kind is float
            and self.lo is not None
            and self.hi is not None
            and self.hi - self.lo <= 100
        )


def levers() -> list[Lever]:
    """Every policy instrument of the schema (``policy.*`` flags and numbers)."""
    out = []
    for key, f in schema.schema_fields():
        if not key.startswith("policy.") or key == "policy.name":
            continue
        m = f.metadata
        kind = bool if isinstance(f.default, bool) else float
        out.append(Lever(key, kind, m["unit"], m["doc"], m["lo"], m["hi"]))
    return out


def choices(group: str) -> list[str]:
    """Names of the config files of a group (``scenario``, ``geography``) that a view can pick."""
    names = sorted(p.stem for p in (Path(CONFIG_DIR) / group).glob("*.yaml"))
    if (
        group == "geography"
    ):  # the map needs real county seats; a synthetic one has invented coordinates
        names = [n for n in names if compose({"geography": n}).geography.kind == "file"]
    return names


@dataclass(frozen=True)
class View:
    """Geography, scenario, seeds and the levers moved away from the scenario's values."""

    geography: str = "shanghai_yunnan"
    scenario: str = "enclave"
    seed: int = 0
    replications: int = 3
    levers: tuple[tuple[str, float | bool], ...] = ()  # (dotted key, value), only the moved ones

    def with_lever(self, key: str, value) -> View:
        """This view with one lever set (dropped again when it equals the scenario's value)."""
        moved = dict(self.levers)
        if value == scenario_values(self.geography, self.scenario)[key]:
            moved.pop(key, None)
        else:
            moved[key] = value
        return dataclasses.replace(self, levers=tuple(sorted(moved.items())))

    def overrides(self, scenario: str | None = None) -> list[str]:
        """Hydra overrides of this view's run (or of its baseline run with
        ``scenario='baseline'``)."""
        base = [
            f"geography={self.geography}",
            f"scenario={scenario or self.scenario}",
            f"run.seed={self.seed}",
            f"run.replications={self.replications}",
        ]
        if scenario == BASELINE:
            return base  # the baseline: the same world and seeds, no programme, no lever moved
        return base + [f"{k}={format_value(v)}" for k, v in self.levers]


def scenario_values(geography: str, scenario: str) -> dict[str, float | bool]:
    """Each lever's value in a scenario (what the sliders start from)."""
    cfg = compose({"geography": geography, "scenario": scenario})
    return {lv.key: schema._get(cfg, lv.key) for lv in levers()}


@dataclass
class Comparison:
    """A view's runs and its baseline's, seed by seed (the same seeds on both sides)."""

    view: View
    seeds: list[int]
    paths: pd.DataFrame  # step, year, seed, run ('scenario'/'baseline'), PATH_METRICS
    # western counties: code, name, prefecture, province, lon, lat, population, gain per MAP_METRICS
    counties: pd.DataFrame
    final: dict[str, dict[str, float]] = field(
        default_factory=dict
    )  # run -> metric -> mean over seeds
    # gain by county group with its interval over the seeds
    # (:func:`sim.analysis.county_groups.group_gains`), and the counties that lose income per
    # capita (:func:`sim.analysis.county_groups.losing_counties`)
    groups: pd.DataFrame = field(default_factory=pd.DataFrame)
    losing: pd.DataFrame = field(default_factory=pd.DataFrame)


def run_view(view: View, progress=None) -> Comparison:
    """Run the view and its baseline for every replication seed, as the CLI would.

    ``progress(done, total)`` is called after each model run. Bad values raise
    :class:`sim.params.schema.ConfigError` naming the key.
    """
    from sim.runs.runner import replication_seeds, run_seeds

    sides = {"scenario": compose(view.overrides()), "baseline": compose(view.overrides(BASELINE))}
    seeds = replication_seeds(view.seed, view.replications)
    paths, finals, regions = [], {}, {}
    total, done = len(seeds) * len(sides), 0
    for run, cfg in sides.items():
        for seed, model in run_seeds(cfg, seeds):
            ts = model.timeseries()[["step", "year", *PATH_METRICS]]
            paths.append(ts.assign(seed=seed, run=run))
            finals.setdefault(run, []).append(model.summary())
            regions.setdefault(run, []).append(_final_west(model).assign(seed=seed))
            done += 1
            if progress:
                progress(done, total)
    per_seed = pd.concat(
        [pd.concat(frames).assign(run=run) for run, frames in regions.items()], ignore_index=True
    )
    counties = _county_gain(per_seed)
    final = {run: pd.DataFrame(rows).mean().to_dict() for run, rows in finals.items()}
    groups, losing = _for_whom(per_seed)
    return Comparison(
        view, seeds, pd.concat(paths, ignore_index=True), counties, final, groups, losing
    )


def _for_whom(per_seed: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Gains by county group and the counties that lose, seed by seed against the baseline (the
    report's analysis, :mod:`sim.analysis.county_groups`)."""
    from sim.analysis import county_groups

    groups = county_groups.group_gains(per_seed, by="run", baseline=BASELINE)
    table = county_groups.county_gains(per_seed, by="run", baseline=BASELINE)
    return groups, county_groups.losing_counties(table, by="run")


def _final_west(model) -> pd.DataFrame:
    """Final-step outcomes of the western counties (from regions.parquet's rows), with their
    seats."""
    geo = model.geo
    regions = model.regions()
    last = regions[regions["step"] == model.t].reset_index(
        drop=True
    )  # one row per county, in geo order
    west = np.flatnonzero(geo.is_west)
    df = pd.DataFrame(
        {
            "code": last.loc[west, "code"]
            .astype(str)
            .to_numpy(),  # keys the shipped county outlines
            "county": geo.county_name[west].astype(str),
            "prefecture": geo.county_prefecture[west].astype(str),
            "province": geo.county_province[west].astype(str),
            "lon": geo.lon[west],
            "lat": geo.lat[west],
            "population": geo.population[west],
        }
    )
    kept = [*MAP_METRICS, *(c for c in FOR_WHOM if c not in MAP_METRICS)]
    return pd.concat([df, last.loc[west, kept].reset_index(drop=True)], axis=1)


def _county_gain(regions: pd.DataFrame) -> pd.DataFrame:
    """Per county, the mean over seeds of the gain over the baseline run with the same seed
    (:func:`sim.analysis.paired.paired_gain`) in each map metric."""
    from sim.analysis.paired import paired_gain

    places = ["code", "county", "prefecture", "province", "lon", "lat", "population"]
    gains = paired_gain(
        regions, list(MAP_METRICS), on=["seed", "county"], by="run", baseline=BASELINE
    )
    gains = gains[gains["run"] == "scenario"]
    mean = gains.groupby("county", sort=False)[list(MAP_METRICS)].mean()
    first = regions[regions["run"] == "scenario"].drop_duplicates("county")[places]
    return first.join(mean, on="county").reset_index(drop=True)


def export_yaml(view: View) -> str:
    """The overrides that reproduce the view, with the two commands, as a YAML document."""
    import yaml

    doc = {
        "geography": view.geography,
        "scenario": view.scenario,
        "run.seed": view.seed,
        "run.replications": view.replications,
        "levers": {k: v for k, v in view.levers},
        "overrides": view.overrides(),
        "baseline_overrides": view.overrides(BASELINE),
        "commands": cli_commands(view),
    }
    head = (
        "# The dashboard view as overrides of `python -m sim.run` (each command writes one run\n"
        "# directory whose timeseries.parquet holds the view's seeds). Add `-m` and a launcher\n"
        "# (hydra/launcher=submitit_slurm) to send it to a cluster.\n"
    )
    return head + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def interpreter() -> str:
    """The Python running the dashboard, as a shell word: ``.venv/bin/python`` when it lives under
    the current folder (``make dashboard``), else its full path; so the command works
    unactivated."""
    exe = Path(sys.executable)  # not resolved: a venv's python is a link that must stay a link
    try:
        return _shell_word(str(exe.relative_to(Path.cwd())))
    except ValueError:
        return _shell_word(str(exe))


def cli_commands(view: View) -> list[str]:
    """Shell commands that compute the view and its baseline from the CLI."""
    return [
        " ".join([interpreter(), "-m sim.run", *map(_shell_word, ov)])
        for ov in (view.overrides(), view.overrides(BASELINE))
    ]


def _shell_word(word: str) -> str:
    import shlex

    return shlex.quote(word)


# the policy search's table (docs/policy_search.md), where `make search` writes it
SEARCH_TABLE = Path("results/sweeps/policy_search/policy_search.csv")
SEARCH_COST = "public_cost_max [yuan/year]"


def search_front(path: Path | str = SEARCH_TABLE) -> pd.DataFrame | None:
    """The mixes on the policy search's front of its first objective against public cost,
    cheapest first (None without a search table)."""
    try:
        table = pd.read_csv(path)
    except (OSError, ValueError):
        return None
    if "on_front" not in table:
        return None
    front = table[(table["kind"] == "search") & (table["on_front"] == True)]  # noqa: E712
    return front.sort_values(SEARCH_COST).reset_index(drop=True) if len(front) else None


def search_objective(front: pd.DataFrame) -> str:
    """The front's objective column (the first objective of the search: ``name [unit]``)."""
    return next(c for c in front.columns if "[" in c and not c.startswith(("east_", "west_c")))


def mix_label(row) -> str:
    objective = search_objective(row.to_frame().T)
    return (
        f"mix {int(row['candidate'])}: {objective.split(' [')[0]} {row[objective]:,.0f}, "
        f"public cost {row[SEARCH_COST] / 1e8:,.1f} × 100 m yuan/year"
    )


def mix_view(row, view: View) -> View:
    """``view`` with a mix of the search loaded: its geography and scenario (from the row's
    overrides; the scenario the search ran on otherwise) and every lever it sets."""
    given = dict(o.split("=", 1) for o in str(row["overrides"]).split() if "=" in o)
    geography = given.get("geography", "shanghai_yunnan")
    scenario = given.get("scenario", "full")  # experiment policy_search searches on `full`
    out = dataclasses.replace(view, geography=geography, scenario=scenario, levers=())
    for key in row.index:
        if key.startswith("policy.") and pd.notna(row[key]):
            out = out.with_lever(key, float(row[key]))
    return out
