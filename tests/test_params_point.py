"""One path for parameter values (sim.params.point.resolve): one notion of parameter point k,
conflicting spellings refused, the sweeper's check and resume hash the job's own, fresh files."""

import os
import time

import pytest
import yaml
from omegaconf import OmegaConf

from sim.params import designs, draws, files
from sim.params.compose import compose, to_yaml
from sim.params.schema import ConfigError
from tests.conftest import run_cli

GEO = "shanghai_yunnan"
TINY = ["run.years=1", "geography.n_firms=300", "run.progress=off"]


# ------------------------------------------------------------------ parameter point k
@pytest.mark.parametrize("k", [0, 3, 7])
def test_run_draw_and_the_draws_design_are_one_point_recorded_the_same(k):
    by_draw = compose({"run.draw": k})
    by_design = compose({"sensitivity.method": "draws", "sensitivity.sample": k})
    assert to_yaml(by_draw) == to_yaml(by_design)  # the same values and the same record
    assert by_draw.run.draw == -1 and by_draw.sensitivity.sample == k
    values = draws.load_draws(GEO)["draws"][k]["values"]
    for key, value in values.items():
        assert OmegaConf.select(by_draw, key) == value


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"run.draw": 2, "sensitivity.sample": 3}, "two parameter points"),
        (
            {"run.draw": 2, "sensitivity.method": "draws", "sensitivity.sample": 3},
            "two parameter points",
        ),
        ({"sensitivity.sample": 3}, "needs a design"),
        ({"run.draw": 1, "sensitivity.method": "morris"}, "row of the draws design"),
        ({"run.draw": 1, "calibration": "none"}, "calibration=none"),
        ({"run.draw": 10_000}, "out of range"),
    ],
)
def test_conflicting_or_empty_points_are_refused(overrides, message):
    with pytest.raises(ConfigError, match=message):
        compose(overrides)


def test_a_draw_keeps_an_explicit_pool_size_and_says_so():
    draw = draws.load_draws(GEO)["draws"][2]["values"]
    assert (
        compose({"run.draw": 2}).geography.n_firms == draw["geography.n_firms"]
    )  # the calibrated pool
    with pytest.warns(UserWarning, match="n_firms = 10000 is kept"):
        cfg = compose({"run.draw": 2, "geography.n_firms": 10_000})
    assert cfg.geography.n_firms == 10_000
    assert (
        cfg.economy.move_cost == draw["economy.move_cost"]
    )  # the behaviour still comes from the draw
    other = compose(
        {"geography": "fujian_ningxia", "run.draw": 2}
    )  # another geography keeps its own pool
    assert other.geography.n_firms == compose({"geography": "fujian_ningxia"}).geography.n_firms


def test_values_set_by_the_point_are_validated():
    with pytest.raises(ConfigError, match="not uncertain parameters"):
        compose(
            {
                "sensitivity.method": "morris",
                "sensitivity.sample": 0,
                "sensitivity.parameters": ["economy.no_such"],
            }
        )


# -------------------------------------------- sweeps: checked before launch, resumed with no launch
def _counted(tmp_path, *args):
    counter = tmp_path / "starts.txt"
    r = run_cli(
        *args,
        "+hydra.callbacks.counter._target_=tests.job_counter.JobCounter",
        f"+hydra.callbacks.counter.path={counter}",
        timeout=600,
    )
    starts = len(counter.read_text().splitlines()) if counter.exists() else 0
    if counter.exists():
        counter.unlink()
    return r, starts


def test_rerunning_a_finished_design_sweep_launches_no_job(tmp_path):
    args = (
        "-m",
        "experiment=policy_comparison",
        "scenario=baseline,full",
        "run.seed=0",
        "sensitivity.n=2",
        "sensitivity.sample=-1,0,1",
        "hydra.launcher.n_jobs=2",
        *TINY,
        f"hydra.sweep.dir={tmp_path / 'sweep'}",
    )
    first, started = _counted(tmp_path, *args)
    assert first.returncode == 0, first.stderr
    assert started == 6  # the counter sees real job starts
    again, started = _counted(tmp_path, *args)
    assert again.returncode == 0, again.stderr
    assert started == 0, again.stderr  # design-row jobs included: nothing is launched
    assert "6 of 6 jobs complete already, not launched" in again.stderr


@pytest.mark.parametrize(
    "bad, message",
    [
        (["sensitivity.parameters=[economy.no_such]"], "not uncertain parameters"),
        (["sensitivity.n=1000000"], "sensitivity.n = 1000000"),  # too large to build in every job
        (["sensitivity.n=2", "sensitivity.parameters=[economy.margin_mean]", "sensitivity.sample=0,9"],
         "out of range"),  # 4 rows: row 9 does not exist
    ],
)
def test_a_bad_design_is_refused_before_any_job_starts(tmp_path, bad, message):
    sample = [a for a in bad if a.startswith("sensitivity.sample=")] or ["sensitivity.sample=0,1"]
    rest = [a for a in bad if not a.startswith("sensitivity.sample=")]
    args = ("-m", "scenario=baseline", "sensitivity.method=morris", *sample, *rest, *TINY,
            f"hydra.sweep.dir={tmp_path / 'sweep'}")
    r, started = _counted(tmp_path, *args)
    assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert started == 0
    assert not list((tmp_path / "sweep").glob("*/run.json"))


# ------------------------------------------------------------ long-lived processes see edited files
def _touch_later(path):
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_compose_sees_an_edited_config_file(tmp_path, monkeypatch):
    import shutil

    from sim.params import checks
    from sim.params import compose as composer

    configs = tmp_path / "configs"
    shutil.copytree(files.CONFIG_DIR, configs)
    for module in (composer, checks, files):
        monkeypatch.setattr(module, "CONFIG_DIR", configs)
    scenario = configs / "scenario" / "pairing.yaml"
    assert compose({"scenario": "pairing"}).policy.pairing.enabled is True
    scenario.write_text(scenario.read_text().replace("enabled: true", "enabled: false", 1))
    _touch_later(scenario)
    assert compose({"scenario": "pairing"}).policy.pairing.enabled is False


def test_draws_and_point_files_are_read_again_when_they_change(tmp_path, monkeypatch):
    from sim.world import geography

    world = tmp_path / "world"
    (world / GEO).mkdir(parents=True)
    for name in ("point.yaml", "draws.yaml", "calibration.yaml"):
        (world / GEO / name).write_bytes((geography.WORLD_DIR / GEO / name).read_bytes())
    monkeypatch.setattr(draws, "world_file", lambda g, n: world / g / n)
    monkeypatch.setattr(files, "WORLD_DIR", world)
    base = compose({"run.draw": 1})
    point, table = (
        yaml.safe_load((world / GEO / "point.yaml").read_text()),
        yaml.safe_load((world / GEO / "draws.yaml").read_text()),
    )
    point["values"]["economy.move_cost"] = 0.3333
    table["draws"][1]["values"]["economy.capital_per_job"] = 444_444.0
    time.sleep(0.01)
    (world / GEO / "point.yaml").write_text(yaml.safe_dump(point))
    (world / GEO / "draws.yaml").write_text(yaml.safe_dump(table))
    assert compose({}).economy.move_cost == 0.3333
    assert (
        compose({"run.draw": 1}).economy.capital_per_job
        == 444_444.0
        != base.economy.capital_per_job
    )
    assert (
        designs.sample_values(
            {"method": "draws", "sample": 1, "n": 4, "seed": 0, "parameters": []}, GEO
        )["economy.capital_per_job"]
        == 444_444.0
    )


@pytest.mark.parametrize("multirun", [False, True])
def test_the_command_line_refuses_two_points_before_running(tmp_path, multirun):
    args = ["run.draw=2", "sensitivity.sample=3", *TINY]
    args = ["-m", *args, f"hydra.sweep.dir={tmp_path}"] if multirun else [*args, f"hydra.run.dir={tmp_path}"]
    r = run_cli(*args)
    assert r.returncode == 2 and "name two parameter points" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and not list(tmp_path.rglob("run.json"))
