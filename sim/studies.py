"""Study reports: the table and figures each experiment (configs/experiment/) makes.

Called by the sweep callback when a multirun with ``study`` set ends, or by
``python -m sim.collect DIR --report``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from . import outputs, plots
from .collect import load_sweep, load_timeseries
from .stats import ci_table, fmt

SCENARIO_ORDER = ["baseline", "pairing", "enclave", "labour", "consumption", "full"]


def _fmt_table(table: pd.DataFrame, keys: list[str], metrics: list[str]) -> str:
    """Plain-text table: mean [95% CI] per metric."""
    def cell(r, m):
        return f"{fmt(r[m])} [{fmt(r[f'{m}_lo'])}, {fmt(r[f'{m}_hi'])}]"
    rows = [[str(r[k]) for k in keys] + [str(int(r["runs"]))] + [cell(r, m) for m in metrics] for _, r in table.iterrows()]
    head = keys + ["runs"] + [f"{m} ({plots.METRICS[m][0]})" for m in metrics]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
    line = lambda cells: "  ".join(c.ljust(w) if i < len(keys) else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))  # noqa: E731
    return "\n".join([line(head), line(["-" * w for w in widths]), *map(line, rows)])


def _write_table(sweep_dir: Path, name: str, table: pd.DataFrame, text: str) -> None:
    outputs.write_atomic(sweep_dir / f"{name}.csv", table.to_csv(index=False).encode())
    outputs.write_atomic(sweep_dir / f"{name}.txt", (text + "\n").encode())


def _ordered(df: pd.DataFrame) -> pd.DataFrame:
    present = list(dict.fromkeys(df["scenario"]))
    order = [s for s in SCENARIO_ORDER if s in present] + [s for s in present if s not in SCENARIO_ORDER]
    return df.assign(scenario=pd.Categorical(df["scenario"], order, ordered=True))


def _geography(sweep_dir: Path) -> str:
    import yaml

    from .collect import job_dirs

    try:
        return yaml.safe_load((job_dirs(sweep_dir)[0] / "config.yaml").read_text())["geography"]["name"]
    except (OSError, IndexError, KeyError, TypeError):
        return "?"


def versus_baseline(df: pd.DataFrame, metrics: list[str], on: list[str]) -> pd.DataFrame:
    """Each run's metrics minus the baseline run with the same seed (paired differences)."""
    base = df[df["scenario"] == "baseline"].set_index(on)[metrics]
    out = df.set_index(on)
    out[metrics] = out[metrics] - base.reindex(out.index).to_numpy()
    return out.reset_index()


def policy_comparison(sweep_dir: Path) -> str:
    """All scenarios × seeds: jobs, income, firms and fiscal cost with 95% CIs; time paths."""
    summary, ts = _ordered(load_sweep(sweep_dir)), _ordered(load_timeseries(sweep_dir))
    metrics = ["west_jobs_local", "west_income_per_capita", "firms_in_west", "west_fiscal_cost"]
    table = ci_table(summary.sort_values("scenario"), "scenario", metrics)
    text = _fmt_table(table, ["scenario"], metrics)
    _write_table(sweep_dir, "policy_comparison", table, text)
    plt = plots._plt()
    title = f"East–West policies compared ({_geography(sweep_dir)})"
    ts = ts.sort_values(["scenario", "year"])
    has_base = "baseline" in set(ts["scenario"])
    fig, axes = plt.subplots(1, 3 if has_base else 2, figsize=(15.6 if has_base else 10.4, 4.2))
    plots.time_paths(ts, ["west_jobs_local", "firms_in_west"], "scenario", title, ax_list=list(axes[:2]))
    if has_base:
        delta = versus_baseline(ts, ["west_income_per_capita"], ["seed", "step"])
        plots.time_paths(delta, ["west_income_per_capita"], "scenario", title, ax_list=[axes[2]])
        axes[2].get_legend().remove() if axes[2].get_legend() else None
        axes[2].set_ylabel("income per capita over baseline (yuan/year)")
        axes[2].set_title("western income gain over baseline (same seed)")
    paths = plots.save(fig, sweep_dir / "figures" / "policy_comparison")
    return f"Final year ({int(ts['year'].max())}), mean [95% CI] over seeds:\n{text}\nFigure: {paths[0]}"


def tax_share_sweep(sweep_dir: Path) -> str:
    """tax_share_east × compliance: firms, western retained tax, eastern enclave revenue, jobs."""
    summary = load_sweep(sweep_dir)
    x, by = "policy.enclave.tax_share_east", "policy.enclave.compliance"
    metrics = ["firms_in_west", "west_tax_revenue", "east_tax_revenue_enclave", "west_jobs_local"]
    table = ci_table(summary.sort_values([by, x]), [by, x], metrics)
    text = _fmt_table(table, [by, x], metrics)
    _write_table(sweep_dir, "tax_share_sweep", table, text)
    fig = plots.response(summary, x, metrics, by, "Enclave tax sharing: who gains as the eastern share rises?")
    paths = plots.save(fig, sweep_dir / "figures" / "tax_share_sweep")
    best = table.loc[table.groupby(by)["west_tax_revenue"].idxmax(), [by, x, "west_tax_revenue"]]
    lines = [f"  compliance {r[by]:g}: western retained tax peaks at tax_share_east = {r[x]:g}" for _, r in best.iterrows()]
    return f"{text}\n" + "\n".join(lines) + f"\nFigure: {paths[0]}"


def labour_vs_industry(sweep_dir: Path) -> str:
    """Labour cooperation versus enclave parks at equal eastern cost: jobs, income, low-income share.

    Effects are paired differences from the baseline run with the same seed,
    also per 100 m yuan of the arm's measured eastern cost.
    """
    summary, ts = _ordered(load_sweep(sweep_dir)), _ordered(load_timeseries(sweep_dir))
    metrics = ["west_jobs_local", "west_migrants_east", "west_income_per_capita", "low_income_share"]
    delta = versus_baseline(summary, metrics, ["seed"])
    arms = delta[delta["scenario"] != "baseline"].copy()
    cost = summary.groupby("scenario", observed=True)["east_programme_cost"].mean()
    for m in metrics:
        arms[f"{m}_per_100m"] = arms[m] / (arms["scenario"].map(cost).astype(float) / 1e8)
    table = ci_table(arms.sort_values("scenario"), "scenario", metrics + [f"{m}_per_100m" for m in ("west_jobs_local", "west_income_per_capita")])
    text = _fmt_table(table, ["scenario"], metrics)
    per = "\n".join(f"  {s}: eastern cost {fmt(cost[s])} yuan/year; per 100 m yuan: "
                     f"{fmt(r['west_jobs_local_per_100m'])} local jobs, {fmt(r['west_income_per_capita_per_100m'])} yuan/year income per capita"
                     for s, r in table.set_index("scenario").iterrows())
    _write_table(sweep_dir, "labour_vs_industry", table, text)
    fig = plots.time_paths(versus_baseline(ts, ["west_income_per_capita", "low_income_share", "west_jobs_local"], ["seed", "step"])
                           .query("scenario != 'baseline'"),
                           ["west_income_per_capita", "low_income_share", "west_jobs_local"], "scenario",
                           "Labour cooperation versus enclave parks at equal eastern cost: change over baseline (same seed)")
    paths = plots.save(fig, sweep_dir / "figures" / "labour_vs_industry")
    return f"Change over baseline in the final year, mean [95% CI] over seeds:\n{text}\n{per}\nFigure: {paths[0]}"


REPORTS = {f.__name__: f for f in (policy_comparison, tax_share_sweep, labour_vs_industry)}


def report_dir(sweep_dir: Path, study: str | None = None) -> None:
    """Make and print the report of ``study`` (read from the sweep's first config if not given)."""
    sweep_dir = Path(sweep_dir)
    if study is None:
        import yaml

        from .collect import job_dirs

        cfg = yaml.safe_load((job_dirs(sweep_dir)[0] / "config.yaml").read_text())
        study = cfg.get("study")
    if study not in REPORTS:
        print(f"No report for study {study!r}; tables are in {sweep_dir}", file=sys.stderr)
        return
    print(REPORTS[study](sweep_dir))
