"""Every policy key of the schema (sim/params/schema.py) acts on the model: changing it changes
the outcomes."""

import pytest

from tests.conftest import final

KEYS = [  # key, scenario that switches its channel on, default-ish value, changed value
    ("policy.pairing.promotion", "pairing", 1.0, 3.0),
    ("policy.pairing.aid_per_county", "pairing", 40e6, 0.0),
    ("policy.pairing.governance_gain", "pairing", 0.05, 0.3),
    ("policy.enclave.tax_share_east", "enclave", 0.4, 0.9),
    ("policy.enclave.operator_efficiency", "enclave", 1.3, 3.0),
    ("policy.enclave.compliance", "enclave", 1.0, 0.2),
    ("policy.subsidy.land_discount", "baseline", 0.3, 0.9),
    ("policy.subsidy.tax_holiday_years", "baseline", 2.0, 8.0),
    ("policy.labour.training_rate", "labour", 0.05, 0.3),
    ("policy.labour.migration_support", "labour", 2000.0, 15000.0),
    ("policy.labour.matching_gain", "labour", 0.05, 0.5),
    ("policy.consumption.procurement_per_year", "consumption", 9.196e9, 0.0),
    # cost and channel keys: each must reach an outcome (a cost line at least)
    ("policy.pairing.promotion_cost", "pairing", 2e6, 8e6),
    ("policy.pairing.referral_cost_per_firm", "pairing", 200e3, 1e6),
    ("policy.pairing.cadres_per_county", "pairing", 9.5, 0.0),
    ("policy.pairing.cost_per_cadre", "pairing", 300e3, 600e3),
    ("policy.pairing.trainees_per_county", "pairing", 512.0, 0.0),
    ("policy.pairing.cost_per_trainee", "pairing", 2000.0, 5000.0),
    ("policy.pairing.west_cadres_per_county", "pairing", 13.6, 0.0),
    ("policy.pairing.west_cost_per_cadre", "pairing", 100e3, 300e3),
    ("policy.labour.matching_cost_per_placement", "labour", 1000.0, 3000.0),
    ("policy.consumption.income_share", "consumption", 0.3, 0.6),
    ("policy.consumption.processing_share", "consumption", 0.3, 0.8),
    ("policy.consumption.seller_share", "consumption", 0.3, 1.0),
    ("policy.consumption.public_cost_share", "consumption", 0.05, 0.2),
]


@pytest.mark.parametrize("key,scenario,a,b", KEYS)
def test_policy_key_changes_outcomes(key, scenario, a, b):
    base = {"scenario": scenario, "run.years": 3, "geography.n_firms": 4000, "run.seed": 5}
    sa, sb = final({**base, key: a}), final({**base, key: b})
    changed = [k for k in sa if sa[k] != sb[k]]
    assert changed, f"{key} changed nothing"


def test_pairing_switch_matters():
    base = {"run.years": 3, "geography.n_firms": 4000, "run.seed": 5}
    off, on = final({**base, "scenario": "baseline"}), final({**base, "scenario": "pairing"})
    assert on["east_aid_paid"] > 0 == off["east_aid_paid"]
