"""The command line as a user meets it: run directories, refused input, the Python API."""

import json
import subprocess
import sys

import pandas as pd
import pytest

import sim
from sim.model.metrics import CONTRACT
from sim.params.schema import ConfigError
from sim.world.geography import GeographyError, from_dict, load_file
from tests.helpers import run_cli


def test_single_run_writes_the_run_directory(tmp_path):
    out = tmp_path / "run"
    r = run_cli("scenario=enclave", "run.years=2", "geography.n_firms=800", f"hydra.run.dir={out}")
    assert r.returncode == 0, r.stderr
    assert {p.name for p in out.iterdir()} == {
        "config.yaml",
        "summary.json",
        "timeseries.parquet",
        "regions.parquet",
        "run.json",
    }
    summary = json.loads((out / "summary.json").read_text())
    assert set(CONTRACT) <= set(summary)
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert len(ts) == 2 * 4 + 1 and set(CONTRACT) <= set(ts.columns)
    regions = pd.read_parquet(out / "regions.parquet")
    assert len(regions) == 9 * 145 and {"county", "side", "jobs_local"} <= set(regions.columns)
    run = json.loads((out / "run.json").read_text())
    assert (
        run["seeds"] == [0] and run["versions"]["mesa"].startswith("3.") and run["wall_time_s"] > 0
    )
    assert "git_revision" in run
    assert "policy:\n  name: enclave" in (out / "config.yaml").read_text()
    assert (
        "MESA" not in r.stderr and "Step 1 at time" not in r.stderr
    )  # Mesa's per-step INFO log is silenced


@pytest.mark.parametrize(
    "override,names",
    [
        ("policy.enclave.tax_share_east=1.5", ["policy.enclave.tax_share_east", "1.5", "[0, 1]"]),
        ("policy.pairing.aid_per_county=-5", ["policy.pairing.aid_per_county", "-5"]),
        ("run.years=0", ["run.years", "[1, 100]"]),
        ("run.seed=-1", ["run.seed"]),
        ("run.years=abc", ["run.years", "abc"]),
        ("policy.enclave.foo=1", ["policy.enclave.foo"]),
        ("scenario=utopia", ["scenario", "utopia"]),
        ("geography.name=atlantis", ["geography.name", "atlantis"]),
        ("geography.n_parks=10", ["geography.n_parks", "synthetic"]),
        ("geography.n_firms=0", ["geography.n_firms"]),
    ],
)
def test_bad_input_is_refused_with_a_message_naming_the_key(tmp_path, override, names):
    out = tmp_path / "run"
    r = run_cli(override, f"hydra.run.dir={out}", timeout=60)
    text = r.stdout + r.stderr
    assert r.returncode != 0
    for name in names:
        assert name in text, (name, text)
    assert "Traceback" not in text
    assert not out.exists() or not any(out.iterdir()), "a refused run left results behind"


def test_evaluate_runs_in_memory_and_refuses_bad_keys():
    s = sim.evaluate(
        {
            "scenario": "enclave",
            "run.seed": 3,
            "run.years": 1,
            "geography.n_firms": 500,
            "policy.enclave.tax_share_east": 0.5,
        }
    )
    assert set(CONTRACT) <= set(s) and s["firms_in_west"] >= 0
    assert s == sim.evaluate(
        {
            "scenario": "enclave",
            "run.seed": 3,
            "run.years": 1,
            "geography.n_firms": 500,
            "policy.enclave.tax_share_east": 0.5,
        }
    )
    with pytest.raises(ConfigError, match="policy.enclave.compliance"):
        sim.evaluate({"policy.enclave.compliance": 2})
    with pytest.raises(ConfigError, match="policy.nonsense"):
        sim.evaluate({"policy.nonsense": 1})


def _geo():
    import copy

    import yaml

    from sim.world.geography import data_path

    return copy.deepcopy(yaml.safe_load(data_path("fujian_ningxia").read_text()))


@pytest.mark.parametrize(
    "break_it,message",
    [
        (
            lambda g: g["pairs"].append({"east": "Nowhere", "west": g["counties"][-1]["name"]}),
            "Nowhere",
        ),
        (lambda g: g["counties"].append(dict(g["counties"][0])), "duplicate county name"),
        (lambda g: g["counties"][0].update(population=-3), "population"),
        (lambda g: g["parks"][0].update(capacity=-1), "capacity"),
        (lambda g: g["parks"][0].update(county="Atlantis"), "Atlantis"),
        (lambda g: g["economy"].pop("farm_income"), "economy.farm_income"),
    ],
)
def test_bad_geography_data_is_refused(break_it, message):
    g = _geo()
    break_it(g)
    with pytest.raises(GeographyError, match=message):
        from_dict(g, where="fujian_ningxia.yaml")


@pytest.mark.parametrize("name", ["shanghai_yunnan", "fujian_ningxia", "northeast"])
def test_shipped_geographies_load(name):
    g = load_file(name)
    assert g.n_east > 0 and g.n_west > 0 and g.n_parks >= g.n_west
    assert (g.partner[~g.is_west] == -1).all()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator settings")
def test_freed_arrays_are_reused_not_mapped_again():
    """``sim.run`` keeps freed memory (sim.runs.processes.keep_freed_memory): arrays of a few
    MB freed and made again cost no fresh page faults. By default glibc hands the freed heap
    back to the OS once more than twice its largest block is free, and faults it in again."""
    code = """
import resource, sys
import numpy as np
from sim.runs.processes import keep_freed_memory
if sys.argv[1] == "keep":
    keep_freed_memory()
def step():  # a step's temporaries: several 8 MB arrays alive at once, then freed
    return [np.ones(2**20) for _ in range(5)]
step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    step()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""
    faults = {
        mode: int(
            subprocess.run(
                [sys.executable, "-c", code, mode], capture_output=True, text=True, check=True
            ).stdout
        )
        for mode in ("keep", "default")
    }
    assert faults["keep"] < 500 < 10_000 < faults["default"], faults


@pytest.mark.parametrize(
    "argv, multirun",
    [
        (["run.years=1", "scenario=enclave"], False),
        (["-m", "run.seed=0,1", "run.years=1"], True),
        (["hydra.mode=RUN", "run.years=1"], False),
    ],
)
def test_hydra_takes_the_checked_config_as_it_would_compose_it(tmp_path, argv, multirun):
    """sim.run hands Hydra the config its check composed (sim.cli._composed_once): the same,
    hydra node and Hydra's added ``hydra.mode`` override included, as Hydra's own composition."""
    from hydra._internal.hydra import Hydra
    from hydra._internal.utils import create_automatic_config_search_path
    from hydra.core.global_hydra import GlobalHydra
    from hydra.types import RunMode
    from omegaconf import OmegaConf

    from sim import cli
    from sim.params import checks
    from sim.params.paths import CONFIG_DIR

    argv = [*argv, f"hydra.{'sweep' if multirun else 'run'}.dir={tmp_path}"]
    overrides = [a for a in argv if a != "-m"]
    name = cli._task_name()
    cfg = checks.check_command(argv, name)
    mode = RunMode.MULTIRUN if multirun else RunMode.RUN
    if cfg.hydra.mode is None:  # as Hydra's _run_app adds it
        overrides.append(f"hydra.mode={mode.name}")
    try:
        hydra = Hydra.create_main_hydra2(
            name, create_automatic_config_search_path(None, "sim.cli", str(CONFIG_DIR))
        )
        own = hydra.compose_config("config", list(overrides), run_mode=mode)
        with cli._composed_once(cfg, argv, name):
            taken = hydra.compose_config("config", list(overrides), run_mode=mode)
            again = hydra.compose_config("config", list(overrides), run_mode=mode)
    finally:
        GlobalHydra.instance().clear()
    assert taken is cfg and again is not cfg  # the check's config, once
    for composed in (taken, again):
        assert OmegaConf.to_yaml(composed) == OmegaConf.to_yaml(own)
        assert composed.hydra.mode == own.hydra.mode == mode
