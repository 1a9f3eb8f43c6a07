"""The configuration schema: every key, its type, unit, range, default, source, role and prior.

One place feeds four things: Hydra's ConfigStore (types, unknown keys refused),
:func:`validate` (ranges, with messages that name the key), the parameter designs of
:mod:`sim.params.designs` (which keys a design varies, and from which distribution) and the
parameter table of ``docs/ODD.md`` (:func:`parameter_table`).

**Roles** (as EMA workbench keeps uncertainties apart from levers):

* ``lever`` — what a policy sets (a scenario's instruments, a county's budget rules). Designs
  leave levers at the scenario's values unless asked (``sensitivity.levers=true``); a lever's
  ``prior`` is then the range a design explores, not a belief.
* ``uncertain`` — what the world is, not known: a published span or an illustrative guess. Its
  ``prior`` says how uncertain.
* ``calibrated`` — fitted by a calibration (``sim/world/<geo>/calibration.yaml``, whose prior
  its ``prior`` repeats); a calibration's draws carry it, elsewhere its prior does.
* ``fixed`` — held at its value: statutory and published figures, run settings, switches of
  data and structure.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

ILLUSTRATIVE = "illustrative"

LEVER, UNCERTAIN, CALIBRATED, FIXED = "lever", "uncertain", "calibrated", "fixed"
ROLES = (LEVER, UNCERTAIN, CALIBRATED, FIXED)
PRIOR_KINDS = ("uniform", "loguniform", "triangular")


@dataclass(frozen=True)
class Prior:
    """A structured prior: ``uniform(lo, hi)``, ``loguniform(lo, hi)`` or
    ``triangular(lo, mode, hi)``; its support is ``(lo, hi)``."""

    kind: str
    args: tuple[float, ...]

    def __post_init__(self) -> None:
        arity = {"uniform": 2, "loguniform": 2, "triangular": 3}
        if self.kind not in arity or len(self.args) != arity[self.kind]:
            raise ValueError(f"unknown prior {self.kind}{self.args}: {', '.join(PRIOR_KINDS)}")
        lo, hi = self.args[0], self.args[-1]
        if not lo < hi or (self.kind == "loguniform" and lo <= 0):
            raise ValueError(f"prior {self} has an empty or non-positive support")
        if self.kind == "triangular" and not lo <= self.args[1] <= hi:
            raise ValueError(f"prior {self}: its mode lies outside its support")

    @property
    def support(self) -> tuple[float, float]:
        return self.args[0], self.args[-1]

    def quantile(self, u):
        """The value(s) at probability ``u`` (0–1; a number or an array): the inverse CDF."""
        lo, hi = self.support
        if self.kind == "uniform":
            return lo + np.asarray(u) * (hi - lo)
        if self.kind == "loguniform":
            log = math.log(lo) + np.asarray(u) * (math.log(hi) - math.log(lo))
            return np.clip(np.exp(log), lo, hi)  # exp(log(hi)) may round past hi
        from scipy import stats

        mode = self.args[1]
        return stats.triang.ppf(u, (mode - lo) / (hi - lo), loc=lo, scale=hi - lo)

    def __str__(self) -> str:
        return f"{self.kind}({', '.join(f'{a:g}' for a in self.args)})"


def uniform(lo: float, hi: float) -> Prior:
    return Prior("uniform", (float(lo), float(hi)))


def loguniform(lo: float, hi: float) -> Prior:
    """Uniform in the logarithm: for a scale known only to an order of magnitude."""
    return Prior("loguniform", (float(lo), float(hi)))


def triangular(lo: float, mode: float, hi: float) -> Prior:
    return Prior("triangular", (float(lo), float(mode), float(hi)))


def param(
    default: Any,
    unit: str,
    doc: str,
    lo: float | None = None,
    hi: float | None = None,
    source: str = ILLUSTRATIVE,
    choices: tuple[str, ...] | None = None,
    prior: Prior | None = None,
    *,
    role: str,
) -> Any:
    """A config field with its metadata (unit, meaning, allowed range, source, role, prior).

    ``role``: ``lever``, ``uncertain``, ``calibrated`` or ``fixed`` (the module's docstring).
    ``prior``: required for ``uncertain`` and ``calibrated``, the explored range of a numeric
    ``lever``, none for ``fixed``; it lies inside ``[lo, hi]``. The ``source`` text is for
    readers only: nothing is parsed out of it.
    """
    if role not in ROLES:
        raise ValueError(f"role {role!r} is not one of {', '.join(ROLES)}")
    if role in (UNCERTAIN, CALIBRATED) and prior is None:
        raise ValueError(f"an {role} parameter ({doc!r}) needs a prior")
    if role == FIXED and prior is not None:
        raise ValueError(f"a fixed parameter ({doc!r}) has no prior")
    if prior is not None and (
        (lo is not None and prior.support[0] < lo) or (hi is not None and prior.support[1] > hi)
    ):
        raise ValueError(f"prior {prior} of {doc!r} leaves the allowed range [{lo}, {hi}]")
    meta = {
        "unit": unit,
        "doc": doc,
        "lo": lo,
        "hi": hi,
        "source": source,
        "choices": choices,
        "prior": prior,
        "role": role,
    }
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata=meta)
    if isinstance(default, dict):
        return field(default_factory=lambda: dict(default), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass
class RunConfig:
    seed: int = param(0, "integer", "seed of model.rng", lo=0, source="-", role=FIXED)
    years: int = param(10, "years", "simulated horizon", lo=1, hi=100, source="-", role=FIXED)
    steps_per_year: int = param(
        4, "steps/year", "steps per year (4 = quarterly)", lo=1, hi=52, source="-", role=FIXED
    )
    start_year: int = param(
        2021,
        "year",
        "calendar year of the first step",
        lo=1990,
        hi=2100,
        source="Yunnan Daily 2024: all of Yunnan paired since 2021",
        role=FIXED,
    )
    replications: int = param(
        1,
        "runs",
        "runs per job; replication r uses seed = run.seed*replications + r",
        lo=1,
        hi=10_000,
        source="-",
        role=FIXED,
    )
    progress: str = param(
        "auto",
        "-",
        "sweep progress: auto (a bar on a terminal, a line every "
        "10% or 30 s in a log), on (the bar), off",
        choices=("auto", "on", "off"),
        source="-",
        role=FIXED,
    )
    calibration: str = param(
        "none",
        "-",
        "calibration whose point estimates are in force (set by "
        "configs/calibration/NAME.yaml, values in sim/world/NAME/point.yaml; "
        "docs/calibration.md)",
        source="-",
        role=FIXED,
    )
    draw: int = param(
        -1,
        "index",
        "parameter draw k of the calibration (sim/world/NAME/draws.yaml): another spelling "
        "of sensitivity.method=draws sensitivity.sample=k, recorded as that; -1 = its point "
        "estimate",
        lo=-1,
        hi=100_000,
        source="-",
        role=FIXED,
    )


@dataclass
class GeographyConfig:
    name: str = param(
        "shanghai_yunnan",
        "-",
        "geography data file (sim/world/NAME/geography.yaml) or template of a synthetic one",
        source="-",
        role=FIXED,
    )
    kind: str = param(
        "file",
        "-",
        "file: read the named data file; synthetic: generate at the sizes below",
        choices=("file", "synthetic"),
        source="-",
        role=FIXED,
    )
    n_firms: int = param(
        10_000,
        "firms",
        "eastern firms at risk of moving",
        lo=1,
        hi=5_000_000,
        prior=loguniform(3000, 60000),
        role=CALIBRATED,
    )
    n_east_counties: int | None = param(
        None,
        "counties",
        "synthetic only: eastern counties",
        lo=1,
        hi=100_000,
        source="-",
        role=FIXED,
    )
    n_west_counties: int | None = param(
        None,
        "counties",
        "synthetic only: western counties",
        lo=1,
        hi=100_000,
        source="-",
        role=FIXED,
    )
    n_parks: int | None = param(
        None,
        "parks",
        "synthetic only: western parks (at least one per western county)",
        lo=1,
        hi=1_000_000,
        source="-",
        role=FIXED,
    )
    co_built_share: float | None = param(
        None,
        "share",
        "synthetic only: share of parks co-built with the partner (default: as in the template)",
        lo=0,
        hi=1,
        role=FIXED,
    )


@dataclass
class PairingPolicy:
    enabled: bool = param(
        False, "flag", "East–West pairing (东西部协作) in force", source="-", role=LEVER
    )
    promotion: float = param(
        1.0,
        "multiplier",
        "strength of partner promotion (awareness of partner parks)",
        lo=0,
        hi=100,
        prior=uniform(0.5, 1.5),
        role=LEVER,
    )
    aid_per_county: float = param(
        40e6,
        "yuan/year",
        "eastern fiscal aid to each paired western county",
        lo=0,
        hi=1e12,
        prior=uniform(2e7, 6e7),
        role=LEVER,
    )
    governance_gain: float = param(
        0.01,
        "share/year",
        "yearly cut in a paired western county's administrative friction cost at the 2023 "
        "cadre level (Yunnan Daily 2024) (scales with cadres_per_county / 9.5)",
        lo=0,
        hi=1,
        source="illustrative; EVIDENCE (docs/evidence.md §7): no study measures it; the national "
        "institutional-cost index fell ≈ 0.4%/year, the western one hardly at all; pairing effects "
        "on output are positive but lagged; prior triangular(0, 0.01, 0.05) (judgement), "
        "range 0–0.05",
        prior=triangular(0, 0.01, 0.05),
        role=UNCERTAIN,
    )
    target_firms_per_year: float = param(
        2.0,
        "firms/year",
        "firms an eastern county is assessed on landing in each partner county per year",
        lo=0,
        hi=1e6,
        prior=uniform(1, 3),
        role=LEVER,
    )
    target_adaptation: float = param(
        0.3,
        "share/year",
        "how fast promotion effort rises when the target is missed (and eases when met)",
        lo=0,
        hi=10,
        prior=uniform(0.15, 0.45),
        role=UNCERTAIN,
    )
    promotion_cost: float = param(
        2e6,
        "yuan/year",
        "eastern county's cost of investment promotion (fairs, delegations, staff) per "
        "partner county at effort 1; scales with effort",
        lo=0,
        hi=1e12,
        prior=uniform(1e6, 3e6),
        role=UNCERTAIN,
    )
    referral_cost_per_firm: float = param(
        200e3,
        "yuan/firm",
        "eastern cost of referring and servicing one firm that lands in a partner park",
        lo=0,
        hi=1e10,
        prior=uniform(100000, 300000),
        role=UNCERTAIN,
    )
    cadres_per_county: float = param(
        9.5,
        "persons",
        "eastern cadres and professionals posted to each paired western county (cadre exchange)",
        lo=0,
        hi=1e4,
        source="Yunnan Daily 2024: 243 Shanghai cadres + 866 professionals in Yunnan (2023) over "
        "the model's 117 paired counties",
        prior=uniform(0, 19),
        role=LEVER,
    )
    cost_per_cadre: float = param(
        300e3,
        "yuan/person-year",
        "eastern cost of one posted cadre or professional (pay, allowances, housing)",
        lo=0,
        hi=1e8,
        prior=uniform(150000, 450000),
        role=UNCERTAIN,
    )
    trainees_per_county: float = param(
        512.0,
        "persons/year",
        "western officials and professionals trained under the cadre exchange per paired "
        "county per year",
        lo=0,
        hi=1e6,
        source="Yunnan Daily 2024: 796 courses, 59,877 trainees (2023) over the model's 117 paired "
        "counties",
        prior=uniform(0, 1024),
        role=LEVER,
    )
    cost_per_trainee: float = param(
        2000.0,
        "yuan/person",
        "eastern cost of one such trainee (course, travel)",
        lo=0,
        hi=1e7,
        prior=uniform(1000, 3000),
        role=UNCERTAIN,
    )
    west_cadres_per_county: float = param(
        13.6,
        "persons",
        "western cadres and professionals sent east for postings and training, per paired county",
        lo=0,
        hi=1e4,
        source="Yunnan Daily 2024: 334 Yunnan cadres + 1,262 professionals in Shanghai (2023) over "
        "the model's 117 paired counties",
        prior=uniform(0, 27.2),
        role=LEVER,
    )
    west_cost_per_cadre: float = param(
        100e3,
        "yuan/person-year",
        "western cost of one cadre posted east (travel, stand-in staff)",
        lo=0,
        hi=1e8,
        prior=uniform(50000, 150000),
        role=UNCERTAIN,
    )


@dataclass
class EnclavePolicy:
    enabled: bool = param(
        False,
        "flag",
        "co-built parks run by the eastern partner (飞地经济) with tax sharing",
        source="-",
        role=LEVER,
    )
    tax_share_east: float = param(
        0.4,
        "share",
        "share of an enclave park's locally retained tax paid to the eastern partner",
        lo=0,
        hi=1,
        source="EVIDENCE: split negotiated by the partners (Yunnan rule); value illustrative",
        prior=uniform(0, 0.5),
        role=LEVER,
    )
    operator_efficiency: float = param(
        1.3,
        "multiplier",
        "management advantage of a partner-run park at full operating effort: divides the "
        "friction cost its tenants bear",
        lo=1,
        hi=10,
        source="illustrative; range 1.1–1.6",
        prior=uniform(1.1, 1.6),
        role=UNCERTAIN,
    )
    compliance: float = param(
        1.0,
        "share",
        "share of the promised tax split actually paid",
        lo=0,
        hi=1,
        source="EVIDENCE: promised splits reported to go unpaid at times; value illustrative",
        prior=triangular(0.3, 0.8, 1),
        role=UNCERTAIN,
    )
    coinvest_per_park: float = param(
        20e6,
        "yuan/year",
        "most an enclave operator co-invests in its park's slots a year (it chooses how much: "
        "only what the firms filling them repay it; the western state investment company builds "
        "the rest from the county budget)",
        lo=0,
        hi=1e12,
        source="illustrative; range 5e6–50e6",
        prior=uniform(5e6, 5e7),
        role=LEVER,
    )
    promotion_incentive: float = param(
        2.0,
        "multiplier",
        "rise of the partner's referral (promotion) effort at full effort",
        lo=0,
        hi=100,
        source="illustrative; range 1–4",
        prior=uniform(1, 4),
        role=UNCERTAIN,
    )
    compliance_learning: float = param(
        0.2,
        "share/year",
        "how fast the partner's expected compliance moves toward what is actually paid",
        lo=0,
        hi=10,
        source="illustrative; range 0.1–0.5",
        prior=uniform(0.1, 0.5),
        role=UNCERTAIN,
    )
    network_contacts_per_year: float = param(
        12.0,
        "firms/year",
        "firms an enclave operator's network (any eastern county) prompts to review with its "
        "park in view, per park at full effort",
        lo=0,
        hi=1e4,
        source="illustrative; range 4–30",
        prior=uniform(4, 30),
        role=UNCERTAIN,
    )
    chain_follow_share: float = param(
        0.3,
        "share",
        "chance that a same-sector firm of a chain master's home county is prompted to view "
        "the enclave park the chain master landed in, at the operator's full effort",
        lo=0,
        hi=1,
        source="illustrative; range 0.1–0.6",
        prior=uniform(0.1, 0.6),
        role=UNCERTAIN,
    )
    landing_prior: float = param(
        0.1,
        "share",
        "share of its contacts an operator expects to land in its park before it has seen any",
        lo=0,
        hi=1,
        source="illustrative; range 0.03–0.3",
        prior=uniform(0.03, 0.3),
        role=UNCERTAIN,
    )
    landing_prior_weight: float = param(
        20.0,
        "firms",
        "contacts the operator's prior landing share counts as (how fast what it sees replaces it)",
        lo=1e-3,
        hi=1e6,
        source="illustrative; range 5–50",
        prior=uniform(5, 50),
        role=UNCERTAIN,
    )
    tax_per_firm_prior: float = param(
        1.5e6,
        "yuan/firm/year",
        "locally retained tax (before the east's share and holiday rebates) the operator expects "
        "of a tenant at full output before one produces; then it uses its tenants' tax",
        lo=0,
        hi=1e10,
        source="illustrative; range 0.5e6–3e6",
        prior=uniform(500000, 3e6),
        role=UNCERTAIN,
    )
    operator_horizon_years: float = param(
        10.0,
        "years",
        "years of a tenant's shared tax the operator counts when it weighs its effort",
        lo=0,
        hi=100,
        source="illustrative; range 5–20",
        prior=uniform(5, 20),
        role=UNCERTAIN,
    )
    operator_fixed_cost: float = param(
        1e6,
        "yuan/year",
        "cost of running an enclave park's joint operating company while the operator makes "
        "any effort, per park",
        lo=0,
        hi=1e10,
        source="illustrative; range 0.3e6–3e6",
        prior=uniform(300000, 3e6),
        role=UNCERTAIN,
    )
    effort_cost: float = param(
        4e6,
        "yuan/year",
        "cost of full effort per park (staff posted, promotion events, the network's upkeep), "
        "rising with the square of effort",
        lo=0,
        hi=1e10,
        source="illustrative; range 1e6–10e6",
        prior=uniform(1e6, 1e7),
        role=UNCERTAIN,
    )


@dataclass
class SubsidyPolicy:
    land_discount: float = param(
        0.3,
        "share",
        "discount on park land price (ordinary local subsidy competition)",
        lo=0,
        hi=1,
        source="EVIDENCE: local incentives are land discounts and rebates; size illustrative",
        prior=uniform(0.15, 0.45),
        role=LEVER,
    )
    tax_holiday_years: float = param(
        2.0,
        "years",
        "years of rebate of the local tax share for a new entrant",
        lo=0,
        hi=30,
        source="EVIDENCE: modelled as a local rebate; length illustrative",
        prior=uniform(1, 3),
        role=LEVER,
    )


@dataclass
class LabourPolicy:
    training_rate: float = param(
        0.0,
        "share/year",
        "share of low-skill workers of paired counties trained to mid skill per year "
        "(eastern-funded; acts without pairing.enabled)",
        lo=0,
        hi=1,
        prior=uniform(0, 0.1),
        role=LEVER,
    )
    migration_support: float = param(
        0.0,
        "yuan",
        "reduction of the one-off cost of moving to an eastern job for workers of paired "
        "counties (paid by the east per migrant)",
        lo=0,
        hi=1e6,
        prior=uniform(0, 4000),
        role=LEVER,
    )
    matching_budget: float = param(
        0.0,
        "yuan/year",
        "eastern budget of the job-matching programme for workers of paired counties: it serves "
        "budget / matching_cost_per_participant participants a year (at most every mobile "
        "worker of a paired county)",
        lo=0,
        hi=1e12,
        prior=uniform(0, 4e8),
        role=LEVER,
    )
    matching_gain: float = param(
        0.1,
        "share",
        "rise in a participant's eastern job-finding probability (job matching services: "
        "vacancies found and a job arranged before leaving)",
        lo=0,
        hi=1,
        source="illustrative; no evaluation of East-West labour-cooperation matching was found; "
        "prior triangular(0, 0.1, 0.25) (judgement), range 0-0.25",
        prior=triangular(0, 0.1, 0.25),
        role=UNCERTAIN,
    )
    matching_cost_per_participant: float = param(
        800.0,
        "yuan/participant",
        "eastern cost of the matching programme per participant a year (recruitment fairs, "
        "intermediaries' placement rewards, transport organised east)",
        lo=0,
        hi=1e6,
        source="illustrative; labour cooperation pays per worker placed (Economic Daily, "
        "Guangdong-Guangxi: fiscal rewards to workers, employers and intermediaries per "
        "placement), amounts not found; prior triangular(300, 800, 2000) (judgement), "
        "range 300-2000",
        prior=triangular(300, 800, 2000),
        role=UNCERTAIN,
    )


@dataclass
class ConsumptionPolicy:
    procurement_per_year: float = param(
        0.0,
        "yuan/year",
        "eastern purchases of western farm products (spread over paired counties' farmers; "
        "acts without pairing.enabled)",
        lo=0,
        hi=1e13,
        prior=uniform(0, 2e10),
        role=LEVER,
    )
    additionality: float = param(
        0.3,
        "share",
        "share of procurement that is sales the sellers would not have made anyway (the rest "
        "displaces their ordinary sales)",
        lo=0,
        hi=1,
        source="illustrative; no measure of the additionality of consumption cooperation "
        "(消费帮扶) was found; prior uniform(0.1, 0.5) (judgement), range 0.1-0.5",
        prior=uniform(0.1, 0.5),
        role=UNCERTAIN,
    )
    income_share: float = param(
        0.5,
        "share",
        "net farm income per yuan of additional farm sales (sales less purchased inputs)",
        lo=0,
        hi=1,
        source="illustrative; prior uniform(0.3, 0.7) (judgement), range 0.3-0.7",
        prior=uniform(0.3, 0.7),
        role=UNCERTAIN,
    )
    premium_share: float = param(
        0.1,
        "share",
        "buyers' premium: share of the procurement value paid above the market price (eastern "
        "public units, state firms and unions buying for canteens and staff); it is the "
        "sellers' income and the buyers' cost",
        lo=0,
        hi=1,
        source="illustrative; no measured premium was found; prior triangular(0, 0.1, 0.3) "
        "(judgement), range 0-0.3",
        prior=triangular(0, 0.1, 0.3),
        role=UNCERTAIN,
    )
    processing_share: float = param(
        0.3,
        "share",
        "share of procurement bought as processed goods: it widens the local market of "
        "village workshops instead of farm sales",
        lo=0,
        hi=1,
        prior=uniform(0.15, 0.45),
        role=LEVER,
    )
    seller_share: float = param(
        0.3,
        "share",
        "share of a paired county's farmers who sell into the procurement channels (the only "
        "ones it reaches)",
        lo=0.01,
        hi=1,
        prior=uniform(0.15, 0.45),
        role=UNCERTAIN,
    )
    public_cost_share: float = param(
        0.05,
        "share",
        "eastern public cost per yuan of procurement (platforms, fairs, logistics "
        "subsidies); the goods themselves are paid by buyers",
        lo=0,
        hi=1,
        prior=uniform(0.025, 0.075),
        role=UNCERTAIN,
    )


@dataclass
class PolicyConfig:
    name: str = param(
        "baseline", "-", "scenario name (set by the scenario file)", source="-", role=FIXED
    )
    pairing: PairingPolicy = field(default_factory=PairingPolicy)
    enclave: EnclavePolicy = field(default_factory=EnclavePolicy)
    subsidy: SubsidyPolicy = field(default_factory=SubsidyPolicy)
    labour: LabourPolicy = field(default_factory=LabourPolicy)
    consumption: ConsumptionPolicy = field(default_factory=ConsumptionPolicy)


@dataclass
class EconomyConfig:
    """Behavioural and market parameters shared by all geographies."""

    # costs drift
    east_wage_growth: float = param(
        0.04,
        "share/year",
        "growth of eastern wages",
        lo=-0.5,
        hi=1,
        source="NBS migrant-worker survey: monthly income +4.1% (2022), +3.6% (2023); range "
        "0.02–0.07",
        prior=uniform(0.02, 0.07),
        role=UNCERTAIN,
    )
    east_land_growth: float = param(
        0.04,
        "share/year",
        "growth of eastern industrial land cost",
        lo=-0.5,
        hi=1,
        prior=uniform(0.02, 0.06),
        role=UNCERTAIN,
    )
    west_land_growth: float = param(
        0.02,
        "share/year",
        "growth of western park land cost",
        lo=-0.5,
        hi=1,
        prior=uniform(0.01, 0.03),
        role=UNCERTAIN,
    )
    productivity_growth: float = param(
        0.03,
        "share/year",
        "growth of firms' output per job in yuan (eastern wages outgrow it: unit labour cost "
        "rises)",
        lo=-0.5,
        hi=1,
        source="approximate from NBS: overall labour productivity +4.2% (2022) and +5.7% (2023) in "
        "real terms, producer prices +4.1% (2022) and -3.0% (2023); range 0.02–0.05",
        prior=uniform(0.02, 0.05),
        role=UNCERTAIN,
    )
    farm_income_growth: float = param(
        0.05,
        "share/year",
        "growth of farm income per farming worker",
        lo=-0.5,
        hi=1,
        prior=uniform(0.025, 0.075),
        role=UNCERTAIN,
    )
    # firms
    firm_size_mean: float = param(
        120.0,
        "jobs",
        "mean firm size (lognormal)",
        lo=1,
        hi=1e5,
        prior=uniform(60, 180),
        role=UNCERTAIN,
    )
    firm_size_sigma: float = param(
        0.9,
        "log units",
        "dispersion of firm size",
        lo=0,
        hi=5,
        prior=uniform(0.45, 1.35),
        role=UNCERTAIN,
    )
    capital_per_job: float = param(
        700e3,
        "yuan/job",
        "plant capital a western job needs at the start year's prices, mean over the pool (each "
        "sector's share: sectors.yaml capital_intensity); what a firm weighs when it builds "
        "and what is booked as investment when it lands",
        lo=0,
        hi=1e8,
        source="Yunnan Daily 2024: 16.758 bn yuan / 408 firms = 41 m yuan per landed firm "
        "(calibrated); below the 1.21 m yuan of total assets per industrial worker (4th "
        "Economic Census 2018), above 0.22 m per textile worker; range 3e5-1.5e6",
        prior=loguniform(150000, 1.5e6),
        role=CALIBRATED,
    )
    discount_rate: float = param(
        0.07,
        "share/year",
        "firms' real cost of capital: the rate at which a plant's capital and set-up costs are "
        "annualised over horizon_years",
        lo=0,
        hi=1,
        source="illustrative point within the published span: 1-year LPR 3.45-3.85% (2021-23), "
        "SASAC EVA benchmark 5.5%, central SOEs' actual cost 7-10% (SASAC 2010); "
        "docs/evidence.md §1; range 0.04-0.10",
        prior=uniform(0.04, 0.1),
        role=UNCERTAIN,
    )
    hurdle_rate: float = param(
        0.12,
        "share/year",
        "return a firm demands before it sinks capital into a location change: its decision "
        "annualises the capital an option commits at this rate, while the measured gain of a "
        "move (moves_paying_share, docs/decisions.md) uses discount_rate. Above the cost of "
        "capital because the move cannot be undone and waiting keeps the choice open",
        lo=0,
        hi=1,
        source="Poterba & Summers (1995, Sloan Management Review 37(1)): surveyed CEOs' mean real "
        "hurdle rate 12.2%, well above the cost of capital; Dixit & Pindyck (1994, Investment "
        "under Uncertainty): irreversibility and uncertainty raise the required return; "
        "range 0.07-0.20 (docs/evidence.md §1)",
        prior=uniform(0.07, 0.2),
        role=UNCERTAIN,
    )
    salvage_share: float = param(
        0.5,
        "share of capital",
        "share of a plant's capital recovered when production leaves it (equipment sold or "
        "moved, land-use rights and buildings resold or re-let)",
        lo=0,
        hi=1,
        source="illustrative: equipment, about half of manufacturing plant capital, moves with the "
        "firm or is sold; buildings and land-use rights are re-let or resold at a loss; "
        "range 0.3-0.7",
        prior=uniform(0.3, 0.7),
        role=UNCERTAIN,
    )
    labour_share_sigma: float = param(
        0.2,
        "log units",
        "dispersion of firms' labour share around their sector's",
        lo=0,
        hi=3,
        prior=uniform(0.1, 0.3),
        role=UNCERTAIN,
    )
    margin_mean: float = param(
        0.05,
        "share of output",
        "mean pre-tax margin of a firm at home at the start and at entry (gamma-distributed, "
        "always positive)",
        lo=0.001,
        hi=0.5,
        source="illustrative; range 0.03–0.08",
        prior=uniform(0.03, 0.08),
        role=UNCERTAIN,
    )
    margin_sd: float = param(
        0.03,
        "share of output",
        "spread of firms' starting pre-tax margins",
        lo=0.001,
        hi=0.5,
        source="illustrative; range 0.015–0.05",
        prior=uniform(0.015, 0.05),
        role=UNCERTAIN,
    )
    edge_volatility: float = param(
        0.015,
        "share of output per sqrt(year)",
        "random walk of a firm's own profitability (demand and cost shocks): drives gradual exit",
        lo=0,
        hi=1,
        source="illustrative; range 0.005–0.03",
        prior=uniform(0.005, 0.03),
        role=UNCERTAIN,
    )
    entry_rate: float = param(
        0.03,
        "share/year",
        "new firms entering the at-risk pool per year, per active firm",
        lo=0,
        hi=1,
        source="illustrative; range 0.01–0.06",
        prior=uniform(0.01, 0.06),
        role=UNCERTAIN,
    )
    growth_mean: float = param(
        0.04,
        "share/year",
        "mean growth of a firm's demand for capacity",
        lo=-0.5,
        hi=1,
        source="illustrative; range 0.0–0.08",
        prior=uniform(0, 0.08),
        role=UNCERTAIN,
    )
    growth_sd: float = param(
        0.04,
        "share/year",
        "spread of firms' growth rates",
        lo=0,
        hi=1,
        source="illustrative; range 0.02–0.08",
        prior=uniform(0.02, 0.08),
        role=UNCERTAIN,
    )
    expansion_lump: float = param(
        0.3,
        "share of jobs",
        "extra capacity a growing firm adds at once when it builds a new plant (at home or "
        "in the west)",
        lo=0.01,
        hi=10,
        source="illustrative; range 0.15–0.6",
        prior=uniform(0.15, 0.6),
        role=UNCERTAIN,
    )
    chain_master_share: float = param(
        0.02,
        "share",
        "share of firms that lead a supply chain (链主)",
        lo=0,
        hi=1,
        prior=uniform(0.01, 0.03),
        role=UNCERTAIN,
    )
    review_per_year: float = param(
        1.0,
        "reviews/year",
        "expected location reviews per firm per year (random timing)",
        lo=0,
        hi=52,
        prior=uniform(0.5, 1.5),
        role=UNCERTAIN,
    )
    logit_scale: float = param(
        0.001,
        "share of output",
        "scale of idiosyncratic taste in the location logit (a perturbation of measured margins)",
        lo=1e-6,
        hi=10,
        prior=uniform(0.0005, 0.0015),
        role=UNCERTAIN,
    )
    nest_scale: float = param(
        0.3,
        "0-1",
        "nest parameter of the location logit: how alike the changes (parks, branch or move) "
        "are; 1 = flat logit",
        lo=0.01,
        hi=1,
        source="illustrative; EVIDENCE: choice is often nested, region first, then place (Chen "
        "2009); range 0.1–1",
        prior=uniform(0.1, 1),
        role=UNCERTAIN,
    )
    site_match_sd: float = param(
        0.1,
        "log units",
        "spread of a firm's productivity match with a western prefecture: output per job there "
        "is the park's productivity times a persistent mean-one lognormal draw per firm and "
        "prefecture, so the same park pays some firms and not others",
        lo=0,
        hi=1,
        source="illustrative; the firm-by-place part of productivity is not measured. It is a "
        "fraction of the wide within-industry dispersion among Chinese manufacturing plants "
        "(Hsieh & Klenow, QJE 124(4) 2009; docs/evidence.md §4); range 0.05-0.2",
        prior=uniform(0.05, 0.2),
        role=UNCERTAIN,
    )
    switching_cost: float = param(
        0.005,
        "share of output/year",
        "utility cost of changing state (inertia)",
        lo=0,
        hi=10,
        source="illustrative; range 0–0.01",
        prior=uniform(0, 0.01),
        role=UNCERTAIN,
    )
    move_cost: float = param(
        0.15,
        "share of annual output moved",
        "one-off set-up cost of new capacity beyond its plant capital (downtime, dismantling, "
        "hiring and training), paid by moves, branches and expansions alike",
        lo=0,
        hi=100,
        source="no source found for a share (docs/evidence.md §1), free parameter fitted by the "
        "calibration; range 0.02-0.5",
        prior=uniform(0.02, 0.5),
        role=CALIBRATED,
    )
    horizon_years: float = param(
        15.0,
        "years",
        "planning horizon of a new plant: its capital and set-up costs are repaid over it at "
        "discount_rate, and a tax holiday is valued as a share of its discounted years",
        lo=1,
        hi=100,
        source="illustrative, below the asset lives of equipment (20 years) and buildings (45) "
        "in Zhang, Wu & Zhang (2004, 经济研究): firms plan to recover investment sooner; "
        "range 10-20",
        prior=uniform(10, 20),
        role=UNCERTAIN,
    )
    plant_life_years: float = param(
        20.0,
        "years",
        "economic life of a plant's equipment: a firm rebuilds its home plant after this many "
        "years, and the part of a plant's capital not yet recovered (annuity depreciation at "
        "discount_rate) is what leaving it early loses; plants start with ages spread evenly "
        "over one life",
        lo=1,
        hi=100,
        source="Zhang, Wu & Zhang (2004, 经济研究): equipment 20 years (buildings 45); "
        "range 10-25 (tax minimum for machinery is 10 years)",
        prior=uniform(10, 25),
        role=UNCERTAIN,
    )
    branch_share: float = param(
        0.4,
        "share",
        "share of a branching firm's output and jobs in the west",
        lo=0.01,
        hi=0.99,
        prior=uniform(0.2, 0.6),
        role=UNCERTAIN,
    )
    branch_overhead: float = param(
        0.005,
        "share of output",
        "extra cost of running two sites",
        lo=0,
        hi=1,
        source="illustrative; range 0–0.01",
        prior=uniform(0, 0.01),
        role=UNCERTAIN,
    )
    relocation_loss: float = param(
        0.02,
        "share of output/year",
        "lasting cost of leaving the home site altogether (head office, skilled staff, "
        "client contact): why branches outnumber full moves",
        lo=0,
        hi=1,
        source="illustrative; EVIDENCE: expansion by branch plant is more common than full "
        "relocation (Schmenner 1980; Kronenberg 2013); range 0–0.03",
        prior=uniform(0, 0.03),
        role=UNCERTAIN,
    )
    home_attachment: float = param(
        0.01,
        "share of output/year",
        "mean taste of a firm for its home site (ties a move would cut), exponential",
        lo=0,
        hi=1,
        source="illustrative; range 0–0.03",
        prior=uniform(0, 0.03),
        role=UNCERTAIN,
    )
    plant_build_years: float = param(
        1.0,
        "years",
        "time from a firm's decision to land to production in its western plant (construction)",
        lo=0,
        hi=10,
        source="illustrative; range 0.5–2",
        prior=uniform(0.5, 2),
        role=UNCERTAIN,
    )
    ramp_up_years: float = param(
        1.0,
        "years",
        "time a new western plant takes to reach full output and staffing",
        lo=0,
        hi=10,
        source="illustrative; range 0.5–2",
        prior=uniform(0.5, 2),
        role=UNCERTAIN,
    )
    ramp_start: float = param(
        0.5,
        "share",
        "output and staffing of a new plant in its first quarter, as a share of full",
        lo=0,
        hi=1,
        source="illustrative; range 0.3–0.8",
        prior=uniform(0.3, 0.8),
        role=UNCERTAIN,
    )
    park_build_years: float = param(
        1.5,
        "years",
        "time from park investment to usable firm slots",
        lo=0,
        hi=10,
        source="illustrative; range 1–3",
        prior=uniform(1, 3),
        role=UNCERTAIN,
    )
    west_productivity: float = param(
        0.97,
        "ratio",
        "output per worker in a western park relative to the east, at full infrastructure",
        lo=0.01,
        hi=2,
        source="illustrative; no within-sector West/East level for the same firm was found, and "
        "manufacturing TFP has converged between coastal and inland China (Rizov & Zhang 2014; "
        "docs/evidence.md §4), so most of the gap is left to park infrastructure "
        "(infra_weight) and ramp-up; range 0.9-1.0",
        prior=uniform(0.9, 1),
        role=UNCERTAIN,
    )
    infra_weight: float = param(
        0.1,
        "share",
        "output lost in a park with no infrastructure (quality 0)",
        lo=0,
        hi=1,
        source="illustrative; range 0.05–0.2",
        prior=uniform(0.05, 0.2),
        role=UNCERTAIN,
    )
    west_power_price_ratio: float | None = param(
        None,
        "ratio",
        "industrial electricity price in a western park relative to the east; None: the "
        "geography's west_power_price / east_power_price (Shanghai–Yunnan 0.45/0.65 = 0.69)",
        lo=0,
        hi=2,
        source="illustrative spread around the geography data file's ratio "
        "(economy.east_power_price, west_power_price; docs/evidence.md §3); range 0.45–0.9",
        prior=uniform(0.45, 0.9),
        role=UNCERTAIN,
    )
    freight_rate: float = param(
        0.35,
        "yuan/tonne-km",
        "road freight rate",
        lo=0,
        hi=10,
        source="illustrative; range 0.2–0.6",
        prior=uniform(0.2, 0.6),
        role=UNCERTAIN,
    )
    agglomeration: float = param(
        0.004,
        "share of output per log(1+firms)",
        "gain from same-sector firms in the park",
        lo=0,
        hi=1,
        prior=uniform(0.002, 0.006),
        role=UNCERTAIN,
    )
    sector_focus_bonus: float = param(
        0.005,
        "share of output",
        "gain for a firm in a park that specialises in its sector (suppliers, training, "
        "targeted services)",
        lo=0,
        hi=1,
        prior=uniform(0.0025, 0.0075),
        role=UNCERTAIN,
    )
    chain_master_pull: float = param(
        0.03,
        "share of output",
        "gain from a relocated chain master of the same sector in the park (组团转移)",
        lo=0,
        hi=1,
        prior=uniform(0.015, 0.045),
        role=UNCERTAIN,
    )
    labour_shortage_cost: float = param(
        0.10,
        "share of wage bill",
        "recruiting cost when the county's available workers fall short of the firm's jobs",
        lo=0,
        hi=10,
        prior=uniform(0.05, 0.15),
        role=UNCERTAIN,
    )
    friction_east: float = param(
        0.01,
        "share of output",
        "administrative friction cost in the east",
        lo=0,
        hi=1,
        prior=uniform(0.005, 0.015),
        role=UNCERTAIN,
    )
    west_wage_scale: float = param(
        1.0,
        "multiplier",
        "scales the geography's western wages (for comparative statics)",
        lo=0.01,
        hi=100,
        source="-",
        role=FIXED,
    )
    west_land_scale: float = param(
        1.0,
        "multiplier",
        "scales the geography's western land cost",
        lo=0,
        hi=1000,
        source="-",
        role=FIXED,
    )
    east_wage_scale: float = param(
        1.0,
        "multiplier",
        "scales the geography's eastern wage",
        lo=0.01,
        hi=100,
        source="-",
        role=FIXED,
    )
    east_cost_scale: float = param(
        1.0,
        "multiplier",
        "scales what eastern firms pay for labour (wage and employer contributions) and land, "
        "leaving output per job unchanged: a cost shock that lowers home margins (unlike "
        "east_wage_scale, which also scales output per job)",
        lo=0.01,
        hi=100,
        source="-",
        role=FIXED,
    )
    friction_west: float = param(
        0.02,
        "share of output",
        "initial administrative friction cost in a western county",
        lo=0,
        hi=1,
        source="illustrative; the West-East gap of the institutional transaction-cost "
        "index is about 1.1 points against 7.6 in the east (卢 & 朱 2019, docs/evidence.md §7): "
        "about half the gap of 0.03 against friction_east 0.01; range 0.015-0.04",
        prior=uniform(0.015, 0.04),
        role=UNCERTAIN,
    )
    exit_after_years: float = param(
        1.0,
        "years",
        "sustained losses after which a firm exits (a loss-making branch closes instead)",
        lo=0.25,
        hi=50,
        source="illustrative; range 0.5–2",
        prior=uniform(0.5, 2),
        role=UNCERTAIN,
    )
    # consideration set
    n_promoted: int = param(
        3,
        "parks",
        "draws from parks promoted by the home county's partner",
        lo=0,
        hi=100,
        prior=uniform(2, 4),
        role=UNCERTAIN,
    )
    n_enclave: int = param(
        1,
        "parks",
        "draws from enclave parks (operator brand)",
        lo=0,
        hi=100,
        prior=uniform(1, 2),
        role=UNCERTAIN,
    )
    n_word_of_mouth: int = param(
        2,
        "parks",
        "draws from parks where same-sector firms are",
        lo=0,
        hi=100,
        prior=uniform(1, 3),
        role=UNCERTAIN,
    )
    n_random: int = param(
        2, "parks", "draws from all parks", lo=0, hi=100, prior=uniform(1, 3), role=UNCERTAIN
    )
    awareness: float = param(
        0.5,
        "probability",
        "chance a promoted or enclave park is noticed at promotion 1",
        lo=0,
        hi=1,
        prior=uniform(0.25, 0.75),
        role=UNCERTAIN,
    )
    # governments and parks
    own_revenue_per_capita: float = param(
        1500.0,
        "yuan/year/person",
        "western county own revenue besides park taxes",
        lo=0,
        hi=1e6,
        prior=uniform(750, 2250),
        role=UNCERTAIN,
    )
    discretionary_share: float = param(
        0.03,
        "share",
        "share of own revenue and retained park tax a county may spend on industrial and "
        "labour policy (eastern aid is all discretionary)",
        lo=0,
        hi=1,
        prior=uniform(0.015, 0.045),
        role=LEVER,
    )
    budget_infrastructure: float = param(
        0.7,
        "share",
        "share of the discretionary budget for park infrastructure",
        lo=0,
        hi=1,
        prior=uniform(0.35, 0.775),
        role=LEVER,
    )
    budget_workshops: float = param(
        0.05,
        "share",
        "share of the discretionary budget for village workshops (帮扶车间)",
        lo=0,
        hi=1,
        prior=uniform(0.025, 0.075),
        role=LEVER,
    )
    budget_training: float = param(
        0.1,
        "share",
        "share of the discretionary budget for training",
        lo=0,
        hi=1,
        prior=uniform(0.05, 0.15),
        role=LEVER,
    )
    debt_service: float = param(
        0.1,
        "share/year",
        "repayment of county debt (no interest is modelled)",
        lo=0,
        hi=1,
        prior=uniform(0.05, 0.15),
        role=UNCERTAIN,
    )
    debt_limit: float = param(
        0.5,
        "share of annual revenue",
        "borrowing a county may carry",
        lo=0,
        hi=10,
        prior=uniform(0.25, 0.75),
        role=LEVER,
    )
    infrastructure_leverage: float = param(
        1.0,
        "yuan/yuan",
        "park infrastructure borrowed per yuan budgeted for it (county investment "
        "companies), while under debt_limit",
        lo=0,
        hi=20,
        prior=uniform(0.5, 1.5),
        role=UNCERTAIN,
    )
    park_quality: float = param(
        0.5,
        "0–1",
        "initial infrastructure quality of a park",
        lo=0,
        hi=1,
        prior=uniform(0.25, 0.75),
        role=UNCERTAIN,
    )
    serviced_land_cost: float = param(
        60000.0,
        "yuan/mu",
        "what a county spends to turn one mu of land into serviced industrial land in a park "
        "(roads, water, power, drainage and levelling, 七通一平; land compensation is in the land "
        "price firms pay)",
        lo=1,
        hi=1e8,
        source="Xunwu county (Jiangxi) Shipai industrial park 2018: the west extension, 36 m yuan, "
        "adds 600 mu of industrial land (60,000 yuan/mu; xwwsh.com, 2018-05-30); low end: "
        "Qinghe Industry Zone (Huai'an), 27 m yuan of basic installations for its 1,080-mu first "
        "phase (25,000 yuan/mu; english.huaian.gov.cn); high end 150,000 illustrative (hill "
        "sites)",
        prior=triangular(25000, 60000, 150000),
        role=UNCERTAIN,
    )
    land_per_slot: float = param(
        25.0,
        "mu/firm slot",
        "serviced land one firm of the park takes (1 mu = 666.7 m²)",
        lo=0.1,
        hi=1e4,
        source="illustrative; range 10–50: a landing firm's 41 m yuan of investment (Yunnan "
        "Daily 2024: 16.758 bn yuan by 408 firms) at 80–380 万元 per mu of investment intensity "
        "(380: Taishun's Luoyang South park, Zhejiang, 2021–2024; lower in western counties)",
        prior=uniform(10, 50),
        role=UNCERTAIN,
    )
    park_fill_target: float = param(
        0.85,
        "share",
        "occupancy at which a park's owner orders more serviced land: it keeps tenants plus "
        "the applicants it turned away within this share of its capacity",
        lo=0.05,
        hi=1,
        source="illustrative; range 0.7–0.95",
        prior=uniform(0.7, 0.95),
        role=UNCERTAIN,
    )
    park_payback_years: float = param(
        10.0,
        "years",
        "years of a tenant's locally retained tax a county counts against the cost of a slot: "
        "it adds serviced land only where that repays the slot",
        lo=0,
        hi=100,
        source="illustrative; range 5–20",
        prior=uniform(5, 20),
        role=UNCERTAIN,
    )
    quality_half_investment: float = param(
        200e6,
        "yuan",
        "cumulative investment that closes half the gap to full infrastructure",
        lo=1,
        hi=1e13,
        prior=uniform(1e8, 3e8),
        role=UNCERTAIN,
    )
    workshop_cost_per_job: float = param(
        40e3,
        "yuan/job",
        "build subsidy for one workshop job (the county's workshop budget builds jobs at "
        "this cost)",
        lo=1,
        hi=1e8,
        prior=loguniform(10000, 120000),
        role=CALIBRATED,
    )
    workshop_wage: float = param(
        30e3,
        "yuan/year",
        "workshop pay at the start (grows with west_wage_growth)",
        lo=0,
        hi=1e6,
        source="Yunnan Daily 2024: 2,000–3,000 yuan/month near a relocation site",
        prior=uniform(24000, 36000),
        role=UNCERTAIN,
    )
    workshop_depreciation: float = param(
        0.1,
        "share/year",
        "workshop jobs lost per year without upkeep",
        lo=0,
        hi=1,
        prior=uniform(0.05, 0.15),
        role=UNCERTAIN,
    )
    workshop_sales_per_job: float = param(
        100e3,
        "yuan/job-year",
        "sales per workshop job when the village market is empty (grows with west_wage_growth)",
        lo=0,
        hi=1e8,
        prior=uniform(50000, 150000),
        role=UNCERTAIN,
    )
    workshop_input_share: float = param(
        0.6,
        "share",
        "materials and other non-wage costs per yuan of workshop sales",
        lo=0,
        hi=1,
        prior=uniform(0.3, 0.9),
        role=UNCERTAIN,
    )
    workshop_market_share: float = param(
        0.002,
        "jobs/working-age person",
        "workshop jobs at which a county's village labour and market halve sales per job "
        "(diminishing returns)",
        lo=1e-6,
        hi=1,
        prior=uniform(0.001, 0.003),
        role=UNCERTAIN,
    )
    workshop_operating_subsidy: float = param(
        0.0,
        "yuan/job-year",
        "operating subsidy per workshop job, paid first out of the county's workshop budget "
        "(some provinces pay one per worker hired; none in the seeds)",
        lo=0,
        hi=1e6,
        prior=uniform(0, 2000),
        role=LEVER,
    )
    training_cost: float = param(
        3000.0,
        "yuan/person",
        "cost of training one worker",
        lo=0,
        hi=1e6,
        prior=uniform(1500, 4500),
        role=UNCERTAIN,
    )
    training_productivity_premium: float = param(
        0.23,
        "share",
        "output of a trained worker over an untrained one in the same job, minus 1",
        lo=0,
        hi=2,
        source="Konings & Vanormelingen (2015, Rev. Econ. Stat. 97(2); CEPR DP7473): 0.23 in "
        "Belgian firm panels; Dearden, Reed & Van Reenen (2006, Oxf. Bull. Econ. Stat. 68(4)): "
        "+0.6% value added per worker per point of trained share; docs/evidence.md §9; range "
        "0.1–0.35",
        prior=uniform(0.1, 0.35),
        role=UNCERTAIN,
    )
    training_wage_premium: float = param(
        0.12,
        "share",
        "pay of a trained worker over an untrained one in the same job, minus 1",
        lo=0,
        hi=2,
        source="Konings & Vanormelingen (2015): 0.12, about half the output premium, as in "
        "Dearden et al. (2006) and Colombo & Stanca (2008); migrant workers of central and "
        "western China: +1.88 yuan/hour (Zhao & Geng 2020, 财经研究 46(8)); docs/evidence.md §9; "
        "range 0.05–0.2",
        prior=uniform(0.05, 0.2),
        role=UNCERTAIN,
    )
    service_multiplier: float = param(
        0.34,
        "jobs/job",
        "local non-tradable jobs created per park or workshop job (at the park low wage; "
        "wages spent locally)",
        lo=0,
        hi=1,
        source="Wang & Chanda (2018, J. Comp. Econ.): 0.34 in Chinese prefectures 2000–10, "
        "none for low-tech; Cheng (2025, J. Beijing Normal Univ.): 0.59–0.62, n.s. 2010–20; range "
        "0–0.62",
        prior=uniform(0, 0.62),
        role=UNCERTAIN,
    )
    # labour market
    west_wage_growth: float = param(
        0.05,
        "share/year",
        "growth of the prevailing western wage (the wider local economy)",
        lo=-0.5,
        hi=1,
        prior=uniform(0.025, 0.075),
        role=UNCERTAIN,
    )
    wage_adjustment: float = param(
        0.5,
        "share/year",
        "share of the gap between a county's wage premium over the prevailing wage and the "
        "premium that clears its labour market closed per year",
        lo=0,
        hi=1,
        prior=uniform(0.25, 0.75),
        role=UNCERTAIN,
    )
    idle_to_farm: float = param(
        0.3,
        "share/year",
        "share of the not employed who go back to farming per year",
        lo=0,
        hi=1,
        prior=uniform(0.15, 0.45),
        role=UNCERTAIN,
    )
    idle_share: float = param(
        0.05,
        "share",
        "initial share of working-age residents not employed",
        lo=0,
        hi=1,
        prior=uniform(0.025, 0.075),
        role=UNCERTAIN,
    )
    surplus_farm_labour: float = param(
        0.2,
        "share",
        "share of a county's farmers who would take a local non-farm job at the prevailing wage "
        "at the start (within commuting reach, reservation wage below it): sets where each "
        "county's reservation wages lie",
        lo=0,
        hi=0.9,
        source="illustrative; range 0.05–0.4 (estimates of China's remaining surplus rural labour "
        "around 2010–2020 differ widely)",
        prior=uniform(0.05, 0.4),
        role=UNCERTAIN,
    )
    reservation_sigma: float = param(
        0.6,
        "log units",
        "dispersion of residents' reservation wages for a local non-farm job (lognormal around "
        "a county median, set at the start from its non-farm share and surplus_farm_labour)",
        lo=0.01,
        hi=5,
        prior=uniform(0.3, 0.9),
        role=UNCERTAIN,
    )
    local_demand_elasticity: float = param(
        0.5,
        "elasticity",
        "fall in local employers' jobs (local industry and services) per unit rise of the log "
        "wage over the prevailing wage",
        lo=0,
        hi=5,
        source="illustrative; Hamermesh (1993, Labor Demand) puts constant-output own-wage "
        "elasticities of labour demand at about 0.15–0.75",
        prior=uniform(0.15, 0.75),
        role=UNCERTAIN,
    )
    inactive_share: float = param(
        0.2,
        "share",
        "share of working-age people out of the labour force (in school, caring, ill): "
        "outside the labour pools, inside per-person rates",
        lo=0,
        hi=0.9,
        prior=uniform(0.1, 0.3),
        role=UNCERTAIN,
    )
    hire_rate: float = param(
        0.5,
        "share/quarter",
        "share of vacancies filled from willing local workers per quarter",
        lo=0,
        hi=1,
        prior=uniform(0.25, 0.75),
        role=UNCERTAIN,
    )
    migration_rate: float = param(
        0.015,
        "share/year",
        "maximum share of stayers who migrate per year when the east pays far more",
        lo=0,
        hi=1,
        prior=uniform(0.0075, 0.0225),
        role=UNCERTAIN,
    )
    return_rate: float = param(
        0.10,
        "share/year",
        "maximum share of migrants who return per year (half of it when home pays as well as "
        "the east)",
        lo=0,
        hi=1,
        source="EVIDENCE: return migration of limited scale; illustrative",
        prior=uniform(0.05, 0.15),
        role=UNCERTAIN,
    )
    migration_scale: float = param(
        20e3,
        "yuan/year",
        "income gap that moves the migration decision by one logit unit",
        lo=1,
        hi=1e7,
        prior=uniform(10000, 30000),
        role=UNCERTAIN,
    )
    migration_cost: float = param(
        15e3,
        "yuan/year",
        "extra cost of living and working away from home at the start (grows with eastern wages)",
        lo=0,
        hi=1e7,
        source="EVIDENCE: costs fell ~45% 2000–2015 but remain high (Tombe & Zhu); level "
        "illustrative",
        prior=uniform(7500, 22500),
        role=UNCERTAIN,
    )
    moving_cost: float = param(
        15e3,
        "yuan",
        "one-off cost of moving to an eastern job (travel, search, lost earnings)",
        lo=0,
        hi=1e7,
        prior=uniform(7500, 22500),
        role=UNCERTAIN,
    )
    migration_horizon: float = param(
        3.0,
        "years",
        "years over which a migrant spreads the one-off moving cost",
        lo=0.25,
        hi=50,
        prior=uniform(1.5, 4.5),
        role=UNCERTAIN,
    )
    east_job_finding: float = param(
        0.8,
        "probability",
        "chance a migrant holds an eastern job",
        lo=0,
        hi=1,
        prior=uniform(0.4, 1),
        role=UNCERTAIN,
    )
    remittance_share: float = param(
        0.35,
        "share",
        "share of migrant earnings sent home",
        lo=0,
        hi=1,
        prior=uniform(0.175, 0.525),
        role=UNCERTAIN,
    )
    low_income_line: float = param(
        10e3,
        "yuan/year/person",
        "income (earnings + transfer) below which a person counts as low-income, at the "
        "start; indexed to west_wage_growth",
        lo=0,
        hi=1e7,
        prior=uniform(5000, 15000),
        role=UNCERTAIN,
    )
    farm_income_sigma: float = param(
        0.6,
        "log units",
        "dispersion of farm income between farmers of a county (lognormal)",
        lo=0,
        hi=5,
        prior=uniform(0.3, 0.9),
        role=UNCERTAIN,
    )
    # taxes (EVIDENCE, H)
    value_added_share: float = param(
        0.25,
        "share of output",
        "value added in output (VAT base)",
        lo=0,
        hi=1,
        prior=uniform(0.125, 0.375),
        role=UNCERTAIN,
    )
    vat_rate: float = param(
        0.13,
        "share",
        "VAT on manufacturing",
        lo=0,
        hi=1,
        source="EVIDENCE (H): 13% since April 2019",
        role=FIXED,
    )
    vat_local_share: float = param(
        0.5,
        "share",
        "local share of VAT",
        lo=0,
        hi=1,
        source="EVIDENCE (H): 50/50 since May 2016",
        role=FIXED,
    )
    cit_rate_east: float = param(
        0.25, "share", "corporate income tax", lo=0, hi=1, source="EVIDENCE (H): 25%", role=FIXED
    )
    cit_rate_west: float = param(
        0.15,
        "share",
        "corporate income tax, encouraged industries in the west",
        lo=0,
        hi=1,
        source="EVIDENCE (H): 15%, 2021–2030",
        role=FIXED,
    )
    cit_local_share: float = param(
        0.4,
        "share",
        "local share of corporate income tax",
        lo=0,
        hi=1,
        source="EVIDENCE (H): 60/40",
        role=FIXED,
    )


@dataclass
class SensitivityConfig:
    """Which row of which parameter design a job runs (sim/sensitivity.py; docs/sensitivity.md)."""

    method: str = param(
        "none",
        "-",
        "parameter design: none (the config as it is), draws (calibration draws, else a "
        "Latin hypercube through the priors), morris or sobol (SALib)",
        choices=("none", "draws", "morris", "sobol"),
        source="-",
        role=FIXED,
    )
    sample: int = param(
        -1,
        "row",
        "design row this job runs (-1: none, the point estimate); sweep it with range(N); "
        "needs a method",
        lo=-1,
        hi=10_000_000,
        source="-",
        role=FIXED,
    )
    n: int = param(
        8,
        "draws or trajectories",
        "draws: number of draws; morris: trajectories; sobol: base sample (a power of 2)",
        lo=1,
        hi=1_000_000,
        source="-",
        role=FIXED,
    )
    seed: int = param(
        0,
        "integer",
        "seed of the design (fixed, so every job and scenario sees the same rows)",
        lo=0,
        source="-",
        role=FIXED,
    )
    parameters: list[str] = param(
        [],
        "dotted keys",
        "parameters the morris or sobol design varies (empty: every uncertain and calibrated "
        "parameter, `python -m sim.params.designs`)",
        source="-",
        role=FIXED,
    )
    levers: bool = param(
        False,
        "flag",
        "let the design vary policy levers too (role lever, over their ranges in docs/ODD.md): "
        "all of them when parameters is empty, else those it lists; off, a design leaves every "
        "lever at the scenario's value",
        source="-",
        role=FIXED,
    )


# the policy search's levers by default: continuous, funded by public budgets, one per channel
SEARCH_LEVERS = [
    "policy.pairing.aid_per_county",
    "policy.pairing.promotion",
    "policy.enclave.tax_share_east",
    "policy.labour.training_rate",
    "policy.labour.migration_support",
    "policy.labour.matching_budget",
    "policy.consumption.procurement_per_year",
]
SEARCH_OBJECTIVES = ["west_jobs_local", "west_income_per_working_age"]


@dataclass
class SearchConfig:
    """The policy search (experiment policy_search; docs/policy_search.md): which levers, which
    objectives, the budget and how each candidate mix is evaluated."""

    worker: int = param(
        -1,
        "index",
        "index of this search worker (the sweep sets it: range(search.workers)); -1 = not a worker",
        lo=-1,
        hi=100_000,
        source="-",
        role=FIXED,
    )
    workers: int = param(
        2,
        "processes",
        "worker jobs sharing the search's journal",
        lo=1,
        hi=100_000,
        source="-",
        role=FIXED,
    )
    trials: int = param(
        64,
        "mixes",
        "candidate mixes to evaluate in all",
        lo=1,
        hi=1_000_000,
        source="-",
        role=FIXED,
    )
    batch: int = param(
        8,
        "mixes",
        "mixes proposed at once from the mixes finished before (the sampler's generation)",
        lo=1,
        hi=100_000,
        source="-",
        role=FIXED,
    )
    draws: int = param(
        4,
        "draws",
        "parameter draws each mix is evaluated on",
        lo=1,
        hi=100_000,
        source="-",
        role=FIXED,
    )
    seeds: int = param(
        2,
        "seeds",
        "seeds per draw (common to every mix)",
        lo=1,
        hi=100_000,
        source="-",
        role=FIXED,
    )
    quantile: float = param(
        0.1,
        "probability",
        "robust score: this quantile over draws × seeds of a mix's gain over the baseline",
        lo=0,
        hi=1,
        source="-",
        role=FIXED,
    )
    sampler: str = param(
        "tpe",
        "-",
        "Optuna sampler: tpe (multi-objective TPE with constraints) or random",
        choices=("tpe", "random"),
        source="-",
        role=FIXED,
    )
    seed: int = param(0, "integer", "seed of the sampler", lo=0, source="-", role=FIXED)
    levers: list[str] = param(
        list(SEARCH_LEVERS),
        "dotted keys",
        "levers searched (role lever); the rest stay at the scenario's values",
        source="-",
        role=FIXED,
    )
    bounds: list[str] = param(
        [],
        "key:lo:hi",
        "bounds of a lever where not the range of its prior, e.g. policy.pairing.promotion:0.5:1.2 "
        "(inside its schema range)",
        source="-",
        role=FIXED,
    )
    objectives: list[str] = param(
        list(SEARCH_OBJECTIVES),
        "names",
        "gains maximised (sim.studies.policy_search.OBJECTIVES)",
        source="-",
        role=FIXED,
    )
    budget_east: float = param(
        5e9,
        "yuan/year",
        "eastern public cost over the baseline, mean over the run, in every draw and seed",
        lo=0,
        source="-",
        role=FIXED,
    )
    budget_west: float = param(
        2e9,
        "yuan/year",
        "western public cost (own funds) over the baseline, mean over the run, in every draw",
        lo=0,
        source="-",
        role=FIXED,
    )
    budget_levels: list[float] = param(
        [0.25, 0.5, 0.75, 1.0],
        "share of budget",
        "budget levels at which the report names the robust best mix",
        source="-",
        role=FIXED,
    )


@dataclass
class Config:
    run: RunConfig = field(default_factory=RunConfig)
    geography: GeographyConfig = field(default_factory=GeographyConfig)
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    economy: EconomyConfig = field(default_factory=EconomyConfig)
    sensitivity: SensitivityConfig = field(default_factory=SensitivityConfig)
    search: SearchConfig = field(default_factory=SearchConfig)
    study: str | None = param(
        None,
        "-",
        "name of the experiment whose table and figures a multirun makes",
        source="-",
        role=FIXED,
    )


MAX_SEED = 2**63 - 1  # seeds are stored as 64-bit integers in the result tables


class ConfigError(ValueError):
    """A config value outside its allowed range; the message names the key."""


def _fields(cls, prefix=""):
    for f in dataclasses.fields(cls):
        key = f"{prefix}{f.name}"
        if (
            dataclasses.is_dataclass(f.default_factory)
            if f.default_factory is not dataclasses.MISSING
            else False
        ):
            yield from _fields(f.default_factory, key + ".")
        else:
            yield key, f


def schema_fields():
    """(dotted key, dataclass field) for every leaf of the schema."""
    return list(_fields(Config))


def _range_text(meta) -> str:
    if meta.get("choices"):
        return "one of " + ", ".join(meta["choices"])
    lo, hi = meta.get("lo"), meta.get("hi")
    if lo is not None and hi is not None:
        return f"[{lo:g}, {hi:g}]"
    if lo is not None:
        return f">= {lo:g}"
    if hi is not None:
        return f"<= {hi:g}"
    return "any"


def _get(cfg, dotted):
    node = cfg
    for part in dotted.split("."):
        node = node[part] if isinstance(node, dict) else getattr(node, part)
    return node


def validate(cfg) -> None:
    """Check every key against its range; raise :class:`ConfigError` naming all bad keys.

    ``cfg`` is a DictConfig or a plain nested dict of the resolved config.
    """
    problems = []
    for key, f in schema_fields():
        value = _get(cfg, key)
        meta = f.metadata
        if value is None:
            continue
        bad = False
        if meta.get("choices"):
            bad = value not in meta["choices"]
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            if isinstance(value, float) and not math.isfinite(value):
                bad = True
            elif meta.get("lo") is not None and value < meta["lo"]:
                bad = True
            elif meta.get("hi") is not None and value > meta["hi"]:
                bad = True
        if bad:
            problems.append(
                f"  {key} = {value!r} is outside its allowed range {_range_text(meta)} "
                f"({meta['doc']}; unit: {meta['unit']})."
            )
    seed, reps = _get(cfg, "run.seed"), _get(cfg, "run.replications")
    if (
        isinstance(seed, int)
        and isinstance(reps, int)
        and seed >= 0
        and reps >= 1
        and (seed + 1) * reps - 1 > MAX_SEED
    ):
        problems.append(
            f"  run.seed = {seed} is too large: the seeds of its replications "
            "(run.seed*replications + r) "
            f"must fit the result tables' 64-bit integers (at most {MAX_SEED})."
        )
    e = _get(cfg, "economy")
    shares = [_get(e, k) for k in ("budget_infrastructure", "budget_workshops", "budget_training")]
    if sum(shares) > 1 + 1e-9:
        problems.append(
            "  economy.budget_infrastructure + budget_workshops + budget_training = "
            f"{sum(shares):g} "
            "must not exceed 1 (they split one budget)."
        )
    g = _get(cfg, "geography")
    if _get(g, "kind") == "file":
        for k in ("n_east_counties", "n_west_counties", "n_parks", "co_built_share"):
            if _get(g, k) is not None:
                problems.append(
                    f"  geography.{k} = {_get(g, k)!r} applies only to geography=synthetic; "
                    f"the '{_get(g, 'name')}' geography takes its counties and parks from "
                    "its data file."
                )
    if problems:
        raise ConfigError(
            "Invalid configuration:\n"
            + "\n".join(problems)
            + "\nFix the override or config file; nothing was run."
        )


def parameter_table() -> str:
    """Markdown table of every key: name, meaning, unit, default, range, role, prior, source."""
    rows = [
        "| key | meaning | unit | default | range | role | prior | source |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, f in schema_fields():
        m = f.metadata
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
        prior = str(m["prior"]) if m["prior"] is not None else "-"
        rows.append(
            f"| `{key}` | {m['doc']} | {m['unit']} | {default!r} | {_range_text(m)} | "
            f"{m['role']} | {prior} | {m['source']} |"
        )
    return "\n".join(rows)


def register() -> None:
    """Register the schema with Hydra's ConfigStore as ``schema``."""
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(name="schema", node=Config)
