"""Experiments beside their reports; one paired comparison; one way to run N seeds; channels and
scenarios composed from files."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.analysis.paired import paired_gain
from sim.params.compose import compose
from sim.params.paths import CONFIG_DIR
from sim.studies import channels
from sim.studies.reports import study_report


def test_every_experiment_names_a_study_module_with_a_report():
    for path in sorted((Path(CONFIG_DIR) / "experiment").glob("*.yaml")):
        study = yaml.safe_load(path.read_text(encoding="utf-8")).get("study")
        if study is None:  # a preset of another experiment inherits its study
            continue
        report = study_report(study)
        assert callable(report) and report.__module__.startswith("sim.studies."), path.name
    assert study_report("no_such_study") is None and study_report("../x") is None


def test_paired_gain_subtracts_the_twin_with_the_same_draw_and_seed():
    df = pd.DataFrame(
        {
            "scenario": ["baseline", "baseline", "a", "a", "b"],
            "sensitivity.sample": [0, 1, 0, 1, 1],
            "seed": [3, 3, 3, 3, 3],
            "x": [1.0, 10.0, 4.0, 30.0, 11.0],
        }
    )
    g = paired_gain(df, ["x"]).set_index(["scenario", "sensitivity.sample"])["x"]
    assert g[("a", 0)] == 3 and g[("a", 1)] == 20 and g[("b", 1)] == 1 and g[("baseline", 0)] == 0
    with pytest.raises(ValueError, match="ambiguous"):
        paired_gain(pd.concat([df, df.iloc[[0]]]), ["x"])


def test_run_seeds_gives_the_same_runs_as_the_job_and_evaluate():
    import sim
    from sim.runs.runner import replication_seeds, run_seeds

    over = {"run.years": 1, "geography.n_firms": 300, "run.seed": 2, "run.replications": 2}
    cfg = compose(over)
    runs = list(run_seeds(cfg))
    assert [s for s, _ in runs] == replication_seeds(2, 2)
    mean = {
        k: np.mean([m.summary()[k] for _, m in runs]) for k in ("west_jobs_local", "firms_in_west")
    }
    got = sim.evaluate(over)
    assert all(got[k] == pytest.approx(v, rel=1e-12) for k, v in mean.items())


def test_scenarios_are_composed_from_the_channel_files():
    full = compose({"scenario": "full"}).policy
    for name in ("matching", "training", "migration_support", "consumption", "enclave"):
        for key, value in channels.channel_overrides(name).items():
            node = full
            for part in key.split(".")[1:]:
                node = node[part]
            assert node == value, key
    assert full.pairing.enabled and full.name == "full"
    labour = compose({"scenario": "labour"}).policy
    assert labour.labour.training_rate == full.labour.training_rate and labour.name == "labour"
    with pytest.raises(ValueError, match="no channel"):
        channels.channel_overrides("../scenario/full")


def test_additionality_splits_enclave_firms_over_the_same_seed_reference():
    from sim.analysis.paired import additionality

    df = pd.DataFrame(
        {
            "scenario": ["pairing", "pairing", "enclave", "enclave"],
            "seed": [0, 1, 0, 1],
            "firms_in_west": [100.0, 110.0, 130.0, 105.0],
            "west_jobs_local": [1000.0, 1100.0, 1500.0, 1000.0],
            "firms_in_enclave_parks": [0.0, 0.0, 50.0, 40.0],
            "enclave_park_jobs": [0.0, 0.0, 800.0, 600.0],
        }
    )
    out = additionality(df).set_index("seed")
    assert list(out["additional_firms"]) == [30.0, -5.0]
    assert list(out["diverted_firms"]) == [20.0, 45.0]
    assert list(out["additional_jobs"]) == [500.0, -100.0]
    assert list(out["diverted_jobs"]) == [300.0, 700.0]


def test_tax_share_sweep_runs_pairing_once_per_seed_and_splits_the_firms(tmp_path):
    from tests.helpers import run_cli

    out = tmp_path / "tss"
    r = run_cli(
        "-m",
        "experiment=tax_share_sweep",
        "policy.enclave.tax_share_east=0,0.5",
        "policy.enclave.compliance=1.0",
        "run.seed=range(2)",
        "run.years=3",
        "geography.n_firms=1500",
        "run.progress=off",
        "hydra/launcher=basic",
        f"hydra.sweep.dir={out}",
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    # pairing ignores the enclave keys: one run per seed, not one per share
    assert "2 repeated jobs dropped" in r.stderr, r.stderr
    summary = pd.read_parquet(out / "summary.parquet")
    assert (summary["scenario"] == "pairing").sum() == 2
    assert (summary["scenario"] == "enclave").sum() == 4
    table = pd.read_csv(out / "tax_share_sweep.csv")
    for column in ("additional_firms", "diverted_firms", "additional_jobs", "diverted_jobs"):
        assert table[column].notna().all(), column
    best = pd.read_csv(out / "tax_share_sweep_best.csv")
    assert set(best["objective"]) == {"additional_jobs", "west_income_and_tax"}
    assert "Best share for the west" in r.stdout
    assert (out / "figures" / "tax_share_sweep.png").exists()
