"""Per-agent reference implementation of location choice and the labour market.

Written for clarity, not speed: plain loops over the Mesa agents and scalar
``math`` arithmetic per firm, candidate park, option and county. The tests
cross-check the vectorised mechanisms (``sim/mechanisms/location.py`` and
``labour.py``) against it, and a benchmark times the two side by side. It
re-implements DESIGN §3.3 and §3.5 from the docstrings and uses none of the
vectorised functions; it only borrows their index constants (the array layout).

Public functions:

- :func:`reference_location_choice` — (firm, new state or -1, park or -1) per reviewing firm;
- :func:`reference_consideration_sets`, :func:`reference_option_utilities` — the
  intermediate results, for finer comparisons;
- :func:`reference_labour_market` — one step of every western labour pool.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sim.mechanisms.labour import (
    FARM,
    IDLE,
    IMMOBILE,
    LOW,
    MID,
    MIGRANT,
    MOBILE,
    PARK,
    SERVICE,
    WORKSHOP,
)
from sim.mechanisms.location import BRANCH, HOME, RELOCATED

EARTH_RADIUS_KM = 6371.0
SKILLS = (LOW, MID)
MOBILITIES = (MOBILE, IMMOBILE)
STATUSES = (FARM, PARK, WORKSHOP, MIGRANT, IDLE, SERVICE)


# ---------------------------------------------------------------- small helpers
def clip01(x: float) -> float:
    return min(max(x, 0.0), 1.0)


def per_step(rate_per_year: float, steps_per_year: int) -> float:
    """Per-step probability equivalent to a yearly rate."""
    return 1.0 - (1.0 - clip01(rate_per_year)) ** (1.0 / steps_per_year)


def willing_farmers_share(wage: float, farm_income: float, e, reach: float | None = None) -> float:
    """Share of farmers who would leave the farm for a job at ``wage``: those within reach whose
    lognormal reservation wage (median farm income × (1 + premium)) is below it."""
    reach = e.park_reach if reach is None else reach
    median = max(farm_income * (1 + e.local_premium), 1.0)
    z = math.log(max(wage, 1e-9) / median) / max(e.reservation_sigma, 1e-9)
    return reach * 0.5 * math.erfc(-z / math.sqrt(2.0))


def reachable_share(people, s: int, wage: float, farm_income: float, e) -> float:
    """Share of today's skill-``s`` farmers who would take a park or service job at ``wage``.

    ``people[skill][mobility][status]``; those already in park and service jobs use up reach."""
    farmers = sum(people[s][m][FARM] for m in MOBILITIES)
    local = sum(people[s][m][st] for m in MOBILITIES for st in (PARK, SERVICE))
    free = max(willing_farmers_share(wage, farm_income, e) * (farmers + local) - local, 0.0)
    return min(free / farmers, 1.0) if farmers > 0 else 0.0


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle (haversine) distance between two points in degrees."""
    lon1, lat1, lon2, lat2 = map(math.radians, (lon1, lat1, lon2, lat2))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(a, 1.0)))


def pick(items: list, u: float):
    """Item number floor(u * len) of a list (a uniform draw), None if the list is empty."""
    if not items:
        return None
    return items[min(int(u * len(items)), len(items) - 1)]


def notice_probability(effort: float, awareness: float) -> float:
    """Chance a promoted park is noticed at promotion ``effort``."""
    return 1.0 - (1.0 - awareness) ** max(effort, 0.0)


# ================================================================ location choice
@dataclass
class Site:
    """What a firm sees of one western park and its county."""

    productivity: float            # output per job relative to home
    wage: tuple[float, float]      # low, mid skill (yuan/year)
    available: tuple[float, float]  # willing local workers by skill (persons)
    land: float                    # land cost after the county's effective discount (yuan/job/year)
    friction: float                # share of output, after enclave management
    lon: float
    lat: float
    open: bool                     # has a whole free slot
    effort: float                  # promotion effort behind the park
    same_sector: dict[int, int] = field(default_factory=dict)  # sector -> western firms here
    chain_sectors: set[int] = field(default_factory=set)       # sectors with a relocated chain master here
    sector_focus: int = -1                                     # the sector the park specialises in


@dataclass
class World:
    """The state a reviewing firm looks at, gathered once per step from the agents."""

    sites: list[Site]
    promoted: dict[int, list[int]]      # eastern county -> parks its partner counties host (park order)
    enclave_parks: list[int]
    word_of_mouth: dict[int, list[int]]  # sector -> parks of western firms of the sector (firm order)
    sector_index: dict[str, int]


def _county_availability(model, pool) -> tuple[float, float]:
    """Willing local workers by skill, net of park vacancies already open in the county."""
    lab, e = model.labour, model.e
    people, w = pool.people, pool.row
    farm_income = float(lab.farm_income[w] + lab.farm_bonus[w])
    out = []
    for skill, wage in ((LOW, pool.wage_low), (MID, pool.wage_mid)):
        idle = sum(float(people[skill, mob, IDLE]) for mob in MOBILITIES)
        farm = sum(float(people[skill, mob, FARM]) for mob in MOBILITIES)
        employed = sum(float(people[skill, mob, PARK]) for mob in MOBILITIES)
        if skill == LOW:  # mid-skill workers beyond the mid-skill jobs hold low-skill jobs
            mid_emp = sum(float(people[MID, mob, PARK]) for mob in MOBILITIES)
            employed += max(mid_emp - float(lab.demand[w, MID]), 0.0)
        willing = idle + farm * reachable_share(people, skill, wage, farm_income, e)
        if skill == LOW:  # mid-skill seekers willing at the low wage may take low-skill jobs
            mid_idle = sum(float(people[MID, mob, IDLE]) for mob in MOBILITIES)
            mid_farm = sum(float(people[MID, mob, FARM]) for mob in MOBILITIES)
            willing += mid_idle + mid_farm * reachable_share(people, MID, wage, farm_income, e)
        unfilled = max(float(lab.demand[w, skill]) - employed, 0.0)
        out.append(max(willing - unfilled, 0.0))
    return out[0], out[1]


def _site(model, park, availability) -> Site:
    e, geo = model.e, model.geo
    county = park.county
    pool = county.labour_pool
    discount = model.policy.subsidy.land_discount * float(model.counties.funding_ratio[county.row])
    return Site(
        productivity=e.west_productivity * (1 - e.infra_weight * (1 - park.quality)),
        wage=(pool.wage_low, pool.wage_mid),
        available=availability[pool.row],
        land=park.land_cost * (1 - discount),
        friction=county.friction / float(model.parks.efficiency[park.row]),
        lon=float(geo.lon[county.row]), lat=float(geo.lat[county.row]),
        open=math.floor(park.capacity + 1e-9) - park.occupancy > 0,
        effort=float(model.park_effort[park.row]),
        sector_focus=-1 if park.sector_focus is None else list(model.sectors.name).index(park.sector_focus),
    )


def build_world(model) -> World:
    """Parks, promotion lists and word-of-mouth lists from the agents (pre-choice state)."""
    sector_index = {str(name): s for s, name in enumerate(model.sectors.name)}
    availability = {pool.row: _county_availability(model, pool) for pool in model.labour_pools}
    sites = [_site(model, park, availability) for park in model.park_agents]
    pairing = model.policy.pairing.enabled
    promoted: dict[int, list[int]] = {}
    enclave_parks = []
    for park in model.park_agents:
        if pairing and park.partner is not None:
            promoted.setdefault(park.partner.row, []).append(park.row)
        if park.operator == "east":
            enclave_parks.append(park.row)
    word_of_mouth: dict[int, list[int]] = {}
    for firm in model.firm_agents:
        if firm.state not in ("branch", "relocated"):
            continue
        s, p = sector_index[firm.sector], firm.park.row
        word_of_mouth.setdefault(s, []).append(p)
        sites[p].same_sector[s] = sites[p].same_sector.get(s, 0) + 1
        if firm.chain_master and firm.state == "relocated":
            sites[p].chain_sectors.add(s)
    return World(sites, promoted, enclave_parks, word_of_mouth, sector_index)


def consideration_set(model, world: World, firm, shocks, r: int) -> list[int]:
    """Candidate parks of reviewing firm number ``r``, one slot per draw; -1 for an empty slot.

    Slots keep the draw order (promoted, enclave, word of mouth, random) because
    the option columns, and so the Gumbel shocks, follow it.
    """
    awareness = model.e.awareness
    sector = world.sector_index[firm.sector]
    slots = []
    for u, notice in zip(shocks.promoted[r], shocks.promoted_notice[r], strict=True):
        p = pick(world.promoted.get(firm.home.row, []), u)
        seen = p is not None and notice < notice_probability(world.sites[p].effort, awareness)
        slots.append(p if seen else -1)
    for u, notice in zip(shocks.enclave[r], shocks.enclave_notice[r], strict=True):
        p = pick(world.enclave_parks, u)
        seen = p is not None and notice < notice_probability(world.sites[p].effort, awareness)
        slots.append(p if seen else -1)
    for u in shocks.word_of_mouth[r]:
        p = pick(world.word_of_mouth.get(sector, []), u)
        slots.append(-1 if p is None else p)
    for u in shocks.random[r]:
        slots.append(pick(range(len(world.sites)), u))
    # a full park cannot be chosen, nor the firm's own park; a park drawn twice counts once (the first draw)
    own = firm.park.row if firm.park is not None else -1
    seen_parks = set()
    for j, p in enumerate(slots):
        if p >= 0 and (not world.sites[p].open or p == own or p in seen_parks):
            slots[j] = -1
        seen_parks.add(p)
    return slots


@dataclass
class FirmView:
    """The firm's own numbers that enter its margins."""

    sector: int
    jobs: float
    output_per_job: float
    lon: float
    lat: float


def firm_view(model, world: World, firm) -> FirmView:
    home = firm.home.row
    return FirmView(world.sector_index[firm.sector], firm.jobs, firm.output_per_job,
                    float(model.geo.lon[home]), float(model.geo.lat[home]))


def west_margin(model, site: Site, f: FirmView) -> tuple[float, float]:
    """After-tax margin of producing at ``site`` (share of home output/year) and the local tax it yields.

    Labour shortage is judged against the firm's full workforce.
    """
    e, sec = model.e, model.sectors
    r = site.productivity
    m = float(sec.mid_skill[f.sector])
    wage = (1 - m) * site.wage[0] + m * site.wage[1]
    need = max(f.jobs, 1.0)
    short = ((1 - m) * clip01(1 - site.available[0] / (need * (1 - m) + 1e-9))
             + m * clip01(1 - site.available[1] / (need * m + 1e-9)))
    labour = wage * (1 + e.labour_shortage_cost * short) / f.output_per_job
    dist = distance_km(f.lon, f.lat, site.lon, site.lat)
    agglomeration = (e.agglomeration * math.log1p(site.same_sector.get(f.sector, 0))
                     + e.chain_master_pull * (f.sector in site.chain_sectors)
                     + e.sector_focus_bonus * (site.sector_focus == f.sector))
    transport = e.transport_cost * float(sec.transport[f.sector]) * dist / 1000.0
    pre = (r * (e.value_added_share - transport - site.friction + agglomeration)
           - labour - site.land / f.output_per_job)
    cit = e.cit_rate_west * max(pre, 0.0)
    local_tax = r * e.value_added_share * e.vat_rate * e.vat_local_share + cit * e.cit_local_share
    return pre - cit, local_tax


def home_margin_now(model, firm) -> float:
    """After-tax margin at the eastern home site at this step's prices."""
    e, p = model.e, model.prices
    pre = e.value_added_share - (p.east_wage + p.east_land) / firm.output_per_job - e.friction_east
    return pre - e.cit_rate_east * max(pre, 0.0)


def current_margin_now(model, world: World, firm, home_m: float) -> float:
    """Margin where the firm is now, at this step's prices and sites (as ``_produce_and_pay`` books it)."""
    e = model.e
    if firm.state == "home":
        return home_m
    s = firm.west_share
    west_m, local_tax = west_margin(model, world.sites[firm.park.row], firm_view(model, world, firm))
    in_holiday = firm.entry_step >= 0 and (model.t - firm.entry_step) * model.dt < model.policy.subsidy.tax_holiday_years
    overhead = e.branch_overhead if s < 1 else 0.0
    return (1 - s) * home_m + s * (west_m + (local_tax if in_holiday else 0.0)) - overhead


def option_utilities(model, world: World, firm, slots: list[int]) -> list[float]:
    """Utility (logit units) of every option column; -inf where not allowed.

    Columns: 0 stay, 1 go home, 2+k branch at slot k, 2+K+k move fully to slot k,
    2+2K move fully into the park of the firm's own branch. Margins now and at
    home are valued at this step's prices, like every other option.
    """
    e = model.e
    k_slots = len(slots)
    amort = 1.0 / e.horizon_years
    s_b, sw = e.branch_share, e.switching_cost
    holiday_share = min(1.0, model.policy.subsidy.tax_holiday_years / e.horizon_years)
    state = firm.state
    f = firm_view(model, world, firm)
    home_m = home_margin_now(model, firm)
    current = current_margin_now(model, world, firm, home_m) + float(model.firms.taste[firm.row])

    u = [-math.inf] * (2 * k_slots + 3)
    u[0] = current
    if state == "branch":
        u[1] = home_m - sw
    for k, park in enumerate(slots):
        if park < 0:
            continue
        west_m, local_tax = west_margin(model, world.sites[park], f)
        rebate = holiday_share * local_tax
        if state == "home":
            u[2 + k] = ((1 - s_b) * home_m + s_b * (west_m + rebate) - e.branch_overhead
                        - e.move_cost * s_b * amort - sw)
        u[2 + k_slots + k] = west_m + rebate - e.move_cost * amort - sw
    if state == "branch":
        own_m, _ = west_margin(model, world.sites[firm.park.row], f)
        u[2 + 2 * k_slots] = own_m - e.move_cost * (1 - s_b) * amort - sw
    return [x / e.logit_scale for x in u]


def decode_option(column: int, slots: list[int], firm) -> tuple[int, int]:
    """(new state or -1 to stay, target park or -1) of an option column."""
    k_slots = len(slots)
    if column == 0:
        return -1, -1
    if column == 1:
        return HOME, -1
    if column < 2 + k_slots:
        return BRANCH, slots[column - 2]
    if column < 2 + 2 * k_slots:
        return RELOCATED, slots[column - 2 - k_slots]
    return RELOCATED, firm.park.row


def _reviewing_firms(model, shocks):
    for r, i in enumerate(shocks.reviewing):
        yield r, model.firm_agents[int(i)]


def reference_consideration_sets(model, shocks) -> list[list[int]]:
    """Candidate parks of every reviewing firm (slots, -1 empty), like ``consideration_sets``."""
    world = build_world(model)
    return [consideration_set(model, world, firm, shocks, r) for r, firm in _reviewing_firms(model, shocks)]


def reference_option_utilities(model, shocks) -> list[list[float]]:
    """Option utilities (logit units) of every reviewing firm, like ``utilities``."""
    world = build_world(model)
    return [option_utilities(model, world, firm, consideration_set(model, world, firm, shocks, r))
            for r, firm in _reviewing_firms(model, shocks)]


def reference_location_choice(model, shocks) -> list[tuple[int, int, int]]:
    """(firm index, new state or -1 to stay, park or -1) of every reviewing firm.

    Each firm takes the option of highest utility plus its Gumbel shock
    (multinomial logit); ties go to the first column, like ``numpy.argmax``.
    """
    world = build_world(model)
    choices = []
    for r, firm in _reviewing_firms(model, shocks):
        slots = consideration_set(model, world, firm, shocks, r)
        utilities = option_utilities(model, world, firm, slots)
        best, best_value = 0, -math.inf
        for column, (u, g) in enumerate(zip(utilities, shocks.gumbel[r], strict=True)):
            if u + g > best_value:
                best, best_value = column, u + g
        new_state, park = decode_option(best, slots, firm)
        choices.append((firm.row, new_state, park))
    return choices


# ================================================================ labour market
class Pool:
    """One county's people as nested lists ``people[skill][mobility][status]`` and its inputs."""

    def __init__(self, inputs: dict, w: int):
        self.people = [[[float(inputs["people"][w, s, m, st]) for st in STATUSES] for m in MOBILITIES]
                       for s in SKILLS]
        self.wage = [float(inputs["wage"][w, s]) for s in SKILLS]
        self.prevailing = [float(inputs["prevailing_wage"][w, s]) for s in SKILLS]
        self.demand = [float(inputs["demand_park"][w, s]) for s in SKILLS]
        self.east_income = [float(inputs["east_income"][w, s]) for s in SKILLS]
        self.workshop_slots = float(inputs["workshop_slots"][w])
        self.service_demand = float(inputs["service_demand"][w])
        self.farm_income = float(inputs["farm_income"][w])
        self.migration_cost = float(inputs["migration_cost"][w])
        self.trainees_funded = float(inputs["trainees_funded"][w])
        rate = inputs["training_rate"]
        self.training_rate = float(rate if not hasattr(rate, "shape") or rate.shape == () else rate[w])

    def total(self, skills, mobilities, status) -> float:
        return sum(self.people[s][m][status] for s in skills for m in mobilities)

    def move(self, s, m, src, dst, amount):
        self.people[s][m][src] -= amount
        self.people[s][m][dst] += amount

    def hire_from(self, cells, status, dst, want):
        """Move up to ``want`` persons from ``status`` in ``cells`` (skill, mobility) to ``dst``, proportionally."""
        total = sum(self.people[s][m][status] for s, m in cells)
        frac = min(want, total) / total if total > 0 else 0.0
        hired = 0.0
        for s, m in cells:
            amount = self.people[s][m][status] * frac
            self.move(s, m, status, dst, amount)
            hired += amount
        return hired


def _separations(pool: Pool):
    """Lay off where jobs are fewer than workers; mid-skill workers may hold low-skill park jobs."""
    low_emp = pool.total((LOW,), MOBILITIES, PARK)
    low_cut = max(low_emp - pool.demand[LOW], 0.0)
    mid_emp = pool.total((MID,), MOBILITIES, PARK)
    mid_cut = max(mid_emp - pool.demand[MID] - (pool.demand[LOW] - (low_emp - low_cut)), 0.0)
    for s, cut, emp in ((LOW, low_cut, low_emp), (MID, mid_cut, mid_emp)):
        for m in MOBILITIES:
            pool.move(s, m, PARK, IDLE, pool.people[s][m][PARK] * (cut / emp if emp > 0 else 0.0))
    for status, jobs in ((WORKSHOP, pool.workshop_slots), (SERVICE, pool.service_demand)):
        held = pool.total(SKILLS, MOBILITIES, status)
        cut = max(held - jobs, 0.0) / held if held > 0 else 0.0
        for s in SKILLS:
            for m in MOBILITIES:
                pool.move(s, m, status, IDLE, pool.people[s][m][status] * cut)


def _workshop_hiring(pool: Pool, hire: float, workshop_wage: float, e):
    """Workshops hire the immobile first, the not employed before willing farmers (all within reach)."""
    vacancies = max(pool.workshop_slots - pool.total(SKILLS, MOBILITIES, WORKSHOP), 0.0) * hire
    farm_ok = willing_farmers_share(workshop_wage, pool.farm_income, e, reach=1.0)
    hired = 0.0
    for m in (IMMOBILE, MOBILE):
        for status in (IDLE, FARM):
            share = 1.0 if status == IDLE else farm_ok
            want = min(vacancies - hired, pool.total(SKILLS, (m,), status) * share)
            hired += pool.hire_from([(s, m) for s in SKILLS], status, WORKSHOP, want)


def _hire_skill(pool: Pool, s: int, vacancies: float, farm_share: float) -> float:
    """Hire up to ``vacancies`` workers of skill ``s`` into parks: not employed, then the share ``farm_share`` of farmers."""
    hired = 0.0
    for status in (IDLE, FARM):
        share = 1.0 if status == IDLE else farm_share
        want = min(vacancies - hired, pool.total((s,), MOBILITIES, status) * share)
        hired += pool.hire_from([(s, m) for m in MOBILITIES], status, PARK, want)
    return hired


def _park_hiring(pool: Pool, hire: float, e) -> list[float]:
    """Park firms hire by skill; mid-skill seekers then take low-skill jobs left vacant (at the low wage).

    Returns the park jobs still vacant by job skill.
    """
    low_emp, mid_emp = pool.total((LOW,), MOBILITIES, PARK), pool.total((MID,), MOBILITIES, PARK)
    opening = [max(pool.demand[LOW] - low_emp - max(mid_emp - pool.demand[MID], 0.0), 0.0),
               max(pool.demand[MID] - mid_emp, 0.0)]
    # both skills' shares are read before either hires (as the vectorised market does)
    shares = [reachable_share(pool.people, s, pool.wage[s], pool.farm_income, e) for s in SKILLS]
    hired = [_hire_skill(pool, s, opening[s] * hire, shares[s]) for s in SKILLS]
    mid_at_low_wage = reachable_share(pool.people, MID, pool.wage[LOW], pool.farm_income, e)
    hired[LOW] += _hire_skill(pool, MID, opening[LOW] * hire - hired[LOW], mid_at_low_wage)
    return [max(opening[s] - hired[s], 0.0) for s in SKILLS]


def _service_hiring(pool: Pool, hire: float, e):
    """Local service jobs take either skill at the low wage: the not employed, then willing farmers."""
    vacancies = max(pool.service_demand - pool.total(SKILLS, MOBILITIES, SERVICE), 0.0) * hire
    cells = [(s, m) for s in SKILLS for m in MOBILITIES]
    farmers = [pool.total((s,), MOBILITIES, FARM) for s in SKILLS]
    free = sum(reachable_share(pool.people, s, pool.wage[LOW], pool.farm_income, e) * farmers[s] for s in SKILLS)
    farm_ok = min(free / sum(farmers), 1.0) if sum(farmers) > 0 else 0.0
    hired = 0.0
    for status in (IDLE, FARM):
        share = 1.0 if status == IDLE else farm_ok
        want = min(vacancies - hired, pool.total(SKILLS, MOBILITIES, status) * share)
        hired += pool.hire_from(cells, status, SERVICE, want)


def _park_pay(pool: Pool, s: int) -> float:
    """Mean pay of a park worker of skill ``s``: mid-skill workers beyond the mid-skill jobs earn the low wage."""
    if s == LOW:
        return pool.wage[LOW]
    employed = pool.total((MID,), MOBILITIES, PARK)
    in_low = min(max(employed - pool.demand[MID], 0.0), employed)
    share = in_low / employed if employed > 0 else 0.0
    return pool.wage[MID] - (pool.wage[MID] - pool.wage[LOW]) * share


def _migration_and_returns(pool: Pool, unfilled: list[float], e, steps_per_year: int):
    """Harris–Todaro: mobile stayers leave when the east pays more; migrants return as home pays better."""
    out_rate = per_step(e.migration_rate, steps_per_year)
    back_rate = per_step(e.return_rate, steps_per_year)
    for s in SKILLS:
        seekers = pool.total((s,), MOBILITIES, IDLE)
        p_local = unfilled[s] / max(unfilled[s] + seekers, 1.0)
        east_net = pool.east_income[s] - pool.migration_cost
        local_income = {FARM: pool.farm_income, PARK: _park_pay(pool, s), IDLE: pool.wage[s] * p_local,
                        SERVICE: pool.wage[LOW]}
        for status in (FARM, PARK, IDLE, SERVICE):
            gap = east_net - local_income[status]
            share = out_rate * max(math.tanh(gap / e.migration_scale), 0.0)
            pool.move(s, MOBILE, status, MIGRANT, pool.people[s][MOBILE][status] * share)
        home_best = max(pool.farm_income, pool.wage[s] * max(p_local, 0.5))
        back = back_rate * (0.5 + 0.5 * math.tanh((home_best - east_net) / e.migration_scale))
        pool.move(s, MOBILE, MIGRANT, FARM, pool.people[s][MOBILE][MIGRANT] * back)  # returnees farm


def _idle_back_to_farming(pool: Pool, e, steps_per_year: int):
    drift = per_step(e.idle_to_farm, steps_per_year)
    for s in SKILLS:
        for m in MOBILITIES:
            pool.move(s, m, IDLE, FARM, pool.people[s][m][IDLE] * drift)


def _training(pool: Pool, steps_per_year: int):
    """Training moves low-skill residents (not migrants) to mid skill, in their status (jobs kept)."""
    residents = (FARM, PARK, WORKSHOP, IDLE, SERVICE)
    low = sum(pool.people[LOW][m][st] for m in MOBILITIES for st in residents)
    want = min(low, low * per_step(pool.training_rate, steps_per_year) + pool.trainees_funded)
    frac = want / low if low > 0 else 0.0
    for m in MOBILITIES:
        for st in residents:
            moved = pool.people[LOW][m][st] * frac
            pool.people[LOW][m][st] -= moved
            pool.people[MID][m][st] += moved


def _new_wages(pool: Pool, e, steps_per_year: int) -> list[float]:
    """Wages move part-way to a wage curve over local demand vs willing workers, floored by farm income.

    Service jobs add to low-skill demand."""
    floor = pool.farm_income * (1 + e.local_premium)
    step = per_step(e.wage_adjustment, steps_per_year)
    wage = []
    for s in SKILLS:
        willing = (pool.total((s,), MOBILITIES, IDLE) + pool.total((s,), MOBILITIES, FARM)
                   * reachable_share(pool.people, s, pool.wage[s], pool.farm_income, e))
        if s == LOW:  # mid-skill seekers willing at the low wage may take low-skill jobs
            willing += (pool.total((MID,), MOBILITIES, IDLE) + pool.total((MID,), MOBILITIES, FARM)
                        * reachable_share(pool.people, MID, pool.wage[LOW], pool.farm_income, e))
        demand = pool.demand[s] + (pool.service_demand if s == LOW else 0.0)
        tight = demand / max(demand + willing, 1.0)
        target = max(floor, pool.prevailing[s] * (1 + e.wage_curve * tight))
        wage.append(pool.wage[s] + step * (target - pool.wage[s]))
    wage[MID] = max(wage[MID], wage[LOW])
    return wage


def labour_pool_step(inputs: dict, w: int) -> tuple[list, list[float]]:
    """One step of the labour market of western county ``w``: (people nested lists, wages)."""
    e, steps_per_year = inputs["e"], inputs["steps_per_year"]
    hire = 1.0 - (1.0 - e.hire_rate) ** (4.0 / steps_per_year)  # hire_rate is per quarter
    pool = Pool(inputs, w)
    _separations(pool)
    _workshop_hiring(pool, hire, float(inputs["workshop_wage"]), e)
    unfilled = _park_hiring(pool, hire, e)
    _service_hiring(pool, hire, e)
    _migration_and_returns(pool, unfilled, e, steps_per_year)
    _idle_back_to_farming(pool, e, steps_per_year)
    _training(pool, steps_per_year)
    wage = _new_wages(pool, e, steps_per_year)
    people = [[[max(x, 0.0) for x in row] for row in by_mob] for by_mob in pool.people]
    return people, wage


def reference_labour_market(model, inputs: dict):
    """One step of the western labour market for every LabourPool of ``model``.

    ``inputs`` holds the arguments of ``sim.mechanisms.labour.labour_market`` by
    name. Returns (people (W, 2, 2, 5), wage (W, 2)) as numpy arrays.
    """
    people = np.zeros_like(np.asarray(inputs["people"], dtype=float))
    wage = np.zeros_like(np.asarray(inputs["wage"], dtype=float))
    for pool in model.labour_pools:
        people[pool.row], wage[pool.row] = labour_pool_step(inputs, pool.row)
    return people, wage
