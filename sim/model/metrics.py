"""Outcome records (unit, side, direction, meaning; the output contract) — one place for all
outputs —
and their computation from model state (:func:`model_metrics`, :func:`region_metrics`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.mechanisms.accounts import EAST_LINES, WEST_LINES, WEST_MEMO
from sim.model.mechanisms.labour import (
    FARM,
    IMMOBILE,
    LOW,
    MID,
    MIGRANT,
    MOBILE,
    PARK,
    SERVICE,
    WORKSHOP,
)
from sim.model.mechanisms.location import (
    BRANCH,
    EXITED,
    HOME,
    RELOCATED,
    in_west,
)

WEST, EAST, BOTH = "west", "east", "both"
HIGHER, LOWER, COST, NEITHER = (
    "higher",
    "lower",
    "cost",
    "",
)  # COST: lower is better, and it is a cost


@dataclass(frozen=True)
class Outcome:
    """What an outcome counts: unit, whose it is, which way is better, meaning."""

    unit: str
    side: str  # WEST, EAST or BOTH
    better: str  # HIGHER, LOWER, COST or NEITHER (a diagnostic)
    meaning: str

    @property
    def sign(self) -> float:
        """+1 if more is better, -1 if less is better, NaN if neither."""
        return {HIGHER: 1.0, LOWER: -1.0, COST: -1.0}.get(self.better, float("nan"))


# One record per outcome: unit, side (whose outcome), which way is better, meaning.
# Docs (docs/ODD.md tables), the NaN masks of regions.parquet, labels and the comparison's
# P(better) all read these records. The first block is the output contract (docs/ODD.md).
OUTCOMES: dict[str, Outcome] = {
    "west_jobs_local": Outcome(
        "persons", WEST, HIGHER, "western residents in park and workshop jobs"
    ),
    "west_migrants_east": Outcome(
        "persons", WEST, NEITHER, "western working-age people working as migrants in the east"
    ),
    "west_employment_rate": Outcome(
        "share",
        WEST,
        HIGHER,
        "share of western working-age people in work: farming (self-employed), park, workshop, "
        "service or migrant job",
    ),
    "west_income_per_capita": Outcome(
        "yuan/year",
        WEST,
        HIGHER,
        "per-capita disposable income of western residents, as the household survey measures it: "
        "resident households' income (remittances received are transfer income) over residents "
        "of all ages (a migrant away is not a resident)",
    ),
    "east_west_income_ratio": Outcome(
        "ratio",
        BOTH,
        LOWER,
        "per-capita disposable income of eastern over western residents: the official start-year "
        "ratio, moved by the model's eastern and western income growth",
    ),
    "firms_in_west": Outcome(
        "firms",
        BOTH,
        HIGHER,
        "firms with a branch or a full move in a western park (committed: plants being built "
        "included)",
    ),
    "firms_relocated_cum": Outcome(
        "firms",
        BOTH,
        HIGHER,
        "firms that have landed in a western park so far (branch or full move)",
    ),
    "investment_cum": Outcome(
        "yuan", BOTH, HIGHER, "investment brought by firms into western parks so far"
    ),
    "west_tax_revenue": Outcome(
        "yuan/year", WEST, HIGHER, "park-firm tax kept by western counties"
    ),
    "east_tax_revenue_enclave": Outcome(
        "yuan/year", EAST, HIGHER, "enclave tax paid to eastern partners"
    ),
    "park_occupancy": Outcome("share", WEST, HIGHER, "firms in parks over park capacity"),
    "low_income_share": Outcome(
        "share",
        WEST,
        LOWER,
        "share of the western labour force below the low-income line (indexed to the wider "
        "western economy's wage growth)",
    ),
    "west_fiscal_cost": Outcome(
        "yuan/year",
        WEST,
        COST,
        "western cash subsidies: land discounts paid (a holiday's tax rebate is revenue forgone, "
        "already out of retained tax, and reported apart)",
    ),
    "firms_relocated_full": Outcome("firms", BOTH, HIGHER, "firms fully moved to a western park"),
    "firms_branch": Outcome("firms", BOTH, HIGHER, "firms with a western branch"),
    "firms_exited": Outcome("firms", BOTH, LOWER, "firms that have exited"),
    "west_park_jobs": Outcome("persons", WEST, HIGHER, "western residents in park jobs"),
    "west_workshop_jobs": Outcome("persons", WEST, HIGHER, "western residents in workshop jobs"),
    "west_workshop_jobs_immobile": Outcome(
        "persons", WEST, HIGHER, "immobile western residents in workshop jobs"
    ),
    "west_wage_low": Outcome(
        "yuan/year", WEST, HIGHER, "mean low-skill western park wage (population-weighted)"
    ),
    "west_mid_skill_share": Outcome(
        "share", WEST, HIGHER, "share of western working-age people with mid skill"
    ),
    "west_debt": Outcome("yuan", WEST, LOWER, "debt of western counties"),
    "west_programme_spending": Outcome(
        "yuan/year", WEST, COST, "western spending on park infrastructure, workshops and training"
    ),
    "east_aid_paid": Outcome(
        "yuan/year", EAST, COST, "eastern fiscal aid paid to paired western counties"
    ),
    "east_labour_spending": Outcome(
        "yuan/year",
        EAST,
        COST,
        "eastern spending on labour cooperation (job matching, training, migration support)",
    ),
    "east_programme_cost": Outcome(
        "yuan/year", EAST, COST, "eastern cost of all channels: the sum of the channel cost lines"
    ),
    "west_programme_cost": Outcome(
        "yuan/year",
        WEST,
        COST,
        "western cost of all channels: the sum of the channel cost lines (outlays when made, "
        "however financed: aid-funded and borrowed included, debt service not)",
    ),
    "east_promotion_effort": Outcome(
        "multiplier", EAST, NEITHER, "mean promotion effort behind paired western parks"
    ),
    "tax_paid_west_parks": Outcome(
        "yuan/year", BOTH, HIGHER, "all tax paid by park firms (upper levels + west + east shares)"
    ),
    "firms_active": Outcome(
        "firms", BOTH, HIGHER, "eastern firms in business (at home, with a branch or moved)"
    ),
    "firms_entered_cum": Outcome(
        "firms", BOTH, NEITHER, "new firms that entered the at-risk pool so far"
    ),
    "firms_landed_year": Outcome(
        "firms/year",
        BOTH,
        HIGHER,
        "firms that committed to a western plant in the last year: relocations, branches and "
        "expansions (as the sources count 引导落地企业)",
    ),
    "firms_expanded_west_cum": Outcome(
        "firms",
        BOTH,
        HIGHER,
        "growing firms that built their new plant in a western park so far (expansion investment)",
    ),
    "branch_closures_cum": Outcome("firms", BOTH, LOWER, "loss-making branches closed so far"),
    "moves_cum": Outcome(
        "moves",
        BOTH,
        NEITHER,
        "location changes made so far (branch, full move, move back, closing a branch; "
        "applications a full park turned away not counted)",
    ),
    "moves_paying_share": Outcome(
        "share",
        BOTH,
        HIGHER,
        "share of location changes made whose measured (deterministic) gain over staying is "
        "positive",
    ),
    "moves_marginal_share": Outcome(
        "share",
        BOTH,
        LOWER,
        "share of location changes made whose measured gain over staying is within 0.2% of "
        "output a year (moves that rest on taste rather than on measured costs)",
    ),
    "mover_gain_mean": Outcome(
        "share of output/year",
        BOTH,
        HIGHER,
        "mean measured gain of the chosen option over staying, over the location changes made",
    ),
    "east_enclave_coinvest": Outcome(
        "yuan/year",
        EAST,
        COST,
        "enclave operators' co-investment in their parks' slots, chosen for the shared tax "
        "it brings back",
    ),
    "enclave_partner_effort": Outcome(
        "0-1",
        WEST,
        NEITHER,
        "mean effort of enclave operators (network, referrals, operation)",
    ),
    "east_enclave_operator_net": Outcome(
        "yuan/year",
        EAST,
        HIGHER,
        "enclave operators' net gain: tax shared with them less their operating cost and "
        "co-investment",
    ),
    "enclave_operator_expected_return": Outcome(
        "yuan/year",
        EAST,
        NEITHER,
        "what enclave operators expect their effort and co-investment to bring back (the "
        "shared tax of the firms they expect to land)",
    ),
    "firms_in_enclave_parks": Outcome(
        "firms", BOTH, NEITHER, "firms with a branch or full move in an enclave park"
    ),
    "enclave_park_jobs": Outcome(
        "jobs",
        WEST,
        NEITHER,
        "jobs of the producing western plants in enclave parks (demanded by their tenants)",
    ),
    "enclave_contacts_cum": Outcome(
        "firms",
        BOTH,
        NEITHER,
        "firms enclave operators' networks and chain masters brought to review with an "
        "enclave park in view, so far",
    ),
    "enclave_contacts_landed_cum": Outcome(
        "firms", BOTH, NEITHER, "those of them admitted to that park, so far"
    ),
    "enclave_chain_prompts_cum": Outcome(
        "firms",
        BOTH,
        NEITHER,
        "firms prompted by a chain master of their county and sector landing in an enclave "
        "park, so far",
    ),
    "west_tax_rebated": Outcome(
        "yuan/year",
        WEST,
        COST,
        "local park tax rebated in holidays (revenue forgone, not in the fiscal cost)",
    ),
    "west_nonfarm_employment_rate": Outcome(
        "share",
        WEST,
        HIGHER,
        "share of western working-age people in park, workshop, service or migrant jobs",
    ),
    "west_service_jobs": Outcome(
        "persons",
        WEST,
        HIGHER,
        "western residents in local jobs outside parks and workshops (local employers' industry "
        "and services, and the jobs park and workshop wages create)",
    ),
    "west_jobs_local_all": Outcome(
        "persons",
        WEST,
        HIGHER,
        "western residents in park, workshop and service jobs (each job once)",
    ),
    "west_park_jobs_unfilled": Outcome(
        "jobs", WEST, LOWER, "park jobs still vacant after this step's hiring (labour shortage)"
    ),
    "west_laid_off": Outcome(
        "persons/year",
        WEST,
        LOWER,
        "park, workshop and service workers laid off (jobs fewer than workers)",
    ),
    "west_wage_low_max_premium": Outcome(
        "share", WEST, NEITHER, "largest county low-skill wage over the prevailing wage, minus 1"
    ),
    "west_workshop_sales": Outcome("yuan/year", WEST, HIGHER, "sales of village workshops"),
    "west_workshop_wage_bill": Outcome(
        "yuan/year", WEST, HIGHER, "wages paid by village workshops"
    ),
    "west_workshops_closed": Outcome(
        "jobs/year", WEST, LOWER, "workshop jobs closed because they could not pay"
    ),
    "west_workshop_jobs_built": Outcome(
        "jobs/year",
        WEST,
        HIGHER,
        "workshop jobs built with the build subsidy (Yunnan Daily 2024: 219 workshops built or "
        "upgraded in Yunnan in 2023)",
    ),
    "low_income_line": Outcome(
        "yuan/year/person", WEST, NEITHER, "the indexed low-income line this step"
    ),
    "income_pc_paired": Outcome(
        "yuan/year",
        WEST,
        HIGHER,
        "per-capita disposable income of residents, paired western counties",
    ),
    "income_pc_unpaired": Outcome(
        "yuan/year",
        WEST,
        HIGHER,
        "per-capita disposable income of residents, unpaired western counties",
    ),
    "income_pc_key_counties": Outcome(
        "yuan/year",
        WEST,
        HIGHER,
        "per-capita disposable income of residents, national key assistance counties (NaN where the"
        " geography lists none)",
    ),
    "income_pc_other_counties": Outcome(
        "yuan/year",
        WEST,
        HIGHER,
        "per-capita disposable income of residents, other western counties (NaN where the geography"
        " lists none)",
    ),
    "nonfarm_employment_rate_key_counties": Outcome(
        "share",
        WEST,
        HIGHER,
        "share of working-age people in park, workshop, service or migrant jobs, national key "
        "assistance counties (NaN where the geography lists none)",
    ),
    "employment_rate_key_counties_all": Outcome(
        "share",
        WEST,
        HIGHER,
        "share of working-age people in work, farming included, national key assistance counties "
        "(NaN where the geography lists none)",
    ),
    "employment_rate_key_counties": Outcome(
        "share",
        WEST,
        HIGHER,
        "non-farm employment rate in the national key assistance counties (older name of "
        "nonfarm_employment_rate_key_counties; NaN where the geography lists none)",
    ),
    "low_income_share_key_counties": Outcome(
        "share",
        WEST,
        LOWER,
        "low-income share of the labour force in the national key assistance counties (NaN where "
        "the geography lists none)",
    ),
    "public_programme_cost": Outcome(
        "yuan/year",
        BOTH,
        COST,
        "public cost of all channels, east and west: the eastern plus the western cost lines, "
        "aid counted once (the east pays it, the west spends it)",
    ),
    "west_income_total": Outcome(
        "yuan/year",
        WEST,
        HIGHER,
        "disposable income of western resident households (income per capita × residents; "
        "remittances received included)",
    ),
    "earnings_low_mobile": Outcome(
        "yuan/year",
        WEST,
        HIGHER,
        "mean own earnings of low-skill mobile workers (migrants at their eastern income)",
    ),
    "earnings_low_immobile": Outcome(
        "yuan/year", WEST, HIGHER, "mean own earnings of low-skill immobile workers"
    ),
    "earnings_mid_mobile": Outcome(
        "yuan/year", WEST, HIGHER, "mean own earnings of mid-skill mobile workers"
    ),
    "earnings_mid_immobile": Outcome(
        "yuan/year", WEST, HIGHER, "mean own earnings of mid-skill immobile workers"
    ),
    "west_residents": Outcome(
        "persons",
        WEST,
        NEITHER,
        "western residents of all ages: the census residents less the migrants who left since",
    ),
    "west_income_people_total": Outcome(
        "yuan/year",
        WEST,
        HIGHER,
        "income of the west's people wherever they work, each yuan once: resident households' "
        "income less the remittances they receive, plus migrants' full earnings",
    ),
    "west_income_per_person": Outcome(
        "yuan/year",
        WEST,
        HIGHER,
        "west_income_people_total over the west's people (residents and migrants; constant)",
    ),
    "west_programme_cost_own": Outcome(
        "yuan/year",
        WEST,
        COST,
        "western cost lines less the eastern aid that funds them: what the west pays itself "
        "(east_programme_cost + this = public_programme_cost)",
    ),
    "east_matching_participants": Outcome(
        "persons/year",
        WEST,
        NEITHER,
        "workers of paired counties served by the job-matching programme this year",
    ),
}
# one cost line per channel, eastern and western accounts (sim/model/mechanisms/accounts.py)
OUTCOMES.update(
    {
        f"east_cost_{k}": Outcome(
            "yuan/year", EAST, COST, f"eastern cost of the {k.replace('_', ' ')} channel"
        )
        for k in EAST_LINES
    }
)
OUTCOMES.update(
    {
        f"west_cost_{k}": Outcome("yuan/year", WEST, COST, f"western cost: {k.replace('_', ' ')}")
        for k in WEST_LINES
    }
)
# reported beside the lines, in no total: debt service repays borrowing whose outlays are
# already lines in the year they were made
OUTCOMES.update(
    {
        f"west_cost_{k}": Outcome(
            "yuan/year", WEST, NEITHER, f"western {k.replace('_', ' ')} (in no total)"
        )
        for k in WEST_MEMO
    }
)
CONTRACT = tuple(list(OUTCOMES)[:13])
KEY_COUNTY_OUTCOMES = (
    "income_pc_key_counties",
    "income_pc_other_counties",
    "employment_rate_key_counties",
    "nonfarm_employment_rate_key_counties",
    "employment_rate_key_counties_all",
    "low_income_share_key_counties",
)

# per-county outcomes in regions.parquet; an outcome of one side is NaN in the other side's rows
REGION_OUTCOMES: dict[str, Outcome] = {
    "jobs_local": Outcome("persons", WEST, HIGHER, "residents in park and workshop jobs"),
    "park_jobs": Outcome("persons", WEST, HIGHER, "residents in park jobs"),
    "workshop_jobs": Outcome("persons", WEST, HIGHER, "residents in workshop jobs"),
    "service_jobs": Outcome("persons", WEST, HIGHER, "residents in local service jobs"),
    "park_jobs_unfilled": Outcome(
        "jobs", WEST, NEITHER, "park jobs vacant after hiring (shortage)"
    ),
    "paired": Outcome("flag", WEST, NEITHER, "1 if paired with an eastern partner"),
    "key_county": Outcome("flag", WEST, NEITHER, "1 if a national key assistance county"),
    "migrants_east": Outcome("persons", WEST, NEITHER, "migrants working in the east"),
    "employment_rate": Outcome(
        "share", WEST, HIGHER, "share of working-age people in work (farming included)"
    ),
    "nonfarm_employment_rate": Outcome(
        "share",
        WEST,
        HIGHER,
        "share of working-age people in park, workshop, service or migrant jobs",
    ),
    "income_per_capita": Outcome(
        "yuan/year", WEST, HIGHER, "per-capita disposable income of residents"
    ),
    "working_age": Outcome("persons", WEST, NEITHER, "working-age persons of the county"),
    "residents": Outcome(
        "persons",
        WEST,
        NEITHER,
        "residents of all ages (census residents less the migrants who left since the start): "
        "the persons income_per_capita is per",
    ),
    "low_income_share": Outcome("share", WEST, LOWER, "share below the low-income line"),
    "wage_low": Outcome("yuan/year", WEST, HIGHER, "low-skill park wage"),
    "firms": Outcome(
        "firms", BOTH, NEITHER, "west: firms in the county's parks; east: firms at home"
    ),
    "park_capacity": Outcome("firm slots", WEST, NEITHER, "capacity of the county's parks"),
    "tax_retained": Outcome("yuan/year", WEST, HIGHER, "park tax kept by the county"),
    "enclave_revenue": Outcome("yuan/year", EAST, HIGHER, "enclave tax received"),
    "fiscal_cost": Outcome("yuan/year", WEST, COST, "land discounts paid (cash)"),
    "debt": Outcome("yuan", BOTH, LOWER, "county debt"),
    "friction": Outcome("share of output", BOTH, NEITHER, "administrative friction cost for firms"),
    "promotion_effort": Outcome("multiplier", EAST, NEITHER, "promotion effort"),
}

# County attributes in regions.parquet beside the outcomes (same value at every step of a run),
# so a notebook can regroup counties: name -> (unit, meaning). Start income and its quintile are
# the run's own starting state (step 0), so they follow the run's parameter draw.
REGION_ATTRIBUTES: dict[str, tuple[str, str]] = {
    "county_zh": ("-", "the county's Chinese name (GB/T 2260), missing where the file has none"),
    "province": ("-", "province of the county"),
    "population": ("persons", "resident population (the geography file's, census 2020)"),
    "urban_district": ("flag", "True if a municipal district (市辖区: Chinese name ending in 区)"),
    "partner": ("-", "west: the eastern partner county of a paired county (missing if unpaired)"),
    "min_wage_tier": ("-", "west: minimum-wage tier (wage_tier of the geography file)"),
    "income_start": (
        "yuan/year",
        "west: income_per_capita at the start (step 0) of this run",
    ),
    "income_quintile": (
        "quintile",
        "west: 1 (poorest) to 5 by income_start among the western counties, five groups of "
        "equal count",
    ),
}

# name -> (unit, meaning), read by older callers
METRICS: dict[str, tuple[str, str]] = {k: (o.unit, o.meaning) for k, o in OUTCOMES.items()}
REGION_METRICS: dict[str, tuple[str, str]] = {
    k: (o.unit, o.meaning) for k, o in REGION_OUTCOMES.items()
}


def _ratio(a, b) -> float:
    return float(a / b) if b > 0 else 0.0


def _group_income(lab, residents, mask) -> float:
    return _ratio(lab.income_total[mask].sum(), residents[mask].sum())


def west_income_per_resident(model) -> float:
    """The model's western household income per resident (yuan/year): the household survey's
    per-capita disposable income."""
    return model.labour.income_total.sum() / model.labour.residents().sum()


def people_income(model) -> float:
    """Income of the west's people wherever they work (yuan/year), each yuan once: resident
    households' income, less the share of migrants' earnings they receive as remittances, plus
    those earnings in full."""
    lab = model.labour
    earned = (lab.people[..., MIGRANT].sum(axis=2) * lab.east_income).sum()
    return float(lab.income_total.sum() + (1.0 - model.e.remittance_share) * earned)


def income_ratio(model) -> float:
    """East/west per-capita disposable income: the official start-year ratio moved by modelled
    growth.

    The model's western household income covers working-age earnings and transfers,
    not all residents' disposable income (urban residents, property income), so its
    level is not comparable with the eastern figure; its growth is. With no official
    western figure in the geography, the model's own income per resident is used.
    ``model.west_income0`` is that income at the start.
    """
    west_model = west_income_per_resident(model)
    official = model.geo.economy.get("west_income_per_capita")
    west = official * west_model / model.west_income0 if official else west_model
    return model.prices.east_income / west


def model_metrics(model) -> dict[str, float]:
    """Every outcome of METRICS from the model's state at this step."""
    f, pk, c, lab, geo = model.firms, model.parks, model.counties, model.labour, model.geo
    people = lab.people
    by_status = people.sum(axis=(1, 2))  # (W, status)
    working_age = by_status.sum(axis=1) + lab.inactive  # labour force + inactive
    pop = working_age.sum()
    west = geo.is_west
    m = {}
    m["west_park_jobs"] = by_status[:, PARK].sum()
    m["west_workshop_jobs"] = by_status[:, WORKSHOP].sum()
    m["west_service_jobs"] = by_status[:, SERVICE].sum()
    m["west_workshop_jobs_immobile"] = people[:, :, IMMOBILE, WORKSHOP].sum()
    m["west_jobs_local"] = m["west_park_jobs"] + m["west_workshop_jobs"]
    m["west_jobs_local_all"] = m["west_jobs_local"] + m["west_service_jobs"]
    m["west_migrants_east"] = by_status[:, MIGRANT].sum()
    nonfarm = m["west_jobs_local_all"] + m["west_migrants_east"]
    m["west_nonfarm_employment_rate"] = nonfarm / pop
    m["west_employment_rate"] = (nonfarm + by_status[:, FARM].sum()) / pop
    residents = lab.residents()
    m["west_residents"] = float(residents.sum())
    m["west_income_total"] = lab.income_total.sum()
    m["west_income_per_capita"] = m["west_income_total"] / m["west_residents"]
    m["west_income_people_total"] = people_income(model)
    m["west_income_per_person"] = m["west_income_people_total"] / float(
        (lab.population0 + lab.migrants0).sum()
    )
    m["east_west_income_ratio"] = income_ratio(model)
    m["firms_branch"] = int((f.state == BRANCH).sum())
    m["firms_relocated_full"] = int((f.state == RELOCATED).sum())
    m["firms_in_west"] = m["firms_branch"] + m["firms_relocated_full"]
    m["firms_exited"] = int((f.state == EXITED).sum())
    m["firms_relocated_cum"] = int(f.ever_west.sum())
    m["investment_cum"] = pk.firm_investment_cum.sum()
    m["west_tax_revenue"] = c.retained_tax.sum()
    m["west_tax_rebated"] = c.rebated[west].sum()
    m["east_tax_revenue_enclave"] = c.enclave_revenue.sum()
    m["tax_paid_west_parks"] = model.taxes.paid.sum()
    m["park_occupancy"] = pk.occupancy.sum() / pk.capacity.sum()
    labour_force = by_status.sum()
    m["low_income_share"] = (lab.low_income * by_status.sum(axis=1)).sum() / labour_force
    m["low_income_line"] = lab.low_income_line
    m["west_fiscal_cost"] = c.fiscal_cost[west].sum()
    m["west_wage_low"] = (lab.wage[:, LOW] * working_age).sum() / pop
    m["west_wage_low_max_premium"] = float((lab.wage[:, LOW] / lab.prevailing[:, LOW]).max() - 1)
    m["west_mid_skill_share"] = people[:, MID].sum() / labour_force
    m["west_debt"] = c.debt[west].sum()
    m["west_programme_spending"] = (c.spend_infrastructure + c.spend_workshops + c.spend_training)[
        west
    ].sum()
    m["east_aid_paid"] = c.aid.sum()
    m["east_labour_spending"] = model.costs.east_labour
    for k, v in model.costs.east.items():
        m[f"east_cost_{k}"] = v
    for k, v in (model.costs.west | model.costs.west_memo).items():
        m[f"west_cost_{k}"] = v
    m["east_programme_cost"] = sum(model.costs.east.values())
    m["west_programme_cost"] = sum(model.costs.west.values())
    # aid: paid by the east, spent by the west; a transfer between the two, counted once
    m["west_programme_cost_own"] = m["west_programme_cost"] - model.costs.east["aid"]
    m["public_programme_cost"] = m["east_programme_cost"] + m["west_programme_cost_own"]
    m["east_matching_participants"] = float(lab.matching_participants.sum())
    paired_parks = pk.partner >= 0
    m["east_promotion_effort"] = (
        float(pk.promotion_effort[paired_parks].mean())
        if model.t > 0 and paired_parks.any()
        else 0.0
    )
    flows, books = lab.flows, lab.workshops
    m["west_park_jobs_unfilled"] = float(flows.unfilled_park.sum()) if flows is not None else 0.0
    m["west_laid_off"] = float(flows.laid_off.sum()) / model.dt if flows is not None else 0.0
    m["west_workshop_sales"] = float(books.sales.sum()) if books is not None else 0.0
    m["west_workshop_wage_bill"] = float(books.wage_bill.sum()) if books is not None else 0.0
    m["west_workshops_closed"] = float(books.closed.sum()) / model.dt if books is not None else 0.0
    m["west_workshop_jobs_built"] = (
        float(books.build_spending.sum()) / model.e.workshop_cost_per_job
        if books is not None
        else 0.0
    )
    # for whom
    paired, key = model.paired[west], model.key_county[west]
    m["income_pc_paired"] = _group_income(lab, residents, paired)
    m["income_pc_unpaired"] = _group_income(lab, residents, ~paired)
    m["income_pc_key_counties"] = _group_income(lab, residents, key)
    m["income_pc_other_counties"] = _group_income(lab, residents, ~key)
    nonfarm_w = by_status[:, [PARK, WORKSHOP, SERVICE, MIGRANT]].sum(axis=1)
    m["nonfarm_employment_rate_key_counties"] = _ratio(nonfarm_w[key].sum(), working_age[key].sum())
    m["employment_rate_key_counties"] = m["nonfarm_employment_rate_key_counties"]
    m["employment_rate_key_counties_all"] = _ratio(
        (nonfarm_w + by_status[:, FARM])[key].sum(), working_age[key].sum()
    )
    lf_w = by_status.sum(axis=1)
    m["low_income_share_key_counties"] = _ratio((lab.low_income * lf_w)[key].sum(), lf_w[key].sum())
    if not key.any():  # the geography lists no key counties: these outcomes do not apply
        for k in KEY_COUNTY_OUTCOMES:
            m[k] = np.nan
    heads = people.sum(axis=3)  # (W, skill, mobility)
    for skill, s_name in ((LOW, "low"), (MID, "mid")):
        for mob, m_name in ((MOBILE, "mobile"), (IMMOBILE, "immobile")):
            n = heads[:, skill, mob]
            m[f"earnings_{s_name}_{m_name}"] = _ratio(
                (lab.income_by_type[:, skill, mob] * n).sum(), n.sum()
            )
    m.update(firm_metrics(model))
    return m


def firm_metrics(model) -> dict[str, float]:
    """Firm demography, landings and choice diagnostics (do moves pay?)."""
    f, ch, pk = model.firms, model.choices, model.parks
    enclave_parks = pk.enclave.sum()
    return {
        "firms_active": int((f.state != EXITED).sum()),
        "firms_entered_cum": ch.entered,
        "firms_landed_year": float(ch.landed.sum()),
        "firms_expanded_west_cum": int(f.expanded_west.sum()),
        "branch_closures_cum": ch.branch_closures,
        "moves_cum": ch.moves,
        "moves_paying_share": ch.paying / ch.moves if ch.moves else 0.0,
        "moves_marginal_share": ch.marginal / ch.moves if ch.moves else 0.0,
        "mover_gain_mean": ch.gain_sum / ch.moves if ch.moves else 0.0,
        "east_enclave_coinvest": float(pk.coinvest.sum()),
        "enclave_partner_effort": float(pk.partner_effort[pk.enclave].mean())
        if enclave_parks
        else 0.0,
        "east_enclave_operator_net": float(
            model.counties.enclave_revenue.sum() - pk.operator_cost.sum()
        ),
        "enclave_operator_expected_return": float(pk.operator_return.sum()),
        "enclave_contacts_cum": float(pk.contacts.sum()),
        "enclave_contacts_landed_cum": float(pk.contacts_landed.sum()),
        "enclave_chain_prompts_cum": ch.chain_prompts,
        **enclave_tenants(model),
    }


def enclave_tenants(model) -> dict[str, float]:
    """Firms in enclave parks and the jobs of their producing western plants."""
    f, pk = model.firms, model.parks
    tenants = np.flatnonzero(in_west(f.state) & pk.enclave[np.maximum(f.park, 0)])
    # the step is over (the clock has moved on): plants produce as they did in it
    producing = model.producing_share(tenants, model.t - 1)
    jobs = f.jobs[tenants] * producing
    return {"firms_in_enclave_parks": int(tenants.size), "enclave_park_jobs": float(jobs.sum())}


def region_metrics(model, r: dict, t: int) -> None:
    """Write this step's per-county outcomes into row ``t`` of the region history ``r``."""
    f, pk, c, lab, geo = model.firms, model.parks, model.counties, model.labour, model.geo
    nw, east = geo.n_east, ~geo.is_west
    by_status = lab.people.sum(axis=(1, 2))
    working_age = by_status.sum(axis=1) + lab.inactive
    nonfarm = by_status[:, [PARK, WORKSHOP, SERVICE, MIGRANT]].sum(axis=1)
    r["jobs_local"][t, nw:] = by_status[:, PARK] + by_status[:, WORKSHOP]
    r["park_jobs"][t, nw:] = by_status[:, PARK]
    r["workshop_jobs"][t, nw:] = by_status[:, WORKSHOP]
    r["service_jobs"][t, nw:] = by_status[:, SERVICE]
    r["park_jobs_unfilled"][t, nw:] = (
        lab.flows.unfilled_park.sum(axis=1) if lab.flows is not None else 0.0
    )
    r["paired"][t] = model.paired
    r["key_county"][t] = model.key_county
    r["migrants_east"][t, nw:] = by_status[:, MIGRANT]
    r["employment_rate"][t, nw:] = (nonfarm + by_status[:, FARM]) / working_age
    r["nonfarm_employment_rate"][t, nw:] = nonfarm / working_age
    r["income_per_capita"][t, nw:] = lab.income_pc
    r["working_age"][t, nw:] = working_age
    r["residents"][t, nw:] = lab.residents()
    r["low_income_share"][t, nw:] = lab.low_income
    r["wage_low"][t, nw:] = lab.wage[:, LOW]
    west_firms = np.flatnonzero(in_west(f.state))
    r["firms"][t] = np.bincount(pk.county[f.park[west_firms]], minlength=geo.n_counties)
    r["firms"][t, east] = np.bincount(
        f.home[np.flatnonzero(f.state == HOME)], minlength=geo.n_counties
    )[east]
    r["park_capacity"][t] = np.bincount(pk.county, pk.capacity, geo.n_counties)
    r["tax_retained"][t] = c.retained_tax
    r["enclave_revenue"][t] = c.enclave_revenue
    r["fiscal_cost"][t] = c.fiscal_cost
    r["debt"][t] = c.debt
    r["friction"][t] = c.friction
    r["promotion_effort"][t] = np.where(east, c.effort, 0.0)


def region_side(name: str) -> str | None:
    """'west' or 'east' if a per-county outcome applies to that side only, else None.
    The other side's rows hold NaN."""
    side = REGION_OUTCOMES[name].side if name in REGION_OUTCOMES else BOTH
    return None if side == BOTH else side
