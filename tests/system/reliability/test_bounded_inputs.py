"""Inputs that could exhaust the machine are refused within a second, with a short message:
YAML aliases ("billion laughs"), oversized files, FIFOs and devices listed in a run folder,
designs and sweeps too large to build."""

import json
import os
import threading
import time
from pathlib import Path

import pytest
import yaml

from sim.params import checks as preflight
from sim.params.compose import compose
from sim.params.schema import ConfigError
from sim.runs import store as outputs
from sim.runs.collect import collect, load_sweep
from sim.world import bounded_yaml
from sim.world.geography import GeographyError, data_path, load_file
from tests.helpers import fake_run

LAUGHS = "".join(f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]\n" for i in range(1, 10))
LAUGHS = 'l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + LAUGHS


def _shipped() -> str:
    return data_path("fujian_ningxia").read_text(encoding="utf-8")


def _within(seconds: float, fn, *args):
    """``fn(*args)`` in a thread; fails if it has not ended after ``seconds``; returns (result,
    error)."""
    out = {}

    def target():
        try:
            out["value"] = fn(*args)
        except Exception as err:  # noqa: BLE001 - handed back to the test
            out["error"] = err

    t = threading.Thread(target=target, daemon=True)
    start = time.perf_counter()
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"{fn.__name__} still running after {seconds} s"
    return out.get("value"), out.get("error"), time.perf_counter() - start


@pytest.mark.parametrize("where", ["name", "pairs"])
def test_a_geography_with_nested_aliases_is_refused_at_once_with_a_short_message(tmp_path, where):
    raw = yaml.safe_load(_shipped())
    text = LAUGHS + yaml.safe_dump({k: v for k, v in raw.items() if k != where}, allow_unicode=True)
    text += f"{where}: *l9\n"
    path = tmp_path / "laughs.yaml"
    path.write_text(text, encoding="utf-8")
    _, err, took = _within(5, load_file, str(path))
    assert isinstance(err, GeographyError) and took < 1.0, (err, took)
    message = str(err)
    assert (
        len(message) < 1000 and str(path) in message and "aliases" in message and "line" in message
    )


def test_the_pre_flight_check_refuses_it_too(tmp_path):
    path = tmp_path / "laughs.yaml"
    path.write_text(
        LAUGHS + "name: *l9\n" + _shipped().replace("\nname:", "\nold_name:"), encoding="utf-8"
    )
    with pytest.raises(GeographyError, match="aliases") as err:
        preflight.check_command([f"geography.name={path}", "run.years=1"])
    assert len(str(err.value)) < 1000


def test_a_recursive_alias_and_a_deep_nesting_are_refused(tmp_path):
    with pytest.raises(bounded_yaml.YamlLimitError):
        bounded_yaml.loads("a: &x [1, *x]\n", "x.yaml")
    assert bounded_yaml.loads("a: &x {p: 1}\nb: {<<: *x, q: 2}\nc: *x\n", "ok.yaml") == {
        "a": {"p": 1},
        "b": {"p": 1, "q": 2},
        "c": {"p": 1},
    }  # ordinary aliases still work


def test_long_values_are_quoted_short_in_geography_messages(tmp_path):
    raw = yaml.safe_load(_shipped())
    raw["parks"][0]["capacity"] = "x" * 1_000_000
    path = tmp_path / "long.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(GeographyError, match="capacity") as err:
        load_file(str(path))
    assert len(str(err.value)) < 1000


def test_an_oversized_or_special_file_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(bounded_yaml, "MAX_BYTES", 1000)
    big = tmp_path / "big.yaml"
    big.write_text(_shipped(), encoding="utf-8")
    with pytest.raises(GeographyError, match="MB"):
        load_file(str(big))
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    _, err, took = _within(5, load_file, str(fifo))
    assert isinstance(err, GeographyError) and "not a regular file" in str(err) and took < 1.0


def test_calibration_and_draws_files_are_bounded(tmp_path):
    from sim.params.draws import read_data_file

    path = tmp_path / "draws.yaml"
    path.write_text(LAUGHS + "draws: *l9\n")
    _, err, took = _within(5, read_data_file, path)
    assert isinstance(err, ConfigError) and "aliases" in str(err) and took < 1.0


# --------------------------------------------------------------------------- run folders
def _job(d: Path, overrides=("run.seed=0",), config=None) -> None:
    fake_run(d, list(overrides), config or {"run": {"years": 2}})


def _special(path: Path, kind: str) -> None:
    path.unlink(missing_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
@pytest.mark.parametrize("name", ["summary.json", "timeseries.parquet", outputs.MARKER])
def test_a_fifo_or_device_in_a_job_folder_is_refused_by_collection_load_sweep_and_resume(
    tmp_path, kind, name
):
    sweep = tmp_path / "sweep"
    _job(sweep / "run.seed=0")
    _job(sweep / "run.seed=1", ["run.seed=1"])
    target = sweep / "run.seed=1" / name
    if name != outputs.MARKER:  # the marker lists it with its checksum as before
        marker = json.loads((sweep / "run.seed=1" / outputs.MARKER).read_text())
        _special(target, kind)
        (sweep / "run.seed=1" / outputs.MARKER).write_text(json.dumps(marker))
    else:
        _special(target, kind)
    value, err, took = _within(5, collect, sweep)
    assert err is None and took < 1.0 and list(value[0]["job"]) == ["run.seed=0"]
    value, err, took = _within(5, load_sweep, sweep)
    assert err is None and took < 1.0 and len(value) == 1
    value, err, took = _within(5, outputs.is_complete, sweep / "run.seed=1", "h")
    assert value is False and took < 1.0


# --------------------------------------------------------------------------- designs and sweeps
def test_a_design_too_large_to_build_is_refused_with_its_size():
    _, err, took = _within(
        5,
        compose,
        {"sensitivity.method": "morris", "sensitivity.n": 1_000_000, "sensitivity.sample": 0},
    )
    assert isinstance(err, ConfigError) and took < 1.0
    assert "rows" in str(err) and "GB" in str(err) and "minutes" in str(err)


def test_the_command_line_refuses_it_before_any_job():
    with pytest.raises(ConfigError, match="sensitivity.n = 1000000"):
        preflight.check_command(
            ["sensitivity.method=morris", "sensitivity.n=1000000", "sensitivity.sample=0"]
        )


def test_a_sweep_is_counted_without_listing_it():
    from hydra.core.override_parser.overrides_parser import OverridesParser

    from sim.hydra.sweeper import sweep_size

    parsed = OverridesParser.create().parse_overrides(
        ["run.seed=range(1000000000)", "scenario=baseline,full"]
    )
    start = time.perf_counter()
    assert sweep_size(parsed) == 2_000_000_000 and time.perf_counter() - start < 1.0
