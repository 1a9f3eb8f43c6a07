"""Bad input, concurrent starts and damaged files: a message naming the problem, never a
traceback; no result lost, mixed or stale; nothing written outside the results folder."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.hydra import callback as sweep
from sim.params import checks as preflight
from sim.params.compose import safe_dirname
from sim.params.schema import ConfigError
from sim.runs import store as outputs
from sim.runs.collect import collect, load_sweep
from sim.world.geography import GeographyError, content_digest, data_path, load_file
from tests.helpers import ROOT, fake_run, run_cli

TINY = ["run.years=1", "geography.n_firms=300", "run.progress=off"]

# --------------------------------------------------------------------------- the command line
# (override list, expected words of the message); checked in-process by sim.run's pre-flight
BAD_COMMANDS = [
    (["~run"], "cannot be deleted"),
    (["~policy.enclave"], "cannot be deleted"),
    (["+policy.enclave.tax_share=0.6"], "did you mean policy.enclave.tax_share_east"),
    (["-m", "+policy.enclave.tax_share=0.6,0.7"], "unknown configuration key"),
    (["++policy.enclave.tax_share=0.6"], "++policy.enclave.tax_share: unknown"),
    (["+foo=1"], "+foo: unknown configuration key"),
    (["policy.enclave.foo=1"], "policy.enclave.foo: unknown"),
    (["scenario=../experiment/policy_comparison"], "not a choice of the 'scenario' config group"),
    (["scenario=../../x"], "allowed: baseline"),
    (["geography=/etc/passwd"], "'geography' config group"),
    (["experiment=../scenario/enclave"], "'experiment' config group"),
    (["hydra/launcher=../../x"], "'hydra/launcher' config group"),
    (["scenario=utopia"], "utopia"),
    (["-m", "scenario=baseline,../x"], "'../x' is not a choice"),
    (["scenario@policy=enclave"], "package overrides"),
    (["run.years=${oops}"], "cannot resolve a value"),
    (["policy.name=${run.nothing}"], "cannot resolve a value"),
    (["run.seed=18446744073709551616"], "64-bit integers"),
    (["run.seed=9223372036854775807", "run.replications=2"], "64-bit integers"),
    (["run.seed=-1"], "run.seed = -1"),
    (["run.years=abc"], "run.years"),
    (["run.years=[1,2]"], "run.years"),
    (["run.steps_per_year=0"], "run.steps_per_year = 0"),
    (["run.progress=sometimes"], "one of auto, on, off"),
    (["policy.enclave.tax_share_east=1.5"], "[0, 1]"),
    (["policy.enclave.tax_share_east=nan"], "policy.enclave.tax_share_east = nan"),
    (["policy.pairing.aid_per_county=inf"], "policy.pairing.aid_per_county = inf"),
    (["economy.budget_infrastructure=0.9", "economy.budget_training=0.2"], "must not exceed 1"),
    (["geography.kind=magic"], "one of file, synthetic"),
    (["geography.n_parks=10"], "applies only to geography=synthetic"),
    (
        ["geography=synthetic", "geography.n_west_counties=100000", "geography.n_parks=1000000"],
        "GB",
    ),
    (
        ["geography=synthetic", "geography.n_west_counties=10", "geography.n_parks=5"],
        "every western county has a park",
    ),
    (["-m", "hydra/launcher=joblib", "hydra.launcher.n_jobs=0"], "hydra.launcher.n_jobs = 0"),
    (["hydra.launcher.n_jobs=0"], "Could not override 'hydra.launcher.n_jobs'"),
    (["-m", "hydra/launcher=slurm", "hydra.launcher.timeout_min=2"], "at least 3 minutes"),
    (
        [
            "-m",
            "hydra/launcher=slurm",
            "hydra.launcher.timeout_min=1",
            "hydra.launcher.signal_delay_s=90",
        ],
        "longer than hydra.launcher.signal_delay_s = 90 s",
    ),
    (["run.years=1", "run.years=(1"], "Invalid override"),
    (["-m", "hydra.sweep.subdir=../../x"], "must stay inside the sweep folder"),
    (["-m", "hydra.sweep.subdir=/tmp/x"], "must stay inside the sweep folder"),
    (["--config-name", "../experiment/policy_comparison"], "not a path"),
]


@pytest.mark.parametrize("argv,message", BAD_COMMANDS, ids=[" ".join(a) for a, _ in BAD_COMMANDS])
def test_bad_command_lines_are_refused_with_a_message(argv, message):
    with pytest.raises((ConfigError, GeographyError)) as err:
        preflight.check_command(argv)
    assert message in str(err.value), str(err.value)


def test_a_results_folder_that_cannot_be_written_is_refused(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    with pytest.raises(ConfigError, match="is not a folder"):
        preflight.check_command([f"hydra.run.dir={blocker}/run"])
    with pytest.raises(ConfigError, match="not writable"):
        preflight.check_command(["-m", "hydra.sweep.dir=/proc/sweep"])


@pytest.mark.parametrize(
    "argv,message",
    [
        (["~run"], "cannot be deleted"),
        (["scenario=../experiment/policy_comparison"], "not a choice"),
        (["policy.name=${oops}"], "cannot resolve"),
        (["-m", "run.seed=0,1", "hydra/launcher=joblib", "hydra.launcher.n_jobs=0"], "n_jobs"),
    ],
)
def test_the_command_line_exits_with_the_message_and_no_traceback(tmp_path, argv, message):
    r = run_cli(
        *argv,
        *TINY,
        f"hydra.run.dir={tmp_path / 'run'}",
        f"hydra.sweep.dir={tmp_path / 'sweep'}",
        timeout=60,
    )
    assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr + r.stdout, (
        r.stderr
    )
    assert not list(tmp_path.iterdir()), "a refused command wrote something"


def test_compose_and_the_model_refuse_what_the_command_line_refuses():
    with pytest.raises(ConfigError, match="tax_share_east"):
        sim.compose({"+policy.enclave.tax_share": 0.6})
    with pytest.raises(ConfigError, match="not a choice"):
        sim.compose({"scenario": "../experiment/policy_comparison"})
    with pytest.raises(ConfigError, match="run.years = 0"):
        sim.TransferModel({"run": {"years": 0}})
    with pytest.raises(ConfigError, match="tax_sharex"):
        sim.TransferModel({"policy": {"enclave": {"tax_sharex": 0.5}}})
    with pytest.raises(ConfigError, match="GB"):
        sim.evaluate(
            {
                "geography": "synthetic",
                "geography.n_west_counties": 100000,
                "geography.n_parks": 1000000,
            }
        )


# --------------------------------------------------------------------------- geography files
def _base() -> dict:
    return yaml.safe_load(data_path("fujian_ningxia").read_text(encoding="utf-8"))


def _west(g):
    return next(r for r in g["counties"] if r["side"] == "west")


def _edit(change):
    def make():
        g = _base()
        change(g)
        return yaml.safe_dump(g, allow_unicode=True).encode()

    return make


BAD_GEOGRAPHIES = [
    ("empty file", lambda: b"", "the file is empty"),
    ("yaml syntax", lambda: b"counties: [\n  {name: a\n", "not valid YAML at line"),
    ("not utf-8", lambda: "name: 'caf\u00e9'\n".encode("latin-1"), "not UTF-8"),
    ("top-level list", lambda: b"- 1\n- 2\n", "top level must be a mapping"),
    ("null table", _edit(lambda g: g.update(counties=None)), "table 'counties' must be a list"),
    ("table as mapping", _edit(lambda g: g.update(parks={"a": 1})), "table 'parks' must be a list"),
    (
        "economy as list",
        _edit(lambda g: g.update(economy=[1])),
        "table 'economy' must be a mapping",
    ),
    ("missing table", _edit(lambda g: g.pop("pairs")), "missing table 'pairs'"),
    (
        "null row",
        _edit(lambda g: g["counties"].__setitem__(0, None)),
        "counties[0] must be a mapping",
    ),
    ("text row", _edit(lambda g: g["parks"].__setitem__(0, "park")), "parks[0] must be a mapping"),
    ("null pair", _edit(lambda g: g["pairs"].__setitem__(0, None)), "pairs[0] must be a mapping"),
    ("no population", _edit(lambda g: g["counties"][0].pop("population")), "lacks 'population'"),
    (
        "nan population",
        _edit(lambda g: g["counties"][0].update(population=float("nan"))),
        "population = nan",
    ),
    (
        "inf population",
        _edit(lambda g: g["counties"][0].update(population=float("inf"))),
        "population = inf",
    ),
    (
        "text population",
        _edit(lambda g: g["counties"][0].update(population="many")),
        "population = 'many'",
    ),
    (
        "bool population",
        _edit(lambda g: g["counties"][0].update(population=True)),
        "population = True",
    ),
    ("zero population", _edit(lambda g: g["counties"][0].update(population=0)), "positive number"),
    ("lon out of range", _edit(lambda g: g["counties"][0].update(lon=999)), "lon = 999"),
    ("no lat", _edit(lambda g: g["counties"][0].pop("lat")), "lacks 'lat'"),
    ("nan lat", _edit(lambda g: g["counties"][0].update(lat=float("nan"))), "lat = nan"),
    (
        "migrant share > 1",
        _edit(lambda g: _west(g).update(migrant_share=1.5)),
        "migrant_share = 1.5",
    ),
    (
        "nan migrant share",
        _edit(lambda g: _west(g).update(migrant_share=float("nan"))),
        "migrant_share = nan",
    ),
    (
        "negative firm weight",
        _edit(lambda g: g["counties"][0].update(firm_weight=-1)),
        "firm_weight = -1",
    ),
    (
        "no firms at all",
        _edit(lambda g: [r.update(firm_weight=0) for r in g["counties"] if r["side"] == "east"]),
        "firm_weight 0",
    ),
    ("null name", _edit(lambda g: g["counties"][0].update(name=None)), "lacks 'name'"),
    ("list name", _edit(lambda g: g["counties"][0].update(name=[1])), "must be a non-empty text"),
    ("bad side", _edit(lambda g: g["counties"][0].update(side="north")), "side = 'north'"),
    (
        "only west",
        _edit(lambda g: [r.update(side="west") for r in g["counties"]]),
        "at least one east",
    ),
    (
        "zero wage",
        _edit(lambda g: g["economy"]["east_wage"].update(value=0)),
        "economy.east_wage = 0 must be a positive number",
    ),
    (
        "inf wage",
        _edit(lambda g: g["economy"]["west_wage_low"].update(value=float("inf"))),
        "economy.west_wage_low = inf",
    ),
    (
        "no value",
        _edit(lambda g: g["economy"]["farm_income"].pop("value")),
        "economy.farm_income is missing its 'value'",
    ),
    (
        "missing economy key",
        _edit(lambda g: g["economy"].pop("east_land_price")),
        "economy.east_land_price is missing",
    ),
    (
        "share > 1",
        _edit(lambda g: g["economy"]["mobile_share"].update(value=2)),
        "economy.mobile_share = 2",
    ),
    (
        "text figure",
        _edit(lambda g: g["economy"]["east_land_price"].update(value="high")),
        "economy.east_land_price = 'high'",
    ),
    ("no parks", _edit(lambda g: g.update(parks=[])), "at least one western park"),
    (
        "nan capacity",
        _edit(lambda g: g["parks"][0].update(capacity=float("nan"))),
        "capacity = nan",
    ),
    (
        "park county list",
        _edit(lambda g: g["parks"][0].update(county=["x"])),
        "is not a western county",
    ),
    ("park kind", _edit(lambda g: g["parks"][0].update(kind="secret")), "kind = 'secret'"),
    (
        "pair east list",
        _edit(lambda g: g["pairs"][0].update(east=["x"])),
        "is not an eastern county",
    ),
    (
        "pair without west",
        _edit(lambda g: [g["pairs"][0].pop(k, None) for k in ("west", "west_prefecture")]),
        "needs 'west' or 'west_prefecture'",
    ),
]


@pytest.mark.parametrize(
    "make,message",
    [(m, msg) for _, m, msg in BAD_GEOGRAPHIES],
    ids=[name for name, _, _ in BAD_GEOGRAPHIES],
)
def test_bad_geography_files_name_file_entry_and_field(tmp_path, make, message):
    path = tmp_path / "bad.yaml"
    path.write_bytes(make())
    with pytest.raises(GeographyError) as err:
        load_file(str(path))
    assert message in str(err.value) and str(path) in str(err.value), str(err.value)


def test_a_geography_that_is_a_folder_or_missing_is_reported(tmp_path):
    (tmp_path / "dir.yaml").mkdir()
    with pytest.raises(GeographyError, match="cannot read"):
        load_file(str(tmp_path / "dir.yaml"))
    with pytest.raises(GeographyError, match="no data file"):
        load_file(str(tmp_path / "none.yaml"))


def test_an_edited_geography_is_read_again_and_changes_the_config_hash(tmp_path):
    path = tmp_path / "g.yaml"
    g = _base()
    path.write_text(yaml.safe_dump(g, allow_unicode=True), encoding="utf-8")
    first, digest = load_file(str(path)), content_digest(str(path))
    g["economy"]["east_wage"]["value"] *= 2
    path.write_text(yaml.safe_dump(g, allow_unicode=True), encoding="utf-8")
    assert load_file(str(path)).economy["east_wage"] == 2 * first.economy["east_wage"]
    assert content_digest(str(path)) != digest


# --------------------------------------------------------------------------- folder names
@given(st.text(min_size=0, max_size=400))
def test_folder_names_from_values_are_one_safe_bounded_component(text):
    name = safe_dirname(text)
    assert "/" not in name and "\\" not in name and ".." not in name and not name.startswith(".")
    assert 0 < len(name) <= 120 and "\x00" not in name


@given(st.text(max_size=300), st.text(max_size=300))
def test_different_values_never_share_a_folder(a, b):
    if a != b and a and b:
        assert safe_dirname(a) != safe_dirname(b)


def test_runs_started_in_the_same_second_get_folders_of_their_own():
    from omegaconf import OmegaConf

    import sim.params.compose  # noqa: F401  (registers the resolvers)

    names = {OmegaConf.create({"d": "${sim_run_name:2026-01-01_00-00-00}"}).d for _ in range(50)}
    assert len(names) == 50
    sweeps = {
        OmegaConf.create({"s": None, "d": "${sim_sweep_name:${s},2026}"}).d for _ in range(50)
    }
    assert len(sweeps) == 50
    cfg = OmegaConf.create({"s": None, "d": "${sim_sweep_name:${s},2026}"})
    assert cfg.d == cfg.d  # one config resolves to one folder, however often it is asked


# --------------------------------------------------------------------------- run folders and
# collection


@pytest.mark.parametrize(
    "marker",
    [
        "",
        "not json",
        "[]",
        "null",
        '{"files": 3}',
        '{"files": {"../x": "a"}}',
        '{"config_hash": "h", "files": {"summary.json": 5}}',
    ],
)
def test_a_malformed_run_json_counts_as_incomplete(tmp_path, marker):
    fake_run(tmp_path, [], {"run": {"years": 1}})
    (tmp_path / outputs.MARKER).write_text(marker)
    assert outputs.verified_marker(tmp_path) is None and not outputs.is_complete(tmp_path, "h")


def test_a_marker_never_makes_collection_read_outside_its_folder(tmp_path):
    d = tmp_path / "job"
    fake_run(d, [], {"run": {"years": 1}})
    marker = json.loads((d / outputs.MARKER).read_text())
    (tmp_path / "secret").write_text("s")
    marker["files"]["../secret"] = outputs.sha256(b"s")
    (d / outputs.MARKER).write_text(json.dumps(marker))
    assert outputs.verified_marker(d) is None


def test_temp_files_of_killed_writes_are_removed_when_the_run_is_redone(tmp_path):
    (tmp_path / ".summary.json.999.tmp").write_text("half")
    fake_run(tmp_path, [], {"run": {"years": 1}})
    assert not list(tmp_path.glob(".*.tmp")) and outputs.verified_marker(tmp_path) is not None


def _sweep_folder(tmp_path) -> Path:
    from sim.runs import sweep_record

    s = tmp_path / "sweep"
    for seed in (0, 1):
        fake_run(
            s / f"run.seed={seed}",
            [f"run.seed={seed}"],
            {"run": {"years": 2, "seed": seed}},
            value=seed,
        )
    sweep_record.check_and_record(s, {"run.years": 2}, has_jobs=False)
    sweep_record.record_jobs(s, ["run.seed=0", "run.seed=1", "run.seed=2"])
    return s


def test_collection_names_incomplete_never_started_and_foreign_jobs(tmp_path, capsys):
    s = _sweep_folder(tmp_path)
    fake_run(s / "run.seed=3", ["run.seed=3"], {"run": {"years": 5, "seed": 3}})  # another horizon
    (s / "run.seed=4").mkdir()  # started, killed
    summary, _ = collect(s)
    err = capsys.readouterr().err
    assert sorted(summary["run.seed"]) == [0, 1]
    assert "1 incomplete: run.seed=4" in err and "1 never started: run.seed=2" in err
    assert "another configuration, left out: run.seed=3" in err


def test_a_read_only_copy_is_collected_without_writing(tmp_path, monkeypatch, capsys):
    s = _sweep_folder(tmp_path)

    def refuse(path, data):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(outputs, "write_atomic", refuse)
    summary, _ = collect(s)
    assert len(summary) == 2 and "tables not saved" in capsys.readouterr().err


def test_load_sweep_notices_jobs_added_after_the_table(tmp_path):
    s = _sweep_folder(tmp_path)
    assert len(load_sweep(s)) == 2
    time.sleep(0.01)
    fake_run(s / "run.seed=2", ["run.seed=2"], {"run": {"years": 2, "seed": 2}}, value=2)
    assert sorted(load_sweep(s)["run.seed"]) == [0, 1, 2]


def test_a_report_that_fails_fails_the_command(tmp_path, monkeypatch):
    from omegaconf import OmegaConf

    from sim.studies import reports as studies

    s = _sweep_folder(tmp_path)
    monkeypatch.setattr(studies, "report_dir", lambda *a, **k: 1 / 0)
    monkeypatch.setattr(sweep, "FAILURES", [])
    sweep.SweepCallback().on_multirun_end(
        OmegaConf.create({"hydra": {"sweep": {"dir": str(s)}}, "study": "x"})
    )
    assert sweep.FAILURES and "could not be made" in sweep.FAILURES[0]


def test_a_full_disk_is_one_paragraph(tmp_path, monkeypatch):
    from sim import cli as run

    err = OSError(28, "No space left on device", str(tmp_path / "summary.json"))
    text = run._explain(err, tmp_path)
    assert "No space left on device" in text and "resumes" in text


# --------------------------------------------------------------------------- sweeps (subprocesses)
def test_a_study_refuses_to_mix_configurations_and_skips_complete_jobs(tmp_path):
    out = tmp_path / "study"
    base = ["-m", "scenario=baseline", *TINY[1:], f"hydra.sweep.dir={out}"]
    r = run_cli(*base, "run.years=1", "run.seed=0,1")
    assert r.returncode == 0, r.stderr
    r = run_cli(*base, "run.years=1", "run.seed=0,1,2")
    assert r.returncode == 0 and "2 of 3 jobs complete already, not launched" in r.stderr, r.stderr
    r = run_cli(*base, "run.years=2", "run.seed=0,1")
    assert (
        r.returncode != 0
        and "run.years = 1 there, 2 now" in r.stderr
        and "Traceback" not in r.stderr
    )
    assert len(load_sweep(out)) == 3


def test_a_second_sweep_into_a_busy_folder_is_refused(tmp_path):
    from sim.runs import sweep_record

    out = tmp_path / "sweep"
    held = sweep_record.lock(out)  # this test process plays the sweep that is running
    try:
        r = run_cli("-m", *TINY, "run.seed=0,1", f"hydra.sweep.dir={out}")
    finally:
        held.close()
    assert (
        r.returncode == 2 and f"in use by another sweep right now (pid {os.getpid()}" in r.stderr
    ), r.stderr
    assert not any(p.is_dir() for p in out.iterdir())
    r = run_cli("-m", *TINY, "run.seed=0,1", f"hydra.sweep.dir={out}")  # free again once it ended
    assert r.returncode == 0 and len(load_sweep(out)) == 2, r.stderr


def test_a_value_given_twice_runs_once(tmp_path):
    out = tmp_path / "sweep"
    r = run_cli(
        "-m",
        *TINY,
        "run.seed=3,3,4",
        "hydra/launcher=joblib",
        "hydra.launcher.n_jobs=2",
        f"hydra.sweep.dir={out}",
    )
    assert r.returncode == 0 and "1 repeated jobs dropped" in r.stderr, r.stderr
    assert sorted(load_sweep(out)["run.seed"]) == [3, 4]


def test_values_with_slashes_stay_inside_the_sweep_folder(tmp_path):
    out = tmp_path / "sweep"
    r = run_cli("-m", "policy.name=../../escape,a/b", *TINY, f"hydra.sweep.dir={out}")
    assert r.returncode == 0, r.stderr
    assert not (tmp_path / "escape").exists() and not (tmp_path.parent / "escape").exists()
    df = load_sweep(out)
    assert sorted(df["policy.name"]) == ["../../escape", "a/b"]


@pytest.mark.slow
def test_runs_and_sweeps_started_together_never_share_a_folder(tmp_path):
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "sim.run", *TINY, f"run.seed={s}"],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for s in range(3)
    ]
    procs += [
        subprocess.Popen(
            [sys.executable, "-m", "sim.run", "-m", *TINY, f"run.seed={s},9"],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for s in range(2)
    ]
    assert all(p.wait(timeout=300) == 0 for p in procs)
    assert len(list((tmp_path / "results" / "runs").iterdir())) == 3
    sweeps = list((tmp_path / "results" / "sweeps").iterdir())
    assert len(sweeps) == 2 and all(len(load_sweep(s)) == 2 for s in sweeps)


@pytest.mark.slow
@pytest.mark.parametrize(
    "launcher",
    [["hydra/launcher=joblib", "hydra.launcher.n_jobs=2"], ["hydra/launcher=submitit_local"]],
    ids=["joblib", "submitit_local"],
)
def test_sigterm_stops_a_sweep_and_its_workers_and_the_same_command_resumes(tmp_path, launcher):
    out = tmp_path / "sweep"
    args = [
        "-m",
        "run.seed=range(12)",
        "run.years=3",
        "run.progress=off",
        f"hydra.sweep.dir={out}",
        *launcher,
    ]
    p = subprocess.Popen(
        [sys.executable, "-m", "sim.run", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.time() + 120
    while time.time() < deadline and not any(out.glob("*/run.json")):
        time.sleep(0.5)
    children = subprocess.run(
        ["pgrep", "-s", str(p.pid)], capture_output=True, text=True
    ).stdout.split()
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 130 and b"Traceback" not in err, err
    time.sleep(3)
    alive = [c for c in children if int(c) != p.pid and os.path.exists(f"/proc/{c}")]
    assert not alive, f"workers left running: {alive}"
    r = run_cli(*args, timeout=900)
    assert r.returncode == 0 and len(load_sweep(out)) == 12, r.stderr


# --------------------------------------------------------------------------- cluster failures
def test_a_failed_cluster_job_is_named_with_its_log(tmp_path):
    logs = tmp_path / ".submitit" / "77"
    logs.mkdir(parents=True)
    (logs / "77_0_log.err").write_text(f"{sweep.JOB_LOG_LINE}{tmp_path / 'a=10'}\nKilled\n")
    (logs / "77_1_log.err").write_text(
        f"FileExistsError: [Errno 17] File exists: '{tmp_path / 'a=1'}'\n"
    )
    assert sweep.job_log(tmp_path, "a=1") == logs / "77_1_log.err"  # not the log of a=10
    assert sweep.job_log(tmp_path, "a=10") == logs / "77_0_log.err"
    lines = sweep.unfinished_jobs(tmp_path, ["a=1", "a=2"])
    assert lines == [
        f"job a=1: did not finish; log: {logs / '77_1_log.err'}",
        "job a=2: never started (no log names it)",
    ]


def test_a_launcher_error_is_told_without_its_trace():
    text = (
        "Job (task=0) failed during processing with trace:\n----\nTraceback (most recent "
        "call last):\n"
        '  File "x.py", line 1, in f\nOSError: [Errno 28] No space left on device\n----\n'
        "You can check full logs with 'job.stderr(0)' or at paths:\n  - "
        "/s/.submitit/5/5_0_log.err\n"
    )
    message = sweep.launcher_error(RuntimeError(text))
    assert (
        "Traceback" not in message
        and "No space left on device" in message
        and "/s/.submitit/5/5_0_log.err" in message
    )


@pytest.mark.slow
def test_submitit_local_reports_a_failed_job_and_finishes_the_others(tmp_path):
    out = tmp_path / "sweep"
    out.mkdir()
    (out / "geography.n_firms=300,run.seed=1,run.years=1").write_text("in the way")
    r = run_cli(
        "-m",
        *TINY,
        "run.seed=0,1,2",
        "hydra/launcher=submitit_local",
        f"hydra.sweep.dir={out}",
        timeout=600,
    )
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert "job geography.n_firms=300,run.seed=1,run.years=1: did not finish; log: " in r.stderr
    assert sorted(load_sweep(out)["run.seed"]) == [0, 2]


def test_every_swept_geography_is_loaded_before_any_job_and_paths_collect(tmp_path):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(yaml.safe_dump(_base(), allow_unicode=True), encoding="utf-8")
    bad.write_text("counties: [\n", encoding="utf-8")
    out = tmp_path / "sweep"
    r = run_cli("-m", *TINY, f"geography.name=fujian_ningxia,{bad}", f"hydra.sweep.dir={out}")
    assert r.returncode != 0 and "not valid YAML" in r.stderr and str(bad) in r.stderr, r.stderr
    assert not out.exists() or not any(p.is_dir() and "=" in p.name for p in out.iterdir())
    r = run_cli("-m", *TINY, f"geography.name={good}", "run.seed=0,1", f"hydra.sweep.dir={out}")
    assert r.returncode == 0, r.stderr
    df = load_sweep(out)
    assert len(df) == 2 and set(df["geography.name"]) == {str(good)}
    assert (
        len(list(out.glob("*/run.json"))) == 2
    )  # each path-valued job is one folder right under the sweep


def test_sweep_memory_is_checked_against_the_cluster_limit_and_the_parallel_jobs(
    tmp_path, monkeypatch
):
    out = tmp_path / "sweep"
    r = run_cli(
        "-m",
        "geography=synthetic",
        "geography.n_west_counties=20000",
        "geography.n_parks=40000",
        "run.seed=0,1",
        "hydra/launcher=slurm",
        f"hydra.sweep.dir={out}",
        timeout=120,
    )
    assert (
        r.returncode == 2
        and "hydra.launcher.mem_gb = 4" in r.stderr
        and "Traceback" not in r.stderr
    ), r.stderr
    from omegaconf import OmegaConf

    job = {"geography": {"kind": "file", "n_firms": 10_000}}
    joblib = OmegaConf.create({"launcher": {"_target_": "JoblibLauncher", "n_jobs": 2}})
    monkeypatch.setattr(preflight, "available_bytes", lambda: 1.5 * preflight.estimated_bytes(job))
    preflight.check_sweep_memory(joblib, [job], n_jobs=1)  # one job at a time fits
    with pytest.raises(ConfigError, match="2 jobs at once"):
        preflight.check_sweep_memory(joblib, [job], n_jobs=10)
