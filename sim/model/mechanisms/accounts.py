"""Cost lines of every channel of pairing, in the eastern and western accounts (yuan/year).

"Which channel matters?" needs each channel's cost beside its gains, so every
channel that acts has its own line, and a channel that is off costs nothing.
Totals are sums of the lines: one concept in one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.mechanisms import matching

if TYPE_CHECKING:
    from sim.model.state import CountyTable
    from sim.params.schema import ConsumptionPolicy, LabourPolicy, PairingPolicy

# Yunnan Daily 2024: 243 Shanghai cadres + 866 professionals in Yunnan in 2023, over the 117 paired
# counties
SEED_CADRES_PER_COUNTY = 9.5

EAST_LINES = (
    "aid",
    "promotion",
    "cadres",
    "matching",
    "training",
    "migration_support",
    "consumption",
    "consumption_premium",
    "enclave_coinvest",
    "enclave_operation",
)
WEST_LINES = (
    "land_subsidy",
    "infrastructure",
    "workshop_build",
    "workshop_operating",
    "training",
    "cadres",
)
# reported beside the lines, never in a total: debt service repays borrowing whose outlays
# (infrastructure, land discounts) are already lines in the year they were made
WEST_MEMO = ("debt_service",)


def governance_gain(gain_at_seed_level: float, cadres_per_county: float) -> float:
    """Yearly friction cut bought by cadre exchange (share/year): proportional to cadres posted,
    capped at 1."""
    return min(gain_at_seed_level * cadres_per_county / SEED_CADRES_PER_COUNTY, 1.0)


def east_lines(
    *,
    pairing: PairingPolicy,
    labour: LabourPolicy,
    consumption: ConsumptionPolicy,
    n_paired: float,
    effort_by_partner: float,
    landed_per_year: float,
    migrated_paired_per_year: float,
    matching_participants: float,
    trained_per_year: float,
    training_cost: float,
    enclave_coinvest: float,
    enclave_operation: float,
) -> dict[str, float]:
    """Eastern cost by channel (yuan/year).

    n_paired: paired western counties (pairing on); effort_by_partner: Σ over eastern
    counties of promotion effort × partner counties; landed_per_year: firms landed in
    partner parks; migrated_paired_per_year: migrants leaving paired counties;
    matching_participants: workers the matching programme serves this year (its budget over the
    cost per participant, ``mechanisms/matching.py``);
    trained_per_year: workers trained under ``labour.training_rate`` at ``training_cost`` yuan each;
    enclave_coinvest: what enclave operators co-invest in their parks' slots this year;
    enclave_operation: what they spend on effort (running the joint operating company, referrals,
    their network); both chosen for the shared tax they expect (sim/model/mechanisms/enclave.py);
    ``pairing``, ``labour``, ``consumption``: the programmes' policy settings.
    """
    pair, lab, cons = pairing, labour, consumption
    on = float(pair.enabled)
    return {
        "aid": on * pair.aid_per_county * n_paired,
        "promotion": on
        * (
            pair.promotion_cost * effort_by_partner
            + pair.referral_cost_per_firm * landed_per_year * (pair.promotion > 0)
        ),
        "cadres": on
        * (
            pair.cadres_per_county * pair.cost_per_cadre
            + pair.trainees_per_county * pair.cost_per_trainee
        )
        * n_paired,
        "matching": matching.cost(matching_participants, lab.matching_cost_per_participant),
        "training": trained_per_year * training_cost,
        "migration_support": lab.migration_support * migrated_paired_per_year,
        "consumption": cons.procurement_per_year * cons.public_cost_share,
        # eastern buyers pay above the market price: their cost, the sellers' income
        "consumption_premium": cons.procurement_per_year * cons.premium_share,
        "enclave_coinvest": enclave_coinvest,
        "enclave_operation": enclave_operation,
    }


def west_lines(
    counties: CountyTable,
    west: np.ndarray,
    *,
    pairing: PairingPolicy,
    n_paired: float,
    workshop_operating: float,
) -> dict[str, float]:
    """Western cost by channel (yuan/year): outlays in the year they are made, however financed
    (own revenue, eastern aid or borrowing), so borrowed infrastructure counts once; the tax
    rebate is revenue forgone, and debt service (:func:`west_memo`) repays what is already
    counted, both reported apart."""
    c = counties

    def total(a: np.ndarray) -> float:
        return float(np.asarray(a)[west].sum())

    workshops = total(c.spend_workshops)
    return {
        "land_subsidy": total(c.spend_subsidy),
        "infrastructure": total(c.spend_infrastructure),
        "workshop_build": workshops - workshop_operating,
        "workshop_operating": workshop_operating,
        "training": total(c.spend_training),
        "cadres": (
            float(pairing.enabled)
            * pairing.west_cadres_per_county
            * pairing.west_cost_per_cadre
            * n_paired
        ),
    }


def west_memo(counties: CountyTable, west: np.ndarray) -> dict[str, float]:
    """Western flows reported beside the cost lines, not in any total (yuan/year): debt service."""
    return {"debt_service": float(np.asarray(counties.spend_debt_service)[west].sum())}
