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

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "experiments" / "explore_sweep.ipynb"


@pytest.fixture(scope="module")
def tiny_sweep(tmp_path_factory) -> Path:
    sweep = tmp_path_factory.mktemp("sweep") / "tiny"
    cmd = [sys.executable, "-m", "sim.run", "-m", "scenario=baseline,enclave", "run.seed=0,1",
           "run.years=1", "geography.n_firms=500", f"hydra.sweep.dir={sweep}", "hydra/launcher=basic"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"sweep failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    summary = pd.read_parquet(sweep / "summary.parquet")
    assert len(summary) == 4, summary
    assert set(summary["scenario"]) == {"baseline", "enclave"}
    return sweep


@pytest.fixture
def kernel_python3(tmp_path, monkeypatch) -> str:
    """A ``python3`` kernelspec that runs this interpreter, found before any other."""
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (test)", "language": "python",
    }))
    monkeypatch.setenv("JUPYTER_PATH", os.pathsep.join([str(tmp_path / "jupyter"), os.environ.get("JUPYTER_PATH", "")]))
    return "python3"


def test_notebook_is_saved_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    assert 'os.environ.get("SWEEP_DIR"' in code[0].source


def test_notebook_runs_on_tiny_sweep(tiny_sweep, kernel_python3):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    env = {**os.environ, "SWEEP_DIR": str(tiny_sweep), "MPLBACKEND": "Agg",
           # the kernel imports this checkout's sim, however (or whether) it is installed
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    client = nbclient.NotebookClient(nb, kernel_name=kernel_python3, timeout=120,
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute(env=env)  # raises CellExecutionError, with the cell and traceback, on any error
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert str(tiny_sweep) in text and "4 runs" in text
