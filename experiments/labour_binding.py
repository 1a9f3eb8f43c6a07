"""Where and when the western labour market binds in the default geography (docs/ODD.md §7.5).

    python experiments/labour_binding.py [--seeds 2] [--years 10] [--geography fujian_ningxia]

A county's market binds when its local jobs (park jobs plus local employers' jobs) outnumber
the residents willing at the prevailing wage: its wage then rises above the prevailing wage
and its park openings fill more slowly. For each scenario and value of
``economy.surplus_farm_labour`` (the share of farmers willing at the prevailing wage at the
start) this prints: how many counties ever pay a premium above 0.5 %, the largest premium and
where, the year it first appears, and the counties closest to binding (peak park demand over
their headroom, the willing residents not yet in a local job at the start). Start incomes:
the model against the reported per-capita income (docs/data.md), and Kunming prefecture
against its own 2019 survey figures.
"""

from __future__ import annotations

import argparse

import numpy as np

from sim.model.mechanisms.labour import FARM, IDLE
from sim.model.transfer import TransferModel
from sim.params.compose import compose

BINDS = 0.005  # a premium above 0.5 % of the prevailing wage counts as binding


def run(scenario: str, surplus: float, seed: int, years: int, geography: str | None = None) -> dict:
    where = {"geography": geography} if geography else {}
    m = TransferModel(
        compose(
            {
                **where,
                "scenario": scenario,
                "run.seed": seed,
                "run.years": years,
                "economy.surplus_farm_labour": surplus,
            }
        )
    )
    lab, names = m.labour, m.geo.county_name[m.geo.is_west]
    people = lab.people.sum(axis=(1, 2))
    headroom = surplus * people[:, FARM] + people[:, IDLE]  # willing, not in a local job
    premium = np.zeros((m.n_steps, names.size))
    demand = np.zeros(names.size)
    for t in range(m.n_steps):
        m.step()
        premium[t] = lab.wage[:, 0] / lab.prevailing[:, 0] - 1
        demand = np.maximum(demand, lab.demand.sum(axis=1))
    binds = (premium > BINDS).any(axis=0)
    first = np.where(binds, (premium > BINDS).argmax(axis=0), -1)
    top = int(premium.max(axis=0).argmax())
    close = np.argsort(-demand / np.maximum(headroom, 1.0))[:3]
    return {
        "n_binding": int(binds.sum()),
        "max_premium": float(premium.max()),
        "where": names[top],
        "first_year": m.cfg.run.start_year + first[top] / m.cfg.run.steps_per_year
        if binds[top]
        else None,
        "closest": [(names[i], float(demand[i] / max(headroom[i], 1.0))) for i in close],
        "wage_growth": float(
            (m.history["west_wage_low"][-1] / m.history["west_wage_low"][0]) ** (1 / years) - 1
        ),
    }


def start_incomes() -> None:
    m = TransferModel()
    geo, lab = m.geo, m.labour
    pop = geo.population[geo.is_west]
    model, reported = lab.income_total / pop, lab.reported_income
    err = model / reported - 1
    names = geo.county_name[geo.is_west]
    print("## start incomes (yuan per resident, 2021)")
    print(
        f"farm earnings per farm worker {lab.farm_income[0]:,.0f}; model {model.min():,.0f}–"
        f"{model.max():,.0f} against reported {reported.min():,.0f}–{reported.max():,.0f}; "
        f"population-weighted RMS error {np.sqrt(np.average(err**2, weights=pop)):.3f}, "
        f"{(np.abs(err) < 0.2).mean():.1%} of counties within ±20 %, largest "
        f"{names[np.abs(err).argmax()]} {err[np.abs(err).argmax()]:+.3f}"
    )
    kunming = geo.county_prefecture[geo.is_west] == "Kunming"
    urban = np.average(geo.urban_share[geo.is_west][kunming], weights=pop[kunming])
    survey2019 = urban * 46289 + (1 - urban) * 16356  # kunming_income2019, at its urban share
    print(
        f"Kunming prefecture: model {np.average(model[kunming], weights=pop[kunming]):,.0f} "
        f"(2021), reported as derived {np.average(reported[kunming], weights=pop[kunming]):,.0f}; "
        f"its own 2019 survey figures at its 2020 urban share give {survey2019:,.0f} (2019)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--geography", help="another geography (start incomes only for the default)")
    args = ap.parse_args()
    if args.geography is None:
        start_incomes()
    print("\n## where the labour market binds (premium over the prevailing wage > 0.5 %)")
    for scenario in ("baseline", "full"):
        for surplus in (0.2, 0.05, 0.01):
            for seed in range(args.seeds):
                r = run(scenario, surplus, seed, args.years, args.geography)
                when = f", from {r['first_year']:.2f}" if r["first_year"] else ""
                close = ", ".join(f"{n} {x:.2f}" for n, x in r["closest"])
                print(
                    f"{scenario:8s} surplus {surplus:4.2f} seed {seed}: {r['n_binding']:3d} "
                    f"counties bind; largest premium {r['max_premium']:+.3f} ({r['where']}{when}); "
                    f"wage growth {r['wage_growth']:.4f}/yr; peak park demand / headroom: {close}"
                )


if __name__ == "__main__":
    main()
