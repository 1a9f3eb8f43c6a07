"""Firm location choice (docs/ODD.md §7.3).

A firm reviews its location about once a year, at random times. It scores
staying, going home, opening a branch or moving fully to each park of its
consideration set, and picks by multinomial logit (Gumbel-max over the draws
in :class:`LocationShocks`). Margins are after-tax profit per yuan of the
firm's home output (share/year); the logit scale is in the same unit.

Option columns of the utility matrix, for K candidate parks:
``0`` stay, ``1`` go home (branch firms), ``2..2+K`` branch at candidate k
(home firms), ``2+K..2+2K`` move fully to candidate k, ``2+2K`` move fully
into the park of the firm's own branch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, overload

import numpy as np

from sim.model.mechanisms import ParamView
from sim.model.mechanisms.markets import (  # noqa: F401
    MarketMap,
    branch_allocation_gain,
    distance_km,
    freight_beyond_home,
    home_leg,
)
from sim.model.mechanisms.site_match import hashed_match, place_hash

if TYPE_CHECKING:
    from sim.model.state import FirmTable
    from sim.world.geography import Sectors

HOME, BRANCH, RELOCATED, EXITED = 0, 1, 2, 3
STATE_NAMES = ("home", "branch", "relocated", "exited")


@dataclass(frozen=True)
class LocationParams(ParamView):
    """What the location choice reads of the economy config (units as in the config)."""

    value_added_share: float  # share of output
    friction_east: float  # share of output
    cit_rate_east: float  # share of profit
    cit_rate_west: float  # share of profit
    cit_local_share: float  # share of the tax
    vat_rate: float  # share of value added
    vat_local_share: float  # share of the tax
    agglomeration: float  # share of output per log(1 + same-sector firms)
    chain_master_pull: float  # share of output
    sector_focus_bonus: float  # share of output
    west_power_price_ratio: float  # ratio (west/east)
    labour_shortage_cost: float  # share of the wage bill
    horizon_years: float  # years
    discount_rate: float  # share/year
    hurdle_rate: float  # share/year
    salvage_share: float  # share of capital
    plant_life_years: float  # years
    switching_cost: float  # share of output/year
    move_cost: float  # share of annual output moved
    branch_overhead: float  # share of output/year
    relocation_loss: float  # share of output/year
    logit_scale: float  # share of output/year
    nest_scale: float  # 0–1
    site_match_sd: float  # log units


@dataclass
class LocationShocks:
    """All random draws of one step's location choice (uniforms and Gumbels)."""

    reviewing: np.ndarray  # firm indices that review this step
    promoted: np.ndarray  # (R, n_promoted) uniform: which promoted park is drawn
    promoted_notice: np.ndarray  # (R, n_promoted) uniform: is it noticed
    enclave: np.ndarray  # (R, n_enclave) uniform
    enclave_notice: np.ndarray  # (R, n_enclave) uniform
    word_of_mouth: np.ndarray  # (R, n_word_of_mouth) uniform: which same-sector western firm
    random: np.ndarray  # (R, n_random) uniform: which park
    exponential: np.ndarray  # (R, 2K+4) standard exponential draws x, whose -log(x) are the
    # standard Gumbel shocks (:attr:`gumbel`)
    n_prompted: int = 0  # slots for the park an enclave operator prompted the firm to view

    @property
    def gumbel(self) -> np.ndarray:
        """(R, 2K+4) standard Gumbel shocks: column 0 staying, 1..2K+2 the options of
        :func:`utilities` within the nest of changes, 2K+3 that nest. The choice takes the
        few it needs (:class:`Gumbels`); the whole table is made only when asked for."""
        return _gumbel(self.exponential.copy())


class Gumbels:
    """Standard Gumbel shocks of a (R, J+1) table, read at flat indices: given as Gumbels, or as
    the standard exponential draws x they come from (-log x), so that only the few read are
    turned into Gumbels (most options of a firm are not open; the logarithm is the same
    number whether taken over the table or over the entries read)."""

    def __init__(self, table: np.ndarray, *, exponential: bool = False):
        self.table, self.exponential = table, exponential

    def take(self, at: np.ndarray) -> np.ndarray:
        values = np.take(self.table, at)
        return _gumbel(values) if self.exponential else values


def in_west(state: np.ndarray) -> np.ndarray:
    """Firms with a branch or a full move in a western park (bool)."""
    return (state == BRANCH) | (state == RELOCATED)


def producing_share(
    share: np.ndarray, ready_step: np.ndarray, t: int, ramp_start: float, ramp_steps: int
) -> np.ndarray:
    """Share of a firm's output and jobs produced in the west now (share).

    A western plant produces from ``ready_step`` on (construction takes time) and
    ramps up linearly from ``ramp_start`` to full output over ``ramp_steps`` steps;
    until then the firm produces at home.
    """
    since = t - ready_step
    ramp = np.clip(ramp_start + (1 - ramp_start) * since / max(ramp_steps, 1), ramp_start, 1.0)
    return np.where(since >= 0, share * ramp, 0.0)


def draw_shocks(
    rng: np.random.Generator,
    eligible: np.ndarray,
    review_prob: float,
    *,
    n_promoted: int,
    n_enclave: int,
    n_word_of_mouth: int,
    n_random: int,
    n_prompted: int = 0,
    always: np.ndarray | None = None,
) -> LocationShocks:
    """Draw who reviews (probability ``review_prob`` per step among ``eligible``, and every
    firm in ``always``) and their shocks; ``n_*`` are the draws of candidate parks of each kind;
    ``n_prompted`` (0 or 1) adds a slot for a park an operator prompted the firm to view (no draw
    of its own, only its options' Gumbels)."""
    draw = rng.random(eligible.size) < review_prob
    if always is not None:
        draw |= always
    reviewing = np.flatnonzero(eligible & draw)
    r = reviewing.size
    k = n_promoted + n_enclave + n_word_of_mouth + n_random + n_prompted
    return LocationShocks(
        reviewing=reviewing,
        promoted=rng.random((r, n_promoted)),
        promoted_notice=rng.random((r, n_promoted)),
        enclave=rng.random((r, n_enclave)),
        enclave_notice=rng.random((r, n_enclave)),
        word_of_mouth=rng.random((r, n_word_of_mouth)),
        random=rng.random((r, n_random)),
        exponential=rng.standard_exponential(size=(r, 2 * k + 4)),
        n_prompted=n_prompted,
    )


def _gumbel(x: np.ndarray) -> np.ndarray:
    """Standard Gumbel draws from standard exponential ones, in place: -log(x) (faster than
    rng.gumbel)."""
    np.log(x, out=x)
    np.negative(x, out=x)
    return x


def notice_probability(effort: np.ndarray, awareness: float) -> np.ndarray:
    """Chance a promoted park is noticed (probability) at promotion ``effort`` (multiplier)."""
    return 1.0 - (1.0 - awareness) ** np.maximum(effort, 0.0)


def _pick(ptr: np.ndarray, items: np.ndarray, group: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Item number ``floor(u * size)`` of each entry's group in a CSR list; -1 if the group is
    empty.

    ``group`` and ``u`` have the same shape."""
    if items.size == 0:
        return np.full(u.shape, -1, np.int64)
    start = ptr[group]
    size = ptr[group + 1] - start
    idx = start + np.minimum((u * size).astype(np.int64), np.maximum(size - 1, 0))
    return np.where(size > 0, items[np.minimum(idx, items.size - 1)], -1)


def consideration_sets(
    shocks: LocationShocks,
    *,
    home: np.ndarray,
    sector: np.ndarray,
    own_park: np.ndarray,
    promo_ptr: np.ndarray,
    promo_park: np.ndarray,
    enclave_parks: np.ndarray,
    wom_ptr: np.ndarray,
    wom_park: np.ndarray,
    park_effort: np.ndarray,
    park_open: np.ndarray,
    n_parks: int,
    awareness: float,
    prompted: np.ndarray | None = None,
) -> np.ndarray:
    """Candidate parks (R, K) of the reviewing firms; -1 where a slot is empty.

    ``promo_ptr/promo_park``: CSR of parks promoted by each eastern county;
    ``wom_ptr/wom_park``: CSR of the parks of western firms by sector;
    ``park_effort``: promotion effort behind each park (multiplier);
    ``park_open``: parks with a free slot; ``own_park``: the park each firm is in
    (-1 if none), never a candidate (moving fully into it is an option of its own);
    ``prompted`` (firm,): the park an enclave operator prompted each firm to view, -1 if none,
    the last slot when ``shocks.n_prompted`` (a prompted park is seen: no notice draw).
    Duplicates are removed.
    """
    i = shocks.reviewing
    h, s, own = home[i], sector[i], own_park[i]
    notice = notice_probability(park_effort, awareness)  # per park, looked up per draw
    cols = []  # one slot at a time, (R,) each
    for k in range(shocks.promoted.shape[1]):
        p = _pick(promo_ptr, promo_park, h, shocks.promoted[:, k])
        seen = shocks.promoted_notice[:, k] < notice[np.maximum(p, 0)]
        cols.append(np.where((p >= 0) & seen, p, -1))
    for k in range(shocks.enclave.shape[1]):
        if enclave_parks.size:
            p = enclave_parks[
                np.minimum(
                    (shocks.enclave[:, k] * enclave_parks.size).astype(np.int64),
                    enclave_parks.size - 1,
                )
            ]
            cols.append(np.where(shocks.enclave_notice[:, k] < notice[p], p, -1))
        else:
            cols.append(np.full(i.size, -1, np.int64))
    for k in range(shocks.word_of_mouth.shape[1]):
        cols.append(_pick(wom_ptr, wom_park, s, shocks.word_of_mouth[:, k]))
    for k in range(shocks.random.shape[1]):
        cols.append(np.minimum((shocks.random[:, k] * n_parks).astype(np.int64), n_parks - 1))
    for _ in range(shocks.n_prompted):
        assert prompted is not None, "a prompted slot needs the firms' prompted parks"
        cols.append(prompted[i])  # a copy: slots are edited in place below
    filled: list[np.ndarray] = []  # slots with a park left, to compare against for repeats
    for col in cols:
        if col.size == 0 or col.max() < 0:  # an empty slot (e.g. no promoted parks)
            continue
        drop = ~park_open[np.maximum(col, 0)] | (col == own)
        # a park already in an earlier slot of the row is dropped (the first is kept)
        for earlier in filled:
            drop |= col == earlier
        np.putmask(col, drop, -1)
        if (col >= 0).any():
            filled.append(col)
    if not cols:
        return np.empty((i.size, 0), np.int64)
    return np.stack(cols, axis=1)


@dataclass
class HomeSites:
    """Eastern home sites as (eastern county, sector) tables (share of output)."""

    base: np.ndarray  # (east county, sector) value added − friction − freight to all markets


def home_sites(
    dist: np.ndarray, local_km: float, mix: np.ndarray, per_km: np.ndarray, params: LocationParams
) -> HomeSites:
    """Home-site tables: ``dist`` (east county, 3) km to national/west/export markets;
    ``local_km`` km to the firm's own market; ``mix`` (sector, 4) sales shares;
    ``per_km`` (sector,) share of output per km."""
    freight = freight_beyond_home(dist, mix, per_km) + local_km * home_leg(mix, per_km)[None, :]
    return HomeSites(base=params.value_added_share - params.friction_east - freight)


def after_tax(pre: np.ndarray, cit_rate: float) -> np.ndarray:
    """After-tax margin from a pre-tax margin (same unit): tax only on profits."""
    return pre - cit_rate * np.maximum(pre, 0.0)


def home_margin(
    home: np.ndarray,
    sector: np.ndarray,
    output_per_job: np.ndarray,
    edge: np.ndarray,
    *,
    east_wage: float,
    east_land: float,
    sites: HomeSites,
    params: LocationParams,
) -> np.ndarray:
    """After-tax profit at the eastern home site (share of home output/year).

    ``output_per_job``, ``east_wage``, ``east_land`` in yuan/job/year; ``edge`` the
    firm's own profitability advantage (share of output).
    """
    # (a flat take: faster than fancy indexing by row and column)
    base = np.take(sites.base, home * sites.base.shape[1] + sector)
    pre = base + edge - (east_wage + east_land) / output_per_job
    return after_tax(pre, params.cit_rate_east)


@dataclass
class WestSites:
    """What a firm needs to know about western parks this step, as (park,) and (park, sector)
    tables.

    Built by :func:`west_sites` once per step, so scoring a candidate is a few
    lookups. Shares are of home output unless said otherwise.
    """

    productivity: np.ndarray  # (park,) output per job relative to home (ratio), before the
    #   firm's match with the place
    place_hash: np.ndarray  # (park,) the park's prefecture's half of the match's hash
    #   (site_match.place_hash)
    base: np.ndarray  # (park, sector) productivity × (value added − friction + agglomeration
    #   + power saving − freight to national, western and export markets)
    home_leg: np.ndarray  # (sector,) freight per km to the eastern home market (share of output/km)
    wage: np.ndarray  # (park, sector) wage for the sector's skill mix (yuan/job/year)
    available: (
        np.ndarray
    )  # (park, 2) willing workers in the park's county, low and mid skill (persons)
    land: np.ndarray  # (park,) yuan/job/year after the county's effective discount
    distance: np.ndarray  # (eastern county, park) km
    markets: MarketMap  # distances to every market, for branches that serve their nearest markets

    def match(self, key: np.ndarray, park: np.ndarray, sd: float) -> np.ndarray:
        """Firms' (``key``) match with the prefectures of ``park`` (ratio, mean one;
        :func:`~sim.model.mechanisms.site_match.site_match` with spread ``sd``)."""
        return hashed_match(key, self.place_hash[park], sd)


def west_sites(
    *,
    productivity: np.ndarray,
    place: np.ndarray,
    wage: np.ndarray,
    available: np.ndarray,
    land: np.ndarray,
    friction: np.ndarray,
    same_sector: np.ndarray,
    chain_master: np.ndarray,
    sector_focus: np.ndarray,
    distance: np.ndarray,
    market_freight: np.ndarray,
    home_leg_per_km: np.ndarray,
    market_map: MarketMap,
    sectors: Sectors,
    params: LocationParams,
) -> WestSites:
    """Per-step park tables for :func:`west_margin`.

    productivity (park,) ratio; place (park,) prefecture codes; wage (park, 2)
    yuan/job/year; available (park, 2) persons; land (park,) yuan/job/year; friction
    (park,) share of output;
    same_sector (park, sector) firms; chain_master (park, sector) bool; sector_focus
    (park,) sector or -1; distance (eastern county, park) km; market_freight
    (park, sector) freight to the national, western and export markets (share of
    output); home_leg_per_km (sector,) share of output/km.
    """
    n_sec = same_sector.shape[1]
    m = sectors.mid_skill[None, :]
    gains = (
        params.agglomeration * np.log1p(same_sector)
        + params.chain_master_pull * chain_master
        + params.sector_focus_bonus * (sector_focus[:, None] == np.arange(n_sec)[None, :])
    )
    power_saving = sectors.energy_share[None, :] * (1.0 - params.west_power_price_ratio)
    return WestSites(
        productivity=productivity,
        place_hash=place_hash(place),
        base=productivity[:, None]
        * (params.value_added_share - friction[:, None] + gains + power_saving - market_freight),
        home_leg=home_leg_per_km,
        wage=(1 - m) * wage[:, :1] + m * wage[:, 1:],
        available=available,
        land=land,
        distance=distance,
        markets=market_map,
    )


def branch_allocation(
    sites: WestSites, home: np.ndarray, park: np.ndarray, sector: np.ndarray, share: np.ndarray
) -> np.ndarray:
    """Freight saved by a branch that serves its nearest markets (share of home output/year);
    see :func:`sim.model.mechanisms.markets.branch_allocation_gain`."""
    return branch_allocation_gain(sites.markets, home, park, sector, share, sites.distance)


Margin = tuple[np.ndarray, np.ndarray]


@overload
def west_margin(
    park: np.ndarray,
    sector: np.ndarray,
    home: np.ndarray,
    output_per_job: np.ndarray,
    edge: np.ndarray,
    west_jobs: np.ndarray,
    *,
    match: np.ndarray,
    mid_skill: np.ndarray,
    sites: WestSites,
    params: LocationParams,
) -> Margin: ...
@overload
def west_margin(
    park: np.ndarray,
    sector: np.ndarray,
    home: np.ndarray,
    output_per_job: np.ndarray,
    edge: np.ndarray,
    west_jobs: tuple[np.ndarray, ...],
    *,
    match: np.ndarray,
    mid_skill: np.ndarray,
    sites: WestSites,
    params: LocationParams,
) -> tuple[Margin, ...]: ...
def west_margin(
    park: np.ndarray,
    sector: np.ndarray,
    home: np.ndarray,
    output_per_job: np.ndarray,
    edge: np.ndarray,
    west_jobs: np.ndarray | tuple[np.ndarray, ...],
    *,
    match: np.ndarray,
    mid_skill: np.ndarray,
    sites: WestSites,
    params: LocationParams,
) -> Margin | tuple[Margin, ...]:
    """After-tax profit of producing in ``park`` (share of home output/year, per unit moved),
    and the local tax it generates (same unit) — the base of a tax-holiday rebate.

    ``home`` is the firm's eastern county (its home market: freight is paid on the
    distance to it); ``edge`` the firm's own advantage (share of output), which
    moves with it unchanged (a loss-maker does not shrink its losses by moving);
    ``west_jobs`` (persons) is how many workers the firm would need there: a shortage
    of willing workers in the county raises recruiting cost;
    ``mid_skill`` (sector,) the sectors' mid-skill shares of jobs; ``match`` the firms' match
    with the park's prefecture (:meth:`WestSites.match`): output per job there is the park's
    productivity times it.
    A tuple of workforces gives a tuple of results (the site terms are shared).
    """
    m = mid_skill[sector]
    prod = sites.productivity[park] * match
    # (flat takes: faster than fancy indexing by row and column)
    at = park * sites.base.shape[1] + sector
    wage = np.take(sites.wage, at)
    distance = np.take(sites.distance, home * sites.distance.shape[1] + park)
    site = (
        match * np.take(sites.base, at)
        + edge  # the firm's own advantage moves with it, unscaled by the site's productivity
        - prod * sites.home_leg[sector] * distance
        - (wage + sites.land[park]) / output_per_job
    )
    vat_local = prod * params.value_added_share * params.vat_rate * params.vat_local_share
    low, mid = np.take(sites.available, 2 * park), np.take(sites.available, 2 * park + 1)
    out = []
    for jobs in west_jobs if isinstance(west_jobs, tuple) else (west_jobs,):
        need = np.maximum(jobs, 1.0)
        short = (1 - m) * np.clip(1 - low / (need * (1 - m) + 1e-9), 0, 1) + m * np.clip(
            1 - mid / (need * m + 1e-9), 0, 1
        )
        pre = site - wage * params.labour_shortage_cost * short / output_per_job
        cit = params.cit_rate_west * np.maximum(pre, 0.0)
        out.append((pre - cit, vat_local + cit * params.cit_local_share))
    return tuple(out) if isinstance(west_jobs, tuple) else out[0]


def capital_recovery(rate: float, years: float) -> float:
    """Capital-recovery factor (share/year): the level yearly payment that repays one yuan
    invested now over ``years`` at interest ``rate`` (share/year); 1/years at rate 0."""
    if rate <= 0:
        return 1.0 / years
    return rate / (1.0 - (1.0 + rate) ** -years)


def remaining_value(age: np.ndarray, life: float, rate: float) -> np.ndarray:
    """Share (0–1) of a plant's capital not yet recovered after ``age`` years of a ``life``-year
    life, with the capital repaid in level yearly amounts at ``rate`` (share/year): the present
    value of the charges still to come. 1 for a new plant, 0 at the end of its life."""
    left = np.clip(life - age, 0.0, life)
    if rate <= 0:
        return left / life
    return (1.0 - (1.0 + rate) ** -left) / (1.0 - (1.0 + rate) ** -life)


def holiday_share(holiday_years: float, horizon_years: float, rate: float) -> float:
    """Share (0–1) of a horizon's discounted years that a tax holiday at its start covers."""
    if rate <= 0:
        return min(1.0, holiday_years / horizon_years)
    h = min(holiday_years, horizon_years)
    return (1.0 - (1.0 + rate) ** -h) / (1.0 - (1.0 + rate) ** -horizon_years)


#: kinds of option, for the capital each commits: the utility columns 0, 1, 2..2+K, 2+K..2+2K, 2+2K
STAY, GO_HOME, BRANCH_AT, MOVE_TO, INTO_OWN = range(5)


def option_kind(column: np.ndarray, k: int) -> np.ndarray:
    """Kind (STAY … INTO_OWN) of utility columns, for K candidate slots."""
    return np.select(
        [column == 0, column == 1, column < 2 + k, column < 2 + 2 * k],
        [STAY, GO_HOME, BRANCH_AT, MOVE_TO],
        INTO_OWN,
    )


def capital_lines(
    *,
    capital: np.ndarray,
    home_plant: np.ndarray,
    west_plant: np.ndarray,
    state: np.ndarray,
    share: np.ndarray,
    new_share: np.ndarray,
    expanding: np.ndarray,
    params: LocationParams,
) -> np.ndarray:
    """Capital and set-up each kind of option commits (R, 5), yuan per yuan of yearly output.

    ``capital`` (R,): plant capital per yuan of yearly output (yuan/yuan);
    ``home_plant``/``west_plant`` (R,): the share of the home and western plants'
    capital not yet recovered (:func:`remaining_value`); ``share``/``new_share``/
    ``expanding`` as in :func:`utilities`.

    Capacity built costs its capital and the one-off set-up (``move_cost``). Capacity
    moved out of a plant costs the set-up and that plant's unrecovered capital less the
    ``salvage_share`` recovered: the new plant itself is not charged, because staying
    pays for the same plant once the old one wears out. Staying commits nothing, except
    that an ``expanding`` home firm builds its new plant anyway, at home or in a western
    park, so it pays for it whichever it picks. A full move vacates the home plant (home
    firms), both plants (branches) or the western one (relocated firms).
    """
    build = capital + params.move_cost
    lost = (1 - params.salvage_share) * capital
    out_of_home = params.move_cost + lost * home_plant
    out_of_west = params.move_cost + lost * west_plant
    is_branch, is_moved = state == BRANCH, state == RELOCATED
    lines = np.empty((state.size, 5))
    lines[:, STAY] = np.where(expanding, build * new_share, 0.0)
    lines[:, GO_HOME] = np.where(is_moved, 1.0, share) * out_of_west
    lines[:, BRANCH_AT] = np.where(expanding, build, out_of_home) * new_share
    lines[:, MOVE_TO] = np.where(
        is_moved,
        out_of_west,
        (1 - share) * out_of_home + np.where(is_branch, share, 0.0) * out_of_west,
    )
    lines[:, INTO_OWN] = (1 - share) * out_of_home
    return lines


def measured_gain(
    u: np.ndarray,
    u_stay: np.ndarray,
    lines: np.ndarray,
    kind: np.ndarray,
    rows: np.ndarray,
    params: LocationParams,
) -> np.ndarray:
    """Gain over staying (share of output/year) of options of ``kind`` (:func:`option_kind`) of
    firms ``rows``, with utilities ``u`` and ``u_stay`` for staying (logit units), with its
    capital charged at the cost of capital (``discount_rate``) instead of the hurdle rate the
    decision uses: what the option earns, as opposed to whether it clears the hurdle."""
    wedge = capital_recovery(params.hurdle_rate, params.horizon_years) - capital_recovery(
        params.discount_rate, params.horizon_years
    )
    return params.logit_scale * (u - u_stay) + wedge * (lines[rows, kind] - lines[rows, STAY])


@dataclass
class Options:
    """The allowed options of the reviewing firms: staying, and the allowed changes as flat
    entries of the (R, 2K+3) option table (columns as in the module docstring), row by row in
    column order. Only about one candidate slot in seven holds a park, so most of the table
    would be options that are not allowed."""

    stay: np.ndarray  # (R,) utility of staying, column 0 (logit units)
    entry: np.ndarray  # (N,) row * (2K+3) + column of each allowed change, increasing
    value: np.ndarray  # (N,) its utility (logit units)
    n_columns: int  # 2K+3

    def dense(self) -> np.ndarray:
        """The (R, 2K+3) table of utilities, -inf where not allowed."""
        u = np.full((self.stay.size, self.n_columns), -np.inf)
        u[:, 0] = self.stay
        np.put(u, self.entry, self.value)
        return u

    @classmethod
    def from_dense(cls, u: np.ndarray) -> Options:
        """The options of a (R, J) table of utilities, -inf (or not finite) where not allowed."""
        allowed = np.isfinite(u)
        allowed[:, 0] = False
        entry = np.flatnonzero(allowed)
        return cls(u[:, 0].copy(), entry, np.take(u, entry), u.shape[1])


def utilities(
    *,
    current: np.ndarray,
    home_m: np.ndarray,
    west_m: np.ndarray,
    rebate: np.ndarray,
    branch_m: np.ndarray,
    branch_rebate: np.ndarray,
    allocation: np.ndarray,
    cand: np.ndarray,
    pair: np.ndarray,
    state: np.ndarray,
    own_west_m: np.ndarray,
    new_share: np.ndarray,
    expanding: np.ndarray,
    taste: np.ndarray,
    lines: np.ndarray,
    params: LocationParams,
) -> Options:
    """Deterministic utility of every allowed option, in logit-scale units (:class:`Options`).

    ``cand`` (R, K) the candidate parks, -1 in empty slots; ``pair`` (N,) the filled slots
    (flat indices into ``cand``) where a branch (home firms) or a full move (firms that are not
    expanding) is allowed: the margins are given there.
    ``current``: value of staying (margin now plus the taste for the site);
    ``home_m``: margin at home; ``west_m``/``rebate`` (N,): margin and holiday
    rebate at each candidate for a full move, ``branch_m``/``branch_rebate`` for a
    branch (it needs fewer workers), ``allocation`` the freight a branch saves by
    serving its nearest markets (0 where no branch is allowed); ``own_west_m``: margin in the
    park of the firm's branch; ``new_share``: the western share a new branch would have
    (``branch_share``, or the new plant's share of an expanding firm); ``lines`` (R, 5): the
    capital each kind of option commits (:func:`capital_lines`). All margins in shares of home
    output/year.

    Every option pays for the capital it commits as a level yearly charge over
    ``horizon_years`` at the firm's ``hurdle_rate`` (:func:`capital_recovery`): the
    return a firm demands before it sinks money into a site, above its cost of capital
    because the move cannot be undone and waiting keeps the choice open. A home firm
    that branches keeps its home site and so its ``taste`` for it; every change costs
    ``switching_cost``, and leaving the home site altogether the lasting
    ``relocation_loss``.
    """
    r, k = cand.shape
    j = 2 * k + 3
    charge = capital_recovery(params.hurdle_rate, params.horizon_years) * lines
    sw = params.switching_cost
    is_home, is_branch = state == HOME, state == BRANCH
    stay = current - charge[:, STAY]
    back_rows = np.flatnonzero(is_branch | (state == RELOCATED))  # may go home (column 1)
    go_home = home_m[back_rows] - charge[back_rows, GO_HOME] - sw
    pr = pair // k
    slot = pair - pr * k
    # a branch at candidate k (columns 2..2+K): home firms
    b = np.flatnonzero(is_home[pr])
    rb = pr[b]
    sb = new_share[rb]
    branch = (
        (1 - sb) * home_m[rb]
        + sb * (branch_m[b] + branch_rebate[b])
        + allocation[b]
        + taste[rb]
        - params.branch_overhead
        - charge[rb, BRANCH_AT]
        - sw
    )
    # a full move to candidate k (columns 2+K..2+2K): firms that are not expanding
    mv = np.flatnonzero(~expanding[pr])
    rm = pr[mv]
    move = west_m[mv] + rebate[mv] - params.relocation_loss - charge[rm, MOVE_TO] - sw
    # fully into the park of the firm's own branch (column 2+2K)
    own_rows = np.flatnonzero(is_branch)
    own = own_west_m[own_rows] - params.relocation_loss - charge[own_rows, INTO_OWN] - sw
    # the entries in table order (each kind is already in it: a merge of four sorted runs)
    at = np.concatenate(
        (back_rows * j + 1, rb * j + 2 + slot[b], rm * j + 2 + k + slot[mv], own_rows * j + j - 1)
    )
    order = np.argsort(at, kind="stable")
    entry = at[order]
    value = np.concatenate((go_home, branch, move, own))[order]
    value /= params.logit_scale
    finite = np.isfinite(value)
    if not finite.all():  # not allowed after all (as -inf in the table)
        entry, value = entry[finite], value[finite]
    return Options(stay / params.logit_scale, entry, value, j)


def decode(
    choice: np.ndarray, cand: np.ndarray, own_park: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Turn chosen option columns into (new state, target park); state -1 means stay."""
    k = cand.shape[1]
    rows = np.arange(choice.size)
    new_state = np.full(choice.size, -1, np.int64)
    park = np.full(choice.size, -1, np.int64)
    new_state[choice == 1] = HOME
    b = (choice >= 2) & (choice < 2 + k)
    new_state[b] = BRANCH
    park[b] = cand[rows[b], choice[b] - 2]
    m = (choice >= 2 + k) & (choice < 2 + 2 * k)
    new_state[m] = RELOCATED
    park[m] = cand[rows[m], choice[m] - 2 - k]
    o = choice == 2 + 2 * k
    new_state[o] = RELOCATED
    park[o] = own_park[o]
    return new_state, park


def plant_capital(capital_per_job: np.ndarray, jobs: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Capital of a plant for ``share`` of a firm's ``jobs`` (yuan): what an option that builds it
    weighs in :func:`utilities` and what is booked as investment when the firm lands."""
    return capital_per_job * jobs * share


Choice = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def option_values(
    firms: FirmTable,
    i: np.ndarray,
    sites: WestSites,
    candidates: np.ndarray,
    *,
    home_m_all: np.ndarray,
    current_all: np.ndarray,
    taste: np.ndarray,
    holiday_share: float,
    mid_skill: np.ndarray,
    expanding: np.ndarray,
    new_share: np.ndarray,
    params: LocationParams,
) -> tuple[Options, np.ndarray]:
    """Deterministic utilities (:class:`Options`, logit units) of firms ``i`` over their
    ``candidates`` (R, K), and the capital each kind of option commits (R, 5;
    :func:`capital_lines`).

    ``home_m_all``/``current_all`` are the margins of all firms at home and the value
    of where they are now (margin plus the firm's persistent taste for its site),
    share of home output/year; ``taste`` (R,) the firms' taste for their home site;
    ``holiday_share`` the discounted share of a horizon
    spent in a tax holiday (0–1); ``expanding``/``new_share`` (R,) as in :func:`utilities`.
    """
    state, sector, y = firms.state[i], firms.sector[i], firms.output_per_job[i]
    jobs, home, edge = firms.jobs[i], firms.home[i], firms.edge[i]
    # margins only where an option is open: a full move (not for expanding firms) or a branch (home
    # firms)
    is_home = state == HOME
    pair = np.flatnonzero((candidates >= 0) & (is_home | ~expanding)[:, None])
    r = pair // candidates.shape[1]
    park = np.take(candidates, pair)
    # labour availability is judged against the workers the option needs there
    (west_m, local_tax), (branch_m, branch_tax) = west_margin(
        park,
        sector[r],
        home[r],
        y[r],
        edge[r],
        (jobs[r], jobs[r] * new_share[r]),
        match=sites.match(firms.key[i[r]], park, params.site_match_sd),
        mid_skill=mid_skill,
        sites=sites,
        params=params,
    )
    allocation = np.zeros(pair.size)
    b = np.flatnonzero(is_home[r])
    rb = r[b]
    allocation[b] = branch_allocation(sites, home[rb], park[b], sector[rb], new_share[rb])
    # the margin in the firm's own park, for a branch moving fully into it
    own_m = np.zeros(i.size)
    b = np.flatnonzero(state == BRANCH)
    own_park = firms.park[i[b]]
    own_m[b], _ = west_margin(
        own_park,
        sector[b],
        home[b],
        y[b],
        edge[b],
        jobs[b],
        match=sites.match(firms.key[i[b]], own_park, params.site_match_sd),
        mid_skill=mid_skill,
        sites=sites,
        params=params,
    )
    lines = capital_lines(
        capital=firms.capital_per_job[i] / y,
        home_plant=remaining_value(
            firms.home_plant_age[i], params.plant_life_years, params.discount_rate
        ),
        west_plant=remaining_value(
            firms.west_plant_age[i], params.plant_life_years, params.discount_rate
        ),
        state=state,
        share=firms.share[i],
        new_share=new_share,
        expanding=expanding,
        params=params,
    )
    options = utilities(
        current=current_all[i],
        home_m=home_m_all[i],
        west_m=west_m,
        rebate=holiday_share * local_tax,
        branch_m=branch_m,
        branch_rebate=holiday_share * branch_tax,
        allocation=allocation,
        cand=candidates,
        pair=pair,
        state=state,
        own_west_m=own_m,
        new_share=new_share,
        expanding=expanding,
        taste=taste,
        lines=lines,
        params=params,
    )
    return options, lines


def choose_locations(
    shocks: LocationShocks,
    firms: FirmTable,
    sites: WestSites,
    candidates: np.ndarray,
    *,
    home_m_all: np.ndarray,
    current_all: np.ndarray,
    holiday_share: float,
    mid_skill: np.ndarray,
    expanding: np.ndarray,
    new_share: np.ndarray,
    params: LocationParams,
) -> Choice:
    """Vectorised location choice for the reviewing firms (arguments as :func:`option_values`).

    Returns (firm indices, new state or -1 to stay, target park or -1, taste, gain).
    ``taste`` is the idiosyncratic advantage of the chosen option over staying
    (share of output): a firm that moves keeps it as its taste for the new site, so
    it does not move back at the next review unless conditions change. ``gain`` is
    the deterministic advantage of the chosen option over staying (share of
    output/year), capital and set-up included at the cost of capital
    (:func:`measured_gain`): the part of a move that pays, as opposed to taste.
    """
    i = shocks.reviewing
    options, lines = option_values(
        firms,
        i,
        sites,
        candidates,
        home_m_all=home_m_all,
        current_all=current_all,
        taste=firms.taste[i],
        holiday_share=holiday_share,
        mid_skill=mid_skill,
        expanding=expanding,
        new_share=new_share,
        params=params,
    )
    gumbels = Gumbels(shocks.exponential, exponential=True)
    choice, taste, chosen = choose_nested(options, gumbels, params.nest_scale)
    new_state, park = decode(choice, candidates, firms.park[i])
    taste = params.logit_scale * taste
    kind = option_kind(choice, candidates.shape[1])
    gain = measured_gain(chosen, options.stay, lines, kind, np.arange(i.size), params)
    return i, new_state, park, taste, gain


_PAIRWISE_BLOCK = 128  # numpy's PW_BLOCKSIZE: longer runs are split in halves


def row_sums(columns: np.ndarray) -> np.ndarray:
    """The sums ``table.sum(axis=1)`` of a (R, n) table of float64 given as its (n, R) transpose
    ``columns``, equal to numpy's to the bit: numpy sums each row pairwise (eight running sums
    over blocks of eight, combined as a tree, then the rest in order; halves above 128 values),
    one row at a time, which at n ≈ 20 costs more than the sums themselves. Here the same
    additions are made a whole column at a time. ``columns`` is used as scratch space."""
    n = columns.shape[0]
    if n > _PAIRWISE_BLOCK:
        half = n // 2
        half -= half % 8
        return row_sums(columns[:half]) + row_sums(columns[half:])
    if n < 8:
        total = np.zeros(columns.shape[1])
        for c in columns:
            total += c
        return total
    r = columns[:8]
    i = 8
    while i < n - n % 8:
        r += columns[i : i + 8]
        i += 8
    total = (r[0] + r[1]) + (r[2] + r[3])
    total += (r[4] + r[5]) + (r[6] + r[7])
    for c in columns[i:]:
        total += c
    return total


def nested_choice(
    u: np.ndarray, gumbel: np.ndarray, nest_scale: float
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`choose_nested` over a (R, J) table of utilities, -inf where not allowed: (chosen
    column, taste)."""
    choice, taste, _ = choose_nested(Options.from_dense(u), Gumbels(gumbel), nest_scale)
    return choice, taste


def choose_nested(
    options: Options, gumbel: Gumbels, nest_scale: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nested logit by Gumbel-max: whether to change location, then which change.

    ``options`` the utilities in logit units of staying and of the allowed changes (table
    columns 1..J-1); ``gumbel`` the (R, J+1) standard Gumbel draws (:class:`Gumbels`): column 0
    staying, the option's column otherwise, J the nest. Within the nest of changes a choice
    is logit with scale ``nest_scale`` (λ, 0–1: how alike the changes are); the
    nest's inclusive value is λ·logsumexp(u/λ). Many similar parks then add little
    to the odds of moving at all (Chen 2009: region first, then place), where a
    flat logit would let each extra candidate add its own taste draw.
    Returns (chosen column, taste, chosen utility): the taste is the idiosyncratic advantage of
    the chosen option over staying (logit units), so the chosen option's value
    plus its taste is the realised value of the nest, at least that of staying.
    """
    r, j = options.stay.size, options.n_columns
    lam = max(nest_scale, 1e-6)
    # Each number computed as over the whole (R, J-1) table of changes with -inf where not
    # allowed, so the results are the same to the bit. Sums of three or more terms depend on the
    # order of addition: they are numpy's row sums of the (open rows, J-1) table of weights,
    # zeros elsewhere.
    entry, value = options.entry, options.value  # row by row
    row = entry // j
    choice = np.zeros(r, np.int64)
    taste = np.zeros(r)
    chosen = options.stay.copy()
    if not entry.size:
        return choice, taste, chosen
    inner = value / lam
    work = inner + gumbel.take(entry + row)  # gumbel[row, column]: one column more than u
    first_of_row = np.empty(entry.size, bool)
    first_of_row[0] = True
    np.not_equal(row[1:], row[:-1], out=first_of_row[1:])
    start = np.flatnonzero(first_of_row)
    rows = row[start]  # the rows with a change allowed
    local = np.cumsum(first_of_row) - 1  # each entry's position among them
    # the best change with its draw: the first entry of its row at the row's maximum, as argmax
    hit = np.flatnonzero(work == np.maximum.reduceat(work, start)[local])
    first_hit = np.empty(hit.size, bool)
    first_hit[0] = True
    np.not_equal(local[hit[1:]], local[hit[:-1]], out=first_hit[1:])
    best = hit[first_hit]  # (rows,) the best entry of each row
    top = np.maximum.reduceat(inner, start)
    # the table of weights stored column by column (J-1, open rows), so that its row sums are
    # whole-column additions in numpy's order
    weights = np.zeros((j - 1, rows.size))
    np.put(weights, (entry - row * j - 1) * rows.size + local, np.exp(inner - top[local]))
    iv = lam * (top + np.log(row_sums(weights)))
    # (flat takes: faster than fancy indexing by row and column)
    change_value = iv + gumbel.take(rows * (j + 1) + j)
    stay_gumbel = gumbel.take(rows * (j + 1))
    change = change_value > options.stay[rows] + stay_gumbel
    moving, best = rows[change], best[change]
    choice[moving] = entry[best] - moving * j
    chosen[moving] = value[best]
    taste[moving] = change_value[change] - stay_gumbel[change] - chosen[moving]
    return choice, taste, chosen
