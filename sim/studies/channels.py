"""Channel by channel: each channel of pairing alone against the same-seed baseline.

``python -m sim.studies.channels [--seeds 0 1 2] [--years 10] [--csv FILE] [KEY=VALUE ...]``
runs the baseline and, for each channel, a run with only that channel on (same
seed, same extra overrides), and reports the gain over the baseline per yuan of
the channel's own cost: final-year local jobs (park, workshop and service, each
once) and migrants, and cumulative western household income, per cumulative
eastern yuan (and per public yuan, east + west, with aid counted once).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sim.model.transfer import TransferModel
from sim.params.compose import compose

# the overrides that turn each channel on alone (over scenario=baseline)
_PAIRING_ONLY = {"policy.pairing.enabled": True, "policy.pairing.aid_per_county": 0.0,
                 "policy.pairing.promotion": 0.0, "policy.pairing.cadres_per_county": 0.0,
                 "policy.pairing.trainees_per_county": 0.0, "policy.pairing.west_cadres_per_county": 0.0}
CHANNELS: dict[str, dict] = {
    "aid": {**_PAIRING_ONLY, "policy.pairing.aid_per_county": 40e6},
    "promotion": {**_PAIRING_ONLY, "policy.pairing.promotion": 1.0},
    "cadres": {**_PAIRING_ONLY, "policy.pairing.cadres_per_county": 9.5, "policy.pairing.trainees_per_county": 512.0,
               "policy.pairing.west_cadres_per_county": 13.6},
    "matching": {"policy.labour.matching_gain": 0.05},
    "training": {"policy.labour.training_rate": 0.05},
    "migration_support": {"policy.labour.migration_support": 2000.0},
    "consumption": {"policy.consumption.procurement_per_year": 9.196e9},
    "enclave": {"policy.enclave.enabled": True},
}


def _outcomes(overrides: dict) -> dict[str, float]:
    m = TransferModel(compose({"scenario": "baseline", **overrides})).run()
    h, dt = m.history, m.dt
    working_age = m.labour.people.sum() + m.labour.inactive.sum()
    return {
        "jobs_local": float(h["west_jobs_local_all"][-1]),
        "migrants": float(h["west_migrants_east"][-1]),
        "income_cum": float(h["west_income_per_capita"][1:].sum() * working_age * dt),
        "east_cost_cum": float(h["east_programme_cost"][1:].sum() * dt),
        "west_cost_cum": float(h["west_programme_cost"][1:].sum() * dt),
        "aid_cum": float(h["east_cost_aid"][1:].sum() * dt),
    }


def compare(seeds=(0,), extra: dict | None = None, channels=None, progress=None) -> pd.DataFrame:
    """One row per channel and seed: gains over the same-seed baseline and per yuan of cost."""
    rows = []
    names = list(channels or CHANNELS)
    for seed in seeds:
        base = _outcomes({**(extra or {}), "run.seed": seed})
        for name in names:
            run = _outcomes({**(extra or {}), **CHANNELS[name], "run.seed": seed})
            d = {k: run[k] - base[k] for k in ("jobs_local", "migrants", "income_cum")}
            east = run["east_cost_cum"] - base["east_cost_cum"]
            # aid is a transfer between the two accounts: the west spends it, so count it once
            total = east + run["west_cost_cum"] - base["west_cost_cum"] - (run["aid_cum"] - base["aid_cum"])
            rows.append({"channel": name, "seed": seed, "d_jobs_local": d["jobs_local"], "d_migrants": d["migrants"],
                         "d_income_cum": d["income_cum"], "east_cost_cum": east, "total_cost_cum": total,
                         "jobs_per_m_east_yuan": d["jobs_local"] / east * 1e6 if east > 0 else np.nan,
                         "income_per_east_yuan": d["income_cum"] / east if east > 0 else np.nan,
                         "income_per_yuan_all": d["income_cum"] / total if total > 0 else np.nan})
            if progress:
                progress(f"seed {seed}: {name}")
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sim.studies.channels", description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--csv", help="also write the per-seed table here")
    ap.add_argument("overrides", nargs="*", help="extra KEY=VALUE overrides for every run")
    args = ap.parse_args(argv)
    extra = {"run.years": args.years}
    for item in args.overrides:
        if "=" not in item:
            print(f"error: override {item!r} is not KEY=VALUE", file=sys.stderr)
            return 2
        k, v = item.split("=", 1)
        extra[k] = v
    try:
        table = compare(args.seeds, extra, progress=lambda msg: print(msg, file=sys.stderr, flush=True))
    except Exception as err:  # bad keys or values: say so, no traceback
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.csv:
        from sim.runs.store import write_atomic

        write_atomic(Path(args.csv), table.to_csv(index=False).encode())
    mean = table.drop(columns="seed").groupby("channel", sort=False).mean()
    with pd.option_context("display.width", 200, "display.max_columns", None, "display.float_format", "{:,.3g}".format):
        print(mean)
    return 0


if __name__ == "__main__":
    sys.exit(main())
