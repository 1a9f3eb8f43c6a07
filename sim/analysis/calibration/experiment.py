"""A calibration's inputs, checked before any simulation: targets, the experiment, priors.

* Targets: ``sim/world/<geography>/targets.yaml`` (figure, source, vintage, role, measure).
* The experiment: ``sim/world/<geography>/calibration.yaml`` (fitted parameters with
  priors, fitted targets, seeds, budgets).

:func:`check_inputs` turns every problem with them into one :class:`ConfigError`
paragraph naming the file and the entry, so the command fails in a second, not after
an hour of fitting or with a traceback.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import math
from pathlib import Path

from sim.analysis.calibration.measures import (
    MEASURES,
    PERIOD_MEASURES,
    distance,
    is_measure,
    needs_counterfactual,
    period_year,
    simulate_measures,
    with_values,
)
from sim.params.draws import load_spec
from sim.params.files import read_yaml
from sim.params.schema import ConfigError, schema_fields
from sim.world.geography import world_file

SPEC_KEYS = (
    "geography",
    "overrides",
    "seeds",
    "targets",
    "parameters",
    "budgets",
    "draws",
    "workers_per_workshop",
)
BUDGET_KEYS = ("population", "generations", "max_simulations")
VALIDATION_RUNS = {  # out of sample: (scenario, years) matching each geography's reported period
    "fujian_ningxia": {"scenario": "enclave", "run.years": 5},
    "northeast": {"scenario": "pairing", "run.years": 2},
}


def load_targets(geography: str) -> dict:
    """Reported figures of a geography: id -> {value, unit, measure, role, source, vintage, why}."""
    path = world_file(geography, "targets.yaml")
    doc = read_yaml(path) if path.is_file() else {}
    if not isinstance(doc, dict):
        raise ConfigError(
            f"sim/world/{geography}/targets.yaml: expected a mapping of target ids, "
            f"found {type(doc).__name__}."
        )
    return doc


def _number(value) -> float | None:
    """``value`` as a finite float, or None. A string that is a number counts (YAML 1.1 reads
    ``16.758e9`` as text); one with a unit in it (``408 firms``) does not."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


ROLES = ("fit", "validate", "input", "not_comparable")


def target_problems(geography: str, targets: dict) -> list[str]:
    """Targets that do not say where they come from, or the model cannot be compared with:
    no source, vintage or why; value not a positive number; unknown measure; a bad bound or
    prior."""
    problems = []
    for tid, t in targets.items():
        where = f"sim/world/{geography}/targets.yaml: {tid}"
        if not isinstance(t, dict):
            problems.append(f"{where}: expected a mapping (value, measure, role, ...).")
            continue
        missing = [k for k in ("source", "vintage", "why") if not str(t.get(k) or "").strip()]
        if missing:
            problems.append(
                f"{where}: no {', '.join(missing)}: every figure names where it was published "
                "(or says it is an illustrative prior), when, and why it is here."
            )
        if t.get("role") not in ROLES:
            problems.append(f"{where}: role = {t.get('role')!r} must be one of {', '.join(ROLES)}.")
        if not t.get("measure") or t.get("role") not in ("fit", "validate"):
            continue  # an input or a figure the model cannot produce: not compared
        problems += _bound_and_prior_problems(where, t)
        value = _number(t.get("value"))
        if value is None or value <= 0:
            problems.append(
                f"{where}: value = {t.get('value')!r} must be a positive number (the figure alone, "
                "its unit in 'unit:'); distances are log ratios."
            )
        measure = str(t["measure"])
        if not is_measure(measure):
            problems.append(
                f"{where}: measure = {measure!r} is not a model measure "
                f"(known: {', '.join(MEASURES)}, firms_in_county:<county>; by period, as in "
                f"firms_landed:2023 or firms_landed:2024H1: {', '.join(PERIOD_MEASURES)}; "
                "landed_anyway_share:<year>)."
            )
    return problems


def _bound_and_prior_problems(where: str, t: dict) -> list[str]:
    problems = []
    if t.get("bound") not in (None, "upper", "lower"):
        problems.append(f"{where}: bound = {t['bound']!r} must be upper or lower.")
    prior = t.get("prior")
    if prior is not None:
        lo, hi = (
            (_number(prior.get(k)) for k in ("lo", "hi"))
            if isinstance(prior, dict)
            else (
                None,
                None,
            )
        )
        if (
            not isinstance(prior, dict)
            or prior.get("dist") != "uniform"
            or lo is None
            or hi is None
            or not lo < hi
        ):
            problems.append(
                f"{where}: prior = {prior!r} must be {{dist: uniform, lo: L, hi: H}} with L < H."
            )
        if t.get("role") != "validate":
            problems.append(
                f"{where}: a stated prior is reported against, never fitted: role validate."
            )
    return problems


def spec_problems(spec, targets: dict, geography: str) -> list[str]:
    """Problems of the experiment file: missing keys, unknown targets, priors outside the schema."""
    where = f"sim/world/{geography}/calibration.yaml"
    if not isinstance(spec, dict):
        return [f"{where}: expected a mapping, found {type(spec).__name__}."]
    missing = [k for k in SPEC_KEYS if k not in spec]
    if missing:
        return [f"{where}: missing {', '.join(missing)}."]
    problems = []
    for tid in spec["targets"] or []:
        if tid not in targets:
            problems.append(
                f"{where}: target '{tid}' is not in sim/world/{geography}/targets.yaml "
                f"(its ids: {', '.join(targets) or 'none'}); renamed?"
            )
        elif targets[tid].get("role") != "fit":
            problems.append(
                f"{where}: target '{tid}' has role {targets[tid].get('role')!r} in targets.yaml, "
                "not fit."
            )
        elif needs_counterfactual(str(targets[tid].get("measure"))):
            problems.append(
                f"{where}: target '{tid}' needs a run without the pairing; it is reported in the "
                "fit table, not fitted."
            )
    if not spec["targets"]:
        problems.append(f"{where}: targets: name at least one fitted target.")
    problems += _horizon_problems(where, spec, targets, geography)
    fields = dict(schema_fields())
    params = spec["parameters"] if isinstance(spec["parameters"], dict) else {}
    if not params:
        problems.append(f"{where}: parameters: name at least one fitted parameter with its prior.")
    for key, p in params.items():
        problems += _prior_problems(where, key, p, fields)
    budgets = spec["budgets"] if isinstance(spec["budgets"], dict) else {}
    for name, plan in budgets.items():
        if not isinstance(plan, dict) or any(
            not isinstance(plan.get(k), int) or isinstance(plan.get(k), bool) or plan.get(k) < 1
            for k in BUDGET_KEYS
        ):
            problems.append(
                f"{where}: budgets.{name} needs whole numbers >= 1 for {', '.join(BUDGET_KEYS)}."
            )
    if (
        not isinstance(spec["seeds"], list)
        or not spec["seeds"]
        or not all(isinstance(s, int) for s in spec["seeds"])
    ):
        problems.append(f"{where}: seeds must be a list of whole numbers.")
    if not isinstance(spec["draws"], int) or isinstance(spec["draws"], bool) or spec["draws"] < 1:
        problems.append(f"{where}: draws = {spec['draws']!r} must be a whole number >= 1.")
    wpw = _number(spec["workers_per_workshop"])
    if wpw is None or wpw <= 0:
        problems.append(
            f"{where}: workers_per_workshop = {spec['workers_per_workshop']!r} must be a positive "
            "number."
        )
    return problems


def _horizon_problems(where: str, spec: dict, targets: dict, geography: str) -> list[str]:
    """Every compared period lies inside the calibration's run (start year + run.years)."""
    overrides = spec["overrides"] if isinstance(spec["overrides"], dict) else {}
    fields = dict(schema_fields())
    start = int(overrides.get("run.start_year", fields["run.start_year"].default))
    years = overrides.get("run.years", fields["run.years"].default)
    last = start + int(years) - 1 if isinstance(years, int) else None
    problems = []
    for tid, t in targets.items():
        if not isinstance(t, dict) or t.get("role") not in ("fit", "validate"):
            continue
        year = period_year(str(t.get("measure")))
        if year is not None and last is not None and not start <= year <= last:
            problems.append(
                f"{where}: overrides run {start}-{last} (run.years = {years}); target '{tid}' of "
                f"sim/world/{geography}/targets.yaml is read in {year}."
            )
    return problems


def _prior_problems(where: str, key: str, p, fields: dict) -> list[str]:
    if key not in fields:
        return [f"{where}: parameters.{key} is not a configuration key (docs/ODD.md lists them)."]
    if not isinstance(p, dict):
        return [f"{where}: parameters.{key}: expected prior, scale and why."]
    prior = p.get("prior")
    lo, hi = prior if isinstance(prior, list) and len(prior) == 2 else (None, None)
    lo, hi = _number(lo), _number(hi)
    if lo is None or hi is None or not lo < hi:
        return [
            f"{where}: parameters.{key}.prior = {prior!r} must be [low, high] with numbers low < "
            "high."
        ]
    problems = []
    scale = p.get("scale")
    if scale not in ("log", "linear"):
        problems.append(f"{where}: parameters.{key}.scale = {scale!r} must be log or linear.")
    elif scale == "log" and lo <= 0:
        problems.append(
            f"{where}: parameters.{key}.prior = {prior!r}: a log-scale prior needs low > 0."
        )
    meta = fields[key].metadata
    if (meta["lo"] is not None and lo < meta["lo"]) or (meta["hi"] is not None and hi > meta["hi"]):
        problems.append(
            f"{where}: parameters.{key}.prior = {prior!r} leaves the key's allowed range "
            f"[{meta['lo']}, {meta['hi']}]."
        )
    return problems


def check_inputs(geography: str, budget: str | None = None) -> dict:
    """The experiment of ``geography``, every input checked; one ConfigError lists all problems."""
    spec = load_spec(geography)
    targets = load_targets(geography)
    problems = spec_problems(spec, targets, geography)
    problems += target_problems(geography, targets)
    for geo in VALIDATION_RUNS:
        problems += target_problems(geo, load_targets(geo))
    if not problems and budget is not None and budget not in spec["budgets"]:
        problems.append(
            f"unknown budget '{budget}'; sim/world/{geography}/calibration.yaml declares: "
            f"{', '.join(spec['budgets'])}."
        )
    if len(problems) == 1:
        raise ConfigError(f"{problems[0]} Nothing was run.")
    if problems:
        raise ConfigError(
            "the calibration's inputs have problems:\n  "
            + "\n  ".join(problems[:20])
            + (f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else "")
            + "\nNothing was run."
        )
    return spec


class Experiment:
    """One calibration: the base config, priors in fit space, fitted targets, seeds."""

    def __init__(self, geography: str):
        from sim.params.compose import compose

        self.geography = geography
        self.spec = check_inputs(geography)
        targets = load_targets(geography)
        self.targets = {t: targets[t] for t in self.spec["targets"]}
        self.observed = {
            targets[t]["measure"]: float(targets[t]["value"]) for t in self.spec["targets"]
        }
        self.params = self.spec["parameters"]
        self.base = compose(
            {"geography": geography, "calibration": "none", **self.spec["overrides"]}
        )
        # the same run without the pairing: the baseline counterfactual of the fit table
        self.without_pairing = compose(
            {
                "geography": geography,
                "calibration": "none",
                **self.spec["overrides"],
                "scenario": "baseline",
            }
        )

    # fit space: log10 for scale: log, so a uniform prior there is log-uniform
    def to_model(self, point: dict) -> dict:
        return {
            k: 10 ** point[name(k)] if p["scale"] == "log" else point[name(k)]
            for k, p in self.params.items()
        }

    def bounds(self, key: str) -> tuple[float, float]:
        lo, hi = self.params[key]["prior"]
        return (math.log10(lo), math.log10(hi)) if self.params[key]["scale"] == "log" else (lo, hi)

    def run_point(self, values: dict, seeds=None, base=None, counterfactual=False) -> dict:
        """Measures at ``values`` (mean over seeds); ``counterfactual``: with the same runs
        without the pairing (``landed_anyway_share:<year>``)."""
        cfg = with_values(self.base if base is None else base, values)
        return simulate_measures(
            cfg,
            self.spec["seeds"] if seeds is None else seeds,
            self.spec["workers_per_workshop"],
            counterfactual=with_values(self.without_pairing, values) if counterfactual else None,
        )

    def __call__(self, point: dict) -> dict:  # pyabc's model: parameters -> summary statistics
        sim = self.run_point(self.to_model(point))
        return {k: sim[k] for k in self.observed}

    def digest(self) -> str:
        """Changes with the experiment or the model's code: another's checkpoint is not resumed."""
        from sim.analysis.calibration import measures

        h = hashlib.sha256(
            json.dumps([self.spec, self.targets], sort_keys=True, default=str).encode()
        )
        # what a simulation's statistics depend on here (reporting code may change freely) ...
        h.update(inspect.getsource(measures).encode())
        for fn in (Experiment.run_point, Experiment.to_model, Experiment.__call__, distance):
            h.update(inspect.getsource(fn).encode())
        root = Path(__file__).resolve().parents[2]  # sim/
        here = Path(__file__).resolve().parent
        for p in sorted(
            root.rglob("*")
        ):  # ... and the model's code and data, not this package or its results
            if (
                p.suffix in (".py", ".yaml")
                and "__pycache__" not in p.parts
                and here not in p.parents
                and p.name not in ("draws.yaml", "point.yaml")
                and "dashboard" not in p.parts
            ):
                h.update(str(p.relative_to(root)).encode() + p.read_bytes())
        return h.hexdigest()[:16]


def name(key: str) -> str:
    return key.replace(".", "__")  # pyabc parameter names
