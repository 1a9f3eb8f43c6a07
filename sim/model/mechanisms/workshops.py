"""Village workshops (帮扶车间) as small employers (docs/ODD.md §7.2, §7.5).

A workshop job is built with a one-off build subsidy out of the county's
workshop budget and then has to pay its way: it sells its output in a village
market that fills up (sales per job fall as jobs grow, so returns diminish where
village labour and markets run out), buys materials, and pays the workshop
wage, helped by an operating subsidy per job-year where one is paid. Jobs the
workshops cannot pay for close. Amounts are yuan/year unless stated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.mechanisms import ParamView
from sim.model.mechanisms.labour import per_step


@dataclass
class WorkshopBooks:
    """One step of the workshops of each western county (W,)."""

    slots: np.ndarray            # jobs built and still open
    viable: np.ndarray           # jobs the workshops can pay for at this step's prices
    sales: np.ndarray            # yuan/year
    wage_bill: np.ndarray        # yuan/year
    operating_subsidy: np.ndarray  # yuan/year paid
    build_spending: np.ndarray   # yuan/year spent on new jobs
    closed: np.ndarray           # jobs closed this step because they could not pay


@dataclass(frozen=True)
class WorkshopParams(ParamView):
    """What the workshops read of the economy config (units as in the config)."""

    workshop_cost_per_job: float       # yuan/job (build subsidy)
    workshop_depreciation: float       # share/year
    workshop_operating_subsidy: float  # yuan/job-year
    workshop_input_share: float        # share of sales
    workshop_market_share: float       # jobs/working-age person


def market_size(working_age: np.ndarray, processing_purchases: np.ndarray, sales_per_job: float,
                market_share: float) -> np.ndarray:
    """Jobs at which sales per job halve (W,): village labour and buyers, widened by processed procurement."""
    return market_share * working_age + processing_purchases / np.maximum(sales_per_job, 1.0)


def sales_per_job(jobs: np.ndarray, sales0: float, market: np.ndarray) -> np.ndarray:
    """Sales per workshop job (yuan/job-year) when ``jobs`` are working: sales0 / (1 + jobs / market)."""
    return sales0 / (1.0 + jobs / np.maximum(market, 1e-9))


def viable_jobs(sales0: float, input_share: float, wage: float, subsidy_per_job: np.ndarray,
                market: np.ndarray) -> np.ndarray:
    """Most jobs (W,) whose value added per job plus subsidy still covers the wage.

    Value added per job (1 − input_share) × sales0 / (1 + J/M) + subsidy ≥ wage
    ⇔ J ≤ M × (va0 / (wage − subsidy) − 1). Unbounded (inf) when the subsidy alone pays the wage.
    """
    va0 = (1.0 - input_share) * sales0
    net_wage = wage - subsidy_per_job
    with np.errstate(divide="ignore"):
        room = np.where(net_wage > 0, va0 / np.maximum(net_wage, 1e-9) - 1.0, np.inf)
    return np.maximum(market * room, 0.0)


def step(slots: np.ndarray, budget: np.ndarray, *, working_age: np.ndarray,
         processing_purchases: np.ndarray, wage: float, sales0: float, params: WorkshopParams,
         dt: float, steps_per_year: int) -> WorkshopBooks:
    """Build, subsidise and close workshop jobs for one step; returns :class:`WorkshopBooks`.

    slots (W,) jobs open; budget (W,) yuan this step for workshops (operating
    subsidies first, then building at ``workshop_cost_per_job`` up to the jobs
    that can pay); working_age
    (W,) persons; processing_purchases (W,) yuan/year of procured processed goods;
    wage yuan/year; sales0 yuan/job-year; ``dt`` years per step.
    """
    kept = slots * (1 - per_step(params.workshop_depreciation, steps_per_year))
    op_due = kept * params.workshop_operating_subsidy * dt
    op_paid = np.minimum(op_due, budget)
    subsidy = np.divide(op_paid, kept * dt, out=np.zeros_like(kept), where=kept * dt > 0)
    market = market_size(working_age, processing_purchases, sales0, params.workshop_market_share)
    viable = viable_jobs(sales0, params.workshop_input_share, wage, subsidy, market)
    # the county builds only jobs that can pay; the rest of the workshop budget is not spent
    build = np.minimum(budget - op_paid,
                       np.maximum(viable - kept, 0.0) * params.workshop_cost_per_job)
    opened = kept + build / params.workshop_cost_per_job
    new_slots = np.minimum(opened, viable)
    closed = np.maximum(kept - new_slots, 0.0)
    jobs = new_slots
    return WorkshopBooks(
        slots=new_slots, viable=viable, sales=jobs * sales_per_job(jobs, sales0, market),
        wage_bill=jobs * wage, operating_subsidy=op_paid / dt, build_spending=build / dt, closed=closed)
