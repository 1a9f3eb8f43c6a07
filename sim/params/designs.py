"""Parameter uncertainty: which parameters a design varies, parameter draws and sensitivity
designs (SALib).

One design row = one sweep job. A sweep over ``sensitivity.sample=range(N)`` runs
the N rows of a deterministic design (``sensitivity.method``: ``draws``, ``morris``
or ``sobol``); each job rebuilds the design (cheap, seeded by ``sensitivity.seed``)
and :func:`sim.params.point.resolve` writes row k's values into its config, then validates.
So joblib, Slurm, resume and the progress bar come from the sweep machinery.

Where the values come from (the seam with the calibration):

* :func:`design_priors` reads each parameter's ``role`` and ``prior`` from the schema
  (:mod:`sim.params.schema`): a design varies the ``uncertain`` and ``calibrated`` float
  parameters, each from its structured prior; ``lever`` parameters only when a user asks
  (``sensitivity.levers=true``), over their declared ranges. Nothing is read from the
  free-text ``source``.
* every design is drawn on the unit hypercube and mapped column by column through the prior's
  inverse CDF (:meth:`sim.params.schema.Prior.quantile`): Morris and Sobol (SALib) screen each
  parameter on its prior's probability scale, the Latin hypercube draws from the priors;
* :func:`parameter_draws` returns a calibration's draws when its draws file exists
  (``sim/world/<calibration>/draws.yaml``; a job uses the calibration it selects,
  ``run.calibration``), otherwise the Latin hypercube;
* a calibration's draws carry the uncertain parameters that matter too (:func:`drawn_uncertain`):
  those a Morris screening on the calibrated defaults found influential
  (``sim/world/<calibration>/influential.yaml``, written by ``make screen``), and always those of
  :data:`WITH_CALIBRATION_DRAWS` (``policy.pairing.governance_gain``). Draw k takes point k of
  a scrambled Halton sequence (one independent dimension per parameter, seeded by
  ``sensitivity.seed``) through each prior's inverse CDF: the same for draw k however many
  draws a job asks for.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from sim.params import schema
from sim.params.draws import draws_file, influential_file
from sim.params.files import read_yaml, stamp

VARIED = (schema.UNCERTAIN, schema.CALIBRATED)  # the roles a design varies unless asked for more
MORRIS_LEVELS = 4
# Uncertain parameters a calibration's draws always carry (from their priors), whatever the
# screening finds: the governance channel is the assumption pairing's case rests on.
WITH_CALIBRATION_DRAWS = ("policy.pairing.governance_gain",)


def _is_float(f) -> bool:
    return f.type in (float, "float", "float | None", float | None)


@functools.cache
def design_priors(levers: bool = False) -> dict[str, schema.Prior]:
    """{dotted key: prior} of every parameter a design varies: the ``uncertain`` and
    ``calibrated`` float parameters, and with ``levers`` the float ``lever`` ones too.

    Integer, flag and choice parameters keep their values (a calibration's draws may set an
    integer it fits, such as ``geography.n_firms``).
    """
    roles = VARIED + ((schema.LEVER,) if levers else ())
    return {
        key: f.metadata["prior"]
        for key, f in schema.schema_fields()
        if f.metadata["role"] in roles and _is_float(f) and f.metadata["prior"] is not None
    }


def prior_ranges(levers: bool = False) -> dict[str, tuple[float, float]]:
    """{dotted key: (low, high)}: the support of each prior of :func:`design_priors`."""
    return {k: p.support for k, p in design_priors(levers).items()}


def lever_keys() -> list[str]:
    """The dotted keys of the policy levers (role ``lever``)."""
    return [k for k, f in schema.schema_fields() if f.metadata["role"] == schema.LEVER]


def drawn_uncertain(calibration: str) -> tuple[str, ...]:
    """The uncertain parameters a calibration's draws carry from their priors:
    :data:`WITH_CALIBRATION_DRAWS` first, then the screening's influential ones in its order
    (``sim/world/<calibration>/influential.yaml``; none if the file is missing). Keys that are
    no longer uncertain float parameters are skipped."""
    priors = design_priors()
    listed: list[str] = []
    path = influential_file(calibration) if calibration and calibration != "none" else None
    if path is not None and path.is_file():
        listed = [str(p["key"]) for p in (read_yaml(path) or {}).get("parameters") or []]
    roles = {k: f.metadata["role"] for k, f in schema.schema_fields()}
    keys = dict.fromkeys([*WITH_CALIBRATION_DRAWS, *listed])
    return tuple(k for k in keys if k in priors and roles[k] == schema.UNCERTAIN)


def _with_prior_draws(rows: list[dict], calibration: str, seed: int = 0) -> list[dict]:
    """Calibration draws with each parameter of :func:`drawn_uncertain` they do not fit added:
    draw k takes point k of a scrambled Halton sequence, one dimension per parameter (seeded by
    ``seed``), through the prior's inverse CDF."""
    priors = design_priors()
    extra = [k for k in drawn_uncertain(calibration) if rows and k not in rows[0]]
    if not extra:
        return rows
    from scipy.stats import qmc

    halton = qmc.Halton(d=len(extra), scramble=True, seed=np.random.default_rng(seed))
    unit = halton.random(len(rows))
    values = {k: priors[k].quantile(unit[:, j]) for j, k in enumerate(extra)}
    return [{**row, **{k: float(values[k][i]) for k in extra}} for i, row in enumerate(rows)]


def problem(keys: list[str] | None = None, levers: bool = False) -> dict:
    """SALib's problem dict over ``keys`` (default: all of :func:`design_priors`); its bounds are
    the priors' supports."""
    priors = design_priors(levers)
    keys = list(keys) if keys else list(priors)
    asked = [k for k in keys if k not in priors and k in design_priors(levers=True)]
    if asked:
        raise schema.ConfigError(
            f"Invalid configuration:\n  sensitivity.parameters: {', '.join(asked)} "
            f"{'is a policy lever' if len(asked) == 1 else 'are policy levers'}: a design leaves "
            "levers at the scenario's values; set sensitivity.levers=true to vary "
            f"{'it' if len(asked) == 1 else 'them'} (docs/sensitivity.md)."
        )
    unknown = [k for k in keys if k not in priors]
    if unknown:
        raise schema.ConfigError(
            f"Invalid configuration:\n  sensitivity.parameters: {', '.join(unknown)} "
            "not uncertain parameters (see `python -m sim.params.designs --list`)."
        )
    return {
        "num_vars": len(keys),
        "names": keys,
        "bounds": [list(priors[k].support) for k in keys],
    }


def _through_priors(unit: np.ndarray, names: list[str], levers: bool) -> np.ndarray:
    """Design rows on the unit hypercube mapped column by column through the priors."""
    priors = design_priors(levers)
    values = np.empty_like(unit)
    for j, key in enumerate(names):
        values[:, j] = priors[key].quantile(unit[:, j])
    return values


def calibration_draws_file(geography: str) -> Path | None:
    """The calibration's parameter draws of ``geography`` (written by ``make calibrate``), if
    any."""
    if not geography or geography == "none":
        return None
    path = draws_file(geography)
    return path if path.is_file() else None


def _calibration_table(path: Path):
    """The calibration's draws as a table: one row per draw, one column per dotted key it fits
    (+ ``weight``)."""
    import pandas as pd

    draws = (read_yaml(path) or {}).get("draws") or []
    return pd.DataFrame(
        [{**d["values"], **({"weight": d["weight"]} if "weight" in d else {})} for d in draws]
    )


def parameter_draws(geography: str, n: int, seed: int = 0, levers: bool = False) -> list[dict]:
    """``n`` parameter sets {dotted key: value} describing what is uncertain about ``geography``.

    The calibration's draws when its file exists (rows in order, resampled
    systematically by a ``weight`` column if there is one); otherwise a Latin
    hypercube through the priors of :func:`design_priors`. Deterministic in
    (geography, n, seed).
    """
    path = calibration_draws_file(geography)
    if path is not None:
        if levers:
            raise schema.ConfigError(
                f"Invalid configuration:\n  sensitivity.levers = true: the draws of calibration "
                f"'{geography}' carry no policy levers. Sweep the lever itself over the draws "
                "(e.g. policy.enclave.tax_share_east=0.2,0.4 run.draw=0,1,2), or use a morris or "
                "sobol design."
            )
        return _calibration_rows(path, n, geography, seed)
    from scipy.stats import qmc

    names = problem(levers=levers)["names"]
    unit = qmc.LatinHypercube(d=len(names), seed=np.random.default_rng(seed)).random(n)
    values = _through_priors(unit, names, levers)
    return [dict(zip(names, map(float, v), strict=True)) for v in values]


def _calibration_rows(path: Path, n: int, calibration: str, seed: int = 0) -> list[dict]:
    """``n`` of the calibration's draws: in order when there are enough equally weighted ones,
    otherwise resampled systematically by weight (equal weights if none are given); row k then
    gets point k of the prior draws (:func:`_with_prior_draws`), so a resampled calibration
    draw does not repeat them."""
    draws = _calibration_table(path)
    weighted = "weight" in draws
    w = draws.pop("weight").to_numpy(float) if weighted else np.ones(len(draws))
    if weighted or len(draws) < n:
        cum = np.cumsum(w / w.sum())
        draws = draws.iloc[
            np.minimum(np.searchsorted(cum, (np.arange(n) + 0.5) / n), len(draws) - 1)
        ]
    rows = [{k: float(v) for k, v in row.items()} for row in draws.head(n).to_dict("records")]
    return _with_prior_draws(rows, calibration, seed)


def design(
    method: str,
    n: int,
    seed: int,
    keys: tuple[str, ...] = (),
    geography: str = "",
    levers: bool = False,
) -> np.ndarray:
    """The rows (one per job) of a design: ``morris`` trajectories, ``sobol`` (Saltelli) or
    ``draws`` (``geography``: the calibration whose draws they are; cached until the file
    changes). ``levers``: vary the policy levers too."""
    path = draws_file(geography) if method == "draws" and geography else None
    stamps = (stamp(path), stamp(influential_file(geography))) if path else None
    return _design(method, n, seed, tuple(keys), geography, bool(levers), stamps)


@functools.lru_cache(maxsize=8)
def _design(
    method: str, n: int, seed: int, keys: tuple[str, ...], geography: str, levers: bool, _stamp
) -> np.ndarray:
    if method == "draws":
        rows = parameter_draws(geography, n, seed, levers)
        return np.array([list(r.values()) for r in rows])
    prob = problem(list(keys), levers)
    unit = {**prob, "bounds": [[0.0, 1.0]] * prob["num_vars"]}  # mapped through the priors below
    if method == "morris":
        from SALib.sample import morris

        rows = morris.sample(unit, N=n, num_levels=MORRIS_LEVELS, seed=seed)
    elif method == "sobol":
        from SALib.sample import sobol

        rows = sobol.sample(unit, N=n, calc_second_order=False, seed=seed)
    else:
        raise schema.ConfigError(
            f"Invalid configuration:\n  sensitivity.method = {method!r} has no design."
        )
    return _through_priors(rows, prob["names"], levers)


def design_keys(method: str, keys, geography: str, levers: bool = False) -> list[str]:
    """The parameter names of a design's columns."""
    if method == "draws" and geography:
        path = calibration_draws_file(geography)
        if path is not None:
            fitted = [c for c in _calibration_table(path).columns if c != "weight"]
            return fitted + [k for k in drawn_uncertain(geography) if k not in fitted]
        return problem(levers=levers)["names"]
    return problem(list(keys), levers)["names"]


def asks_for_levers(s) -> bool:
    """``sensitivity.levers`` of a config section (False in sections written before it)."""
    return bool(s.get("levers", False))


def n_rows(s) -> int:
    """Rows of the design a ``sensitivity`` config section describes (= jobs per scenario)."""
    keys = tuple(s["parameters"] or ())
    if s["method"] == "draws":
        return int(s["n"])
    k = len(keys) if keys else len(design_priors(asks_for_levers(s)))
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
    k = len(s["parameters"] or ()) or len(design_priors(asks_for_levers(s)))
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
    ``geography``) when its draws file exists, else a Latin hypercube through the priors.
    When ``n`` equally weighted calibration draws are there, row k is draw k, for every draw
    in the file (``n`` only says how many a sweep takes); with fewer draws, or weighted ones,
    the rows are ``n`` draws resampled systematically. ``run.draw=k`` is this design's row k
    (:mod:`sim.params.point`).
    """
    if s["method"] == "none" or s["sample"] < 0:
        return {}
    check_design_size(s)
    keys = tuple(s["parameters"] or ())
    levers = asks_for_levers(s)
    draws = s["method"] == "draws"
    source = (calibration if calibration is not None else geography) if draws else ""
    k = int(s["sample"])
    if source and source != "none" and not levers:
        table = _equal_draws(source, int(s["seed"]))
        if table is not None and int(s["n"]) <= len(table) and k < len(table):
            return {key: float(v) for key, v in table[k].items()}
    source = "" if source == "none" else source
    rows = design(s["method"], int(s["n"]), int(s["seed"]), keys, source, levers)
    if k >= len(rows):
        raise schema.ConfigError(
            f"Invalid configuration:\n  sensitivity.sample = {k} is out of "
            f"range: the {s['method']} design has {len(rows)} rows "
            f"(0..{len(rows) - 1})."
        )
    names = design_keys(s["method"], keys, source, levers)
    return dict(zip(names, map(float, rows[k]), strict=True))


def _equal_draws(calibration: str, seed: int = 0) -> list[dict] | None:
    """The calibration's draws in order, if its file exists and gives them no weights."""
    path = calibration_draws_file(calibration)
    if path is None:
        return None
    draws = (read_yaml(path) or {}).get("draws") or []
    if any("weight" in d for d in draws):
        return None
    return _with_prior_draws([d["values"] for d in draws], calibration, seed)


def main(argv: list[str] | None = None) -> int:
    """``python -m sim.params.designs [--list] [--levers]``: the parameters a design varies, with
    their roles and priors (``--levers``: the policy levers too)."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m sim.params.designs", description=main.__doc__)
    ap.add_argument("--list", action="store_true", help="list them (the default)")
    ap.add_argument("--levers", action="store_true", help="include the policy levers")
    args = ap.parse_args(argv)
    roles = {k: f.metadata["role"] for k, f in schema.schema_fields()}
    priors = design_priors(args.levers)
    for key, prior in priors.items():
        print(f"{key:<45} {roles[key]:<11} {prior}")
    print(f"{len(priors)} parameters", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
