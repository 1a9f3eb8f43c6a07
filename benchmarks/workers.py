"""In-process measurements run in a child process (``run.py --worker NAME``), timed with
perf_counter."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from benchmarks.harness import MiB

# the phases of TransferModel's step, by name, in the order a step runs them
MECHANISMS = (
    "drift_costs",
    "governments_act",
    "firm_demography",
    "firms_choose",
    "parks_admit",
    "labour_market",
    "produce_and_pay",
    "advance_clock",
    "record",
)


def _timer_wrap(obj, name: str, acc: dict, key: str | None = None, stack: list | None = None):
    """Replace ``obj.name`` by a wrapper adding its run time to ``acc[key]`` (nested keys with
    ``stack``)."""
    fn = getattr(obj, name)
    key = key or name

    def wrapper(*a, **k):
        full = "/".join([*stack, key]) if stack is not None else key
        if stack is not None:
            stack.append(key)
        t0 = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            dt = time.perf_counter() - t0
            if stack is not None:
                stack.pop()
            slot = acc.setdefault(full, [0.0, 0])
            slot[0] += dt
            slot[1] += 1

    setattr(obj, name, wrapper)


def timed_step(model, acc: dict, stack: list | None = None) -> None:
    """One step of ``model``: the model's own ``PHASES`` in order, each timed into ``acc[name]``.

    The same phases as ``TransferModel.step()`` (a test checks it); ``stack`` names the
    running phase for nested timers.
    """
    for phase in type(model).PHASES:
        name = phase.__name__
        if stack is not None:
            stack.append(name)
        t0 = time.perf_counter()
        try:
            phase(model)
        finally:
            dt = time.perf_counter() - t0
            if stack is not None:
                stack.pop()
            slot = acc.setdefault(name, [0.0, 0])
            slot[0] += dt
            slot[1] += 1


def _run_steps(model, acc: dict, stack: list | None = None, after=None) -> list[float]:
    """Run the model's remaining steps phase by phase; the wall time of each step."""
    steps = []
    for _ in range(model.n_steps - model.t):
        t0 = time.perf_counter()
        timed_step(model, acc, stack)
        steps.append(time.perf_counter() - t0)
        if after is not None:
            after()
    return steps


def _per_step_ms(acc: dict, n_steps: int, step_times: list[float]) -> dict:
    ms = {k: 1000 * v[0] / n_steps for k, v in acc.items()}
    ms["step"] = 1000 * sum(step_times) / n_steps
    ms["mesa_overhead"] = ms["step"] - sum(ms.get(k, 0.0) for k in MECHANISMS)
    return ms


def worker_breakdown(overrides: list[str], out: str) -> dict:
    """Everything ``sim.run`` does for one run, timed phase by phase in one process."""
    t = {}

    def tick(label, t0):
        t[label] = time.perf_counter() - t0

    t0 = time.perf_counter()
    import mesa  # noqa: F401

    tick("import mesa", t0)
    t0 = time.perf_counter()
    import numpy as np
    import yaml

    from sim.model import phases
    from sim.model import transfer as model_mod
    from sim.model.mechanisms import location
    from sim.params import compose as config
    from sim.params import schema
    from sim.runs import store as outputs
    from sim.world import geography

    tick("import sim.params.compose, sim.model, sim.runs.store (beyond mesa)", t0)

    t0 = time.perf_counter()
    cfg = config.compose(overrides)
    tick("hydra compose (first)", t0)
    t0 = time.perf_counter()
    config.compose(overrides)
    tick("hydra compose (again)", t0)
    t0 = time.perf_counter()
    schema.validate(cfg)
    tick("schema validate", t0)
    t0 = time.perf_counter()
    cfg_yaml = config.to_yaml(cfg)
    tick("config to YAML", t0)
    t0 = time.perf_counter()
    outputs.code_hash()
    tick("code hash (reads sim/**/*.py, *.yaml)", t0)
    t0 = time.perf_counter()
    c = model_mod.as_config(cfg)
    tick("OmegaConf → dataclass config (as_config)", t0)

    # the geography data file parsed by PyYAML's pure-Python SafeLoader and by its C (libyaml)
    # loader
    path = geography.data_path(c.geography.name)
    text = path.read_text(encoding="utf-8")
    t0 = time.perf_counter()
    yaml.safe_load(text)
    tick("geography YAML parse alone, pure-Python yaml.safe_load", t0)
    if getattr(yaml, "CSafeLoader", None):
        t0 = time.perf_counter()
        yaml.load(text, Loader=yaml.CSafeLoader)
        tick("geography YAML parse alone, libyaml CSafeLoader", t0)

    init = {}
    _timer_wrap(geography, "build", init, key="geography.build (incl. YAML)")
    t0 = time.perf_counter()
    m = model_mod.TransferModel(c)
    tick("TransferModel(...) total", t0)

    acc = {}
    stack: list[str] = []
    # the location-choice subtree and the calls it shares with production
    # (whichever of these the current code has)
    for name in (
        "draw_shocks",
        "consideration_sets",
        "choose_locations",
        "west_sites",
        "west_margin",
        "distance_km",
        "utilities",
        "nested_choice",
        "choose_nested",
        "decode",
        "home_margin",
        "branch_allocation",
    ):
        if callable(getattr(location, name, None)):
            _timer_wrap(location, name, acc, key=f"location.{name}", stack=stack)
    for name in ("west_sites", "book_margins", "csr"):
        _timer_wrap(phases, name, acc, key=f"phases.{name}", stack=stack)
    _timer_wrap(
        phases.markets,
        "branch_allocation_gain",
        acc,
        key="markets.branch_allocation_gain",
        stack=stack,
    )
    steps = _run_steps(m, acc, stack)
    n_steps = len(steps)
    t0 = time.perf_counter()
    n_agents = len(m.agents)
    tick("Mesa agents, all made on demand (after the run)", t0)

    t0 = time.perf_counter()
    m.summary()
    tick("summary()", t0)
    t0 = time.perf_counter()
    ts = m.timeseries()
    tick("timeseries() DataFrame", t0)
    t0 = time.perf_counter()
    rg = m.regions()
    tick("regions() DataFrame", t0)
    t0 = time.perf_counter()
    files = {"timeseries.parquet": outputs.parquet_bytes(ts)}
    tick("timeseries → parquet bytes", t0)
    t0 = time.perf_counter()
    files["regions.parquet"] = outputs.parquet_bytes(rg)
    tick("regions → parquet bytes", t0)
    t0 = time.perf_counter()
    outputs.versions()
    tick("package versions (importlib.metadata)", t0)
    t0 = time.perf_counter()
    outputs.git_revision()
    tick("git revision (2 git subprocesses)", t0)
    files["config.yaml"] = cfg_yaml.encode()
    files["summary.json"] = outputs.json_bytes(m.summary())
    t0 = time.perf_counter()
    outputs.write_run(Path(out), files, {"config_hash": outputs.config_hash(cfg_yaml)})
    tick("write run directory (atomic writes, fsync)", t0)

    # what precomputing the firm-home × park distances would cost instead of haversine per candidate
    shocks, cand = m.last_choice.shocks, m.last_choice.candidates
    home = m.firms.home[shocks.reviewing]
    park = np.maximum(cand, 0)
    geo = m.geo
    t0 = time.perf_counter()
    for _ in range(5):
        location.distance_km(
            np.repeat(geo.lon[home][:, None], cand.shape[1], 1),
            np.repeat(geo.lat[home][:, None], cand.shape[1], 1),
            geo.lon[geo.park_county][park],
            geo.lat[geo.park_county][park],
        )
    haversine = (time.perf_counter() - t0) / 5
    t0 = time.perf_counter()
    east = slice(0, geo.n_east)  # homes are eastern counties, listed first
    table = location.distance_km(
        geo.lon[east, None],
        geo.lat[east, None],
        geo.lon[geo.park_county][None, :],
        geo.lat[geo.park_county][None, :],
    )
    build_table = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(5):
        table[home[:, None], park]
    gather = (time.perf_counter() - t0) / 5

    return {
        "phases": t,
        "init": {k: v[0] for k, v in init.items()},
        "per_step_ms": _per_step_ms({k: v for k, v in acc.items() if "/" not in k}, n_steps, steps),
        "tree_ms": {k: 1000 * v[0] / n_steps for k, v in acc.items()},
        "calls": {k: v[1] for k, v in acc.items()},
        "n_steps": n_steps,
        "n_firms": int(m.firms.home.size),
        "n_parks": int(m.geo.n_parks),
        "n_counties": int(m.geo.n_counties),
        "n_agents": n_agents,
        "reviewing_last_step": int(shocks.reviewing.size),
        "candidates_per_firm": int(cand.shape[1]),
        "distance": {
            "haversine_ms": 1000 * haversine,
            "table_build_ms": 1000 * build_table,
            "table_gather_ms": 1000 * gather,
            "table_mib": table.nbytes / MiB,
        },
    }


def worker_steps(overrides: list[str]) -> dict:
    """Per-mechanism ms/step of one configuration (for the scaling grid)."""
    from sim.model.transfer import TransferModel, as_config
    from sim.params import compose as config

    cfg = as_config(config.compose(overrides))
    t0 = time.perf_counter()
    m = TransferModel(cfg)
    init_s = time.perf_counter() - t0
    acc = {}
    reviewing = []
    steps = _run_steps(m, acc, after=lambda: reviewing.append(int(m.last_choice.firms.size)))
    ms = _per_step_ms(acc, len(steps), steps)
    t0 = time.perf_counter()
    len(m.agents)
    agents_s = time.perf_counter() - t0
    return {
        "per_step_ms": ms,
        "init_s": init_s,
        "agents_s": agents_s,
        "reviewing_per_step": statistics.mean(reviewing),
        "n_steps": len(steps),
        "n_firms": int(m.firms.size),
        "n_parks": int(m.geo.n_parks),
    }


def worker_reference(overrides: list[str], warmup: int, steps: int, ref_reps: int = 3) -> dict:
    """Vectorised vs per-agent reference on identical state and draws, side by side in one process.

    Each checked step runs the model's ``PHASES`` in order. At the location choice: save
    the model's state and generator; let the model choose once (its draws are
    ``last_choice.shocks``); restore, and time the reference on those draws and the
    model's own ``phases.firms_choose`` (generator restored before each call, so it draws
    the same shocks; the time spent drawing is measured and taken off, since the
    reference is handed its draws). The labour market: the inputs the model passes
    to ``labour.labour_market`` are captured and both sides are called on them.
    """
    import copy
    import inspect

    import numpy as np

    from sim.model import phases
    from sim.model.mechanisms import labour, location
    from sim.model.transfer import TransferModel, as_config
    from sim.params import compose as config
    from tests import reference as ref

    m = TransferModel(as_config(config.compose(overrides)))
    for _ in range(warmup):
        m.step()

    real_market = labour.labour_market
    real_draw = location.draw_shocks
    sig = inspect.signature(real_market)
    captured = {}
    draw_time = [0.0]
    # what a phase may change: the state tables and the hand-offs (sim/model/state.py)
    state_keys = (
        "prices",
        "firms",
        "parks",
        "counties",
        "labour",
        "choices",
        "budget",
        "sites",
        "last_choice",
        "applications",
        "margins",
        "taxes",
        "costs",
        "t",
    )

    def spy_market(*a, **k):
        captured["inputs"] = {
            key: v.copy() if isinstance(v, np.ndarray) else v
            for key, v in sig.bind(*a, **k).arguments.items()
        }
        return real_market(*a, **k)

    def timed_draw(*a, **k):
        t0 = time.perf_counter()
        try:
            return real_draw(*a, **k)
        finally:
            draw_time[0] += time.perf_counter() - t0

    def snapshot():
        state = {k: copy.deepcopy(getattr(m, k)) for k in state_keys if hasattr(m, k)}
        return state, copy.deepcopy(m.rng.bit_generator.state)

    def restore(saved):
        state, rng_state = saved
        for k, v in state.items():
            setattr(m, k, copy.deepcopy(v))
        m.rng.bit_generator.state = copy.deepcopy(rng_state)

    def best_of(fn, before=None, min_time=0.2, min_reps=3, max_reps=50):
        """Fastest of repeated calls (≥ ``min_reps`` calls and ≥ ``min_time`` s): (min, reps,
        result)."""
        times, result = [], None
        while (sum(times) < min_time or len(times) < min_reps) and len(times) < max_reps:
            if before is not None:
                before()
            t0 = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - t0)
        return min(times), len(times), result

    def model_choice():
        lc = m.last_choice
        return list(zip(lc.firms.tolist(), lc.new_state.tolist(), lc.park.tolist(), strict=True))

    rows = []
    labour.labour_market = spy_market
    location.draw_shocks = timed_draw
    try:
        for _ in range(steps):
            for phase in m.PHASES:
                if phase is phases.firms_choose:
                    saved = snapshot()
                    phase(m)
                    shocks, vec_choice = m.last_choice.shocks, model_choice()
                    restore(saved)
                    ref_loc, ref_loc_n, ref_choice = best_of(
                        lambda s=shocks: ref.reference_location_choice(m, s), min_reps=ref_reps
                    )
                    draws = []

                    def choose(_draws=draws, _phase=phase):
                        draw_time[0] = 0.0
                        _phase(m)
                        _draws.append(draw_time[0])

                    vec_loc_total, n_loc, _ = best_of(choose, before=lambda s=saved: restore(s))
                    draw = min(draws)
                    # the last call left the model as one real call would (same state, same draws)
                    same_choice = ref_choice == vec_choice == model_choice()
                    continue
                phase(m)
                if phase is phases.labour_market:
                    inputs = captured["inputs"]
                    frozen = {k: v.copy() for k, v in inputs.items() if isinstance(v, np.ndarray)}
                    ref_lab, ref_lab_n, (ref_people, ref_wage) = best_of(
                        lambda x=inputs: ref.reference_labour_market(m, x)[:2], min_reps=ref_reps
                    )
                    vec_lab, n_lab, out = best_of(lambda x=inputs: real_market(**x))
                    # neither side may change its inputs (they are reused across the repeats)
                    untouched = all(
                        np.array_equal(v, frozen[k])
                        for k, v in inputs.items()
                        if isinstance(v, np.ndarray)
                    )
                    same_labour = bool(
                        untouched
                        and np.allclose(ref_people, out[0], rtol=1e-9, atol=1e-6)
                        and np.allclose(ref_wage, out[1], rtol=1e-9, atol=0)
                    )
            rows.append(
                {
                    "t": m.t - 1,
                    "reviewing": int(shocks.reviewing.size),
                    "candidates": int(m.last_choice.candidates.shape[1]),
                    "ref_location_s": ref_loc,
                    "ref_location_reps": ref_loc_n,
                    "vec_location_s": vec_loc_total - draw,
                    "vec_location_with_draws_s": vec_loc_total,
                    "draw_s": draw,
                    "vec_location_reps": n_loc,
                    "same_choices": bool(same_choice),
                    "ref_labour_s": ref_lab,
                    "ref_labour_reps": ref_lab_n,
                    "vec_labour_s": vec_lab,
                    "vec_labour_reps": n_lab,
                    "same_labour": same_labour,
                    "n_west_counties": int(m.geo.n_west),
                }
            )
    finally:
        labour.labour_market = real_market
        location.draw_shocks = real_draw
    return {
        "rows": rows,
        "n_firms": int(m.firms.home.size),
        "n_parks": int(m.geo.n_parks),
        "n_west": int(m.geo.n_west),
    }


WORKERS = {"breakdown": worker_breakdown, "steps": worker_steps, "reference": worker_reference}
