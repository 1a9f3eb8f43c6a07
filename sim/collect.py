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

import argparse
import json
import sys
from pathlib import Path

import pandas as pd
import yaml

from . import outputs


def parse_override(text: str) -> tuple[str, object]:
    key, _, value = text.partition("=")
    key = key.lstrip("+~")
    try:
        parsed = yaml.safe_load(value)
    except yaml.YAMLError:
        parsed = value
    return key, parsed if isinstance(parsed, (int, float, str, bool)) or parsed is None else value


def verified_marker(run_dir: Path) -> dict | None:
    """The run's marker if every file it lists is present and unchanged, else None."""
    try:
        marker = json.loads((run_dir / outputs.MARKER).read_text())
        for name, digest in marker["files"].items():
            if outputs.sha256((run_dir / name).read_bytes()) != digest:
                return None
        return marker
    except (OSError, ValueError, KeyError):
        return None


NOT_JOBS = {"figures"}


def job_dirs(sweep_dir: Path) -> list[Path]:
    """The job folders of a sweep (hidden folders and ``figures/`` are not jobs)."""
    return sorted(p for p in Path(sweep_dir).iterdir()
                  if p.is_dir() and not p.name.startswith(".") and p.name not in NOT_JOBS)


def collect(sweep_dir: Path, write: bool = True, verbose: bool = True):
    """Tidy (summary, timeseries) DataFrames of every complete run in ``sweep_dir``."""
    sweep_dir = Path(sweep_dir)
    if not sweep_dir.is_dir():
        raise FileNotFoundError(f"no sweep directory {sweep_dir}")
    summaries, series, regions, missing, hashes = [], [], [], [], set()
    for d in job_dirs(sweep_dir):
        marker = verified_marker(d)
        if marker is None:
            missing.append(d.name)
            continue
        params = dict(parse_override(o) for o in marker.get("overrides", [])
                      if not o.startswith(("experiment=", "run.progress=")))
        hashes.add(marker.get("code_hash"))
        data = json.loads((d / "summary.json").read_text())
        for row in data if isinstance(data, list) else [data]:
            summaries.append({**params, "job": d.name, **row})
        series.append(_keyed(pd.read_parquet(d / "timeseries.parquet"), params, d.name))
        if (d / "regions.parquet").exists():
            regions.append(_keyed(final_step(pd.read_parquet(d / "regions.parquet")), params, d.name))
    summary = pd.DataFrame(summaries)
    timeseries, regions = (ordered(pd.concat(f, ignore_index=True)) if f else pd.DataFrame()
                           for f in (series, regions))
    if not summary.empty:
        keys = [c for c in summary.columns if c not in ("seed", "replication")]
        summary = summary.sort_values(["job", "replication"]).reset_index(drop=True)
        summary = summary[[*keys[: keys.index("job") + 1], "seed", "replication",
                           *[c for c in keys[keys.index("job") + 1:]]]]
        summary = ordered(summary)
    if write and not summary.empty:
        outputs.write_atomic(sweep_dir / "summary.parquet", outputs.parquet_bytes(summary))
        outputs.write_atomic(sweep_dir / "timeseries.parquet", outputs.parquet_bytes(timeseries))
        if not regions.empty:
            outputs.write_atomic(sweep_dir / "regions.parquet", outputs.parquet_bytes(regions))
    if verbose and (len(hashes) > 1 or (hashes and outputs.code_hash() not in hashes)):
        print("Note: some runs of this sweep were made by other versions of the model code "
              "(run.json code_hash differs); re-run the sweep to refresh them.", file=sys.stderr)
    if verbose:
        print(f"Collected {len(summary)} runs from {summary['job'].nunique() if not summary.empty else 0} jobs in {sweep_dir}"
              + (f"; {len(missing)} incomplete: {', '.join(missing[:10])}{' …' if len(missing) > 10 else ''}"
                 if missing else ""), file=sys.stderr)
    return summary, timeseries


def _keyed(df: pd.DataFrame, params: dict, job: str) -> pd.DataFrame:
    """A run's table with the job's swept parameters and name as leading columns."""
    for i, (k, v) in enumerate(params.items()):
        df.insert(i, k, v)
    df.insert(len(params), "job", job)
    return df


def final_step(regions: pd.DataFrame) -> pd.DataFrame:
    """The rows of the last recorded step (of each replication)."""
    return regions[regions["step"] == regions["step"].max()].reset_index(drop=True)


def ordered(df: pd.DataFrame) -> pd.DataFrame:
    """``scenario`` as an ordered categorical: the usual order (baseline first), then others by name."""
    from .labels import SCENARIOS

    if "scenario" not in df.columns:
        return df
    present = set(df["scenario"].astype(str))
    order = [s for s in SCENARIOS if s in present] + sorted(present - set(SCENARIOS))
    return df.assign(scenario=pd.Categorical(df["scenario"].astype(str), order, ordered=True))


def load_sweep(path) -> pd.DataFrame:
    """A sweep's tidy summary table (one row per run) from its directory or parquet file."""
    return _load(path, "summary.parquet")


def load_timeseries(path) -> pd.DataFrame:
    """A sweep's stacked per-step table from its directory or parquet file."""
    return _load(path, "timeseries.parquet")


def load_regions(path) -> pd.DataFrame:
    """A sweep's per-county table (one row per run × county, final step) from its directory or file."""
    return _load(path, "regions.parquet")


def _load(path, name: str) -> pd.DataFrame:
    path = Path(path)
    if path.is_dir():
        if not (path / name).exists():
            collect(path)
        path = path / name
    if not path.exists():
        raise FileNotFoundError(f"no table at {path}: run the sweep, or `python -m sim.collect DIR`")
    return pd.read_parquet(path)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sim.collect", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sweep_dir", type=Path)
    ap.add_argument("--report", action="store_true", help="also make the study's table and figures")
    args = ap.parse_args(argv)
    try:
        summary, _ = collect(args.sweep_dir)
    except FileNotFoundError as err:
        print(f"sim.collect: {err}", file=sys.stderr)
        return 2
    if args.report and not summary.empty:
        from . import studies

        studies.report_dir(args.sweep_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
