"""What training buys through its channel in the default geography (docs/ODD.md §7.5, Skills).

    python experiments/skills_channel.py [--seeds 8] [--years 10]

Runs the training channel (configs/channel/training.yaml) against the same-seed baseline
(``sim.studies.channels``) and prints: the trained share of paired counties' resident workers
at the start and the end, the cost factor of a low-skill job it gives park firms, the saving
as a share of output for a few sectors, and the channels-table row for training (local jobs and
household income gained per yuan of the east's cost), as the mean and sd over seeds. With
``--off`` the premiums are set to 0: the channel removed, for comparison.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from sim.model import phases
from sim.model.mechanisms import skills
from sim.model.transfer import TransferModel
from sim.params.compose import compose
from sim.studies.channels import channel_overrides, compare

OFF = {"economy.training_productivity_premium": 0.0, "economy.training_wage_premium": 0.0}


def pool_and_saving(years: int, extra: dict) -> None:
    m = TransferModel(
        compose(
            {"scenario": "baseline", "run.years": years, **channel_overrides("training"), **extra}
        )
    )
    m.run()
    lab = m.labour
    paired = m.paired[m.geo.is_west]
    share = skills.trained_share(lab.people)
    k = skills.low_job_cost_factor(share, lab.trained0, m.views.skills)
    print(
        f"trained share of paired counties' residents: {lab.trained0[paired].mean():.3f} at the "
        f"start, {share[paired].mean():.3f} after {years} years; low-skill cost factor "
        f"k = {k[paired].mean():.4f} (min {k[paired].min():.4f})"
    )
    sites = phases.west_sites(m)
    raw = phases.west_labour_cost(m)[m.parks.county_w]
    in_paired = paired[m.parks.county_w]
    for name in ("textiles", "footwear", "electronics", "auto_parts", "pharma"):
        j = int(np.flatnonzero(m.sectors.name == name)[0])
        mid = m.sectors.mid_skill[j]
        y = float(np.median(m.firms.output_per_job[m.firms.sector == j]))
        saving = ((1 - mid) * raw[:, 0] + mid * raw[:, 1] - sites.wage[:, j]) / y
        print(f"  {name:12s} saving {saving[in_paired].mean():.4f} of output/year")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=8)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--off", action="store_true", help="premiums 0: the channel removed")
    args = ap.parse_args(argv)
    extra = OFF if args.off else {}
    pool_and_saving(args.years, extra)
    table = compare(
        tuple(range(args.seeds)), {"run.years": args.years, **extra}, channels=["training"]
    )
    cols = [
        "d_jobs_local",
        "d_migrants",
        "d_income_cum",
        "east_cost_cum",
        "jobs_per_m_east_yuan",
        "income_per_east_yuan",
    ]
    stats = table[cols].agg(["mean", "std"]).T
    with pd.option_context("display.float_format", "{:,.4g}".format):
        print(f"training against the same-seed baseline, {args.seeds} seeds, {args.years} years:")
        print(stats)


if __name__ == "__main__":
    main()
