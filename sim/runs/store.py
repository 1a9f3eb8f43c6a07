"""Run directories (README, Outputs): atomic writes, completeness checks for resume."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

RESULT_FILES = ("config.yaml", "summary.json", "timeseries.parquet", "regions.parquet")
#: the files a complete job holds, by the ``kind`` its marker names: a model run (the default),
#: or a worker of the policy search (whose results are in the sweep's search folder)
JOB_FILES = {"run": RESULT_FILES, "search_worker": ("config.yaml", "worker.json")}
MARKER = "run.json"  # written last: a run directory is complete when its marker checks out


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temp file and rename, so readers never see half a file."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def parquet_bytes(df) -> bytes:
    """Parquet of ``df``; each column with a known unit carries it in its field metadata
    (``unit``, ``description``) and the file lists them all under ``sim.units`` (JSON)."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    units = column_units(df.columns)
    fields = [
        f.with_metadata({"unit": units[f.name][0], "description": units[f.name][1]})
        if f.name in units
        else f
        for f in table.schema
    ]
    meta = {
        **(table.schema.metadata or {}),
        b"sim.units": json.dumps({k: u for k, (u, _) in units.items()}).encode(),
    }
    table = table.cast(pa.schema(fields, metadata=meta))
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def column_units(columns) -> dict[str, tuple[str, str]]:
    """(unit, meaning) of the outcome, per-county outcome and config-key columns among
    ``columns``."""
    from sim.model.metrics import METRICS, REGION_ATTRIBUTES, REGION_METRICS
    from sim.params.schema import schema_fields

    known = {
        **{k: (f.metadata["unit"], f.metadata["doc"]) for k, f in schema_fields()},
        **REGION_METRICS,
        **REGION_ATTRIBUTES,
        **METRICS,
        "year": ("year", "calendar year"),
        "code": (
            "-",
            "GB/T 2260 administrative division code (missing where the row is no single division)",
        ),
        "quarter": ("quarter", "quarter of the year, 1–4"),
        "lon": ("degrees east", "longitude of the county seat (approximate, illustrative)"),
        "lat": ("degrees north", "latitude of the county seat (approximate, illustrative)"),
    }
    return {c: known[c] for c in columns if c in known}


def units(path) -> dict[str, str]:
    """Column → unit of a Parquet file written here: ``sim.runs.store.units("summary.parquet")``."""
    import pyarrow.parquet as pq

    return json.loads((pq.read_schema(path).metadata or {}).get(b"sim.units", b"{}"))


def json_bytes(obj) -> bytes:
    return (json.dumps(obj, indent=1, sort_keys=False, allow_nan=True) + "\n").encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


SIMULATION_LAYERS = ("world", "params", "model", "runs")


@functools.cache
def code_hash() -> str:
    """Hash of the code and data a simulation depends on (the world, params, model and runs
    layers): results of other code are not reused. Reporting, analysis and the dashboard may
    change freely; parameter values (draws, calibrated values) travel in ``config_hash``."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for p in sorted(p for layer in SIMULATION_LAYERS for p in (root / layer).rglob("*")):
        rel = p.relative_to(root)
        if (
            p.suffix in (".py", ".yaml", ".csv")
            and "__pycache__" not in p.parts
            and not _geography_data(rel)
        ):
            h.update(str(rel).encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def _geography_data(rel: Path) -> bool:
    """A data file of one geography (``world/<name>/...``): it travels in the run's geography
    digest (``sim.world.geography.content_digest``) if the run uses it, so a new or edited data
    file of another geography, or a calibration's draws, recomputes nothing."""
    return rel.parts[0] == "world" and len(rel.parts) > 2 and rel.suffix != ".py"


def config_hash(config_yaml: str) -> str:
    return sha256((config_yaml + code_hash()).encode())[:16]


def _git(*args: str) -> subprocess.CompletedProcess:
    """A git command in the package's checkout (its output as text; at most 5 s)."""
    return subprocess.run(
        ["git", *args],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        timeout=5,
    )


@functools.cache
def git_revision() -> str:
    try:
        out = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
        return (
            out.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
            if out.returncode == 0
            else "unknown"
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("mesa", "numpy", "pandas", "pyarrow", "hydra-core", "sim"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def _is_own_file(name) -> bool:
    """True for a plain file name: a marker never makes us read outside its run folder."""
    return (
        isinstance(name, str)
        and name not in ("", ".", "..")
        and "/" not in name
        and "\\" not in name
    )


MAX_MARKER_BYTES = 16 * 2**20  # a run.json is a few KB; a larger one is not ours


def regular_file(path: Path):
    """An open binary handle on ``path`` if it is a regular file in its folder (not a symlink,
    FIFO or device, which could block a reader or never end), else None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    import stat

    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    return os.fdopen(fd, "rb")


def file_sha256(path: Path) -> str | None:
    """SHA-256 of a regular file, read in blocks (None if it is not one or cannot be read)."""
    fh = regular_file(path)
    if fh is None:
        return None
    h = hashlib.sha256()
    try:
        with fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return None
    return h.hexdigest()


def verified_marker(run_dir: Path) -> dict | None:
    """The run's marker if it is well formed, lists the files its kind of job must hold
    (:data:`JOB_FILES`), and every file it lists is present and unchanged.

    A malformed marker (not JSON, not a mapping, odd file names or checksums)
    counts as an incomplete run: the run is redone, never trusted or blocking. The
    marker and the files it lists must be regular files of the run folder: a FIFO or
    a symlink (to ``/dev/zero``, say) counts as incomplete too, without being read.
    """
    fh = regular_file(Path(run_dir) / MARKER)
    if fh is None:
        return None
    try:
        with fh:
            marker = json.loads(fh.read(MAX_MARKER_BYTES + 1).decode("utf-8"))
    except (OSError, ValueError):
        return None
    files = marker.get("files") if isinstance(marker, dict) else None
    required = JOB_FILES.get(marker.get("kind", "run")) if isinstance(marker, dict) else None
    if not isinstance(files, dict) or required is None or not set(files) >= set(required):
        return None
    for name, digest in files.items():
        if not _is_own_file(name) or not isinstance(digest, str):
            return None
        if file_sha256(Path(run_dir) / name) != digest:
            return None
    return marker


def is_complete(run_dir: Path, cfg_hash: str) -> bool:
    """True if ``run_dir`` holds every result file, unchanged, for this config and code."""
    marker = verified_marker(run_dir)
    return marker is not None and marker.get("config_hash") == cfg_hash


def _writer_alive(tmp: Path) -> bool:
    """True if the process named in a temp file (``.NAME.PID.tmp``) is still running here."""
    try:
        pid = int(tmp.name.rsplit(".", 2)[1])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return pid != os.getpid()


def remove_stale_temp_files(folder: Path) -> None:
    """Delete temp files left by killed writes (``write_atomic`` names them ``.NAME.PID.tmp``)."""
    for tmp in Path(folder).glob(".*.tmp"):
        if not _writer_alive(tmp):
            tmp.unlink(missing_ok=True)


def write_run(run_dir: Path, files: dict[str, bytes], info: dict) -> None:
    """Write result files atomically, then the marker with their checksums."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(run_dir)
    (run_dir / MARKER).unlink(missing_ok=True)  # an old marker must not vouch for new files
    for name, data in files.items():
        write_atomic(run_dir / name, data)
    marker = dict(
        info,
        files={name: sha256(data) for name, data in files.items()},
        versions=versions(),
        git_revision=git_revision(),
        argv=sys.argv,
    )
    write_atomic(run_dir / MARKER, json_bytes(marker))


def hold_folder(folder: Path, lock_name: str, refusal: str, holder_note: str = ""):
    """Take ``folder`` for this process with an exclusive lock on ``folder/lock_name``
    (released when the process ends, even if killed); keep the returned file open.

    A second holder is refused with ``refusal`` formatted with ``holder`` (who has it,
    as the first holder wrote it: pid, host and ``holder_note``).
    """
    import fcntl
    import socket

    from sim.params.schema import ConfigError

    folder.mkdir(parents=True, exist_ok=True)
    handle = open(folder / lock_name, "a+")  # noqa: SIM115 - held open while the folder is used
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise ConfigError(refusal.format(holder=holder)) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()} on {socket.gethostname()}{holder_note}\n")
    handle.flush()
    return handle
