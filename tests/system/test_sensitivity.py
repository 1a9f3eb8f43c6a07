"""Parameter uncertainty: prior ranges, designs as sweeps, SALib indices, comparisons under
draws."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

import sim
from sim.analysis import uncertainty
from sim.params import designs as sensitivity
from sim.params import schema
from sim.params.compose import CONFIG_DIR
from sim.params.draws import load_draws
from tests.helpers import run_cli

TINY = ["run.years=1", "geography.n_firms=300", "run.progress=off"]


def test_documented_range_is_parsed_from_source_text():
    assert sensitivity.documented_range("illustrative; range 5e6–50e6") == (5e6, 50e6)
    assert sensitivity.documented_range("NBS ...; range 0.02-0.07") == (0.02, 0.07)
    assert sensitivity.documented_range("illustrative") is None


def test_prior_ranges_cover_uncertain_floats_within_schema_bounds():
    ranges = sensitivity.prior_ranges()
    meta = {k: f.metadata for k, f in schema.schema_fields()}
    assert ranges["policy.enclave.coinvest_per_park"] == (5e6, 50e6)  # documented
    assert ranges["economy.east_land_growth"] == pytest.approx((0.02, 0.06))  # default ± 50 %
    assert "economy.vat_rate" not in ranges  # statutory, not uncertain
    assert "economy.n_promoted" not in ranges  # integer
    for k, (lo, hi) in ranges.items():
        assert lo < hi
        assert meta[k]["lo"] is None or lo >= meta[k]["lo"]
        assert meta[k]["hi"] is None or hi <= meta[k]["hi"]
    budget = sum(ranges[k][1] for k in next(iter(sensitivity.JOINT_LIMITS)))
    assert budget <= 1 + 1e-12  # every design row passes schema.validate


def test_every_design_row_is_a_valid_config():
    for method, n in (("morris", 2), ("sobol", 2), ("draws", 8)):
        s = {"method": method, "n": n, "seed": 0, "parameters": [], "sample": 0}
        rows = sensitivity.design(method, n, 0, (), "shanghai_yunnan" if method == "draws" else "")
        assert len(rows) == sensitivity.n_rows(s)
        if method == "draws":  # the calibration's draws: its fitted parameters, finite
            keys = sensitivity.design_keys(method, (), "shanghai_yunnan")
            assert rows.shape[1] == len(keys) and np.isfinite(rows).all()
            continue
        lows, highs = np.array(sensitivity.problem()["bounds"]).T
        assert (rows >= lows - 1e-12).all() and (rows <= highs + 1e-12).all()
    cfg = sim.compose({"sensitivity.method": "sobol", "sensitivity.n": 2, "sensitivity.sample": 5})
    assert cfg.economy.friction_west != 0.03 or cfg.economy.margin_mean != 0.05


def test_design_is_deterministic_and_row_values_reach_the_config():
    a = sensitivity.parameter_draws("shanghai_yunnan", 4)
    assert a == sensitivity.parameter_draws("shanghai_yunnan", 4)
    assert a[0] != a[1]
    cfg = sim.compose({"sensitivity.method": "draws", "sensitivity.n": 4, "sensitivity.sample": 1})
    for key, value in a[1].items():
        assert schema._get(cfg, key) == pytest.approx(value)
    point = sim.compose(
        {"sensitivity.method": "draws", "sensitivity.n": 4, "sensitivity.sample": -1}
    )
    assert point.economy.friction_west == 0.03  # -1: the point estimate, untouched


def test_sample_past_the_design_is_a_clear_error():
    n_draws = len(load_draws("shanghai_yunnan")["draws"])  # equally weighted draws: row k is draw k
    with pytest.raises(schema.ConfigError, match="out of range"):
        sim.compose(
            {"sensitivity.method": "draws", "sensitivity.n": 4, "sensitivity.sample": n_draws}
        )
    with pytest.raises(schema.ConfigError, match="out of range"):
        sim.compose(
            {"sensitivity.method": "morris", "sensitivity.n": 2, "sensitivity.sample": 10_000}
        )
    with pytest.raises(schema.ConfigError, match="not uncertain parameters"):
        sim.compose(
            {
                "sensitivity.method": "morris",
                "sensitivity.sample": 0,
                "sensitivity.parameters": ["economy.vat_rate"],
            }
        )


def test_calibration_draws_replace_the_prior_when_their_file_exists(tmp_path, monkeypatch):
    draws = [
        {"draw": i, "values": {"economy.margin_mean": v}, "weight": w}
        for i, (v, w) in enumerate([(0.04, 0.0), (0.06, 1.0), (0.07, 1.0)])
    ]
    (tmp_path / "shanghai_yunnan_draws.yaml").write_text(yaml.safe_dump({"draws": draws}))
    monkeypatch.setattr(sensitivity, "draws_file", lambda g: tmp_path / f"{g}_draws.yaml")
    draws = sensitivity.parameter_draws("shanghai_yunnan", 4)
    assert [d["economy.margin_mean"] for d in draws] == [
        0.06,
        0.06,
        0.07,
        0.07,
    ]  # zero weight never drawn
    assert len(sensitivity.parameter_draws("fujian_ningxia", 4)[0]) == len(
        sensitivity.prior_ranges()
    )


@pytest.mark.parametrize("name", ["sensitivity_morris", "sensitivity_sobol"])
def test_experiment_sweeps_every_design_row(name):
    """The sweep's range must equal the design's rows (n × (k+1) or n × (k+2)): fix the file if
    not."""
    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf

    exp = yaml.safe_load((CONFIG_DIR / "experiment" / f"{name}.yaml").read_text())
    s = {**exp["sensitivity"], "seed": 0}
    s.setdefault("parameters", [])
    for n, extra in (
        (s["n"], []),
        (3, ["sensitivity.n=3"]),
    ):  # computed from the section, not typed
        with initialize_config_dir(str(CONFIG_DIR), version_base=None):
            cfg = compose(
                "config", overrides=[f"experiment={name}", *extra], return_hydra_config=True
            )
        params = OmegaConf.to_container(cfg.hydra.sweeper.params, resolve=True)
        assert params["sensitivity.sample"] == f"range({sensitivity.n_rows({**s, 'n': n})})"
    sensitivity.problem(s["parameters"])  # every listed parameter is uncertain


def _comparison_runs(noise_scale: float) -> pd.DataFrame:
    """Runs whose seed noise is shared by scenarios (common random numbers): known gains."""
    rng = np.random.default_rng(1)
    rows = []
    for sample in range(-1, 5):
        for seed in range(6):
            shared = rng.normal(0, noise_scale)
            for scenario, gain in (
                ("baseline", 0.0),
                ("enclave", 10.0),
                ("labour", -1.0 if sample == 0 else 2.0),
            ):
                rows.append(
                    {
                        "scenario": scenario,
                        "sensitivity.sample": sample,
                        "seed": seed,
                        "west_jobs_local": 100 + gain + shared + rng.normal(0, 0.1),
                        "east_programme_cost": 0.0 if scenario == "baseline" else 5.0,
                    }
                )
    return pd.DataFrame(rows)


def test_p_better_and_rank_first_count_draws_times_seeds():
    t = uncertainty.comparison_table(
        _comparison_runs(50.0), ["west_jobs_local", "east_programme_cost"]
    )
    jobs = t[t["metric"] == "west_jobs_local"].set_index("scenario")
    assert jobs.loc["enclave", "p_better_than_baseline"] == 1.0
    assert jobs.loc["labour", "p_better_than_baseline"] == pytest.approx(24 / 30)  # draw 0 loses
    assert np.isnan(jobs.loc["baseline", "p_better_than_baseline"])
    assert jobs.loc["enclave", "p_rank_first"] == 1.0 and jobs[
        "p_rank_first"
    ].sum() == pytest.approx(1.0)
    cost = t[t["metric"] == "east_programme_cost"].set_index(
        "scenario"
    )  # less is better: baseline wins
    assert (
        cost.loc["enclave", "p_better_than_baseline"] == 0.0
        and cost.loc["baseline", "p_rank_first"] == 1.0
    )
    assert jobs.loc["labour", "gain_lo"] < 0 < jobs.loc["labour", "gain_hi"]


def test_pairing_narrows_the_interval_when_noise_is_shared():
    t = uncertainty.comparison_table(_comparison_runs(50.0), ["west_jobs_local"])
    assert uncertainty.narrowing(t)["west_jobs_local"] > 20
    t0 = uncertainty.comparison_table(_comparison_runs(0.0), ["west_jobs_local"])
    assert uncertainty.narrowing(t0)["west_jobs_local"] < 5


def test_main_job_table_has_p_better_than_baseline(tmp_path):
    out = tmp_path / "pc"
    r = run_cli(
        "-m",
        "experiment=policy_comparison",
        "scenario=baseline,full",
        "run.seed=0",
        "sensitivity.n=2",
        "sensitivity.sample=-1,0,1",
        *TINY,
        f"hydra.sweep.dir={out}",
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    table = pd.read_csv(out / "policy_comparison.csv")
    assert {
        "scenario",
        "metric",
        "p_better_than_baseline",
        "p_rank_first",
        "gain_lo",
        "gain_hi",
    } <= set(table)
    full = table[table["scenario"] == "full"]
    assert full["p_better_than_baseline"].between(0, 1).all() and full["runs_draws"].eq(2).all()
    assert (
        "P(better than baseline)" in r.stdout
        and (out / "figures" / "policy_comparison.png").exists()
    )
    from sim.studies import policy_comparison

    fig = policy_comparison.comparison_figure(
        sim.load_timeseries(out), "test", table, {"seeds": 1, "over": "2 parameter draws × 1 seeds"}
    )
    legends = [
        t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()
    ]
    assert (
        "seed-only: 95% CI over 1 seeds at the point estimate" in legends
    )  # both kinds of band, labelled
    assert "draws × seeds: 95% interval over 2 parameter draws × 1 seeds" in legends


def test_morris_study_writes_indices_and_figure(tmp_path):
    out = tmp_path / "morris"
    keys = "[economy.margin_mean,economy.west_wage_growth,policy.pairing.aid_per_county]"
    r = run_cli(
        "-m",
        "experiment=sensitivity_morris",
        f"sensitivity.parameters={keys}",
        "sensitivity.n=2",
        "sensitivity.sample=range(8)",
        *TINY,
        f"hydra.sweep.dir={out}",
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    table = pd.read_csv(out / "sensitivity_indices.csv")
    assert set(table["outcome"]) >= {
        "west_jobs_local",
        "east_programme_cost",
        "jobs_per_100m_east_yuan",
    }
    cost = table[(table["outcome"] == "east_programme_cost") & (table["index"] == "mu_star")]
    # the eastern cost moves with the aid per county, not with the western wage trend
    top = cost.set_index("parameter")["value"]
    assert top.idxmax() == "policy.pairing.aid_per_county"
    assert (out / "figures" / "sensitivity_morris.png").exists()
