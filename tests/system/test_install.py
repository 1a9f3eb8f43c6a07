"""The package as a user installs it: a non-editable wheel, run from an unrelated folder.

Runs as ``make test-install`` (≈10 s: builds a wheel, makes a venv), not in ``make test``.
The fresh venv takes the third-party dependencies from the test's own environment through a
``.pth`` line (no network), while ``sim`` and its configs come only from the wheel — the test
checks that.
"""

import json
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.install


def _sh(*cmd, cwd, timeout=300) -> subprocess.CompletedProcess:
    r = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    assert r.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{r.stdout}\n{r.stderr}"
    return r


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """Python of a fresh venv with the project's wheel installed (not editable)."""
    tmp = tmp_path_factory.mktemp("install")
    _sh(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-q",
        "-w",
        tmp / "dist",
        ROOT,
        cwd=tmp,
    )
    wheel = next((tmp / "dist").glob("sim-*.whl"))
    _sh(sys.executable, "-m", "venv", "--without-pip", tmp / "venv", cwd=tmp)
    py = tmp / "venv" / "bin" / "python"
    site = Path(
        _sh(
            py, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp
        ).stdout.strip()
    )
    (site / "deps.pth").write_text(
        sysconfig.get_path("purelib") + "\n"
    )  # dependencies only, appended last
    _sh(sys.executable, "-m", "pip", "--python", py, "install", "--no-deps", "-q", wheel, cwd=tmp)
    return py


def test_the_wheel_ships_the_configs_and_imports_from_site_packages(installed, tmp_path):
    r = _sh(
        installed,
        "-c",
        "import sim, sim.params.compose; print(sim.__file__); print(sim.params.compose.CONFIG_DIR)",
        cwd=tmp_path,
    )
    module, configs = r.stdout.split()
    assert str(installed.parent.parent) in module and ROOT.as_posix() not in module
    assert Path(configs) == Path(module).parent / "configs"
    assert (Path(configs) / "scenario" / "enclave.yaml").is_file()


def test_a_scenario_runs_from_an_unrelated_folder(installed, tmp_path):
    _sh(
        installed,
        "-m",
        "sim.run",
        "scenario=enclave",
        "run.years=1",
        "geography.n_firms=500",
        "hydra.run.dir=out",
        cwd=tmp_path,
    )
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert (
        summary["firms_in_west"] >= 0
        and "enclave" in (tmp_path / "out" / "config.yaml").read_text()
    )


def test_evaluate_and_a_sweep_with_the_sim_sweeper_work_installed(installed, tmp_path):
    code = (
        "import sim; m = sim.evaluate({'scenario': 'full', 'run.years': 1, "
        "'geography.n_firms': 400}); "
        "print(m['west_jobs_local'] > 0)"
    )
    assert _sh(installed, "-c", code, cwd=tmp_path).stdout.strip() == "True"
    _sh(
        installed,
        "-m",
        "sim.run",
        "-m",
        "scenario=baseline,pairing",
        "run.years=1",
        "geography.n_firms=400",
        "hydra.sweep.dir=sweep",
        cwd=tmp_path,
    )
    import pandas as pd

    assert sorted(
        pd.read_parquet(tmp_path / "sweep" / "summary.parquet")["scenario"].astype(str)
    ) == ["baseline", "pairing"]
