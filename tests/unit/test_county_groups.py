"""Gains by county group and the counties that lose, on a small constructed sweep whose answers
are known by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis import county_groups, uncertainty
from sim.analysis.paired import SAMPLE

# four western counties and one eastern: (name, paired, key, district, quintile, working age)
COUNTIES = [
    ("A", 1.0, 1.0, False, 1, 100.0),
    ("B", 1.0, 0.0, False, 2, 300.0),
    ("C", 0.0, 0.0, True, 5, 600.0),
    ("D", 0.0, 1.0, False, 1, 200.0),
]
# per county: mean income gain of the scenario over its twin; pair k adds 4 * (k - 3.5)
INCOME_GAIN = {"A": 100.0, "B": 50.0, "C": -30.0, "D": -5.0}
JOB_GAIN = {"A": 10.0, "B": 4.0, "C": -2.0, "D": 0.0}


def _sweep() -> pd.DataFrame:
    rows = []
    pairs = [(s, seed) for s in (-1, 0, 1) for seed in (0, 1)]
    for k, (sample, seed) in enumerate(pairs):
        for scenario in ("baseline", "x"):
            on = scenario == "x"
            for name, paired, key, district, q, wa in COUNTIES:
                rows.append(
                    {
                        "scenario": scenario,
                        SAMPLE: sample,
                        "seed": seed,
                        "step": 40,
                        "county": name,
                        "side": "west",
                        "prefecture": "P",
                        "paired": paired,
                        "key_county": key,
                        "urban_district": district,
                        # the scenario's own start state ranks A differently: groups must come
                        # from the baseline twin
                        "income_quintile": 3 if (on and name == "A") else q,
                        "population": 2 * wa,
                        "working_age": wa,
                        "residents": 1.5 * wa,
                        "income_per_capita": 1000.0
                        + 10 * k
                        + on * (INCOME_GAIN[name] + 4 * (k - 3.5)),
                        "jobs_local": 5.0 + on * JOB_GAIN[name],
                    }
                )
            rows.append(
                {
                    "scenario": scenario,
                    SAMPLE: sample,
                    "seed": seed,
                    "step": 40,
                    "county": "E",
                    "side": "east",
                    "income_per_capita": np.nan,
                    "jobs_local": np.nan,
                }
            )
    df = pd.DataFrame(rows)
    df["income_quintile"] = df["income_quintile"].astype("Int8")
    return df


def _draw_gains(name: str) -> np.ndarray:
    """The income gains of county ``name`` in the four draw pairs (k = 2..5)."""
    return np.array([INCOME_GAIN[name] + 4 * (k - 3.5) for k in range(2, 6)])


def test_group_gains_sum_and_divide_before_pairing_and_use_draw_runs_only():
    g = county_groups.group_gains(_sweep())
    assert set(g["scenario"]) == {"x"}
    row = lambda group, metric: g[(g["group"] == group) & (g["metric"] == metric)].iloc[0]  # noqa: E731
    everyone = row("All western counties", "jobs_local")
    assert everyone["gain"] == pytest.approx(sum(JOB_GAIN.values()))
    assert everyone["pairs"] == 4  # draws 0 and 1 × seeds 0 and 1; the point estimate is not one
    # per capita: the group's income gain over its residents (B and A are paired)
    per_pair = (_draw_gains("A") * 100 + _draw_gains("B") * 300) / 400
    paired = row("Paired counties", "income_per_capita")
    assert paired["gain"] == pytest.approx(per_pair.mean())
    lo, hi = np.percentile(per_pair, uncertainty.INTERVAL)
    assert (paired["gain_lo"], paired["gain_hi"]) == pytest.approx((lo, hi))
    assert paired["counties"] == 2 and paired["population"] == 800
    total = row("Paired counties", "income_total")
    assert total["gain"] == pytest.approx((per_pair * 1.5 * 400).mean())  # residents = 1.5 × wa
    per_1000 = row("Unpaired counties", "jobs_per_1000")
    assert per_1000["gain"] == pytest.approx(1000 * (-2.0 + 0.0) / 800)
    assert row("Urban districts", "jobs_local")["gain"] == pytest.approx(-2.0)
    assert row("Key counties", "jobs_local")["gain"] == pytest.approx(10.0)
    assert row("Unpaired counties", "income_per_capita")["p_loss"] == 1.0


def test_groups_come_from_the_baseline_twin():
    g = county_groups.group_gains(_sweep())
    q1 = g[(g["group"].str.startswith("Income Q1")) & (g["metric"] == "jobs_local")]
    assert q1["counties"].item() == 2  # A and D, though the scenario's own rows put A in Q3
    assert q1["gain"].item() == pytest.approx(JOB_GAIN["A"] + JOB_GAIN["D"])
    assert not (g["group"].str.startswith("Income Q3")).any()


def test_the_losing_counties_are_those_with_a_mean_loss_largest_first():
    table = county_groups.county_gains(_sweep())
    lose = county_groups.losing_counties(table)
    assert list(lose["county"]) == ["C", "D"]
    c = lose.iloc[0]
    assert c["income_per_capita"] == pytest.approx(_draw_gains("C").mean())
    lo, hi = np.percentile(_draw_gains("C"), uncertainty.INTERVAL)
    assert (c["income_per_capita_lo"], c["income_per_capita_hi"]) == pytest.approx((lo, hi))
    assert c["income_per_capita_p_loss"] == 1.0
    assert c["jobs_local"] == pytest.approx(-2.0)
    # D loses on average, but not in every pair
    d = lose.iloc[1]
    assert 0 < d["income_per_capita_p_loss"] < 1
    assert d["prefecture"] == "P" and bool(d["key_county"])
    # by jobs, only C loses; a loss within the tolerance is none
    assert list(county_groups.losing_counties(table, "jobs_local")["county"]) == ["C"]
    assert list(county_groups.losing_counties(table, "jobs_local", tolerance=3)["county"]) == []
