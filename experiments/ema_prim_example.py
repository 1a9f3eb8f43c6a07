"""Driving the model from EMA workbench: where in parameter space do enclave parks pay off?

EMA workbench samples the uncertain parameters (Latin hypercube), calls the model
through ``sim.evaluate`` with the values exactly as it passes them (numpy scalars),
and PRIM (Patient Rule Induction Method) finds the box of parameter values in
which the enclave scenario adds the most western jobs over the baseline run with
the same parameters and seed (common random numbers).

    pip install -e '.[interop]'
    python experiments/ema_prim_example.py                # 24 experiments, 2 years, 2,000 firms
    (~10-60 s)
    python experiments/ema_prim_example.py --n 200 --years 10 --firms 10000    # a real one

Ranges come from the schema's priors (``sim.params.designs.prior_ranges``). Two of the
six, ``tax_share_east`` and ``coinvest_per_park``, are policy levers (role ``lever``): the
box says which settings of them pay off under which states of the world, so they are
sampled beside the uncertain parameters, over their declared ranges.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np

import sim
from sim.params.designs import prior_ranges

# dotted config key -> EMA parameter name (EMA names are identifiers)
KEYS = {
    "policy.enclave.tax_share_east": "tax_share_east",
    "policy.enclave.coinvest_per_park": "coinvest_per_park",
    "policy.enclave.operator_efficiency": "operator_efficiency",
    "economy.margin_mean": "margin_mean",
    "economy.nest_scale": "nest_scale",
    "economy.west_productivity": "west_productivity",
}
BASE: dict = {}  # run length and size, set from the command line
SEEN_TYPES: set[str] = set()


def enclave_gain(**values) -> dict:
    """EMA's model function: jobs and eastern cost of enclave parks over the same-parameter
    baseline."""
    SEEN_TYPES.update(type(v).__name__ for v in values.values())
    params = {
        key: values[name] for key, name in KEYS.items()
    }  # EMA's own (numpy) values, unconverted
    enclave = sim.evaluate({**BASE, **params, "scenario": "enclave"})
    baseline = sim.evaluate({**BASE, **params, "scenario": "baseline"})
    return {
        "jobs_gain": enclave["west_jobs_local"] - baseline["west_jobs_local"],
        "east_cost": enclave["east_programme_cost"],
    }


def run(n: int, years: int, firms: int, seed: int = 0):
    """Experiments and the PRIM box; returns (experiments, outcomes, box)."""
    from ema_workbench import Model, RealParameter, ScalarOutcome, perform_experiments
    from ema_workbench.analysis import prim

    BASE.update({"run.years": years, "geography.n_firms": firms, "run.seed": seed})
    ranges = prior_ranges(levers=True)
    model = Model("east_west", function=enclave_gain)
    model.uncertainties = [RealParameter(name, *ranges[key]) for key, name in KEYS.items()]
    model.outcomes = [ScalarOutcome("jobs_gain"), ScalarOutcome("east_cost")]
    experiments, outcomes = perform_experiments(
        model, scenarios=n, uncertainty_sampling_kwargs={"rng": seed}
    )
    x = experiments[list(KEYS.values())]
    y = outcomes["jobs_gain"] >= np.percentile(outcomes["jobs_gain"], 75)  # the best quarter
    box = prim.Prim(x, y, mass_min=0.1).find_box()
    return experiments, outcomes, box


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=24, help="experiments (Latin hypercube)")
    ap.add_argument("--years", type=int, default=2)
    ap.add_argument("--firms", type=int, default=2000)
    a = ap.parse_args(argv)
    warnings.filterwarnings("ignore", module="ema_workbench")
    experiments, outcomes, box = run(a.n, a.years, a.firms)
    print(f"EMA workbench passed parameter values as: {', '.join(sorted(SEEN_TYPES))}")
    print(
        f"{a.n} experiments; enclave jobs gain over baseline: median "
        f"{np.median(outcomes['jobs_gain']):,.0f}, "
        f"best quarter >= {np.percentile(outcomes['jobs_gain'], 75):,.0f}"
    )
    print(
        f"PRIM box (coverage {box.coverage:.0%}, density {box.density:.0%}) "
        "where the best quarter of gains lies:"
    )
    limits = box.box_lims[-1]  # the selected box: the last of the peeling trajectory
    full = experiments[list(KEYS.values())].agg(["min", "max"])
    for name in KEYS.values():
        lo, hi = limits[name]
        if lo > full.loc["min", name] or hi < full.loc["max", name]:
            print(
                f"  {name:<22} {lo:.4g} .. {hi:.4g}   (sampled {full.loc['min', name]:.4g} "
                f".. {full.loc['max', name]:.4g})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
