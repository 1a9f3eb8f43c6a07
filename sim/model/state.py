"""The model's state as typed tables of arrays, and the hand-offs between phases.

Each table is a dataclass of numpy arrays, one row per firm, park, county or
western labour pool; the Mesa agents are handles to rows (``sim/model/agents.py``).
A hand-off is what one phase of a step leaves for a later one (``sim/model/phases.py``).
Amounts are yuan/year and shares are of a firm's home output unless a field says otherwise.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING

import numpy as np

from sim.model.mechanisms.demography import FirmDraws, FirmParams
from sim.model.mechanisms.government import BudgetParams
from sim.model.mechanisms.labour import MIGRANT as MIGRANT_STATUS
from sim.model.mechanisms.labour import LabourFlows, LabourParams
from sim.model.mechanisms.location import LocationParams, LocationShocks
from sim.model.mechanisms.production import TaxRates
from sim.model.mechanisms.skills import SkillParams
from sim.model.mechanisms.workshops import WorkshopBooks, WorkshopParams

if TYPE_CHECKING:
    from sim.params.schema import EconomyConfig


@dataclass(frozen=True)
class ParamViews:
    """Each mechanism's view of the economy config (``sim/model/mechanisms``), made once a model."""

    firms: FirmParams
    budgets: BudgetParams
    workshops: WorkshopParams
    location: LocationParams
    labour: LabourParams
    taxes: TaxRates
    skills: SkillParams

    @classmethod
    def from_config(cls, economy: EconomyConfig, west_power_price_ratio: float) -> ParamViews:
        """The views of ``economy``; ``west_power_price_ratio`` is the geography's (west/east
        industrial power price), used unless the config sets ``economy.west_power_price_ratio``."""
        location = LocationParams.from_config(economy)
        if economy.west_power_price_ratio is None:
            location = replace(location, west_power_price_ratio=west_power_price_ratio)
        return cls(
            firms=FirmParams.from_config(economy),
            budgets=BudgetParams.from_config(economy),
            workshops=WorkshopParams.from_config(economy),
            location=location,
            labour=LabourParams.from_config(economy),
            taxes=TaxRates.from_config(economy),
            skills=SkillParams.from_config(economy),
        )


@dataclass
class Prices:
    """Exogenous prices that drift each step (yuan/job/year or yuan/year)."""

    east_wage: float  # sets output per job (yuan/job/year)
    east_land: float
    migrant_wage_east: float
    east_income: float  # eastern per-capita disposable income (yuan/year)
    migration_cost: float  # living costs of a migrant in the east (yuan/year)
    workshop_wage: float
    # employer social insurance: rates (share of the base) and floors of the base (yuan/year)
    east_contribution_rate: float
    east_contribution_floor: float
    west_contribution_rate: float
    west_contribution_floor: float
    capital_price: float = 1.0  # price of plant capital relative to the start (ratio)


@dataclass
class FirmTable(FirmDraws):
    """Every eastern firm ever in the at-risk pool (rows are never removed: exited firms stay)."""

    chain_master: np.ndarray  # leads a supply chain (bool)
    state: np.ndarray  # HOME, BRANCH, RELOCATED or EXITED (location.py)
    park: np.ndarray  # park of its western plant, -1 if none
    share: np.ndarray  # share of output and jobs in the west once the plant runs
    allocation: np.ndarray  # freight a branch saves on its nearest markets (fixed)
    entry_step: np.ndarray  # step it entered its park (-1 never)
    ready_step: np.ndarray  # step its western plant starts producing (-1 none)
    loss_steps: np.ndarray  # steps in a row its site has lost money
    backlog: np.ndarray  # capacity wanted, share of its jobs
    expanded_west: np.ndarray  # built an expansion plant in a western park (bool)
    ever_west: np.ndarray  # has landed in a western park (bool)
    margin: np.ndarray  # after-tax margin where it is now
    home_margin: np.ndarray  # after-tax margin at home
    prompted: np.ndarray  # enclave park an operator prompted it to view at its next choice, -1
    home_plant_age: np.ndarray  # years since its home plant was (re)built, capacity-weighted
    west_plant_age: np.ndarray  # years since its western plant was built (0 if none)

    @classmethod
    def new(cls, draws: FirmDraws, chain_master_jobs: float) -> FirmTable:
        """Firms that produce only at home; chain masters are those at least ``chain_master_jobs``
        large."""
        n = draws.home.size
        return cls(
            **vars(draws),
            chain_master=draws.jobs >= chain_master_jobs,
            state=np.zeros(n, np.int64),
            park=np.full(n, -1, np.int64),
            share=np.zeros(n),
            allocation=np.zeros(n),
            entry_step=np.full(n, -1, np.int64),
            ready_step=np.full(n, -1, np.int64),
            loss_steps=np.zeros(n, np.int64),
            backlog=np.zeros(n),
            expanded_west=np.zeros(n, bool),
            ever_west=np.zeros(n, bool),
            margin=np.zeros(n),
            home_margin=np.zeros(n),
            prompted=np.full(n, -1, np.int64),
            home_plant_age=np.zeros(n),
            west_plant_age=np.zeros(n),
        )

    @property
    def size(self) -> int:
        return self.state.size

    def append(self, new: FirmTable) -> range:
        """Append ``new`` firms' rows to every column (in place); their row numbers.

        Each column is a view of the first rows of a buffer that doubles when full, so
        entrants cost their own rows, not a copy of every firm's (amortised). A column a
        phase has replaced by a new array is copied into a buffer first.
        """
        n0, k = self.size, new.size
        for f in fields(self):
            column, added = getattr(self, f.name), getattr(new, f.name)
            buf, dtype = _growth_buffer(column), np.result_type(column.dtype, added.dtype)
            if buf is None or buf.shape[0] < n0 + k or buf.dtype != dtype:
                buf = np.empty((max(2 * n0, n0 + k, 16),) + column.shape[1:], dtype)
                _BUFFERS[id(buf)] = buf
                buf[:n0] = column
            buf[n0 : n0 + k] = added
            setattr(self, f.name, buf[: n0 + k])
        return range(n0, n0 + k)


class FirmRows:
    """Some rows of a firm table, read like the table: a column read is those rows of it, and a
    column set is written into those rows (the rest of the table is left as it was)."""

    def __init__(self, table: FirmTable, rows: np.ndarray):
        object.__setattr__(self, "_table", table)
        object.__setattr__(self, "_rows", rows)

    def __getattr__(self, name: str) -> np.ndarray:
        column = getattr(self._table, name)[self._rows]
        object.__setattr__(self, name, column)  # read once
        return column

    def __setattr__(self, name: str, values: np.ndarray) -> None:
        getattr(self._table, name)[self._rows] = values
        object.__setattr__(self, name, values)


# buffers made by FirmTable.append (by id; an entry goes when its buffer is freed)
_BUFFERS: weakref.WeakValueDictionary[int, np.ndarray] = weakref.WeakValueDictionary()


def _growth_buffer(column: np.ndarray) -> np.ndarray | None:
    """The append buffer ``column`` is the first rows of, or None (a column made some other way)."""
    base = column.base
    if (
        base is None
        or _BUFFERS.get(id(base)) is not base
        or column.ctypes.data != base.ctypes.data
        or column.strides != base.strides
    ):
        return None
    return base


@dataclass
class ParkTable:
    """Western industrial parks."""

    name: np.ndarray
    county: np.ndarray  # county row
    county_w: np.ndarray  # western labour-pool row of its county
    capacity: np.ndarray  # firm slots (fractional while it grows)
    occupancy: np.ndarray  # firms in the park
    land_cost: np.ndarray  # yuan/job/year before discount
    quality0: np.ndarray  # starting infrastructure quality (0–1)
    quality: np.ndarray  # infrastructure quality (0–1)
    infra_cum: np.ndarray  # infrastructure investment so far (yuan)
    investment_cum: np.ndarray  # county and partner investment so far (yuan)
    firm_investment_cum: np.ndarray  # investment brought by firms so far (yuan)
    enclave: np.ndarray  # run by the eastern partner (bool)
    partner: np.ndarray  # eastern partner county, -1 if none
    sector_focus: np.ndarray  # sector, -1 if none
    co_built: np.ndarray  # co-built with the partner (bool)
    expected_compliance: np.ndarray  # the enclave partner's expected compliance (share)
    partner_effort: np.ndarray  # the enclave partner's effort (0–1)
    coinvest: np.ndarray  # the enclave partner's co-investment (yuan/year)
    operator_return: np.ndarray  # what the partner expects its effort and co-investment to
    #   bring back (yuan/year)
    operator_cost: np.ndarray  # what it spends on them (yuan/year)
    contacts: np.ndarray  # firms its network and chain prompts brought to view it so far
    contacts_landed: np.ndarray  # those of them it admitted
    pipeline: np.ndarray  # (park, steps) slots under construction, one column per step
    turned_away: np.ndarray  # applicants turned away for want of room last step (firms)
    slots_ordered_cum: np.ndarray  # slots ordered so far, by the county and the operator (firms)
    slot_spending_cum: np.ndarray  # what the county spent on them so far (yuan)
    promotion_effort: np.ndarray  # promotion behind each park this step (multiplier)


@dataclass
class CountyTable:
    """County governments, eastern and western (amounts by county)."""

    friction: np.ndarray  # administrative friction cost for firms (share of output)
    debt: np.ndarray  # yuan
    revenue: np.ndarray  # yuan/year
    retained_tax: np.ndarray  # park tax kept (yuan/year)
    enclave_revenue: np.ndarray  # enclave tax received by eastern partners (yuan/year)
    rebated: np.ndarray  # park tax rebated in holidays (yuan/year)
    subsidy_due: np.ndarray  # land discounts promised (yuan/year)
    fiscal_cost: np.ndarray  # land discounts paid (yuan/year)
    spend_subsidy: np.ndarray  # yuan/year
    spend_infrastructure: np.ndarray
    spend_workshops: np.ndarray
    spend_training: np.ndarray
    spend_debt_service: np.ndarray
    borrowing: np.ndarray  # yuan this step
    headroom: np.ndarray  # borrowing allowed before this step (yuan)
    funding_ratio: np.ndarray  # share of promised land discounts paid (0–1)
    adaptation: np.ndarray  # east: promotion effort multiplier adapted to targets
    effort: np.ndarray  # east: promotion effort (multiplier)
    landed: np.ndarray  # (county, steps of a year) firms landed in partner parks, by step
    n_partners: np.ndarray  # east: paired western counties
    aid: np.ndarray  # east → west fiscal aid (yuan/year)


@dataclass
class LabourTable:
    """Western labour pools (one per western county, W) and households."""

    people: np.ndarray  # (W, skill, mobility, status) persons
    wage: np.ndarray  # (W, skill) yuan/year
    prevailing: np.ndarray  # (W, skill) the wider western economy's wage (yuan/year)
    working_age: np.ndarray  # persons
    inactive: np.ndarray  # persons outside the labour force
    workshop_slots: np.ndarray  # workshop jobs open
    trainees_funded: np.ndarray  # persons the county budget trains this step
    workshop_sales0: float  # sales per workshop job in an empty market (yuan/job-year)
    processing: np.ndarray  # processed procurement bought (yuan/year)
    service_demand: np.ndarray  # local jobs demanded outside parks and workshops
    local_jobs0: np.ndarray  # local employers' jobs at the prevailing wage (start, persons)
    trained0: np.ndarray  # trained (mid-skill) share of resident workers at the start (W,)
    farm_income: np.ndarray  # farm earnings per farm worker (yuan/year)
    reservation_ratio: np.ndarray  # median reservation wage over farm income (ratio)
    other_income: np.ndarray  # property income and transfers beyond the model's own (yuan/year)
    reported_income: np.ndarray  # per-capita disposable income the start reproduces (yuan/year
    #   per resident; NaN where the geography has no income figures)
    farm_bonus: np.ndarray  # county mean extra farm income from procurement (yuan/year)
    seller_bonus: np.ndarray  # extra farm income of the farmers who sell (yuan/year)
    transfer: float  # public transfer per resident (yuan/year)
    low_income_line: float  # yuan/year/person
    demand: np.ndarray  # (W, skill) park jobs demanded
    east_income: np.ndarray  # (W, skill) what a migrant expects in the east (yuan/year)
    income_pc: np.ndarray  # per-capita disposable income of residents (yuan/year)
    low_income: np.ndarray  # share of the labour force below the line
    income_total: np.ndarray  # yuan/year
    income_by_type: np.ndarray  # (W, skill, mobility) own earnings per person (yuan/year)
    workshops: WorkshopBooks | None = (
        None  # this step's workshop books (None before the first step)
    )
    flows: LabourFlows | None = None  # this step's flows (None before the first step)
    # residents (all ages) at the start: the census population; a long-term migrant is not one
    population0: np.ndarray = field(default_factory=lambda: np.zeros(0))
    migrants0: np.ndarray = field(default_factory=lambda: np.zeros(0))  # at the start (persons)
    matching_participants: np.ndarray = field(
        default_factory=lambda: np.zeros(0)
    )  # job-matching participants this year (persons)

    def residents(self) -> np.ndarray:
        """Resident population (W,), all ages: the start's census residents less the migrants
        who have left since (plus those who came back), at least 1."""
        migrants = self.people[..., MIGRANT_STATUS].sum(axis=(1, 2))
        return np.maximum(self.population0 - (migrants - self.migrants0), 1.0)


#: A move whose measured gain over staying is within this share of output/year is "marginal":
#: it rests on taste, not on measured costs.
MARGINAL_GAIN = 0.002


@dataclass
class Choices:
    """Counters of the location choice and firm demography (diagnostics)."""

    landed: np.ndarray  # firms landed in the west by step, last year (newest first)
    moves: int = 0
    paying: int = 0
    marginal: int = 0  # moves whose measured gain is within MARGINAL_GAIN of staying
    gain_sum: float = 0.0
    expansions_west: int = 0
    expansions_home: int = 0
    entered: int = 0
    branch_closures: int = 0
    network_prompts: int = 0  # firms enclave operators' networks prompted
    chain_prompts: int = 0  # firms prompted by a chain master landing in an enclave park

    def count_moves(self, gain: np.ndarray) -> None:
        """Location changes that happen: how many, how many pay, their summed gain."""
        self.moves += gain.size
        self.paying += int((gain > 0).sum())
        self.marginal += int((np.abs(gain) <= MARGINAL_GAIN).sum())
        self.gain_sum += float(gain.sum())


# ------------------------------------------------------------------ hand-offs between phases
@dataclass
class LastChoice:
    """This step's location choice (firms choose → diagnostics, tests, benchmarks)."""

    shocks: LocationShocks
    candidates: np.ndarray  # (R, K) candidate parks, -1 empty
    firms: np.ndarray  # reviewing firms
    new_state: np.ndarray  # -1 to stay
    park: np.ndarray  # target park, -1 if none
    gain: np.ndarray  # deterministic gain over staying (share of output/year)
    expanding: np.ndarray  # expanding firms choosing where to build (bool)
    capital: np.ndarray  # plant capital the chosen option builds (yuan), 0 to stay


@dataclass
class Applications:
    """Applications to parks (firms choose → parks admit)."""

    firm: np.ndarray
    park: np.ndarray
    state: np.ndarray  # BRANCH or RELOCATED
    taste: np.ndarray  # taste for the new site (share of output/year)
    expansion: np.ndarray  # western share of an expansion plant, -1 if not an expansion
    gain: np.ndarray  # deterministic gain over staying (share of output/year)

    @classmethod
    def none(cls) -> Applications:
        i, x = np.zeros(0, np.int64), np.zeros(0)
        return cls(i, i, i, x, x, x)


@dataclass
class Margins:
    """Western firms' margins at this step's prices (book margins → production and taxes)."""

    firms: np.ndarray  # firms in the west
    share: np.ndarray  # their western share
    park: np.ndarray
    west: np.ndarray  # after-tax margin of the western plant (share of home output/year)
    holiday: np.ndarray  # in a tax holiday (bool)
    match: np.ndarray  # their match with their park's prefecture (ratio, site_match.py)

    def keep(self, mask: np.ndarray) -> Margins:
        return Margins(*(column[mask] for column in vars(self).values()))


@dataclass
class CostLines:
    """Every channel's cost this step, eastern and western accounts (yuan/year, ``accounts.py``)."""

    east: dict[str, float] = field(default_factory=dict)
    west: dict[str, float] = field(default_factory=dict)
    west_memo: dict[str, float] = field(default_factory=dict)  # beside the lines, in no total

    @property
    def east_labour(self) -> float:
        """Eastern spending on labour cooperation: matching, training, migration support."""
        return sum(self.east.get(k, 0.0) for k in ("matching", "training", "migration_support"))
