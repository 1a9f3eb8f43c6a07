"""The western labour market (docs/ODD.md §7.5), vectorised over counties.

A labour pool holds working-age persons by skill (low, mid) × mobility
(mobile, immobile) × status (farming, park job, workshop job, migrant in the
east, not employed, local service job): ``people[w, skill, mobility, status]``.
Every flow moves people between statuses, so a pool's headcount is conserved.

Park jobs come in two kinds, low- and mid-skill (``demand_park[w, skill]``):
mid-skill workers may hold low-skill jobs (at the low wage), never the reverse,
so training a worker never costs a job. Local jobs outside parks and workshops
(the county's own industry and services, and the jobs park wages create) are
status ``SERVICE``. Residents take a local job only if it pays more than their
own reservation wage: lognormal across residents around a county median (farm
income × the county's ``reservation_ratio``, set at the start so that the
county's census non-farm jobs plus its surplus farm labour are willing at the
prevailing wage; ``local_economy.py``). A county's wage is the prevailing wage
times (1 + a premium) that moves toward the premium clearing its labour market:
zero while willing residents outnumber the jobs, positive when demand exhausts
them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri

from sim.model.mechanisms import ParamView

LOW, MID = 0, 1
MOBILE, IMMOBILE = 0, 1
FARM, PARK, WORKSHOP, MIGRANT, IDLE, SERVICE = 0, 1, 2, 3, 4, 5
N_STATUS = 6
STATUS_NAMES = (
    "farming",
    "park_job",
    "workshop_job",
    "migrant_east",
    "not_employed",
    "service_job",
)
# workshops hire the immobile first, the not employed before willing farmers; as basic slices
# (so ``p[:, :, QUEUE_MOBILITY, QUEUE_STATUS]`` is a view) these read (IMMOBILE, MOBILE) and (IDLE,
# FARM)
QUEUE_MOBILITY, QUEUE_STATUS = slice(None, None, -1), slice(IDLE, None, FARM - IDLE)


@dataclass(frozen=True)
class LabourParams(ParamView):
    """What the labour market reads of the economy config (units as in the config)."""

    hire_rate: float  # share of vacancies filled per quarter
    reservation_sigma: float  # log units
    migration_rate: float  # share/year
    return_rate: float  # share/year
    migration_scale: float  # yuan/year
    idle_to_farm: float  # share/year
    wage_adjustment: float  # share/year


# the largest share of a county's residents the clearing wage asks to be willing (caps that wage at
# the median reservation wage × exp(3.09 · reservation_sigma))
Q_MAX = 0.999


def per_step(rate_per_year: float | np.ndarray, steps_per_year: int) -> float | np.ndarray:
    """Per-step probability equivalent to a yearly rate (share/year → share/step)."""
    if isinstance(rate_per_year, float | int):  # plain Python for scalars: this runs every step
        return 1.0 - (1.0 - min(max(float(rate_per_year), 0.0), 1.0)) ** (1.0 / steps_per_year)
    return 1.0 - (1.0 - np.minimum(np.maximum(rate_per_year, 0.0), 1.0)) ** (1.0 / steps_per_year)


@dataclass
class LabourFlows:
    """Persons moved this step, by county (and skill where it matters)."""

    hired_park: np.ndarray  # (W, 2) by the worker's skill
    hired_workshop: np.ndarray  # (W,)
    hired_service: np.ndarray  # (W,)
    laid_off: np.ndarray  # (W,)
    migrated: np.ndarray  # (W,)
    returned: np.ndarray  # (W,)
    trained: np.ndarray  # (W,)
    trained_by_rate: (
        np.ndarray
    )  # (W,) of which trained under the training_rate programme (not the county budget)
    unfilled_park: (
        np.ndarray
    )  # (W, 2) park jobs still vacant after hiring, by job skill (a binding shortage)


def _share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """part / whole for 0 <= part <= whole (the share of a group that moves); 0 when the group is
    empty."""
    return part / np.maximum(whole, 1e-300)


def willing_farmers_share(
    wage: np.ndarray | float, median: np.ndarray, params: LabourParams
) -> np.ndarray:
    """Share of residents whose reservation wage is below ``wage`` (yuan/year): lognormal with
    median ``median`` (W,) and dispersion ``reservation_sigma``."""
    return ndtr(
        np.log(np.maximum(wage, 1e-9) / np.maximum(median, 1.0))
        / max(params.reservation_sigma, 1e-9)
    )


def clearing_wage(need: np.ndarray, median: np.ndarray, params: LabourParams) -> np.ndarray:
    """The wage (yuan/year) at which the share ``need`` of residents would take a local job: the
    inverse of :func:`willing_farmers_share` (``need`` clipped to [1e-6, Q_MAX])."""
    q = np.clip(need, 1e-6, Q_MAX)
    return np.maximum(median, 1.0) * np.exp(max(params.reservation_sigma, 1e-9) * ndtri(q))


def by_skill(people: np.ndarray, status: int) -> np.ndarray:
    """Persons (W, 2) by skill in ``status``, both mobilities."""
    return people[:, :, MOBILE, status] + people[:, :, IMMOBILE, status]


def reachable_farmers_share(
    people: np.ndarray, wage: np.ndarray, median: np.ndarray, params: LabourParams
) -> np.ndarray:
    """Share (W, 2) of today's farmers who would take a park or local job at ``wage`` (W, 2).

    Reservation wages belong to people, not to the remainder: of the farmers plus
    those already in park and local jobs, the share ``willing_farmers_share``
    would take the job; those already in such jobs count against it, so hiring
    drains the willing pool and it can run out.
    """
    farmers = by_skill(people, FARM)
    local = by_skill(people, PARK) + by_skill(people, SERVICE)
    willing = willing_farmers_share(wage, median[:, None], params) * (farmers + local)
    return np.minimum(_share(np.maximum(willing - local, 0.0), farmers), 1.0)


def job_seekers(people: np.ndarray, farm_ok: np.ndarray) -> np.ndarray:
    """Willing local job seekers (W, 2) by skill: the not employed plus the share ``farm_ok`` of
    farmers (persons)."""
    return by_skill(people, IDLE) + by_skill(people, FARM) * farm_ok


def available_workers(
    people: np.ndarray, wage: np.ndarray, median: np.ndarray, params: LabourParams
) -> np.ndarray:
    """Willing local job seekers (W, 2) for low- and mid-skill jobs at ``wage`` (yuan/year)
    (persons).

    Mid-skill seekers willing at the low wage count for low-skill jobs too, since they may take
    them.
    """
    avail = job_seekers(people, reachable_farmers_share(people, wage, median, params))
    at_low = reachable_farmers_share(people, _low_wage(wage), median, params)
    mid_at_low = job_seekers(people, at_low)[:, MID]
    avail[:, LOW] += mid_at_low
    return avail


def mid_in_low_jobs(employed: np.ndarray, demand_park: np.ndarray) -> np.ndarray:
    """Mid-skill park workers (W,) holding low-skill jobs: those beyond the mid-skill jobs."""
    return np.maximum(employed[:, MID] - demand_park[:, MID], 0.0)


def open_jobs(people: np.ndarray, demand_park: np.ndarray) -> np.ndarray:
    """Park jobs (W, 2) not held by anyone, by job skill; mid-skill workers beyond the mid jobs hold
    low jobs."""
    employed = by_skill(people, PARK)
    opening = np.empty_like(employed)
    opening[:, LOW] = np.maximum(
        demand_park[:, LOW] - employed[:, LOW] - mid_in_low_jobs(employed, demand_park), 0
    )
    opening[:, MID] = np.maximum(demand_park[:, MID] - employed[:, MID], 0)
    return opening


def park_pay(people: np.ndarray, demand_park: np.ndarray, wage: np.ndarray) -> np.ndarray:
    """Mean pay (W, 2) of a park worker by the worker's skill, yuan/year.

    Mid-skill workers in low-skill jobs earn the low wage.
    """
    employed = by_skill(people, PARK)
    in_low = np.minimum(mid_in_low_jobs(employed, demand_park), employed[:, MID])
    pay = wage.copy()
    pay[:, MID] = wage[:, MID] - (wage[:, MID] - wage[:, LOW]) * _share(in_low, employed[:, MID])
    return pay


def _separations(
    p: np.ndarray, demand_park: np.ndarray, workshop_slots: np.ndarray, service_demand: np.ndarray
) -> np.ndarray:
    """Lay off where jobs are fewer than workers; laid-off workers become not employed. Returns
    persons (W,)."""
    park_jobs = p[:, :, :, PARK]  # view (W, skill, mobility)
    employed = by_skill(p, PARK)
    excess = np.empty_like(employed)
    excess[:, LOW] = np.maximum(employed[:, LOW] - demand_park[:, LOW], 0)
    low_left = employed[:, LOW] - excess[:, LOW]
    # mid-skill workers keep any park job: the mid jobs and the low jobs low-skill workers do not
    # hold
    excess[:, MID] = np.maximum(
        employed[:, MID] - demand_park[:, MID] - (demand_park[:, LOW] - low_left), 0
    )
    lay = park_jobs * _share(excess, employed)[:, :, None]
    park_jobs -= lay
    p[:, :, :, IDLE] += lay
    laid_off = excess[:, LOW] + excess[:, MID]
    for status, jobs in ((WORKSHOP, workshop_slots), (SERVICE, service_demand)):
        held = p[:, :, :, status]
        n = held.sum(axis=(1, 2))
        cut = np.maximum(n - jobs, 0)
        lay = held * _share(cut, n)[:, None, None]
        held -= lay
        p[:, :, :, IDLE] += lay
        laid_off = laid_off + cut
    return laid_off


def _hire_by_skill(
    p: np.ndarray, vacancies: np.ndarray, dst: int, farm_ok: np.ndarray
) -> np.ndarray:
    """Fill ``vacancies`` (W, 2) by skill into ``dst``: the not employed first, then willing
    farmers."""
    hired = np.zeros(vacancies.shape)
    for status, share in ((IDLE, 1.0), (FARM, farm_ok)):
        group = p[:, :, :, status]  # view (W, skill, mobility)
        total = group[:, :, MOBILE] + group[:, :, IMMOBILE]
        take = np.minimum(vacancies - hired, total * share)
        moved = group * _share(take, total)[:, :, None]
        group -= moved
        p[:, :, :, dst] += moved
        hired += take
    return hired


def _workshop_hiring(
    p: np.ndarray,
    workshop_slots: np.ndarray,
    workshop_wage: float,
    median: np.ndarray,
    hire: float,
    params: LabourParams,
) -> np.ndarray:
    """Workshops hire the immobile first (not employed, then willing farmers), then the mobile.
    Returns (W,)."""
    vac = np.maximum(workshop_slots - p[:, :, :, WORKSHOP].sum(axis=(1, 2)), 0) * hire
    queue = p[
        :, :, QUEUE_MOBILITY, QUEUE_STATUS
    ]  # view (W, skill, mobility, status) in hiring order
    total = queue[:, LOW] + queue[:, MID]  # (W, mobility, status)
    willing = total.copy()
    # a village workshop is near home and its hours fit farm work: farmers judge it by their
    # reservation wages alone, whatever other local jobs they hold
    willing[:, :, 1] *= willing_farmers_share(workshop_wage, median, params)[:, None]
    # groups are hired in order: each takes what the vacancies left by the groups before it allow
    flat = willing.reshape(-1, 4)
    left = vac[:, None] - (np.cumsum(flat, axis=1) - flat)
    take = np.minimum(np.maximum(left, 0.0), flat).reshape(total.shape)
    moved = queue * _share(take, total)[:, None]
    queue -= moved
    p[:, :, QUEUE_MOBILITY, WORKSHOP] += moved[..., 0] + moved[..., 1]
    return take.reshape(-1, 4).sum(axis=1)


def _park_hiring(
    p: np.ndarray,
    demand_park: np.ndarray,
    wage: np.ndarray,
    median: np.ndarray,
    hire: float,
    params: LabourParams,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Park firms hire by skill; mid-skill seekers then fill low-skill jobs left vacant.

    Returns (hired (W, 2) by worker skill, openings (W, 2) by job skill before hiring, unfilled
    (W, 2)).
    """
    opening = open_jobs(p, demand_park)
    vac = opening * hire
    hired = _hire_by_skill(p, vac, PARK, reachable_farmers_share(p, wage, median, params))
    # mid-skill seekers take the low-skill vacancies left (at the low wage)
    spill = np.zeros_like(vac)
    spill[:, MID] = vac[:, LOW] - hired[:, LOW]
    down = _hire_by_skill(
        p, spill, PARK, reachable_farmers_share(p, _low_wage(wage), median, params)
    )
    unfilled = opening - np.stack([hired[:, LOW] + down[:, MID], hired[:, MID]], axis=1)
    return hired + down, opening, np.maximum(unfilled, 0)


def _low_wage(wage: np.ndarray) -> np.ndarray:
    """The low-skill wage for both skills (W, 2): what a low-skill or service job pays anyone."""
    return np.repeat(wage[:, LOW : LOW + 1], 2, axis=1)


def _service_hiring(
    p: np.ndarray,
    service_demand: np.ndarray,
    wage: np.ndarray,
    median: np.ndarray,
    hire: float,
    params: LabourParams,
) -> np.ndarray:
    """Local service firms hire either skill at the low wage: the not employed, then willing
    farmers. Returns (W,)."""
    vac = np.maximum(service_demand - p[:, :, :, SERVICE].sum(axis=(1, 2)), 0) * hire
    farmers = by_skill(p, FARM)
    free = (reachable_farmers_share(p, _low_wage(wage), median, params) * farmers).sum(axis=1)
    farm_ok = np.minimum(_share(free, farmers.sum(axis=1)), 1.0)
    hired = np.zeros(vac.shape)
    for status, share in ((IDLE, 1.0), (FARM, farm_ok)):
        group = p[:, :, :, status]  # view (W, skill, mobility)
        total = group.sum(axis=(1, 2))
        take = np.minimum(vac - hired, total * share)
        moved = group * _share(take, total)[:, None, None]
        group -= moved
        p[:, :, :, SERVICE] += moved
        hired += take
    return hired


def _migration(
    p: np.ndarray,
    wage: np.ndarray,
    demand_park: np.ndarray,
    vacancies: np.ndarray,
    farm_income: np.ndarray,
    east_income: np.ndarray,
    migration_cost: np.ndarray,
    params: LabourParams,
    steps_per_year: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Harris–Todaro: mobile stayers compare expected eastern income with what they have. Returns
    (migrated, returned)."""
    seekers = by_skill(p, IDLE)
    p_local = vacancies / np.maximum(vacancies + seekers, 1.0)
    east_net = east_income - migration_cost[:, None]
    # what a mobile worker has at home, by status; workshop workers and migrants do not leave (inf)
    home_income = np.full(wage.shape + (N_STATUS,), np.inf)  # (W, skill, status)
    home_income[:, :, FARM] = farm_income[:, None]
    home_income[:, :, PARK] = park_pay(
        p, demand_park, wage
    )  # mid-skill workers in low-skill jobs earn the low wage
    home_income[:, :, SERVICE] = wage[:, LOW : LOW + 1]
    home_income[:, :, IDLE] = wage * p_local
    out_share = per_step(params.migration_rate, steps_per_year) * np.maximum(
        np.tanh((east_net[:, :, None] - home_income) / params.migration_scale), 0.0
    )
    mobile = p[:, :, MOBILE]  # view (W, skill, status)
    leaving = mobile * out_share
    mobile -= leaving
    left_home = leaving.sum(axis=2)  # (W, skill)
    mobile[:, :, MIGRANT] += left_home
    # returns: half the maximum rate when home and east pay alike, more as home pays better
    # (returnees farm)
    home_best = np.maximum(farm_income[:, None], wage * np.maximum(p_local, 0.5))
    back = per_step(params.return_rate, steps_per_year) * (
        0.5 + 0.5 * np.tanh((home_best - east_net) / params.migration_scale)
    )
    amt = mobile[:, :, MIGRANT] * back
    mobile[:, :, MIGRANT] -= amt
    mobile[:, :, FARM] += amt
    return left_home[:, LOW] + left_home[:, MID], amt[:, LOW] + amt[:, MID]


def _training(
    p: np.ndarray,
    trainees_funded: np.ndarray,
    training_rate: float | np.ndarray,
    steps_per_year: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Training moves low-skill residents (not migrants) to mid skill, in their status (they keep
    their jobs)."""
    low, mid = p[:, LOW], p[:, MID]  # views (W, mobility, status)
    low_res = low.sum(axis=(1, 2)) - low[:, MOBILE, MIGRANT] - low[:, IMMOBILE, MIGRANT]
    by_rate = low_res * per_step(training_rate, steps_per_year)
    want = np.minimum(low_res, by_rate + trainees_funded)
    trainees = low * _share(want, low_res)[:, None, None]
    trainees[:, :, MIGRANT] = 0.0
    low -= trainees
    mid += trainees
    return trainees.sum(axis=(1, 2)), by_rate


def _new_wages(
    p: np.ndarray,
    wage: np.ndarray,
    prevailing_wage: np.ndarray,
    demand_park: np.ndarray,
    service_demand: np.ndarray,
    median: np.ndarray,
    params: LabourParams,
    steps_per_year: int,
) -> np.ndarray:
    """Each county's wage premium over the prevailing wage moves part-way toward the premium that
    clears its labour market.

    Low wage: all local jobs (park jobs of both skills and local jobs) against all residents
    who could hold one (farmers and holders of park and local jobs, by their reservation
    wages, plus the not employed). Mid wage: the jobs mid-skill residents hold or must fill
    against mid-skill residents. The clearing wage is the one at which the share
    ``(jobs − not employed) / residents`` would be willing; the target premium is its excess
    over the prevailing wage, 0 where willing residents are enough. The mid wage is at least
    the low wage.
    """
    stock = by_skill(p, FARM) + by_skill(p, PARK) + by_skill(p, SERVICE)
    idle = by_skill(p, IDLE)
    held_mid = (
        np.maximum(demand_park[:, MID], by_skill(p, PARK)[:, MID]) + by_skill(p, SERVICE)[:, MID]
    )
    jobs = np.stack([demand_park[:, LOW] + demand_park[:, MID] + service_demand, held_mid], axis=1)
    residents = np.stack([stock[:, LOW] + stock[:, MID], stock[:, MID]], axis=1)
    seekers = np.stack([idle[:, LOW] + idle[:, MID], idle[:, MID]], axis=1)
    short = jobs - seekers
    need = np.where(
        residents > 0, short / np.maximum(residents, 1e-9), np.where(short > 0, 1.0, 0.0)
    )
    clearing = clearing_wage(need, median[:, None], params)
    target = np.where(need > 0, np.maximum(clearing / prevailing_wage - 1.0, 0.0), 0.0)
    premium = wage / prevailing_wage - 1.0
    premium = premium + per_step(params.wage_adjustment, steps_per_year) * (target - premium)
    wage = prevailing_wage * (1.0 + premium)
    wage[:, MID] = np.maximum(wage[:, MID], wage[:, LOW])
    return wage


def labour_market(
    people: np.ndarray,
    wage: np.ndarray,
    *,
    prevailing_wage: np.ndarray,
    demand_park: np.ndarray,
    workshop_slots: np.ndarray,
    workshop_wage: float,
    service_demand: np.ndarray,
    farm_income: np.ndarray,
    reservation_ratio: np.ndarray,
    east_income: np.ndarray,
    migration_cost: np.ndarray,
    trainees_funded: np.ndarray,
    training_rate: float | np.ndarray,
    params: LabourParams,
    steps_per_year: int,
) -> tuple[np.ndarray, np.ndarray, LabourFlows]:
    """One step of the western labour market.

    people (W,2,2,6) persons; wage, prevailing_wage (W,2) yuan/year; demand_park (W,2)
    jobs in park firms by job skill; workshop_slots (W,) jobs workshops can pay for;
    workshop_wage yuan/year; service_demand (W,) local jobs outside parks and workshops
    (local employers and the jobs park and workshop wages create); farm_income (W,)
    yuan/year per farm worker; reservation_ratio (W,) the median reservation wage over
    farm income (ratio); east_income (W,2) yuan/year a migrant expects in the east (wage ×
    job-finding); migration_cost (W,) yuan/year after labour-cooperation support;
    trainees_funded (W,) persons the county budget pays to train; training_rate share/year;
    ``steps_per_year`` steps a year. Returns (people, wage, LabourFlows).
    """
    p = people.copy()
    hire = 1.0 - (1.0 - params.hire_rate) ** (4.0 / steps_per_year)  # hire_rate is per quarter

    median = farm_income * reservation_ratio  # the county's median reservation wage, yuan/year
    laid_off = _separations(p, demand_park, workshop_slots, service_demand)
    hired_ws = _workshop_hiring(p, workshop_slots, workshop_wage, median, hire, params)
    hired_park, opening, unfilled = _park_hiring(p, demand_park, wage, median, hire, params)
    hired_service = _service_hiring(p, service_demand, wage, median, hire, params)
    migrated, returned = _migration(
        p,
        wage,
        demand_park,
        unfilled,
        farm_income,
        east_income,
        migration_cost,
        params,
        steps_per_year,
    )
    # the not employed drift back to farming
    drift = p[:, :, :, IDLE] * per_step(params.idle_to_farm, steps_per_year)
    p[:, :, :, IDLE] -= drift
    p[:, :, :, FARM] += drift
    trained, by_rate = _training(p, trainees_funded, training_rate, steps_per_year)
    wage = _new_wages(
        p, wage, prevailing_wage, demand_park, service_demand, median, params, steps_per_year
    )
    np.maximum(p, 0.0, out=p)
    return (
        p,
        wage,
        LabourFlows(
            hired_park,
            hired_ws,
            hired_service,
            laid_off,
            migrated,
            returned,
            trained,
            by_rate,
            unfilled,
        ),
    )
