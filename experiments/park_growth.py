"""Parks that grow on demand, and the counties' debt, in the default geography (docs/ODD.md §7.2).

    python experiments/park_growth.py [--seeds 2] [--years 10] [--scenario pairing]

Runs the scenario on the calibrated Shanghai–Yunnan defaults and prints, per seed and as the
mean: the parks' starting and final capacity (firm slots), the slots ordered and what the
counties paid for them (yuan), firms in the west at the end, and western debt and debt service
in the final year (yuan).
"""

from __future__ import annotations

import argparse

import numpy as np

from sim.model.transfer import TransferModel
from sim.params.compose import compose


def run(scenario: str, seed: int, years: int) -> dict:
    m = TransferModel(compose({"scenario": scenario, "run.seed": seed, "run.years": years}))
    cap0 = float(m.parks.capacity.sum())
    m.run()
    s, pk = m.summary(), m.parks
    return {
        "capacity_start": cap0,
        "capacity_end": float(pk.capacity.sum()),
        "slots_ordered": float(pk.slots_ordered_cum.sum()),
        "county_slot_spending_bn": float(pk.slot_spending_cum.sum()) / 1e9,
        "firms_in_west": float(s["firms_in_west"]),
        "west_debt_bn": float(s["west_debt"]) / 1e9,
        "west_debt_service_bn_per_year": float(s["west_cost_debt_service"]) / 1e9,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--scenario", default="pairing")
    a = ap.parse_args()
    rows = [run(a.scenario, seed, a.years) for seed in range(a.seeds)]
    for seed, r in enumerate(rows):
        print(f"seed {seed}: " + ", ".join(f"{k} {v:,.2f}" for k, v in r.items()))
    print("mean:   " + ", ".join(f"{k} {np.mean([r[k] for r in rows]):,.2f}" for k in rows[0]))


if __name__ == "__main__":
    main()
