"""The western labour market (DESIGN §3.5), vectorised over counties.

A labour pool holds working-age persons by skill (low, mid) × mobility
(mobile, immobile) × status (farming, park job, workshop job, migrant in the
east, not employed): ``people[w, skill, mobility, status]``. Every flow moves
people between statuses, so a pool's headcount is conserved.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LOW, MID = 0, 1
MOBILE, IMMOBILE = 0, 1
FARM, PARK, WORKSHOP, MIGRANT, IDLE = 0, 1, 2, 3, 4
STATUS_NAMES = ("farming", "park_job", "workshop_job", "migrant_east", "not_employed")


def per_step(rate_per_year: float | np.ndarray, steps_per_year: int):
    """Per-step probability equivalent to a yearly rate (share/year → share/step)."""
    return 1.0 - (1.0 - np.clip(rate_per_year, 0.0, 1.0)) ** (1.0 / steps_per_year)


@dataclass
class LabourFlows:
    """Persons moved this step, by county (and skill where it matters)."""

    hired_park: np.ndarray      # (W, 2)
    hired_workshop: np.ndarray  # (W,)
    laid_off: np.ndarray        # (W,)
    migrated: np.ndarray        # (W,)
    returned: np.ndarray        # (W,)
    trained: np.ndarray         # (W,)


def _take(people, mask_idx, want):
    """Move up to ``want`` (W,) persons out of the cells ``mask_idx`` proportionally.

    ``mask_idx`` selects (skill, mobility, status) cells; returns the (W, n_cells)
    amounts taken, never more than a cell holds.
    """
    cells = people[:, mask_idx[0], mask_idx[1], mask_idx[2]]
    total = cells.sum(axis=1)
    frac = np.divide(np.minimum(want, total), total, out=np.zeros_like(total), where=total > 0)
    return cells * frac[:, None]


def _move(people, src, dst_status, amounts):
    skill, mob, status = src
    np.add.at(people, (slice(None), skill, mob, status), -amounts)
    np.add.at(people, (slice(None), skill, mob, np.full_like(status, dst_status)), amounts)


def _cells(skills, mobs, statuses):
    grid = np.array([(s, m, st) for s in skills for m in mobs for st in statuses]).T
    return grid[0], grid[1], grid[2]


def willing_farmers_share(wage, farm_income, premium):
    """Share of farmers who would take a job at ``wage`` (yuan/year) rather than farm."""
    return np.clip((wage / np.maximum(farm_income * (1 + premium), 1.0) - 1.0) * 2.0, 0.0, 1.0)


def available_workers(people, wage, farm_income, premium):
    """Willing local job seekers (W, 2) by skill: the not employed plus willing farmers (persons)."""
    idle = people[:, :, :, IDLE].sum(axis=2)
    farm = people[:, :, :, FARM].sum(axis=2)
    return idle + farm * willing_farmers_share(wage, farm_income[:, None], premium)


def labour_market(people, wage, prevailing_wage, demand_park, workshop_slots, workshop_wage, farm_income,
                  east_income, migration_cost, trainees_funded, training_rate, e, steps_per_year):
    """One step of the western labour market.

    people (W,2,2,5) persons; wage, prevailing_wage (W,2) yuan/year; demand_park (W,2)
    jobs in park firms; workshop_slots (W,) jobs; workshop_wage yuan/year; farm_income (W,) yuan/year;
    east_income (W,2) yuan/year a migrant expects in the east (wage × job-finding);
    migration_cost (W,) yuan/year after labour-cooperation support; trainees_funded (W,)
    persons the county budget pays to train; training_rate share/year.
    Returns (people, wage, LabourFlows).
    """
    p = people.copy()
    hire = 1.0 - (1.0 - e.hire_rate) ** (4.0 / steps_per_year)  # hire_rate is per quarter
    premium = e.local_premium

    # 1. separations where jobs are fewer than workers
    employed = p[:, :, :, PARK].sum(axis=2)
    cut = np.divide(np.maximum(employed - demand_park, 0), employed, out=np.zeros_like(employed), where=employed > 0)
    lay = p[:, :, :, PARK] * cut[:, :, None]
    ws_emp = p[:, :, :, WORKSHOP].sum(axis=(1, 2))
    ws_cut = np.divide(np.maximum(ws_emp - workshop_slots, 0), ws_emp, out=np.zeros_like(ws_emp), where=ws_emp > 0)
    lay_ws = p[:, :, :, WORKSHOP] * ws_cut[:, None, None]
    p[:, :, :, PARK] -= lay
    p[:, :, :, WORKSHOP] -= lay_ws
    p[:, :, :, IDLE] += lay + lay_ws
    laid_off = lay.sum(axis=(1, 2)) + lay_ws.sum(axis=(1, 2))

    # 2. workshops hire the immobile first (not employed, then willing farmers), then the mobile
    vac = np.maximum(workshop_slots - p[:, :, :, WORKSHOP].sum(axis=(1, 2)), 0) * hire
    farm_ok = willing_farmers_share(np.full_like(farm_income, workshop_wage), farm_income, premium)
    hired_ws = np.zeros_like(vac)
    for mob in (IMMOBILE, MOBILE):
        for status in (IDLE, FARM):
            cells = _cells((LOW, MID), (mob,), (status,))
            share = 1.0 if status == IDLE else farm_ok
            want = np.minimum(vac - hired_ws, p[:, :, mob, status].sum(axis=1) * share)
            amt = _take(p, cells, want)
            _move(p, cells, WORKSHOP, amt)
            hired_ws += amt.sum(axis=1)

    # 3. park firms hire by skill: the not employed first, then willing farmers
    hired_park = np.zeros(demand_park.shape)
    for skill in (LOW, MID):
        vac = np.maximum(demand_park[:, skill] - p[:, skill, :, PARK].sum(axis=1), 0) * hire
        for status in (IDLE, FARM):
            share = 1.0 if status == IDLE else willing_farmers_share(wage[:, skill], farm_income, premium)
            cells = _cells((skill,), (MOBILE, IMMOBILE), (status,))
            want = np.minimum(vac - hired_park[:, skill], p[:, skill, :, status].sum(axis=1) * share)
            amt = _take(p, cells, want)
            _move(p, cells, PARK, amt)
            hired_park[:, skill] += amt.sum(axis=1)

    # 4. Harris–Todaro: mobile stayers compare expected eastern income with what they have
    vacancies = np.maximum(demand_park - p[:, :, :, PARK].sum(axis=2), 0)
    seekers = p[:, :, :, IDLE].sum(axis=2)
    p_local = vacancies / np.maximum(vacancies + seekers, 1.0)
    east_net = east_income - migration_cost[:, None]
    local_income = np.stack([farm_income[:, None].repeat(2, 1), wage, wage * p_local], axis=-1)  # FARM, PARK, IDLE
    out_rate = per_step(e.migration_rate, steps_per_year)
    migrated = np.zeros(p.shape[0])
    for j, status in enumerate((FARM, PARK, IDLE)):
        gap = east_net - local_income[:, :, j]
        share = out_rate * np.maximum(np.tanh(gap / e.migration_scale), 0.0)
        amt = p[:, :, MOBILE, status] * share
        p[:, :, MOBILE, status] -= amt
        p[:, :, MOBILE, MIGRANT] += amt
        migrated += amt.sum(axis=1)
    # returns: half the maximum rate when home and east pay alike, more as home pays better (returnees farm)
    home_best = np.maximum(farm_income[:, None], wage * np.maximum(p_local, 0.5))
    back = per_step(e.return_rate, steps_per_year) * (0.5 + 0.5 * np.tanh((home_best - east_net) / e.migration_scale))
    amt = p[:, :, MOBILE, MIGRANT] * back
    p[:, :, MOBILE, MIGRANT] -= amt
    p[:, :, MOBILE, FARM] += amt
    returned = amt.sum(axis=1)
    # the not employed drift back to farming
    drift = p[:, :, :, IDLE] * per_step(e.idle_to_farm, steps_per_year)
    p[:, :, :, IDLE] -= drift
    p[:, :, :, FARM] += drift

    # 5. training moves low-skill residents to mid skill
    resident_status = [FARM, PARK, WORKSHOP, IDLE]
    low_res = p[:, LOW][:, :, resident_status].sum(axis=(1, 2))
    want = np.minimum(low_res, low_res * per_step(training_rate, steps_per_year) + trainees_funded)
    frac = np.divide(want, low_res, out=np.zeros_like(low_res), where=low_res > 0)
    moved = p[:, LOW][:, :, resident_status] * frac[:, None, None]
    for j, status in enumerate(resident_status):
        p[:, LOW, :, status] -= moved[:, :, j]
        p[:, MID, :, status] += moved[:, :, j]
    trained = moved.sum(axis=(1, 2))

    # 6. wages move part-way toward a wage curve over local tightness, floored by farm income
    avail = available_workers(p, wage, farm_income, premium)
    tight = demand_park / np.maximum(demand_park + avail, 1.0)
    floor = (farm_income * (1 + premium))[:, None]
    target = np.maximum(floor, prevailing_wage * (1 + e.wage_curve * tight))
    wage = wage + per_step(e.wage_adjustment, steps_per_year) * (target - wage)
    wage[:, MID] = np.maximum(wage[:, MID], wage[:, LOW])
    np.maximum(p, 0.0, out=p)
    return p, wage, LabourFlows(hired_park, hired_ws, laid_off, migrated, returned, trained)
