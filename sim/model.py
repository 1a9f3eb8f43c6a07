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

from . import geography as geography_mod
from .agents import CountyGovernment, EasternFirm, LabourPool, WesternPark
from .mechanisms import costs, government, labour, location, parks, production
from .mechanisms.labour import IMMOBILE, LOW, MID, MIGRANT, MOBILE, PARK, WORKSHOP
from .mechanisms.location import BRANCH, EXITED, HOME, RELOCATED
from .metrics import METRICS, REGION_METRICS, region_side
from .schema import Config

logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs each step at INFO


def as_config(config=None) -> Config:
    """A :class:`Config` from None (defaults), a Config, or a Hydra/OmegaConf config."""
    if config is None:
        return Config()
    if isinstance(config, Config):
        return config
    from omegaconf import OmegaConf

    if OmegaConf.get_type(config) is not Config:  # Hydra's configs are typed by the schema already
        config = OmegaConf.merge(OmegaConf.structured(Config), config)
    return OmegaConf.to_object(config)


def _csr(groups: np.ndarray, items: np.ndarray, n_groups: int):
    """Group ``items`` by ``groups`` into (ptr, items) compressed rows."""
    order = np.argsort(groups, kind="stable")
    counts = np.bincount(groups, minlength=n_groups)
    return np.r_[0, np.cumsum(counts)], items[order]


class TransferModel(mesa.Model):
    """Agent-based model of industrial transfer from eastern to western China.

    ``TransferModel()`` runs with defaults (Shanghai–Yunnan, baseline policy).
    Pass a config (``sim.schema.Config`` or a Hydra config), optionally a
    prepared :class:`~sim.geography.Geography`, and ``rng`` to override the seed.
    """

    def __init__(self, config=None, geography: geography_mod.Geography | None = None, rng=None):
        cfg = as_config(config)
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
            efficiency=np.where(enclave, pol.enclave.operator_efficiency, 1.0),
        )
        # promotion reaches a firm through its home county's partner parks (pairing) and enclave brands
        promoted = np.flatnonzero((partner >= 0) & pol.pairing.enabled)
        self.promo_ptr, self.promo_park = _csr(partner[promoted], promoted, geo.n_counties)
        self.enclave_parks = np.flatnonzero(enclave)
        # km from each eastern county (a firm's home market) to each park, computed once
        east = np.arange(geo.n_east)
        self.distance = location.distance_km(geo.lon[east, None], geo.lat[east, None],
                                             geo.lon[geo.park_county][None, :], geo.lat[geo.park_county][None, :])

    def _init_firms(self):
        geo, e, rng, sec = self.geo, self.e, self.rng, self.sectors
        n = self.cfg.geography.n_firms
        east = np.flatnonzero(~geo.is_west)
        w = geo.firm_weight[east]
        home = east[rng.choice(east.size, size=n, p=w / w.sum() if w.sum() > 0 else None)]
        sector = rng.choice(sec.name.size, size=n, p=sec.weight)
        mu = np.log(e.firm_size_mean) - e.firm_size_sigma ** 2 / 2
        jobs = np.maximum(np.round(np.exp(rng.normal(mu, e.firm_size_sigma, n))), 5.0)
        labour_share = sec.labour_share[sector] * np.exp(rng.normal(0, e.labour_share_sigma, n))
        # every firm starts with a positive home margin: va - ls*(1 + land/wage) - friction >= 1%
        land_per_wage = self.prices.east_land / self.prices.east_wage
        labour_share = np.minimum(labour_share, (e.value_added_share - e.friction_east - 0.01) / (1 + land_per_wage))
        chain = jobs >= np.quantile(jobs, 1 - e.chain_master_share) if e.chain_master_share > 0 else np.zeros(n, bool)
        self.firms = SimpleNamespace(
            home=home, sector=sector, jobs=jobs,
            output_per_job=self.prices.east_wage / labour_share,
            chain_master=chain,
            state=np.zeros(n, np.int64), park=np.full(n, -1, np.int64),
            entry_step=np.full(n, -1, np.int64), loss_steps=np.zeros(n, np.int64),
            ever_west=np.zeros(n, bool), margin=np.zeros(n), home_margin=np.zeros(n),
            taste=np.zeros(n),  # persistent idiosyncratic value of the current site (share of output)
        )
        self.applications = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))

    def _init_labour(self):
        geo, e = self.geo, self.e
        ec = geo.economy
        wpop = geo.population[geo.is_west] * ec["working_age_share"]
        nw = wpop.size
        mig = np.minimum(geo.migrant_share[geo.is_west], ec["mobile_share"])
        mid = ec["mid_skill_share"]
        people = np.zeros((nw, 2, 2, 5))
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
            workshop_slots=np.zeros(nw), trainees_funded=np.zeros(nw),
            farm_income=np.full(nw, ec["farm_income"]), farm_bonus=np.zeros(nw),
            transfer=ec["west_transfer_per_capita"],
            income_pc=np.zeros(nw), low_income=np.zeros(nw), flows=None, demand=np.zeros((nw, 2)),
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
        self.datacollector = mesa.DataCollector(
            model_reporters={k: (lambda m, k=k: m.metrics[k]) for k in METRICS})

    # ------------------------------------------------------------------ process
    def step(self):
        """One step (a quarter by default): the process of DESIGN §3."""
        self._drift_costs()
        self._governments_act()
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
        self.firms.output_per_job = costs.grow(self.firms.output_per_job, e.productivity_growth, dt)
        self.parks.land_cost = costs.grow(self.parks.land_cost, e.west_land_growth, dt)
        lab.prevailing = costs.grow(lab.prevailing, e.west_wage_growth, dt)
        lab.farm_income = costs.grow(lab.farm_income, e.farm_income_growth, dt)
        p.workshop_wage = costs.grow(p.workshop_wage, e.west_wage_growth, dt)

    # 2. governments act
    def _governments_act(self):
        self._eastern_partners_act()
        budget = self._western_budgets()
        self._invest(budget)
        self._consumption_cooperation()

    def _eastern_partners_act(self):
        """Aid, promotion adapted to targets, governance gains; enclave operators market their parks."""
        e, pol, dt, c, geo = self.e, self.policy, self.dt, self.counties, self.geo
        pairing = pol.pairing.enabled
        if pairing:
            target = pol.pairing.target_firms_per_year * c.n_partners
            has = c.n_partners > 0
            c.adaptation = np.where(has, government.adapt_promotion(
                c.adaptation, c.landed.sum(axis=1), target, pol.pairing.target_adaptation, dt), c.adaptation)
            c.effort = np.where(has, pol.pairing.promotion * c.adaptation, 0.0)
            c.friction = government.governance(c.friction, self.paired, pol.pairing.governance_gain, e.friction_east, dt)
        self.park_effort = government.park_promotion_effort(
            self.parks.partner, self.parks.enclave, c.effort if pairing else np.zeros(geo.n_counties),
            pol.enclave.promotion_incentive, pol.enclave.tax_share_east, pol.enclave.compliance)
        if not pairing:  # the enclave brand works without a pairing programme
            self.park_effort = np.where(self.parks.enclave, 1 + pol.enclave.promotion_incentive
                                        * pol.enclave.tax_share_east * pol.enclave.compliance, self.park_effort)
        c.aid = np.where(self.paired & pairing, pol.pairing.aid_per_county, 0.0)

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
        """Park infrastructure (by capacity; enclave partners co-invest), workshops and training."""
        e, pol, dt, geo, pk, lab = self.e, self.policy, self.dt, self.geo, self.parks, self.labour
        cap_by_county = np.bincount(pk.county, pk.capacity, geo.n_counties)
        invest = b["infrastructure"][pk.county] * pk.capacity / np.maximum(cap_by_county[pk.county], 1e-9)
        invest = invest + np.where(pk.enclave, pol.enclave.coinvest_per_park * dt, 0.0)
        pk.investment_cum = pk.investment_cum + invest
        pk.capacity, pk.quality, pk.infra_cum = parks.grow(pk.capacity, pk.quality0, pk.infra_cum, invest,
                                                           pk.efficiency, e.cost_per_slot, e.quality_half_investment)
        west = geo.is_west
        kept = 1 - labour.per_step(e.workshop_depreciation, self.cfg.run.steps_per_year)
        lab.workshop_slots = lab.workshop_slots * kept + b["workshops"][west] / e.workshop_cost_per_job
        lab.trainees_funded = b["training"][west] / max(e.training_cost, 1e-9)

    def _consumption_cooperation(self):
        """Eastern purchases raise the farm income of paired counties' farmers (yuan/year each)."""
        lab, pol = self.labour, self.policy
        farmers = lab.people[:, :, :, labour.FARM].sum(axis=(1, 2))
        share = np.where(self.paired[self.geo.is_west], farmers, 0.0)
        share = share / share.sum() if share.sum() > 0 else share
        lab.farm_bonus = pol.consumption.procurement_per_year * pol.consumption.income_share * share / np.maximum(farmers, 1.0)

    # 3. firms choose location
    def _west_sites(self) -> location.WestSites:
        e, pk, lab, f, n_parks = self.e, self.parks, self.labour, self.firms, self.geo.n_parks
        n_sec = self.sectors.name.size
        in_west = location.in_west(f.state)
        idx = f.park[in_west] * n_sec + f.sector[in_west]
        same = np.bincount(idx, minlength=n_parks * n_sec).reshape(n_parks, n_sec)
        chain = np.bincount(idx, f.chain_master[in_west] & (f.state[in_west] == RELOCATED),
                            n_parks * n_sec).reshape(n_parks, n_sec) > 0
        avail = labour.available_workers(lab.people, lab.wage, lab.farm_income + lab.farm_bonus, e.local_premium)
        avail = np.maximum(avail - np.maximum(lab.demand - labour.by_skill(lab.people, PARK), 0), 0)
        discount = self.policy.subsidy.land_discount * self.counties.funding_ratio[pk.county]
        return location.west_sites(
            productivity=e.west_productivity * (1 - e.infra_weight * (1 - pk.quality)),
            wage=lab.wage[pk.county_w], available=avail[pk.county_w], land=pk.land_cost * (1 - discount),
            friction=self.counties.friction[pk.county] / pk.efficiency,
            same_sector=same, chain_master=chain, sector_focus=pk.sector_focus,
            distance=self.distance, sectors=self.sectors, e=e)

    def _holiday_share(self) -> float:
        return min(1.0, self.policy.subsidy.tax_holiday_years / self.e.horizon_years)

    def _firms_choose(self):
        e, f = self.e, self.firms
        eligible = (f.state == HOME) | (f.state == BRANCH)
        shocks = location.draw_shocks(self.rng, eligible, min(e.review_per_year * self.dt, 1.0),
                                      e.n_promoted, e.n_enclave, e.n_word_of_mouth, e.n_random)
        self.sites = sites = self._west_sites()
        self._book_margins(sites)  # staying is valued at this step's prices, like every other option
        in_west = location.in_west(f.state)
        wom_ptr, wom_park = _csr(f.sector[in_west], f.park[in_west], self.sectors.name.size)
        park_open = parks.free_slots(self.parks.capacity, self.parks.occupancy) > 0
        cand = location.consideration_sets(shocks, f.home, f.sector, f.park, self.promo_ptr, self.promo_park,
                                           self.enclave_parks, wom_ptr, wom_park, self.park_effort, park_open,
                                           self.geo.n_parks, e.awareness)
        i, new_state, park, taste = location.choose_locations(
            shocks, f, sites, cand, f.home_margin, f.margin + f.taste, self._holiday_share(), self.sectors.mid_skill, e)
        self.last_choice = SimpleNamespace(shocks=shocks, candidates=cand, firms=i, new_state=new_state, park=park)
        # closing a branch or moving fully into one's own branch park needs no admission
        home = new_state == HOME
        self._leave_parks(i[home])
        f.state[i[home]] = HOME
        own = (new_state == RELOCATED) & (park == f.park[i])
        self._book_investment(i[own], 1 - e.branch_share)
        f.state[i[own]] = RELOCATED
        f.taste[i[home | own]] = taste[home | own]
        apply = (new_state >= 0) & ~home & ~own
        self.applications = (i[apply], park[apply], new_state[apply], taste[apply])

    def _leave_parks(self, firms_idx):
        np.subtract.at(self.parks.occupancy, self.firms.park[firms_idx], 1)
        self.firms.park[firms_idx] = -1

    def _book_investment(self, firms_idx, share_moved):
        f, pk = self.firms, self.parks
        amount = self.e.capital_per_job * f.jobs[firms_idx] * share_moved
        np.add.at(pk.firm_investment_cum, f.park[firms_idx], amount)

    # 4. parks admit
    def _parks_admit(self):
        f, pk, e = self.firms, self.parks, self.e
        firm, park, state, taste = self.applications
        ok = parks.admit(park, self.rng.random(park.size), parks.free_slots(pk.capacity, pk.occupancy))
        firm, park, state = firm[ok], park[ok], state[ok]
        f.taste[firm] = taste[ok]
        had_branch = f.state[firm] == BRANCH
        self._leave_parks(firm[had_branch])
        np.add.at(pk.occupancy, park, 1)
        f.park[firm] = park
        built = location.west_share(state, e.branch_share)  # a new site is built in full, wherever it was before
        f.state[firm] = state
        f.entry_step[firm] = self.t
        self._book_investment(firm, built)
        f.ever_west[firm] = True
        # eastern cadres count firms from their county landing in their partner's parks
        c = self.counties
        c.landed = np.roll(c.landed, 1, axis=1)
        c.landed[:, 0] = 0
        to_partner = pk.partner[park] == f.home[firm]
        np.add.at(c.landed[:, 0], f.home[firm[to_partner]], 1)
        self.admitted = firm

    # 5. labour market
    def _labour_market(self):
        e, f, lab, pol, geo = self.e, self.firms, self.labour, self.policy, self.geo
        in_west = location.in_west(f.state)
        share = location.west_share(f.state[in_west], e.branch_share)
        lab.demand = production.labour_demand(self.parks.county_w[f.park[in_west]], f.jobs[in_west] * share,
                                              self.sectors.mid_skill[f.sector[in_west]], geo.n_west)
        paired = self.paired[geo.is_west]
        self.east_income = self._migrant_income()
        moving = np.maximum(e.moving_cost - pol.labour.migration_support * paired, 0.0)
        cost = self.prices.migration_cost + moving / e.migration_horizon
        rate = np.where(paired, pol.labour.training_rate, 0.0)
        lab.people, lab.wage, lab.flows = labour.labour_market(
            lab.people, lab.wage, lab.prevailing, lab.demand, lab.workshop_slots, self.prices.workshop_wage,
            lab.farm_income + lab.farm_bonus,
            self.east_income, cost, lab.trainees_funded, rate, e, self.cfg.run.steps_per_year)
        self.east_labour_spending = float((lab.flows.trained_by_rate.sum() * e.training_cost
                                           + pol.labour.migration_support * lab.flows.migrated[paired].sum()) / self.dt)

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
        """Each firm's after-tax margin at home and where it is now, at this step's prices.

        Returns the western firms' indices, western shares, parks, western margins and
        holiday flags (share of home output/year), which taxes are computed from.
        """
        e, f = self.e, self.firms
        f.home_margin = location.home_margin(f.output_per_job, self.prices.east_wage, self.prices.east_land,
                                             e.friction_east, e.value_added_share, e.cit_rate_east)
        in_west = np.flatnonzero(location.in_west(f.state))
        s = location.west_share(f.state[in_west], e.branch_share)
        p = f.park[in_west]
        west_m, local_tax = location.west_margin(p, f.sector[in_west], f.home[in_west], f.output_per_job[in_west],
                                                 f.jobs[in_west], self.sectors.mid_skill, sites, e)
        holiday = ((f.entry_step[in_west] >= 0)
                   & ((self.t - f.entry_step[in_west]) * self.dt < self.policy.subsidy.tax_holiday_years))
        margin = f.home_margin.copy()
        margin[in_west] = ((1 - s) * f.home_margin[in_west] + s * (west_m + np.where(holiday, local_tax, 0.0))
                           - np.where(s < 1, e.branch_overhead, 0.0))
        f.margin = np.where(f.state != EXITED, margin, 0.0)
        return in_west, s, p, west_m, holiday

    def _produce_and_pay(self):
        e, f, pk, c, geo, pol = self.e, self.firms, self.parks, self.counties, self.geo, self.policy
        active = f.state != EXITED
        sites = self._west_sites()
        in_west, s, p, west_m, holiday = self._book_margins(sites)
        # sustained losses end a firm
        f.loss_steps = np.where(active & (f.margin < 0), f.loss_steps + 1, 0)
        exits = np.flatnonzero(active & (f.loss_steps >= e.exit_after_years * self.cfg.run.steps_per_year))
        self._leave_parks(exits[f.park[exits] >= 0])
        f.state[exits] = EXITED
        keep = f.state[in_west] != EXITED
        in_west, s, p, west_m, holiday = in_west[keep], s[keep], p[keep], west_m[keep], holiday[keep]
        # taxes of park firms (yuan/year)
        home_output = f.jobs[in_west] * f.output_per_job[in_west]
        west_output = s * home_output * sites.productivity[p]
        pre = np.where(west_m > 0, west_m / (1 - e.cit_rate_west), west_m)
        taxes = production.park_taxes(west_output, pre * s * home_output, holiday, pk.enclave[p],
                                      pol.enclave.tax_share_east, pol.enclave.compliance, e)
        self.taxes = taxes
        n = geo.n_counties
        c.retained_tax = np.bincount(pk.county[p], taxes.west, n)
        c.rebated = np.bincount(pk.county[p], taxes.rebated, n)
        c.enclave_revenue = np.bincount(np.maximum(pk.partner[p], 0), taxes.east, n)
        promised = pol.subsidy.land_discount * pk.land_cost[p] * s * f.jobs[in_west]
        c.subsidy_due = np.bincount(pk.county[p], promised, n)
        c.fiscal_cost = c.subsidy_due * c.funding_ratio + c.rebated
        # household incomes
        lab = self.labour
        inc = production.person_incomes(lab.wage, lab.farm_income + lab.farm_bonus, self.prices.workshop_wage, self.east_income)
        lab.income_pc, lab.low_income, lab.income_total = production.household_incomes(
            lab.people, inc, lab.transfer, e.remittance_share, e.low_income_line, e.farm_income_sigma)

    # 7. record
    def _record(self):
        m, f, pk, c, lab, geo, pol = self.metrics, self.firms, self.parks, self.counties, self.labour, self.geo, self.policy
        people = lab.people
        by_status = people.sum(axis=(1, 2))
        pop = by_status.sum()
        west, east = geo.is_west, ~geo.is_west
        m["west_park_jobs"] = by_status[:, PARK].sum()
        m["west_workshop_jobs"] = by_status[:, WORKSHOP].sum()
        m["west_workshop_jobs_immobile"] = people[:, :, IMMOBILE, WORKSHOP].sum()
        m["west_jobs_local"] = m["west_park_jobs"] + m["west_workshop_jobs"]
        m["west_migrants_east"] = by_status[:, MIGRANT].sum()
        m["west_employment_rate"] = (m["west_jobs_local"] + m["west_migrants_east"]) / pop
        m["west_income_per_capita"] = lab.income_total.sum() / pop
        # both per resident: the eastern figure is per resident, so western income is spread over all residents
        m["east_west_income_ratio"] = self.prices.east_income / (lab.income_total.sum() / geo.population[west].sum())
        m["firms_branch"] = int((f.state == BRANCH).sum())
        m["firms_relocated_full"] = int((f.state == RELOCATED).sum())
        m["firms_in_west"] = m["firms_branch"] + m["firms_relocated_full"]
        m["firms_exited"] = int((f.state == EXITED).sum())
        m["firms_relocated_cum"] = int(f.ever_west.sum())
        m["investment_cum"] = pk.firm_investment_cum.sum()
        m["west_tax_revenue"] = c.retained_tax.sum()
        m["east_tax_revenue_enclave"] = c.enclave_revenue.sum()
        m["tax_paid_west_parks"] = self.taxes.paid.sum()
        m["park_occupancy"] = pk.occupancy.sum() / pk.capacity.sum()
        m["low_income_share"] = (lab.low_income * by_status.sum(axis=1)).sum() / pop
        m["west_fiscal_cost"] = c.fiscal_cost[west].sum()
        m["west_wage_low"] = (lab.wage[:, LOW] * by_status.sum(axis=1)).sum() / pop
        m["west_mid_skill_share"] = people[:, MID].sum() / pop
        m["west_debt"] = c.debt[west].sum()
        m["west_programme_spending"] = (c.spend_infrastructure + c.spend_workshops + c.spend_training)[west].sum()
        m["east_aid_paid"] = c.aid.sum()
        m["east_labour_spending"] = self.east_labour_spending
        m["east_programme_cost"] = (m["east_aid_paid"] + m["east_labour_spending"]
                                    + pol.enclave.coinvest_per_park * pk.enclave.sum()
                                    + pol.consumption.procurement_per_year * pol.consumption.income_share)
        paired_parks = pk.partner >= 0
        m["east_promotion_effort"] = float(self.park_effort[paired_parks].mean()) if self.t > 0 and paired_parks.any() else 0.0
        for k in METRICS:
            self.history[k][self.t] = m[k]
        r, t, nw = self.region_history, self.t, geo.n_east
        r["jobs_local"][t, nw:] = by_status[:, PARK] + by_status[:, WORKSHOP]
        r["migrants_east"][t, nw:] = by_status[:, MIGRANT]
        r["employment_rate"][t, nw:] = (by_status[:, PARK] + by_status[:, WORKSHOP] + by_status[:, MIGRANT]) / by_status.sum(axis=1)
        r["income_per_capita"][t, nw:] = lab.income_pc
        r["low_income_share"][t, nw:] = lab.low_income
        r["wage_low"][t, nw:] = lab.wage[:, LOW]
        in_west = location.in_west(f.state)
        r["firms"][t] = np.bincount(pk.county[f.park[in_west]], minlength=geo.n_counties)
        r["firms"][t, east] = np.bincount(f.home[f.state == HOME], minlength=geo.n_counties)[east]
        r["park_capacity"][t] = np.bincount(pk.county, pk.capacity, geo.n_counties)
        r["tax_retained"][t] = c.retained_tax
        r["enclave_revenue"][t] = c.enclave_revenue
        r["fiscal_cost"][t] = c.fiscal_cost
        r["debt"][t] = c.debt
        r["friction"][t] = c.friction
        r["promotion_effort"][t] = np.where(east, c.effort, 0.0)
        self.datacollector.collect(self)

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
