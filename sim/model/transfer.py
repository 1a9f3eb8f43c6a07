"""TransferModel: the East–West industrial transfer model (docs/ODD.md).

State lives in typed tables of arrays (``model.firms``, ``model.parks``,
``model.counties``, ``model.labour``; ``sim/model/state.py``); the Mesa agents are
handles to their rows, made when first asked for. ``step()`` runs ``PHASES``, the
process of docs/ODD.md §3 as functions (``sim/model/phases.py``), in order.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from typing import cast

import mesa
import numpy as np

from sim.model import phases
from sim.model.agents import CountyGovernment, EasternFirm, LabourPool, RowAgent, WesternPark
from sim.model.mechanisms import (
    accounts,
    labour,
    local_economy,
    location,
    markets,
    skills,
)
from sim.model.mechanisms.government import Budget
from sim.model.mechanisms.labour import IMMOBILE, LOW, MID, MIGRANT, MOBILE, N_STATUS
from sim.model.mechanisms.location import BRANCH, RELOCATED
from sim.model.mechanisms.production import TaxSplit
from sim.model.mechanisms.site_match import place_codes
from sim.model.metrics import METRICS, REGION_METRICS, region_side, west_income_per_resident
from sim.model.state import (
    Applications,
    Choices,
    CostLines,
    CountyTable,
    FirmTable,
    LabourTable,
    LastChoice,
    Margins,
    ParamViews,
    ParkTable,
    Prices,
)
from sim.params.schema import Config, validate
from sim.world import geography as geography_mod
from sim.world import groups

logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs each step at INFO


def as_config(config=None) -> Config:
    """A :class:`Config` from None, a Config, or a Hydra/OmegaConf config or plain dict.

    * ``None``: the default config as ``python -m sim.run`` and ``sim.evaluate({})`` compose
      it (:func:`sim.params.compose.compose`), the calibrated point estimate included;
    * a :class:`Config` object: as it is (``Config()`` holds the schema's own defaults,
      uncalibrated: ``run.calibration`` says ``none``);
    * a composed config (typed by the schema): as it is;
    * anything else (a dict, an untyped OmegaConf config) is laid over the schema's defaults.
      If it does not say which calibration it means (``run.calibration``), a warning says that
      the keys it leaves out are uncalibrated defaults.
    """
    if config is None:
        from sim.params.compose import compose

        config = compose()
    if isinstance(config, Config):
        return config
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    from sim.params.schema import ConfigError

    try:
        if (
            OmegaConf.get_type(config) is not Config
        ):  # Hydra's configs are typed by the schema already
            config = OmegaConf.create(config)
            unsaid = OmegaConf.select(config, "run.calibration") is None
            typed = cast(
                Config, OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(Config), config))
            )
            if unsaid:  # a valid config only: a bad one is refused without this aside
                warnings.warn(UNCALIBRATED, stacklevel=3)
            return typed
        return cast(Config, OmegaConf.to_object(config))
    except OmegaConfBaseException as err:
        raise ConfigError(f"Invalid configuration: {str(err).strip().splitlines()[0]}") from None


UNCALIBRATED = (
    "TransferModel(config): the keys this config leaves out take the schema's uncalibrated "
    "defaults (run.calibration=none), not the calibrated ones that TransferModel(), "
    "sim.evaluate and python -m sim.run start from; build the config with "
    "sim.compose(overrides) for those, or set run.calibration to say which you mean."
)


class TransferModel(mesa.Model):
    """Agent-based model of industrial transfer from eastern to western China.

    ``TransferModel()`` runs the default config of ``python -m sim.run`` and ``sim.evaluate``
    (Shanghai–Yunnan, baseline policy, the calibrated point estimate). Pass a config
    (``sim.compose(overrides)``, a ``sim.params.schema.Config``, or a Hydra config; see
    :func:`as_config`), optionally a prepared :class:`~sim.world.geography.Geography`, and
    ``rng`` to override the seed.
    """

    #: One step: these functions of the model, in this order (docs/ODD.md §3).
    PHASES: tuple[Callable[[TransferModel], None], ...] = (
        phases.drift_costs,  # 1 costs drift
        phases.governments_act,  # 2 governments act
        phases.firm_demography,  # 3 firms enter and grow ...
        phases.firms_choose,  #   ... and choose where to produce
        phases.parks_admit,  # 4 parks admit
        phases.labour_market,  # 5 labour market
        phases.produce_and_pay,  # 6 production, taxes, incomes
        phases.advance_clock,  # 7 record the step's end
        phases.record,
    )

    # the state (sim/model/state.py) and what one phase hands to a later one
    prices: Prices
    firms: FirmTable
    parks: ParkTable
    counties: CountyTable
    labour: LabourTable
    choices: Choices
    budget: Budget  # western budgets of this step (governments act → parks, workshops)
    sites: location.WestSites  # park tables of this step (firms choose)
    last_choice: LastChoice  # this step's location choice
    applications: Applications  # firms choose → parks admit
    margins: Margins  # western firms' margins (production and taxes)
    taxes: TaxSplit  # park firms' taxes (production → next step's budgets)
    costs: CostLines  # every channel's cost this step (labour market → record)

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
        self.geo = (
            geography if geography is not None else geography_mod.build(cfg.geography, self.rng)
        )
        ec = self.geo.economy
        self.views = ParamViews.from_config(cfg.economy, geography_mod.west_power_price_ratio(ec))
        self.sectors = geography_mod.load_sectors(ec["west_consumption_share"])
        self._init_prices()
        self._init_counties()
        self._init_parks()
        self._init_firms()
        self._init_labour()
        self._init_record()
        self._handles: dict[type[RowAgent], list[RowAgent]] = {}
        if self.geo.has_stock:
            phases.labour_market(self)  # the stock's plants are staffed at the start
        phases.produce_and_pay(self)  # margins, taxes and incomes of the starting state
        self.west_income0 = west_income_per_resident(self)  # indexes the income ratio
        phases.record(self)

    # ------------------------------------------------------------------ set-up
    def _init_prices(self):
        ec, e = self.geo.economy, self.e
        self.prices = Prices(
            east_wage=ec["east_wage"] * e.east_wage_scale,
            east_land=ec["east_land_cost"],
            migrant_wage_east=ec["migrant_wage_east"] * e.east_wage_scale,
            east_income=ec["east_income_per_capita"],
            migration_cost=e.migration_cost,
            workshop_wage=e.workshop_wage,
            east_contribution_rate=ec["east_contribution_rate"],
            east_contribution_floor=ec["east_contribution_floor"] * e.east_wage_scale,
            west_contribution_rate=ec["west_contribution_rate"],
            west_contribution_floor=ec["west_contribution_floor"] * e.west_wage_scale,
        )

    def _init_counties(self):
        geo, e, pol = self.geo, self.e, self.policy
        n = geo.n_counties
        west = geo.is_west
        self.paired = west & (geo.partner >= 0)
        self.key_county = groups.key_counties(geo)
        pairing = pol.pairing.enabled
        self.counties = CountyTable(
            friction=np.where(west, e.friction_west, e.friction_east),
            debt=np.zeros(n),
            revenue=np.zeros(n),
            retained_tax=np.zeros(n),
            enclave_revenue=np.zeros(n),
            rebated=np.zeros(n),
            subsidy_due=np.zeros(n),
            fiscal_cost=np.zeros(n),
            spend_subsidy=np.zeros(n),
            spend_infrastructure=np.zeros(n),
            spend_workshops=np.zeros(n),
            spend_training=np.zeros(n),
            spend_debt_service=np.zeros(n),
            borrowing=np.zeros(n),
            headroom=np.zeros(n),
            funding_ratio=np.ones(n),
            adaptation=np.ones(n),
            effort=np.where(~west & pairing, pol.pairing.promotion, 0.0),
            landed=np.zeros(
                (n, self.cfg.run.steps_per_year)
            ),  # firms landed in partner parks, last year by step
            n_partners=np.bincount(geo.partner[self.paired], minlength=n).astype(float),
            aid=np.zeros(n),
        )
        self.costs = CostLines(
            dict.fromkeys(accounts.EAST_LINES, 0.0),
            dict.fromkeys(accounts.WEST_LINES, 0.0),
            dict.fromkeys(accounts.WEST_MEMO, 0.0),
        )

    def _init_parks(self):
        geo, e, pol = self.geo, self.e, self.policy
        enclave = geo.park_co_built & pol.enclave.enabled
        partner = geo.partner[geo.park_county]
        self.parks = ParkTable(
            name=geo.park_name,
            county=geo.park_county,
            county_w=geo.park_county - geo.n_east,
            capacity=geo.park_capacity.astype(float).copy(),
            occupancy=np.zeros(geo.n_parks, np.int64),
            land_cost=np.full(geo.n_parks, geo.economy["west_land_cost"] * e.west_land_scale),
            quality0=np.full(geo.n_parks, e.park_quality),
            quality=np.full(geo.n_parks, e.park_quality),
            infra_cum=np.zeros(geo.n_parks),
            investment_cum=np.zeros(geo.n_parks),
            firm_investment_cum=np.zeros(geo.n_parks),
            enclave=enclave,
            partner=partner,
            sector_focus=geo.park_sector,
            co_built=geo.park_co_built,
            # the enclave contract: the partner's expected compliance, effort (0-1) and
            # co-investment (yuan/year)
            expected_compliance=np.ones(geo.n_parks),
            partner_effort=np.zeros(geo.n_parks),
            coinvest=np.zeros(geo.n_parks),
            operator_return=np.zeros(geo.n_parks),
            operator_cost=np.zeros(geo.n_parks),
            contacts=np.zeros(geo.n_parks),
            contacts_landed=np.zeros(geo.n_parks),
            # firm slots under construction, arriving after park_build_years (one column per step)
            pipeline=np.zeros(
                (geo.n_parks, max(int(round(e.park_build_years * self.cfg.run.steps_per_year)), 1))
            ),
            turned_away=np.zeros(geo.n_parks),
            slots_ordered_cum=np.zeros(geo.n_parks),
            slot_spending_cum=np.zeros(geo.n_parks),
            promotion_effort=np.zeros(geo.n_parks),
        )
        # promotion reaches a firm through its home county's partner parks (pairing) and enclave
        # brands
        promoted = np.flatnonzero((partner >= 0) & pol.pairing.enabled)
        self.promo_ptr, self.promo_park = phases.csr(partner[promoted], promoted, geo.n_counties)
        self.enclave_parks = np.flatnonzero(enclave)
        # km from each eastern county (a firm's home market) to each park, computed once
        east = np.arange(geo.n_east)
        self.distance = location.distance_km(
            geo.lon[east, None],
            geo.lat[east, None],
            geo.lon[geo.park_county][None, :],
            geo.lat[geo.park_county][None, :],
        )
        # a firm's match with a park is with its prefecture (the county where none is given)
        pref = geo.county_prefecture[geo.park_county].astype(str)
        self.park_place = place_codes(
            np.where(pref != "", pref, geo.county_name[geo.park_county].astype(str))
        )
        self._init_markets()

    def _init_markets(self):
        """Freight to the national, western and export markets from every home site and park
        (fixed)."""
        geo, sec, mk = self.geo, self.sectors, self.geo.markets
        per_km = markets.freight_per_km(self.e.freight_rate, sec.value_density)
        west_pop = geo.population * geo.is_west
        west_centre = mk.west or (
            float(np.average(geo.lon, weights=west_pop)),
            float(np.average(geo.lat, weights=west_pop)),
        )
        east = np.arange(geo.n_east)
        pc = geo.park_county
        home_dist = markets.market_distances(
            geo.lon[east], geo.lat[east], mk.national, west_centre, mk.gateways
        )
        park_dist = markets.market_distances(
            geo.lon[pc], geo.lat[pc], mk.national, west_centre, mk.gateways
        )
        self.home_sites = location.home_sites(
            home_dist, mk.local_km, sec.markets, per_km, self.views.location
        )
        self.park_freight = markets.freight_beyond_home(park_dist, sec.markets, per_km)
        self.home_leg = markets.home_leg(sec.markets, per_km)
        self.market_map = markets.MarketMap(
            home_km=np.column_stack([np.full(geo.n_east, mk.local_km), home_dist]),
            park_km=park_dist,
            per_km=per_km,
            mix=sec.markets,
        )

    def _init_firms(self):
        e = self.e
        draws = phases.firm_draws(self, self.cfg.geography.n_firms)
        # a chain master leads by size: the largest firms of the starting pool, and entrants as
        # large
        self.chain_master_jobs = (
            np.quantile(draws.jobs, 1 - e.chain_master_share)
            if e.chain_master_share > 0
            else np.inf
        )
        self.firms = FirmTable.new(draws, self.chain_master_jobs)
        # the starting pool's plants are of every age (entrants' are new)
        self.firms.home_plant_age = self.rng.uniform(0.0, e.plant_life_years, draws.home.size)
        if self.geo.has_stock:
            self._init_stock()
        self.applications = Applications.none()
        self.choices = Choices(landed=np.zeros(self.cfg.run.steps_per_year))

    def _init_stock(self):
        """Eastern firms already in the west's parks in the base year (the geography's ``stock``):
        drawn like the pool, placed across counties in proportion to their residents and within a
        county in proportion to its parks' capacities (a county's labour, not its illustrative
        park size, bounds what it can staff), producing in full, branches or full moves, with
        plants of every age since the cooperation began. The data capacities are the free room
        at the start, on top of the stock."""
        e, st, pk, spy = self.e, self.geo.stock, self.parks, self.cfg.run.steps_per_year
        n = st["firms"]
        new = phases.draw_firms(self, n)
        county_cap = np.bincount(pk.county, pk.capacity, self.geo.n_counties)
        weight = self.geo.population[pk.county] * pk.capacity / county_cap[pk.county]
        park = self.rng.choice(pk.capacity.size, size=n, p=weight / weight.sum())
        branch = self.rng.random(n) < st["branch_share"]
        age = self.rng.uniform(0.0, max(self.cfg.run.start_year - st["since"], 0), n)
        new.state = np.where(branch, BRANCH, RELOCATED)
        new.park, new.ever_west, new.west_plant_age = park, np.ones(n, bool), age
        new.share = np.where(branch, e.branch_share, 1.0)
        # steps before the start: no tax holiday left, the plant long ramped up
        new.entry_step = -1 - np.round(age * spy).astype(np.int64)
        new.ready_step = new.entry_step.copy()
        new.home_plant_age = self.rng.uniform(0.0, e.plant_life_years, n)
        self.firms.append(new)
        pk.occupancy = np.bincount(park, minlength=pk.capacity.size).astype(np.int64)
        pk.capacity = pk.capacity + pk.occupancy

    def _init_labour(self):
        geo, e = self.geo, self.e
        ec = geo.economy
        west = geo.is_west
        # each county's census share of residents aged 15-59 where the file has it, else the
        # file's one figure
        share = geo.working_age_share[west]
        working_age = geo.population[west] * np.where(
            np.isfinite(share), share, ec["working_age_share"]
        )
        wpop = working_age * (
            1 - e.inactive_share
        )  # the labour force: the inactive stay outside the pools
        nw = wpop.size
        mig = np.minimum(geo.migrant_share[west], ec["mobile_share"])
        mid = ec["mid_skill_share"]
        nonfarm = geo.nonfarm_share[west]
        local_share = np.nan_to_num(nonfarm, nan=0.0)
        people = np.zeros((nw, 2, 2, N_STATUS))
        for skill, s_share in ((LOW, 1 - mid), (MID, mid)):
            mobile = wpop * s_share * ec["mobile_share"]
            immobile = wpop * s_share * (1 - ec["mobile_share"])
            people[:, skill, MOBILE, MIGRANT] = wpop * s_share * mig
            for mob, rest in (
                (MOBILE, mobile - people[:, skill, MOBILE, MIGRANT]),
                (IMMOBILE, immobile),
            ):
                people[:, skill, mob, labour.IDLE] = rest * e.idle_share
                workers = rest * (1 - e.idle_share)
                # the census non-farm share of resident workers hold local jobs (local industry
                # and services), the rest farm
                people[:, skill, mob, labour.SERVICE] = local_economy.local_jobs_at_start(
                    workers, nonfarm
                )
                people[:, skill, mob, labour.FARM] = workers * (1 - local_share)
        # each county's wage level follows its minimum-wage tier (geography.wage_index);
        # west_wage_scale shifts it as a counterfactual, after the start is calibrated at the data
        data_wage = np.outer(
            geo.wage_index[west], np.array([ec["west_wage_low"], ec["west_wage_mid"]])
        )
        wage0 = data_wage * e.west_wage_scale
        if self.geo.has_stock:
            people = local_economy.stock_staffed_from_local_jobs(people, phases.park_demand(self))
        local_jobs0 = people[..., labour.SERVICE].sum(axis=(1, 2))
        farm, other, reported = self._start_incomes(people, working_age - wpop, data_wage)
        self.labour = LabourTable(
            people=people,
            wage=wage0.copy(),
            prevailing=wage0,
            working_age=working_age,
            inactive=working_age - wpop,
            workshop_slots=np.zeros(nw),
            trainees_funded=np.zeros(nw),
            workshop_sales0=e.workshop_sales_per_job,
            processing=np.zeros(nw),
            service_demand=local_jobs0.copy(),
            local_jobs0=local_jobs0,
            trained0=skills.trained_share(people),
            farm_income=np.full(nw, farm),
            reservation_ratio=local_economy.reservation_ratio(
                nonfarm, e.surplus_farm_labour, data_wage[:, LOW], farm, e.reservation_sigma
            ),
            other_income=other,
            reported_income=reported,
            farm_bonus=np.zeros(nw),
            seller_bonus=np.zeros(nw),
            transfer=ec["west_transfer_per_capita"],
            low_income_line=e.low_income_line,
            income_pc=np.zeros(nw),
            low_income=np.zeros(nw),
            demand=np.zeros((nw, 2)),
            east_income=np.zeros((nw, 2)),
            income_total=np.zeros(nw),
            income_by_type=np.zeros((nw, 2, 2)),
            population0=geo.population[west].astype(float),
            migrants0=people[..., MIGRANT].sum(axis=(1, 2)),
            matching_participants=np.zeros(nw),
        )
        self.labour.east_income = phases.migrant_income(self)

    def _start_incomes(
        self, people: np.ndarray, inactive: np.ndarray, data_wage: np.ndarray
    ) -> tuple[float, np.ndarray, np.ndarray]:
        """Farm earnings per farm worker (yuan/year), each county's other income (W,) and the
        per-capita income it reproduces (W,), at the file's wages and without any policy.

        Where the geography lacks the income figures or the urban shares, farm earnings are the
        file's ``farm_income``, there is no other income, and the reported income is NaN.
        """
        geo, ec, e = self.geo, self.geo.economy, self.e
        west = geo.is_west
        nw = people.shape[0]
        urban = geo.urban_share[west] if geo.urban_share is not None else np.full(nw, np.nan)
        keys = (
            "west_income_per_capita",
            "west_urban_income_per_capita",
            "west_rural_income_per_capita",
            "west_other_income_share",
        )
        if not all(k in ec for k in keys) or np.isnan(urban).any():
            return ec["farm_income"], np.zeros(nw), np.full(nw, np.nan)
        pop = geo.population[west]
        income_pc = geo.income_pc[west] if geo.income_pc is not None else np.full(nw, np.nan)
        if np.isfinite(income_pc).all():
            # the file's county incomes (start_income.csv), anchored to the official mean
            reported = income_pc * ec["west_income_per_capita"] * pop.sum() / (income_pc @ pop)
        else:
            reported = local_economy.reported_income(
                urban,
                ec["west_urban_income_per_capita"],
                ec["west_rural_income_per_capita"],
                ec["west_income_per_capita"],
                pop,
            )
        by_status = people.sum(axis=2)  # (W, skill, status)
        residents = by_status.sum(axis=(1, 2)) - by_status[:, :, MIGRANT].sum(axis=1) + inactive
        transfers = ec["west_transfer_per_capita"] * residents
        other = local_economy.other_income(reported, pop, ec["west_other_income_share"], transfers)
        # a migrant's expected eastern earnings, before any policy (as phases.migrant_income)
        east = (
            ec["migrant_wage_east"] * (data_wage / data_wage[:, :1]) * min(e.east_job_finding, 1.0)
        )
        wages = by_status[:, :, labour.SERVICE].sum(axis=1) * data_wage[:, LOW]
        remitted = e.remittance_share * (by_status[:, :, MIGRANT] * east).sum(axis=1)
        farm = local_economy.farm_earnings(
            reported,
            pop,
            wages + remitted + transfers + other,
            by_status[:, :, labour.FARM].sum(axis=1),
        )
        return farm, other, reported

    def _init_record(self) -> None:
        n_rows = self.n_steps + 1
        self.history = {k: np.zeros(n_rows) for k in METRICS}
        self.region_history = {k: np.zeros((n_rows, self.geo.n_counties)) for k in REGION_METRICS}
        self.metrics: dict[str, float] = {}

    # ------------------------------------------------------------------ process
    def step(self):
        """One step (a quarter by default): :attr:`PHASES` in order."""
        for phase in self.PHASES:
            phase(self)

    def run(self, progress=None):
        """Run the configured horizon; ``progress(step)`` is called after each step if given."""
        for _ in range(self.n_steps - self.t):
            self.step()
            if progress is not None:
                progress(self.t)
        return self

    # ------------------------------------------------------------------ Mesa's views
    @property
    def datacollector(self) -> mesa.DataCollector:
        """A Mesa DataCollector holding the recorded steps, built from :attr:`history` when asked
        for.

        The history is the run's one store; this view is for Mesa's tools (SolaraViz plots,
        ``batch_run``), which read ``model_vars`` and ``get_model_vars_dataframe()``.
        """
        n = self.t + 1
        dc = mesa.DataCollector(model_reporters={k: k for k in METRICS})
        dc.model_vars = {k: self.history[k][:n].tolist() for k in METRICS}
        dc._collection_steps = list(range(n))
        return dc

    def _agent_handles(self, cls: type[RowAgent], n_rows: int) -> list[RowAgent]:
        """The handles of ``cls`` for rows ``0..n_rows-1``, made (and registered with Mesa) when
        first asked for."""
        have = self._handles.setdefault(cls, [])
        if len(have) < n_rows:
            have.extend(_register_handles(self, cls, range(len(have), n_rows)))
        return have

    def _all_handles(self) -> None:
        """Make every row's handle, so Mesa's agent registry holds every agent."""
        geo = self.geo
        for cls, n in (
            (CountyGovernment, geo.n_counties),
            (WesternPark, geo.n_parks),
            (LabourPool, geo.n_west),
            (EasternFirm, self.firms.size),
        ):
            self._agent_handles(cls, n)

    @property
    def county_agents(self) -> list[CountyGovernment]:
        self._all_handles()
        return self._handles[CountyGovernment]

    @property
    def park_agents(self) -> list[WesternPark]:
        self._all_handles()
        return self._handles[WesternPark]

    @property
    def labour_pools(self) -> list[LabourPool]:
        self._all_handles()
        return self._handles[LabourPool]

    @property
    def firm_agents(self) -> list[EasternFirm]:
        self._all_handles()
        return self._handles[EasternFirm]

    @property
    def agents(self):
        """Mesa's set of all agents (every row's handle)."""
        self._all_handles()
        return mesa.Model.agents.fget(self)

    @property
    def agents_by_type(self):
        """Mesa's agent sets by type (every row's handle)."""
        self._all_handles()
        return mesa.Model.agents_by_type.fget(self)

    @property
    def agent_types(self) -> list[type]:
        self._all_handles()
        return mesa.Model.agent_types.fget(self)

    def income_ratio(self) -> float:
        """East/west per-capita disposable income (see :func:`sim.model.metrics.income_ratio`)."""
        from sim.model.metrics import income_ratio

        return income_ratio(self)

    def producing_share(self, firms: np.ndarray, t: int | None = None) -> np.ndarray:
        """Share of the output and jobs of ``firms`` (row numbers) produced in their western
        plants at step ``t`` (share; default: now), the ramp-up counted in whole steps
        (:func:`sim.model.mechanisms.location.producing_share`)."""
        f, e = self.firms, self.e
        return location.producing_share(
            f.share[firms],
            f.ready_step[firms],
            self.t if t is None else t,
            e.ramp_start,
            int(round(e.ramp_up_years * self.cfg.run.steps_per_year)),
        )

    # ------------------------------------------------------------------ results
    def summary(self) -> dict[str, float]:
        """Final-step outcomes (docs/ODD.md, outputs), plain Python numbers."""
        return {k: float(self.history[k][self.t]) for k in METRICS}

    def timeseries(self):
        """One row per recorded step (step 0 is the starting state)."""
        import pandas as pd

        steps = np.arange(self.t + 1)
        return pd.DataFrame(
            {**self.calendar(steps), **{k: v[: self.t + 1] for k, v in self.history.items()}}
        )

    def calendar(self, steps) -> dict:
        """``step``, integer ``year`` and the period within it (``quarter`` 1–4 when quarterly)."""
        per_year = self.cfg.run.steps_per_year
        period = "quarter" if per_year == 4 else "period"
        return {
            "step": steps,
            "year": self.cfg.run.start_year + steps // per_year,
            period: steps % per_year + 1,
        }

    def regions(self):
        """One row per recorded step per county."""
        import pandas as pd

        geo, n = self.geo, self.t + 1
        codes = geography_mod.county_codes(geo.name)
        steps = np.repeat(np.arange(n), geo.n_counties)
        tile = lambda names: pd.Categorical.from_codes(np.tile(np.arange(geo.n_counties), n), names)  # noqa: E731
        df = pd.DataFrame(
            {
                **self.calendar(steps),
                "county": tile(geo.county_name.astype(str)),
                "code": pd.Categorical(
                    np.tile([codes.get(c) for c in geo.county_name], n)
                ),  # GB/T 2260
                "prefecture": _tiled_categorical(geo.county_prefecture.astype(str), n),
                "side": _tiled_categorical(np.where(geo.is_west, "west", "east"), n),
                "lon": np.tile(geo.lon, n),
                "lat": np.tile(geo.lat, n),  # approximate county seats
            }
        )
        west = np.tile(geo.is_west, n)
        not_applicable = {
            "west": ~west,
            "east": west,
        }  # a west-only outcome is NaN, not 0, in eastern rows
        for k, v in self.region_history.items():
            mask = not_applicable.get(region_side(k))
            df[k] = v[:n].ravel() if mask is None else np.where(mask, np.nan, v[:n].ravel())
        for k, v in self.county_attributes().items():
            df[k] = v.take(np.tile(np.arange(geo.n_counties), n))
        return df

    def county_attributes(self) -> dict:
        """Per county, the attributes that group counties in ``regions.parquet``
        (``REGION_ATTRIBUTES``): from the geography file, and the start income of this run."""
        import pandas as pd

        geo, west = self.geo, self.geo.is_west

        def text(values) -> pd.Categorical:  # "" (none in the file) is missing
            cat = pd.Categorical(np.asarray(values, dtype=str))
            return cat.remove_categories([""]) if "" in cat.categories else cat

        start = np.where(west, self.region_history["income_per_capita"][0], np.nan)
        quintile = pd.array(groups.quintile(start, west), dtype="Int8")
        quintile[~west] = pd.NA
        return {
            "county_zh": text(geo.county_name_zh),
            "province": text(geo.county_province),
            "population": pd.array(geo.population, dtype=float),
            "urban_district": pd.array(groups.urban_districts(geo), dtype=bool),
            "partner": text(groups.partners(geo)),
            "min_wage_tier": text(np.where(west, np.asarray(geo.wage_tier, dtype=str), "")),
            "income_start": pd.array(start, dtype=float),
            "income_quintile": quintile,
        }


def _tiled_categorical(values: np.ndarray, n: int):
    """``pd.Categorical(np.tile(values, n))`` of strings, sorting the distinct values once rather
    than n copies."""
    import pandas as pd

    categories, codes = np.unique(values, return_inverse=True)
    return pd.Categorical.from_codes(np.tile(codes, n), categories)


def _register_handles(model: TransferModel, cls: type[RowAgent], rows: range) -> list[RowAgent]:
    """Handles of ``cls`` for ``rows``, registered with Mesa in bulk.

    Each is what ``cls(model, row)`` makes and registers; made without the per-agent
    call chain (Agent.__init__, register_agent, its signal), unless someone listens to
    Mesa's agent signals or datasets, where the agents are made one by one.
    """
    listening = (
        getattr(model, "_batch_context", None) is not None
        or cls._datasets
        or any(key[0] == "agents" for key in getattr(model, "subscribers", {}))
    )
    if listening:
        return [cls(model, row) for row in rows]
    new = object.__new__
    first = model.agent_id_counter
    handles = []
    for uid, row in enumerate(rows, start=first):
        a = new(cls)
        a.__dict__.update(model=model, unique_id=uid, pos=None, row=row)
        handles.append(a)
    model.agent_id_counter = first + len(handles)
    everyone = mesa.Model.agents.fget(model)
    by_type = mesa.Model.agents_by_type.fget(model)
    for a in handles:
        everyone.add(a)
    if cls in by_type:
        for a in handles:
            by_type[cls].add(a)
    else:
        from mesa.agentset import _HardKeyAgentSet

        by_type[cls] = _HardKeyAgentSet(handles, random=model.random)
    return handles
