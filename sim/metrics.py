"""Outcome names, units and meanings (DESIGN §6, contract) — one place for all outputs."""

from __future__ import annotations

# name -> (unit, meaning). The first block is the DESIGN §6 contract.
METRICS: dict[str, tuple[str, str]] = {
    "west_jobs_local": ("persons", "western residents in park and workshop jobs"),
    "west_migrants_east": ("persons", "western working-age people working as migrants in the east"),
    "west_employment_rate": ("share", "share of western working-age people in wage jobs (park, workshop or migrant)"),
    "west_income_per_capita": ("yuan/year", "household income per working-age person in the west (population-weighted)"),
    "east_west_income_ratio": ("ratio", "eastern income per resident over western household income per resident"),
    "firms_in_west": ("firms", "firms with a branch or a full move in a western park"),
    "firms_relocated_cum": ("firms", "firms that have landed in a western park so far (branch or full move)"),
    "investment_cum": ("yuan", "investment brought by firms into western parks so far"),
    "west_tax_revenue": ("yuan/year", "park-firm tax kept by western counties"),
    "east_tax_revenue_enclave": ("yuan/year", "enclave tax paid to eastern partners"),
    "park_occupancy": ("share", "firms in parks over park capacity"),
    "low_income_share": ("share", "share of western working-age people below the low-income line"),
    "west_fiscal_cost": ("yuan/year", "western subsidies: land discounts paid plus local tax rebated in holidays"),
    # further outcomes
    "firms_relocated_full": ("firms", "firms fully moved to a western park"),
    "firms_branch": ("firms", "firms with a western branch"),
    "firms_exited": ("firms", "firms that have exited"),
    "west_park_jobs": ("persons", "western residents in park jobs"),
    "west_workshop_jobs": ("persons", "western residents in workshop jobs"),
    "west_workshop_jobs_immobile": ("persons", "immobile western residents in workshop jobs"),
    "west_wage_low": ("yuan/year", "mean low-skill western park wage (population-weighted)"),
    "west_mid_skill_share": ("share", "share of western working-age people with mid skill"),
    "west_debt": ("yuan", "debt of western counties"),
    "west_programme_spending": ("yuan/year", "western spending on park infrastructure, workshops and training"),
    "east_aid_paid": ("yuan/year", "eastern fiscal aid paid to paired western counties"),
    "east_labour_spending": ("yuan/year", "eastern spending on labour cooperation (training, migration support)"),
    "east_programme_cost": ("yuan/year", "eastern cost of all channels: aid, labour cooperation, enclave co-investment, procurement premium"),
    "east_promotion_effort": ("multiplier", "mean promotion effort behind paired western parks"),
    "tax_paid_west_parks": ("yuan/year", "all tax paid by park firms (upper levels + west + east shares)"),
}
CONTRACT = tuple(list(METRICS)[:13])

# per-county outcomes in regions.parquet: name -> (unit, meaning)
REGION_METRICS: dict[str, tuple[str, str]] = {
    "jobs_local": ("persons", "west: residents in park and workshop jobs"),
    "migrants_east": ("persons", "west: migrants working in the east"),
    "employment_rate": ("share", "west: share in wage jobs"),
    "income_per_capita": ("yuan/year", "west: household income per working-age person"),
    "low_income_share": ("share", "west: share below the low-income line"),
    "wage_low": ("yuan/year", "west: low-skill park wage"),
    "firms": ("firms", "west: firms in the county's parks; east: firms at home"),
    "park_capacity": ("firm slots", "west: capacity of the county's parks"),
    "tax_retained": ("yuan/year", "west: park tax kept by the county"),
    "enclave_revenue": ("yuan/year", "east: enclave tax received"),
    "fiscal_cost": ("yuan/year", "west: land discounts paid plus tax rebated"),
    "debt": ("yuan", "county debt"),
    "friction": ("share of output", "administrative friction cost for firms"),
    "promotion_effort": ("multiplier", "east: promotion effort"),
}


def region_side(name: str) -> str | None:
    """'west' or 'east' if a per-county outcome applies to that side only (its meaning starts
    with "west:" or "east:" and names no other side), else None. Other rows hold NaN."""
    meaning = REGION_METRICS.get(name, ("", ""))[1]
    sides = [s for s in ("west", "east") if f"{s}:" in meaning]
    return sides[0] if len(sides) == 1 and meaning.startswith(f"{sides[0]}:") else None
