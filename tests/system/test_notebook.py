"""The analysis notebook runs end to end on a tiny sweep made by the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "experiments" / "explore_sweep.ipynb"


@pytest.fixture(scope="module")
def tiny_sweep(tmp_path_factory) -> Path:
    """The main job in small: 2 scenarios, the point estimate and 2 parameter draws, 2 seeds, 1
    year."""
    sweep = tmp_path_factory.mktemp("sweep") / "tiny"
    cmd = [
        sys.executable,
        "-m",
        "sim.run",
        "-m",
        "experiment=policy_comparison",
        "scenario=baseline,enclave",
        "sensitivity.sample=-1,0,1",
        "sensitivity.n=2",
        "run.seed=0,1",
        "run.years=1",
        "geography.n_firms=500",
        "run.progress=off",
        f"hydra.sweep.dir={sweep}",
    ]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"sweep failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    summary = pd.read_parquet(sweep / "summary.parquet")
    assert len(summary) == 12, summary
    assert set(summary["scenario"]) == {"baseline", "enclave"}
    return sweep


@pytest.fixture
def kernel_python3(tmp_path, monkeypatch) -> str:
    """A ``python3`` kernelspec that runs this interpreter, found before any other."""
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python 3 (test)",
                "language": "python",
            }
        )
    )
    monkeypatch.setenv(
        "JUPYTER_PATH",
        os.pathsep.join([str(tmp_path / "jupyter"), os.environ.get("JUPYTER_PATH", "")]),
    )
    return "python3"


def test_notebook_is_saved_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    assert 'os.environ.get("SWEEP_DIR"' in code[0].source


def test_notebook_runs_on_tiny_sweep(tiny_sweep, kernel_python3):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    env = {
        **{k: v for k, v in os.environ.items() if k != "MPLBACKEND"},  # figures shown inline
        "SWEEP_DIR": str(tiny_sweep),
        # the kernel imports this checkout's sim, however (or whether) it is installed
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    client = nbclient.NotebookClient(
        nb,
        kernel_name=kernel_python3,
        timeout=120,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute(env=env)  # raises CellExecutionError, with the cell and traceback, on any error
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert not errors
    text = "\n".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )
    assert (
        str(tiny_sweep) in text and "12 runs: 2 scenarios" in text and "2 parameter draws" in text
    )
    html = "\n".join(
        str(o.get("data", {}).get("text/html", ""))
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    for heading in (
        "95% CI, seeds",
        "over draws",
        "per extra job",
        "Key counties",
        "min_wage_tier",
    ):
        assert heading in html, heading  # seed and draw bands apart, cost per job, for whom
    images = sum(
        "image/png" in o.get("data", {})
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    assert images >= 2


def test_the_notebook_speaks_of_the_current_design():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    for stale in (
        "× 10 seeds",
        "×10 seeds",
        "10,000 firms",
        "import sim.plots",
        "from sim.metrics",
    ):
        assert stale not in text, stale
