"""Which reported figures separate the ends of the calibration's ridge, and how many landings
would have come without the pairing (docs/calibration.md §1 and §4).

Runs the shipped draws with the smallest and the largest at-risk pools (three distinct draws
each) and the point estimate, each on seeds 0..n-1 with the calibration's own simulator
(``Experiment.run_point``, counterfactual included), and prints a markdown table of the
measures the targets use, next to the reported figures.

    python experiments/calibration_ridge.py [n_seeds]
"""

from __future__ import annotations

import sys

from sim.analysis.calibration.experiment import Experiment, load_targets
from sim.analysis.calibration.report import _g
from sim.params.draws import load_draws, load_point

GEO = "shanghai_yunnan"
COLUMNS = (
    "firms_landed:2021",
    "firms_landed:2022",
    "firms_landed:2023",
    "firms_landed:2024H1",
    "investment:2023",
    "investment:2024H1",
    "firms_landed_cum:2023",
    "firms_landed_baseline:2023",
    "landed_anyway_share:2023",
)


def ends(draws: list[dict], k: int = 3) -> tuple[list[int], list[int]]:
    """Indices of the ``k`` distinct draws with the smallest and the largest pools."""
    seen, distinct = [], []
    for i in sorted(range(len(draws)), key=lambda i: draws[i]["values"]["geography.n_firms"]):
        if draws[i]["values"] not in seen:
            seen.append(draws[i]["values"])
            distinct.append(i)
    return distinct[:k], distinct[-k:]


def main(n_seeds: int = 3) -> None:
    exp = Experiment(GEO)
    draws, point = load_draws(GEO)["draws"], load_point(GEO)
    low, high = ends(draws)
    rows = [("point estimate", point)]
    rows += [(f"draw {i} (small pool)", draws[i]["values"]) for i in low]
    rows += [(f"draw {i} (large pool)", draws[i]["values"]) for i in high]
    reported = {t["measure"]: float(t["value"]) for t in load_targets(GEO).values() if t["measure"]}
    print(
        "| parameters | n_firms | move_cost | "
        + " | ".join(c.replace(":", " ") for c in COLUMNS)
        + " |"
    )
    print("|---" * (len(COLUMNS) + 3) + "|")
    print(
        "| reported | | | "
        + " | ".join(
            _g(reported[c]) + (" (prior)" if "share" in c else "") if c in reported else "—"
            for c in COLUMNS
        )
        + " |"
    )
    for label, values in rows:
        m = exp.run_point(values, seeds=list(range(n_seeds)), counterfactual=True)
        print(
            f"| {label} | {values['geography.n_firms']:,} | {values['economy.move_cost']:.3g} | "
            + " | ".join(_g(m[c]) for c in COLUMNS)
            + " |",
            flush=True,
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
