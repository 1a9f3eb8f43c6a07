"""Driving the model from SALib: Sobol indices of the enclave package's western jobs.

SALib draws a Saltelli design as a numpy array; each row's values go to
``sim.evaluate_many`` as they are (``np.float64``), the model runs on local cores,
and SALib computes first- and total-order indices with bootstrap CIs. For the
full study through the sweep machinery (Slurm, resume, progress, figure) use
``python -m sim.run -m experiment=sensitivity_sobol`` (docs/sensitivity.md).

    python experiments/salib_example.py             # 4 parameters, N=8: 48 runs of 2 years
    (~10-60 s)
    python experiments/salib_example.py --n 64 --years 10 --firms 10000
"""

from __future__ import annotations

import argparse

import numpy as np
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

import sim
from sim.params.designs import problem

PARAMETERS = [
    "policy.enclave.coinvest_per_park",
    "policy.enclave.tax_share_east",
    "economy.margin_mean",
    "economy.west_productivity",
]


def run(n: int, years: int, firms: int, seed: int = 0, n_jobs: int = -1):
    """(SALib problem, design X, outcome Y, indices) for the enclave scenario's western local
    jobs."""
    # names and ranges from the schema's priors (all four uniform, so SALib's own uniform
    # sampling is the prior); the first two are the enclave's levers: asked for by levers=True
    prob = problem(PARAMETERS, levers=True)
    X = sobol_sample.sample(prob, N=n, calc_second_order=False, seed=seed)
    base = {"scenario": "enclave", "run.years": years, "geography.n_firms": firms, "run.seed": seed}
    # SALib's own numpy values go in unconverted: row[i] is np.float64
    runs = sim.evaluate_many(
        [{**base, **dict(zip(prob["names"], row, strict=True))} for row in X], n_jobs=n_jobs
    )
    Y = np.array([r["west_jobs_local"] for r in runs])
    Si = sobol_analyze.analyze(prob, Y, calc_second_order=False, seed=seed)
    return prob, X, Y, Si


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=8, help="Saltelli base sample (a power of 2)")
    ap.add_argument("--years", type=int, default=2)
    ap.add_argument("--firms", type=int, default=2000)
    ap.add_argument("--jobs", type=int, default=-1, help="parallel processes (-1: every core)")
    a = ap.parse_args(argv)
    prob, X, Y, Si = run(a.n, a.years, a.firms, n_jobs=a.jobs)
    print(
        f"SALib passed values as {type(X[0, 0]).__name__}; {len(X)} runs; "
        f"western local jobs (enclave): mean {Y.mean():,.0f}, sd {Y.std():,.0f}"
    )
    print(f"{'parameter':<36} {'S1':>8} {'± CI':>8} {'ST':>8} {'± CI':>8}")
    for i, name in enumerate(prob["names"]):
        print(
            f"{name:<36} {Si['S1'][i]:8.3f} {Si['S1_conf'][i]:8.3f} {Si['ST'][i]:8.3f} "
            f"{Si['ST_conf'][i]:8.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
