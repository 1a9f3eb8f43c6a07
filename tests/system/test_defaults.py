"""One calibrated model, however it is built: ``sim.TransferModel()``, ``sim.evaluate``, the
command line and the dashboard start from the same parameter values."""

from __future__ import annotations

import dataclasses
import warnings

import pytest
from omegaconf import OmegaConf

import sim
from sim.dashboard.view import View
from sim.model import transfer
from sim.params.draws import load_point
from sim.params.schema import Config
from tests.helpers import run_cli

SECTIONS = ("geography", "policy", "economy")  # the parameters (run.* holds seeds and lengths)


class _Built(Exception):
    """Raised by the spy once a model has its config: nothing needs to run."""


def _parameters(cfg) -> dict:
    tree = dataclasses.asdict(cfg) if isinstance(cfg, Config) else OmegaConf.to_container(cfg)
    return {
        "calibration": tree["run"]["calibration"],
        **{s: tree[s] for s in SECTIONS},
    }


@pytest.fixture
def built_from(monkeypatch):
    """Calls ``make()`` and returns the parameters of the config the model was built from."""
    seen = []

    def spy(cfg):
        seen.append(cfg)
        raise _Built

    monkeypatch.setattr(transfer, "validate", spy)  # the first thing TransferModel does

    def build(make) -> dict:
        with pytest.raises(_Built):
            make()
        return _parameters(seen.pop())

    return build


def test_model_evaluate_cli_and_dashboard_start_from_the_same_calibrated_defaults(
    built_from, tmp_path
):
    model = built_from(sim.TransferModel)
    assert model["calibration"] == "shanghai_yunnan"
    for key, value in load_point("shanghai_yunnan").items():  # shipped, not the schema defaults
        section, name = key.split(".")
        assert model[section][name] == pytest.approx(value), key
    assert model["geography"]["n_firms"] != Config().geography.n_firms

    assert built_from(lambda: sim.evaluate({})) == model
    dashboard = View(scenario="baseline", replications=1)
    assert _parameters(sim.compose(dashboard.overrides())) == model

    run = tmp_path / "cli"
    r = run_cli("run.years=1", "run.progress=off", f"hydra.run.dir={run}")
    assert r.returncode == 0, r.stderr
    assert _parameters(OmegaConf.load(run / "config.yaml")) == model


def test_a_config_that_leaves_the_calibration_unsaid_is_flagged(built_from):
    with pytest.warns(UserWarning, match="uncalibrated defaults"):
        partial = built_from(lambda: sim.TransferModel({"run": {"years": 1}}))
    assert partial["calibration"] == "none"
    assert partial["economy"]["move_cost"] == Config().economy.move_cost
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # said explicitly: no warning
        explicit = built_from(lambda: sim.TransferModel(Config()))  # the schema's own defaults
        named = built_from(lambda: sim.TransferModel({"run": {"calibration": "none"}}))
    assert explicit["calibration"] == named["calibration"] == "none"
