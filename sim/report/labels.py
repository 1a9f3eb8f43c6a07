"""Human names and units for figures and tables, read from the metrics and the schema.

Units come from :mod:`sim.model.metrics` (outcomes) and the schema's field metadata (config
keys); this module only adds short display names, so a figure never shows a dotted key
or a snake_case name. Shares are shown in percent, differences of shares in
percentage points.
"""

from __future__ import annotations

import functools

from sim.analysis.paired import ADDITIONALITY
from sim.model.metrics import METRICS, REGION_METRICS

# Short display names of outcomes; any other outcome shows its meaning from sim/metrics.py.
NAMES: dict[str, str] = {
    "west_jobs_local": "Western local jobs",
    "west_migrants_east": "Western migrants in the east",
    "west_employment_rate": "Western employment rate",
    "west_income_per_capita": "Western income per capita",
    "east_west_income_ratio": "East/west income ratio",
    "firms_in_west": "Firms in western parks",
    "firms_relocated_cum": "Firms landed in the west (cumulative)",
    "investment_cum": "Investment in western parks (cumulative)",
    "west_tax_revenue": "Park tax kept by the west",
    "east_tax_revenue_enclave": "Enclave tax paid to the east",
    "park_occupancy": "Park occupancy",
    "low_income_share": "Low-income share",
    "west_fiscal_cost": "Western land discounts (one cost line)",
    "east_programme_cost": "Eastern programme cost",
    "west_programme_cost": "Western programme cost",
    "west_programme_cost_own": "Western programme cost less aid",
    "public_programme_cost": "Public programme cost (aid once)",
    "west_programme_spending": "Western programme spending",
    "east_aid_paid": "Eastern aid paid",
    "jobs_local": "Local jobs",
    "income_per_capita": "Income per capita",
    "employment_rate": "Employment rate",
    "additional_firms": "Additional firms (over pairing)",
    "diverted_firms": "Firms diverted into enclave parks",
    "additional_jobs": "Additional local jobs (over pairing)",
    "diverted_jobs": "Jobs diverted into enclave parks",
    "east_enclave_operator_net": "Enclave operators' net gain (east)",
    "west_income_and_tax": "Western income + retained tax over pairing",
    "run.seed": "Seed",
    "scenario": "Scenario",
}

# units of outcomes the studies derive from the model's (the additionality split, objectives)
DERIVED: dict[str, str] = {
    **{k: unit for k, (unit, _) in ADDITIONALITY.items()},
    "west_income_and_tax": "yuan/year",
}

SCENARIOS: dict[str, str] = {
    "baseline": "Baseline",
    "pairing": "Pairing",
    "enclave": "Enclave parks",
    "enclave_parks": "Enclave parks (co-investment)",
    "labour": "Labour cooperation",
    "consumption": "Consumption cooperation",
    "full": "Full package",
}


@functools.cache
def _schema_meta() -> dict[str, dict]:
    from sim.params.schema import schema_fields

    return {k: dict(f.metadata) for k, f in schema_fields()}


def unit(key: str) -> str:
    """Unit of an outcome or config key ('' if unknown)."""
    if key in METRICS:
        return METRICS[key][0]
    if key in REGION_METRICS:
        return REGION_METRICS[key][0]
    if key in DERIVED:
        return DERIVED[key]
    u = _schema_meta().get(key, {}).get("unit", "")
    return "" if u in ("-", "flag") else u


def is_share(key: str) -> bool:
    return unit(key) in ("share", "probability")


def name(key: str) -> str:
    """Short human name: ``policy.enclave.tax_share_east`` → ``Enclave: tax share east``."""
    if key in NAMES:
        return NAMES[key]
    if key in METRICS or key in REGION_METRICS:
        return _humanise(key)
    parts = key.split(".")
    if key in _schema_meta() and len(parts) >= 2:
        group = parts[-2] if parts[0] in ("policy", "run", "geography", "economy") else parts[0]
        return f"{_humanise(group)}: {_humanise(parts[-1]).lower()}"
    return _humanise(parts[-1])


def _humanise(snake: str) -> str:
    text = snake.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def scenario(s) -> str:
    return SCENARIOS.get(str(s), _humanise(str(s)))


def geography(name: str) -> str:
    """``shanghai_yunnan`` → ``Shanghai–Yunnan`` (the pair of a geography file's name)."""
    return "–".join(part.capitalize() for part in str(name).split("_"))


def axis(key: str, difference: bool = False, millions: bool = False) -> str:
    """Axis label with the unit: ``Low-income share (percentage points)``."""
    u = unit(key)
    if is_share(key):
        u = "percentage points" if difference else "%"
    elif millions and u:
        u = f"million {u}"
    text = name(key) + (" over baseline" if difference else "")
    return f"{text} ({u})" if u and u not in ("integer",) else text


def scale(key: str, values=None) -> tuple[float, bool]:
    """Multiplier for display, and whether it shows millions: shares ×100, big yuan ÷1e6."""
    import numpy as np

    if is_share(key):
        return 100.0, False
    if (
        unit(key).startswith("yuan")
        and values is not None
        and len(values)
        and np.nanmax(np.abs(values)) >= 1e7
    ):
        return 1e-6, True
    return 1.0, False


def value(key: str, v) -> str:
    """A swept value as text: shares in percent."""
    if is_share(key) and isinstance(v, (int, float)):
        return f"{100 * v:g}%"
    return f"{v:g}" if isinstance(v, float) else str(v)
