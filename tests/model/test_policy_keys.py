"""Every policy key of the schema (sim/params/schema.py) acts on the model: changing it changes
the outcomes. The keys come from the schema, so a new policy key fails here until it is given a
value to change to (EFFECT) or a test of its own (OWN_TEST)."""

import pytest

from sim.params.schema import schema_fields
from tests.helpers import final

# the scenario that switches each policy section's channel on
SCENARIO = {
    "pairing": "pairing",
    "enclave": "enclave",
    "subsidy": "baseline",
    "labour": "labour",
    "consumption": "consumption",
}
# key: (a value, a changed value); the run uses the key's section scenario
EFFECT = {
    "policy.pairing.promotion": (1.0, 3.0),
    "policy.pairing.aid_per_county": (40e6, 0.0),
    "policy.pairing.governance_gain": (0.05, 0.3),
    "policy.enclave.tax_share_east": (0.4, 0.9),
    "policy.enclave.operator_efficiency": (1.3, 3.0),
    "policy.enclave.compliance": (1.0, 0.2),
    "policy.subsidy.land_discount": (0.3, 0.9),
    "policy.subsidy.tax_holiday_years": (2.0, 8.0),
    "policy.labour.training_rate": (0.05, 0.3),
    "policy.labour.migration_support": (2000.0, 15000.0),
    "policy.labour.matching_gain": (0.1, 0.5),
    "policy.labour.matching_budget": (2e8, 1e9),
    "policy.consumption.procurement_per_year": (9.196e9, 0.0),
    "policy.pairing.promotion_cost": (2e6, 8e6),
    "policy.pairing.referral_cost_per_firm": (200e3, 1e6),
    "policy.pairing.cadres_per_county": (9.5, 0.0),
    "policy.pairing.cost_per_cadre": (300e3, 600e3),
    "policy.pairing.trainees_per_county": (512.0, 0.0),
    "policy.pairing.cost_per_trainee": (2000.0, 5000.0),
    "policy.pairing.west_cadres_per_county": (13.6, 0.0),
    "policy.pairing.west_cost_per_cadre": (100e3, 300e3),
    "policy.labour.matching_cost_per_participant": (800.0, 3000.0),
    "policy.consumption.income_share": (0.5, 0.9),
    "policy.consumption.additionality": (0.3, 0.8),
    "policy.consumption.premium_share": (0.1, 0.3),
    "policy.consumption.processing_share": (0.3, 0.8),
    "policy.consumption.seller_share": (0.3, 1.0),
    "policy.consumption.public_cost_share": (0.05, 0.2),
    "policy.pairing.target_firms_per_year": (2.0, 20.0),
    "policy.pairing.target_adaptation": (0.3, 3.0),
    "policy.enclave.coinvest_per_park": (20e6, 0.0),
    "policy.enclave.promotion_incentive": (2.0, 0.0),
    "policy.enclave.compliance_learning": (0.2, 2.0),
    "policy.enclave.network_contacts_per_year": (12.0, 40.0),
    "policy.enclave.chain_follow_share": (0.3, 1.0),
    "policy.enclave.landing_prior": (0.1, 0.3),
    "policy.enclave.landing_prior_weight": (20.0, 2.0),
    "policy.enclave.tax_per_firm_prior": (1.5e6, 4e6),
    "policy.enclave.operator_horizon_years": (10.0, 20.0),
    "policy.enclave.operator_fixed_cost": (1e6, 3e6),
    "policy.enclave.effort_cost": (4e6, 1e6),
}
# other settings a key needs to matter (learning acts only when the partner is not paid in full;
# the operator co-invests only when a tenant's shared tax over its horizon repays a slot; chain
# masters must land in an enclave park before they prompt followers)
CONTEXT = {
    "policy.enclave.compliance_learning": {"policy.enclave.compliance": 0.2},
    "policy.enclave.chain_follow_share": {"run.years": 6},
    "policy.enclave.coinvest_per_park": {
        "policy.enclave.tax_share_east": 1.0,
        "policy.enclave.operator_horizon_years": 60.0,
    },
}
# keys checked by a test of their own below
OWN_TEST = {
    "policy.name": "the scenario's label in the outputs; no mechanism reads it",
    "policy.pairing.enabled": "test_pairing_switch_matters",
    "policy.enclave.enabled": "test_enclave_switch_matters",
}
POLICY_KEYS = [key for key, _ in schema_fields() if key.startswith("policy.")]


def test_every_policy_key_has_an_effect_check():
    missing = [k for k in POLICY_KEYS if k not in EFFECT and k not in OWN_TEST]
    assert not missing, f"policy keys without an effect check (add them to EFFECT): {missing}"
    stale = [k for k in [*EFFECT, *OWN_TEST] if k not in POLICY_KEYS]
    assert not stale, f"keys no longer in the schema: {stale}"


@pytest.mark.parametrize("key", [k for k in POLICY_KEYS if k in EFFECT])
def test_policy_key_changes_outcomes(key):
    a, b = EFFECT[key]
    scenario = SCENARIO[key.split(".")[1]]
    base = {"scenario": scenario, "run.years": 3, "geography.n_firms": 4000, "run.seed": 5}
    base.update(CONTEXT.get(key, {}))
    sa, sb = final({**base, key: a}), final({**base, key: b})
    changed = [k for k in sa if sa[k] != sb[k]]
    assert changed, f"{key} changed nothing"


def test_pairing_switch_matters():
    base = {"run.years": 3, "geography.n_firms": 4000, "run.seed": 5}
    off, on = final({**base, "scenario": "baseline"}), final({**base, "scenario": "pairing"})
    assert on["east_aid_paid"] > 0 == off["east_aid_paid"]


def test_enclave_switch_matters():
    base = {"scenario": "pairing", "run.years": 3, "geography.n_firms": 4000, "run.seed": 5}
    off, on = final(base), final({**base, "policy.enclave.enabled": True})
    assert [k for k in off if off[k] != on[k]], "policy.enclave.enabled changed nothing"
