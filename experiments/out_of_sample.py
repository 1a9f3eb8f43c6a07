"""The shipped calibration's point estimate, not refitted: the fitted shanghai_yunnan targets
(mean over seeds at the point) and the out-of-sample checks on Fujian–Ningxia and the Northeast
(docs/calibration.md §5). Prints the markdown tables of that section.

    python experiments/out_of_sample.py [n_seeds]
    python experiments/out_of_sample.py 5 --markdown   # only the table of §5 (make docs writes it)
"""

from __future__ import annotations

import sys

import numpy as np

from sim.analysis.calibration.experiment import Experiment
from sim.analysis.calibration.report import _g
from sim.analysis.calibration.validate import validate_out_of_sample
from sim.params.files import read_yaml
from sim.world.geography import world_file


def main(n_seeds: int = 5, fitted: bool = True) -> None:
    point = read_yaml(world_file("shanghai_yunnan", "point.yaml"))["values"]
    seeds = range(n_seeds)
    if fitted:
        fitted_targets(point, seeds)
    validation_table(point, seeds)


def fitted_targets(point: dict, seeds) -> None:
    exp = Experiment("shanghai_yunnan")
    runs = [exp.run_point(point, seeds=[s]) for s in seeds]
    print("| fitted target | reported | point mean over seeds | rel. error |")
    print("|---|---|---|---|")
    for tid, t in exp.targets.items():
        mean, reported = float(np.mean([r[t["measure"]] for r in runs])), float(t["value"])
        print(f"| {tid} | {_g(reported)} | {_g(mean)} | {mean / reported - 1:+.1%} |")
    print()


def validation_table(point: dict, seeds) -> None:
    head = "| geography | figure | vintage | reported | simulated mean [5–95%] over seeds | ratio |"
    print(head + " run |")
    print("|---|---|---|---|---|---|---|")
    for r in validate_out_of_sample(point, seeds):
        s = r["simulated"]
        run = ", ".join(f"{k}={v}" for k, v in r["run"].items()) + f", n_firms={r['n_firms']}"
        print(
            f"| {r['geography']} | {r['target']} | {r['vintage']} | {_g(r['reported'])} | "
            f"{_g(s['mean'])} [{_g(s['p5'])}–{_g(s['p95'])}] | {r['ratio']:.2f} | {run} |"
        )


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--markdown"]
    main(int(args[0]) if args else 5, fitted="--markdown" not in sys.argv[1:])
