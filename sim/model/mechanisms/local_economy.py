"""Each western county's own economy at the start, and its local employers (docs/ODD.md §5, §7.5).

A county starts with the non-farm jobs the 2020 census finds there (local industry and
services: employed residents outside farming), held by residents at the county's wage and
demanded by local employers. Its residents' reservation wages are set so that, at the
prevailing wage, those jobs plus a share of the farmers (surplus farm labour) are willing.
Farm earnings per farm worker and the income the model does not earn in jobs (property
income and transfers) are set so the start incomes add up to the reported per-capita
disposable income (yuan per resident per year).
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from sim.model.mechanisms.labour import Q_MAX


def local_jobs_at_start(resident_workers: np.ndarray, nonfarm_share: np.ndarray) -> np.ndarray:
    """Residents (W,) in local non-farm jobs at the start: the census non-farm share of employed
    residents × the model's resident workers (persons); 0 where a county has no census share."""
    return resident_workers * np.nan_to_num(nonfarm_share, nan=0.0)


def stock_staffed_from_local_jobs(people: np.ndarray, stock_demand: np.ndarray) -> np.ndarray:
    """People (W, skill, mobility, status) after the eastern plants already in a county at the
    start take their staff from its census non-farm jobs.

    The census counts the workers of plants that were there on census day among the employed
    residents outside farming, so a starting stock's jobs (``stock_demand``, (W, skill), persons)
    are part of the local jobs, not new ones: up to what the county has, its local-job holders
    of each skill become park workers, both mobilities alike. What the stock needs beyond them
    is left for the labour market to fill.
    """
    from sim.model.mechanisms.labour import PARK, SERVICE

    held = people[..., SERVICE].sum(axis=2)  # (W, skill)
    moved = np.minimum(stock_demand, held)
    share = np.divide(moved, held, out=np.zeros_like(held), where=held > 0)[:, :, None]
    out = people.copy()
    out[..., PARK] += people[..., SERVICE] * share
    out[..., SERVICE] -= people[..., SERVICE] * share
    return out


def reservation_ratio(
    nonfarm_share: np.ndarray,
    surplus_farm_labour: float,
    wage: np.ndarray,
    farm_income: float | np.ndarray,
    sigma: float,
) -> np.ndarray:
    """Median reservation wage over farm income (W,), ratio.

    At ``wage`` (the county's prevailing low wage, yuan/year) the willing share of residents
    who farm or hold local jobs is the non-farm share plus ``surplus_farm_labour`` of the rest:
    ``Φ(ln(wage / median) / sigma) = s + a (1 − s)``.
    """
    s = np.nan_to_num(nonfarm_share, nan=0.0)
    willing = np.clip(s + surplus_farm_labour * (1.0 - s), 1e-6, Q_MAX)
    median = wage / np.exp(max(sigma, 1e-9) * ndtri(willing))
    return median / np.maximum(farm_income, 1.0)


def local_employer_jobs(
    jobs_at_start: np.ndarray, wage: np.ndarray, prevailing: np.ndarray, elasticity: float
) -> np.ndarray:
    """Jobs (W,) local employers offer at the county's low ``wage`` (yuan/year): their start jobs,
    fewer by ``elasticity`` per log point the wage stands above the ``prevailing`` wage."""
    return jobs_at_start * (np.maximum(wage, 1.0) / np.maximum(prevailing, 1.0)) ** (-elasticity)


def reported_income(
    urban_share: np.ndarray,
    urban_income: float,
    rural_income: float,
    mean_income: float,
    population: np.ndarray,
) -> np.ndarray:
    """Per-capita disposable income (W,) of each county, yuan/year: its urban share × the urban
    income + the rest × the rural income, scaled so the population-weighted mean is
    ``mean_income`` (the official all-residents figure)."""
    mix = urban_share * urban_income + (1.0 - urban_share) * rural_income
    return mix * mean_income * population.sum() / (mix * population).sum()


def other_income(
    reported: np.ndarray, population: np.ndarray, share: float, transfers: np.ndarray
) -> np.ndarray:
    """Income (W,) yuan/year the model earns in neither jobs nor farming: property income and the
    transfers beyond its own (``transfers`` (W,), yuan/year) — the share ``share`` of reported
    income, less the model's own transfers, at least 0."""
    return np.maximum(share * reported * population - transfers, 0.0)


def farm_earnings(
    reported: np.ndarray,
    population: np.ndarray,
    earned_elsewhere: np.ndarray,
    farmers: np.ndarray,
) -> float:
    """Farm earnings per farm worker (yuan/year), one figure for the geography: what the reported
    income of all counties leaves after every other component (``earned_elsewhere`` (W,):
    wages, remittances, transfers and other income, yuan/year), over all farm workers. At
    least 1."""
    rest = float((reported * population).sum() - earned_elsewhere.sum())
    return max(rest / max(float(farmers.sum()), 1.0), 1.0)
