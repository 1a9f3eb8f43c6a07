"""The calibration's report: the tables of docs/calibration.md, a terminal summary, a figure."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from sim.analysis.calibration.experiment import Experiment


def plot_identification(exp: Experiment, particles, weights, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = list(exp.params)
    fig, axes = plt.subplots(1, len(keys), figsize=(3.2 * len(keys), 2.8))
    for ax, key, col in zip(np.atleast_1d(axes), keys, particles.T, strict=True):
        lo, hi = exp.bounds(key)
        ax.hist(
            col,
            bins=15,
            range=(lo, hi),
            weights=weights,
            density=True,
            color="tab:blue",
            alpha=0.7,
            label="posterior",
        )
        ax.axhline(1 / (hi - lo), color="grey", ls="--", label="prior")
        ax.set_title(key.split(".")[-1], fontsize=9)
        ax.set_xlabel(
            ("log10 " if exp.params[key]["scale"] == "log" else "") + key.split(".")[-1], fontsize=8
        )
    np.atleast_1d(axes)[0].set_ylabel("density")
    np.atleast_1d(axes)[0].legend(fontsize=7)
    fig.suptitle(
        f"Calibration of {exp.geography}: posterior (final ABC-SMC population) vs uniform prior",
        fontsize=9,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _g(x: float) -> str:
    if abs(x) >= 1e8:
        return f"{x / 1e9:.2f} bn"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _off_by(r: dict) -> str:
    prior = r.get("prior")
    if prior:
        inside = prior["lo"] <= r["pooled_mean"] <= prior["hi"]
        return f"{'inside' if inside else 'outside'} prior {prior['lo']:g}–{prior['hi']:g}"
    if r["bound"] == "lower":
        return "met" if r["pooled_mean"] >= r["reported"] else "missed"
    if r["bound"] == "upper":
        return "met" if r["pooled_mean"] <= r["reported"] else "missed"
    return f"{r['rel_error']:+.0%}"


def render_markdown(report: dict) -> str:
    """The fit, identification and validation tables of docs/calibration.md."""
    out = [
        f"Calibration `{report['geography']}`, budget `{report['budget']}`: "
        f"{report['simulations']} simulations "
        f"in {report['generations']} generations on {report['workers']} workers, fit "
        f"{report['fit_seconds'] / 60:.1f} min, "
        f"with fit table and validation {report['total_seconds'] / 60:.1f} min. ABC tolerance by "
        "generation: "
        + ", ".join(f"{e:.3f}" for e in report["epsilons"] if math.isfinite(e))
        + ". Point estimate: "
        + report.get("estimator", "weighted posterior median per parameter (fit space)")
        + ".",
        "",
        "| target | role | reported | point estimate: mean ± sd over seeds | draws: mean [5–95%] | "
        "pooled mean | off by |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in report["fit"]:
        p, d = r["point"], r["draws"]
        bound = {"lower": " (at least)", "upper": " (at most)"}.get(r["bound"], "")
        bound = " (prior)" if r.get("prior") else bound
        out.append(
            f"| {r['target']} | {r['role']} | {_g(r['reported'])}{bound} | {_g(p['mean'])} ± "
            f"{_g(p['sd'])} | "
            f"{_g(d['mean'])} [{_g(d['p5'])}–{_g(d['p95'])}] | {_g(r['pooled_mean'])} | "
            f"{_off_by(r)} |"
        )
    out += [
        "",
        "| parameter | point estimate | posterior / prior sd (fit space) | verdict | most "
        "correlated with (r) |",
        "|---|---|---|---|---|",
    ]
    for k, i in report["identification"].items():
        out.append(
            f"| `{k}` | {report['point'][k]:g} | {i['width_ratio']:.2f} | {i['verdict']} | "
            f"`{i['most_correlated']}` ({i['correlation']:+.2f}) |"
        )
    out += ["", unidentified_line(report)]
    out += [
        "",
        "| geography | figure | vintage | reported | simulated mean [5–95%] over seeds | ratio | "
        "run |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in report["validation"]:
        s = r["simulated"]
        run = ", ".join(f"{k}={v}" for k, v in r["run"].items()) + f", n_firms={r['n_firms']}"
        out.append(
            f"| {r['geography']} | {r['target']} | {r['vintage']} | {_g(r['reported'])} | "
            f"{_g(s['mean'])} [{_g(s['p5'])}–{_g(s['p95'])}] | {r['ratio']:.2f} | {run} |"
        )
    return "\n".join(out) + "\n"


def unidentified(identification: dict) -> dict[str, dict]:
    """The parameters the targets leave (weakly or wholly) unidentified."""
    return {k: i for k, i in identification.items() if i["verdict"] != "identified"}


def unidentified_line(report: dict) -> str:
    """What the targets do not pin down, and that the draws carry it."""
    left = unidentified(report["identification"])
    if not left:
        return "**Unidentified:** none; every fitted parameter is identified by the targets."
    carried = set(report.get("draw_keys", []))
    parts = [
        f"`{k}` ({i['verdict']}; posterior / prior sd {i['width_ratio']:.2f}, r = "
        f"{i['correlation']:+.2f} with `{i['most_correlated']}`)"
        for k, i in left.items()
    ]
    missing = [k for k in left if k not in carried]
    return (
        "**Unidentified:** "
        + "; ".join(parts)
        + ". "
        + (
            f"The {report.get('n_draws', 'parameter')} draws carry "
            + ("them" if len(left) > 1 else "it")
            + " into any experiment (`run.draw`)."
            if not missing
            else f"NOT carried by the draws: {', '.join(missing)}."
        )
    )


def print_report(report: dict) -> None:
    print(
        f"\nCalibration of {report['geography']} ({report['budget']}): {report['simulations']} "
        "simulations, "
        f"{report['generations']} generations, fit {report['fit_seconds']:.0f} s, all "
        f"{report['total_seconds']:.0f} s"
    )
    print("point estimates:", ", ".join(f"{k}={v:g}" for k, v in report["point"].items()))
    for k, i in report["identification"].items():
        print(f"  {k:<32} {i['verdict']:<18} posterior/prior sd {i['width_ratio']:.2f}")
    print(unidentified_line(report).replace("**", "").replace("`", ""))
    print("fit (pooled over seeds and draws):")
    for r in report["fit"]:
        print(
            f"  {r['target']:<22} {r['role']:<8} reported {r['reported']:>12.4g}  simulated "
            f"{r['pooled_mean']:>12.4g}  "
            f"({_off_by(r)})"
        )
    print("out of sample (no refit):")
    for r in report["validation"]:
        print(
            f"  {r['geography']:<15} {r['target']:<28} reported {r['reported']:>8.4g}  simulated "
            f"{r['simulated']['mean']:>8.4g}  (x{r['ratio']:.2f})"
        )
