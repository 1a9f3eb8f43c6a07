"""Calibration to reported figures (issue 11; docs/calibration.md).

* Targets: ``sim/world/<geography>/targets.yaml`` (figure, source, vintage, role);
  the experiment: ``sim/world/<geography>/calibration.yaml`` (fitted parameters with
  priors, fitted targets, seeds, budgets).
* Estimation: ABC-SMC with pyabc, common random numbers (every parameter set runs the
  same seeds), parallel on the local cores, checkpointed after every generation in an
  SQLite database: the same command resumes a killed calibration.
* Output: point estimates as the Hydra config group ``configs/calibration/<geography>.yaml``
  (the pool size in ``configs/geography/<geography>.yaml``), equally weighted parameter
  draws in ``sim/world/<geography>/draws.yaml`` (selected by ``run.draw=k``),
  and a report (fit table, identification, validation) in ``results/calibration/``.

Command line: ``python -m sim.analysis.calibration [--budget full|smoke] [--workers N] [--fresh]``.
"""

from __future__ import annotations

import argparse
import copy
import functools
import hashlib
import json
import logging
import math
import os
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import yaml
from omegaconf import OmegaConf

from sim.params.draws import apply_draw, draws_file, load_draws, load_spec, read_data_file  # noqa: F401 - the calibration's data files
from sim.params.paths import CONFIG_DIR
from sim.params.schema import ConfigError
from sim.world.geography import world_file

RESULTS_DIR = Path("results") / "calibration"
FIT_SEEDS = range(5)       # seeds of the fit table (not the calibration's own seeds)
TABLE_DRAWS = 20           # draws in the fit table and the validation
TOLERANCE = 0.25           # the calibrated default must reproduce each fitted target within ±25% (issue 11)
log = logging.getLogger("sim.analysis.calibration")


# ------------------------------------------------------------------ data
@functools.cache
def _read_yaml(path: Path) -> dict:
    return read_data_file(path)


def load_targets(geography: str) -> dict:
    """Reported figures for one geography: id -> {value, unit, measure, role, source, vintage, why}."""
    path = world_file(geography, "targets.yaml")
    return _read_yaml(path) if path.is_file() else {}


# ------------------------------------------------------------------ the simulator and its measures
def measures(model) -> dict[str, float]:
    """Model quantities the reported figures are compared with (names used in targets.yaml)."""
    h, spy, t = model.history, model.cfg.run.steps_per_year, model.t
    year_ago = max(t - spy, 0)
    active = max(h["firms_active"][t], 1.0)
    in_west = h["firms_in_west"][t]
    out = {
        "firms_landed_year": float(h["firms_landed_year"][t]),
        "investment_year": float(h["investment_cum"][t] - h["investment_cum"][year_ago]),
        "workshop_jobs_built_year": float(h["west_workshop_jobs_built"][t]),
        "branch_share": float(h["firms_branch"][t] / in_west) if in_west else 0.0,
        "relocation_hazard": float(h["firms_relocated_full"][t] - h["firms_relocated_full"][year_ago]) / active,
        "east_west_income_ratio": float(h["east_west_income_ratio"][t]),
        "firms_in_west": float(in_west),
        "firms_relocated_cum": float(h["firms_relocated_cum"][t]),
    }
    names = model.geo.county_name.astype(str)
    for county, row in zip(names, model.region_history["firms"][t], strict=True):
        out[f"firms_in_county:{county}"] = float(row)
    return out


def with_values(cfg, values: dict):
    """A copy of ``cfg`` with dotted ``values`` set (integers kept integers)."""
    cfg = copy.deepcopy(cfg)
    for key, value in values.items():
        current = OmegaConf.select(cfg, key)
        OmegaConf.update(cfg, key, int(round(value)) if isinstance(current, int) else float(value), merge=False)
    return cfg


def simulate_measures(cfg, seeds, workers_per_workshop: float = 30.0) -> dict[str, float]:
    """Mean of :func:`measures` over ``seeds`` (the same seeds for every parameter set: CRN)."""
    from sim.runs.runner import simulate

    rows = [measures(simulate(cfg, seed=s)) for s in seeds]
    mean = {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}
    mean["workshops_built_year"] = mean["workshop_jobs_built_year"] / workers_per_workshop
    return mean


def distance(simulated: dict, observed: dict) -> float:
    """Root mean squared log ratio of simulated to reported figures (scale-free: 0.22 ≈ 25% off)."""
    errs = [math.log(max(simulated[k], 1e-9) / observed[k]) for k in observed]
    return math.sqrt(sum(e * e for e in errs) / len(errs))


class Experiment:
    """One calibration: the base config, priors in fit space, fitted targets, seeds."""

    def __init__(self, geography: str):
        from sim.params.compose import compose

        self.geography = geography
        self.spec = load_spec(geography)
        targets = load_targets(geography)
        self.targets = {t: targets[t] for t in self.spec["targets"]}
        self.observed = {targets[t]["measure"]: float(targets[t]["value"]) for t in self.spec["targets"]}
        self.params = self.spec["parameters"]
        self.base = compose({"geography": geography, "calibration": "none", **self.spec["overrides"]})

    # fit space: log10 for scale: log, so a uniform prior there is log-uniform
    def to_model(self, point: dict) -> dict:
        return {k: 10 ** point[_name(k)] if p["scale"] == "log" else point[_name(k)] for k, p in self.params.items()}

    def bounds(self, key: str) -> tuple[float, float]:
        lo, hi = self.params[key]["prior"]
        return (math.log10(lo), math.log10(hi)) if self.params[key]["scale"] == "log" else (lo, hi)

    def run_point(self, values: dict, seeds=None, base=None) -> dict:
        cfg = with_values(self.base if base is None else base, values)
        return simulate_measures(cfg, self.spec["seeds"] if seeds is None else seeds,
                                 self.spec["workers_per_workshop"])

    def __call__(self, point: dict) -> dict:  # pyabc's model: parameters -> summary statistics
        sim = self.run_point(self.to_model(point))
        return {k: sim[k] for k in self.observed}

    def digest(self) -> str:
        """Changes when the experiment or the model's code changes: a checkpoint of another is not resumed."""
        import inspect

        h = hashlib.sha256(json.dumps([self.spec, self.targets], sort_keys=True, default=str).encode())
        # what a simulation's statistics depend on here (reporting code may change freely) ...
        for fn in (measures, with_values, simulate_measures, distance, Experiment.run_point,
                   Experiment.to_model, Experiment.__call__):
            h.update(inspect.getsource(fn).encode())
        root = Path(__file__).resolve().parents[1]
        for p in sorted(root.rglob("*")):  # ... and the model's code and data, not this file or its results
            if (p.suffix in (".py", ".yaml") and "__pycache__" not in p.parts and p.name != "calibration.py"
                    and p.name != "draws.yaml" and "dashboard" not in p.parts):
                h.update(str(p.relative_to(root)).encode() + p.read_bytes())
        return h.hexdigest()[:16]


def _name(key: str) -> str:
    return key.replace(".", "__")  # pyabc parameter names


# ------------------------------------------------------------------ ABC-SMC with a checkpoint
def run_abc(exp: Experiment, budget: dict, workers: int, run_dir: Path, fresh: bool = False):
    """Run (or resume) ABC-SMC; returns pyabc's History. Checkpoint: ``run_dir/abc.db``."""
    import pyabc

    run_dir.mkdir(parents=True, exist_ok=True)
    db, stamp = run_dir / "abc.db", run_dir / "experiment.json"
    digest = exp.digest()
    if db.exists() and (fresh or not stamp.exists() or json.loads(stamp.read_text())["digest"] != digest):
        if not fresh:
            log.warning("the checkpoint in %s belongs to another experiment or code version: starting afresh", run_dir)
        db.unlink()
    prior = pyabc.Distribution(**{_name(k): pyabc.RV("uniform", lo, hi - lo)
                                  for k in exp.params for lo, hi in [exp.bounds(k)]})
    sampler = pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers, check_max_eval=True)
    sampler.show_progress = sys.stderr.isatty()
    abc = pyabc.ABCSMC(exp, prior, lambda s, o: distance(s, o), population_size=budget["population"],
                       sampler=sampler)
    url = f"sqlite:///{db.resolve()}"
    if db.exists():
        history = abc.load(url, 1)
        log.info("resuming from generation %d (%s)", history.max_t + 1, db)
    else:
        np.random.seed(int(digest[:8], 16))  # pyabc's own proposals; model runs use the fixed seeds
        abc.new(url, exp.observed)
        stamp.write_text(json.dumps({"digest": digest, "started": _now()}))
    done = abc.history.max_t + 1
    remaining = budget["generations"] - done
    if remaining > 0 and abc.history.total_nr_simulations < budget["max_simulations"]:
        abc.run(max_nr_populations=remaining, max_total_nr_simulations=budget["max_simulations"])
    return abc.history


def _abc_seconds(history, fallback: float) -> float:
    """Wall time of the ABC run from its database (a resumed run counts its earlier sessions)."""
    try:
        abc = history.get_abc()
        return (abc.end_time - abc.start_time).total_seconds()
    except (AttributeError, TypeError):  # not finished: no end time
        return fallback


def posterior(exp: Experiment, history) -> tuple[dict, np.ndarray, np.ndarray]:
    """Final population in fit space: (columns, particles [n, k], weights [n]) and the distances."""
    df, w = history.get_distribution(m=0, t=history.max_t)
    cols = [_name(k) for k in exp.params]
    return cols, df[cols].to_numpy(), np.asarray(w, dtype=float)


def identification(exp: Experiment, particles: np.ndarray, weights: np.ndarray) -> dict:
    """Posterior vs prior width per parameter in fit space; the strongest posterior correlation.

    A parameter whose posterior keeps most of its prior width (ratio > 0.7) is not
    identified by the targets; 0.4-0.7 weakly; below 0.4 identified.
    """
    mean = weights @ particles
    cov = ((particles - mean) * weights[:, None]).T @ (particles - mean)
    sd = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sd, sd)
    out = {}
    for i, key in enumerate(exp.params):
        lo, hi = exp.bounds(key)
        ratio = float(sd[i] / ((hi - lo) / math.sqrt(12)))
        j = max((j for j in range(len(sd)) if j != i), key=lambda j: abs(corr[i, j]), default=None)
        out[key] = {
            "prior_sd": (hi - lo) / math.sqrt(12), "posterior_sd": float(sd[i]), "width_ratio": ratio,
            "verdict": "identified" if ratio < 0.4 else "weakly identified" if ratio < 0.7 else "not identified",
            "most_correlated": list(exp.params)[j] if j is not None else None,
            "correlation": float(corr[i, j]) if j is not None else None,
        }
    return out


def draw_sample(exp: Experiment, particles, weights, n: int) -> list[dict]:
    """``n`` equally weighted draws resampled from the weighted population (fixed seed: reproducible)."""
    rng = np.random.default_rng(20231)
    idx = rng.choice(len(weights), size=n, p=weights / weights.sum())
    cols = [_name(k) for k in exp.params]
    return [{"values": _rounded(exp.to_model(dict(zip(cols, particles[i], strict=True))), exp)} for i in idx]


def _rounded(values: dict, exp: Experiment) -> dict:
    out = {}
    for k, v in values.items():
        out[k] = int(round(v)) if isinstance(OmegaConf.select(exp.base, k), int) else float(f"{v:.4g}")
    return out


def point_estimate(exp: Experiment, history, ident: dict) -> dict:
    """The accepted particle of the final generation closest to the targets, among those whose
    behavioural parameters the targets do not identify lie near their schema value.

    Not the marginal medians: on a ridge, medians of correlated parameters can miss the
    targets. And not simply the best particle: where the targets cannot tell values apart
    (``economy.*`` judged "not identified"), the best particle's value is an accident of the
    sample; the point estimate keeps the schema's value there (within 10% of the prior
    width) and the draws carry the uncertainty to the sensitivity analysis.
    """
    from sim.params.schema import schema_fields

    defaults = {k: f.default for k, f in schema_fields()}
    anchored = {k: defaults[k] for k, i in ident.items()
                if k.startswith("economy.") and i["verdict"] == "not identified"}
    particles = history.get_population(t=history.max_t).particles

    def near_default(p) -> bool:
        values = exp.to_model(dict(p.parameter))
        return all(abs(values[k] - v) <= 0.1 * (exp.params[k]["prior"][1] - exp.params[k]["prior"][0])
                   for k, v in anchored.items())

    candidates = [p for p in particles if near_default(p)] or particles
    best = min(candidates, key=lambda p: p.distance)
    return _rounded(exp.to_model(dict(best.parameter)), exp)


# ------------------------------------------------------------------ fit table and validation
def spread(rows: list[dict], key: str) -> dict:
    v = np.array([r[key] for r in rows])
    return {"mean": float(v.mean()), "sd": float(v.std(ddof=1)) if len(v) > 1 else 0.0,
            "p5": float(np.percentile(v, 5)), "p95": float(np.percentile(v, 95))}


def fit_table(exp: Experiment, point: dict, draws: list[dict], n_draws: int, seeds) -> list[dict]:
    """Each target: reported value, simulated mean and spread over seeds (point estimate)
    and over parameter draws (draw k with seed k), relative error of the means."""
    targets = load_targets(exp.geography)
    at_point = [exp.run_point(point, seeds=[s]) for s in seeds]
    over_draws = [exp.run_point(d["values"], seeds=[1000 + i]) for i, d in enumerate(draws[:n_draws])]
    rows = []
    for tid, t in targets.items():
        if not t.get("measure") or t["role"] not in ("fit", "validate"):
            continue
        m = t["measure"]
        p, d = spread(at_point, m), spread(over_draws, m)
        pooled = np.mean([r[m] for r in at_point + over_draws])
        rows.append({"target": tid, "role": t["role"], "reported": float(t["value"]), "bound": t.get("bound"),
                     "point": p, "draws": d, "pooled_mean": float(pooled),
                     "rel_error": float(pooled / float(t["value"]) - 1)})
    return rows


VALIDATION_RUNS = {  # out of sample: (scenario, years) matching each geography's reported period
    "fujian_ningxia": {"scenario": "enclave", "run.years": 10},
    "northeast": {"scenario": "pairing", "run.years": 2},
}


def validate_out_of_sample(point: dict, seeds) -> list[dict]:
    """The calibrated behaviour, not refitted, on the other geographies (their own pool sizes)."""
    from sim.params.compose import compose

    behaviour = {k: v for k, v in point.items() if not k.startswith("geography.")}
    rows = []
    for geo, overrides in VALIDATION_RUNS.items():
        cfg = with_values(compose({"geography": geo, "calibration": "none", **overrides}), behaviour)
        sims = [simulate_measures(cfg, [s]) for s in seeds]
        for tid, t in load_targets(geo).items():
            s = spread(sims, t["measure"])
            rows.append({"geography": geo, "target": tid, "reported": float(t["value"]), "simulated": s,
                         "ratio": s["mean"] / float(t["value"]), "run": overrides, "vintage": t["vintage"],
                         "n_firms": int(cfg.geography.n_firms)})
    return rows


# ------------------------------------------------------------------ writing the result
def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def write_config(geography: str, point: dict, provenance: str, config_dir: Path = CONFIG_DIR) -> None:
    """Point estimates as the Hydra group ``calibration/<geography>`` (behaviour) and the pool size
    in the geography file, each tagged ``calibrated`` with the run that produced it."""
    lines = ["# @package _global_",
             f"# Calibrated point estimates for {geography} (written by `make calibrate`; docs/calibration.md).",
             f"# Produced by: {provenance}",
             "# Switch off with calibration=none. The pool size geography.n_firms is calibrated too; it lives in",
             f"# configs/geography/{geography}.yaml (a datum of this geography, not of the behaviour).",
             "run:", f"  calibration: {geography}"]
    groups: dict[str, dict] = {}
    for key, value in point.items():
        if key.startswith("geography."):
            continue
        section, name = key.split(".", 1)
        groups.setdefault(section, {})[name] = value
    for section, values in groups.items():
        lines.append(f"{section}:")
        for name, value in values.items():
            lines.append(f"  {name}: {value!r}   # calibrated: {provenance}")
    _atomic_write(config_dir / "calibration" / f"{geography}.yaml", "\n".join(lines) + "\n")
    geo_file = config_dir / "geography" / f"{geography}.yaml"
    if "geography.n_firms" in point and geo_file.exists():
        text = re.sub(r"(?m)^n_firms:.*$", f"n_firms: {point['geography.n_firms']}   # calibrated: {provenance}",
                      geo_file.read_text())
        _atomic_write(geo_file, text)


def write_draws(geography: str, draws: list[dict], provenance: str, path: Path | None = None) -> None:
    doc = {"calibration": geography, "produced_by": provenance,
           "note": "equally weighted draws resampled from the final ABC-SMC population; run.draw=k applies draw k",
           "draws": [{"draw": i, **d} for i, d in enumerate(draws)]}
    _atomic_write(path or draws_file(geography), yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))


def plot_identification(exp: Experiment, particles, weights, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = list(exp.params)
    fig, axes = plt.subplots(1, len(keys), figsize=(3.2 * len(keys), 2.8))
    for ax, key, col in zip(np.atleast_1d(axes), keys, particles.T, strict=True):
        lo, hi = exp.bounds(key)
        ax.hist(col, bins=15, range=(lo, hi), weights=weights, density=True, color="tab:blue", alpha=0.7,
                label="posterior")
        ax.axhline(1 / (hi - lo), color="grey", ls="--", label="prior")
        ax.set_title(key.split(".")[-1], fontsize=9)
        ax.set_xlabel(("log10 " if exp.params[key]["scale"] == "log" else "") + key.split(".")[-1], fontsize=8)
    np.atleast_1d(axes)[0].set_ylabel("density")
    np.atleast_1d(axes)[0].legend(fontsize=7)
    fig.suptitle(f"Calibration of {exp.geography}: posterior (final ABC-SMC population) vs uniform prior", fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def calibrate(geography: str = "shanghai_yunnan", budget: str = "full", workers: int | None = None,
              fresh: bool = False, results: Path = RESULTS_DIR, write: bool = True,
              check_seeds=FIT_SEEDS, n_table_draws: int = TABLE_DRAWS) -> dict:
    """Fit, summarise, validate and (``write``) install the result; returns the report."""
    t0 = time.perf_counter()
    exp = Experiment(geography)
    plan = exp.spec["budgets"][budget]
    workers = workers or os.cpu_count() or 1
    run_dir = results / geography / budget
    history = run_abc(exp, plan, workers, run_dir, fresh)
    t_fit = _abc_seconds(history, time.perf_counter() - t0)
    cols, particles, weights = posterior(exp, history)
    ident = identification(exp, particles, weights)
    point = point_estimate(exp, history, ident)
    draws = draw_sample(exp, particles, weights, exp.spec["draws"])
    provenance = (f"{run_dir}/ (pyabc ABC-SMC, budget {budget}: {history.max_t + 1} generations, "
                  f"{history.total_nr_simulations} simulations, {_now()})")
    log.info("fit table and out-of-sample checks ...")
    report = {
        "geography": geography, "budget": budget, "plan": plan, "workers": workers, "provenance": provenance,
        "generations": history.max_t + 1, "simulations": int(history.total_nr_simulations),
        "seeds": exp.spec["seeds"], "point": point,
        "epsilons": [float(e) for e in history.get_all_populations()["epsilon"].tolist()],
        "identification": ident,
        "anchored": [k for k, i in ident.items() if k.startswith("economy.") and i["verdict"] == "not identified"],
        "fit": fit_table(exp, point, draws, n_table_draws, check_seeds),
        "validation": validate_out_of_sample(point, check_seeds),
        "fit_seconds": round(t_fit, 1),
    }
    report["total_seconds"] = round(time.perf_counter() - t0, 1)
    _atomic_write(run_dir / "report.json", json.dumps(report, indent=1, default=float))
    _atomic_write(run_dir / "report.md", render_markdown(report))
    plot_identification(exp, particles, weights, run_dir / "identification.png")
    if write:
        write_config(geography, point, provenance)
        write_draws(geography, draws, provenance)
    return report


def _g(x: float) -> str:
    if abs(x) >= 1e8:
        return f"{x / 1e9:.2f} bn"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _off_by(r: dict) -> str:
    if r["bound"] == "lower":
        return "met" if r["pooled_mean"] >= r["reported"] else "missed"
    if r["bound"] == "upper":
        return "met" if r["pooled_mean"] <= r["reported"] else "missed"
    return f"{r['rel_error']:+.0%}"


def render_markdown(report: dict) -> str:
    """The fit, identification and validation tables of docs/calibration.md."""
    out = [f"Calibration `{report['geography']}`, budget `{report['budget']}`: {report['simulations']} simulations "
           f"in {report['generations']} generations on {report['workers']} workers, fit {report['fit_seconds'] / 60:.1f} min, "
           f"with fit table and validation {report['total_seconds'] / 60:.1f} min. ABC tolerance by generation: "
           + ", ".join(f"{e:.3f}" for e in report["epsilons"] if math.isfinite(e)) + ".", "",
           "| target | role | reported | point estimate: mean ± sd over seeds | draws: mean [5–95%] | pooled mean | off by |",
           "|---|---|---|---|---|---|---|"]
    for r in report["fit"]:
        p, d = r["point"], r["draws"]
        bound = {"lower": " (at least)", "upper": " (at most)"}.get(r["bound"], "")
        out.append(f"| {r['target']} | {r['role']} | {_g(r['reported'])}{bound} | {_g(p['mean'])} ± {_g(p['sd'])} | "
                   f"{_g(d['mean'])} [{_g(d['p5'])}–{_g(d['p95'])}] | {_g(r['pooled_mean'])} | {_off_by(r)} |")
    out += ["", "| parameter | point estimate | posterior / prior sd (fit space) | verdict | most correlated with (r) |",
            "|---|---|---|---|---|"]
    for k, i in report["identification"].items():
        out.append(f"| `{k}` | {report['point'][k]:g} | {i['width_ratio']:.2f} | {i['verdict']} | "
                   f"`{i['most_correlated']}` ({i['correlation']:+.2f}) |")
    out += ["", "| geography | figure | vintage | reported | simulated mean [5–95%] over seeds | ratio | run |",
            "|---|---|---|---|---|---|---|"]
    for r in report["validation"]:
        s = r["simulated"]
        run = ", ".join(f"{k}={v}" for k, v in r["run"].items()) + f", n_firms={r['n_firms']}"
        out.append(f"| {r['geography']} | {r['target']} | {r['vintage']} | {_g(r['reported'])} | "
                   f"{_g(s['mean'])} [{_g(s['p5'])}–{_g(s['p95'])}] | {r['ratio']:.2f} | {run} |")
    return "\n".join(out) + "\n"


def print_report(report: dict) -> None:
    print(f"\nCalibration of {report['geography']} ({report['budget']}): {report['simulations']} simulations, "
          f"{report['generations']} generations, fit {report['fit_seconds']:.0f} s, all {report['total_seconds']:.0f} s")
    print("point estimates:", ", ".join(f"{k}={v:g}" for k, v in report["point"].items()))
    for k, i in report["identification"].items():
        print(f"  {k:<32} {i['verdict']:<18} posterior/prior sd {i['width_ratio']:.2f}")
    print("fit (pooled over seeds and draws):")
    for r in report["fit"]:
        print(f"  {r['target']:<22} {r['role']:<8} reported {r['reported']:>12.4g}  simulated {r['pooled_mean']:>12.4g}  "
              f"({r['rel_error']:+.0%})")
    print("out of sample (no refit):")
    for r in report["validation"]:
        print(f"  {r['geography']:<15} {r['target']:<28} reported {r['reported']:>8.4g}  simulated "
              f"{r['simulated']['mean']:>8.4g}  (x{r['ratio']:.2f})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sim.analysis.calibration", description=__doc__.split("\n\n")[0])
    ap.add_argument("--geography", default="shanghai_yunnan")
    ap.add_argument("--budget", default="full", help="a budget of the calibration file: full (default) or smoke")
    ap.add_argument("--workers", type=int, default=None, help="parallel processes (default: all cores)")
    ap.add_argument("--fresh", action="store_true", help="discard the checkpoint and start again")
    ap.add_argument("--no-write", action="store_true", help="do not install the result in configs/ and sim/world/")
    ap.add_argument("--slurm", action="store_true", help="submit the calibration as one Slurm job (submitit)")
    ap.add_argument("--partition", default=None, help="Slurm partition (with --slurm)")
    ap.add_argument("--timeout-min", type=int, default=120, help="Slurm time limit, minutes (with --slurm)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("ABC").propagate = False  # pyabc prints its own progress lines once
    kwargs = dict(geography=args.geography, budget=args.budget, workers=args.workers, fresh=args.fresh,
                  write=not args.no_write)
    try:
        spec = load_spec(args.geography)
        if args.budget not in spec["budgets"]:
            raise ConfigError(f"unknown budget '{args.budget}'; the calibration file declares: "
                              f"{', '.join(spec['budgets'])}.")
        if args.slurm:
            return submit_slurm(kwargs, args.partition, args.timeout_min, args.workers or 8)
        report = calibrate(**kwargs)
    except ConfigError as err:
        print(f"\nsim.calibration: {err}\n", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nsim.calibration: stopped. Finished generations are kept; run the same command to resume.",
              file=sys.stderr)
        return 130
    print_report(report)
    return 0


def submit_slurm(kwargs: dict, partition: str | None, timeout_min: int, cpus: int) -> int:
    """One Slurm job on one node, all its cores as pyabc workers; the checkpoint makes a requeue resume."""
    import submitit

    folder = RESULTS_DIR / kwargs["geography"] / ".submitit"
    ex = submitit.AutoExecutor(folder=str(folder))
    ex.update_parameters(timeout_min=timeout_min, cpus_per_task=cpus, tasks_per_node=1, nodes=1,
                         **({"slurm_partition": partition} if partition else {}))
    from sim.analysis.calibration import (
        calibrate as by_name,  # not __main__.calibrate, which the job cannot unpickle
    )

    job = ex.submit(by_name, **{**kwargs, "workers": cpus})
    print(f"submitted Slurm job {job.job_id}; logs in {folder}. Re-running the same command resumes "
          "from the checkpoint after a time-out.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
