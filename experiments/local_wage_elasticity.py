"""The wage elasticity of one place's share of firms, as location-choice studies measure it
(docs/decisions.md, docs/evidence.md §5).

    python experiments/local_wage_elasticity.py [--seeds 3] [--years 10] [--scenario full]

Conditional-logit studies of Chinese firm location estimate how a place's probability of being
chosen falls with its own wage, other places unchanged. Here the minimum-wage index of every
county of one Yunnan prefecture is raised by 20% (its labour cost, all else equal, the rest of
the west unchanged), and the prefecture's eastern firms at the end of the run are compared with
the same-seed run without the shock: the arc elasticity of its firms to its own labour cost,
per prefecture and pooled over the prefectures listed. Changing every western wage at once
(docs/decisions.md) measures a different thing: the west against staying east.
"""

from __future__ import annotations

import argparse
import dataclasses

import numpy as np

from sim.model.mechanisms.location import in_west
from sim.model.transfer import TransferModel
from sim.params.compose import compose
from sim.world import geography as geography_mod

SHOCK = 0.2
PREFECTURES = ("Qujing", "Honghe", "Zhaotong", "Dali", "Chuxiong", "Wenshan")


def firms_by_prefecture(cfg, geo) -> dict[str, int]:
    m = TransferModel(cfg, geography=geo)
    m.run()
    f = m.firms
    west = np.flatnonzero(in_west(f.state))
    county = m.parks.county[f.park[west]]
    pref = geo.county_prefecture[county]
    names, counts = np.unique(pref, return_counts=True)
    return dict(zip(names.tolist(), counts.tolist(), strict=True))


def arc(base: float, other: float) -> float:
    d_out = (other - base) / ((other + base) / 2)
    return d_out / (SHOCK / (1 + SHOCK / 2))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--scenario", default="full")
    a = ap.parse_args()
    base_n, shocked_n = {p: 0 for p in PREFECTURES}, {p: 0 for p in PREFECTURES}
    for seed in range(a.seeds):
        cfg = compose({"scenario": a.scenario, "run.seed": seed, "run.years": a.years})
        geo = geography_mod.build(cfg.geography, np.random.default_rng(0))
        base = firms_by_prefecture(cfg, geo)
        for p in PREFECTURES:
            idx = geo.wage_index * np.where(geo.county_prefecture == p, 1 + SHOCK, 1.0)
            other = firms_by_prefecture(cfg, dataclasses.replace(geo, wage_index=idx))
            base_n[p] += base.get(p, 0)
            shocked_n[p] += other.get(p, 0)
    print(f"{a.scenario}, {a.seeds} seeds, {a.years} years; firms in the prefecture's parks")
    for p in PREFECTURES:
        print(
            f"  {p:<10} {base_n[p] / a.seeds:8.1f} -> {shocked_n[p] / a.seeds:8.1f}"
            f"   arc elasticity {arc(base_n[p], shocked_n[p]):+.2f}"
        )
    b, o = sum(base_n.values()), sum(shocked_n.values())
    print(
        f"  pooled     {b / a.seeds:8.1f} -> {o / a.seeds:8.1f}   arc elasticity {arc(b, o):+.2f}"
    )


if __name__ == "__main__":
    main()
