"""Governments act (docs/ODD.md §7.2): western budgets, eastern aid, promotion and governance.

Amounts are per step (yuan) unless a name ends in ``_per_year``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.mechanisms import ParamView


@dataclass
class Budget:
    """One step of western county budgets (yuan, by county)."""

    revenue: np.ndarray          # own revenue + retained park tax + eastern aid
    discretionary: np.ndarray    # what may go to industrial and labour policy
    borrowing: np.ndarray        # new debt this step
    headroom: np.ndarray         # borrowing allowed before this step
    debt_service: np.ndarray
    subsidy: np.ndarray          # land discounts paid
    infrastructure: np.ndarray
    workshops: np.ndarray
    training: np.ndarray
    repayment: np.ndarray
    funding_ratio: np.ndarray    # share of promised land discounts the county could pay (0–1)

    @property
    def spending(self) -> np.ndarray:
        return self.debt_service + self.subsidy + self.infrastructure + self.workshops + self.training + self.repayment


@dataclass(frozen=True)
class BudgetParams(ParamView):
    """What the western budgets read of the economy config (units as in the config)."""

    discretionary_share: float      # share of own revenue and retained park tax
    debt_limit: float               # share of annual revenue
    debt_service: float             # share of the debt repaid per year
    budget_infrastructure: float    # share of the discretionary budget
    budget_workshops: float         # share of the discretionary budget
    budget_training: float          # share of the discretionary budget
    infrastructure_leverage: float  # yuan borrowed per yuan budgeted for park infrastructure


def west_budgets(own_revenue: np.ndarray, retained_tax: np.ndarray, aid: np.ndarray,
                 subsidy_due: np.ndarray, debt: np.ndarray, *, params: BudgetParams,
                 dt: float) -> Budget:
    """Split each western county's budget under its budget constraint.

    own_revenue, retained_tax, aid: yuan this step; subsidy_due: land discounts
    promised this step (yuan); debt (yuan); ``dt`` years per step. Subsidies and
    debt service come first, borrowing up to ``debt_limit`` × annual revenue;
    what is left is split between infrastructure, workshops and training, and
    the unallocated share repays debt. Park infrastructure is also financed by
    borrowing (``infrastructure_leverage`` yuan per budgeted yuan, as county
    investment companies do) while headroom lasts. Spending never exceeds
    discretionary revenue plus the allowed borrowing.
    """
    revenue = own_revenue + retained_tax + aid
    discretionary = params.discretionary_share * (own_revenue + retained_tax) + aid
    headroom = np.maximum(params.debt_limit * revenue / dt - debt, 0.0)
    # debt is serviced out of what the county has or may still borrow, never beyond
    service = np.minimum(np.minimum(debt * params.debt_service * dt, debt),
                         discretionary + headroom)
    can_pay = np.maximum(discretionary + headroom - service, 0.0)
    subsidy = np.minimum(subsidy_due, can_pay)
    funding = np.divide(subsidy, subsidy_due, out=np.ones_like(subsidy), where=subsidy_due > 0)
    borrowing = np.maximum(service + subsidy - discretionary, 0.0)
    left = np.maximum(discretionary - service - subsidy, 0.0)
    infra = left * params.budget_infrastructure
    shops = left * params.budget_workshops
    train = left * params.budget_training
    repay = np.minimum(left - infra - shops - train, np.maximum(debt - service, 0.0))
    levered = np.minimum(params.infrastructure_leverage * infra,
                         np.maximum(headroom - borrowing, 0.0))
    infra = infra + levered
    borrowing = borrowing + levered
    return Budget(revenue, discretionary, borrowing, headroom, service, subsidy, infra, shops, train, repay, funding)


def adapt_promotion(adaptation: np.ndarray, landed_last_year: np.ndarray, target: np.ndarray,
                    rate: float, dt: float) -> np.ndarray:
    """Eastern cadres assessed on firms landed: effort rises when the target is missed.

    ``adaptation`` multiplier per eastern county (kept in [0.5, 3]); ``landed_last_year``
    firms; ``target`` firms/year; ``rate`` share/year.
    """
    gap = np.divide(target - landed_last_year, np.maximum(target, 1.0))
    return np.clip(adaptation * (1 + rate * dt * np.clip(gap, -1, 1)), 0.5, 3.0)


def park_promotion_effort(park_partner: np.ndarray, enclave: np.ndarray, east_effort: np.ndarray,
                          enclave_boost: np.ndarray) -> np.ndarray:
    """Promotion effort behind each park (multiplier); 0 for parks with no partner.

    An enclave's partner refers its firms harder by ``enclave_boost`` (per park,
    from the enclave contract); the operator's brand works without a pairing
    programme, at effort 1.
    """
    effort = np.where(park_partner >= 0, east_effort[np.maximum(park_partner, 0)], 0.0)
    return np.where(enclave, np.maximum(effort, 1.0) * (1 + enclave_boost), effort)


def governance(friction: np.ndarray, paired: np.ndarray, gain_per_year: float, floor: float,
               dt: float) -> np.ndarray:
    """Cadre exchange and copied reforms cut a paired county's friction (share of output)."""
    cut = 1.0 - (1.0 - gain_per_year) ** dt
    return np.where(paired, np.maximum(friction * (1 - cut), floor), friction)
