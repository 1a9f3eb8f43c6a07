"""The phases of one step (docs/ODD.md §3), as functions of the model, in process order.

``TransferModel.PHASES`` lists them; ``TransferModel.step()`` runs them in that order
and so does anything else that runs a step (tests, benchmarks). Each phase reads and
writes the model's typed tables (``sim/model/state.py``) and calls its mechanisms
(``sim/model/mechanisms``); what one phase leaves for a later one is a typed hand-off
(``model.budget``, ``model.sites``, ``model.applications``, ``model.margins``,
``model.taxes``, ``model.costs``, ``model.last_choice``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model import metrics as metrics_mod
from sim.model.mechanisms import (
    accounts,
    costs,
    demography,
    enclave,
    government,
    labour,
    local_demand,
    local_economy,
    location,
    markets,
    matching,
    parks,
    production,
    skills,
    workshops,
)
from sim.model.mechanisms.labour import FARM, LOW, MOBILE, PARK, WORKSHOP
from sim.model.mechanisms.location import BRANCH, EXITED, HOME, RELOCATED
from sim.model.metrics import METRICS
from sim.model.state import (
    Applications,
    CostLines,
    FirmRows,
    FirmTable,
    LastChoice,
    Margins,
)

if TYPE_CHECKING:
    from sim.model.transfer import TransferModel


def csr(groups: np.ndarray, items: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Group ``items`` by ``groups`` into (ptr, items) compressed rows."""
    order = np.argsort(groups, kind="stable")
    counts = np.bincount(groups, minlength=n_groups)
    return np.r_[0, np.cumsum(counts)], items[order]


# ------------------------------------------------------------------ 1. costs drift
def drift_costs(m: TransferModel) -> None:
    """Exogenous trends: eastern wages, land and incomes, productivity, western wages and land."""
    e, p, dt, lab, f = m.e, m.prices, m.dt, m.labour, m.firms
    p.east_wage = costs.grow(p.east_wage, e.east_wage_growth, dt)
    # contribution floors are 60 % of the average wage, so they follow wages
    p.east_contribution_floor = costs.grow(p.east_contribution_floor, e.east_wage_growth, dt)
    p.west_contribution_floor = costs.grow(p.west_contribution_floor, e.west_wage_growth, dt)
    p.east_land = costs.grow(p.east_land, e.east_land_growth, dt)
    p.migrant_wage_east = costs.grow(p.migrant_wage_east, e.east_wage_growth, dt)
    p.east_income = costs.grow(p.east_income, e.east_wage_growth, dt)
    p.migration_cost = costs.grow(
        p.migration_cost, e.east_wage_growth, dt
    )  # living costs in the east
    # firm columns change in place: they stay in the buffers new firms are appended to
    costs.grow(f.output_per_job, e.productivity_growth, dt, out=f.output_per_job)
    # plant capital keeps its price relative to output (a constant capital-output ratio)
    costs.grow(f.capital_per_job, e.productivity_growth, dt, out=f.capital_per_job)
    p.capital_price = costs.grow(p.capital_price, e.productivity_growth, dt)
    # plants age; a worn-out home plant is rebuilt where it stands (eastern investment)
    costs.age(f.home_plant_age, dt, e.plant_life_years, out=f.home_plant_age)
    np.add(f.west_plant_age, dt, out=f.west_plant_age)
    f.west_plant_age[f.park < 0] = 0.0
    demography.drift_edges(m.rng, f.edge, f.state != EXITED, e.edge_volatility, dt)
    m.parks.land_cost = costs.grow(m.parks.land_cost, e.west_land_growth, dt)
    lab.prevailing = costs.grow(lab.prevailing, e.west_wage_growth, dt)
    # a county's wage keeps its premium over the prevailing wage as that grows (labour market)
    lab.wage = costs.grow(lab.wage, e.west_wage_growth, dt)
    lab.other_income = costs.grow(lab.other_income, e.west_wage_growth, dt)
    lab.farm_income = costs.grow(lab.farm_income, e.farm_income_growth, dt)
    p.workshop_wage = costs.grow(p.workshop_wage, e.west_wage_growth, dt)
    lab.workshop_sales0 = costs.grow(lab.workshop_sales0, e.west_wage_growth, dt)
    lab.transfer = costs.grow(
        lab.transfer, e.west_wage_growth, dt
    )  # transfers follow the economy too
    # the low-income line is indexed to the wider western economy, so growth alone does not empty it
    lab.low_income_line = costs.grow(lab.low_income_line, e.west_wage_growth, dt)


# ------------------------------------------------------------------ 2. governments act
def governments_act(m: TransferModel) -> None:
    """Eastern partners, enclave partners, western budgets, parks built, workshops and training,
    purchases."""
    _eastern_partners_act(m)
    _enclave_partners_act(m)
    _western_budgets(m)
    _build_parks(m)
    _invest(m)
    _consumption_cooperation(m)


def _eastern_partners_act(m: TransferModel) -> None:
    """Aid, promotion adapted to targets, governance gains."""
    e, pol, dt, c = m.e, m.policy, m.dt, m.counties
    pairing = pol.pairing.enabled
    if pairing:
        target = pol.pairing.target_firms_per_year * c.n_partners
        has = c.n_partners > 0
        c.adaptation = np.where(
            has,
            government.adapt_promotion(
                c.adaptation, c.landed.sum(axis=1), target, pol.pairing.target_adaptation, dt
            ),
            c.adaptation,
        )
        c.effort = np.where(has, pol.pairing.promotion * c.adaptation, 0.0)
        gain = accounts.governance_gain(pol.pairing.governance_gain, pol.pairing.cadres_per_county)
        c.friction = government.governance(c.friction, m.paired, gain, e.friction_east, dt)
    c.aid = np.where(m.paired & pairing, pol.pairing.aid_per_county, 0.0)


def _enclave_partners_act(m: TransferModel) -> None:
    """Enclave operators choose effort and co-investment for what they expect back (docs/ODD.md
    §7.12); their networks prompt firms to view their parks."""
    pol, pk, dt, c, f, e = m.policy.enclave, m.parks, m.dt, m.counties, m.firms, m.e
    on = pk.enclave
    pk.expected_compliance = np.where(
        on,
        enclave.learn_compliance(
            pk.expected_compliance, pol.compliance, pol.compliance_learning, dt
        ),
        1.0,
    )
    tax_per_firm = last_tax_per_tenant(m, on, pol.tax_per_firm_prior)
    value = enclave.value_per_firm(
        pol.tax_share_east,
        pk.expected_compliance,
        tax_per_firm,
        pol.operator_horizon_years,
        m.policy.subsidy.tax_holiday_years,
    )
    landings = pol.network_contacts_per_year * enclave.landing_share(
        pk.contacts, pk.contacts_landed, pol.landing_prior, pol.landing_prior_weight
    )
    room = enclave.landing_room(pk.capacity, pk.occupancy, pk.pipeline, m.cfg.run.steps_per_year)
    # only operators choose (parks are scored one by one); the other parks spend nothing
    rows = np.flatnonzero(on)
    choice = enclave.best_response(
        value[rows],
        landings[rows],
        room[rows],
        slots_per_yuan=1.0 / slot_cost(e),
        coinvest_max=pol.coinvest_per_park,
        fixed_cost=pol.operator_fixed_cost,
        effort_cost=pol.effort_cost,
    )
    for name, chosen in (
        ("partner_effort", choice.effort),
        ("coinvest", choice.coinvest),
        ("operator_return", choice.expected_return),
        ("operator_cost", choice.cost),
    ):
        column = np.zeros(on.size)
        column[rows] = chosen
        setattr(pk, name, column)
    pairing_effort = c.effort if m.policy.pairing.enabled else np.zeros(m.geo.n_counties)
    pk.promotion_effort = government.park_promotion_effort(
        pk.partner, pk.enclave, pairing_effort, pol.promotion_incentive * pk.partner_effort
    )
    if m.enclave_parks.size:
        at_home = np.flatnonzero((f.state == HOME) & (f.ready_step <= m.t) & (f.prompted < 0))
        prospects = enclave.sector_prospects(
            f.sector, location.in_west(f.state), f.state != EXITED, m.sectors.name.size
        )
        firms, parks_ = enclave.network_prompts(
            m.rng,
            pk.partner_effort[m.enclave_parks],
            m.enclave_parks,
            at_home,
            prospects[f.sector[at_home]],
            pol.network_contacts_per_year,
            dt,
        )
        f.prompted[firms] = parks_
        m.choices.network_prompts += firms.size


def _western_budgets(m: TransferModel) -> None:
    e, dt, c, geo = m.e, m.dt, m.counties, m.geo
    west = geo.is_west
    own = np.where(west, e.own_revenue_per_capita * geo.population, 0.0) * dt
    b = government.west_budgets(
        own,
        c.retained_tax * dt,
        c.aid * dt,
        c.subsidy_due * dt,
        c.debt,
        params=m.views.budgets,
        dt=dt,
    )
    b = government.Budget(**{k: np.where(west, v, 0.0) for k, v in vars(b).items()})
    c.debt = c.debt + b.borrowing - b.debt_service - b.repayment
    c.revenue = b.revenue / dt
    c.headroom, c.borrowing = b.headroom, b.borrowing
    c.spend_subsidy = b.subsidy / dt
    c.spend_infrastructure = b.infrastructure / dt
    c.spend_workshops = b.workshops / dt
    c.spend_training = b.training / dt
    c.spend_debt_service = b.debt_service / dt
    c.funding_ratio = np.where(west, b.funding_ratio, 1.0)
    m.budget = b


def slot_cost(e) -> float:
    """What one firm slot of serviced park land costs (yuan/slot): land per slot × serviced-land
    cost per mu."""
    return e.serviced_land_cost * e.land_per_slot


def _build_parks(m: TransferModel) -> None:
    """Park infrastructure: the county's heavy-asset investment plus enclave partners'
    co-investment (docs/ODD.md §7.2).

    A county first pays for the serviced land its parks need (those filling past
    ``park_fill_target``, where a tenant's retained tax over ``park_payback_years`` repays a
    slot); the rest of its infrastructure money raises its parks' quality, spread by capacity.
    An operator's co-investment buys slots in its own park. Slots come into use after
    park_build_years; quality rises with all the money spent.
    """
    e, dt, geo, pk, b = m.e, m.dt, m.geo, m.parks, m.budget
    cost = slot_cost(e)
    tax = last_tax_per_tenant(
        m, np.ones(pk.capacity.size, bool), m.policy.enclave.tax_per_firm_prior
    )
    kept = 1.0 - np.where(
        pk.enclave, m.policy.enclave.tax_share_east * m.policy.enclave.compliance, 0
    )
    pays = tax * kept * e.park_payback_years >= cost
    wanted = parks.slots_wanted(
        pk.capacity, pk.occupancy, pk.pipeline, pk.turned_away, e.park_fill_target
    )
    county_slots, slot_spend = parks.fund_slots(
        np.where(pays, wanted, 0.0), pk.county, b.infrastructure, cost
    )
    rest = b.infrastructure - np.bincount(pk.county, slot_spend, geo.n_counties)
    cap_by_county = np.bincount(pk.county, pk.capacity, geo.n_counties)
    invest = slot_spend + rest[pk.county] * pk.capacity / np.maximum(cap_by_county[pk.county], 1e-9)
    invest = invest + pk.coinvest * dt
    new_slots = county_slots + pk.coinvest * dt / cost
    pk.investment_cum = pk.investment_cum + invest
    pk.slots_ordered_cum = pk.slots_ordered_cum + new_slots
    pk.slot_spending_cum = pk.slot_spending_cum + slot_spend
    pk.capacity, pk.pipeline, pk.quality, pk.infra_cum = parks.grow(
        pk.capacity,
        pk.pipeline,
        pk.quality0,
        pk.infra_cum,
        invest,
        new_slots,
        half_investment=e.quality_half_investment,
    )


def _invest(m: TransferModel) -> None:
    """Village workshops and training."""
    e, dt, geo, lab, b = m.e, m.dt, m.geo, m.labour, m.budget
    west = geo.is_west
    books = workshops.step(
        lab.workshop_slots,
        b.workshops[west],
        working_age=lab.working_age,
        processing_purchases=lab.processing,
        wage=m.prices.workshop_wage,
        sales0=lab.workshop_sales0,
        params=m.views.workshops,
        dt=dt,
        steps_per_year=m.cfg.run.steps_per_year,
    )
    lab.workshop_slots, lab.workshops = books.slots, books
    m.counties.spend_workshops[west] = (
        books.build_spending + books.operating_subsidy
    )  # what was spent
    lab.trainees_funded = b.training[west] / max(e.training_cost, 1e-9)


def _consumption_cooperation(m: TransferModel) -> None:
    """Eastern purchases reach producers: farm sales of the farmers who sell, and processed goods.

    Spread over paired counties by their farmers. The processed share widens the
    village workshops' market; the rest raises the net farm income (volume and
    price) of the share ``seller_share`` of farmers who sell into the channels.
    """
    lab, cons = m.labour, m.policy.consumption
    farmers = lab.people[:, :, :, FARM].sum(axis=(1, 2))
    share = np.where(m.paired[m.geo.is_west], farmers, 0.0)
    share = share / share.sum() if share.sum() > 0 else share
    bought = cons.procurement_per_year * share
    # the workshops' market takes the processed purchases whole, as calibrated (workshops built
    # in 2023); additionality and the premium apply to farm sales
    lab.processing = bought * cons.processing_share
    farm_gain = bought * (1 - cons.processing_share) * consumption_farm_income(cons)
    lab.seller_bonus = farm_gain / np.maximum(farmers * cons.seller_share, 1.0)
    lab.farm_bonus = farm_gain / np.maximum(
        farmers, 1.0
    )  # the county mean, for farmers' job choices


def consumption_farm_income(cons) -> float:
    """Extra net farm income per yuan of farm procurement (share): the net income on additional
    sales, and the buyers' premium, which is net income to the seller."""
    return cons.additionality * cons.income_share + cons.premium_share


# ------------------------------------------------------------------ 3a. firm demography
def east_costs(m: TransferModel, shocked: bool = True) -> tuple[float, float]:
    """What a job costs an eastern firm now (yuan/job/year): (labour: the wage plus employer
    contributions on max(wage, floor), land). ``shocked``: times ``economy.east_cost_scale``, a
    cost shock that leaves output per job (set by the wage) unchanged."""
    p = m.prices
    labour_cost = costs.labour_cost(
        p.east_wage, p.east_contribution_rate, p.east_contribution_floor
    )
    scale = m.e.east_cost_scale if shocked else 1.0
    return labour_cost * scale, p.east_land * scale


def west_labour_cost(m: TransferModel) -> np.ndarray:
    """What a job costs a park firm in each western county, by skill (W, 2), yuan/job/year: the
    county's wage plus employer contributions on max(wage, floor)."""
    p = m.prices
    return costs.labour_cost(m.labour.wage, p.west_contribution_rate, p.west_contribution_floor)


def trained_labour_cost(m: TransferModel) -> np.ndarray:
    """:func:`west_labour_cost` per unit of a start-year job's output (W, 2): a county whose
    trained share of residents grew since the start gets more out of a low-skill job
    (:mod:`sim.model.mechanisms.skills`), which park firms weigh in their margins."""
    lab = m.labour
    factor = skills.low_job_cost_factor(
        skills.trained_share(lab.people), lab.trained0, m.views.skills
    )
    return skills.effective_labour_cost(west_labour_cost(m), factor)


def firm_draws(m: TransferModel, n: int) -> demography.FirmDraws:
    """``n`` new firms at home, drawn from the model's generator.

    Output per job follows the eastern wage; a firm's edge is set against the unshocked cost of
    a job, so ``economy.east_cost_scale`` lowers margins rather than being absorbed."""
    labour_cost, land = east_costs(m, shocked=False)
    return demography.draw_firms(
        m.rng,
        n,
        geo=m.geo,
        sectors=m.sectors,
        east_wage=m.prices.east_wage,
        east_land=land,
        east_labour_cost=labour_cost,
        home_base=m.home_sites.base,
        capital_price=m.prices.capital_price,
        params=m.views.firms,
    )


def draw_firms(m: TransferModel, n: int) -> FirmTable:
    """``n`` new firms at home, drawn from the model's generator."""
    return FirmTable.new(firm_draws(m, n), m.chain_master_jobs)


def firm_demography(m: TransferModel) -> None:
    """New firms enter the at-risk pool; firms' demand for capacity grows."""
    e, f, dt = m.e, m.firms, m.dt
    active = f.state != EXITED
    demography.grow_demand(f.backlog, f.growth, active, dt)
    n_new = demography.entrants(m.rng, int(active.sum()), e.entry_rate, dt)
    if n_new:
        f.append(draw_firms(m, n_new))
        m.choices.entered += n_new


# ------------------------------------------------------------------ 3b. firms choose
def west_sites(m: TransferModel) -> location.WestSites:
    """This step's park tables for the margins of western plants."""
    e, pk, lab, f, n_parks = m.e, m.parks, m.labour, m.firms, m.geo.n_parks
    n_sec = m.sectors.name.size
    w = np.flatnonzero(location.in_west(f.state))  # row numbers: one pass over all firms
    idx = f.park[w] * n_sec + f.sector[w]
    same = np.bincount(idx, minlength=n_parks * n_sec).reshape(n_parks, n_sec)
    chain = (
        np.bincount(idx, f.chain_master[w] & (f.state[w] == RELOCATED), n_parks * n_sec).reshape(
            n_parks, n_sec
        )
        > 0
    )
    avail = labour.available_workers(lab.people, lab.wage, reservation_median(m), m.views.labour)
    avail = np.maximum(avail - labour.open_jobs(lab.people, lab.demand), 0)
    discount = m.policy.subsidy.land_discount * m.counties.funding_ratio[pk.county]
    operator = enclave.operator_divisor(pk.partner_effort, m.policy.enclave.operator_efficiency)
    return location.west_sites(
        productivity=e.west_productivity * (1 - e.infra_weight * (1 - pk.quality)),
        place=m.park_place,
        wage=trained_labour_cost(m)[pk.county_w],
        available=avail[pk.county_w],
        land=pk.land_cost * (1 - discount),
        friction=m.counties.friction[pk.county] / operator,
        same_sector=same,
        chain_master=chain,
        sector_focus=pk.sector_focus,
        distance=m.distance,
        market_freight=m.park_freight,
        home_leg_per_km=m.home_leg,
        market_map=m.market_map,
        sectors=m.sectors,
        params=m.views.location,
    )


def book_margins(
    m: TransferModel, sites: location.WestSites, rows: np.ndarray | None = None
) -> Margins:
    """Each firm's after-tax margin at home and where it is now (steady state), at this step's
    prices; only the firms ``rows`` (row numbers) if given, the others keep theirs.

    Returns the western firms' margins, which taxes are computed from (with ``rows``, their
    positions among ``rows``).
    """
    e = m.e
    f = m.firms if rows is None else FirmRows(m.firms, rows)
    east_labour, east_land = east_costs(m)
    f.home_margin = location.home_margin(
        f.home,
        f.sector,
        f.output_per_job,
        f.edge,
        east_wage=east_labour,
        east_land=east_land,
        sites=m.home_sites,
        params=m.views.location,
    )
    in_west = np.flatnonzero(location.in_west(f.state))
    s = f.share[in_west]
    p = f.park[in_west]
    match = sites.match(f.key[in_west], p, m.views.location.site_match_sd)
    west_m, local_tax = location.west_margin(
        p,
        f.sector[in_west],
        f.home[in_west],
        f.output_per_job[in_west],
        f.edge[in_west],
        f.jobs[in_west] * s,
        match=match,
        mid_skill=m.sectors.mid_skill,
        sites=sites,
        params=m.views.location,
    )
    holiday = (f.entry_step[in_west] >= 0) & (
        (m.t - f.entry_step[in_west]) * m.dt < m.policy.subsidy.tax_holiday_years
    )
    two_sites = s < 1
    margin = f.home_margin.copy()
    margin[in_west] = (
        (1 - s) * f.home_margin[in_west]
        + s * (west_m + np.where(holiday, local_tax, 0.0))
        + np.where(two_sites, f.allocation[in_west], 0.0)
        - np.where(two_sites, e.branch_overhead, e.relocation_loss)
    )
    f.margin = np.where(f.state != EXITED, margin, 0.0)
    return Margins(in_west, s, p, west_m, holiday, match)


def _holiday_share(m: TransferModel) -> float:
    e = m.e
    return location.holiday_share(
        m.policy.subsidy.tax_holiday_years, e.horizon_years, e.discount_rate
    )


def _leave_parks(m: TransferModel, firms_idx: np.ndarray) -> None:
    np.subtract.at(m.parks.occupancy, m.firms.park[firms_idx], 1)
    m.firms.park[firms_idx] = -1


def _book_investment(m: TransferModel, firms_idx: np.ndarray, share_built: np.ndarray) -> None:
    """Investment is booked when a firm commits to a western plant (as the sources count
    到位投资): the plant capital its choice weighed (:func:`location.plant_capital`)."""
    f, pk = m.firms, m.parks
    amount = location.plant_capital(f.capital_per_job[firms_idx], f.jobs[firms_idx], share_built)
    np.add.at(pk.firm_investment_cum, f.park[firms_idx], amount)


def _western_capital(
    m: TransferModel,
    i: np.ndarray,
    new_state: np.ndarray,
    park: np.ndarray,
    expanding: np.ndarray,
    new_share: np.ndarray,
) -> np.ndarray:
    """Western plant capital (yuan) each reviewing firm's chosen option builds: a branch or an
    expansion plant its share, a full move what is not yet in that park; 0 to stay or go home."""
    f = m.firms
    jobs = f.jobs[i] * np.where(expanding, 1 + m.e.expansion_lump, 1.0)
    into_own = park == f.park[i]
    built = np.where(
        new_state == BRANCH,
        new_share,
        np.where(new_state == RELOCATED, np.where(into_own, 1 - f.share[i], 1.0), 0.0),
    )
    return location.plant_capital(f.capital_per_job[i], jobs, built)


def exit_steps(m: TransferModel) -> float:
    """Steps of sustained losses after which a firm exits (or its branch closes)."""
    return m.e.exit_after_years * m.cfg.run.steps_per_year


def prompted_slots(m: TransferModel) -> int:
    """Slots of a consideration set for the park an enclave operator prompted the firm to view:
    one where there are enclave parks, else none (so other runs draw as before)."""
    return 1 if m.enclave_parks.size else 0


def firms_choose(m: TransferModel) -> None:
    """Firms review their location (about once a year); growing home firms choose where to build."""
    e, f, t = m.e, m.firms, m.t
    settled = (f.state != EXITED) & (f.ready_step <= t)  # not while a plant is being built
    expanding_all = settled & (f.state == HOME) & (f.backlog >= e.expansion_lump)
    # firms an enclave operator prompted review now, with its park in view
    prompted = settled & (f.state == HOME) & (f.prompted >= 0)
    # a firm whose losses would close it at this step's end looks for a site that pays first
    distressed = settled & (f.loss_steps + 1 >= exit_steps(m))
    n_prompted = prompted_slots(m)
    shocks = location.draw_shocks(
        m.rng,
        settled,
        min(e.review_per_year * m.dt, 1.0),
        n_promoted=e.n_promoted,
        n_enclave=e.n_enclave,
        n_word_of_mouth=e.n_word_of_mouth,
        n_random=e.n_random,
        n_prompted=n_prompted,
        always=expanding_all | prompted | distressed,
    )
    m.sites = sites = west_sites(m)
    # staying is valued at this step's prices, like every other option (the others' margins are
    # booked again after production, before anything reads them)
    book_margins(m, sites, shocks.reviewing)
    in_west = np.flatnonzero(location.in_west(f.state))
    wom_ptr, wom_park = csr(f.sector[in_west], f.park[in_west], m.sectors.name.size)
    park_open = parks.free_slots(m.parks.capacity, m.parks.occupancy) > 0
    cand = location.consideration_sets(
        shocks,
        home=f.home,
        sector=f.sector,
        own_park=f.park,
        promo_ptr=m.promo_ptr,
        promo_park=m.promo_park,
        enclave_parks=m.enclave_parks,
        wom_ptr=wom_ptr,
        wom_park=wom_park,
        park_effort=m.parks.promotion_effort,
        park_open=park_open,
        n_parks=m.geo.n_parks,
        awareness=e.awareness,
        prompted=f.prompted,
    )
    if n_prompted:  # an operator's contacts: prompted firms that review with its park in view
        p = f.prompted[shocks.reviewing]
        viewed = (p >= 0) & (cand == p[:, None]).any(axis=1)
        np.add.at(m.parks.contacts, p[viewed], 1)
    expanding = expanding_all[shocks.reviewing]
    lump = e.expansion_lump
    new_share = np.where(expanding, lump / (1 + lump), e.branch_share)
    i, new_state, park, taste, gain = location.choose_locations(
        shocks,
        f,
        sites,
        cand,
        home_m_all=f.home_margin,
        current_all=f.margin + f.taste,
        holiday_share=_holiday_share(m),
        mid_skill=m.sectors.mid_skill,
        expanding=expanding,
        new_share=new_share,
        params=m.views.location,
    )
    m.last_choice = LastChoice(
        shocks=shocks,
        candidates=cand,
        firms=i,
        new_state=new_state,
        park=park,
        gain=gain,
        expanding=expanding,
        capital=_western_capital(m, i, new_state, park, expanding, new_share),
    )
    moved = new_state >= 0
    ch = m.choices
    # expanding firms build their new plant at home unless they chose a western park
    grow_home = expanding & ~moved
    f.jobs[i[grow_home]] *= 1 + lump
    f.home_plant_age[i[grow_home]] /= 1 + lump  # the new capacity is new
    f.backlog[i[grow_home]] = 0.0  # one turned away by a full park tries again
    ch.expansions_home += int(grow_home.sum())
    # closing a branch, moving back home or fully into one's own branch park needs no admission
    home = new_state == HOME
    f.home_plant_age[i[home]] *= 1 - f.share[i[home]]  # what comes home is rebuilt new
    _leave_parks(m, i[home])
    f.state[i[home]], f.share[i[home]] = HOME, 0.0
    own = (new_state == RELOCATED) & (park == f.park[i])
    _book_investment(m, i[own], 1 - f.share[i[own]])
    f.west_plant_age[i[own]] *= f.share[i[own]]
    f.state[i[own]], f.share[i[own]] = RELOCATED, 1.0
    f.taste[i[home | own]] = taste[home | own]
    ch.count_moves(gain[home | own])
    apply = moved & ~home & ~own
    m.applications = Applications(
        i[apply],
        park[apply],
        new_state[apply],
        taste[apply],
        np.where(expanding[apply], new_share[apply], -1.0),
        gain[apply],
    )


# ------------------------------------------------------------------ 4. parks admit
def parks_admit(m: TransferModel) -> None:
    """Parks admit applicants while slots last; admitted firms build their western plant."""
    f, pk, e, a = m.firms, m.parks, m.e, m.applications
    ok = parks.admit(a.park, m.rng.random(a.park.size), parks.free_slots(pk.capacity, pk.occupancy))
    pk.turned_away = np.bincount(a.park[~ok], minlength=pk.capacity.size).astype(float)
    m.choices.count_moves(a.gain[ok])
    firm, park, state, expansion = a.firm[ok], a.park[ok], a.state[ok], a.expansion[ok]
    f.taste[firm] = a.taste[ok]
    _leave_parks(
        m, firm[f.park[firm] >= 0]
    )  # a branch, or a relocated firm moving on, leaves its park
    np.add.at(pk.occupancy, park, 1)
    f.park[firm] = park
    is_exp = expansion >= 0
    f.jobs[firm[is_exp]] *= 1 + e.expansion_lump
    f.backlog[firm[is_exp]] = 0.0
    f.expanded_west[firm[is_exp]] = True
    f.share[firm] = np.where(state == RELOCATED, 1.0, np.where(is_exp, expansion, e.branch_share))
    two_sites = f.share[firm] < 1
    f.allocation[firm] = np.where(
        two_sites,
        markets.branch_allocation_gain(
            m.market_map, f.home[firm], park, f.sector[firm], f.share[firm], m.distance
        ),
        0.0,
    )
    f.state[firm] = state
    f.entry_step[firm] = m.t
    f.west_plant_age[firm] = 0.0
    f.loss_steps[firm] = 0  # a firm that has just committed to a plant judges it afresh
    f.ready_step[firm] = m.t + int(round(e.plant_build_years * m.cfg.run.steps_per_year))
    _book_investment(m, firm, f.share[firm])  # a new site is built in full, wherever it was before
    f.ever_west[firm] = True
    ch = m.choices
    ch.expansions_west += int(is_exp.sum())
    ch.landed = np.roll(ch.landed, 1)
    ch.landed[0] = firm.size
    # eastern cadres count firms from their county landing in their partner's parks
    c = m.counties
    c.landed = np.roll(c.landed, 1, axis=1)
    c.landed[:, 0] = 0
    to_partner = pk.partner[park] == f.home[firm]
    np.add.at(c.landed[:, 0], f.home[firm[to_partner]], 1)
    if m.enclave_parks.size:
        _enclave_landings(m, firm, park)


def _enclave_landings(m: TransferModel, firm: np.ndarray, park: np.ndarray) -> None:
    """Operators count the contacts that landed in their parks; prompts last one choice; chain
    masters landing in enclave parks prompt same-sector firms of their home county."""
    f, pk = m.firms, m.parks
    via = f.prompted[firm] == park
    np.add.at(pk.contacts_landed, park[via], 1)
    f.prompted[:] = -1
    master = f.chain_master[firm] & pk.enclave[park]
    firms, parks_ = enclave.chain_prompts(
        m.rng,
        f.home[firm[master]],
        f.sector[firm[master]],
        park[master],
        pk.partner_effort,
        m.policy.enclave.chain_follow_share,
        home=f.home,
        sector=f.sector,
        candidates=np.flatnonzero(f.state == HOME),
        n_counties=m.geo.n_counties,
        n_sectors=m.sectors.name.size,
    )
    f.prompted[firms] = parks_
    m.choices.chain_prompts += firms.size


# ------------------------------------------------------------------ 5. labour market
def reservation_median(m: TransferModel) -> np.ndarray:
    """Each western county's median reservation wage for a local job (W,), yuan/year: farm
    earnings (with the consumption gain) × the county's reservation ratio."""
    lab = m.labour
    return (lab.farm_income + lab.farm_bonus) * lab.reservation_ratio


def last_tax_per_tenant(m: TransferModel, parks_on: np.ndarray, prior: float) -> float:
    """Locally retained tax of a tenant of the parks ``parks_on`` (bool by park) at full output,
    from the last step's margins and taxes (yuan/firm/year; ``prior`` until one produces)."""
    w, taxes = m.margins, m.taxes
    producing = m.producing_share(w.firms, m.t - 1)
    local_tax = taxes.west + taxes.east + taxes.rebated
    return enclave.tax_per_tenant(local_tax, producing, parks_on[w.park], prior)


def migrant_income(m: TransferModel) -> np.ndarray:
    """What a migrant expects in the east (W, skill), yuan/year: wage × job-finding probability.

    Mid-skill migrants earn the western mid/low wage ratio more; job matching raises the
    job-finding probability of its participants (a county's mean, by the share taking part).
    """
    lab = m.labour
    reach = matching.coverage(lab.matching_participants, matching_eligible(m))
    find = np.minimum(m.e.east_job_finding * (1 + m.policy.labour.matching_gain * reach), 1.0)
    wage = m.labour.wage
    return m.prices.migrant_wage_east * (wage / wage[:, :1]) * find[:, None]


def matching_eligible(m: TransferModel) -> np.ndarray:
    """Workers the matching programme may serve (W,), persons: every mobile worker (migrants
    included)."""
    return m.labour.people[:, :, MOBILE].sum(axis=(1, 2))


def park_demand(m: TransferModel) -> np.ndarray:
    """Park jobs the western plants hold now, by county and skill (W, 2), persons."""
    f = m.firms
    in_west = np.flatnonzero(location.in_west(f.state))
    return production.labour_demand(
        m.parks.county_w[f.park[in_west]],
        f.jobs[in_west] * m.producing_share(in_west),
        m.sectors.mid_skill[f.sector[in_west]],
        m.geo.n_west,
    )


def labour_market(m: TransferModel) -> None:
    """Park jobs by county and skill meet the western labour pools; the channels' costs are
    booked."""
    e, lab, pol, geo = m.e, m.labour, m.policy, m.geo
    lab.demand = park_demand(m)
    paired = m.paired[geo.is_west]
    lab.matching_participants = matching.participants(
        pol.labour.matching_budget,
        pol.labour.matching_cost_per_participant,
        matching_eligible(m),
        paired,
    )
    lab.east_income = migrant_income(m)
    moving = np.maximum(e.moving_cost - pol.labour.migration_support * paired, 0.0)
    cost = m.prices.migration_cost + moving / e.migration_horizon
    rate = np.where(paired, pol.labour.training_rate, 0.0)
    # local employers' jobs at today's wage, plus the jobs park and workshop wages create
    lab.service_demand = local_economy.local_employer_jobs(
        lab.local_jobs0, lab.wage[:, LOW], lab.prevailing[:, LOW], e.local_demand_elasticity
    ) + local_demand.service_demand(
        labour.by_skill(lab.people, PARK).sum(axis=1),
        lab.people[..., WORKSHOP].sum(axis=(1, 2)),
        m.prices.workshop_wage,
        lab.wage[:, LOW],
        e.service_multiplier,
    )
    lab.people, lab.wage, lab.flows = labour.labour_market(
        lab.people,
        lab.wage,
        prevailing_wage=lab.prevailing,
        demand_park=lab.demand,
        workshop_slots=lab.workshop_slots,
        workshop_wage=m.prices.workshop_wage,
        service_demand=lab.service_demand,
        farm_income=lab.farm_income + lab.farm_bonus,
        reservation_ratio=lab.reservation_ratio,
        east_income=lab.east_income,
        migration_cost=cost,
        trainees_funded=lab.trainees_funded,
        training_rate=rate,
        params=m.views.labour,
        steps_per_year=m.cfg.run.steps_per_year,
    )
    _book_costs(m)


def _book_costs(m: TransferModel) -> None:
    """Every channel's cost line this step, eastern and western accounts (yuan/year)."""
    pol, c, lab, geo, dt = m.policy, m.counties, m.labour, m.geo, m.dt
    west = geo.is_west
    paired_w = m.paired[west]
    n_paired = float(m.paired.sum())
    flows = lab.flows
    assert flows is not None, "the labour market runs before the costs are booked"
    east = accounts.east_lines(
        pairing=pol.pairing,
        labour=pol.labour,
        consumption=pol.consumption,
        n_paired=n_paired,
        effort_by_partner=float((c.effort * c.n_partners)[~west].sum()),
        landed_per_year=float(c.landed[:, 0].sum()) / dt,
        migrated_paired_per_year=float(flows.migrated[paired_w].sum()) / dt,
        matching_participants=float(lab.matching_participants.sum()),
        trained_per_year=float(flows.trained_by_rate.sum()) / dt,
        training_cost=m.e.training_cost,
        enclave_coinvest=float(m.parks.coinvest.sum()),
        enclave_operation=float((m.parks.operator_cost - m.parks.coinvest).sum()),
    )
    operating = float(lab.workshops.operating_subsidy.sum()) if lab.workshops is not None else 0.0
    m.costs = CostLines(
        east,
        accounts.west_lines(
            c, west, pairing=pol.pairing, n_paired=n_paired, workshop_operating=operating
        ),
        accounts.west_memo(c, west),
    )


# ------------------------------------------------------------------ 6. production, taxes, incomes
def west_productivity(sites: location.WestSites, w: Margins) -> np.ndarray:
    """Output per job of western firms ``w``'s plants relative to home (ratio): the park's
    productivity times the firm's match with its prefecture, as the firm weighed it."""
    return sites.productivity[w.park] * w.match


def produce_and_pay(m: TransferModel) -> None:
    """Margins, sustained losses (closures and exits), park firms' taxes, household incomes."""
    e, f, pk, c, geo, pol = m.e, m.firms, m.parks, m.counties, m.geo, m.policy
    active = f.state != EXITED
    sites = west_sites(m)
    w = book_margins(m, sites)
    # sustained losses close a branch whose home site still pays, and end any other firm;
    # judged on the value of the site (margin plus taste), as in the location choice
    f.loss_steps = demography.sustained_losses(f.loss_steps, f.margin + f.taste, active)
    ending = active & (f.loss_steps >= exit_steps(m))
    close, exits = demography.losses_end(ending, f.state == BRANCH, f.home_margin)
    _leave_parks(m, close)
    f.state[close], f.share[close], f.taste[close], f.loss_steps[close] = HOME, 0.0, 0.0, 0
    f.margin[close] = f.home_margin[close]
    m.choices.branch_closures += close.size
    _leave_parks(m, exits[f.park[exits] >= 0])
    f.state[exits], f.margin[exits] = EXITED, 0.0
    w = m.margins = w.keep(location.in_west(f.state[w.firms]))
    # taxes of park firms (yuan/year), on what their western plants produce now
    produced = m.producing_share(w.firms)
    home_output = f.jobs[w.firms] * f.output_per_job[w.firms]
    west_output = produced * home_output * west_productivity(sites, w)
    pre = np.where(w.west > 0, w.west / (1 - e.cit_rate_west), w.west)
    m.taxes = taxes = production.park_taxes(
        west_output,
        pre * produced * home_output,
        w.holiday,
        pk.enclave[w.park],
        tax_share_east=pol.enclave.tax_share_east,
        compliance=pol.enclave.compliance,
        rates=m.views.taxes,
    )
    n = geo.n_counties
    c.retained_tax, c.rebated, c.enclave_revenue = production.park_tax_accounts(
        taxes, w.park, pk.county, pk.partner, n
    )
    promised = pol.subsidy.land_discount * pk.land_cost[w.park] * produced * f.jobs[w.firms]
    c.subsidy_due = np.bincount(pk.county[w.park], promised, n)
    c.fiscal_cost = (
        c.subsidy_due * c.funding_ratio
    )  # cash; the rebate is already out of retained_tax
    # household incomes
    lab = m.labour
    pay = labour.park_pay(lab.people, lab.demand, lab.wage)
    pay = skills.trained_pay(
        pay,
        lab.people,
        lab.demand,
        lab.wage,
        skills.trained_share(lab.people),
        lab.trained0,
        m.views.skills,
    )
    inc = production.person_incomes(
        pay,
        lab.wage[:, LOW],
        lab.farm_income + lab.farm_bonus,
        m.prices.workshop_wage,
        lab.east_income,
    )
    h = production.household_incomes(
        lab.people,
        inc,
        lab.inactive,
        transfer_per_capita=lab.transfer,
        remittance_share=e.remittance_share,
        low_income_line=lab.low_income_line,
        farm_sigma=e.farm_income_sigma,
        farm_base=lab.farm_income,
        seller_bonus=lab.seller_bonus,
        seller_share=pol.consumption.seller_share,
        other_income=lab.other_income,
        population=lab.residents(),
    )
    lab.income_pc, lab.low_income, lab.income_total, lab.income_by_type = h


# ------------------------------------------------------------------ 7. record
def advance_clock(m: TransferModel) -> None:
    """The step's changes are done: the clock moves on, so the record is of the step's end."""
    m.t += 1


def record(m: TransferModel) -> None:
    """One row of the run's history and of the per-county history (the run's one store)."""
    m.metrics = row = metrics_mod.model_metrics(m)
    for k in METRICS:
        m.history[k][m.t] = row[k]
    metrics_mod.region_metrics(m, m.region_history, m.t)
