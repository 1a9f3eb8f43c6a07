"""Production, taxes and household incomes (docs/ODD.md §7.6).

All flows are annual rates (yuan/year) at this step's prices; the model turns
them into per-step amounts where it books them into budgets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.mechanisms import ParamView
from sim.model.mechanisms.labour import FARM, IDLE, MIGRANT, N_STATUS, PARK, SERVICE, WORKSHOP


@dataclass
class TaxSplit:
    """Tax from park firms (yuan/year), by firm."""

    paid: np.ndarray  # tax actually paid after holiday rebates
    upper: np.ndarray  # to upper levels of government
    west: np.ndarray  # kept by the western county
    east: np.ndarray  # paid to the eastern partner of an enclave park
    rebated: np.ndarray  # local share rebated during a tax holiday (a tax expenditure)


@dataclass(frozen=True)
class TaxRates(ParamView):
    """Tax rates and local shares of the economy config (shares)."""

    vat_rate: float  # of value added
    value_added_share: float  # of output (the VAT base)
    vat_local_share: float  # of VAT
    cit_rate_west: float  # of profit, encouraged industries in the west
    cit_local_share: float  # of corporate income tax


def park_taxes(
    west_output: np.ndarray,
    west_profit: np.ndarray,
    in_holiday: np.ndarray,
    enclave: np.ndarray,
    *,
    tax_share_east: float,
    compliance: float,
    rates: TaxRates,
) -> TaxSplit:
    """Split the tax of each western firm site (docs/ODD.md §7.6).

    ``west_output`` yuan/year of output in the park; ``west_profit`` yuan/year of
    pre-tax profit there; ``in_holiday`` bool; ``enclave`` bool (the park is
    partner-run). VAT = rate × value added, CIT = west rate × profit; the local
    shares are retained locally, rebated in a holiday, and split with the
    eastern partner of an enclave by ``tax_share_east`` at ``compliance``.
    """
    vat = rates.vat_rate * rates.value_added_share * west_output
    cit = rates.cit_rate_west * np.maximum(west_profit, 0.0)
    local = rates.vat_local_share * vat + rates.cit_local_share * cit
    upper = vat + cit - local
    rebated = np.where(in_holiday, local, 0.0)
    kept = local - rebated
    east = np.where(enclave, kept * tax_share_east * compliance, 0.0)
    return TaxSplit(paid=upper + kept, upper=upper, west=kept - east, east=east, rebated=rebated)


def park_tax_accounts(
    taxes: TaxSplit,
    park: np.ndarray,
    park_county: np.ndarray,
    park_partner: np.ndarray,
    n_counties: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """County accounts of park firms' taxes (yuan/year, by county): retained in the west,
    rebated in holidays, and received by the eastern partners of enclave parks."""
    retained = np.bincount(park_county[park], taxes.west, n_counties)
    rebated = np.bincount(park_county[park], taxes.rebated, n_counties)
    enclave = np.bincount(np.maximum(park_partner[park], 0), taxes.east, n_counties)
    return retained, rebated, enclave


def labour_demand(
    county_of_firm: np.ndarray, west_jobs: np.ndarray, mid_skill_share: np.ndarray, n_west: int
) -> np.ndarray:
    """Park jobs demanded by county and skill (W, 2) in persons."""
    low = np.bincount(county_of_firm, west_jobs * (1 - mid_skill_share), n_west)
    mid = np.bincount(county_of_firm, west_jobs * mid_skill_share, n_west)
    return np.stack([low, mid], axis=1).astype(float)


def person_incomes(
    park_pay: np.ndarray,
    service_wage: np.ndarray,
    farm_income: np.ndarray,
    workshop_wage: float,
    east_income: np.ndarray,
) -> np.ndarray:
    """Earnings by (county, skill, status) in yuan/year per person: (W, 2, N_STATUS).

    park_pay (W, 2) mean pay of a park worker by skill; service_wage (W,) the
    low-skill wage local service jobs pay; east_income (W, 2) what a migrant earns.
    """
    w = park_pay.shape[0]
    inc = np.zeros((w, 2, N_STATUS))
    inc[:, :, FARM] = farm_income[:, None]
    inc[:, :, PARK] = park_pay
    inc[:, :, WORKSHOP] = workshop_wage
    inc[:, :, MIGRANT] = east_income
    inc[:, :, SERVICE] = service_wage[:, None]
    inc[:, :, IDLE] = 0.0
    return inc


def _farm_low_income_share(farm_mean: np.ndarray, gap: float, sigma: float) -> np.ndarray:
    """Share of farmers whose farm income (lognormal around ``farm_mean``, log-sd ``sigma``) is
    below ``gap``."""
    from scipy.special import ndtr

    return ndtr(
        (np.log(gap) - np.log(np.maximum(farm_mean, 1.0)) + sigma**2 / 2) / max(sigma, 1e-9)
    )


HouseholdIncomes = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def household_incomes(
    people: np.ndarray,
    incomes: np.ndarray,
    inactive: np.ndarray,
    *,
    transfer_per_capita: float,
    remittance_share: float,
    low_income_line: float,
    farm_sigma: float,
    farm_base: np.ndarray,
    seller_bonus: np.ndarray,
    seller_share: float,
    other_income: np.ndarray | float = 0.0,
    population: np.ndarray | None = None,
) -> HouseholdIncomes:
    """County per-capita household disposable income (yuan/year per resident), low-income share,
    total, income by type.

    Residents' earnings + remittances (``remittance_share`` of migrant earnings)
    + public transfers to every resident (the ``inactive`` (W,) included) + the county's
    ``other_income`` (W,) yuan/year (property income and transfers beyond its own), over
    ``population`` (W,): the county's residents of all ages (migrants away are not residents:
    what they send home is the household's transfer income, as the household survey counts it);
    without it, the working-age residents.
    A member of the labour force is low-income when own earnings plus the transfer
    fall below ``low_income_line`` (yuan/year); farm income varies between farmers,
    lognormally with dispersion ``farm_sigma`` (log units) around ``farm_base``
    (W,), raised by ``seller_bonus`` (W,) for the share ``seller_share`` of farmers
    who sell into procurement channels. The inactive live on household income
    and are left out of the low-income share. Income by type is each person's
    own mean earnings (W, skill, mobility), yuan/year.
    """
    by_status = people.sum(axis=2)  # (W, 2, N_STATUS)
    earn = by_status * incomes
    residents = by_status.sum(axis=(1, 2)) - by_status[:, :, MIGRANT].sum(axis=1) + inactive
    total = (
        earn.sum(axis=(1, 2))
        - earn[:, :, MIGRANT].sum(axis=1)
        + remittance_share * earn[:, :, MIGRANT].sum(axis=1)
        + transfer_per_capita * residents
        + other_income
    )
    labour_force = by_status.sum(axis=(1, 2))
    below = ((incomes + transfer_per_capita) < low_income_line).astype(float)
    gap = np.maximum(low_income_line - transfer_per_capita, 1e-9)
    sellers = _farm_low_income_share(farm_base + seller_bonus, gap, farm_sigma)
    others = _farm_low_income_share(farm_base, gap, farm_sigma)
    below[:, :, FARM] = (seller_share * sellers + (1 - seller_share) * others)[:, None]
    low = below * by_status
    own = (people * incomes[:, :, None, :]).sum(axis=3) / np.maximum(people.sum(axis=3), 1e-9)
    per = residents if population is None else population
    return (
        total / np.maximum(per, 1e-9),
        low.sum(axis=(1, 2)) / np.maximum(labour_force, 1e-9),
        total,
        own,
    )
