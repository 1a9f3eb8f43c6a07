"""What the report says about the machine and the code measured: CPU, versions, git, fingerprint."""

from __future__ import annotations

import datetime as _dt
import os
import platform
import subprocess

from benchmarks.harness import PY, ROOT


def machine_info() -> dict:
    """CPU, cores, memory, OS, Python and package versions, git revision, code fingerprint, date."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = None
    mem = None
    try:
        with open("/proc/meminfo") as fh:
            mem = int(fh.readline().split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    # imported here, not at the top: a --worker child times imports and must not have it loaded
    from importlib import metadata

    versions = {}
    for pkg in (
        "numpy",
        "mesa",
        "pandas",
        "pyarrow",
        "hydra-core",
        "omegaconf",
        "joblib",
        "pyinstrument",
    ):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "not installed"
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "sim", "configs"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        rev = (rev + ("-dirty" if dirty else "")) or "unknown"
    except (OSError, subprocess.SubprocessError):
        rev = "unknown"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "affinity": affinity,
        "memory": mem,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "python_exe": PY,
        "versions": versions,
        "git": rev,
        "fingerprint": code_fingerprint(),
        "date": _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
    }


def code_fingerprint() -> str:
    """Hash of the code and configs a benchmark runs (sim/, configs/, the reference
    implementation)."""
    import hashlib

    h = hashlib.sha256()
    paths = [
        *(ROOT / "sim").rglob("*.py"),
        *(ROOT / "sim").rglob("*.yaml"),
        *(ROOT / "configs").rglob("*.yaml"),
        ROOT / "tests" / "reference.py",
    ]
    for path in sorted(p for p in paths if p.is_file() and "__pycache__" not in p.parts):
        h.update(str(path.relative_to(ROOT)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:12]
