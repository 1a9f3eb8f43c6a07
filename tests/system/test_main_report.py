"""The main job's report: full public cost on both sides, cost per job, who gains, readable text."""

import matplotlib
import pandas as pd
import pytest

import sim
from sim.analysis import uncertainty
from sim.analysis.paired import paired_gain
from sim.model.mechanisms.accounts import EAST_LINES, WEST_LINES
from sim.report.tables import column, number, scale_for
from sim.studies import policy_comparison
from tests.helpers import run_cli

matplotlib.use("Agg")
TINY = ["run.years=1", "geography.n_firms=400", "run.progress=off"]


@pytest.fixture(scope="module")
def main_job(tmp_path_factory):
    out = tmp_path_factory.mktemp("main") / "pc"
    r = run_cli(
        "-m",
        "experiment=policy_comparison",
        "scenario=baseline,pairing,consumption",
        "run.seed=0,1",
        "sensitivity.n=2",
        "sensitivity.sample=-1,0,1",
        *TINY,
        f"hydra.sweep.dir={out}",
        timeout=900,
    )
    assert r.returncode == 0, r.stderr
    return out, r, pd.read_csv(out / "policy_comparison.csv"), sim.load_sweep(out)


def _mean_gain(summary, scenario, metric):
    runs = uncertainty.over_draws(summary)
    g = paired_gain(runs, [metric])
    return g.loc[g["scenario"].astype(str) == scenario, metric].mean()


def _row(table, scenario, metric):
    return table[(table["scenario"] == scenario) & (table["metric"] == metric)].iloc[0]


def test_the_western_cost_is_every_western_line_over_the_baseline_and_aid_counts_once(main_job):
    out, _, table, summary = main_job
    west = _row(table, "pairing", "west_programme_cost")["gain"]
    lines = sum(_mean_gain(summary, "pairing", f"west_cost_{k}") for k in WEST_LINES)
    assert west == pytest.approx(lines, rel=1e-9) and west > 0
    assert west > 10 * _row(table, "pairing", "west_fiscal_cost")["gain"]  # not only land discounts
    east = sum(_mean_gain(summary, "pairing", f"east_cost_{k}") for k in EAST_LINES)
    aid = _mean_gain(summary, "pairing", "east_cost_aid")
    public = _row(table, "pairing", "public_programme_cost")["gain"]
    assert aid > 0 and public == pytest.approx(east + lines - aid, rel=1e-9)
    # the report prints that number in its public-cost table, on the table's scale
    report = (out / "report.md").read_text(encoding="utf-8")
    costs = report[report.index("Public cost over the baseline") :]
    row = next(ln for ln in costs.splitlines() if ln.startswith("| Pairing"))
    central = table[
        table["metric"].isin(
            ["east_programme_cost", "west_programme_cost", "east_cost_aid", "public_programme_cost"]
        )
        & (table["scenario"] != "baseline")
    ]
    div, _ = scale_for(central["gain"], "yuan/year")
    assert number(public, div, 2 if div >= 1e9 else 1) in row


def test_cost_per_job_is_the_cost_gain_over_the_job_gain_from_the_table(main_job):
    _, _, table, _ = main_job
    pairing = table[table["scenario"] == "pairing"]
    assert _row(table, "pairing", "west_jobs_local")["gain"] > 0
    assert pairing["income_per_public_yuan"].iloc[0] == pytest.approx(
        _row(table, "pairing", "income_cum")["gain"]
        / _row(table, "pairing", "public_cost_cum")["gain"]
    )
    # a cost per job only where the job gain's interval lies above zero (never for the baseline)
    for scenario, rows in table.groupby("scenario"):
        jobs_row = _row(table, scenario, "west_jobs_local")
        for ratio, cost_metric in (
            ("public_cost_per_job", "public_programme_cost"),
            ("east_cost_per_job", "east_programme_cost"),
        ):
            cost = _row(table, scenario, cost_metric)["gain"]
            per_job = rows[ratio]
            if jobs_row["gain_lo"] > 0 and cost > 0:
                assert per_job.iloc[0] == pytest.approx(cost / jobs_row["gain"]), scenario
            else:
                assert per_job.isna().all(), scenario
    # the ratio itself, on this job's gains, where the pairing's job gain is taken as clear of zero
    long = table[["scenario", "metric", "gain", "gain_lo", "gain_hi"]].copy()
    jobs_at = (long["scenario"] == "pairing") & (long["metric"] == "west_jobs_local")
    long.loc[jobs_at, "gain_lo"] = long.loc[jobs_at, "gain"] / 2
    ratios = policy_comparison.add_ratios(long)
    ratios = ratios[ratios["scenario"] == "pairing"].iloc[0]
    jobs = _row(table, "pairing", "west_jobs_local")["gain"]
    for ratio, cost_metric in (
        ("public_cost_per_job", "public_programme_cost"),
        ("east_cost_per_job", "east_programme_cost"),
    ):
        assert ratios[ratio] == pytest.approx(_row(table, "pairing", cost_metric)["gain"] / jobs)
    assert table.loc[table["scenario"] == "baseline", "public_cost_per_job"].isna().all()


def test_the_discounted_window_cost_is_below_the_sum_and_positive(main_job):
    _, _, table, _ = main_job
    cum, disc = (_row(table, "pairing", m)["gain"] for m in ("public_cost_cum", "public_cost_disc"))
    assert 0 < disc < cum


def test_the_report_reads_for_people(main_job):
    out, r, _, _ = main_job
    md, html = (
        (out / "report.md").read_text(encoding="utf-8"),
        (out / "report.html").read_text(encoding="utf-8"),
    )
    for text in (md, r.stdout):
        long = [ln for ln in text.splitlines() if len(ln) > 100]
        assert not long, long[:3]
    assert "e-0" not in md and "0.0000" not in md  # no float noise
    for needed in (
        "Public cost over the baseline",
        "Every cost line",
        "Cost per job",
        "Who gains",
        "Paired counties",
        "lose local jobs",
        "Discounted 8%",
        "NDRC and Ministry of Construction, 2006",  # the issuers in 2006 (MOHURD came in 2008)
        "2 parameter draws × 2 seeds",
        "last quarter",
    ):
        assert needed in md, needed
    assert "<table>" in html and "Cost per job" in html
    assert "provinces: Natural Earth (public domain)" in " ".join(md.split())  # outline sources
    assert "P(costlier)" not in md or "P(better" not in md.split("Public cost")[1].split("##")[0]


def test_the_figure_shows_gains_everywhere_and_hides_no_scenario(main_job):
    out, _, table, _ = main_job
    fig = policy_comparison.comparison_figure(sim.load_timeseries(out), "test", table)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert all("over baseline" in t for t in titles), titles
    assert (
        "Eastern programme cost over baseline" in titles
        and "Western programme cost less aid over baseline" in titles
    )
    assert "every panel: gain over the baseline" in fig._suptitle.get_text()
    styles = {
        (ln.get_label(), ln.get_linestyle(), ln.get_marker())
        for ln in fig.axes[0].get_lines()
        if not ln.get_label().startswith("_")
    }
    assert (
        len({s[1:] for s in styles}) == len(styles) == 2
    )  # pairing and consumption, each its own style


def test_who_gains_groups_add_up_to_the_total(main_job):
    out, _, table, _ = main_job
    groups = pd.read_csv(out / "county_groups.csv")
    g = groups[groups["scenario"] == "pairing"].set_index(["metric", "group"])["gain"]
    everyone = g[("jobs_local", "All western counties")]
    assert g[("jobs_local", "Paired counties")] + g[
        ("jobs_local", "Unpaired counties")
    ] == pytest.approx(everyone)
    assert sum(g[("jobs_local", f"Income Q{q}" + x)] for q, x in QUINTILES) == pytest.approx(
        everyone
    )
    assert everyone == pytest.approx(_row(table, "pairing", "west_jobs_local")["gain"], rel=1e-6)
    # per capita over all western counties is the model's western income per capita
    assert g[("income_per_capita", "All western counties")] == pytest.approx(
        _row(table, "pairing", "west_income_per_capita")["gain"], rel=1e-6
    )
    cg = policy_comparison.county_gains(out)
    assert cg.loc[cg["scenario"] == "pairing", "jobs_local"].sum() == pytest.approx(everyone)


QUINTILES = [(1, " (poorest)"), (2, ""), (3, ""), (4, ""), (5, " (richest)")]
GROUP_ROWS = [
    "All western counties",
    *(f"Income Q{q}{x}" for q, x in QUINTILES),
    "Key counties",
    "Other counties",
    "Paired counties",
    "Unpaired counties",
    "Urban districts",
    "Rural counties",
]


def test_the_report_shows_every_county_group_with_intervals_and_says_what_they_cover(main_job):
    out, _, _, summary = main_job
    md = (out / "report.md").read_text(encoding="utf-8")
    regions = sim.load_regions(out)
    west = regions[(regions["side"] == "west")].drop_duplicates("county")
    for scenario in ("Pairing", "Consumption"):
        part = md[md.index(f"Who gains under {scenario}") :].split("\n\n**")[0]
        rows = {
            ln.split("|")[1].strip().rsplit(" (", 1)[0]: ln
            for ln in part.splitlines()
            if ln.startswith("| ") and not ln.startswith("| Group")
        }
        assert list(rows) == GROUP_ROWS
        for ln in rows.values():
            assert ln.count("[") == 3, ln  # jobs, per capita and all, each with its interval
        counts = {k: int(v.split("|")[1].rsplit("(", 1)[1].rstrip(") ")) for k, v in rows.items()}
        assert counts["Key counties"] == int((west["key_county"] == 1).sum())
        assert counts["Urban districts"] == int(west["urban_district"].sum())
        assert counts["Paired counties"] + counts["Unpaired counties"] == len(west)
        assert sum(counts[f"Income Q{q}{x}"] for q, x in QUINTILES) == len(west)
    pairs = uncertainty.over_draws(summary)[["sensitivity.sample", "seed"]].drop_duplicates()
    assert f"the {len(pairs)} pairs (2 parameter draws × 2 seeds)" in " ".join(md.split())
    assert "2.5–97.5 percentiles" in md
    assert "Counties that lose" in md


def test_columns_share_a_scale_and_carry_no_float_noise():
    cells, unit = column([5.8e9, 4.6e8, -4.41e-4], unit="yuan/year")
    assert unit == "bn yuan/year" and cells == ["5.80", "0.46", "0.00"]
    cells, unit = column([12.3, 0.0], [10.9, -1e-13], [14.6, 2e-13], unit="persons")
    assert cells == ["12 [11, 15]", "0 [0, 0]"] and unit == "persons"
    assert column([-0.00035], unit="pp")[0] == ["-0.035"]


def test_the_for_whom_recipe_runs_on_the_main_job(main_job, capsys):
    """docs/recipes.md §6, as written, on this sweep; its one call gives the report's numbers."""
    from pathlib import Path

    out, _, _, _ = main_job
    recipes = (Path(__file__).parents[2] / "docs" / "recipes.md").read_text(encoding="utf-8")
    section = recipes.split("## 6. For whom?", 1)[1].split("\n## ", 1)[0]
    blocks = [b.split("```", 1)[0] for b in section.split("```python\n")[1:]]
    assert len(blocks) == 3
    for code in blocks:
        exec(code.replace("results/sweeps/policy_comparison", str(out)), {})
    printed = capsys.readouterr().out
    assert "Paired counties" in printed and "min_wage_tier" in printed
    groups = sim.group_gains(out)
    pd.testing.assert_frame_equal(
        groups.reset_index(drop=True), pd.read_csv(out / "county_groups.csv"), check_dtype=False
    )
