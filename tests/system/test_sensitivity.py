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
from sim.params.schema import EconomyConfig
from tests.helpers import run_cli

TINY = ["run.years=1", "geography.n_firms=300", "run.progress=off"]


def test_prior_ranges_are_the_supports_of_the_varied_parameters_priors():
    ranges = sensitivity.prior_ranges()
    meta = {k: f.metadata for k, f in schema.schema_fields()}
    assert ranges["economy.east_land_growth"] == pytest.approx((0.02, 0.06))
    assert ranges["economy.move_cost"] == (0.02, 0.5)  # calibrated: the calibration's prior
    assert "policy.enclave.coinvest_per_park" not in ranges  # a lever: only when asked
    assert sensitivity.prior_ranges(levers=True)["policy.enclave.coinvest_per_park"] == (5e6, 5e7)
    assert "economy.vat_rate" not in ranges  # statutory: fixed
    assert "economy.n_promoted" not in ranges  # integer
    for k, (lo, hi) in ranges.items():
        assert lo < hi
        assert meta[k]["lo"] is None or lo >= meta[k]["lo"]
        assert meta[k]["hi"] is None or hi <= meta[k]["hi"]
    budget = [f"economy.budget_{k}" for k in ("infrastructure", "workshops", "training")]
    # levers sharing one budget: every design row that varies them passes schema.validate
    assert sum(sensitivity.prior_ranges(levers=True)[k][1] for k in budget) <= 1 + 1e-12


def test_every_parameter_has_a_role_and_every_uncertain_one_a_prior_inside_its_bounds():
    for key, f in schema.schema_fields():
        m = f.metadata
        assert m["role"] in schema.ROLES, key
        prior = m["prior"]
        if m["role"] in (schema.UNCERTAIN, schema.CALIBRATED):
            assert isinstance(prior, schema.Prior), f"{key} is {m['role']} but has no prior"
        if m["role"] == schema.FIXED:
            assert prior is None, f"{key} is fixed but has a prior"
        if prior is None:
            continue
        lo, hi = prior.support
        assert lo < hi, key
        assert m["lo"] is None or lo >= m["lo"], f"{key}: prior {prior} below {m['lo']}"
        assert m["hi"] is None or hi <= m["hi"], f"{key}: prior {prior} above {m['hi']}"
        values = prior.quantile(np.linspace(0, 1, 101))
        assert np.all(np.diff(values) >= 0) and values[0] == pytest.approx(lo)
        assert values[-1] == pytest.approx(hi)
    roles = {f.metadata["role"] for _, f in schema.schema_fields()}
    assert roles == set(schema.ROLES)
    with pytest.raises(ValueError, match="needs a prior"):
        schema.param(0.5, "share", "a guess", lo=0, hi=1, role=schema.UNCERTAIN)
    with pytest.raises(ValueError, match="leaves the allowed range"):
        schema.param(0.5, "share", "a guess", 0, 1, prior=schema.uniform(0, 2), role="uncertain")


def test_priors_have_their_stated_shapes():
    u = np.linspace(0.0005, 0.9995, 1000)
    assert schema.uniform(2, 4).quantile(u).mean() == pytest.approx(3, abs=1e-9)
    log = schema.loguniform(1e3, 1e5).quantile(u)
    assert np.median(log) == pytest.approx(1e4, rel=0.01)  # the geometric mean of the bounds
    tri = schema.triangular(0.3, 0.8, 1.0).quantile(u)
    assert tri.mean() == pytest.approx(0.7, abs=2e-3)
    assert str(schema.triangular(0, 0.01, 0.05)) == "triangular(0, 0.01, 0.05)"
    for bad in (("uniform", (1.0, 1.0)), ("loguniform", (0.0, 1.0)), ("normal", (0.0, 1.0))):
        with pytest.raises(ValueError):
            schema.Prior(*bad)


def test_calibrated_parameters_are_the_calibrations_with_its_priors():
    from sim.params.draws import known_calibrations, load_spec

    schema_meta = {k: f.metadata for k, f in schema.schema_fields()}
    calibrated = {k for k, m in schema_meta.items() if m["role"] == schema.CALIBRATED}
    fitted = set()
    for name in known_calibrations():
        for key, p in load_spec(name)["parameters"].items():
            fitted.add(key)
            prior = schema_meta[key]["prior"]
            kind = "loguniform" if p.get("scale") == "log" else "uniform"
            assert (prior.kind, prior.support) == (kind, tuple(map(float, p["prior"]))), (
                f"{key}: the schema's prior {prior} is not calibration {name}'s {p}"
            )
    assert calibrated == fitted


def _lever_values(cfg) -> dict:
    return {k: schema._get(cfg, k) for k in sensitivity.lever_keys()}


@pytest.mark.parametrize(
    "method, extra",
    [("morris", {"sensitivity.n": 2}), ("sobol", {"sensitivity.n": 2}), ("draws", {})],
)
def test_no_lever_is_varied_by_a_design_unless_asked(method, extra):
    levers = set(sensitivity.lever_keys())
    assert {"policy.enclave.tax_share_east", "policy.subsidy.land_discount"} <= levers
    for geo in ("shanghai_yunnan", ""):  # with a calibration's draws, and without (prior draws)
        assert not levers & set(sensitivity.design_keys(method, (), geo))
    base = {"scenario": "full", "sensitivity.method": method, **extra}
    for overrides in (base, {**base, "calibration": "none"}):
        point = _lever_values(sim.compose(overrides))
        for k in (0, 3):
            assert _lever_values(sim.compose({**overrides, "sensitivity.sample": k})) == point
    if method == "draws":  # a calibration's draws have no levers to give: asking is refused
        with pytest.raises(schema.ConfigError, match="carry no policy levers"):
            sim.compose({**base, "sensitivity.levers": True, "sensitivity.sample": 0})
    asked = {**base, "calibration": "none", "sensitivity.levers": True}
    section = {"method": method, "n": extra.get("sensitivity.n", 8), "parameters": []}
    last = sensitivity.n_rows({**section, "levers": True}) - 1
    first, end = (_lever_values(sim.compose({**asked, "sensitivity.sample": k})) for k in (0, last))
    assert first != end  # asked: the levers move
    named = {"sensitivity.method": "morris", "sensitivity.sample": 0}
    with pytest.raises(schema.ConfigError, match="sensitivity.levers=true"):
        sim.compose({**named, "sensitivity.parameters": ["policy.enclave.tax_share_east"]})
    row = sim.compose(
        {
            **named,
            "sensitivity.parameters": ["policy.enclave.tax_share_east"],
            "sensitivity.levers": True,
        }
    )
    assert 0 <= row.policy.enclave.tax_share_east <= 0.5


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
    e = EconomyConfig()
    assert cfg.economy.friction_west != e.friction_west or cfg.economy.margin_mean != e.margin_mean


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
    assert point.economy.friction_west == EconomyConfig().friction_west  # -1: untouched


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
    # every listed parameter is uncertain, or a lever the experiment asks for
    sensitivity.problem(s["parameters"], s.get("levers", False))


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
    # ranked among the building blocks only: the baseline gets no rank
    assert jobs.loc["enclave", "p_rank_first"] == 1.0 and jobs.loc[
        ["enclave", "labour"], "p_rank_first"
    ].sum() == pytest.approx(1.0)
    assert np.isnan(jobs.loc["baseline", "p_rank_first"])
    cost = t[t["metric"] == "east_programme_cost"].set_index("scenario")  # less is better
    assert cost.loc["enclave", "p_better_than_baseline"] == 0.0
    assert cost.loc["enclave", "p_rank_first"] == cost.loc["labour", "p_rank_first"] == 0.5  # tie
    assert jobs.loc["labour", "gain_lo"] < 0 < jobs.loc["labour", "gain_hi"]


def _ranked_runs() -> pd.DataFrame:
    """Every scenario of the main job over 3 draws × 2 seeds: known gains and public costs."""
    rows = []
    gains = {"pairing": 10, "enclave": 30, "labour": 8, "consumption": 1, "full": 60}
    costs = {"pairing": 1e6, "enclave": 4e6, "labour": 0.5e6, "consumption": 1e6, "full": 8e6}
    for sample in range(-1, 3):
        for seed in range(2):
            for s in ("baseline", *gains):
                extra = 5.0 if (s == "labour" and sample == 2) else 0.0  # draw 2: labour worse
                rows.append(
                    {
                        "scenario": s,
                        "sensitivity.sample": sample,
                        "seed": seed,
                        "west_jobs_local": 100.0 + gains.get(s, 0) - 2 * extra,
                        "public_programme_cost": 1e7 + costs.get(s, 0.0),
                    }
                )
    return pd.DataFrame(rows)


def test_the_ranking_compares_building_blocks_only_per_yuan_and_sums_to_one():
    ratios = uncertainty.per_yuan(uncertainty.over_draws(_ranked_runs()))
    ranks = uncertainty.ranking(ratios)
    jobs = ranks[ranks["measure"] == "jobs_per_million_yuan"].set_index("scenario")
    assert set(jobs.index) == set(uncertainty.BLOCKS)  # not full, not the baseline
    assert jobs["p_rank_first"].sum() == pytest.approx(1.0)
    # per yuan, not per scenario: labour (16 jobs per million) beats enclave (7.5), whose gain
    # is larger; in draw 2 labour loses 2 jobs (-4 per million): pairing's 10 wins
    assert jobs.loc["labour", "p_rank_first"] == pytest.approx(2 / 3)
    assert jobs.loc["pairing", "p_rank_first"] == pytest.approx(1 / 3)
    assert jobs.loc["enclave", "p_rank_first"] == 0.0
    cols = uncertainty.per_yuan_columns(ratios)
    assert np.isnan(cols.loc["full", "p_first_jobs_per_million_yuan"])
    assert cols.loc["full", "jobs_per_million_yuan"] == pytest.approx(7.5)
    assert cols.loc["labour", "jobs_per_million_yuan_lo"] == pytest.approx(-4)
    assert np.isnan(cols.loc["labour", "public_cost_per_job_hi"])  # the interval reaches zero
    assert cols.loc["pairing", "public_cost_per_job_hi"] == pytest.approx(1e5)
    params = pd.DataFrame({"economy.x": [0.1, 0.2, 0.9]}, index=[0, 1, 2])
    flips = uncertainty.conditional_ranking(ratios, params)
    row = flips[flips["measure"] == "jobs_per_million_yuan"].iloc[0]
    assert row["flips"] and row["first_low"] == "labour" and row["first_high"] == "pairing"


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
        "sensitivity.levers=true",  # aid_per_county is a lever: asked for by name and flag
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


@pytest.mark.filterwarnings("ignore:geography.n_firms")
def test_the_draws_reach_the_governance_channel(monkeypatch):
    """Setting the governance channel to 0 in one draw changes that draw's pairing gain."""
    from sim.api import _run_config

    key, k = "policy.pairing.governance_gain", 1
    drawn = sensitivity.parameter_draws("shanghai_yunnan", 4)[k][key]
    assert drawn > 0
    run = {
        "sensitivity.method": "draws",
        "sensitivity.n": 4,
        "sensitivity.sample": k,
        "run.years": 4,  # long enough for the friction it cuts to change where firms land
        "geography.n_firms": 4000,
        "run.progress": "off",
    }

    def gain() -> dict:
        cfg = {s: sim.compose({**run, "scenario": s}) for s in ("baseline", "pairing")}
        assert cfg["pairing"].policy.pairing.governance_gain == pytest.approx(governance[0])
        out = {s: _run_config(c) for s, c in cfg.items()}
        return {m: out["pairing"][m] - out["baseline"][m] for m in out["pairing"]}

    governance = [drawn]
    as_drawn = gain()
    real = sensitivity._with_prior_draws

    def nil_in_draw_k(rows, calibration, seed=0):
        rows = real(rows, calibration, seed)
        return [{**r, key: 0.0} if i == k else r for i, r in enumerate(rows)]

    monkeypatch.setattr(sensitivity, "_with_prior_draws", nil_in_draw_k)
    from sim.params.compose import _compose

    _compose.cache_clear()  # composed configs are cached by their overrides
    governance[0] = 0.0
    try:
        nil = gain()
    finally:
        _compose.cache_clear()  # no later test sees this draw
    moved = [
        m
        for m in ("west_jobs_local", "firms_in_west", "west_income_per_capita")
        if as_drawn[m] != nil[m]
    ]
    assert moved, "the pairing gain ignores the draw's governance channel"


def test_the_draws_carry_every_screened_parameter_each_on_its_own_dimension():
    keys = sensitivity.drawn_uncertain("shanghai_yunnan")
    assert keys[0] == "policy.pairing.governance_gain" and len(keys) > 1  # the shipped list
    rows = sensitivity.parameter_draws("shanghai_yunnan", 40)
    supports = sensitivity.prior_ranges()
    values = pd.DataFrame([{k: r[k] for k in keys} for r in rows])
    for k in keys:
        lo, hi = supports[k]
        assert values[k].between(lo, hi).all() and values[k].nunique() == len(rows), k
    corr = values.corr(method="spearman").to_numpy()[np.triu_indices(len(keys), 1)]
    assert np.abs(corr).max() < 0.6  # independent dimensions, not one sequence shared
    assert "economy.move_cost" in rows[0]  # beside the calibration's posterior draw


def test_the_screen_keeps_the_parameters_above_the_threshold_and_governance_always():
    from sim.studies import screen

    rows = []
    for outcome in screen.OUTCOMES:
        for p, share in (("economy.a", 1.0), ("economy.b", 0.3), ("economy.c", 0.05)):
            rows.append({"outcome": outcome, "parameter": p, "role": "uncertain", "share": share})
        rows.append(
            {
                "outcome": outcome,
                "parameter": "policy.pairing.governance_gain",
                "role": "uncertain",
                "share": 0.01,
            }
        )
        rows.append(
            {"outcome": outcome, "parameter": "economy.move_cost", "role": "calibrated", "share": 1}
        )
    chosen = screen.influential(pd.DataFrame(rows), threshold=0.25)
    assert list(chosen["parameter"]) == [
        "economy.a",
        "economy.b",
        "policy.pairing.governance_gain",
    ]  # ranked; calibrated ones come from the posterior, not from here
