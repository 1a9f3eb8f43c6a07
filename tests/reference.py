"""Per-agent reference implementation of location choice and the labour market.

Written for clarity, not speed: plain loops over the Mesa agents and scalar
``math`` arithmetic per firm, candidate park, option and county. The tests
cross-check the vectorised mechanisms (``sim/model/mechanisms/location.py``, with the
freight of ``markets.py`` and the operator effect of ``enclave.py``, and
``labour.py``) against it, and a benchmark times the two side by side. It
re-implements the location choice and labour market of docs/ODD.md from the docstrings and uses
none of the vectorised functions; it only borrows their index constants (the array layout).

Public functions:

- :func:`reference_review_eligibility` — which firms may review, and which must (expanding,
  prompted and distressed firms);
- :func:`reference_location_choice` — (firm, new state or -1, park or -1) per reviewing firm;
- :func:`reference_location_outcomes` — the same with the taste, gain and expansion flag;
- :func:`reference_consideration_sets`, :func:`reference_option_utilities` — the
  intermediate results, for finer comparisons;
- :func:`reference_labour_market` — one step of every western labour pool.
"""

from __future__ import annotations

import math
import statistics
import zlib
from dataclasses import dataclass, field

import numpy as np

from sim.model.mechanisms.labour import (
    FARM,
    IDLE,
    IMMOBILE,
    LOW,
    MID,
    MIGRANT,
    MOBILE,
    PARK,
    Q_MAX,
    SERVICE,
    WORKSHOP,
)
from sim.model.mechanisms.location import BRANCH, HOME, RELOCATED

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


def willing_farmers_share(wage: float, median: float, e) -> float:
    """Share of residents whose lognormal reservation wage (median ``median``) is below ``wage``."""
    z = math.log(max(wage, 1e-9) / max(median, 1.0)) / max(e.reservation_sigma, 1e-9)
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def clearing_wage(need: float, median: float, e) -> float:
    """The wage at which the share ``need`` of residents would be willing (clipped to [1e-6,
    Q_MAX])."""
    q = min(max(need, 1e-6), Q_MAX)
    return max(median, 1.0) * math.exp(
        max(e.reservation_sigma, 1e-9) * statistics.NormalDist().inv_cdf(q)
    )


def reachable_share(people, s: int, wage: float, median: float, e) -> float:
    """Share of today's skill-``s`` farmers who would take a park or local job at ``wage``.

    ``people[skill][mobility][status]``; those already in park and local jobs count against the
    willing."""
    farmers = sum(people[s][m][FARM] for m in MOBILITIES)
    local = sum(people[s][m][st] for m in MOBILITIES for st in (PARK, SERVICE))
    free = max(willing_farmers_share(wage, median, e) * (farmers + local) - local, 0.0)
    return min(free / farmers, 1.0) if farmers > 0 else 0.0


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle (haversine) distance between two points in degrees."""
    lon1, lat1, lon2, lat2 = map(math.radians, (lon1, lat1, lon2, lat2))
    a = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
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
class Markets:
    """Where firms sell beyond their eastern home county, and the freight per km by sector."""

    national: tuple[float, float]  # lon, lat of the national market
    west: tuple[float, float]  # lon, lat of the western market
    gateways: list[tuple[float, float, float]]  # export gateways: lon, lat, onward km
    local_km: float  # km to the home market from a home site
    mix: list[list[float]]  # sector -> sales shares [home, national, west, export]
    per_km: list[float]  # sector -> freight per km (share of output)

    def distances(self, lon: float, lat: float) -> tuple[float, float, float]:
        """Km from a site to the national, western and export markets (export: cheapest gateway
        plus its onward leg; as far as the national market if there is no gateway)."""
        national = distance_km(lon, lat, *self.national)
        west = distance_km(lon, lat, *self.west)
        export = min(
            (
                distance_km(lon, lat, g_lon, g_lat) + onward
                for g_lon, g_lat, onward in self.gateways
            ),
            default=national,
        )
        return national, west, export

    def freight_beyond_home(self, dist: tuple[float, float, float], sector: int) -> float:
        """Freight to the national, western and export markets from a site (share of output)."""
        mix = self.mix[sector]
        return (dist[0] * mix[1] + dist[1] * mix[2] + dist[2] * mix[3]) * self.per_km[sector]

    def home_leg(self, sector: int) -> float:
        """Freight per km of distance to the firm's eastern home market (share of output/km)."""
        return self.mix[sector][0] * self.per_km[sector]

    def branch_allocation(
        self, sector: int, home_km: list[float], park_km: list[float], share: float
    ) -> float:
        """Freight a branch of ``share`` saves by serving the markets it is nearest to first, over a
        proportional slice of each (share of output). ``home_km``/``park_km``: km from the home site
        and from the park to [home market, national, west, export]."""
        saving = [self.per_km[sector] * (pk - hk) for pk, hk in zip(park_km, home_km, strict=False)]
        mix = self.mix[sector]
        left, cost = share, 0.0
        for m in sorted(range(4), key=lambda m: saving[m]):  # stable: ties keep market order
            take = min(left, mix[m])
            cost += take * saving[m]
            left -= take
        return share * sum(x * sv for x, sv in zip(mix, saving, strict=False)) - cost


def build_markets(model) -> Markets:
    geo, sec, e = model.geo, model.sectors, model.e
    mk = geo.markets
    if mk.west is not None:
        west = mk.west
    else:  # the western counties' population centroid
        weights = [
            float(geo.population[c]) if geo.is_west[c] else 0.0 for c in range(geo.n_counties)
        ]
        total = sum(weights)
        west = (
            sum(w * float(geo.lon[c]) for c, w in enumerate(weights)) / total,
            sum(w * float(geo.lat[c]) for c, w in enumerate(weights)) / total,
        )
    n_sec = len(sec.name)
    return Markets(
        national=tuple(mk.national),
        west=west,
        gateways=[tuple(g) for g in mk.gateways],
        local_km=float(mk.local_km),
        mix=[[float(x) for x in sec.markets[s]] for s in range(n_sec)],
        per_km=[e.freight_rate / max(float(sec.value_density[s]), 1e-9) for s in range(n_sec)],
    )


@dataclass
class Site:
    """What a firm sees of one western park and its county."""

    productivity: float  # output per job relative to home, before the firm's match
    place: str  # the prefecture a firm's match is with (the county where none is given)
    wage: tuple[float, float]  # cost of a job to the employer, low and mid skill (yuan/year)
    available: tuple[float, float]  # willing local workers by skill (persons)
    land: float  # land cost after the county's effective discount (yuan/job/year)
    friction: float  # share of output, after the enclave operator's effect
    lon: float
    lat: float
    markets: tuple[float, float, float]  # km to the national, western and export markets
    open: bool  # has a whole free slot
    effort: float  # promotion effort behind the park
    same_sector: dict[int, int] = field(default_factory=dict)  # sector -> western firms here
    chain_sectors: set[int] = field(
        default_factory=set
    )  # sectors with a relocated chain master here
    sector_focus: int = -1  # the sector the park specialises in


@dataclass
class World:
    """The state a reviewing firm looks at, gathered once per step from the agents."""

    sites: list[Site]
    promoted: dict[int, list[int]]  # eastern county -> parks its partner counties host (park order)
    enclave_parks: list[int]
    word_of_mouth: dict[
        int, list[int]
    ]  # sector -> parks of western firms of the sector (firm order)
    sector_index: dict[str, int]
    markets: Markets


def _county_availability(model, pool) -> tuple[float, float]:
    """Willing local workers by skill, net of park vacancies already open in the county."""
    lab, e = model.labour, model.e
    people, w = pool.people, pool.row
    median = float((lab.farm_income[w] + lab.farm_bonus[w]) * lab.reservation_ratio[w])
    out = []
    for skill, wage in ((LOW, pool.wage_low), (MID, pool.wage_mid)):
        idle = sum(float(people[skill, mob, IDLE]) for mob in MOBILITIES)
        farm = sum(float(people[skill, mob, FARM]) for mob in MOBILITIES)
        employed = sum(float(people[skill, mob, PARK]) for mob in MOBILITIES)
        if skill == LOW:  # mid-skill workers beyond the mid-skill jobs hold low-skill jobs
            mid_emp = sum(float(people[MID, mob, PARK]) for mob in MOBILITIES)
            employed += max(mid_emp - float(lab.demand[w, MID]), 0.0)
        willing = idle + farm * reachable_share(people, skill, wage, median, e)
        if skill == LOW:  # mid-skill seekers willing at the low wage may take low-skill jobs
            mid_idle = sum(float(people[MID, mob, IDLE]) for mob in MOBILITIES)
            mid_farm = sum(float(people[MID, mob, FARM]) for mob in MOBILITIES)
            willing += mid_idle + mid_farm * reachable_share(people, MID, wage, median, e)
        unfilled = max(float(lab.demand[w, skill]) - employed, 0.0)
        out.append(max(willing - unfilled, 0.0))
    return out[0], out[1]


def employer_cost(wage: float, rate: float, floor: float) -> float:
    """What a job costs its employer: the wage plus contributions at ``rate`` on the larger of the
    wage and the floor of the contribution base."""
    return wage + rate * max(wage, floor)


def _trained_cost_factor(model, pool) -> float:
    """Labour cost of a low-skill job per unit of start-year output in the county: its residents'
    trained (mid-skill) share against the start, at the output and pay premiums of training."""
    people, e = pool.people, model.e
    res = {
        s: sum(float(people[s, mob, st]) for mob in MOBILITIES for st in STATUSES if st != MIGRANT)
        for s in SKILLS
    }
    total = res[LOW] + res[MID]
    change = (res[MID] / total if total > 0 else 0.0) - float(model.labour.trained0[pool.row])
    return (1 + e.training_wage_premium * change) / max(
        1 + e.training_productivity_premium * change, 1e-9
    )


def _site(model, park, availability, markets: Markets) -> Site:
    e, geo = model.e, model.geo
    county = park.county
    pool = county.labour_pool
    discount = model.policy.subsidy.land_discount * float(model.counties.funding_ratio[county.row])
    # the enclave operator divides its tenants' friction cost, in proportion to the partner's effort
    operator = 1.0 + (model.policy.enclave.operator_efficiency - 1.0) * float(
        model.parks.partner_effort[park.row]
    )
    lon, lat = float(geo.lon[county.row]), float(geo.lat[county.row])
    return Site(
        productivity=e.west_productivity * (1 - e.infra_weight * (1 - park.quality)),
        place=county.prefecture or county.name,
        wage=tuple(
            employer_cost(
                w, model.prices.west_contribution_rate, model.prices.west_contribution_floor
            )
            * k
            for w, k in ((pool.wage_low, _trained_cost_factor(model, pool)), (pool.wage_mid, 1.0))
        ),
        available=availability[pool.row],
        land=park.land_cost * (1 - discount),
        friction=county.friction / operator,
        lon=lon,
        lat=lat,
        markets=markets.distances(lon, lat),
        open=math.floor(park.capacity + 1e-9) - park.occupancy > 0,
        effort=float(model.parks.promotion_effort[park.row]),
        sector_focus=-1
        if park.sector_focus is None
        else list(model.sectors.name).index(park.sector_focus),
    )


def build_world(model) -> World:
    """Parks, promotion lists and word-of-mouth lists from the agents (pre-choice state)."""
    sector_index = {str(name): s for s, name in enumerate(model.sectors.name)}
    markets = build_markets(model)
    availability = {pool.row: _county_availability(model, pool) for pool in model.labour_pools}
    sites = [_site(model, park, availability, markets) for park in model.park_agents]
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
    return World(sites, promoted, enclave_parks, word_of_mouth, sector_index, markets)


# ---------------------------------------------------------------- who reviews
def plant_ready(model, firm) -> bool:
    """Active, and not building a western plant (construction ends at ``ready_step``)."""
    return firm.state != "exited" and int(model.firms.ready_step[firm.row]) <= model.t


def is_prompted(model, firm) -> bool:
    """A settled home firm an enclave operator prompted to view its park: it reviews now."""
    return (
        plant_ready(model, firm)
        and firm.state == "home"
        and int(model.firms.prompted[firm.row]) >= 0
    )


def is_expanding(model, firm) -> bool:
    """A home firm whose wanted extra capacity has reached a lump: it builds a new plant now."""
    return (
        plant_ready(model, firm)
        and firm.state == "home"
        and float(model.firms.backlog[firm.row]) >= model.e.expansion_lump
    )


def is_distressed(model, firm) -> bool:
    """A settled firm whose run of losses closes it at the end of this step if it still loses."""
    steps = model.e.exit_after_years * model.cfg.run.steps_per_year
    return plant_ready(model, firm) and int(model.firms.loss_steps[firm.row]) + 1 >= steps


def reference_review_eligibility(model) -> tuple[list[bool], list[bool]]:
    """(may review this step, must review this step) of every firm: settled firms review at
    random times; expanding home firms always review (they choose where to build), and so do
    home firms an enclave operator prompted and firms that would close at this step's end."""
    eligible = [plant_ready(model, firm) for firm in model.firm_agents]
    always = [
        is_expanding(model, firm) or is_prompted(model, firm) or is_distressed(model, firm)
        for firm in model.firm_agents
    ]
    return eligible, always


# ---------------------------------------------------------------- consideration set
def consideration_set(model, world: World, firm, shocks, r: int) -> list[int]:
    """Candidate parks of reviewing firm number ``r``, one slot per draw; -1 for an empty slot.

    Slots keep the draw order (promoted, enclave, word of mouth, random, prompted) because
    the option columns, and so the Gumbel shocks, follow it. The prompted slot (where there are
    enclave parks) holds the park an operator prompted the firm to view, seen without a notice
    draw.
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
    if world.enclave_parks:
        slots.append(int(model.firms.prompted[firm.row]))
    # a full park cannot be chosen, nor the firm's own park; a park drawn twice counts once (the
    # first draw)
    own = firm.park.row if firm.park is not None else -1
    seen_parks = set()
    for j, p in enumerate(slots):
        if p >= 0 and (not world.sites[p].open or p == own or p in seen_parks):
            slots[j] = -1
        seen_parks.add(p)
    return slots


# ---------------------------------------------------------------- margins
@dataclass
class FirmView:
    """The firm's own numbers that enter its margins."""

    sector: int
    jobs: float
    output_per_job: float
    edge: float  # own profitability advantage (share of output)
    key: int  # key of its match with western prefectures
    lon: float  # home county (its home market)
    lat: float


def firm_view(model, world: World, firm) -> FirmView:
    home = firm.home.row
    return FirmView(
        world.sector_index[firm.sector],
        firm.jobs,
        firm.output_per_job,
        firm.edge,
        firm.match_key,
        float(model.geo.lon[home]),
        float(model.geo.lat[home]),
    )


def after_tax(pre: float, cit_rate: float) -> float:
    return pre - cit_rate * max(pre, 0.0)


_MASK64 = 2**64 - 1


def _mix64(x: int) -> int:
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def site_match(key: int, place: str, sd: float) -> float:
    """The firm's output per job at ``place`` relative to the place's (mean-one lognormal in
    a normal quantile of a SplitMix64 hash of the firm's key and the CRC-32 of the name)."""
    if sd == 0:
        return 1.0
    h = _mix64(key ^ _mix64((zlib.crc32(place.encode()) + 0x9E3779B97F4A7C15) & _MASK64))
    z = statistics.NormalDist().inv_cdf(((h >> 11) + 0.5) / 2**53)
    return math.exp(sd * z - sd * sd / 2)


def west_margin(
    model, world: World, site: Site, f: FirmView, need_jobs: float | None = None
) -> tuple[float, float]:
    """After-tax margin of producing at ``site`` (share of home output/year) and the local tax it
    yields.

    Output per job there is ``productivity`` times the firm's match with the place times
    home; value added, friction,
    agglomeration gains, the power-price saving and freight to every market (the home
    market leg on the distance to the firm's home county) scale with it; the firm's
    edge moves with it unscaled; labour and land are per job. Labour shortage is judged against
    the workforce the option needs there (``need_jobs``; the firm's full workforce if None).
    """
    e, sec = model.e, model.sectors
    r = site.productivity * site_match(f.key, site.place, e.site_match_sd)
    s = f.sector
    m = float(sec.mid_skill[s])
    wage = (1 - m) * site.wage[0] + m * site.wage[1]
    need = max(f.jobs if need_jobs is None else need_jobs, 1.0)
    short = (1 - m) * clip01(1 - site.available[0] / (need * (1 - m) + 1e-9)) + m * clip01(
        1 - site.available[1] / (need * m + 1e-9)
    )
    gains = (
        e.agglomeration * math.log1p(site.same_sector.get(s, 0))
        + e.chain_master_pull * (s in site.chain_sectors)
        + e.sector_focus_bonus * (site.sector_focus == s)
    )
    # the geography's power-price ratio unless the config sets one
    ratio = e.west_power_price_ratio
    if ratio is None:
        ratio = model.geo.economy["west_power_price"] / model.geo.economy["east_power_price"]
    power_saving = float(sec.energy_share[s]) * (1.0 - ratio)
    freight_out = world.markets.freight_beyond_home(site.markets, s)
    freight_home = world.markets.home_leg(s) * distance_km(f.lon, f.lat, site.lon, site.lat)
    pre = (
        r
        * (e.value_added_share - site.friction + gains + power_saving - freight_out - freight_home)
        + f.edge
        - (wage * (1 + e.labour_shortage_cost * short) + site.land) / f.output_per_job
    )
    cit = e.cit_rate_west * max(pre, 0.0)
    local_tax = r * e.value_added_share * e.vat_rate * e.vat_local_share + cit * e.cit_local_share
    return pre - cit, local_tax


def home_margin_now(model, world: World, firm) -> float:
    """After-tax margin at the eastern home site at this step's prices: value added less friction,
    freight to every market (the home market ``local_km`` away), labour (wage and employer
    contributions) and land, plus the edge."""
    e, p, mk = model.e, model.prices, world.markets
    f = firm_view(model, world, firm)
    # labour (wage and employer contributions) and land, times the eastern cost shock
    labour = employer_cost(p.east_wage, p.east_contribution_rate, p.east_contribution_floor)
    cost = (labour + p.east_land) * e.east_cost_scale
    freight = mk.freight_beyond_home(
        mk.distances(f.lon, f.lat), f.sector
    ) + mk.local_km * mk.home_leg(f.sector)
    pre = e.value_added_share - e.friction_east - freight + f.edge - cost / f.output_per_job
    return after_tax(pre, e.cit_rate_east)


def current_margin_now(model, world: World, firm, home_m: float) -> float:
    """Margin where the firm is now, at this step's prices and sites (as ``_book_margins`` books
    it):
    a branch pays the overhead of two sites, a full move the lasting relocation loss."""
    e = model.e
    if firm.state == "home":
        return home_m
    s = firm.west_share
    f = firm_view(model, world, firm)
    site = world.sites[firm.park.row]
    west_m, local_tax = west_margin(model, world, site, f, f.jobs * s)
    in_holiday = (
        firm.entry_step >= 0
        and (model.t - firm.entry_step) * model.dt < model.policy.subsidy.tax_holiday_years
    )
    if s < 1:
        extra = allocation(world, f, site, s) - e.branch_overhead
    else:
        extra = -e.relocation_loss
    return (1 - s) * home_m + s * (west_m + (local_tax if in_holiday else 0.0)) + extra


def allocation(world: World, f: FirmView, site: Site, share: float) -> float:
    """A branch's market-allocation gain at ``site`` (share of home output/year)."""
    mk = world.markets
    home_km = [mk.local_km, *mk.distances(f.lon, f.lat)]
    park_km = [distance_km(f.lon, f.lat, site.lon, site.lat), *site.markets]
    return mk.branch_allocation(f.sector, home_km, park_km, share)


def new_plant_share(model, firm) -> float:
    """Western share of a new plant: an expanding firm's lump of new capacity, else a branch."""
    lump = model.e.expansion_lump
    return lump / (1 + lump) if is_expanding(model, firm) else model.e.branch_share


# ---------------------------------------------------------------- utilities
def option_utilities(
    model, world: World, firm, slots: list[int], capital_rate: float | None = None
) -> list[float]:
    """Utility (logit units) of every option column; -inf where not allowed.

    Capital is charged at the hurdle rate, as the firm decides, or at ``capital_rate``
    (the cost of capital gives the measured gain).

    Columns: 0 stay, 1 go home, 2+k branch at slot k, 2+K+k move fully to slot k,
    2+2K move fully into the park of the firm's own branch. Margins now and at
    home are valued at this step's prices, like every other option.

    - staying: the margin now plus the firm's taste for its site;
    - going home (branch and relocated firms): the home margin; a relocated firm
      pays a move to bring its production back;
    - a branch (home firms): home and west margins weighted by the new plant's share,
      keeping the taste for the home site, less the overhead of two sites and the
      cost of moving that share (none for an expanding firm: it builds anyway);
    - a full move (not for expanding firms): the west margin less the lasting
      relocation loss and a full move;
    - a full move into its own branch park: its margin there, the relocation loss
      and the move of the share still at home.
    Every change costs the switching cost; the holiday rebate adds to new sites.
    Capacity built costs its capital and set-up as a level yearly charge (capital
    recovery at the discount rate over the horizon); an expanding firm pays for its new
    plant at home or in the west alike. Capacity moved out of a plant costs the set-up
    and the part of that plant's capital not yet recovered, less its salvage: staying
    would pay for the same new plant once the old one wears out.
    """
    e = model.e
    k_slots = len(slots)
    r, n = e.discount_rate, e.horizon_years
    c = e.hurdle_rate if capital_rate is None else capital_rate
    crf = c / (1 - (1 + c) ** -n) if c > 0 else 1 / n
    sw = e.switching_cost
    h = min(model.policy.subsidy.tax_holiday_years, n)
    holiday_share = (1 - (1 + r) ** -h) / (1 - (1 + r) ** -n) if r > 0 else min(1.0, h / n)
    capital = firm.capital_per_job / firm.output_per_job
    build = crf * (capital + e.move_cost)  # per share of output built
    life = e.plant_life_years

    def unrecovered(age: float) -> float:
        left = min(max(life - age, 0.0), life)
        return (1 - (1 + r) ** -left) / (1 - (1 + r) ** -life) if r > 0 else left / life

    def moved_out(age: float) -> float:  # per share of output moved out of a plant of that age
        return crf * e.move_cost + crf * (1 - e.salvage_share) * capital * unrecovered(age)

    net_home, net_west = moved_out(firm.home_plant_age), moved_out(firm.west_plant_age)
    state = firm.state
    expanding = is_expanding(model, firm)
    new_share = new_plant_share(model, firm)
    taste = float(model.firms.taste[firm.row])
    f = firm_view(model, world, firm)
    home_m = home_margin_now(model, world, firm)
    current = current_margin_now(model, world, firm, home_m) + taste

    u = [-math.inf] * (2 * k_slots + 3)
    u[0] = current - build * new_share if expanding else current
    if state == "branch":
        u[1] = home_m - net_west * firm.west_share - sw
    elif state == "relocated":
        u[1] = home_m - net_west - sw
    for k, park in enumerate(slots):
        if park < 0:
            continue
        site = world.sites[park]
        west_m, local_tax = west_margin(model, world, site, f)
        rebate = holiday_share * local_tax
        if state == "home":
            branch_m, branch_tax = west_margin(model, world, site, f, f.jobs * new_share)
            moving = (build if expanding else net_home) * new_share
            u[2 + k] = (
                (1 - new_share) * home_m
                + new_share * (branch_m + holiday_share * branch_tax)
                + allocation(world, f, site, new_share)
                + taste
                - e.branch_overhead
                - moving
                - sw
            )
        if not expanding:
            if state == "relocated":
                vacated = net_west
            elif state == "branch":
                vacated = (1 - firm.west_share) * net_home + firm.west_share * net_west
            else:
                vacated = net_home
            u[2 + k_slots + k] = west_m + rebate - e.relocation_loss - vacated - sw
    if state == "branch":
        own_m, _ = west_margin(model, world, world.sites[firm.park.row], f)
        u[2 + 2 * k_slots] = own_m - e.relocation_loss - net_home * (1 - firm.west_share) - sw
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


# ---------------------------------------------------------------- nested logit
def nested_choice(utilities: list[float], gumbel, nest_scale: float) -> tuple[int, float]:
    """(chosen column, taste in logit units) by a nested logit: stay, or the nest of changes.

    Gumbel draw 0 goes with staying, 1..J-1 with the changes, J with the nest. The
    best change is the one of highest u/λ plus its draw (first on ties); the nest is
    worth its inclusive value λ·log Σ exp(u/λ) over the allowed changes plus the nest
    draw, and is taken when that beats staying plus its draw. The taste is what
    the realised nest value (less the staying draw) exceeds the chosen change's utility by.
    """
    lam = max(nest_scale, 1e-6)
    n = len(utilities)
    best, best_value = 1, -math.inf
    scaled = []
    for column in range(1, n):
        x = utilities[column] / lam
        if x == -math.inf:
            continue
        scaled.append(x)
        if x + float(gumbel[column]) > best_value:
            best, best_value = column, x + float(gumbel[column])
    if not scaled:
        return 0, 0.0
    top = max(scaled)
    inclusive = lam * (top + math.log(sum(math.exp(x - top) for x in scaled)))
    change_value = inclusive + float(gumbel[n])
    if change_value > utilities[0] + float(gumbel[0]):
        return best, change_value - float(gumbel[0]) - utilities[best]
    return 0, 0.0


# ---------------------------------------------------------------- public entry points
def _reviewing_firms(model, shocks):
    for r, i in enumerate(shocks.reviewing):
        yield r, model.firm_agents[int(i)]


def reference_consideration_sets(model, shocks) -> list[list[int]]:
    """Candidate parks of every reviewing firm (slots, -1 empty), like ``consideration_sets``."""
    world = build_world(model)
    return [
        consideration_set(model, world, firm, shocks, r)
        for r, firm in _reviewing_firms(model, shocks)
    ]


def reference_option_utilities(model, shocks) -> list[list[float]]:
    """Option utilities (logit units) of every reviewing firm, like ``utilities``."""
    world = build_world(model)
    return [
        option_utilities(model, world, firm, consideration_set(model, world, firm, shocks, r))
        for r, firm in _reviewing_firms(model, shocks)
    ]


@dataclass
class Outcome:
    """One reviewing firm's choice."""

    firm: int
    new_state: int  # -1 to stay
    park: int  # -1 if none
    taste: float  # idiosyncratic advantage of the choice over staying (share of output)
    gain: float  # deterministic advantage of the choice over staying (share of output/year)
    expanding: bool


def reference_location_outcomes(model, shocks) -> list[Outcome]:
    """The choice of every reviewing firm, with its taste, gain and whether it was expanding."""
    world = build_world(model)
    scale = model.e.logit_scale
    out = []
    for r, firm in _reviewing_firms(model, shocks):
        slots = consideration_set(model, world, firm, shocks, r)
        utilities = option_utilities(model, world, firm, slots)
        column, taste = nested_choice(utilities, shocks.gumbel[r], model.e.nest_scale)
        new_state, park = decode_option(column, slots, firm)
        measured = option_utilities(model, world, firm, slots, model.e.discount_rate)
        out.append(
            Outcome(
                firm.row,
                new_state,
                park,
                scale * taste,
                scale * (measured[column] - measured[0]),
                is_expanding(model, firm),
            )
        )
    return out


def reference_location_choice(model, shocks) -> list[tuple[int, int, int]]:
    """(firm index, new state or -1 to stay, park or -1) of every reviewing firm."""
    return [(o.firm, o.new_state, o.park) for o in reference_location_outcomes(model, shocks)]


# ================================================================ labour market
class Pool:
    """One county's people as nested lists ``people[skill][mobility][status]`` and its inputs."""

    def __init__(self, inputs: dict, w: int):
        self.people = [
            [[float(inputs["people"][w, s, m, st]) for st in STATUSES] for m in MOBILITIES]
            for s in SKILLS
        ]
        self.wage = [float(inputs["wage"][w, s]) for s in SKILLS]
        self.prevailing = [float(inputs["prevailing_wage"][w, s]) for s in SKILLS]
        self.demand = [float(inputs["demand_park"][w, s]) for s in SKILLS]
        self.east_income = [float(inputs["east_income"][w, s]) for s in SKILLS]
        self.workshop_slots = float(inputs["workshop_slots"][w])
        self.service_demand = float(inputs["service_demand"][w])
        self.farm_income = float(inputs["farm_income"][w])
        self.median = self.farm_income * float(inputs["reservation_ratio"][w])
        self.migration_cost = float(inputs["migration_cost"][w])
        self.trainees_funded = float(inputs["trainees_funded"][w])
        rate = inputs["training_rate"]
        self.training_rate = float(
            rate if not hasattr(rate, "shape") or rate.shape == () else rate[w]
        )

    def total(self, skills, mobilities, status) -> float:
        return sum(self.people[s][m][status] for s in skills for m in mobilities)

    def move(self, s, m, src, dst, amount):
        self.people[s][m][src] -= amount
        self.people[s][m][dst] += amount

    def hire_from(self, cells, status, dst, want):
        """Move up to ``want`` persons from ``status`` in ``cells`` (skill, mobility) to ``dst``,
        proportionally."""
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
    """Workshops hire the immobile first, the not employed before willing farmers (all within
    reach)."""
    vacancies = max(pool.workshop_slots - pool.total(SKILLS, MOBILITIES, WORKSHOP), 0.0) * hire
    farm_ok = willing_farmers_share(workshop_wage, pool.median, e)
    hired = 0.0
    for m in (IMMOBILE, MOBILE):
        for status in (IDLE, FARM):
            share = 1.0 if status == IDLE else farm_ok
            want = min(vacancies - hired, pool.total(SKILLS, (m,), status) * share)
            hired += pool.hire_from([(s, m) for s in SKILLS], status, WORKSHOP, want)


def _hire_skill(pool: Pool, s: int, vacancies: float, farm_share: float) -> float:
    """Hire up to ``vacancies`` workers of skill ``s`` into parks: not employed, then the share
    ``farm_share`` of farmers."""
    hired = 0.0
    for status in (IDLE, FARM):
        share = 1.0 if status == IDLE else farm_share
        want = min(vacancies - hired, pool.total((s,), MOBILITIES, status) * share)
        hired += pool.hire_from([(s, m) for m in MOBILITIES], status, PARK, want)
    return hired


def _park_hiring(pool: Pool, hire: float, e) -> list[float]:
    """Park firms hire by skill; mid-skill seekers then take low-skill jobs left vacant (at the
    low wage).

    Returns the park jobs still vacant by job skill.
    """
    low_emp, mid_emp = pool.total((LOW,), MOBILITIES, PARK), pool.total((MID,), MOBILITIES, PARK)
    opening = [
        max(pool.demand[LOW] - low_emp - max(mid_emp - pool.demand[MID], 0.0), 0.0),
        max(pool.demand[MID] - mid_emp, 0.0),
    ]
    # both skills' shares are read before either hires (as the vectorised market does)
    shares = [reachable_share(pool.people, s, pool.wage[s], pool.median, e) for s in SKILLS]
    hired = [_hire_skill(pool, s, opening[s] * hire, shares[s]) for s in SKILLS]
    mid_at_low_wage = reachable_share(pool.people, MID, pool.wage[LOW], pool.median, e)
    hired[LOW] += _hire_skill(pool, MID, opening[LOW] * hire - hired[LOW], mid_at_low_wage)
    return [max(opening[s] - hired[s], 0.0) for s in SKILLS]


def _service_hiring(pool: Pool, hire: float, e):
    """Local service jobs take either skill at the low wage: the not employed, then willing
    farmers."""
    vacancies = max(pool.service_demand - pool.total(SKILLS, MOBILITIES, SERVICE), 0.0) * hire
    cells = [(s, m) for s in SKILLS for m in MOBILITIES]
    farmers = [pool.total((s,), MOBILITIES, FARM) for s in SKILLS]
    free = sum(
        reachable_share(pool.people, s, pool.wage[LOW], pool.median, e) * farmers[s] for s in SKILLS
    )
    farm_ok = min(free / sum(farmers), 1.0) if sum(farmers) > 0 else 0.0
    hired = 0.0
    for status in (IDLE, FARM):
        share = 1.0 if status == IDLE else farm_ok
        want = min(vacancies - hired, pool.total(SKILLS, MOBILITIES, status) * share)
        hired += pool.hire_from(cells, status, SERVICE, want)


def _park_pay(pool: Pool, s: int) -> float:
    """Mean pay of a park worker of skill ``s``: mid-skill workers beyond the mid-skill jobs earn
    the low wage."""
    if s == LOW:
        return pool.wage[LOW]
    employed = pool.total((MID,), MOBILITIES, PARK)
    in_low = min(max(employed - pool.demand[MID], 0.0), employed)
    share = in_low / employed if employed > 0 else 0.0
    return pool.wage[MID] - (pool.wage[MID] - pool.wage[LOW]) * share


def _migration_and_returns(pool: Pool, unfilled: list[float], e, steps_per_year: int):
    """Harris–Todaro: mobile stayers leave when the east pays more; migrants return as home pays
    better."""
    out_rate = per_step(e.migration_rate, steps_per_year)
    back_rate = per_step(e.return_rate, steps_per_year)
    for s in SKILLS:
        seekers = pool.total((s,), MOBILITIES, IDLE)
        p_local = unfilled[s] / max(unfilled[s] + seekers, 1.0)
        east_net = pool.east_income[s] - pool.migration_cost
        local_income = {
            FARM: pool.farm_income,
            PARK: _park_pay(pool, s),
            IDLE: pool.wage[s] * p_local,
            SERVICE: pool.wage[LOW],
        }
        for status in (FARM, PARK, IDLE, SERVICE):
            gap = east_net - local_income[status]
            share = out_rate * max(math.tanh(gap / e.migration_scale), 0.0)
            pool.move(s, MOBILE, status, MIGRANT, pool.people[s][MOBILE][status] * share)
        home_best = max(pool.farm_income, pool.wage[s] * max(p_local, 0.5))
        back = back_rate * (0.5 + 0.5 * math.tanh((home_best - east_net) / e.migration_scale))
        pool.move(
            s, MOBILE, MIGRANT, FARM, pool.people[s][MOBILE][MIGRANT] * back
        )  # returnees farm


def _idle_back_to_farming(pool: Pool, e, steps_per_year: int):
    drift = per_step(e.idle_to_farm, steps_per_year)
    for s in SKILLS:
        for m in MOBILITIES:
            pool.move(s, m, IDLE, FARM, pool.people[s][m][IDLE] * drift)


def _training(pool: Pool, steps_per_year: int):
    """Training moves low-skill residents (not migrants) to mid skill, in their status (jobs
    kept)."""
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
    """Each wage's premium over the prevailing wage moves part-way to the premium that clears the
    county's market: low, all local jobs against all residents who could hold one; mid, the jobs
    mid-skill residents hold or must fill against them."""
    step = per_step(e.wage_adjustment, steps_per_year)
    stock = [
        pool.total((s,), MOBILITIES, FARM)
        + pool.total((s,), MOBILITIES, PARK)
        + pool.total((s,), MOBILITIES, SERVICE)
        for s in SKILLS
    ]
    idle = [pool.total((s,), MOBILITIES, IDLE) for s in SKILLS]
    mid_jobs = max(pool.demand[MID], pool.total((MID,), MOBILITIES, PARK)) + pool.total(
        (MID,), MOBILITIES, SERVICE
    )
    markets = (
        (pool.demand[LOW] + pool.demand[MID] + pool.service_demand, sum(stock), sum(idle)),
        (mid_jobs, stock[MID], idle[MID]),
    )
    wage = []
    for s, (jobs, residents, seekers) in zip(SKILLS, markets, strict=True):
        short = jobs - seekers
        if residents > 0:
            need = short / max(residents, 1e-9)
        else:
            need = 1.0 if short > 0 else 0.0
        target = 0.0
        if need > 0:
            target = max(clearing_wage(need, pool.median, e) / pool.prevailing[s] - 1.0, 0.0)
        premium = pool.wage[s] / pool.prevailing[s] - 1.0
        premium += step * (target - premium)
        wage.append(pool.prevailing[s] * (1.0 + premium))
    wage[MID] = max(wage[MID], wage[LOW])
    return wage


def labour_pool_step(inputs: dict, w: int) -> tuple[list, list[float]]:
    """One step of the labour market of western county ``w``: (people nested lists, wages)."""
    e, steps_per_year = inputs["params"], inputs["steps_per_year"]  # e: the labour market's view
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

    ``inputs`` holds the arguments of ``sim.model.mechanisms.labour.labour_market`` by
    name. Returns (people (W, 2, 2, 5), wage (W, 2)) as numpy arrays.
    """
    people = np.zeros_like(np.asarray(inputs["people"], dtype=float))
    wage = np.zeros_like(np.asarray(inputs["wage"], dtype=float))
    for pool in model.labour_pools:
        people[pool.row], wage[pool.row] = labour_pool_step(inputs, pool.row)
    return people, wage
