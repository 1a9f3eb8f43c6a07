"""Channel by channel: each channel of pairing alone against the same-seed baseline.

``python -m sim.studies.channels [--seeds 0 1 2] [--years 10] [--csv FILE] [KEY=VALUE ...]``
runs the baseline and, for each channel, a run with only that channel on (same
seed, same extra overrides), and reports the gain over the baseline per yuan of
the channel's own cost: final-year local jobs (park, workshop and service, each
once) and migrants, and the cumulative income of the west's people (residents' household
income and migrants' earnings, each yuan once), per cumulative eastern yuan and per public
yuan (east + west, aid counted once); beside them the change in residents' per-capita
disposable income as the household survey measures it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from sim.params.compose import compose
from sim.params.paths import CONFIG_DIR

CHANNEL_DIR = Path(CONFIG_DIR) / "channel"  # one file per channel, also composed into the scenarios
CHANNELS = (
    "aid",
    "promotion",
    "cadres",
    "matching",
    "training",
    "migration_support",
    "consumption",
    "enclave",
)


def channel_overrides(name: str) -> dict:
    """The dotted overrides of ``configs/channel/<name>.yaml`` (its values sit under ``policy``)."""
    from omegaconf import OmegaConf

    path = CHANNEL_DIR / f"{name}.yaml"
    if name not in CHANNELS or not path.exists():
        raise ValueError(f"no channel {name!r}; channels: {', '.join(CHANNELS)}")

    def flat(d: dict, prefix: str) -> dict:
        out = {}
        for k, v in d.items():
            out.update(flat(v, f"{prefix}{k}.") if isinstance(v, dict) else {f"{prefix}{k}": v})
        return out

    return flat(OmegaConf.to_container(OmegaConf.load(path)) or {}, "policy.")  # as Hydra reads it


def _outcomes(model) -> dict[str, float]:
    h, dt = model.history, model.dt

    def cum(k: str) -> float:
        return float(h[k][1:].sum() * dt)

    return {
        "jobs_local": float(h["west_jobs_local_all"][-1]),
        "migrants": float(h["west_migrants_east"][-1]),
        "income_pc": float(h["west_income_per_capita"][-1]),
        "income_cum": cum("west_income_people_total"),
        "income_residents_cum": cum("west_income_total"),
        "east_cost_cum": cum("east_programme_cost"),
        "west_cost_cum": cum("west_programme_cost"),
        "public_cost_cum": cum("public_programme_cost"),
    }


def compare(seeds=(0,), extra: dict | None = None, channels=None, progress=None) -> pd.DataFrame:
    """One row per channel and seed: gains over the same-seed baseline and per yuan of cost."""
    from sim.analysis.paired import paired_gain
    from sim.runs.runner import run_seeds

    names = list(channels or CHANNELS)
    runs = []
    for name in ["baseline", *names]:
        over = {} if name == "baseline" else channel_overrides(name)
        for seed, model in run_seeds(
            compose({"scenario": "baseline", **(extra or {}), **over}), seeds
        ):
            runs.append({"channel": name, "seed": seed, **_outcomes(model)})
            if progress:
                progress(f"seed {seed}: {name}")
    cols = [
        "jobs_local",
        "migrants",
        "income_pc",
        "income_cum",
        "income_residents_cum",
        "east_cost_cum",
        "west_cost_cum",
        "public_cost_cum",
    ]
    d = paired_gain(pd.DataFrame(runs), cols, on=["seed"], by="channel")
    d = (
        d[d["channel"] != "baseline"]
        .set_index(["channel", "seed"])
        .loc[[(n, s) for s in seeds for n in names]]
    )
    east = d["east_cost_cum"]
    # public: east + west, aid (paid by the east, spent by the west) counted once
    total = d["public_cost_cum"]
    out = pd.DataFrame(
        {
            "d_jobs_local": d["jobs_local"],
            "d_migrants": d["migrants"],
            "d_income_pc": d["income_pc"],
            "d_income_cum": d["income_cum"],
            "d_income_residents_cum": d["income_residents_cum"],
            "east_cost_cum": east,
            "total_cost_cum": total,
            "jobs_per_m_east_yuan": (d["jobs_local"] / east * 1e6).where(east > 0),
            "jobs_per_m_yuan_all": (d["jobs_local"] / total * 1e6).where(total > 0),
            "income_per_east_yuan": (d["income_cum"] / east).where(east > 0),
            "income_per_yuan_all": (d["income_cum"] / total).where(total > 0),
        }
    )
    return out.reset_index()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m sim.studies.channels", description=__doc__.split("\n\n")[0]
    )
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
        table = compare(
            args.seeds, extra, progress=lambda msg: print(msg, file=sys.stderr, flush=True)
        )
    except Exception as err:  # bad keys or values: say so, no traceback
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.csv:
        from sim.runs.store import write_atomic

        write_atomic(Path(args.csv), table.to_csv(index=False).encode())
    mean = table.drop(columns="seed").groupby("channel", sort=False).mean()
    with pd.option_context(
        "display.width", 200, "display.max_columns", None, "display.float_format", "{:,.3g}".format
    ):
        print(mean)
    return 0


if __name__ == "__main__":
    sys.exit(main())
