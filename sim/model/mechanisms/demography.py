"""Firm demography (docs/ODD.md §7.11, "Firm demography").

Who the firms are, how they grow, enter and exit.

A firm's own profitability advantage (``edge``, share of output) is what sets it
apart from its sector: drawn so that starting pre-tax margins follow a gamma
distribution (always positive, no cliff of marginal firms), then a random walk
(demand and cost shocks). New firms enter in proportion to the active pool;
firms exit after sustained losses, judged on the same value of their site as
their location choice. Firms grow; a growing firm adds capacity in lumps — a new
plant, at home or in a western park (expansion investment).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.model.mechanisms import ParamView

if TYPE_CHECKING:
    from sim.world.geography import Geography, Sectors


@dataclass
class FirmDraws:
    """New firms as drawn (``demography.draw_firms``): who they are, before any location state."""

    home: np.ndarray  # eastern county
    sector: np.ndarray
    jobs: np.ndarray  # persons
    output_per_job: np.ndarray  # yuan/job/year at home
    capital_per_job: np.ndarray  # plant capital a job needs, at current prices (yuan/job)
    edge: np.ndarray  # own profitability advantage (share of output)
    growth: np.ndarray  # demand growth (share/year)
    taste: np.ndarray  # taste for the home site (share of output/year)
    key: np.ndarray  # uint64 key of its match with western places (site_match.py)


@dataclass(frozen=True)
class FirmParams(ParamView):
    """What drawing new firms reads of the economy config (units as in the config)."""

    firm_size_mean: float  # jobs
    firm_size_sigma: float  # log units
    capital_per_job: float  # yuan/job at the start year's prices
    labour_share_sigma: float  # log units
    margin_mean: float  # share of output
    margin_sd: float  # share of output
    growth_mean: float  # share/year
    growth_sd: float  # share/year
    home_attachment: float  # share of output/year


def gamma_margins(rng: np.random.Generator, n: int, mean: float, sd: float) -> np.ndarray:
    """Starting pre-tax margins (share of output): gamma with the given mean and sd."""
    shape = (mean / sd) ** 2
    return rng.gamma(shape, sd**2 / mean, n)


def draw_firms(
    rng: np.random.Generator,
    n: int,
    *,
    geo: Geography,
    sectors: Sectors,
    east_wage: float,
    east_land: float,
    home_base: np.ndarray,
    capital_price: float,
    params: FirmParams,
    east_labour_cost: float | None = None,
) -> FirmDraws:
    """``n`` new eastern firms (home county, sector, size, productivity, edge, growth, taste for
    home, and the key of its match with western places).

    A firm's taste for its home site (share of output/year, exponential with mean
    ``home_attachment``) stands for ties a move would cut (owners, staff, clients).

    ``home_base`` (east county, sector) is the home-site margin before labour, land
    and the firm's edge (share of output); ``east_wage``/``east_land`` yuan/job/year now.
    Output per job is the wage over the labour share; the edge is set against
    ``east_labour_cost`` (what a job costs the employer, yuan/job/year; default the wage).
    ``capital_price`` is the price of plant capital now relative to the start (ratio): a
    firm's capital per job is its sector's share of ``capital_per_job`` at that price.
    """
    east = np.flatnonzero(~geo.is_west)
    w = geo.firm_weight[east]
    home = east[rng.choice(east.size, size=n, p=w / w.sum() if w.sum() > 0 else None)]
    sector = rng.choice(sectors.name.size, size=n, p=sectors.weight)
    mu = np.log(params.firm_size_mean) - params.firm_size_sigma**2 / 2
    jobs = np.maximum(np.round(np.exp(rng.normal(mu, params.firm_size_sigma, n))), 5.0)
    labour_share = sectors.labour_share[sector] * np.exp(
        rng.normal(0, params.labour_share_sigma, n)
    )
    output_per_job = east_wage / labour_share
    margin = gamma_margins(rng, n, params.margin_mean, params.margin_sd)
    cost = east_wage if east_labour_cost is None else east_labour_cost
    edge = margin - (home_base[home, sector] - (cost + east_land) / output_per_job)
    growth = rng.normal(params.growth_mean, params.growth_sd, n)
    taste = (
        rng.exponential(params.home_attachment, n) if params.home_attachment > 0 else np.zeros(n)
    )
    key = rng.integers(0, np.iinfo(np.uint64).max, n, dtype=np.uint64, endpoint=True)
    return FirmDraws(
        home=home,
        sector=sector,
        jobs=jobs,
        output_per_job=output_per_job,
        capital_per_job=params.capital_per_job * capital_price * sectors.capital_intensity[sector],
        edge=edge,
        growth=growth,
        taste=taste,
        key=key,
    )


def drift_edges(
    rng: np.random.Generator, edge: np.ndarray, active: np.ndarray, volatility: float, dt: float
) -> np.ndarray:
    """Random walk of active firms' edge over ``dt`` years (share of output), in place."""
    shock = rng.normal(0.0, volatility * np.sqrt(dt), edge.size)
    return np.add(edge, shock, out=edge, where=active)


def grow_demand(
    backlog: np.ndarray, growth: np.ndarray, active: np.ndarray, dt: float
) -> np.ndarray:
    """Extra capacity a firm wants, as a share of its jobs, after ``dt`` years of growth (share),
    in place."""
    return np.maximum(backlog + growth * dt, 0.0, out=backlog, where=active)


def entrants(rng: np.random.Generator, n_active: int, entry_rate: float, dt: float) -> int:
    """Number of new firms this step: Poisson with mean ``entry_rate`` × active firms × ``dt``."""
    return int(rng.poisson(entry_rate * n_active * dt)) if entry_rate > 0 else 0


def sustained_losses(loss_steps: np.ndarray, value: np.ndarray, active: np.ndarray) -> np.ndarray:
    """Steps in a row each firm's value of its site (margin plus taste) has been negative."""
    return np.where(active & (value < 0), loss_steps + 1, 0)


def losses_end(
    ending: np.ndarray, is_branch: np.ndarray, home_margin: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Firms whose sustained losses end now: (branches to close, firms that exit), as indices.

    A loss-making branch closes when the home site still pays; any other firm exits.
    """
    close = np.flatnonzero(ending & is_branch & (home_margin > 0))
    exits = np.setdiff1d(np.flatnonzero(ending), close, assume_unique=True)
    return close, exits
