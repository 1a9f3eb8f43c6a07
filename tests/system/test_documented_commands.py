"""Documented commands write only results/ (git-ignored): a clone's `git status` stays empty.

Each command of the README and docs/recipes.md is run, at a small size, in a fresh clone
of this repository with the clone's own code. The smoke calibration has its own test
(it is the slow one).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SMALL = ["run.years=1", "geography.n_firms=300"]


def _sh(args, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout")
    dest = tmp_path_factory.mktemp("clone") / "repo"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(dest)], check=True, timeout=120)
    for path in [
        *ROOT.glob("sim/**/*"),
        *ROOT.glob("configs/**/*"),
    ]:  # the working tree as it is, uncommitted edits included
        rel = path.relative_to(ROOT)
        if path.is_file() and "__pycache__" not in rel.parts:
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest / rel)
    subprocess.run(["git", "add", "-A"], cwd=dest, check=True)
    subprocess.run(
        [
            "git",
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-qm",
            "wt",
            "--allow-empty",
        ],
        cwd=dest,
        check=True,
    )
    return dest


def _status(repo: Path) -> str:
    return subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


PY = sys.executable
COMMANDS = {
    "one run": [PY, "-m", "sim.run", "scenario=enclave", *SMALL],
    "a sweep": [
        PY,
        "-m",
        "sim.run",
        "-m",
        "scenario=baseline,pairing",
        *SMALL,
        "hydra.sweep.dir=results/sweeps/doc_check",
    ],
    "collect with report": [PY, "-m", "sim.collect", "results/sweeps/doc_check", "--report"],
    "ODD tables check": [PY, "-m", "sim.report.docs", "--check"],
    "uncertain parameters": [PY, "-m", "sim.params.designs", "--list"],
    "evaluate": [
        PY,
        "-c",
        "import sim; print(sim.evaluate({'run.years': 1, 'geography.n_firms': 300})"
        "['west_jobs_local'])",
    ],
}


def test_documented_commands_leave_the_clone_clean(clone):
    before = _status(clone)
    assert before == ""
    for name, args in COMMANDS.items():
        r = _sh(args, clone)
        assert r.returncode == 0, f"{name}: {r.stderr[-2000:]}"
        assert _status(clone) == "", f"{name} changed tracked or unignored files:\n{_status(clone)}"
    assert any((clone / "results").rglob("summary.json"))  # the commands did write their results
