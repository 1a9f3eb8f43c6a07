"""Study reports: each named experiment (configs/experiment/) names its study, a module of
:mod:`sim.studies` with a ``report(sweep_dir) -> str`` function; this module finds it by name,
holds the helpers the studies share and the generic report of an ad-hoc sweep.

Called by the sweep callback when a multirun with ``study`` set ends, or by
``python -m sim.collect DIR --report``.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pandas as pd

from sim.analysis.stats import ci_table, fmt
from sim.report import figures as plots
from sim.report import labels
from sim.runs import store as outputs
from sim.runs.collect import load_sweep

OUTCOMES = ["west_jobs_local", "west_income_per_capita", "low_income_share", "firms_in_west"]
COSTS = ["west_fiscal_cost", "east_programme_cost"]


def study_report(study: str | None):
    """The ``report`` function of the study module ``sim.studies.<study>`` (None if there is
    none)."""
    if not study or not str(study).isidentifier():
        return None
    try:
        module = importlib.import_module(f"sim.studies.{study}")
    except ModuleNotFoundError as err:
        if err.name != f"sim.studies.{study}":
            raise  # the study exists but one of its imports is missing: say so
        return None
    return getattr(module, "report", None)


def own_tables(study: str | None) -> bool:
    """True for a study whose jobs keep their results in their own store, not as runs to
    collect (the policy search's workers: ``OWN_TABLES`` in its module)."""
    report = study_report(study)
    return bool(report and getattr(sys.modules[report.__module__], "OWN_TABLES", False))


def _cell(table_row, m: str) -> str:
    """``mean ± half-width of the 95% CI``, shares in percent."""
    f = 100.0 if labels.is_share(m) else 1.0
    half = (table_row[f"{m}_hi"] - table_row[f"{m}_lo"]) / 2
    return f"{fmt(table_row[m] * f)} ± {fmt(half * f)}"


def fmt_table(
    table: pd.DataFrame, keys: list[str], metrics: list[str], difference: bool = False
) -> str:
    """Plain-text table (pandas): keys (left-aligned), runs, then mean ± 95% CI half-width per
    metric
    with the unit in the header (``difference``: changes over the baseline; shares in percentage
    points)."""
    shown = pd.DataFrame()
    for k in keys:
        cells = [labels.scenario(v) if k == "scenario" else labels.value(k, v) for v in table[k]]
        width = max(len(labels.name(k)), *map(len, cells))
        shown[labels.name(k).ljust(width)] = [c.ljust(width) for c in cells]
    shown["runs"] = table["runs"].astype(int).to_numpy()
    for m in metrics:
        shown[labels.axis(m, difference)] = [_cell(r, m) for _, r in table.iterrows()]
    return shown.to_string(index=False)


def write_table(sweep_dir: Path, name: str, table: pd.DataFrame, text: str) -> None:
    outputs.write_atomic(sweep_dir / f"{name}.csv", table.to_csv(index=False).encode())
    outputs.write_atomic(sweep_dir / f"{name}.txt", (text + "\n").encode())


def geography_key(sweep_dir: Path) -> str:
    """The sweep's ``geography.name`` (a folder under sim/world for the shipped ones), '?' if
    unknown."""
    import yaml

    from sim.runs.collect import job_dirs

    try:
        cfg = yaml.safe_load((job_dirs(sweep_dir)[0] / "config.yaml").read_text())
        return str(cfg["geography"]["name"])
    except (OSError, IndexError, KeyError, TypeError):
        return "?"


def geography_name(sweep_dir: Path) -> str:
    """Display name of the sweep's geography (from its first job's config), '?' if unknown."""
    key = geography_key(sweep_dir)
    return "?" if key == "?" else labels.geography(key)


def sweep(sweep_dir: Path) -> str:
    """Any ad-hoc sweep: final-year outcomes and costs by the swept parameters (table and
    figure)."""
    summary = load_sweep(sweep_dir)
    keys = [
        c
        for c in summary.columns[: summary.columns.get_loc("job")]  # the parameters that vary
        if c != "run.seed" and summary[c].nunique() > 1
    ]
    metrics = OUTCOMES + COSTS
    if not keys:
        return (
            f"No parameter was swept besides the seed; the table is {sweep_dir / 'summary.parquet'}"
        )
    table = ci_table(summary.sort_values(keys), keys, metrics)
    text = (
        fmt_table(table, keys, OUTCOMES)
        + "\n\nFiscal cost, final year:\n"
        + fmt_table(table, keys, COSTS)
    )
    write_table(sweep_dir, "sweep", table, text)
    n_seeds = int(table["runs"].min())
    numeric = [
        k for k in keys if pd.api.types.is_numeric_dtype(summary[k]) and summary[k].nunique() > 1
    ]
    if numeric:
        x = max(numeric, key=lambda k: summary[k].nunique())
        rest = [k for k in keys if k != x]
        by = rest[0] if rest else None
        title = f"Final-year outcomes by {labels.name(x).lower()}" + (
            f" and {labels.name(by).lower()}" if by else ""
        )
        fig = plots.response(summary, x, metrics, by, title)
    else:
        by = keys[0]
        fig = plots.points(
            ci_table(summary.sort_values(by), by, metrics),
            by,
            metrics,
            f"Final-year outcomes by {labels.name(by).lower()}",
            n_seeds,
        )
    paths = plots.save(fig, sweep_dir / "figures" / "sweep")
    return f"Final year, mean ± 95% CI half-width over seeds:\n{text}\nFigure: {paths[0]}"


def report_dir(sweep_dir: Path, study: str | None = None) -> None:
    """Make and print the report of ``study`` (read from the sweep's first config if not given);
    a sweep with no study gets the generic :func:`sweep` report."""
    sweep_dir = Path(sweep_dir)
    if study is None:
        import yaml

        from sim.runs.collect import job_dirs

        cfg = yaml.safe_load((job_dirs(sweep_dir)[0] / "config.yaml").read_text())
        study = cfg.get("study")
    report = study_report(study)
    if study and report is None:
        print(f"No report for study {study!r}; the generic sweep report follows.", file=sys.stderr)
    print((report or sweep)(sweep_dir))
