"""Production, taxes and household incomes (DESIGN §3.6).

All flows are annual rates (yuan/year) at this step's prices; the model turns
them into per-step amounts where it books them into budgets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .labour import FARM, IDLE, MIGRANT, PARK, WORKSHOP


@dataclass
class TaxSplit:
    """Tax from park firms (yuan/year), by firm."""

    paid: np.ndarray          # tax actually paid after holiday rebates
    upper: np.ndarray         # to upper levels of government
    west: np.ndarray          # kept by the western county
    east: np.ndarray          # paid to the eastern partner of an enclave park
    rebated: np.ndarray       # local share rebated during a tax holiday (a tax expenditure)


def park_taxes(west_output, west_profit, in_holiday, enclave, tax_share_east, compliance, e) -> TaxSplit:
    """Split the tax of each western firm site (DESIGN §3.6, EVIDENCE taxes).

    ``west_output`` yuan/year of output in the park; ``west_profit`` yuan/year of
    pre-tax profit there; ``in_holiday`` bool; ``enclave`` bool (the park is
    partner-run). VAT = rate × value added, CIT = west rate × profit; the local
    shares are retained locally, rebated in a holiday, and split with the
    eastern partner of an enclave by ``tax_share_east`` at ``compliance``.
    """
    vat = e.vat_rate * e.value_added_share * west_output
    cit = e.cit_rate_west * np.maximum(west_profit, 0.0)
    local = e.vat_local_share * vat + e.cit_local_share * cit
    upper = vat + cit - local
    rebated = np.where(in_holiday, local, 0.0)
    kept = local - rebated
    east = np.where(enclave, kept * tax_share_east * compliance, 0.0)
    return TaxSplit(paid=upper + kept, upper=upper, west=kept - east, east=east, rebated=rebated)


def park_tax_accounts(taxes: TaxSplit, park, park_county, park_partner, n_counties: int):
    """County accounts of park firms' taxes (yuan/year, by county): retained in the west,
    rebated in holidays, and received by the eastern partners of enclave parks."""
    retained = np.bincount(park_county[park], taxes.west, n_counties)
    rebated = np.bincount(park_county[park], taxes.rebated, n_counties)
    enclave = np.bincount(np.maximum(park_partner[park], 0), taxes.east, n_counties)
    return retained, rebated, enclave


def labour_demand(county_of_firm, west_jobs, mid_skill_share, n_west):
    """Park jobs demanded by county and skill (W, 2) in persons."""
    low = np.bincount(county_of_firm, west_jobs * (1 - mid_skill_share), n_west)
    mid = np.bincount(county_of_firm, west_jobs * mid_skill_share, n_west)
    return np.stack([low, mid], axis=1).astype(float)


def person_incomes(wage, farm_income, workshop_wage, east_income):
    """Earnings by (county, skill, status) in yuan/year per person: (W, 2, 5)."""
    w = wage.shape[0]
    inc = np.zeros((w, 2, 5))
    inc[:, :, FARM] = farm_income[:, None]
    inc[:, :, PARK] = wage
    inc[:, :, WORKSHOP] = workshop_wage
    inc[:, :, MIGRANT] = east_income
    inc[:, :, IDLE] = 0.0
    return inc


def household_incomes(people, incomes, transfer_per_capita, remittance_share, low_income_line, farm_sigma):
    """County household income per working-age person (yuan/year) and low-income share.

    Residents' earnings + remittances (``remittance_share`` of migrant earnings)
    + public transfers, over the registered working-age population (residents
    and migrants). A person is low-income when own earnings plus the transfer
    fall below ``low_income_line`` (yuan/year); farm income varies between
    farmers, lognormally with dispersion ``farm_sigma`` (log units) around the
    county mean, so the low-income share of farmers is a lognormal CDF.
    """
    from scipy.special import ndtr

    by_status = people.sum(axis=2)                     # (W, 2, 5)
    earn = by_status * incomes
    residents = by_status.sum(axis=(1, 2)) - by_status[:, :, MIGRANT].sum(axis=1)
    total = (earn.sum(axis=(1, 2)) - earn[:, :, MIGRANT].sum(axis=1)
             + remittance_share * earn[:, :, MIGRANT].sum(axis=1) + transfer_per_capita * residents)
    pop = by_status.sum(axis=(1, 2))
    below = ((incomes + transfer_per_capita) < low_income_line).astype(float)
    farm_mean = np.maximum(incomes[:, :, FARM], 1.0)
    gap = np.maximum(low_income_line - transfer_per_capita, 1e-9)
    below[:, :, FARM] = ndtr((np.log(gap) - np.log(farm_mean) + farm_sigma ** 2 / 2) / max(farm_sigma, 1e-9))
    low = below * by_status
    return total / pop, low.sum(axis=(1, 2)) / pop, total
