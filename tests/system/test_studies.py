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
