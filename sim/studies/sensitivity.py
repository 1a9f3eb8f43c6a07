"""Sensitivity indices (SALib) of a design sweep: a tidy table and a figure of bars with CIs.

Called as the study report of ``experiment=sensitivity_morris`` / ``sensitivity_sobol``
(:mod:`sim.studies.reports`). The sweep ran each design row for the full package and the
baseline with the same seed, so besides the package's levels the outcomes include
its cost-effectiveness (see :data:`COST_EFFECTIVENESS`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.paired import paired_gain
from sim.params import designs as sensitivity
from sim.report import figures as plots
from sim.report import labels
from sim.runs import store as outputs
from sim.runs.collect import job_dirs, load_sweep

LEVELS = ["west_jobs_local", "west_income_per_capita", "west_fiscal_cost", "east_programme_cost"]
# Jobs (and yuan/year of income per resident) gained over the same-row, same-seed
# baseline per 100 million yuan/year of eastern programme cost over that baseline (as the
# labour_vs_industry study counts).
PER = 1e8
COST_EFFECTIVENESS = {
    "jobs_per_100m_east_yuan": ("west_jobs_local", "local jobs per 100 m eastern yuan/year"),
    "income_per_100m_east_yuan": (
        "west_income_per_capita",
        "income per capita (yuan/year) per 100 m eastern yuan/year",
    ),
}
SCENARIO = "full"  # the package whose sensitivity is screened
TOP = 12  # parameters shown per outcome in the figure


def outcome_table(summary: pd.DataFrame) -> pd.DataFrame:
    """One row per design row (``sensitivity.sample``): the package's outcomes and
    cost-effectiveness."""
    key = "sensitivity.sample"
    scenarios = set(summary["scenario"].astype(str)) if "scenario" in summary else {SCENARIO}
    main = SCENARIO if SCENARIO in scenarios else sorted(scenarios - {"baseline"} or scenarios)[0]
    pkg = summary[summary.get("scenario", main).astype(str) == main].set_index(key).sort_index()
    out = pkg[LEVELS].copy()
    if "baseline" in scenarios and main != "baseline":
        gained = [m for m, _ in COST_EFFECTIVENESS.values()] + ["east_programme_cost"]
        g = paired_gain(summary, gained, on=[key])  # the same design row (and its seed) as baseline
        g = g[g["scenario"].astype(str) == main].set_index(key).reindex(out.index)
        cost = g["east_programme_cost"] / PER
        for name, (m, _) in COST_EFFECTIVENESS.items():
            out[name] = g[m] / cost.where(cost > 0)
    return out


def _design(sweep_dir: Path) -> tuple[dict, np.ndarray]:
    import yaml

    cfg = yaml.safe_load((job_dirs(sweep_dir)[0] / "config.yaml").read_text())
    s, geo = cfg["sensitivity"], cfg["geography"]["name"]
    keys = tuple(s["parameters"] or ())
    levers = sensitivity.asks_for_levers(s)
    return {
        **s,
        "names": sensitivity.design_keys(s["method"], keys, geo, levers),
        "keys": keys,
        "levers": levers,
    }, sensitivity.design(s["method"], int(s["n"]), int(s["seed"]), keys, "", levers)


def indices(sweep_dir: Path) -> pd.DataFrame:
    """Tidy table: outcome, parameter, index (mu_star, sigma / S1, ST), value, ci_low, ci_high."""
    s, X = _design(sweep_dir)
    Y = outcome_table(load_sweep(sweep_dir))
    missing = sorted(set(range(len(X))) - set(Y.index))
    if missing:
        raise ValueError(
            f"{len(missing)} of the {len(X)} design rows have no results (e.g. sensitivity.sample="
            f"{missing[0]}); re-run the same command to finish them"
        )
    prob = sensitivity.problem(list(s["keys"]), s["levers"])
    frames = []
    for outcome in Y.columns:
        y = Y[outcome].to_numpy(float)
        if not np.isfinite(y).all():
            continue
        frames.append(_analyse(s["method"], prob, X, y, int(s["seed"])).assign(outcome=outcome))
    table = pd.concat(frames, ignore_index=True)
    return table[["outcome", "parameter", "index", "value", "ci_low", "ci_high"]]


def _analyse(method: str, prob: dict, X: np.ndarray, y: np.ndarray, seed: int) -> pd.DataFrame:
    if method == "morris":
        from SALib.analyze import morris

        r = morris.analyze(prob, X, y, num_levels=sensitivity.MORRIS_LEVELS, seed=seed)
        pairs = {"mu_star": "mu_star_conf", "sigma": None}
    else:
        from SALib.analyze import sobol

        r = sobol.analyze(prob, y, calc_second_order=False, seed=seed)
        pairs = {"S1": "S1_conf", "ST": "ST_conf"}
    rows = []
    for index, conf in pairs.items():
        v = np.asarray(r[index], float)
        c = np.asarray(r[conf], float) if conf else np.full_like(v, np.nan)
        low = (
            np.maximum(v - c, 0) if index == "mu_star" else v - c
        )  # μ* is a mean of |effects|: never below 0
        rows.append(
            pd.DataFrame(
                {
                    "parameter": prob["names"],
                    "index": index,
                    "value": v,
                    "ci_low": low,
                    "ci_high": v + c,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def _label(outcome: str) -> str:
    if outcome in COST_EFFECTIVENESS:
        return f"Full package: {COST_EFFECTIVENESS[outcome][1]}"
    return labels.axis(outcome)


def figure(table: pd.DataFrame, method: str, title: str):
    """One panel per outcome: the parameters with the largest index, bars with 95% CIs."""
    plt = plots._plt()
    outcomes = list(dict.fromkeys(table["outcome"]))
    ncol = 3
    nrow = -(-len(outcomes) // ncol)
    fig, axes = plt.subplots(
        nrow, ncol, figsize=(6.2 * ncol, 4.6 * nrow), layout="constrained", squeeze=False
    )
    shown = ["mu_star"] if method == "morris" else ["S1", "ST"]
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        t = table[table["outcome"] == outcome]
        main = t[t["index"] == shown[-1]].nlargest(TOP, "value")[::-1]
        ypos = np.arange(len(main))
        h = 0.8 / len(shown)
        f, millions = (
            labels.scale(outcome, main["value"].to_numpy(float))
            if method == "morris"
            else (1.0, False)
        )
        for i, index in enumerate(shown):
            d = t[t["index"] == index].set_index("parameter").loc[main["parameter"]]
            err = np.vstack([d["value"] - d["ci_low"], d["ci_high"] - d["value"]]) * f
            ax.barh(
                ypos + (i - (len(shown) - 1) / 2) * h,
                d["value"] * f,
                h,
                xerr=err,
                capsize=2,
                color=plots.style(i)["color"],
                label=_index_name(index),
            )
        ax.set_yticks(ypos, [labels.name(p) for p in main["parameter"]], fontsize=8)
        ax.set_title(_label(outcome), fontsize=10)
        ax.set_xlabel(
            _unit(outcome, millions) if method == "morris" else "share of the outcome's variance"
        )
        plots._plain(ax.xaxis)
    for ax in list(axes.flat)[len(outcomes) :]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=8, loc="lower right")
    fig.suptitle(title + "\nbars: index; whiskers: 95% CI (bootstrap)", fontsize=11)
    return fig


def _unit(outcome: str, millions: bool) -> str:
    """Axis text of a Morris μ*: it is in the outcome's own unit."""
    if outcome in COST_EFFECTIVENESS:
        return "μ* (" + COST_EFFECTIVENESS[outcome][1] + ")"
    u = labels.unit(outcome)
    if labels.is_share(outcome):
        return "μ* (percentage points)"
    return f"μ* ({'million ' if millions else ''}{u})"


def _index_name(index: str) -> str:
    return {
        "mu_star": "Morris μ* (mean |elementary effect|)",
        "S1": "Sobol first order S1",
        "ST": "Sobol total order ST",
    }[index]


def report(sweep_dir: Path) -> str:
    """The study report: ``sensitivity_indices.{csv,parquet}``, a figure and the top parameters per
    outcome."""
    sweep_dir = Path(sweep_dir)
    s, _ = _design(sweep_dir)
    table = indices(sweep_dir)
    outputs.write_atomic(sweep_dir / "sensitivity_indices.csv", table.to_csv(index=False).encode())
    outputs.write_atomic(sweep_dir / "sensitivity_indices.parquet", outputs.parquet_bytes(table))
    method = s["method"]
    title = (
        f"What drives the full package's outcomes? {method.capitalize()} indices over "
        f"{len(s['names'])} uncertain parameters"
    )
    paths = plots.save(
        figure(table, method, title), sweep_dir / "figures" / f"sensitivity_{method}"
    )
    main = "mu_star" if method == "morris" else "ST"
    lines = [f"{_index_name(main)}, top 5 per outcome:"]
    for outcome, t in table[table["index"] == main].groupby("outcome", sort=False):
        top = t.nlargest(5, "value")
        lines.append(
            f"  {_label(outcome)}: "
            + "; ".join(
                f"{labels.name(r.parameter)} {r.value:.3g} [{r.ci_low:.3g}, {r.ci_high:.3g}]"
                for r in top.itertuples()
            )
        )
    return "\n".join(
        lines + [f"Table: {sweep_dir / 'sensitivity_indices.csv'}", f"Figure: {paths[0]}"]
    )
