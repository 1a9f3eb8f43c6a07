"""The enclave as a contract, and the eastern operator's own objective (docs/ODD.md §7.12).

An enclave park is co-built (the Lingang–Kunming model reported by Yunnan Daily 2024): the
western state investment company (heavy asset) builds from the county budget; the eastern park
group (light asset) brings brand, management and people, and its network of firms. The operator
is paid by the share of the park's locally retained tax the contract promises it
(``tax_share_east``), as far as it expects the west to pay (expected compliance, learned from
what is actually paid). Each step it chooses its effort and its co-investment to maximise what
it expects to get back net of what it spends:

- effort (0–1) brings *network contacts*: firms from anywhere in the east, which would not
  otherwise review their location now, prompted to review with the park in view; a share of them
  land there (the operator learns which share). Effort also raises referrals (promotion), lowers
  tenants' friction (operation) and, when a chain master lands in the park, prompts same-sector
  firms of its home county (组团转移);
- co-investment (yuan/year) builds slots, worth something to the operator only when its effort
  would land more firms than the park has room for.

So a share below the operator's break-even buys no effort at all, and the operator never spends
more than it expects back. Amounts are yuan/year unless a name or docstring says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# the operator's choices are scored on a grid (a numerical setting, not a model number):
# effort 0, 0.025, ..., 1 and co-investment 0, 1/4, ..., 1 of its ceiling
EFFORT_GRID = np.linspace(0.0, 1.0, 41)
COINVEST_GRID = np.linspace(0.0, 1.0, 5)


def learn_compliance(
    expected: np.ndarray, actual: float, learning_per_year: float, dt: float
) -> np.ndarray:
    """Expected compliance (share) after ``dt`` years of watching ``actual`` payments."""
    step = 1.0 - np.exp(-learning_per_year * dt)
    return expected + step * (actual - expected)


def landing_share(
    contacts: np.ndarray, landed: np.ndarray, prior: float, prior_weight: float
) -> np.ndarray:
    """Share of its contacts an operator expects to land in its park (share).

    ``contacts``: firms its network and chain prompts brought to review with the park in view so
    far; ``landed``: those of them admitted to the park. Beta-binomial mean: the ``prior`` share
    counts as ``prior_weight`` contacts.
    """
    return (prior * prior_weight + landed) / (prior_weight + contacts)


def tax_per_tenant(
    local_tax: np.ndarray, producing: np.ndarray, in_enclave: np.ndarray, prior: float
) -> float:
    """Locally retained tax of a tenant of an enclave park at full output (yuan/firm/year).

    ``local_tax`` (yuan/year) and ``producing`` (share of the firm's western plant producing now)
    of each western firm; ``in_enclave`` (bool) marks tenants of enclave parks. The holiday rebate
    is counted in (the operator values the years after it). ``prior`` until a tenant produces.
    """
    full = float(producing[in_enclave].sum())
    return float(local_tax[in_enclave].sum()) / full if full >= 1.0 else prior


def landing_room(
    capacity: np.ndarray, occupancy: np.ndarray, pipeline: np.ndarray, steps_per_year: int
) -> np.ndarray:
    """Firms a park can take over the coming year (firms): whole free slots now plus the slots
    its pipeline (park, steps to completion) delivers within the year."""
    free = np.maximum(np.floor(capacity + 1e-9) - occupancy, 0.0)
    return free + pipeline[:, :steps_per_year].sum(axis=1)


def value_per_firm(
    tax_share_east: float,
    expected_compliance: np.ndarray,
    tax_per_firm: float,
    horizon_years: float,
    holiday_years: float,
) -> np.ndarray:
    """What the operator expects from one more tenant (yuan/firm): its share of the tenant's
    retained tax, times the compliance it expects, over the years of its horizon after the
    tenant's tax holiday."""
    years = max(horizon_years - holiday_years, 0.0)
    return tax_share_east * np.asarray(expected_compliance, float) * tax_per_firm * years


@dataclass
class OperatorChoice:
    """Each enclave park's operator's choice (by park) and what it expects of it."""

    effort: np.ndarray  # 0–1
    coinvest: np.ndarray  # yuan/year
    expected_return: np.ndarray  # yuan/year: value of the firms it expects its choice to land
    cost: np.ndarray  # yuan/year: operating cost of the effort plus the co-investment


def operator_cost(
    effort: np.ndarray, coinvest: np.ndarray, fixed_cost: float, effort_cost: float
) -> np.ndarray:
    """Yearly spending of an operator (yuan/year): a fixed cost of running the joint operating
    company while it makes any effort, ``effort_cost × effort²`` (staff, events, the network's
    upkeep), and its co-investment."""
    effort = np.asarray(effort, float)
    return np.where(effort > 0, fixed_cost, 0.0) + effort_cost * effort**2 + coinvest


def best_response(
    value: np.ndarray,
    landings_full: np.ndarray,
    room: np.ndarray,
    *,
    slots_per_yuan: float,
    coinvest_max: float,
    fixed_cost: float,
    effort_cost: float,
) -> OperatorChoice:
    """Each operator's effort and co-investment maximising expected return minus cost.

    ``value`` (park,) yuan per firm landed (:func:`value_per_firm`); ``landings_full`` (park,)
    firms/year it expects its contacts to land at full effort; ``room`` (park,) firms the park can
    take over the year (:func:`landing_room`); co-investment of ``k`` yuan/year adds
    ``k × slots_per_yuan`` slots (firms), up to ``coinvest_max`` yuan/year. Expected return
    = value × min(landings_full × effort, room + slots added); cost :func:`operator_cost`.
    Scored on a grid holding zero effort and zero co-investment, so the best net is ≥ 0: an
    operator never spends more than it expects back. Ties go to the smaller spending.
    """
    e = EFFORT_GRID[None, :, None]
    k = coinvest_max * COINVEST_GRID[None, None, :]
    v, lam, r = (np.asarray(a, float)[:, None, None] for a in (value, landings_full, room))
    landed = np.minimum(lam * e, r + k * slots_per_yuan)
    back = v * landed
    cost = operator_cost(e, k, fixed_cost, effort_cost)
    net = (back - cost).reshape(v.shape[0], EFFORT_GRID.size * COINVEST_GRID.size)
    best = np.argmax(net, axis=1)  # the first of equal nets: the grid runs from zero upwards
    ie, ik = np.unravel_index(best, (EFFORT_GRID.size, COINVEST_GRID.size))
    rows = np.arange(v.shape[0])
    effort, coinvest = EFFORT_GRID[ie], coinvest_max * COINVEST_GRID[ik]
    return OperatorChoice(
        effort=effort,
        coinvest=coinvest,
        expected_return=back[rows, ie, ik],
        cost=operator_cost(effort, coinvest, fixed_cost, effort_cost),
    )


def sector_prospects(
    sector: np.ndarray, in_west: np.ndarray, active: np.ndarray, n_sectors: int
) -> np.ndarray:
    """How promising an operator finds a firm of each sector (share, by sector): the share of the
    sector's active firms already in western parks (plus one of each, so a sector nobody has
    moved yet is not ruled out). Investment promotion works industry by industry."""
    west = np.bincount(sector[in_west], minlength=n_sectors)
    all_ = np.bincount(sector[active], minlength=n_sectors)
    return (west + 1.0) / (all_ + 1.0)


def network_prompts(
    rng: np.random.Generator,
    effort: np.ndarray,
    parks: np.ndarray,
    candidates: np.ndarray,
    weight: np.ndarray,
    contacts_per_year: float,
    dt: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Firms the operators' networks prompt this step, and the park each is prompted to view.

    ``effort`` (0–1) of the operators of ``parks``; ``candidates``: firms that may be prompted
    (at home, not already prompted) and their ``weight`` (≥ 0, e.g. :func:`sector_prospects` of
    their sector). Each operator reaches Poisson(``contacts_per_year`` × effort × ``dt``) of
    them, drawn in proportion to the weight: its network spans every eastern county, not only its
    partner's. A firm reached twice keeps its first prompt. Returns (firms, parks).
    """
    n = rng.poisson(contacts_per_year * np.asarray(effort, float) * dt)
    total = int(n.sum())
    if total == 0 or candidates.size == 0 or weight.sum() <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    cum = np.cumsum(weight, dtype=float)
    pick = np.searchsorted(cum, rng.random(total) * cum[-1], side="right")
    firms = candidates[np.minimum(pick, candidates.size - 1)]
    park = np.repeat(parks, n)
    firms, first = np.unique(firms, return_index=True)
    return firms, park[first]


def chain_prompts(
    rng: np.random.Generator,
    master_home: np.ndarray,
    master_sector: np.ndarray,
    master_park: np.ndarray,
    effort: np.ndarray,
    follow_share: float,
    *,
    home: np.ndarray,
    sector: np.ndarray,
    candidates: np.ndarray,
    n_counties: int,
    n_sectors: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Suppliers prompted by chain masters landing in enclave parks (组团转移).

    ``master_*``: home county, sector and enclave park of the chain masters that landed this step;
    ``effort`` (park,) the operators' effort. Each ``candidate`` firm (at home, not already
    prompted) of a master's home county and sector is prompted to view the master's park with
    probability ``follow_share × effort`` of that park. Returns (firms, parks).
    """
    if master_park.size == 0 or candidates.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    table = np.full((n_counties, n_sectors), -1, np.int64)
    table[master_home, master_sector] = master_park  # the last master of a county and sector
    park = table[home[candidates], sector[candidates]]
    mine = park >= 0
    firms, park = candidates[mine], park[mine]
    follow = rng.random(firms.size) < follow_share * effort[park]
    return firms[follow], park[follow]


def operator_divisor(effort: np.ndarray, operator_efficiency: float) -> np.ndarray:
    """Divisor of tenants' friction cost in a partner-run park (≥ 1): the operator's one effect."""
    return 1.0 + (operator_efficiency - 1.0) * effort
