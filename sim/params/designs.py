"""Parameter uncertainty: prior ranges, parameter draws and sensitivity designs (SALib).

One design row = one sweep job. A sweep over ``sensitivity.sample=range(N)`` runs
the N rows of a deterministic design (``sensitivity.method``: ``draws``, ``morris``
or ``sobol``); each job rebuilds the design (cheap, seeded by ``sensitivity.seed``)
and :func:`sim.params.point.resolve` writes row k's values into its config, then validates.
So joblib, Slurm, resume and the progress bar come from the sweep machinery.

Where the values come from (the seam with the calibration):

* :func:`prior_ranges` reads each ``illustrative`` or ``calibrated`` float parameter's
  range from the schema (the documented "range a–b" in its source text, otherwise
  ±50 % of its default within the schema bounds);
* :func:`parameter_draws` returns a calibration's draws when its draws file exists
  (``sim/world/<calibration>/draws.yaml``; a job uses the calibration it selects,
  ``run.calibration``), otherwise a Latin hypercube over the prior ranges;
* a parameter with a declared prior in the schema (``param(prior=...)``, e.g.
  ``policy.pairing.governance_gain``: triangular) is drawn from it: through its inverse CDF in
  the Latin hypercube, and alongside a calibration's draws (draw k takes the k-th point of a
  van der Corput sequence through the inverse CDF), so uncertainty analysis carries it even
  where the calibration does not fit it.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np

from sim.params import schema
from sim.params.draws import draws_file
from sim.params.files import read_yaml, stamp

MARKS = ("illustrative", "calibrated")  # parameters whose values are uncertain
PRIOR_SPREAD = 0.5  # ± share of the default when the schema documents no range
MORRIS_LEVELS = 4
_NUMBER = r"(-?\d+(?:\.\d*)?(?:e[-+]?\d+)?)"
_RANGE = re.compile(rf"range\s+{_NUMBER}\s*[–-]\s*{_NUMBER}", re.IGNORECASE)


def documented_range(source: str) -> tuple[float, float] | None:
    """``(a, b)`` from "range a–b" in a schema source text, if there is one."""
    m = _RANGE.search(source or "")
    return (float(m.group(1)), float(m.group(2))) if m else None


@functools.cache
def prior_ranges() -> dict[str, tuple[float, float]]:
    """{dotted key: (low, high)} of every uncertain float parameter with a non-empty range.

    Uncertain: its schema source says illustrative or calibrated. The range is the one
    documented in the source, else the default ±50 %, always within the schema bounds.
    Integer, flag and choice parameters are left out (their defaults are kept).
    """
    ranges = {}
    for key, f in schema.schema_fields():
        meta = f.metadata
        optional = f.type in ("float | None", float | None)
        if f.type not in (float, "float") and not optional:
            continue
        if not any(w in meta["source"].lower() for w in MARKS):
            continue
        declared = meta.get("prior")
        documented = (declared[1], declared[-1]) if declared else documented_range(meta["source"])
        if documented is None and (optional or f.default is None):
            continue  # a None default (taken from the data) has no spread to take
        lo, hi = documented or (
            f.default * (1 - PRIOR_SPREAD),
            f.default * (1 + PRIOR_SPREAD),
        )
        lo = max(lo, meta["lo"]) if meta["lo"] is not None else lo
        hi = min(hi, meta["hi"]) if meta["hi"] is not None else hi
        if hi > lo:
            ranges[key] = (float(lo), float(hi))
    return _within_joint_limits(ranges)


# Parameters that share one budget (schema.validate checks their sum): the first gives way.
JOINT_LIMITS = {
    ("economy.budget_infrastructure", "economy.budget_workshops", "economy.budget_training"): 1.0
}


def _within_joint_limits(ranges: dict) -> dict:
    for keys, limit in JOINT_LIMITS.items():
        if all(k in ranges for k in keys) and sum(ranges[k][1] for k in keys) > limit:
            first, rest = keys[0], sum(ranges[k][1] for k in keys[1:])
            ranges[first] = (ranges[first][0], limit - rest)
    return ranges


@functools.cache
def declared_priors() -> dict[str, tuple]:
    """{dotted key: prior} of the parameters whose schema declares a prior (not uniform)."""
    return {k: f.metadata["prior"] for k, f in schema.schema_fields() if f.metadata.get("prior")}


def prior_quantile(prior: tuple, u):
    """The value at probability ``u`` (0–1) of a declared prior (its inverse CDF)."""
    from scipy import stats

    kind, *args = prior
    if kind == "triangular":
        lo, mode, hi = args
        return stats.triang.ppf(u, (mode - lo) / (hi - lo), loc=lo, scale=hi - lo)
    raise ValueError(f"unknown prior {prior!r}")


def van_der_corput(k: int) -> float:
    """Point k (k >= 0) of the base-2 van der Corput sequence, in (0, 1): evenly spread, and the
    same for draw k however many draws a job asks for."""
    k, u, base = k + 1, 0.0, 0.5
    while k:
        u += base * (k & 1)
        k >>= 1
        base /= 2
    return u


def _with_declared_priors(rows: list[dict]) -> list[dict]:
    """Calibration draws with each declared-prior parameter it does not fit added (draw k: the
    k-th van der Corput point through the prior's inverse CDF)."""
    extra = {k: p for k, p in declared_priors().items() if rows and k not in rows[0]}
    return [
        {**row, **{k: float(prior_quantile(p, van_der_corput(i))) for k, p in extra.items()}}
        for i, row in enumerate(rows)
    ]


def problem(keys: list[str] | None = None) -> dict:
    """SALib's problem dict over ``keys`` (default: all of :func:`prior_ranges`)."""
    ranges = prior_ranges()
    keys = list(keys) if keys else list(ranges)
    unknown = [k for k in keys if k not in ranges]
    if unknown:
        raise schema.ConfigError(
            f"Invalid configuration:\n  sensitivity.parameters: {', '.join(unknown)} "
            "not uncertain parameters (see `python -m sim.params.designs --list`)."
        )
    return {"num_vars": len(keys), "names": keys, "bounds": [list(ranges[k]) for k in keys]}


def calibration_draws_file(geography: str) -> Path | None:
    """The calibration's parameter draws of ``geography`` (written by ``make calibrate``), if
    any."""
    if not geography or geography == "none":
        return None
    path = draws_file(geography)
    return path if path.is_file() else None


def _calibration_table(path: Path):
    """The calibration's draws as a table: one row per draw, one column per dotted key (+
    ``weight``)."""
    import pandas as pd

    draws = (read_yaml(path) or {}).get("draws") or []
    values = _with_declared_priors([d["values"] for d in draws])
    return pd.DataFrame(
        [
            {**v, **({"weight": d["weight"]} if "weight" in d else {})}
            for v, d in zip(values, draws, strict=True)
        ]
    )


def parameter_draws(geography: str, n: int, seed: int = 0) -> list[dict]:
    """``n`` parameter sets {dotted key: value} describing what is uncertain about ``geography``.

    The calibration's draws when its file exists (rows in order, resampled
    systematically by a ``weight`` column if there is one); otherwise a Latin
    hypercube over :func:`prior_ranges`. Deterministic in (geography, n, seed).
    """
    path = calibration_draws_file(geography)
    if path is not None:
        return _calibration_rows(path, n)
    from scipy.stats import qmc

    prob = problem()
    unit = qmc.LatinHypercube(d=prob["num_vars"], seed=np.random.default_rng(seed)).random(n)
    lows, highs = np.array(prob["bounds"]).T
    values = lows + unit * (highs - lows)
    for j, key in enumerate(prob["names"]):  # a declared prior: through its inverse CDF
        if key in declared_priors():
            values[:, j] = prior_quantile(declared_priors()[key], unit[:, j])
    return [dict(zip(prob["names"], map(float, v), strict=True)) for v in values]


def _calibration_rows(path: Path, n: int) -> list[dict]:
    """``n`` of the calibration's draws: in order when there are enough equally weighted ones,
    otherwise resampled systematically by weight (equal weights if none are given)."""
    draws = _calibration_table(path)
    weighted = "weight" in draws
    w = draws.pop("weight").to_numpy(float) if weighted else np.ones(len(draws))
    if weighted or len(draws) < n:
        cum = np.cumsum(w / w.sum())
        draws = draws.iloc[
            np.minimum(np.searchsorted(cum, (np.arange(n) + 0.5) / n), len(draws) - 1)
        ]
    return [{k: float(v) for k, v in row.items()} for row in draws.head(n).to_dict("records")]


def design(
    method: str, n: int, seed: int, keys: tuple[str, ...] = (), geography: str = ""
) -> np.ndarray:
    """The rows (one per job) of a design: ``morris`` trajectories, ``sobol`` (Saltelli) or
    ``draws`` (``geography``: the calibration whose draws they are; cached until the file
    changes)."""
    path = draws_file(geography) if method == "draws" and geography else None
    return _design(method, n, seed, tuple(keys), geography, stamp(path) if path else None)


@functools.lru_cache(maxsize=8)
def _design(
    method: str, n: int, seed: int, keys: tuple[str, ...], geography: str, _stamp
) -> np.ndarray:
    if method == "draws":
        rows = parameter_draws(geography, n, seed)
        return np.array([list(r.values()) for r in rows])
    prob = problem(list(keys))
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(prob, N=n, num_levels=MORRIS_LEVELS, seed=seed)
    if method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(prob, N=n, calc_second_order=False, seed=seed)
    raise schema.ConfigError(
        f"Invalid configuration:\n  sensitivity.method = {method!r} has no design."
    )


def design_keys(method: str, keys, geography: str) -> list[str]:
    """The parameter names of a design's columns."""
    if method == "draws" and geography:
        path = calibration_draws_file(geography)
        if path is not None:
            return [c for c in _calibration_table(path).columns if c != "weight"]
        return problem()["names"]
    return problem(list(keys))["names"]


def n_rows(s) -> int:
    """Rows of the design a ``sensitivity`` config section describes (= jobs per scenario)."""
    keys = tuple(s["parameters"] or ())
    if s["method"] == "draws":
        return int(s["n"])
    k = len(keys) if keys else len(prior_ranges())
    return int(s["n"]) * (k + 1 if s["method"] == "morris" else k + 2)


# Every job builds its design (seeded, so all see the same rows): measured with 101 parameters on
# 2 busy cores, ~0.3 ms a row for morris and ~0.07 ms for sobol. Past this many rows a design
# takes minutes and gigabytes in every job, and its sweep could never finish.
MAX_DESIGN_ROWS = 200_000
SECONDS_PER_ROW = {"morris": 3e-4, "sobol": 7e-5, "draws": 1e-5}


def check_design_size(s) -> None:
    """Refuse a design too large to build in every job (its rows, memory and time estimated)."""
    if s["method"] == "none":
        return
    rows = n_rows(s)
    if rows <= MAX_DESIGN_ROWS:
        return
    k = len(s["parameters"] or ()) or len(prior_ranges())
    raise schema.ConfigError(
        f"Invalid configuration:\n  sensitivity.n = {s['n']}: the {s['method']} design would "
        f"have {rows:,} rows "
        f"(one job each), about {rows * k * 8 / 1e9:.1f} GB and "
        f"{rows * SECONDS_PER_ROW[s['method']] / 60:,.0f} "
        f"minutes to build in every job; at most {MAX_DESIGN_ROWS:,} rows. Use a smaller "
        "sensitivity.n. "
        "Nothing was run."
    )


def sample_values(s, geography: str, calibration: str | None = None) -> dict[str, float]:
    """{dotted key: value} of row ``s.sample`` of the design ``s`` describes ({} for none or -1).

    A ``draws`` design's rows are the draws of ``calibration`` (default: the one named like
    ``geography``) when its draws file exists, else a Latin hypercube over the prior ranges.
    When ``n`` equally weighted calibration draws are there, row k is draw k, for every draw
    in the file (``n`` only says how many a sweep takes); with fewer draws, or weighted ones,
    the rows are ``n`` draws resampled systematically. ``run.draw=k`` is this design's row k
    (:mod:`sim.params.point`).
    """
    if s["method"] == "none" or s["sample"] < 0:
        return {}
    check_design_size(s)
    keys = tuple(s["parameters"] or ())
    draws = s["method"] == "draws"
    source = (calibration if calibration is not None else geography) if draws else ""
    k = int(s["sample"])
    if source and source != "none":
        table = _equal_draws(source)
        if table is not None and int(s["n"]) <= len(table) and k < len(table):
            return {key: float(v) for key, v in table[k].items()}
    source = "" if source == "none" else source
    rows = design(s["method"], int(s["n"]), int(s["seed"]), keys, source)
    if k >= len(rows):
        raise schema.ConfigError(
            f"Invalid configuration:\n  sensitivity.sample = {k} is out of "
            f"range: the {s['method']} design has {len(rows)} rows "
            f"(0..{len(rows) - 1})."
        )
    names = design_keys(s["method"], keys, source)
    return dict(zip(names, map(float, rows[k]), strict=True))


def _equal_draws(calibration: str) -> list[dict] | None:
    """The calibration's draws in order, if its file exists and gives them no weights."""
    path = calibration_draws_file(calibration)
    if path is None:
        return None
    draws = (read_yaml(path) or {}).get("draws") or []
    if any("weight" in d for d in draws):
        return None
    return _with_declared_priors([d["values"] for d in draws])


def main(argv: list[str] | None = None) -> int:
    """``python -m sim.params.designs --list``: the uncertain parameters and their ranges."""
    for key, (lo, hi) in prior_ranges().items():
        print(f"{key:<45} {lo:>12g} {hi:>12g}")
    print(f"{len(prior_ranges())} parameters", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
