"""Collect a sweep's run directories into tidy tables: ``python -m sim.collect DIR``.

``summary.parquet``: one row per run (job × replication): the overridden
parameters as columns, then ``seed``, ``replication``, then the metrics.
``timeseries.parquet``: the same keys plus ``step``, ``year``, ``quarter``, one row per step.
``regions.parquet``: the same keys plus county, its GB/T 2260 code (docs/data.md), prefecture,
side, longitude and latitude, one row per run and county at the final step.
``scenario`` is an ordered categorical (baseline first); units are in the Parquet metadata.
Works on a finished, partial or copied-back sweep; incomplete runs are listed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import yaml

from sim.params.paths import SCENARIO_ORDER
from sim.runs import store as outputs
from sim.runs import sweep_record


def parse_override(text: str) -> tuple[str, object]:
    key, _, value = text.partition("=")
    key = key.lstrip("+~")
    try:
        parsed = yaml.safe_load(value)
    except yaml.YAMLError:
        parsed = value
    return key, parsed if isinstance(parsed, (int, float, str, bool)) or parsed is None else value


NOT_JOBS = {"figures"}


def job_dirs(sweep_dir: Path) -> list[Path]:
    """The job folders of a sweep (hidden folders and ``figures/`` are not jobs)."""
    return sorted(
        p
        for p in Path(sweep_dir).iterdir()
        if p.is_dir() and not p.name.startswith(".") and p.name not in NOT_JOBS
    )


def _job_rows(d: Path, marker: dict):
    """A complete job's summary rows, time series and final-step regions (None if it has none),
    keyed by its overridden parameters."""
    overrides = marker.get("overrides") if isinstance(marker.get("overrides"), list) else []
    params = dict(
        parse_override(str(o))
        for o in overrides
        if not str(o).startswith(("experiment=", "run.progress="))
    )
    data = json.loads((d / "summary.json").read_text(encoding="utf-8"))
    rows = [
        {**params, "job": d.name, **row} for row in (data if isinstance(data, list) else [data])
    ]
    ts = _keyed(pd.read_parquet(d / "timeseries.parquet"), params, d.name)
    reg = (
        _keyed(final_step(pd.read_parquet(d / "regions.parquet")), params, d.name)
        if (d / "regions.parquet").exists()
        else None
    )
    return rows, ts, reg


def _keyed(df: pd.DataFrame, params: dict, job: str) -> pd.DataFrame:
    """A run's table with the job's swept parameters and name as leading columns."""
    for i, (k, v) in enumerate(params.items()):
        df.insert(i, k, v)
    df.insert(len(params), "job", job)
    return df


def final_step(regions: pd.DataFrame) -> pd.DataFrame:
    """The rows of the last recorded step (of each replication); all rows of a table without
    steps."""
    if "step" not in regions.columns:
        return regions
    return regions[regions["step"] == regions["step"].max()].reset_index(drop=True)


def ordered(df: pd.DataFrame) -> pd.DataFrame:
    """``scenario`` as an ordered categorical: the usual order (baseline first), then others by
    name."""
    if "scenario" not in df.columns:
        return df
    present = set(df["scenario"].astype(str))
    order = [s for s in SCENARIO_ORDER if s in present] + sorted(present - set(SCENARIO_ORDER))
    return df.assign(scenario=pd.Categorical(df["scenario"].astype(str), order, ordered=True))


def _other_configuration(d: Path, marker: dict, shared: dict) -> list[str]:
    """How a job's config differs from the values its sweep folder records as shared (empty: it
    belongs)."""
    if not shared:
        return []
    try:
        config = yaml.safe_load((d / "config.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return ["config.yaml unreadable"]
    job = sweep_record.flat(config if isinstance(config, dict) else {})
    for k in design_row_keys(config):  # values a design row set belong to the job, not the sweep
        job[k] = shared.get(k, job.get(k))
    if marker.get("geography_sha256") is not None:
        job["geography.sha256"] = marker["geography_sha256"]
    return sweep_record.differences(shared, job)


def _shared_by_most(markers) -> dict:
    """Without a sweep record (``.sweep.json`` lost, say, by a copy that skips hidden files): the
    shared values most jobs recorded in their ``run.json``, so the others can be told apart."""
    from collections import Counter

    recorded = [
        m["sweep_shared"]
        for m in markers
        if m is not None and isinstance(m.get("sweep_shared"), dict)
    ]
    if not recorded:
        return {}
    counts = Counter(json.dumps(r, sort_keys=True, default=str) for r in recorded)
    return json.loads(max(counts, key=lambda k: (counts[k], k)))


def design_row_keys(config) -> list[str]:
    """Keys a job's design row (``sensitivity.sample``) set in its config."""
    from sim.params.designs import sample_values

    try:
        calibration = (config.get("run") or {}).get("calibration")
        return list(sample_values(config["sensitivity"], config["geography"]["name"], calibration))
    except (KeyError, TypeError, ValueError):
        return []


def one_type_per_column(df: pd.DataFrame) -> pd.DataFrame:
    """Columns of values of several types (``policy.name=1,abc``) as text, so a table can be
    stored."""
    for c in df.columns:
        if df[c].dtype == object:
            kinds = {
                type(v) for v in df[c] if v is not None and not (isinstance(v, float) and v != v)
            }
            if len(kinds) > 1:
                df[c] = df[c].map(
                    lambda v: v if v is None or (isinstance(v, float) and v != v) else str(v)
                )
    return df


def _names(names: list[str]) -> str:
    return ", ".join(names[:10]) + (" …" if len(names) > 10 else "")


def collect(sweep_dir: Path, write: bool = True, verbose: bool = True):
    """Tidy (summary, timeseries) DataFrames of every complete run in ``sweep_dir``; writes
    them and the final-step ``regions.parquet`` (see :func:`collect_tables`)."""
    return collect_tables(sweep_dir, write, verbose)[:2]


def collect_tables(sweep_dir: Path, write: bool = True, verbose: bool = True):
    """Tidy (summary, timeseries, regions) DataFrames of every complete run in ``sweep_dir``.

    Jobs made with another configuration than the one the folder records
    (``.sweep.json``) are left out; incomplete and never-started jobs are
    listed. A read-only copy is collected without writing the tables.
    """
    sweep_dir = Path(sweep_dir)
    if not sweep_dir.is_dir():
        raise FileNotFoundError(f"no sweep directory {sweep_dir}")
    record = sweep_record.read(sweep_dir) or {}
    summaries, series, regions, incomplete, other, hashes = [], [], [], [], [], set()
    present = job_dirs(sweep_dir)
    markers = {d: outputs.verified_marker(d) for d in present}
    shared = record.get("shared") or _shared_by_most(markers.values())
    for d, marker in markers.items():
        if marker is None:
            incomplete.append(d.name)
            continue
        if marker.get("kind", "run") != "run":  # a search worker: no tables of its own
            continue
        if marker.get("folder", d.name) != d.name:  # a folder renamed or swapped with another
            other.append(f"{d.name} (its results are those of {marker['folder']})")
            continue
        if _other_configuration(d, marker, shared):
            other.append(d.name)
            continue
        try:
            rows, ts, reg = _job_rows(d, marker)
        except (OSError, ValueError) as err:
            incomplete.append(f"{d.name} ({err})")
            continue
        hashes.add(marker.get("code_hash"))
        summaries += rows
        series.append(ts)
        if reg is not None:
            regions.append(reg)
    never = sorted(set(record.get("jobs", [])) - {d.name for d in present})
    summary = one_type_per_column(pd.DataFrame(summaries))
    timeseries, regions = (
        ordered(one_type_per_column(pd.concat(f, ignore_index=True))) if f else pd.DataFrame()
        for f in (series, regions)
    )
    if not summary.empty:
        keys = [c for c in summary.columns if c not in ("seed", "replication")]
        summary = summary.sort_values(["job", "replication"]).reset_index(drop=True)
        summary = summary[
            [
                *keys[: keys.index("job") + 1],
                "seed",
                "replication",
                *[c for c in keys[keys.index("job") + 1 :]],
            ]
        ]
        summary = ordered(summary)
    if write and not summary.empty:
        try:
            outputs.remove_stale_temp_files(sweep_dir)
            outputs.write_atomic(sweep_dir / "summary.parquet", outputs.parquet_bytes(summary))
            outputs.write_atomic(
                sweep_dir / "timeseries.parquet", outputs.parquet_bytes(timeseries)
            )
            if not regions.empty:
                outputs.write_atomic(sweep_dir / "regions.parquet", outputs.parquet_bytes(regions))
        except OSError as err:
            print(
                f"Note: tables not saved in {sweep_dir} ({err.strerror or err}); "
                "they are returned all the same.",
                file=sys.stderr,
            )
    if verbose and (len(hashes) > 1 or (hashes and outputs.code_hash() not in hashes)):
        print(
            "Note: some runs of this sweep were made by other versions of the model code "
            "(run.json code_hash differs); re-run the sweep to refresh them.",
            file=sys.stderr,
        )
    if verbose:
        jobs = summary["job"].nunique() if not summary.empty else 0
        notes = [
            f"{len(incomplete)} incomplete: {_names(incomplete)}" if incomplete else "",
            f"{len(never)} never started: {_names(never)}" if never else "",
            f"{len(other)} made with another configuration, left out: {_names(other)}"
            if other
            else "",
        ]
        print(
            f"Collected {len(summary)} runs from {jobs} jobs in {sweep_dir}"
            + "".join(f"; {n}" for n in notes if n),
            file=sys.stderr,
        )
    return summary, timeseries, regions


def _table_is_current(table: Path, sweep_dir: Path) -> bool:
    """True if ``table`` is newer than every job's marker and each job it lists still has one.

    A job added or redone since has a newer marker; a removed one has none.
    """
    try:
        built = table.stat().st_mtime_ns
        markers = [d / outputs.MARKER for d in job_dirs(sweep_dir) if (d / outputs.MARKER).exists()]
        if any(m.stat().st_mtime_ns > built for m in markers):
            return False
        jobs = set(pd.read_parquet(table, columns=["job"])["job"])
    except (OSError, ValueError, KeyError):
        return False
    return jobs <= {m.parent.name for m in markers}


def _sweep_table(path, name: str) -> pd.DataFrame:
    """A sweep's table ``name`` from its directory (collected again if stale) or from the parquet
    file."""
    path = Path(path)
    if path.is_dir():
        if not _table_is_current(path / name, path):
            tables = dict(zip(TABLES, collect_tables(path, verbose=False), strict=True))
            return tables[name]
        path = path / name
    if not path.exists():
        raise FileNotFoundError(
            f"no sweep table at {path}: run the sweep, or `python -m sim.collect DIR`"
        )
    return pd.read_parquet(path)


TABLES = ("summary.parquet", "timeseries.parquet", "regions.parquet")


def load_sweep(path) -> pd.DataFrame:
    """A sweep's tidy summary table (one row per run) from its directory or parquet file.

    From a directory, the stored table is checked against the job folders and
    collected again when a job was added, redone or removed since.
    """
    return _sweep_table(path, "summary.parquet")


def load_timeseries(path) -> pd.DataFrame:
    """A sweep's stacked per-step table from its directory (checked as in :func:`load_sweep`) or
    parquet file."""
    return _sweep_table(path, "timeseries.parquet")


def load_regions(path) -> pd.DataFrame:
    """A sweep's per-county table (one row per run × county, final step), checked as in
    :func:`load_sweep`."""
    return _sweep_table(path, "regions.parquet")
