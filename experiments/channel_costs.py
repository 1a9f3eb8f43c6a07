"""The numbers of docs/ODD.md §7.9 "Channels, costed once": the cost lines of `full` over ten
years, the channel table (jobs and income per yuan, each channel alone against the same-seed
baseline) and labour cooperation against enclave parks at equal public cost.

    python experiments/channel_costs.py [--seeds 0 1 2]
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from sim.model.mechanisms.accounts import EAST_LINES, WEST_LINES, WEST_MEMO
from sim.params.compose import compose
from sim.runs.runner import run_seeds
from sim.studies import channels, labour_vs_industry


def cost_lines(seeds) -> pd.Series:
    """Each cost line and total of `full`, summed over the run (bn yuan), mean over seeds."""
    keys = (
        [f"east_cost_{k}" for k in EAST_LINES]
        + [f"west_cost_{k}" for k in (*WEST_LINES, *WEST_MEMO)]
        + ["east_programme_cost", "west_programme_cost", "west_programme_cost_own"]
        + ["public_programme_cost", "east_matching_participants"]
    )
    rows = [
        {k: m.history[k][1:].sum() * m.dt for k in keys}
        for _, m in run_seeds(compose({"scenario": "full"}), seeds)
    ]
    out = pd.DataFrame(rows).mean()
    return out.where(out.index == "east_matching_participants", out / 1e9)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    seeds = ap.parse_args().seeds
    pd.set_option("display.width", 220)
    pd.set_option("display.max_columns", None)
    print(f"## cost lines of full over ten years (bn yuan; seeds {seeds})")
    print(cost_lines(seeds).to_string(float_format="{:,.2f}".format))
    print("\n## channel table (mean over seeds)")
    table = channels.compare(tuple(seeds), {"run.years": 10})
    mean = table.drop(columns="seed").groupby("channel", sort=False).mean()
    print(mean.to_string(float_format="{:,.3g}".format))
    print("\n## labour cooperation vs enclave parks at equal public cost")
    eq, scale, it = labour_vs_industry.at_equal_cost(tuple(seeds), {"run.years": 10})
    print(f"labour levers × {scale:.4g} after {it} runs of the arm")
    print(eq.to_string(float_format="{:,.4g}".format))
    assert np.isfinite(scale)


if __name__ == "__main__":
    main()
