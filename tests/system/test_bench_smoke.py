"""Keeps ``benchmarks/run.py`` working: a quick run of a cheap case into a temporary report.

Marked ``bench``: excluded from ``make test``; run with ``pytest -m bench``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "run.py"

pytestmark = pytest.mark.bench


def bench(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_lists_its_cases():
    proc = bench("--list")
    assert proc.returncode == 0, proc.stderr
    names = [line.split()[0] for line in proc.stdout.splitlines() if line.strip()]
    for name in (
        "startup",
        "default",
        "national",
        "anatomy",
        "national_200k",
        "breakdown",
        "scaling",
        "reference",
        "sweep",
        "profile",
    ):
        assert name in names


def test_quick_default_case_writes_a_report(tmp_path):
    out = tmp_path / "nested" / "bench.md"
    report = ROOT / "docs" / "benchmarks.md"
    before = report.stat().st_mtime_ns if report.exists() else None
    proc = bench("--quick", "--only", "default", "--output", str(out))
    assert proc.returncode == 0, proc.stderr[-4000:]
    text = out.read_text(encoding="utf-8")
    for heading in (
        "# Benchmarks",
        "## Machine",
        "## Method",
        "## Targets",
        "## Whole-process timings",
    ):
        assert heading in text
    assert "Partial or quick run" in text
    assert "default: `python -m sim.run`" in text
    row = next(
        line for line in text.splitlines() if line.startswith("| default run beyond interpreter")
    )
    assert "**met**" in row or "**not met**" in row  # measured, with a verdict
    assert "not measured" in text  # the cases not run are reported as such
    assert "numpy" in text and "mesa" in text and "Python" in text
    assert not list(out.parent.glob(".*.tmp"))  # written atomically, no temp file left
    assert (report.stat().st_mtime_ns if report.exists() else None) == before  # --output respected


def test_quick_anatomy_times_the_real_entry_point(tmp_path):
    """The national run timed from inside: every part measured, and they account for the whole
    (so the case still wraps what ``python -m sim.run`` calls)."""
    out = tmp_path / "bench.md"
    proc = bench("--quick", "--only", "anatomy", "--output", str(out))
    assert proc.returncode == 0, proc.stderr[-4000:]
    text = out.read_text(encoding="utf-8")
    assert "## The national run as one process" in text
    section = text.split("## The national run as one process", 1)[1]
    rows = {
        cells[1].strip(): float(cells[2])
        for cells in (line.split("|") for line in section.splitlines())
        if len(cells) > 3 and cells[2].strip().replace(".", "", 1).isdigit()
    }
    whole = rows.pop("whole process")
    rows.pop("for scale: `python -c 'import mesa'`")
    assert len(rows) == 8 and all(v >= -0.01 for v in rows.values())
    assert rows["model steps: `model.run()`"] > 0.5 * whole  # the steps are most of the run
    assert abs(sum(rows.values()) - whole) < 0.01  # one round: the parts add up
