"""Western counties start as the census and the income statistics find them: their own local
jobs at their own wages, farm earnings per farm worker, and start incomes that reproduce the
reported per-capita income within the tolerance docs/ODD.md §5 states."""

from __future__ import annotations

import csv

import numpy as np
import yaml
from scipy.stats import spearmanr

from sim.model.mechanisms.labour import FARM, LOW, MIGRANT, SERVICE
from sim.model.transfer import TransferModel
from sim.world.geography import world_file

# the stated tolerance (docs/ODD.md §5, docs/data.md): population-weighted RMS of the relative
# error, share of counties within ±20 %, largest error of any county
RMS_TOLERANCE, WITHIN_20, MAX_ERROR = 0.10, 0.90, 0.50


def _csv_rows(geo: str) -> dict[str, dict]:
    with world_file(geo, "counties.csv").open(encoding="utf-8") as f:
        return {r["name"]: r for r in csv.DictReader(f)}


def _yaml(geo: str) -> dict:
    return yaml.safe_load(world_file(geo, "geography.yaml").read_text(encoding="utf-8"))


def _value(entry):
    return entry["value"] if isinstance(entry, dict) else entry


def test_census_shares_in_the_model_file_are_those_of_the_county_table():
    for geo in ("shanghai_yunnan", "fujian_ningxia", "northeast"):
        table = _csv_rows(geo)
        west = [c for c in _yaml(geo)["counties"] if c["side"] == "west"]
        assert west and all(c["name"] in table for c in west), geo
        for c in west:
            row = table[c["name"]]
            assert c["urban_share"] == round(float(row["urban_share_2020"]), 4), c["name"]
            assert c["nonfarm_share"] == round(1 - float(row["emp_share_farm"]), 4), c["name"]


def _start():
    m = TransferModel()
    geo, lab = m.geo, m.labour
    names = geo.county_name[geo.is_west]
    return m, geo, lab, names


def test_each_county_starts_with_its_census_local_jobs_held_at_its_wage():
    m, geo, lab, names = _start()
    table = _csv_rows("shanghai_yunnan")
    by_status = lab.people.sum(axis=(1, 2))
    local, farm = by_status[:, SERVICE], by_status[:, FARM]
    census = np.array([1 - float(table[n]["emp_share_farm"]) for n in names])
    np.testing.assert_allclose(local / (local + farm), census, atol=1e-4)
    # every local job has an employer (local demand equals the jobs held) and a wage bill
    np.testing.assert_allclose(lab.service_demand, local, rtol=1e-12)
    assert (lab.wage[:, LOW] > 0).all() and (local * lab.wage[:, LOW]).sum() > 0
    # about 60 % of Yunnan's employed residents work off the farm (census 2020)
    share = local.sum() / (local.sum() + farm.sum())
    assert 0.55 < share < 0.65, share
    # wages follow the county's minimum-wage tier: tier-1 counties pay more than tier-3 ones
    tier = np.array([int(table[n]["min_wage_tier"]) for n in names])
    assert lab.wage[tier == 1, LOW].min() > lab.wage[tier == 3, LOW].max()


def test_farm_earnings_are_per_farm_worker():
    m, geo, lab, _ = _start()
    econ = _yaml("shanghai_yunnan")["economy"]
    rural = _value(econ["west_rural_income_per_capita"])
    wage = _value(econ["west_wage_low"])
    # a farm worker earns more than the rural income per resident (which also feeds children and
    # the old) and less than a non-farm wage
    assert rural < lab.farm_income[0] < wage
    assert np.all(lab.farm_income == lab.farm_income[0])


def _start_income_table(geo: str) -> dict[str, dict]:
    with world_file(geo, "start_income.csv").open(encoding="utf-8") as f:
        return {r["name"]: r for r in csv.DictReader(f)}


def test_census_population_and_age_in_the_model_file_are_those_of_the_county_table():
    for geo in ("shanghai_yunnan", "fujian_ningxia", "northeast"):
        table = _csv_rows(geo)
        with world_file(geo, "east_counties.csv").open(encoding="utf-8") as f:
            table |= {r["name"]: r for r in csv.DictReader(f)}
        rows = _yaml(geo)["counties"]
        assert all(c["name"] in table for c in rows), geo
        for c in rows:
            assert c["population"] == int(table[c["name"]]["population_2020"]), c["name"]
            if c["side"] == "west":
                share = round(float(table[c["name"]]["share_15_59"]), 4)
                assert c["working_age_share"] == share, c["name"]
    # the census totals (docs/data.md): Yunnan's 129 counties and Ningxia's 22
    pops = {
        g: sum(c["population"] for c in _yaml(g)["counties"] if c["side"] == "west")
        for g in ("shanghai_yunnan", "fujian_ningxia")
    }
    assert pops == {"shanghai_yunnan": 47_209_277, "fujian_ningxia": 7_202_654}


def test_the_start_income_table_is_the_county_rows_income_and_its_derivation():
    table, census = _start_income_table("shanghai_yunnan"), _csv_rows("shanghai_yunnan")
    west = {c["name"]: c for c in _yaml("shanghai_yunnan")["counties"] if c["side"] == "west"}
    assert set(table) == set(west) == set(census)
    econ = _yaml("shanghai_yunnan")["economy"]
    for name, r in table.items():
        assert west[name]["income_pc"] == int(r["income_pc"]), name
        assert int(r["income_pc_low"]) < int(r["income_pc"]) < int(r["income_pc_high"])
        assert r["level"] == "derived" and r["year"] == "2021"
        # no prefecture income table was found: every county uses the provincial figures
        assert int(r["urban_income_pc"]) == _value(econ["west_urban_income_per_capita"])
        assert int(r["rural_income_pc"]) == _value(econ["west_rural_income_per_capita"])
        assert float(r["urban_share_2020"]) == round(float(census[name]["urban_share_2020"]), 4)
    # the file's incomes average to the official all-residents figure (to rounding)
    inc = np.array([int(r["income_pc"]) for r in table.values()])
    pop = np.array([int(r["population_2020"]) for r in table.values()])
    official = _value(econ["west_income_per_capita"])
    assert abs(np.average(inc, weights=pop) / official - 1) < 1e-4


def test_start_incomes_differ_as_the_source_data_do_and_reproduce_them():
    m, geo, lab, names = _start()
    table = _start_income_table("shanghai_yunnan")
    econ = _yaml("shanghai_yunnan")["economy"]
    pop = geo.population[geo.is_west]
    # the reported income, from the data file: start_income.csv, county by county
    reported = np.array([float(table[n]["income_pc"]) for n in names])
    low = np.array([float(table[n]["income_pc_low"]) for n in names])
    high = np.array([float(table[n]["income_pc_high"]) for n in names])
    # the data differ across counties (a county's income is not a constant) ...
    assert reported.std() / reported.mean() > 0.1
    assert reported.max() / reported.min() > 2
    np.testing.assert_allclose(lab.reported_income, reported, rtol=1e-4)
    model = lab.income_total / pop  # yuan per resident, start year
    official = _value(econ["west_income_per_capita"])
    # the province as a whole: the official figure
    assert abs(np.average(model, weights=pop) / official - 1) < 1e-6
    # counties differ as the data do: not a constant, and ranked like the data
    assert model.std() / model.mean() > 0.1
    assert spearmanr(model, reported)[0] > 0.8
    urban = np.array([float(table[n]["urban_share_2020"]) for n in names])
    assert model[urban > 0.9].min() > np.median(model)
    # and reproduce them within the stated tolerance, and inside each county's stated range
    err = model / reported - 1
    assert np.sqrt(np.average(err**2, weights=pop)) < RMS_TOLERANCE
    assert (np.abs(err) < 0.2).mean() >= WITHIN_20
    assert np.abs(err).max() < MAX_ERROR
    assert ((model >= low) & (model <= high)).mean() >= WITHIN_20


def test_each_county_starts_with_its_census_working_age_population():
    m, geo, lab, names = _start()
    table = _csv_rows("shanghai_yunnan")
    share = np.array([float(table[n]["share_15_59"]) for n in names])
    pop = geo.population[geo.is_west]
    np.testing.assert_allclose(lab.working_age, pop * np.round(share, 4), rtol=1e-9)


def test_the_start_is_a_rest_point_of_the_local_labour_market():
    m, geo, lab, _ = _start()
    local0, wage0 = lab.local_jobs0.copy(), lab.wage.copy()
    m.step()
    # no park jobs yet: local employers neither hire nor lay off much, and wages grow with the
    # prevailing wage, no premium
    local = lab.people[..., SERVICE].sum(axis=(1, 2))
    np.testing.assert_allclose(local, local0, rtol=1e-6)
    np.testing.assert_allclose(lab.wage / lab.prevailing, 1.0, rtol=1e-12)
    assert (lab.wage > wage0).all()
    assert lab.people[..., MIGRANT].sum() > 0
