"""The Python API as other tools call it: numpy values (SALib, EMA workbench, pandas), batches."""

import numpy as np
import pandas as pd
import pytest

import sim
from sim.params.compose import to_overrides
from sim.params.schema import ConfigError

TINY = {"run.years": 1, "geography.n_firms": 400}


def test_numpy_scalars_become_plain_override_values():
    ov = to_overrides(
        {
            "policy.enclave.tax_share_east": np.float64(0.3),
            "run.seed": np.int64(2),
            "policy.enclave.enabled": np.bool_(True),
            "run.years": np.array(3),
            "scenario": np.str_("enclave"),
        }
    )
    assert ov == [
        "policy.enclave.tax_share_east=0.3",
        "run.seed=2",
        "policy.enclave.enabled=true",
        "run.years=3",
        "scenario=enclave",
    ]


def test_strings_that_look_like_other_types_are_quoted():
    assert to_overrides({"geography.name": "true", "study": "a b"}) == [
        "geography.name='true'",
        "study='a b'",
    ]


def test_evaluate_gives_the_same_answer_for_numpy_and_python_values():
    row = pd.DataFrame({"policy.enclave.tax_share_east": [0.3], "run.seed": [1]}).iloc[
        0
    ]  # what pandas passes
    numpy_call = sim.evaluate({**TINY, "scenario": "enclave", **row.to_dict()})
    assert isinstance(row["run.seed"], np.floating | np.integer)
    assert numpy_call == sim.evaluate(
        {**TINY, "scenario": "enclave", "policy.enclave.tax_share_east": 0.3, "run.seed": 1}
    )


@pytest.mark.parametrize(
    "overrides,key",
    [
        ({"policy.enclave.tax_share_east": np.float64(1.5)}, "policy.enclave.tax_share_east"),
        ({"run.seed": np.float64(2.5)}, "run.seed"),
        ({"policy.labour.training_rate": {"a": 1}}, "policy.labour.training_rate"),
        ({"policy.labour.training_rate": np.array([0.1, 0.2])}, "policy.labour.training_rate"),
    ],
)
def test_evaluate_errors_name_the_key(overrides, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        sim.evaluate({**TINY, **overrides})


def test_evaluate_many_matches_evaluate_in_order_on_two_processes():
    batch = [
        {**TINY, "scenario": s, "run.seed": np.int64(seed)}
        for s in ("baseline", "enclave")
        for seed in (0, 1)
    ]
    many = sim.evaluate_many(batch, n_jobs=2)
    assert many == [sim.evaluate(ov) for ov in batch]
    assert many[0] != many[1]  # different seeds give different runs: the order is kept


def test_evaluate_many_checks_every_config_before_running():
    with pytest.raises(ConfigError, match=r"(?s)overrides\[1\].*policy\.enclave\.compliance"):
        sim.evaluate_many([TINY, {**TINY, "policy.enclave.compliance": 3.0}], n_jobs=1)
