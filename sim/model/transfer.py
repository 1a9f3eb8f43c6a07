"""TransferModel: the East–West industrial transfer model (DESIGN §2–3).

State lives in columnar numpy tables (``model.firms``, ``model.parks``,
``model.counties``, ``model.labour``); the Mesa agents are handles to their
rows. ``step()`` is the process of DESIGN §3, one mechanism per line.
"""

from __future__ import annotations

import logging
from types import SimpleNamespace

import mesa
import numpy as np

from sim.model import metrics as metrics_mod
from sim.model.agents import CountyGovernment, EasternFirm, LabourPool, WesternPark
from sim.model.mechanisms import (
    accounts,
    costs,
    demography,
    enclave,
    government,
    labour,
    local_demand,
    location,
    markets,
    parks,
    production,
    workshops,
)
from sim.model.mechanisms.labour import (
    FARM,
    IMMOBILE,
    LOW,
    MID,
    MIGRANT,
    MOBILE,
    N_STATUS,
    PARK,
    WORKSHOP,
)
from sim.model.mechanisms.location import BRANCH, EXITED, HOME, RELOCATED
from sim.model.metrics import METRICS, REGION_METRICS, region_side
from sim.params.schema import Config, validate
from sim.world import geography as geography_mod
from sim.world import groups

logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs each step at INFO


def as_config(config=None) -> Config:
    """A :class:`Config` from None (defaults), a Config, or a Hydra/OmegaConf config."""
    if config is None:
        return Config()
    if isinstance(config, Config):
        return config
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    from sim.params.schema import ConfigError

    try:
        if OmegaConf.get_type(config) is not Config:  # Hydra's configs are typed by the schema already
            config = OmegaConf.merge(OmegaConf.structured(Config), config)
        return OmegaConf.to_object(config)
    except OmegaConfBaseException as err:
        raise ConfigError(f"Invalid configuration: {str(err).strip().splitlines()[0]}") from None


def _csr(groups: np.ndarray, items: np.ndarray, n_groups: int):
    """Group ``items`` by ``groups`` into (ptr, items) compressed rows."""
    order = np.argsort(groups, kind="stable")
    counts = np.bincount(groups, minlength=n_groups)
    return np.r_[0, np.cumsum(counts)], items[order]


class TransferModel(mesa.Model):
    """Agent-based model of industrial transfer from eastern to western China.

    ``TransferModel()`` runs with defaults (Shanghai–Yunnan, baseline policy).
    Pass a config (``sim.params.schema.Config`` or a Hydra config), optionally a
    prepared :class:`~sim.world.geography.Geography`, and ``rng`` to override the seed.
    """

    def __init__(self, config=None, geography: geography_mod.Geography | None = None, rng=None):
        cfg = as_config(config)
        validate(cfg)  # the same range checks as the command line, whatever the caller passed
        super().__init__(rng=cfg.run.seed if rng is None else rng)
        self.cfg = cfg
        self.e = cfg.economy
        self.policy = cfg.policy
        self.dt = 1.0 / cfg.run.steps_per_year
        self.n_steps = cfg.run.years * cfg.run.steps_per_year
        self.t = 0
        self.geo = geography if geography is not None else geography_mod.build(cfg.geography, self.rng)
        self.sectors = geography_mod.load_sectors()
        self._init_prices()
        self._init_counties()
        self._init_parks()
        self._init_firms()
        self._init_labour()
        self._init_record()
        self._create_agents()
        self._produce_and_pay()  # margins, taxes and incomes of the starting state
        self._record()

    # ------------------------------------------------------------------ set-up
    def _init_prices(self):
        ec, e = self.geo.economy, self.e
        self.prices = SimpleNamespace(
            east_wage=ec["east_wage"] * e.east_wage_scale,
            east_land=ec["east_land_cost"],
            migrant_wage_east=ec["migrant_wage_east"] * e.east_wage_scale,
            east_income=ec["east_income_per_capita"],
            migration_cost=e.migration_cost,
            workshop_wage=e.workshop_wage,
        )

    def _init_counties(self):
        geo, e, pol = self.geo, self.e, self.policy
        n = geo.n_counties
        west = geo.is_west
        self.paired = west & (geo.partner >= 0)
        self.key_county = groups.key_counties(geo)
        pairing = pol.pairing.enabled
        self.counties = SimpleNamespace(
            friction=np.where(west, e.friction_west, e.friction_east),
            debt=np.zeros(n), revenue=np.zeros(n), retained_tax=np.zeros(n), enclave_revenue=np.zeros(n),
            rebated=np.zeros(n), subsidy_due=np.zeros(n), fiscal_cost=np.zeros(n),
            spend_subsidy=np.zeros(n), spend_infrastructure=np.zeros(n), spend_workshops=np.zeros(n),
            spend_training=np.zeros(n), spend_debt_service=np.zeros(n), borrowing=np.zeros(n), headroom=np.zeros(n),
            funding_ratio=np.ones(n),
            adaptation=np.ones(n),
            effort=np.where(~west & pairing, pol.pairing.promotion, 0.0),
            landed=np.zeros((n, self.cfg.run.steps_per_year)),  # firms landed in partner parks, last year by step
            n_partners=np.bincount(geo.partner[self.paired], minlength=n).astype(float),
            aid=np.zeros(n),
        )
        self.east_costs = dict.fromkeys(accounts.EAST_LINES, 0.0)
        self.west_costs = dict.fromkeys(accounts.WEST_LINES, 0.0)

    def _init_parks(self):
        geo, e, pol = self.geo, self.e, self.policy
        enclave = geo.park_co_built & pol.enclave.enabled
        partner = geo.partner[geo.park_county]
        self.parks = SimpleNamespace(
            name=geo.park_name, county=geo.park_county, county_w=geo.park_county - geo.n_east,
            capacity=geo.park_capacity.astype(float).copy(), occupancy=np.zeros(geo.n_parks, np.int64),
            land_cost=np.full(geo.n_parks, geo.economy["west_land_cost"] * e.west_land_scale),
            quality0=np.full(geo.n_parks, e.park_quality), quality=np.full(geo.n_parks, e.park_quality),
            infra_cum=np.zeros(geo.n_parks), investment_cum=np.zeros(geo.n_parks),
            firm_investment_cum=np.zeros(geo.n_parks),
            enclave=enclave, partner=partner, sector_focus=geo.park_sector, co_built=geo.park_co_built,
            # the enclave contract: the partner's expected compliance, effort (0-1) and co-investment (yuan/year)
            expected_compliance=np.ones(geo.n_parks), partner_effort=np.zeros(geo.n_parks),
            coinvest=np.zeros(geo.n_parks),
            # firm slots under construction, arriving after park_build_years (one column per step)
            pipeline=np.zeros((geo.n_parks, max(int(round(e.park_build_years * self.cfg.run.steps_per_year)), 1))),
        )
        # promotion reaches a firm through its home county's partner parks (pairing) and enclave brands
        promoted = np.flatnonzero((partner >= 0) & pol.pairing.enabled)
        self.promo_ptr, self.promo_park = _csr(partner[promoted], promoted, geo.n_counties)
        self.enclave_parks = np.flatnonzero(enclave)
        # km from each eastern county (a firm's home market) to each park, computed once
        east = np.arange(geo.n_east)
        self.distance = location.distance_km(geo.lon[east, None], geo.lat[east, None],
                                             geo.lon[geo.park_county][None, :], geo.lat[geo.park_county][None, :])
        self._init_markets()

    def _init_markets(self):
        """Freight to the national, western and export markets from every home site and park (fixed)."""
        geo, sec, mk = self.geo, self.sectors, self.geo.markets
        per_km = markets.freight_per_km(self.e.freight_rate, sec.value_density)
        west_pop = geo.population * geo.is_west
        west_centre = mk.west or (float(np.average(geo.lon, weights=west_pop)), float(np.average(geo.lat, weights=west_pop)))
        east = np.arange(geo.n_east)
        pc = geo.park_county
        home_dist = markets.market_distances(geo.lon[east], geo.lat[east], mk.national, west_centre, mk.gateways)
        park_dist = markets.market_distances(geo.lon[pc], geo.lat[pc], mk.national, west_centre, mk.gateways)
        self.home_sites = location.home_sites(home_dist, mk.local_km, sec.markets, per_km, self.e)
        self.park_freight = markets.freight_beyond_home(park_dist, sec.markets, per_km)
        self.home_leg = markets.home_leg(sec.markets, per_km)
        self.market_map = markets.MarketMap(
            home_km=np.column_stack([np.full(geo.n_east, mk.local_km), home_dist]), park_km=park_dist,
            per_km=per_km, mix=sec.markets)

    def _init_firms(self):
        e = self.e
        new = self._draw_firms(self.cfg.geography.n_firms)
        # a chain master leads by size: the largest firms of the starting pool, and entrants as large
        self.chain_master_jobs = np.quantile(new.jobs, 1 - e.chain_master_share) if e.chain_master_share > 0 else np.inf
        chain = new.jobs >= self.chain_master_jobs
        self.firms = SimpleNamespace(**{**vars(new), **self._blank_firm_state(new.taste)}, chain_master=chain)
        self.applications = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64),
                             np.zeros(0), np.zeros(0), np.zeros(0))
        self.choices = SimpleNamespace(moves=0, paying=0, gain_sum=0.0, landed=np.zeros(self.cfg.run.steps_per_year),
                                       expansions_west=0, expansions_home=0, entered=0, branch_closures=0)

    def _draw_firms(self, n: int) -> SimpleNamespace:
        return demography.draw_firms(self.rng, n, self.geo, self.sectors, self.prices.east_wage, self.prices.east_land,
                                     self.home_sites.base, self.e)

    def _blank_firm_state(self, home_taste: np.ndarray) -> dict:
        """Location state of new firms that produce only at home, with their taste for it."""
        n = home_taste.size
        return dict(
            state=np.zeros(n, np.int64), park=np.full(n, -1, np.int64), share=np.zeros(n),
            allocation=np.zeros(n),  # freight a branch saves by serving its nearest markets (fixed while it stays)
            entry_step=np.full(n, -1, np.int64), ready_step=np.full(n, -1, np.int64),
            loss_steps=np.zeros(n, np.int64), backlog=np.zeros(n), expanded_west=np.zeros(n, bool),
            ever_west=np.zeros(n, bool), margin=np.zeros(n), home_margin=np.zeros(n),
            taste=home_taste,  # persistent idiosyncratic value of the current site (share of output)
        )

    def _init_labour(self):
        geo, e = self.geo, self.e
        ec = geo.economy
        working_age = geo.population[geo.is_west] * ec["working_age_share"]
        wpop = working_age * (1 - e.inactive_share)  # the labour force: the inactive stay outside the pools
        nw = wpop.size
        mig = np.minimum(geo.migrant_share[geo.is_west], ec["mobile_share"])
        mid = ec["mid_skill_share"]
        people = np.zeros((nw, 2, 2, N_STATUS))
        for skill, s_share in ((LOW, 1 - mid), (MID, mid)):
            mobile = wpop * s_share * ec["mobile_share"]
            immobile = wpop * s_share * (1 - ec["mobile_share"])
            people[:, skill, MOBILE, MIGRANT] = wpop * s_share * mig
            rest_m = mobile - people[:, skill, MOBILE, MIGRANT]
            people[:, skill, MOBILE, labour.IDLE] = rest_m * e.idle_share
            people[:, skill, MOBILE, labour.FARM] = rest_m * (1 - e.idle_share)
            people[:, skill, IMMOBILE, labour.IDLE] = immobile * e.idle_share
            people[:, skill, IMMOBILE, labour.FARM] = immobile * (1 - e.idle_share)
        wage0 = np.array([ec["west_wage_low"], ec["west_wage_mid"]]) * e.west_wage_scale
        self.labour = SimpleNamespace(
            people=people,
            wage=np.tile(wage0, (nw, 1)), prevailing=np.tile(wage0, (nw, 1)),
            working_age=working_age, inactive=working_age - wpop,
            workshop_slots=np.zeros(nw), trainees_funded=np.zeros(nw),
            workshop_sales0=e.workshop_sales_per_job, workshops=None, processing=np.zeros(nw),
            service_demand=np.zeros(nw),
            farm_income=np.full(nw, ec["farm_income"]), farm_bonus=np.zeros(nw), seller_bonus=np.zeros(nw),
            transfer=ec["west_transfer_per_capita"], low_income_line=e.low_income_line,
            income_pc=np.zeros(nw), low_income=np.zeros(nw), flows=None, demand=np.zeros((nw, 2)),
            income_by_type=np.zeros((nw, 2, 2)),
        )
        self.east_income = self._migrant_income()
        self.east_labour_spending = 0.0

    def _create_agents(self):
        geo = self.geo
        self.county_agents = [CountyGovernment(self, i) for i in range(geo.n_counties)]
        self.park_agents = [WesternPark(self, i) for i in range(geo.n_parks)]
        self.labour_pools = [LabourPool(self, w) for w in range(geo.n_west)]
        self.firm_agents = [EasternFirm(self, i) for i in range(self.firms.home.size)]

    def _init_record(self):
        n_rows = self.n_steps + 1
        self.history = {k: np.zeros(n_rows) for k in METRICS}
        self.region_history = {k: np.zeros((n_rows, self.geo.n_counties)) for k in REGION_METRICS}
        self.metrics: dict[str, float] = {}
        self._west_income0 = None  # western income per resident at the start (indexes the income ratio)
        self.datacollector = mesa.DataCollector(
            model_reporters={k: (lambda m, k=k: m.metrics[k]) for k in METRICS})

    # ------------------------------------------------------------------ process
    def step(self):
        """One step (a quarter by default): the process of DESIGN §3."""
        self._drift_costs()
        self._governments_act()
        self._firm_demography()
        self._firms_choose()
        self._parks_admit()
        self._labour_market()
        self._produce_and_pay()
        self.t += 1
        self._record()

    def run(self, progress=None):
        """Run the configured horizon; ``progress(step)`` is called after each step if given."""
        for _ in range(self.n_steps - self.t):
            self.step()
            if progress is not None:
                progress(self.t)
        return self

    # 1. costs drift
    def _drift_costs(self):
        e, p, dt, lab = self.e, self.prices, self.dt, self.labour
        p.east_wage = costs.grow(p.east_wage, e.east_wage_growth, dt)
        p.east_land = costs.grow(p.east_land, e.east_land_growth, dt)
        p.migrant_wage_east = costs.grow(p.migrant_wage_east, e.east_wage_growth, dt)
        p.east_income = costs.grow(p.east_income, e.east_wage_growth, dt)
        p.migration_cost = costs.grow(p.migration_cost, e.east_wage_growth, dt)  # living costs in the east
        f = self.firms
        f.output_per_job = costs.grow(f.output_per_job, e.productivity_growth, dt)
        f.edge = demography.drift_edges(self.rng, f.edge, f.state != EXITED, e.edge_volatility, dt)
        self.parks.land_cost = costs.grow(self.parks.land_cost, e.west_land_growth, dt)
        lab.prevailing = costs.grow(lab.prevailing, e.west_wage_growth, dt)
        lab.farm_income = costs.grow(lab.farm_income, e.farm_income_growth, dt)
        p.workshop_wage = costs.grow(p.workshop_wage, e.west_wage_growth, dt)
        lab.workshop_sales0 = costs.grow(lab.workshop_sales0, e.west_wage_growth, dt)
        lab.transfer = costs.grow(lab.transfer, e.west_wage_growth, dt)  # transfers follow the economy too
        # the low-income line is indexed to the wider western economy, so growth alone does not empty it
        lab.low_income_line = costs.grow(lab.low_income_line, e.west_wage_growth, dt)

    # 2. governments act
    def _governments_act(self):
        self._eastern_partners_act()
        self._enclave_partners_act()
        budget = self._western_budgets()
        self._build_parks(budget)
        self._invest(budget)
        self._consumption_cooperation()

    def _eastern_partners_act(self):
        """Aid, promotion adapted to targets, governance gains; enclave operators market their parks."""
        e, pol, dt, c, _geo = self.e, self.policy, self.dt, self.counties, self.geo
        pairing = pol.pairing.enabled
        if pairing:
            target = pol.pairing.target_firms_per_year * c.n_partners
            has = c.n_partners > 0
            c.adaptation = np.where(has, government.adapt_promotion(
                c.adaptation, c.landed.sum(axis=1), target, pol.pairing.target_adaptation, dt), c.adaptation)
            c.effort = np.where(has, pol.pairing.promotion * c.adaptation, 0.0)
            gain = accounts.governance_gain(pol.pairing.governance_gain, pol.pairing.cadres_per_county)
            c.friction = government.governance(c.friction, self.paired, gain, e.friction_east, dt)
        c.aid = np.where(self.paired & pairing, pol.pairing.aid_per_county, 0.0)

    def _enclave_partners_act(self):
        """Enclave partners co-invest and refer firms as far as their expected tax share pays them."""
        pol, pk, dt, c = self.policy.enclave, self.parks, self.dt, self.counties
        pk.expected_compliance = np.where(pk.enclave, enclave.learn_compliance(
            pk.expected_compliance, pol.compliance, pol.compliance_learning, dt), 1.0)
        pk.partner_effort = np.where(pk.enclave, enclave.partner_effort(
            pol.tax_share_east, pk.expected_compliance, pol.incentive_half), 0.0)
        pk.coinvest = pol.coinvest_per_park * pk.partner_effort
        pairing_effort = c.effort if self.policy.pairing.enabled else np.zeros(self.geo.n_counties)
        self.park_effort = government.park_promotion_effort(pk.partner, pk.enclave, pairing_effort,
                                                            pol.promotion_incentive * pk.partner_effort)

    def _western_budgets(self) -> dict:
        e, dt, c, geo = self.e, self.dt, self.counties, self.geo
        west = geo.is_west
        own = np.where(west, e.own_revenue_per_capita * geo.population, 0.0) * dt
        b = government.west_budgets(own, c.retained_tax * dt, c.aid * dt, c.subsidy_due * dt, c.debt, e, dt)
        b = {k: np.where(west, v, 0.0) for k, v in vars(b).items()}
        c.debt = c.debt + b["borrowing"] - b["debt_service"] - b["repayment"]
        c.revenue = b["revenue"] / dt
        c.headroom, c.borrowing = b["headroom"], b["borrowing"]
        for item in ("subsidy", "infrastructure", "workshops", "training", "debt_service"):
            setattr(c, f"spend_{item}", b[item] / dt)
        c.funding_ratio = np.where(west, b["funding_ratio"], 1.0)
        self.budget = b
        return b

    def _invest(self, b: dict):
        """Village workshops and training."""
        e, dt, geo, lab = self.e, self.dt, self.geo, self.labour
        west = geo.is_west
        books = workshops.step(lab.workshop_slots, b["workshops"][west], lab.working_age, lab.processing,
                               self.prices.workshop_wage, lab.workshop_sales0, e, dt, self.cfg.run.steps_per_year)
        lab.workshop_slots, lab.workshops = books.slots, books
        self.counties.spend_workshops[west] = books.build_spending + books.operating_subsidy  # what was spent
        lab.trainees_funded = b["training"][west] / max(e.training_cost, 1e-9)

    def _build_parks(self, b: dict):
        """Park infrastructure: the county's heavy-asset investment (by capacity) plus enclave partners' co-investment.

        Slots come into use after park_build_years; infrastructure quality rises as money is spent.
        """
        e, dt, geo, pk = self.e, self.dt, self.geo, self.parks
        cap_by_county = np.bincount(pk.county, pk.capacity, geo.n_counties)
        invest = b["infrastructure"][pk.county] * pk.capacity / np.maximum(cap_by_county[pk.county], 1e-9)
        invest = invest + pk.coinvest * dt
        pk.investment_cum = pk.investment_cum + invest
        pk.capacity, pk.pipeline, pk.quality, pk.infra_cum = parks.grow(
            pk.capacity, pk.pipeline, pk.quality0, pk.infra_cum, invest, e.cost_per_slot, e.quality_half_investment)

    def _consumption_cooperation(self):
        """Eastern purchases reach producers: farm sales of the farmers who sell, and processed goods.

        Spread over paired counties by their farmers. The processed share widens the
        village workshops' market; the rest raises the net farm income (volume and
        price) of the share ``seller_share`` of farmers who sell into the channels.
        """
        lab, cons = self.labour, self.policy.consumption
        farmers = lab.people[:, :, :, FARM].sum(axis=(1, 2))
        share = np.where(self.paired[self.geo.is_west], farmers, 0.0)
        share = share / share.sum() if share.sum() > 0 else share
        bought = cons.procurement_per_year * share
        lab.processing = bought * cons.processing_share
        farm_gain = bought * (1 - cons.processing_share) * cons.income_share
        lab.seller_bonus = farm_gain / np.maximum(farmers * cons.seller_share, 1.0)
        lab.farm_bonus = farm_gain / np.maximum(farmers, 1.0)  # the county mean, for farmers' job choices

    # 3. firms choose location
    def _west_sites(self) -> location.WestSites:
        e, pk, lab, f, n_parks = self.e, self.parks, self.labour, self.firms, self.geo.n_parks
        n_sec = self.sectors.name.size
        in_west = location.in_west(f.state)
        idx = f.park[in_west] * n_sec + f.sector[in_west]
        same = np.bincount(idx, minlength=n_parks * n_sec).reshape(n_parks, n_sec)
        chain = np.bincount(idx, f.chain_master[in_west] & (f.state[in_west] == RELOCATED),
                            n_parks * n_sec).reshape(n_parks, n_sec) > 0
        avail = labour.available_workers(lab.people, lab.wage, lab.farm_income + lab.farm_bonus, e)
        avail = np.maximum(avail - labour.open_jobs(lab.people, lab.demand), 0)
        discount = self.policy.subsidy.land_discount * self.counties.funding_ratio[pk.county]
        operator = enclave.operator_divisor(pk.partner_effort, self.policy.enclave.operator_efficiency)
        return location.west_sites(
            productivity=e.west_productivity * (1 - e.infra_weight * (1 - pk.quality)),
            wage=lab.wage[pk.county_w], available=avail[pk.county_w], land=pk.land_cost * (1 - discount),
            friction=self.counties.friction[pk.county] / operator,
            same_sector=same, chain_master=chain, sector_focus=pk.sector_focus,
            distance=self.distance, market_freight=self.park_freight, home_leg_per_km=self.home_leg,
            market_map=self.market_map, sectors=self.sectors, e=e)

    def _holiday_share(self) -> float:
        return min(1.0, self.policy.subsidy.tax_holiday_years / self.e.horizon_years)

    def _firm_demography(self):
        """New firms enter the at-risk pool; firms' demand for capacity grows."""
        e, f, dt = self.e, self.firms, self.dt
        active = f.state != EXITED
        f.backlog = demography.grow_demand(f.backlog, f.growth, active, dt)
        n_new = demography.entrants(self.rng, int(active.sum()), e.entry_rate, dt)
        if n_new:
            new = self._draw_firms(n_new)
            chain = new.jobs >= self.chain_master_jobs
            rows = demography.add_firms(f, {**vars(new), **self._blank_firm_state(new.taste), "chain_master": chain})
            self.firm_agents.extend(EasternFirm(self, i) for i in rows)
            self.choices.entered += n_new

    def _firms_choose(self):
        """Firms review their location (about once a year); growing home firms choose where to build."""
        e, f, t = self.e, self.firms, self.t
        settled = (f.state != EXITED) & (f.ready_step <= t)       # not while a plant is being built
        expanding_all = settled & (f.state == HOME) & (f.backlog >= e.expansion_lump)
        shocks = location.draw_shocks(self.rng, settled, min(e.review_per_year * self.dt, 1.0),
                                      e.n_promoted, e.n_enclave, e.n_word_of_mouth, e.n_random,
                                      always=expanding_all)
        self.sites = sites = self._west_sites()
        self._book_margins(sites)  # staying is valued at this step's prices, like every other option
        in_west = location.in_west(f.state)
        wom_ptr, wom_park = _csr(f.sector[in_west], f.park[in_west], self.sectors.name.size)
        park_open = parks.free_slots(self.parks.capacity, self.parks.occupancy) > 0
        cand = location.consideration_sets(shocks, f.home, f.sector, f.park, self.promo_ptr, self.promo_park,
                                           self.enclave_parks, wom_ptr, wom_park, self.park_effort, park_open,
                                           self.geo.n_parks, e.awareness)
        expanding = expanding_all[shocks.reviewing]
        lump = e.expansion_lump
        new_share = np.where(expanding, lump / (1 + lump), e.branch_share)
        i, new_state, park, taste, gain = location.choose_locations(
            shocks, f, sites, cand, f.home_margin, f.margin + f.taste, self._holiday_share(), self.sectors.mid_skill,
            expanding, new_share, e)
        self.last_choice = SimpleNamespace(shocks=shocks, candidates=cand, firms=i, new_state=new_state, park=park,
                                           gain=gain, expanding=expanding)
        moved = new_state >= 0
        ch = self.choices
        # expanding firms build their new plant at home unless they chose a western park
        grow_home = expanding & ~moved
        f.jobs[i[grow_home]] *= 1 + lump
        f.backlog[i[grow_home]] = 0.0  # one turned away by a full park tries again
        ch.expansions_home += int(grow_home.sum())
        # closing a branch, moving back home or fully into one's own branch park needs no admission
        home = new_state == HOME
        self._leave_parks(i[home])
        f.state[i[home]], f.share[i[home]] = HOME, 0.0
        own = (new_state == RELOCATED) & (park == f.park[i])
        self._book_investment(i[own], 1 - f.share[i[own]])
        f.state[i[own]], f.share[i[own]] = RELOCATED, 1.0
        f.taste[i[home | own]] = taste[home | own]
        self._count_moves(gain[home | own])
        apply = moved & ~home & ~own
        self.applications = (i[apply], park[apply], new_state[apply], taste[apply],
                             np.where(expanding[apply], new_share[apply], -1.0), gain[apply])

    def _count_moves(self, gain):
        """Choice diagnostics over location changes that happen: how many, how many pay, mean gain."""
        ch = self.choices
        ch.moves += gain.size
        ch.paying += int((gain > 0).sum())
        ch.gain_sum += float(gain.sum())

    def _leave_parks(self, firms_idx):
        np.subtract.at(self.parks.occupancy, self.firms.park[firms_idx], 1)
        self.firms.park[firms_idx] = -1

    def _book_investment(self, firms_idx, share_built):
        """Investment is booked when a firm commits to a western plant (as the sources count 到位投资)."""
        f, pk = self.firms, self.parks
        amount = self.e.capital_per_job * f.jobs[firms_idx] * share_built
        np.add.at(pk.firm_investment_cum, f.park[firms_idx], amount)

    # 4. parks admit
    def _parks_admit(self):
        f, pk, e = self.firms, self.parks, self.e
        firm, park, state, taste, expansion, gain = self.applications
        ok = parks.admit(park, self.rng.random(park.size), parks.free_slots(pk.capacity, pk.occupancy))
        self._count_moves(gain[ok])
        firm, park, state, expansion = firm[ok], park[ok], state[ok], expansion[ok]
        f.taste[firm] = taste[ok]
        self._leave_parks(firm[f.park[firm] >= 0])  # a branch, or a relocated firm moving on, leaves its park
        np.add.at(pk.occupancy, park, 1)
        f.park[firm] = park
        is_exp = expansion >= 0
        f.jobs[firm[is_exp]] *= 1 + e.expansion_lump
        f.backlog[firm[is_exp]] = 0.0
        f.expanded_west[firm[is_exp]] = True
        f.share[firm] = np.where(state == RELOCATED, 1.0, np.where(is_exp, expansion, e.branch_share))
        two_sites = f.share[firm] < 1
        f.allocation[firm] = np.where(two_sites, markets.branch_allocation_gain(
            self.market_map, f.home[firm], park, f.sector[firm], f.share[firm], self.distance), 0.0)
        f.state[firm] = state
        f.entry_step[firm] = self.t
        f.ready_step[firm] = self.t + int(round(e.plant_build_years * self.cfg.run.steps_per_year))
        self._book_investment(firm, f.share[firm])  # a new site is built in full, wherever it was before
        f.ever_west[firm] = True
        self.choices.expansions_west += int(is_exp.sum())
        self.choices.landed = np.roll(self.choices.landed, 1)
        self.choices.landed[0] = firm.size
        # eastern cadres count firms from their county landing in their partner's parks
        c = self.counties
        c.landed = np.roll(c.landed, 1, axis=1)
        c.landed[:, 0] = 0
        to_partner = pk.partner[park] == f.home[firm]
        np.add.at(c.landed[:, 0], f.home[firm[to_partner]], 1)
        self.admitted = firm

    def _producing_share(self, firms_idx):
        """Share of each firm's output and jobs produced in its western plant now (share)."""
        f, e, spy = self.firms, self.e, self.cfg.run.steps_per_year
        return location.producing_share(f.share[firms_idx], f.ready_step[firms_idx], self.t, e.ramp_start,
                                        int(round(e.ramp_up_years * spy)))

    # 5. labour market
    def _labour_market(self):
        e, f, lab, pol, geo = self.e, self.firms, self.labour, self.policy, self.geo
        in_west = location.in_west(f.state)
        share = self._producing_share(in_west)
        lab.demand = production.labour_demand(self.parks.county_w[f.park[in_west]], f.jobs[in_west] * share,
                                              self.sectors.mid_skill[f.sector[in_west]], geo.n_west)
        paired = self.paired[geo.is_west]
        self.east_income = self._migrant_income()
        moving = np.maximum(e.moving_cost - pol.labour.migration_support * paired, 0.0)
        cost = self.prices.migration_cost + moving / e.migration_horizon
        rate = np.where(paired, pol.labour.training_rate, 0.0)
        lab.service_demand = local_demand.service_demand(
            labour.by_skill(lab.people, PARK).sum(axis=1), lab.people[..., WORKSHOP].sum(axis=(1, 2)),
            self.prices.workshop_wage, lab.wage[:, LOW], e.service_multiplier)
        lab.people, lab.wage, lab.flows = labour.labour_market(
            lab.people, lab.wage, lab.prevailing, lab.demand, lab.workshop_slots, self.prices.workshop_wage,
            lab.service_demand, lab.farm_income + lab.farm_bonus,
            self.east_income, cost, lab.trainees_funded, rate, e, self.cfg.run.steps_per_year)
        self._book_costs()

    def _book_costs(self):
        """Every channel's cost line this step, eastern and western accounts (yuan/year)."""
        pol, c, lab, geo, dt = self.policy, self.counties, self.labour, self.geo, self.dt
        west = geo.is_west
        paired_w = self.paired[west]
        n_paired = float(self.paired.sum())
        self.east_costs = accounts.east_lines(
            pol, n_paired, float((c.effort * c.n_partners)[~west].sum()), float(c.landed[:, 0].sum()) / dt,
            float(lab.flows.migrated[paired_w].sum()) / dt, float(lab.people[paired_w, :, :, MIGRANT].sum()),
            float(lab.flows.trained_by_rate.sum()) / dt,
            self.e.training_cost, float(self.parks.coinvest.sum()))
        operating = float(lab.workshops.operating_subsidy.sum()) if lab.workshops is not None else 0.0
        self.west_costs = accounts.west_lines(c, west, pol, n_paired, operating)
        self.east_labour_spending = sum(self.east_costs[k] for k in ("matching", "training", "migration_support"))

    def _migrant_income(self) -> np.ndarray:
        """What a migrant expects in the east (W, skill), yuan/year: wage × job-finding probability.

        Mid-skill migrants earn the western mid/low wage ratio more; labour cooperation
        raises the job-finding probability of paired counties' workers.
        """
        paired = self.paired[self.geo.is_west]
        find = np.minimum(self.e.east_job_finding * (1 + self.policy.labour.matching_gain * paired), 1.0)
        wage = self.labour.wage
        return self.prices.migrant_wage_east * (wage / wage[:, :1]) * find[:, None]

    # 6. production, taxes, incomes
    def _book_margins(self, sites: location.WestSites):
        """Each firm's after-tax margin at home and where it is now (steady state), at this step's prices.

        Returns the western firms' indices, western shares, parks, western margins and
        holiday flags (share of home output/year), which taxes are computed from.
        """
        e, f = self.e, self.firms
        f.home_margin = location.home_margin(f.home, f.sector, f.output_per_job, f.edge, self.prices.east_wage,
                                             self.prices.east_land, self.home_sites, e)
        in_west = np.flatnonzero(location.in_west(f.state))
        s = f.share[in_west]
        p = f.park[in_west]
        west_m, local_tax = location.west_margin(p, f.sector[in_west], f.home[in_west], f.output_per_job[in_west],
                                                 f.edge[in_west], f.jobs[in_west] * s, self.sectors.mid_skill, sites, e)
        holiday = ((f.entry_step[in_west] >= 0)
                   & ((self.t - f.entry_step[in_west]) * self.dt < self.policy.subsidy.tax_holiday_years))
        two_sites = s < 1
        margin = f.home_margin.copy()
        margin[in_west] = ((1 - s) * f.home_margin[in_west] + s * (west_m + np.where(holiday, local_tax, 0.0))
                           + np.where(two_sites, f.allocation[in_west], 0.0)
                           - np.where(two_sites, e.branch_overhead, e.relocation_loss))
        f.margin = np.where(f.state != EXITED, margin, 0.0)
        return in_west, s, p, west_m, holiday

    def _produce_and_pay(self):
        e, f, pk, c, geo, pol = self.e, self.firms, self.parks, self.counties, self.geo, self.policy
        active = f.state != EXITED
        sites = self._west_sites()
        in_west, s, p, west_m, holiday = self._book_margins(sites)
        # sustained losses close a branch whose home site still pays, and end any other firm;
        # judged on the value of the site (margin plus taste), as in the location choice
        f.loss_steps = demography.sustained_losses(f.loss_steps, f.margin + f.taste, active)
        ending = active & (f.loss_steps >= e.exit_after_years * self.cfg.run.steps_per_year)
        close, exits = demography.losses_end(ending, f.state == BRANCH, f.home_margin)
        self._leave_parks(close)
        f.state[close], f.share[close], f.taste[close], f.loss_steps[close] = HOME, 0.0, 0.0, 0
        f.margin[close] = f.home_margin[close]
        self.choices.branch_closures += close.size
        self._leave_parks(exits[f.park[exits] >= 0])
        f.state[exits], f.margin[exits] = EXITED, 0.0
        keep = location.in_west(f.state[in_west])
        in_west, s, p, west_m, holiday = in_west[keep], s[keep], p[keep], west_m[keep], holiday[keep]
        # taxes of park firms (yuan/year), on what their western plants produce now
        produced = self._producing_share(in_west)
        home_output = f.jobs[in_west] * f.output_per_job[in_west]
        west_output = produced * home_output * sites.productivity[p]
        pre = np.where(west_m > 0, west_m / (1 - e.cit_rate_west), west_m)
        taxes = production.park_taxes(west_output, pre * produced * home_output, holiday, pk.enclave[p],
                                      pol.enclave.tax_share_east, pol.enclave.compliance, e)
        self.taxes = taxes
        n = geo.n_counties
        c.retained_tax, c.rebated, c.enclave_revenue = production.park_tax_accounts(taxes, p, pk.county, pk.partner, n)
        promised = pol.subsidy.land_discount * pk.land_cost[p] * produced * f.jobs[in_west]
        c.subsidy_due = np.bincount(pk.county[p], promised, n)
        c.fiscal_cost = c.subsidy_due * c.funding_ratio  # cash; the rebate is already out of retained_tax
        # household incomes
        lab = self.labour
        pay = labour.park_pay(lab.people, lab.demand, lab.wage)
        inc = production.person_incomes(pay, lab.wage[:, LOW], lab.farm_income + lab.farm_bonus,
                                        self.prices.workshop_wage, self.east_income)
        h = production.household_incomes(lab.people, inc, lab.inactive, lab.transfer, e.remittance_share,
                                         lab.low_income_line, e.farm_income_sigma, lab.farm_income,
                                         lab.seller_bonus, pol.consumption.seller_share)
        lab.income_pc, lab.low_income, lab.income_total, lab.income_by_type = h

    # 7. record
    def _record(self):
        self.metrics = m = metrics_mod.model_metrics(self)
        for k in METRICS:
            self.history[k][self.t] = m[k]
        metrics_mod.region_metrics(self, self.region_history, self.t)
        self.datacollector.collect(self)

    def income_ratio(self) -> float:
        """East/west per-capita disposable income: the official start-year ratio moved by modelled growth.

        The model's western household income covers working-age earnings and transfers,
        not all residents' disposable income (urban residents, property income), so its
        level is not comparable with the eastern figure; its growth is. With no official
        western figure in the geography, the model's own income per resident is used.
        """
        geo, lab = self.geo, self.labour
        west_model = lab.income_total.sum() / geo.population[geo.is_west].sum()
        if self._west_income0 is None:
            self._west_income0 = west_model
        official = geo.economy.get("west_income_per_capita")
        west = official * west_model / self._west_income0 if official else west_model
        return self.prices.east_income / west

    # ------------------------------------------------------------------ results
    def summary(self) -> dict[str, float]:
        """Final-step outcomes (DESIGN §6), plain Python numbers."""
        return {k: float(self.history[k][self.t]) for k in METRICS}

    def timeseries(self):
        """One row per recorded step (step 0 is the starting state)."""
        import pandas as pd

        steps = np.arange(self.t + 1)
        return pd.DataFrame({**self.calendar(steps), **{k: v[: self.t + 1] for k, v in self.history.items()}})

    def calendar(self, steps) -> dict:
        """``step``, integer ``year`` and the period within it (``quarter`` 1–4 when quarterly)."""
        per_year = self.cfg.run.steps_per_year
        period = "quarter" if per_year == 4 else "period"
        return {"step": steps, "year": self.cfg.run.start_year + steps // per_year, period: steps % per_year + 1}

    def regions(self):
        """One row per recorded step per county."""
        import pandas as pd

        geo, n = self.geo, self.t + 1
        codes = geography_mod.county_codes(geo.name)
        steps = np.repeat(np.arange(n), geo.n_counties)
        tile = lambda names: pd.Categorical.from_codes(np.tile(np.arange(geo.n_counties), n), names)  # noqa: E731
        df = pd.DataFrame({
            **self.calendar(steps),
            "county": tile(geo.county_name.astype(str)),
            "code": pd.Categorical(np.tile([codes.get(c) for c in geo.county_name], n)),  # GB/T 2260
            "prefecture": pd.Categorical(np.tile(geo.county_prefecture.astype(str), n)),
            "side": pd.Categorical(np.tile(np.where(geo.is_west, "west", "east"), n)),
            "lon": np.tile(geo.lon, n), "lat": np.tile(geo.lat, n),  # approximate county seats
        })
        west = np.tile(geo.is_west, n)
        not_applicable = {"west": ~west, "east": west}  # a west-only outcome is NaN, not 0, in eastern rows
        for k, v in self.region_history.items():
            mask = not_applicable.get(region_side(k))
            df[k] = v[:n].ravel() if mask is None else np.where(mask, np.nan, v[:n].ravel())
        return df
