"""Cross-check the vectorised location choice and labour market against the per-agent reference.

Each checked step is run phase by phase (``TransferModel.PHASES``). Just before the location
choice the model's generator state is cloned and the same shocks drawn from the clone
(for the firms the reference says may or must review), so the reference
(``tests/reference.py``) sees the pre-choice state and the very draws the model
is about to use. Spies on ``location.utilities``, ``location.choose_locations``
and ``labour.labour_market`` record what the vectorised code computed and the
exact labour-market inputs the model passed.
"""

from __future__ import annotations

import copy
import inspect
from dataclasses import dataclass

import numpy as np
import pytest

from sim.model import phases
from sim.model.mechanisms import labour, location
from sim.model.mechanisms.location import BRANCH, HOME, RELOCATED
from sim.model.transfer import TransferModel
from sim.params.compose import compose
from tests.reference import (
    reference_consideration_sets,
    reference_labour_market,
    reference_location_choice,
    reference_location_outcomes,
    reference_option_utilities,
    reference_review_eligibility,
)

SMALL = {"geography.n_firms": 800}
SYNTHETIC = {
    "geography": "synthetic",
    "geography.n_firms": 2000,
    "geography.n_east_counties": 10,
    "geography.n_west_counties": 30,
    "geography.n_parks": 60,
}
LABOUR_POLICY = {
    "policy.labour.training_rate": 0.05,
    "policy.labour.migration_support": 2000,
    "policy.labour.matching_gain": 0.05,
}

# cheap moves: little capital per job, most of it recovered, low set-up cost
MOBILE = {
    "economy.move_cost": 0.05,
    "economy.switching_cost": 0.005,
    "economy.capital_per_job": 100_000,
    "economy.salvage_share": 0.8,
}
SCARCE_LABOUR = {"economy.west_wage_scale": 0.5, "economy.idle_share": 0.002}
# fast growth: home firms often reach a lump and choose where to build it; no relocation loss, quick
# plants and noisier tastes: many full moves early; then fast-rising western wages and land drive
# relocated (and branch) firms home again, and some relocated firms move on to another park
EXPANDING = {
    "economy.expansion_lump": 0.5,
    "economy.growth_mean": 0.6,
    "economy.relocation_loss": 0.0,
    "economy.plant_build_years": 0.25,
    "economy.logit_scale": 0.005,
    "economy.west_wage_growth": 0.3,
    "economy.west_land_growth": 0.3,
    "economy.branch_overhead": 0.01,  # low enough that expansions weigh a western plant
    "economy.freight_rate": 0.1,
    # no eastern cost shock: with Shanghai's factory wage the gap alone sends expansions west
    "economy.east_cost_scale": 1.0,
}


@dataclass(frozen=True)
class Case:
    name: str
    overrides: dict
    warmup: int  # ordinary steps before the checked ones (so firms are already in the west)
    checked: int  # steps run phase by phase and compared


CASES = [
    # no firm in the west during the first two labour markets (a float demand of zeros), moves in
    # the third
    Case("baseline-first-steps", {"scenario": "baseline", "run.seed": 6, **SMALL}, 0, 3),
    Case("baseline", {"scenario": "baseline", "run.seed": 5, **SMALL}, 10, 3),
    Case("pairing", {"scenario": "pairing", "run.seed": 1, **SMALL}, 8, 5),
    Case("enclave", {"scenario": "enclave", "run.seed": 2, **SMALL}, 12, 3),
    Case(
        "enclave-labour-policy",
        {"scenario": "enclave", "run.seed": 5, **SMALL, **LABOUR_POLICY},
        10,
        3,
    ),
    Case("synthetic-enclave", {"scenario": "enclave", "run.seed": 6, **SYNTHETIC}, 10, 2),
    Case(
        "synthetic-pairing-labour",
        {"scenario": "pairing", "run.seed": 7, **SYNTHETIC, **LABOUR_POLICY},
        8,
        2,
    ),
    # cheap moves: many firms move, go home or move fully, and parks fill up (closed parks leave the
    # sets)
    Case(
        "synthetic-enclave-mobile",
        {"scenario": "enclave", "run.seed": 8, **SYNTHETIC, **MOBILE},
        10,
        2,
    ),
    Case("full-mobile", {"scenario": "full", "run.seed": 9, **SMALL, **MOBILE}, 12, 3),
    # low western wages (half the data): below most reservation wages, few idle, so labour shortage
    # enters the margins
    Case(
        "synthetic-scarce-labour",
        {"scenario": "enclave", "run.seed": 10, **SYNTHETIC, **SCARCE_LABOUR},
        6,
        2,
    ),
    # expanding home firms choose home or a western park for their new plant; relocated firms review
    Case(
        "full-expanding-relocated",
        {"scenario": "full", "run.seed": 16, **SMALL, **MOBILE, **EXPANDING},
        8,
        6,
    ),
]


# ---------------------------------------------------------------- harness
class Spy:
    """Records what the vectorised mechanisms compute inside the model's own calls."""

    def __init__(self, mp: pytest.MonkeyPatch):
        self.utilities = None
        self.choice = None
        self.labour_inputs = None
        self.labour_output = None
        real_utilities, real_market = location.utilities, labour.labour_market
        real_choose = location.choose_locations
        signature = inspect.signature(real_market)

        def utilities(*args, **kwargs):
            options = real_utilities(*args, **kwargs)
            self.utilities = options.dense()  # the (reviewing firms, options) table
            return options

        def choose_locations(*args, **kwargs):
            self.choice = real_choose(*args, **kwargs)
            return self.choice

        def labour_market(*args, **kwargs):
            inputs = signature.bind(*args, **kwargs).arguments
            self.labour_inputs = {
                k: v.copy() if isinstance(v, np.ndarray) else v for k, v in inputs.items()
            }
            self.labour_output = real_market(*args, **kwargs)
            return self.labour_output

        mp.setattr(location, "utilities", utilities)
        mp.setattr(location, "choose_locations", choose_locations)
        mp.setattr(labour, "labour_market", labour_market)


def build(overrides: dict) -> TransferModel:
    return TransferModel(compose(overrides))


def draw_same_shocks(model) -> location.LocationShocks:
    """The shocks ``phases.firms_choose`` is about to draw, from a clone of the model's
    generator."""
    bit_generator = type(model.rng.bit_generator)()
    bit_generator.state = copy.deepcopy(model.rng.bit_generator.state)
    e = model.e
    eligible, always = (np.array(x, bool) for x in reference_review_eligibility(model))
    review_prob = min(e.review_per_year * model.dt, 1.0)
    return location.draw_shocks(
        np.random.Generator(bit_generator),
        eligible,
        review_prob,
        n_promoted=e.n_promoted,
        n_enclave=e.n_enclave,
        n_word_of_mouth=e.n_word_of_mouth,
        n_random=e.n_random,
        n_prompted=phases.prompted_slots(model),
        always=always,
    )


@dataclass
class StepRecord:
    """Reference and vectorised results of one checked step."""

    t: int
    shocks: location.LocationShocks
    ref_sets: list
    ref_utilities: list
    ref_choices: list
    ref_outcomes: list
    model_sets: np.ndarray
    model_utilities: np.ndarray
    model_choices: list
    model_taste: np.ndarray
    model_gain: np.ndarray
    model_expanding: np.ndarray
    states_before: np.ndarray  # location state of each reviewing firm before the choice
    ref_labour: tuple
    model_labour: tuple
    same_draws: bool
    n_west_before: int  # firms in the west before the choice


def checked_step(model, spy: Spy) -> StepRecord:
    """One step, phase by phase of ``TransferModel.PHASES``, with the reference run on the
    pre-choice state."""
    for phase in model.PHASES:
        if phase is phases.firms_choose:
            n_west = int(np.isin(model.firms.state, (BRANCH, RELOCATED)).sum())
            shocks = draw_same_shocks(model)
            states_before = model.firms.state[shocks.reviewing].copy()
            ref_sets = reference_consideration_sets(model, shocks)
            ref_utilities = reference_option_utilities(model, shocks)
            ref_choices = reference_location_choice(model, shocks)
            ref_outcomes = reference_location_outcomes(model, shocks)
        phase(model)
        if phase is phases.firms_choose:
            lc = model.last_choice
            same_draws = np.array_equal(shocks.reviewing, lc.shocks.reviewing) and np.array_equal(
                shocks.gumbel, lc.shocks.gumbel
            )
            model_choices = list(
                zip(lc.firms.tolist(), lc.new_state.tolist(), lc.park.tolist(), strict=True)
            )
            _, _, _, model_taste, model_gain = spy.choice
        if phase is phases.labour_market:
            ref_labour = reference_labour_market(model, spy.labour_inputs)
            model_labour = spy.labour_output[:2]
    return StepRecord(
        model.t - 1,
        shocks,
        ref_sets,
        ref_utilities,
        ref_choices,
        ref_outcomes,
        lc.candidates,
        spy.utilities,
        model_choices,
        model_taste,
        model_gain,
        lc.expanding,
        states_before,
        ref_labour,
        model_labour,
        same_draws,
        n_west,
    )


@pytest.fixture(scope="module", params=CASES, ids=lambda c: c.name)
def case_run(request):
    case = request.param
    with pytest.MonkeyPatch.context() as mp:
        spy = Spy(mp)
        model = build(case.overrides)
        for _ in range(case.warmup):
            model.step()
        records = [checked_step(model, spy) for _ in range(case.checked)]
    return case, model, records


# ---------------------------------------------------------------- tests
def test_the_cloned_generator_draws_the_models_shocks(case_run):
    _, _, records = case_run
    assert all(r.same_draws for r in records)


def test_enough_firms_review_and_some_move(case_run):
    case, _, records = case_run
    reviewing = sum(len(r.model_choices) for r in records)
    moves = sum(state >= 0 for r in records for _, state, _ in r.model_choices)
    assert reviewing >= 100 * case.checked
    # at default parameters few firms move in a few steps; the cheap-move and scarce-labour cases
    # must move many
    if case.name.endswith(("mobile", "scarce-labour")):
        assert moves >= 10
    if case.warmup:
        assert all(
            r.n_west_before > 0 for r in records
        )  # branch/relocated firms and word of mouth exist


def test_consideration_sets_match(case_run):
    _, _, records = case_run
    for r in records:
        assert np.array_equal(
            np.array(r.ref_sets, dtype=np.int64).reshape(r.model_sets.shape), r.model_sets
        ), r.t


def test_option_utilities_match(case_run):
    _, _, records = case_run
    for r in records:
        ref = np.array(r.ref_utilities)
        assert ref.shape == r.model_utilities.shape
        assert np.array_equal(np.isneginf(ref), np.isneginf(r.model_utilities)), r.t
        finite = np.isfinite(ref)
        np.testing.assert_allclose(ref[finite], r.model_utilities[finite], rtol=1e-9, atol=1e-9)


def test_location_choices_match(case_run):
    _, _, records = case_run
    for r in records:
        assert r.ref_choices == r.model_choices, r.t


def test_tastes_and_gains_match(case_run):
    _, _, records = case_run
    for r in records:
        assert [(o.firm, o.new_state, o.park) for o in r.ref_outcomes] == r.model_choices, r.t
        taste = np.array([o.taste for o in r.ref_outcomes])
        gain = np.array([o.gain for o in r.ref_outcomes])
        np.testing.assert_allclose(taste, r.model_taste, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(gain, r.model_gain, rtol=1e-9, atol=1e-12)
        stays = np.array([o.new_state < 0 for o in r.ref_outcomes], bool)
        assert (taste[stays] == 0).all() and (gain[stays] == 0).all()


def test_expanding_firms_match(case_run):
    _, _, records = case_run
    for r in records:
        assert np.array_equal(
            np.array([o.expanding for o in r.ref_outcomes], bool), r.model_expanding
        ), r.t


@pytest.mark.parametrize(
    "case_run",
    [c for c in CASES if c.name == "full-expanding-relocated"],
    indirect=True,
    ids=lambda c: c.name,
)
def test_expansion_and_review_of_relocated_firms_are_exercised(case_run):
    """The expanding case reaches the new paths: expansions in the west, relocated firms going home
    or moving on."""
    _, _, records = case_run
    expanding = np.concatenate([r.model_expanding for r in records])
    states = np.concatenate([r.states_before for r in records])
    new_state = np.array([o.new_state for r in records for o in r.ref_outcomes])
    assert expanding.sum() >= 20
    assert (expanding & (new_state == BRANCH)).sum() >= 3  # new plants built in the west
    assert (expanding & (new_state < 0)).sum() >= 3  # ... and at home
    assert (expanding & (new_state == RELOCATED)).sum() == 0  # an expanding firm never moves fully
    relocated = states == RELOCATED
    assert relocated.sum() >= 20
    assert (relocated & (new_state == HOME)).sum() >= 3  # relocated firms go home
    assert (relocated & (new_state == RELOCATED)).sum() >= 1  # ... or move on to another park


def test_prompted_parks_are_exercised(case_run):
    """Where there are enclave parks, operators prompt firms: the prompted slot holds parks and
    the firms it brings review; elsewhere the sets have no such slot."""
    case, model, records = case_run
    k = sum(getattr(model.e, f"n_{kind}") for kind in ("promoted", "enclave", "word_of_mouth"))
    k += model.e.n_random
    if not model.enclave_parks.size:
        assert all(r.model_sets.shape[1] == k for r in records)
        return
    assert all(r.model_sets.shape[1] == k + 1 for r in records)
    if case.name != "synthetic-scarce-labour":  # its tenants pay too little tax to buy effort
        assert sum(int((r.model_sets[:, -1] >= 0).sum()) for r in records) >= 1, case.name


def test_park_occupancy_is_its_tenants(case_run):
    """After the checked steps (relocated firms moving on included), each park holds exactly its
    tenants."""
    _, model, _ = case_run
    f = model.firms
    tenants = np.bincount(f.park[f.park >= 0], minlength=model.geo.n_parks)
    assert np.array_equal(tenants, model.parks.occupancy)


def test_labour_market_matches(case_run):
    _, _, records = case_run
    for r in records:
        (ref_people, ref_wage), (people, wage) = r.ref_labour, r.model_labour
        np.testing.assert_allclose(ref_people, people, rtol=1e-9, atol=1e-6)
        np.testing.assert_allclose(ref_wage, wage, rtol=1e-9, atol=0)


# ---------------------------------------------------------------- open questions in the vectorised
# code
def pre_choice_state(overrides: dict, warmup: int):
    """A model just before the location choice of step ``warmup``, and the shocks it will draw."""
    model = build(overrides)
    for _ in range(warmup):
        model.step()
    for phase in model.PHASES[: model.PHASES.index(phases.firms_choose)]:
        phase(model)
    return model, draw_same_shocks(model)


def test_staying_is_valued_at_this_steps_prices(monkeypatch):
    spy = Spy(monkeypatch)
    model, shocks = pre_choice_state(
        {"scenario": "enclave", "run.seed": 5, **SMALL, **LABOUR_POLICY}, 10
    )
    fresh = np.array(reference_option_utilities(model, shocks))
    phases.firms_choose(model)
    for column in (0, 1):  # stay, go home
        ok = np.isfinite(fresh[:, column])
        np.testing.assert_allclose(spy.utilities[ok, column], fresh[ok, column], rtol=1e-9)


def test_a_western_firms_own_park_is_not_among_its_candidates():
    model, shocks = pre_choice_state(
        {"scenario": "full", "run.seed": 16, **SMALL, **MOBILE, **EXPANDING}, 10
    )
    own_park = model.firms.park[shocks.reviewing].copy()
    state = model.firms.state[shocks.reviewing]
    phases.firms_choose(model)
    candidates = model.last_choice.candidates
    for in_west in (state == BRANCH, state == RELOCATED):
        assert in_west.sum() >= 5
        assert not (candidates[in_west] == own_park[in_west, None]).any()
