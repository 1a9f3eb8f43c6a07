"""Tables and figures that read at a glance: units travel with the data, calendar columns,
ordered scenarios, missing (not 0) where a metric does not apply, human labels."""

import matplotlib
import pandas as pd
import pytest

import sim
from sim.model.metrics import REGION_METRICS, region_side
from sim.report import figures as plots
from sim.report import labels
from sim.runs import store as outputs
from tests.helpers import model, run_cli

matplotlib.use("Agg")
TINY = ["run.years=1", "geography.n_firms=400", "run.progress=off"]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    """An ad-hoc sweep: scenario (in a non-canonical order) × a numeric lever × 2 seeds."""
    out = tmp_path_factory.mktemp("adhoc") / "sweep"
    r = run_cli(
        "-m",
        "scenario=full,baseline",
        "policy.labour.training_rate=0,0.1",
        "run.seed=0,1",
        *TINY,
        f"hydra.sweep.dir={out}",
    )
    assert r.returncode == 0, r.stderr
    return out, r


def test_year_is_an_integer_with_a_quarter():
    m = model({"run.years": 2, "geography.n_firms": 300})
    m.run()
    ts = m.timeseries()
    assert ts["year"].dtype.kind == "i" and ts["quarter"].dtype.kind == "i"
    assert ts[["year", "quarter"]].iloc[[0, 3, 4, 8]].values.tolist() == [
        [2021, 1],
        [2021, 4],
        [2022, 1],
        [2023, 1],
    ]
    assert (plots.time_of(ts).diff().dropna() == 0.25).all()


def test_a_metric_that_does_not_apply_is_missing_not_zero():
    m = model({"run.years": 1, "geography.n_firms": 300, "scenario": "enclave"})
    m.run()
    rg = m.regions()
    west = rg["side"] == "west"
    for k in REGION_METRICS:
        side = region_side(k)
        if side == "west":
            assert rg.loc[~west, k].isna().all() and rg.loc[west, k].notna().all(), k
        elif side == "east":
            assert rg.loc[west, k].isna().all() and rg.loc[~west, k].notna().all(), k
        else:
            assert rg[k].notna().all(), k
    assert region_side("jobs_local") == "west" and region_side("firms") is None
    assert rg["lon"].between(70, 140).all() and rg["lat"].between(15, 55).all()


def test_units_travel_in_the_parquet_metadata(sweep):
    out, _ = sweep
    units = outputs.units(out / "summary.parquet")
    assert units["west_jobs_local"] == "persons" and units["low_income_share"] == "share"
    assert units["policy.labour.training_rate"] == "share/year"
    job = next(p for p in out.iterdir() if "=" in p.name)
    assert outputs.units(job / "timeseries.parquet")["year"] == "year"
    assert outputs.units(out / "regions.parquet")["income_per_capita"] == "yuan/year"
    import pyarrow.parquet as pq

    field = pq.read_schema(out / "summary.parquet").field("west_fiscal_cost")
    assert field.metadata[b"unit"] == b"yuan/year"


def test_sweep_tables_order_scenarios_and_keep_county_rows(sweep):
    out, _ = sweep
    df = sim.load_sweep(out)
    assert isinstance(df["scenario"].dtype, pd.CategoricalDtype) and df["scenario"].cat.ordered
    assert list(df["scenario"].cat.categories) == [
        "baseline",
        "full",
    ]  # baseline first, not as swept
    assert sim.load_timeseries(out)["year"].dtype.kind == "i"
    rg = sim.load_regions(out)
    n_counties = 145
    assert len(rg) == len(df) * n_counties
    assert {"county", "code", "prefecture", "lon", "lat", "side", "job", "seed"} <= set(rg.columns)
    codes = rg.drop_duplicates("county").set_index("county")["code"]
    assert (
        codes["Hongkou"] == "310109" and codes["Wuhua"] == "530102"
    )  # GB/T 2260: Shanghai 31, Yunnan 53
    assert codes.notna().sum() >= 135 and codes.dropna().str.fullmatch(r"(31|53)\d{4}").all()
    assert (rg["step"] == rg["step"].max()).all()
    east = rg["side"] == "east"
    assert (
        rg.loc[east, "income_per_capita"].isna().all()
        and rg.loc[~east, "income_per_capita"].notna().all()
    )


def test_an_ad_hoc_sweep_gets_a_table_and_a_figure(sweep):
    out, r = sweep
    table = pd.read_csv(out / "sweep.csv")
    assert {"scenario", "policy.labour.training_rate", "runs", "west_jobs_local_lo"} <= set(
        table.columns
    )
    assert len(table) == 4 and (table["runs"] == 2).all()
    text = (out / "sweep.txt").read_text()
    assert (
        "Labour: training rate" in text and "policy.labour" not in text and "Full package" in text
    )
    assert (out / "figures" / "sweep.png").stat().st_size > 10_000
    assert "Figure:" in r.stdout


def test_labels_are_human_with_units_and_percent_for_shares():
    assert labels.axis("policy.enclave.tax_share_east") == "Enclave: tax share east (%)"
    assert (
        labels.axis("low_income_share", difference=True)
        == "Low-income share over baseline (percentage points)"
    )
    assert labels.axis("west_income_per_capita") == "Western income per capita (yuan/year)"
    assert (
        labels.axis("east_programme_cost", millions=True)
        == "Eastern programme cost (million yuan/year)"
    )
    assert labels.value("policy.enclave.tax_share_east", 0.4) == "40%"
    assert labels.scale("low_income_share") == (100.0, False)
    assert (
        labels.geography("shanghai_yunnan") == "Shanghai–Yunnan"
        and labels.scenario("full") == "Full package"
    )


def test_figures_show_no_dotted_keys_and_each_group_its_own_style(sweep):
    out, _ = sweep
    summary = sim.load_sweep(out)
    fig = plots.response(
        summary,
        "policy.labour.training_rate",
        ["west_jobs_local", "low_income_share"],
        "scenario",
        "test",
    )
    texts = [t.get_text() for ax in fig.axes for t in (ax.xaxis.label, ax.yaxis.label, ax.title)]
    assert texts and not [t for t in texts if "." in t.split(" (")[0] or "_" in t], texts
    assert "Low-income share (%)" in texts
    lines = [ln for ln in fig.axes[0].get_lines() if ln.get_label() in ("Baseline", "Full package")]
    assert len({(ln.get_linestyle(), ln.get_marker(), ln.get_color()) for ln in lines}) == 2
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "95% CI over 2 seeds" in legend
