"""Village workshops (帮扶车间) as small employers (DESIGN §3.2, §3.5).

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


def market_size(working_age, processing_purchases, sales_per_job, market_share):
    """Jobs at which sales per job halve (W,): village labour and buyers, widened by processed procurement."""
    return market_share * working_age + processing_purchases / np.maximum(sales_per_job, 1.0)


def sales_per_job(jobs, sales0, market):
    """Sales per workshop job (yuan/job-year) when ``jobs`` are working: sales0 / (1 + jobs / market)."""
    return sales0 / (1.0 + jobs / np.maximum(market, 1e-9))


def viable_jobs(sales0, input_share, wage, subsidy_per_job, market):
    """Most jobs (W,) whose value added per job plus subsidy still covers the wage.

    Value added per job (1 − input_share) × sales0 / (1 + J/M) + subsidy ≥ wage
    ⇔ J ≤ M × (va0 / (wage − subsidy) − 1). Unbounded (inf) when the subsidy alone pays the wage.
    """
    va0 = (1.0 - input_share) * sales0
    net_wage = wage - subsidy_per_job
    with np.errstate(divide="ignore"):
        room = np.where(net_wage > 0, va0 / np.maximum(net_wage, 1e-9) - 1.0, np.inf)
    return np.maximum(market * room, 0.0)


def step(slots, budget, working_age, processing_purchases, wage, sales0, e, dt, steps_per_year):
    """Build, subsidise and close workshop jobs for one step; returns :class:`WorkshopBooks`.

    slots (W,) jobs open; budget (W,) yuan this step for workshops (operating
    subsidies first, then building at ``e.workshop_cost_per_job`` up to the jobs
    that can pay); working_age
    (W,) persons; processing_purchases (W,) yuan/year of procured processed goods;
    wage yuan/year; sales0 yuan/job-year; ``dt`` years per step.
    """
    from sim.model.mechanisms.labour import per_step

    kept = slots * (1 - per_step(e.workshop_depreciation, steps_per_year))
    op_due = kept * e.workshop_operating_subsidy * dt
    op_paid = np.minimum(op_due, budget)
    subsidy = np.divide(op_paid, kept * dt, out=np.zeros_like(kept), where=kept * dt > 0)
    market = market_size(working_age, processing_purchases, sales0, e.workshop_market_share)
    viable = viable_jobs(sales0, e.workshop_input_share, wage, subsidy, market)
    # the county builds only jobs that can pay; the rest of the workshop budget is not spent
    build = np.minimum(budget - op_paid, np.maximum(viable - kept, 0.0) * e.workshop_cost_per_job)
    opened = kept + build / e.workshop_cost_per_job
    new_slots = np.minimum(opened, viable)
    closed = np.maximum(kept - new_slots, 0.0)
    jobs = new_slots
    return WorkshopBooks(
        slots=new_slots, viable=viable, sales=jobs * sales_per_job(jobs, sales0, market),
        wage_bill=jobs * wage, operating_subsidy=op_paid / dt, build_spending=build / dt, closed=closed)
