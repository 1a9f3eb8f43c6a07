"""A sweep folder's record (``.sweep.json``): the configuration all its jobs share.

A named study resumes in place (``results/sweeps/<study>/``). Re-running it
with another non-swept value (``run.years=5`` after a run with the default)
would put jobs of two configurations in one table. The sweeper therefore
records the values every job of the sweep shares, refuses a later sweep into
the same folder whose shared values differ, and :func:`sim.collect.collect`
leaves out any job whose config disagrees with the record.
"""

from __future__ import annotations

import json
from pathlib import Path

from sim.runs import store as outputs

RECORD = ".sweep.json"
LOCK = ".sweep.lock"
IGNORED = {"run.progress"}  # settings that do not change results


def flat(config: dict, prefix: str = "") -> dict[str, object]:
    """``{"run": {"years": 2}}`` → ``{"run.years": 2}`` (plain values only)."""
    out = {}
    for k, v in config.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flat(v, key + "."))
        elif key not in IGNORED:
            out[key] = v
    return out


def shared_values(configs: list[dict]) -> dict[str, object]:
    """The keys whose values are the same in every one of ``configs`` (flattened job configs)."""
    first, rest = configs[0], configs[1:]
    return {k: v for k, v in first.items() if all(k in c and c[k] == v for c in rest)}


def read(sweep_dir: Path) -> dict | None:
    fh = outputs.regular_file(Path(sweep_dir) / RECORD)  # a FIFO or device is no record
    if fh is None:
        return None
    try:
        with fh:
            record = json.loads(fh.read(outputs.MAX_MARKER_BYTES + 1).decode("utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and isinstance(record.get("shared"), dict) else None


def differences(shared: dict, job: dict) -> list[str]:
    """Keys a job (or a new sweep's shared values) sets differently from the record's shared
    values."""
    out = []
    for k, v in shared.items():
        if k not in job:
            out.append(f"{k} = {v!r} there, swept now")
        elif job[k] != v:
            out.append(f"{k} = {v!r} there, {job[k]!r} now")
    return out


def check_and_record(sweep_dir: Path, shared: dict, has_jobs: bool) -> None:
    """Record ``shared`` for a new sweep folder; refuse one whose earlier jobs share other
    values."""
    from sim.params.schema import ConfigError

    sweep_dir = Path(sweep_dir)
    old = read(sweep_dir)
    if old is not None and has_jobs:
        diff = differences(old["shared"], shared)
        if diff:
            raise ConfigError(
                f"{sweep_dir} already holds jobs made with another configuration ("
                + "; ".join(diff[:5])
                + ("; …" if len(diff) > 5 else "")
                + "). One folder holds one study, so nothing was run. Choose another folder, e.g. "
                f"hydra.sweep.dir={sweep_dir}_2, or delete the old one to start again."
            )
        return
    sweep_dir.mkdir(parents=True, exist_ok=True)
    outputs.write_atomic(sweep_dir / RECORD, outputs.json_bytes({"shared": shared}))


def record_jobs(sweep_dir: Path, names: list[str]) -> None:
    """Add the job folders the latest sweep asked for, so collection can name jobs that never
    started."""
    record = read(sweep_dir) or {"shared": {}}
    record["jobs"] = sorted(set(names))
    outputs.write_atomic(Path(sweep_dir) / RECORD, outputs.json_bytes(record))


def lock(sweep_dir: Path):
    """Hold the sweep folder for this process (released when it ends, even if killed).

    Two sweeps into one folder at once would both pass the record check and mix
    their jobs; the second is refused instead. Returns the open lock file (keep it).
    """
    sweep_dir = Path(sweep_dir)
    return outputs.hold_folder(
        sweep_dir,
        LOCK,
        f"{sweep_dir} is in use by another sweep right now ({{holder}}). Wait for it to end, "
        "or choose another folder with hydra.sweep.dir=...; nothing was run.",
    )
