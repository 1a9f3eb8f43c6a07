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
# workshops hire the immobile first, the not employed before willing farmers; as basic slices
# (so ``p[:, :, QUEUE_MOBILITY, QUEUE_STATUS]`` is a view) these read (IMMOBILE, MOBILE) and (IDLE, FARM)
QUEUE_MOBILITY, QUEUE_STATUS = slice(None, None, -1), slice(IDLE, None, FARM - IDLE)


def per_step(rate_per_year: float | np.ndarray, steps_per_year: int):
    """Per-step probability equivalent to a yearly rate (share/year → share/step)."""
    if isinstance(rate_per_year, float | int):  # plain Python for scalars: this runs every step
        return 1.0 - (1.0 - min(max(float(rate_per_year), 0.0), 1.0)) ** (1.0 / steps_per_year)
    return 1.0 - (1.0 - np.minimum(np.maximum(rate_per_year, 0.0), 1.0)) ** (1.0 / steps_per_year)


@dataclass
class LabourFlows:
    """Persons moved this step, by county (and skill where it matters)."""

    hired_park: np.ndarray      # (W, 2)
    hired_workshop: np.ndarray  # (W,)
    laid_off: np.ndarray        # (W,)
    migrated: np.ndarray        # (W,)
    returned: np.ndarray        # (W,)
    trained: np.ndarray         # (W,)
    trained_by_rate: np.ndarray  # (W,) of which trained under the training_rate programme (not the county budget)


def _share(part, whole):
    """part / whole for 0 <= part <= whole (the share of a group that moves); 0 when the group is empty."""
    return part / np.maximum(whole, 1e-300)


def willing_farmers_share(wage, farm_income, premium):
    """Share of farmers who would take a job at ``wage`` (yuan/year) rather than farm."""
    return np.minimum(np.maximum((wage / np.maximum(farm_income * (1 + premium), 1.0) - 1.0) * 2.0, 0.0), 1.0)


def by_skill(people, status):
    """Persons (W, 2) by skill in ``status``, both mobilities."""
    return people[:, :, MOBILE, status] + people[:, :, IMMOBILE, status]


def job_seekers(people, farm_ok):
    """Willing local job seekers (W, 2) by skill: the not employed plus the share ``farm_ok`` of farmers (persons)."""
    return by_skill(people, IDLE) + by_skill(people, FARM) * farm_ok


def available_workers(people, wage, farm_income, premium):
    """Willing local job seekers (W, 2) by skill at ``wage`` (yuan/year) (persons)."""
    return job_seekers(people, willing_farmers_share(wage, farm_income[:, None], premium))


def labour_market(people, wage, prevailing_wage, demand_park, workshop_slots, workshop_wage, farm_income,
                  east_income, migration_cost, trainees_funded, training_rate, e, steps_per_year):
    """One step of the western labour market.

    people (W,2,2,5) persons; wage, prevailing_wage (W,2) yuan/year; demand_park (W,2)
    jobs in park firms; workshop_slots (W,) jobs; workshop_wage yuan/year; farm_income (W,) yuan/year;
    east_income (W,2) yuan/year a migrant expects in the east (wage × job-finding);
    migration_cost (W,) yuan/year after labour-cooperation support; trainees_funded (W,)
    persons the county budget pays to train; training_rate share/year.
    Returns (people, wage, LabourFlows).

    Written for few numpy calls: at a few hundred pools each call costs more than its arithmetic.
    """
    p = people.copy()
    hire = 1.0 - (1.0 - e.hire_rate) ** (4.0 / steps_per_year)  # hire_rate is per quarter
    farm_ok = willing_farmers_share(wage, farm_income[:, None], e.local_premium)   # (W, skill), at this step's wage

    # 1. separations where jobs are fewer than workers
    park_jobs, shop_jobs = p[:, :, :, PARK], p[:, :, :, WORKSHOP]    # views (W, skill, mobility)
    employed = by_skill(p, PARK)
    excess = np.maximum(employed - demand_park, 0)
    lay = park_jobs * _share(excess, employed)[:, :, None]
    ws_emp = shop_jobs.sum(axis=(1, 2))
    excess_ws = np.maximum(ws_emp - workshop_slots, 0)
    lay_ws = shop_jobs * _share(excess_ws, ws_emp)[:, None, None]
    park_jobs -= lay
    shop_jobs -= lay_ws
    lay += lay_ws
    p[:, :, :, IDLE] += lay
    laid_off = excess[:, LOW] + excess[:, MID] + excess_ws

    # 2. workshops hire the immobile first (not employed, then willing farmers), then the mobile
    vac = np.maximum(workshop_slots - ws_emp, 0) * hire
    queue = p[:, :, QUEUE_MOBILITY, QUEUE_STATUS]                     # view (W, skill, mobility, status) in hiring order
    total = queue[:, LOW] + queue[:, MID]                             # (W, mobility, status)
    willing = total.copy()
    willing[:, :, 1] *= willing_farmers_share(workshop_wage, farm_income, e.local_premium)[:, None]
    # groups are hired in order: each takes what the vacancies left by the groups before it allow
    flat = willing.reshape(-1, 4)
    left = vac[:, None] - (np.cumsum(flat, axis=1) - flat)
    take = np.minimum(np.maximum(left, 0.0), flat).reshape(total.shape)
    moved = queue * _share(take, total)[:, None]
    queue -= moved
    p[:, :, QUEUE_MOBILITY, WORKSHOP] += moved[..., 0] + moved[..., 1]
    hired_ws = take.reshape(-1, 4).sum(axis=1)

    # 3. park firms hire by skill: the not employed first, then willing farmers
    opening = np.maximum(demand_park - employed, 0)                   # (W, skill) jobs unfilled after step 1
    vac = opening * hire
    hired_park = np.zeros(vac.shape)
    for status, share in ((IDLE, 1.0), (FARM, farm_ok)):
        group = p[:, :, :, status]                                    # view (W, skill, mobility)
        total = group[:, :, MOBILE] + group[:, :, IMMOBILE]
        take = np.minimum(vac - hired_park, total * share)
        moved = group * _share(take, total)[:, :, None]
        group -= moved
        park_jobs += moved
        hired_park += take

    # 4. Harris–Todaro: mobile stayers compare expected eastern income with what they have
    vacancies = np.maximum(opening - hired_park, 0)
    seekers = by_skill(p, IDLE)
    p_local = vacancies / np.maximum(vacancies + seekers, 1.0)
    east_net = east_income - migration_cost[:, None]
    # what a mobile worker has at home, by status; workshop workers and migrants do not leave (inf)
    home_income = np.full(wage.shape + (5,), np.inf)                  # (W, skill, status)
    home_income[:, :, FARM] = farm_income[:, None]
    home_income[:, :, PARK] = wage
    home_income[:, :, IDLE] = wage * p_local
    out_share = per_step(e.migration_rate, steps_per_year) * np.maximum(
        np.tanh((east_net[:, :, None] - home_income) / e.migration_scale), 0.0)
    mobile = p[:, :, MOBILE]                                          # view (W, skill, status)
    leaving = mobile * out_share
    mobile -= leaving
    left_home = leaving.sum(axis=2)                                   # (W, skill)
    mobile[:, :, MIGRANT] += left_home
    migrated = left_home[:, LOW] + left_home[:, MID]
    # returns: half the maximum rate when home and east pay alike, more as home pays better (returnees farm)
    home_best = np.maximum(farm_income[:, None], wage * np.maximum(p_local, 0.5))
    back = per_step(e.return_rate, steps_per_year) * (0.5 + 0.5 * np.tanh((home_best - east_net) / e.migration_scale))
    amt = mobile[:, :, MIGRANT] * back
    mobile[:, :, MIGRANT] -= amt
    mobile[:, :, FARM] += amt
    returned = amt[:, LOW] + amt[:, MID]
    # the not employed drift back to farming
    drift = p[:, :, :, IDLE] * per_step(e.idle_to_farm, steps_per_year)
    p[:, :, :, IDLE] -= drift
    p[:, :, :, FARM] += drift

    # 5. training moves low-skill residents (not migrants) to mid skill
    low, mid = p[:, LOW], p[:, MID]                                   # views (W, mobility, status)
    low_res = low.sum(axis=(1, 2)) - low[:, MOBILE, MIGRANT] - low[:, IMMOBILE, MIGRANT]
    by_rate = low_res * per_step(training_rate, steps_per_year)
    want = np.minimum(low_res, by_rate + trainees_funded)
    trainees = low * _share(want, low_res)[:, None, None]
    trainees[:, :, MIGRANT] = 0.0
    low -= trainees
    mid += trainees
    trained = trainees.sum(axis=(1, 2))

    # 6. wages move part-way toward a wage curve over local tightness, floored by farm income
    tight = demand_park / np.maximum(demand_park + job_seekers(p, farm_ok), 1.0)
    floor = (farm_income * (1 + e.local_premium))[:, None]
    target = np.maximum(floor, prevailing_wage * (1 + e.wage_curve * tight))
    wage = wage + per_step(e.wage_adjustment, steps_per_year) * (target - wage)
    wage[:, MID] = np.maximum(wage[:, MID], wage[:, LOW])
    np.maximum(p, 0.0, out=p)
    return p, wage, LabourFlows(hired_park, hired_ws, laid_off, migrated, returned, trained, by_rate)
