"""Study reports: the table and figures each experiment (configs/experiment/) makes.

Called by the sweep callback when a multirun with ``study`` set ends, or by
``python -m sim.collect DIR --report``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from sim.analysis import uncertainty
from sim.analysis.stats import ci_table, fmt
from sim.report import figures as plots
from sim.report import labels
from sim.runs import store as outputs
from sim.runs.collect import load_sweep, load_timeseries
from sim.world import boundaries

SCENARIO_ORDER = list(labels.SCENARIOS)  # the usual order of scenarios, baseline first
OUTCOMES = ["west_jobs_local", "west_income_per_capita", "low_income_share", "firms_in_west"]
COSTS = ["west_fiscal_cost", "east_programme_cost"]


def _cell(table_row, m: str) -> str:
    """``mean ± half-width of the 95% CI``, shares in percent."""
    f = 100.0 if labels.is_share(m) else 1.0
    half = (table_row[f"{m}_hi"] - table_row[f"{m}_lo"]) / 2
    return f"{fmt(table_row[m] * f)} ± {fmt(half * f)}"


def _fmt_table(table: pd.DataFrame, keys: list[str], metrics: list[str], difference: bool = False) -> str:
    """Plain-text table (pandas): keys (left-aligned), runs, then mean ± 95% CI half-width per metric
    with the unit in the header (``difference``: changes over the baseline; shares in percentage points)."""
    shown = pd.DataFrame()
    for k in keys:
        cells = [labels.scenario(v) if k == "scenario" else labels.value(k, v) for v in table[k]]
        width = max(len(labels.name(k)), *map(len, cells))
        shown[labels.name(k).ljust(width)] = [c.ljust(width) for c in cells]
    shown["runs"] = table["runs"].astype(int).to_numpy()
    for m in metrics:
        shown[labels.axis(m, difference)] = [_cell(r, m) for _, r in table.iterrows()]
    return shown.to_string(index=False)


def _write_table(sweep_dir: Path, name: str, table: pd.DataFrame, text: str) -> None:
    outputs.write_atomic(sweep_dir / f"{name}.csv", table.to_csv(index=False).encode())
    outputs.write_atomic(sweep_dir / f"{name}.txt", (text + "\n").encode())


def _geography_key(sweep_dir: Path) -> str:
    """The sweep's ``geography.name`` (a folder under sim/world for the shipped ones)."""
    import yaml

    from sim.runs.collect import job_dirs

    try:
        return str(yaml.safe_load((job_dirs(sweep_dir)[0] / "config.yaml").read_text())["geography"]["name"])
    except (OSError, IndexError, KeyError, TypeError):
        return "?"


def _geography(sweep_dir: Path) -> str:
    key = _geography_key(sweep_dir)
    return "?" if key == "?" else labels.geography(key)


def versus_baseline(df: pd.DataFrame, metrics: list[str], on: list[str]) -> pd.DataFrame:
    """Each run's metrics minus the baseline run with the same seed (paired differences)."""
    base = df[df["scenario"] == "baseline"].set_index(on)[metrics]
    out = df.set_index(on)
    out[metrics] = out[metrics] - base.reindex(out.index).to_numpy()
    return out.reset_index()


def policy_comparison(sweep_dir: Path) -> str:
    """All scenarios × parameter draws × seeds: levels with seed-only 95% CIs at the point estimate;
    gains over the same-draw, same-seed baseline with their interval over draws × seeds, the
    probability of beating baseline and of ranking first (:mod:`sim.analysis.uncertainty`); time paths,
    final-year gains with both bands and a cost panel; a map of the gain by western county."""
    summary, ts = load_sweep(sweep_dir), load_timeseries(sweep_dir)
    point = uncertainty.point_estimate(summary)
    table = ci_table(point.sort_values("scenario"), "scenario", OUTCOMES + COSTS)
    comparison = uncertainty.comparison_table(summary, OUTCOMES + COSTS)
    n_draws, n_seeds = _draws_and_seeds(summary)
    text = (_fmt_table(table, ["scenario"], OUTCOMES) + "\n\nFiscal cost, final year:\n"
            + _fmt_table(table, ["scenario"], COSTS))
    if "gain" in comparison:
        text += (f"\n\nGain over the baseline with the same draw and seed: mean [95% interval over {n_draws} "
                 f"parameter draws × {n_seeds} seeds]; P(better than baseline) / P(ranks first):\n"
                 + _uncertainty_text(comparison, OUTCOMES) + "\n\nFiscal cost:\n" + _uncertainty_text(comparison, COSTS)
                 + "\n" + _narrowing_text(comparison))
    _write_table(sweep_dir, "policy_comparison", comparison, text)
    geo = _geography(sweep_dir)
    bands = (f"seed-only: 95% CI over {n_seeds} seeds at the point estimate",
             f"draws × seeds: 95% interval over {n_draws} parameter draws × {n_seeds} seeds")
    fig = _comparison_figure(ts, geo, comparison, bands)
    paths = plots.save(fig, sweep_dir / "figures" / "policy_comparison")
    lines = [f"Final year ({int(ts['year'].max())}) at the point estimate, mean ± 95% CI half-width over seeds:",
             text, f"Figure: {paths[0]}"]
    if "baseline" in set(summary["scenario"]) and summary["scenario"].nunique() > 1:
        lines.append(f"Map:    {county_gain_map(sweep_dir, geo)}")
    return "\n".join(lines)


def _draws_and_seeds(summary: pd.DataFrame) -> tuple[int, int]:
    draws = uncertainty.over_draws(summary)
    n_draws = int(draws[uncertainty.SAMPLE].nunique()) if uncertainty.SAMPLE in draws else 0
    return n_draws, int(summary["seed"].nunique())


def _uncertainty_text(comparison: pd.DataFrame, metrics: list[str]) -> str:
    arms = comparison[(comparison["scenario"] != "baseline") & comparison["metric"].isin(metrics)]
    shown = pd.DataFrame({labels.name("scenario"): [labels.scenario(s) for s in dict.fromkeys(arms["scenario"])]})
    for m, t in arms.groupby("metric", sort=False):
        f = 100.0 if labels.is_share(m) else 1.0
        shown[labels.axis(m, difference=True)] = [
            f"{fmt(r.gain * f)} [{fmt(r.gain_lo * f)}, {fmt(r.gain_hi * f)}] {r.p_better_than_baseline:.0%}/{r.p_rank_first:.0%}"
            for r in t.itertuples()]
    return shown.to_string(index=False)


def _narrowing_text(comparison: pd.DataFrame) -> str:
    ratio = uncertainty.narrowing(comparison)
    return ("Common random numbers (same draw and seed in every scenario) narrow the 95% CI of the mean gain "
            "by a factor (unpaired width / paired width, median over scenarios) of: "
            + ", ".join(f"{labels.name(m).lower()} {r:.1f}×" for m, r in ratio.items() if pd.notna(r)))


def _comparison_figure(ts: pd.DataFrame, geo: str, comparison: pd.DataFrame | None = None,
                       bands: tuple[str, str] = ("", "")):
    """Row 1: outcomes over the same-seed baseline (point estimate); row 2 (with ``comparison``):
    final-year gains with seed-only and draws × seeds bands; last row: firms and each side's fiscal cost."""
    plt = plots._plt()
    ts = uncertainty.point_estimate(ts)
    has_base = "baseline" in set(ts["scenario"])
    has_bands = has_base and comparison is not None and "gain" in comparison
    fig, axes = plt.subplots(3 if has_bands else 2, 3, figsize=(15.6, 12.6 if has_bands else 8.6), layout="constrained")
    top = versus_baseline(ts, OUTCOMES[:3], ["seed", "step"]) if has_base else ts
    plots.time_paths(top, OUTCOMES[:3], "scenario", "", ax_list=list(axes[0]), difference=has_base)
    if has_bands:
        plots.gain_bands(list(axes[1]), comparison, OUTCOMES[:3], plots._groups(ts, "scenario"), bands)
    plots.time_paths(ts, ["firms_in_west", *COSTS], "scenario", "", ax_list=list(axes[-1]))
    fig.legends[1:] = []  # one legend for both rows
    fig.suptitle(f"East–West policies compared ({geo}): what each adds over the baseline, and what it costs\n"
                 + ("top: difference from the baseline run with the same seed at the point estimate; " if has_base else "")
                 + ("middle: final-year gain, both bands; " if has_bands else "")
                 + plots.band_note(int(ts.groupby("scenario", observed=True)["seed"].nunique().min())), fontsize=11)
    return fig


def county_gain_map(sweep_dir: Path, geo: str) -> Path:
    """Map figure: final-year gain over baseline (same seed) in each western county, per scenario."""
    from sim.runs.collect import load_regions

    west = uncertainty.point_estimate(load_regions(sweep_dir)).query("side == 'west'")
    gains = ["income_per_capita", "jobs_local"]
    delta = versus_baseline(west, gains, ["seed", "replication", "county"])
    delta = delta[delta["scenario"] != "baseline"]
    means = (delta.groupby(["scenario", "county"], observed=True)
             .agg(code=("code", "first"), lon=("lon", "first"), lat=("lat", "first"),
                  **{g: (g, "mean") for g in gains}).reset_index())
    n_seeds = int(delta.groupby("scenario", observed=True)["seed"].nunique().min())
    fig = plots.county_map(means, "income_per_capita", "jobs_local", "scenario",
                           f"Who gains? Final-year change over the baseline by western county ({geo})",
                           f"mean over {n_seeds} seeds of the same-seed difference; markers at "
                           "approximate county seats", outlines=boundaries.load(_geography_key(sweep_dir)))
    return plots.save(fig, sweep_dir / "figures" / "county_map")[0]


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
    lines = [f"  {labels.name(by)} {labels.value(by, r[by])}: {labels.name('west_tax_revenue').lower()} peaks at "
             f"{labels.name(x).lower()} = {labels.value(x, r[x])}" for _, r in best.iterrows()]
    return f"{text}\n" + "\n".join(lines) + f"\nFigure: {paths[0]}"


def labour_vs_industry(sweep_dir: Path) -> str:
    """Labour cooperation versus enclave parks at equal eastern cost: jobs, income, low-income share.

    Effects are paired differences from the baseline run with the same seed,
    also per 100 m yuan of the arm's measured eastern cost.
    """
    summary, ts = load_sweep(sweep_dir), load_timeseries(sweep_dir)
    metrics = ["west_jobs_local", "west_migrants_east", "west_income_per_capita", "low_income_share"]
    delta = versus_baseline(summary, metrics, ["seed"])
    arms = delta[delta["scenario"] != "baseline"].copy()
    cost = summary.groupby("scenario", observed=True)["east_programme_cost"].mean()
    for m in metrics:
        arms[f"{m}_per_100m"] = arms[m] / (arms["scenario"].map(cost).astype(float) / 1e8)
    table = ci_table(arms.sort_values("scenario"), "scenario", metrics + [f"{m}_per_100m" for m in ("west_jobs_local", "west_income_per_capita")])
    text = _fmt_table(table, ["scenario"], metrics, difference=True)
    per = "\n".join(f"  {labels.scenario(s)}: eastern cost {fmt(cost[s])} yuan/year; per 100 m yuan: "
                     f"{fmt(r['west_jobs_local_per_100m'])} local jobs, {fmt(r['west_income_per_capita_per_100m'])} yuan/year income per capita"
                     for s, r in table.set_index("scenario").iterrows())
    _write_table(sweep_dir, "labour_vs_industry", table, text)
    shown = ["west_income_per_capita", "low_income_share", "west_jobs_local"]
    fig = plots.time_paths(versus_baseline(ts, shown, ["seed", "step"]).query("scenario != 'baseline'"), shown, "scenario",
                           "Labour cooperation versus enclave parks at equal eastern cost: change over the "
                           "baseline run with the same seed", difference=True)
    paths = plots.save(fig, sweep_dir / "figures" / "labour_vs_industry")
    return f"Change over baseline in the final year, mean ± 95% CI half-width over seeds:\n{text}\n{per}\nFigure: {paths[0]}"


def sweep(sweep_dir: Path) -> str:
    """Any ad-hoc sweep: final-year outcomes and costs by the swept parameters (table and figure)."""
    summary = load_sweep(sweep_dir)
    keys = [c for c in summary.columns[: summary.columns.get_loc("job")]  # the parameters that vary
            if c != "run.seed" and summary[c].nunique() > 1]
    metrics = OUTCOMES + COSTS
    if not keys:
        return f"No parameter was swept besides the seed; the table is {sweep_dir / 'summary.parquet'}"
    table = ci_table(summary.sort_values(keys), keys, metrics)
    text = _fmt_table(table, keys, OUTCOMES) + "\n\nFiscal cost, final year:\n" + _fmt_table(table, keys, COSTS)
    _write_table(sweep_dir, "sweep", table, text)
    n_seeds = int(table["runs"].min())
    numeric = [k for k in keys if pd.api.types.is_numeric_dtype(summary[k]) and summary[k].nunique() > 1]
    if numeric:
        x = max(numeric, key=lambda k: summary[k].nunique())
        rest = [k for k in keys if k != x]
        by = rest[0] if rest else None
        title = f"Final-year outcomes by {labels.name(x).lower()}" + (f" and {labels.name(by).lower()}" if by else "")
        fig = plots.response(summary, x, metrics, by, title)
    else:
        by = keys[0]
        fig = plots.points(ci_table(summary.sort_values(by), by, metrics), by, metrics,
                           f"Final-year outcomes by {labels.name(by).lower()}", n_seeds)
    paths = plots.save(fig, sweep_dir / "figures" / "sweep")
    return f"Final year, mean ± 95% CI half-width over seeds:\n{text}\nFigure: {paths[0]}"


def sensitivity_indices(sweep_dir: Path) -> str:
    from sim.studies.sensitivity import report

    return report(sweep_dir)


REPORTS = {f.__name__: f for f in (policy_comparison, tax_share_sweep, labour_vs_industry)}
REPORTS.update(sensitivity_morris=sensitivity_indices, sensitivity_sobol=sensitivity_indices)


def report_dir(sweep_dir: Path, study: str | None = None) -> None:
    """Make and print the report of ``study`` (read from the sweep's first config if not given);
    a sweep with no study gets the generic :func:`sweep` report."""
    sweep_dir = Path(sweep_dir)
    if study is None:
        import yaml

        from sim.runs.collect import job_dirs

        cfg = yaml.safe_load((job_dirs(sweep_dir)[0] / "config.yaml").read_text())
        study = cfg.get("study")
    report = REPORTS.get(study) or sweep
    if study and study not in REPORTS:
        print(f"No report for study {study!r}; the generic sweep report follows.", file=sys.stderr)
    print(report(sweep_dir))
