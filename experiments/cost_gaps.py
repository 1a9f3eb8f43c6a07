"""The starting cost gaps firms see, from the geography data files (the table in docs/data.md).

    python experiments/cost_gaps.py
    python experiments/cost_gaps.py --markdown   # the table of docs/data.md (make docs writes it)

For each geography: the eastern labour cost (wage plus employer contributions on max(wage, floor)),
the western labour cost by minimum-wage tier and its ratio to the eastern one, land cost per job
and the west/east land ratio, the power-price ratio, and the western market's share of each
sector's sales (the rule of sim/world/sectors.yaml).
"""

from __future__ import annotations

import sys

import numpy as np

from sim.model.mechanisms.costs import labour_cost
from sim.world import geography


def gaps(name: str) -> None:
    geo = geography.load_file(name)
    ec = geo.economy
    east = labour_cost(ec["east_wage"], ec["east_contribution_rate"], ec["east_contribution_floor"])
    print(f"## {name}")
    print(
        f"east labour cost {east:,.0f} yuan/job/year (wage {ec['east_wage']:,.0f}, "
        f"effective contribution rate {east / ec['east_wage'] - 1:.3f})"
    )
    west = geo.wage_index[geo.is_west]
    for index in sorted(set(np.round(west, 4)), reverse=True):
        wage = ec["west_wage_low"] * index
        cost = labour_cost(wage, ec["west_contribution_rate"], ec["west_contribution_floor"])
        n = int((np.round(west, 4) == index).sum())
        print(
            f"  west low-skill, wage index {index:.3f} ({n} counties): wage {wage:,.0f}, "
            f"cost {cost:,.0f}, cost ratio west/east {cost / east:.3f}"
        )
    print(
        f"land cost east {ec['east_land_cost']:,.0f}, west {ec['west_land_cost']:,.0f} "
        f"yuan/job/year, ratio {ec['west_land_cost'] / ec['east_land_cost']:.3f}"
    )
    print(f"power price ratio west/east {geography.west_power_price_ratio(ec):.3f}")
    s = geography.load_sectors(ec["west_consumption_share"])
    shares = ", ".join(f"{n} {m:.4f}" for n, m in zip(s.name, s.markets[:, 2], strict=True))
    print(f"western market share of sales (consumption share {ec['west_consumption_share']}):")
    print(f"  {shares}")
    print()


GEOGRAPHIES = {
    "shanghai_yunnan": "Shanghai–Yunnan",
    "fujian_ningxia": "Fujian–Ningxia",
    "northeast": "Northeast",
}


def _pct(share: float) -> str:
    return f"{100 * share:.2g} %"


def table() -> str:
    """The cost-gap table of docs/data.md, one column per geography."""
    rows: dict[str, list[str]] = {
        "eastern labour cost (yuan/job/year)": [],
        "western/eastern labour cost by wage tier (counties)": [],
        "land cost east / west (yuan/job/year), ratio": [],
        "power price west/east": [],
        "western market, share of a sector's sales": [],
    }
    for name in GEOGRAPHIES:
        geo = geography.load_file(name)
        ec = geo.economy
        east = labour_cost(
            ec["east_wage"], ec["east_contribution_rate"], ec["east_contribution_floor"]
        )
        west = np.round(geo.wage_index[geo.is_west], 4)
        tiers = sorted(set(west), reverse=True)
        ratios = [
            labour_cost(
                ec["west_wage_low"] * i, ec["west_contribution_rate"], ec["west_contribution_floor"]
            )
            / east
            for i in tiers
        ]
        counts = [int((west == i).sum()) for i in tiers]
        s = geography.load_sectors(ec["west_consumption_share"])
        share = s.markets[:, 2]
        lo, hi = int(np.argmin(share)), int(np.argmax(share))
        cells = list(rows.values())
        cells[0].append(f"{east:,.0f} (effective rate {east / ec['east_wage'] - 1:.2f})")
        cells[1].append(
            " / ".join(f"{r:.2f}" for r in ratios) + f" ({' / '.join(str(n) for n in counts)})"
        )
        cells[2].append(
            f"{ec['east_land_cost']:,.0f} / {ec['west_land_cost']:,.0f}, "
            f"{ec['west_land_cost'] / ec['east_land_cost']:.2f}"
        )
        cells[3].append(f"{geography.west_power_price_ratio(ec):.2f}")
        cells[4].append(
            f"{_pct(share[lo])} ({s.name[lo].replace('_', ' ')}) – "
            f"{_pct(share[hi])} ({s.name[hi].replace('_', ' ')})"
        )
    lines = [
        "| | " + " | ".join(GEOGRAPHIES.values()) + " |",
        "|---" * (len(GEOGRAPHIES) + 1) + "|",
    ]
    lines += [f"| {label} | " + " | ".join(v) + " |" for label, v in rows.items()]
    return "\n".join(lines)


if __name__ == "__main__":
    if "--markdown" in sys.argv[1:]:
        print(table())
    else:
        for name in GEOGRAPHIES:
            gaps(name)
