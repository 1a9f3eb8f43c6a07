"""Policy search (experiment policy_search): the mix of levers that does best per yuan of public
cost, robustly over parameter draws. docs/policy_search.md.

Optuna's multi-objective TPE sampler proposes mixes in batches (``search.batch``) from the mixes
finished before; a batch is proposed once, by whichever worker finds it missing, and every worker
takes the batch's mixes from the study's queue. The study lives in an Optuna journal file under
the sweep folder, shared by the worker jobs of the sweep (local processes or Slurm array tasks on
a shared file system). Each mix is run on ``draws × seeds`` (the same for every mix: common random
numbers) and scored by a low quantile over them of its gain over the baseline run of the same
draw and seed; it is feasible when its eastern and western public costs over the baseline stay
within the budgets in every one of those runs.

Same config and seed ⇒ same mixes, whatever the number of workers: a batch is proposed only
from finished batches, by a sampler seeded with the batch's number. A killed worker's running
mix is found (its process is gone on this host, or its heartbeat file is stale), marked failed
and queued again; finished mixes are never run again.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import json
import os
import socket
import sys
import threading
import time
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.runs import store as outputs

STUDY = "policy_search"
OWN_TABLES = True  # the sweep's jobs are workers: the report reads the journal, not run folders
FOLDER = "search"  # under the sweep folder: the journal, the baseline cache, worker heartbeats
HEARTBEAT_S = 10.0
STALE_S = 120.0  # a heartbeat older than this: the worker is gone (another host's, or a reused pid)
CANDIDATE = "candidate"  # user attribute: the mix's index in proposal order (0, 1, ...)

# name -> (unit, meaning) of each objective, a gain over the baseline run of the same draw and seed
OBJECTIVES = {
    "west_jobs_local": ("persons", "western residents in park and workshop jobs, final year"),
    "west_income_per_working_age": (
        "yuan/year",
        "income of the west's people over its working-age persons, final year",
    ),
    "q1_jobs_local": (
        "persons",
        "residents in park and workshop jobs in the poorest fifth of western counties (start "
        "income), final year",
    ),
    "q1_income_per_capita": (
        "yuan/year",
        "income per resident in the poorest fifth of western counties, final year",
    ),
    "west_fiscal_balance": (
        "yuan/year",
        "western counties' retained tax less their own programme cost, mean over the run",
    ),
}
COSTS = {
    "east_cost": ("yuan/year", "eastern public cost over the baseline, mean over the run"),
    "west_cost": (
        "yuan/year",
        "western public cost (own funds) over the baseline, mean over the run",
    ),
}


@dataclass
class Spec:
    """What a search is: levers with bounds, objectives (maximised), budgets, its size."""

    levers: dict[str, tuple[float, float]]
    objectives: list[str]
    budget_east: float
    budget_west: float
    trials: int = 64
    batch: int = 8
    draws: int = 4
    seeds: int = 2
    quantile: float = 0.1
    sampler: str = "tpe"
    seed: int = 0
    budget_levels: list[float] = field(default_factory=lambda: [0.25, 0.5, 0.75, 1.0])

    @property
    def runs(self) -> list[tuple[int, int]]:
        """(draw, seed) of every evaluation of a mix, the same for every mix."""
        return [(d, s) for d in range(self.draws) for s in range(self.seeds)]


def lever_bounds(levers: list[str], bounds: list[str]) -> dict[str, tuple[float, float]]:
    """Bounds of each lever: its prior's range, or ``key:lo:hi`` from ``bounds``; refused
    (ConfigError) if not a numeric lever or outside its schema range."""
    from sim.params import schema
    from sim.params.designs import lever_keys, prior_ranges

    fields, ranges, known = dict(schema.schema_fields()), prior_ranges(levers=True), lever_keys()
    given = {}
    for b in bounds:
        key, lo, hi = str(b).rsplit(":", 2)
        given[key] = (float(lo), float(hi))
    out = {}
    for key in levers:
        if key not in known or key not in ranges:
            raise schema.ConfigError(
                f"Invalid configuration:\n  search.levers: {key} is not a numeric policy lever "
                f"(role lever): one of {', '.join(k for k in known if k in ranges)}."
            )
        lo, hi = given.get(key, ranges[key])
        meta = fields[key].metadata
        if (
            not lo < hi
            or (meta["lo"] is not None and lo < meta["lo"])
            or (meta["hi"] is not None and hi > meta["hi"])
        ):
            raise schema.ConfigError(
                f"Invalid configuration:\n  search.bounds: {key} [{lo:g}, {hi:g}] is empty or "
                f"leaves its range [{meta['lo']}, {meta['hi']}]."
            )
        out[key] = (float(lo), float(hi))
    for key in given:
        if key not in out:
            raise schema.ConfigError(
                f"Invalid configuration:\n  search.bounds names {key}, which search.levers does "
                "not list."
            )
    return out


def compose_search(overrides: list[str]):
    """The ``search`` node of the config these overrides compose."""
    from sim.params.compose import compose

    return compose([o for o in overrides if not o.startswith("policy.")]).search


def spec_of(search) -> Spec:
    """The :class:`Spec` of a config's ``search`` node."""
    from sim.params.schema import ConfigError

    unknown = [o for o in search.objectives if o not in OBJECTIVES]
    if unknown or not search.objectives:
        raise ConfigError(
            f"Invalid configuration:\n  search.objectives: {', '.join(unknown) or 'none'}; "
            f"choose from {', '.join(OBJECTIVES)}."
        )
    return Spec(
        levers=lever_bounds(list(search.levers), list(search.bounds)),
        objectives=list(search.objectives),
        budget_east=float(search.budget_east),
        budget_west=float(search.budget_west),
        trials=int(search.trials),
        batch=int(search.batch),
        draws=int(search.draws),
        seeds=int(search.seeds),
        quantile=float(search.quantile),
        sampler=str(search.sampler),
        seed=int(search.seed),
        budget_levels=[float(x) for x in search.budget_levels],
    )


# --- the model's outcomes of one run -------------------------------------------------------------


def run_outcomes(model) -> dict[str, float]:
    """The levels the objectives and costs are gains of, from one finished model."""
    h, dt = model.history, model.dt
    years = max(len(h["west_jobs_local"]) - 1, 1) * dt
    mean = lambda k: float(np.sum(h[k][1:]) * dt / years)  # noqa: E731 - over the run, step 0 out
    reg = model.regions()
    last = reg[(reg["step"] == reg["step"].max()) & (reg["side"] == "west")]
    q1 = last[last["income_quintile"] == 1]
    residents_q1 = float(q1["residents"].sum())
    return {
        "west_jobs_local": float(h["west_jobs_local"][-1]),
        "west_income_per_working_age": float(h["west_income_people_total"][-1])
        / max(float(last["working_age"].sum()), 1.0),
        "q1_jobs_local": float(q1["jobs_local"].sum()),
        "q1_income_per_capita": float((q1["income_per_capita"] * q1["residents"]).sum())
        / max(residents_q1, 1.0),
        "west_fiscal_balance": mean("west_tax_revenue") - mean("west_programme_cost_own"),
        "east_cost": mean("east_programme_cost"),
        "west_cost": mean("west_programme_cost_own"),
    }


def run_overrides(base: list[str], spec: Spec, draw: int, seed: int) -> list[str]:
    return [
        *base,
        "sensitivity.method=draws",
        f"sensitivity.n={spec.draws}",
        f"sensitivity.sample={draw}",
        f"run.seed={seed}",
    ]


def lever_overrides(params: dict[str, float]) -> list[str]:
    return [f"{k}={v!r}" for k, v in params.items()]


def cached(path: Path | None, compute: Callable[[], dict]) -> dict:
    """``compute()``, kept in ``path`` (an atomic JSON file) and read from it when it exists."""
    if path is not None and path.exists():
        return json.loads(path.read_text())
    out = compute()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        outputs.write_atomic(path, outputs.json_bytes(out))
    return out


def _simulate(overrides: list[str]) -> dict[str, float]:
    from sim.params.compose import compose
    from sim.runs.runner import simulate

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*is kept: it was set explicitly")
        return run_outcomes(simulate(compose(overrides)))


class ModelGains:
    """Gains of a mix over the baseline run of the same draw and seed, from the model.

    ``base``: the overrides every run shares (the experiment, geography, horizon, ...); a
    baseline run per (draw, seed) is made once and kept in ``cache`` (atomic JSON files)."""

    def __init__(self, base: list[str], spec: Spec, cache: Path | None = None):
        self.base, self.spec, self.cache = list(base), spec, cache

    def baseline(self, draw: int, seed: int) -> dict[str, float]:
        path = self.cache / f"baseline_d{draw}_s{seed}.json" if self.cache else None
        ov = run_overrides(self.base, self.spec, draw, seed) + ["scenario=baseline"]
        return cached(path, lambda: _simulate(ov))

    def __call__(self, params: dict[str, float], draw: int, seed: int) -> dict[str, float]:
        return self.over_baseline(lever_overrides(params), draw, seed)

    def over_baseline(self, overrides: list[str], draw: int, seed: int) -> dict[str, float]:
        """Gain of the run with ``overrides`` (levers, or a scenario) over the baseline."""
        run = _simulate(run_overrides(self.base, self.spec, draw, seed) + overrides)
        base = self.baseline(draw, seed)
        return {k: run[k] - base[k] for k in run}


# --- scoring --------------------------------------------------------------------------------------


def score(spec: Spec, runs: list[dict[str, float]]) -> tuple[list[float], list[float]]:
    """(objective values, constraint values) of a mix from its runs' gains: each objective's
    ``quantile`` over the runs; constraints (≤ 0 is feasible) the largest cost in any run less
    the budget."""
    values = [float(np.quantile([r[o] for r in runs], spec.quantile)) for o in spec.objectives]
    constraints = [
        max(r["east_cost"] for r in runs) - spec.budget_east,
        max(r["west_cost"] for r in runs) - spec.budget_west,
    ]
    return values, constraints


# --- the shared study -----------------------------------------------------------------------------


def _optuna():
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def open_study(folder: Path, spec: Spec):
    """The search's Optuna study in ``folder/journal.log`` (made if new)."""
    optuna = _optuna()
    from optuna.storages.journal import JournalFileBackend, JournalFileOpenLock

    folder.mkdir(parents=True, exist_ok=True)
    path = str(folder / "journal.log")
    storage = optuna.storages.JournalStorage(
        JournalFileBackend(path, lock_obj=JournalFileOpenLock(path))
    )
    return optuna.create_study(
        study_name=STUDY,
        storage=storage,
        sampler=optuna.samplers.RandomSampler(),  # never used: every trial's mix is queued
        directions=["maximize"] * len(spec.objectives),
        load_if_exists=True,
    )


def distributions(spec: Spec) -> dict:
    optuna = _optuna()
    return {
        k: optuna.distributions.FloatDistribution(lo, hi) for k, (lo, hi) in spec.levers.items()
    }


def _constraints_key() -> str:
    try:
        from optuna.samplers._base import _CONSTRAINTS_KEY

        return _CONSTRAINTS_KEY
    except ImportError:  # pragma: no cover - the key Optuna has used since 3.0
        return "constraints"


def propose(spec: Spec, finished: list, number: int, size: int) -> list[dict[str, float]]:
    """Batch ``number``'s ``size`` mixes, from the ``finished`` trials of earlier batches only (so
    the same whatever the workers' timing): Optuna's multi-objective TPE with the budget as a
    constraint (or random sampling), seeded by the search's seed and the batch number."""
    optuna = _optuna()
    dist = distributions(spec)
    seed = spec.seed * 100_003 + number
    if spec.sampler == "random":
        sampler = optuna.samplers.RandomSampler(seed=seed)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            warnings.simplefilter("ignore", FutureWarning)  # constraints_func: kept until v7
            sampler = optuna.samplers.TPESampler(
                seed=seed,
                n_startup_trials=spec.batch,
                multivariate=True,
                constant_liar=True,
                constraints_func=lambda t: t.system_attrs.get(_constraints_key(), [0.0]),
            )
    study = optuna.create_study(directions=["maximize"] * len(spec.objectives), sampler=sampler)
    key = _constraints_key()
    for t in sorted(finished, key=lambda t: t.user_attrs[CANDIDATE]):
        if t.state != optuna.trial.TrialState.COMPLETE:
            continue
        study.add_trial(
            optuna.trial.create_trial(
                params={k: t.params[k] for k in dist},
                distributions=dist,
                values=t.values,
                system_attrs={key: t.user_attrs["constraints"]},
            )
        )
    mixes = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(size):
            trial = study.ask(dist)
            mixes.append(dict(trial.params))
    return mixes


@contextlib.contextmanager
def _locked(folder: Path):
    with open(folder / "propose.lock", "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _by_candidate(trials) -> dict[int, list]:
    out: dict[int, list] = {}
    for t in trials:
        if CANDIDATE in t.user_attrs:
            out.setdefault(int(t.user_attrs[CANDIDATE]), []).append(t)
    return out


def _finished(group) -> bool:
    """A mix is finished when a run of it completed, or failed with an error of its own (not a
    killed worker's)."""
    optuna = _optuna()
    return any(
        t.state == optuna.trial.TrialState.COMPLETE
        or (t.state == optuna.trial.TrialState.FAIL and "error" in t.user_attrs)
        for t in group
    )


def _alive(token: str, folder: Path, stale_s: float) -> bool:
    host, pid = token.split(":")[:2]
    if host == socket.gethostname():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass
    beat = folder / "workers" / token
    try:
        return time.time() - beat.stat().st_mtime < stale_s
    except FileNotFoundError:
        return False


def requeue_dead(study, folder: Path, stale_s: float) -> int:
    """Mark the running mixes of workers that are gone as failed and queue them again.

    A worker claims a mix (its ``worker`` token) just after taking it; one killed between the
    two leaves a running mix with no token, which is taken as orphaned once older than
    ``stale_s``."""
    optuna = _optuna()
    n = 0
    now = datetime.datetime.now()  # Optuna's trial times are naive local times
    for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        token = t.user_attrs.get("worker")
        if token is None:
            started = t.datetime_start
            if started is not None and (now - started).total_seconds() < stale_s:
                continue
        elif _alive(token, folder, stale_s):
            continue
        study._storage.set_trial_user_attr(t._trial_id, "requeued", True)
        ok = study._storage.set_trial_state_values(t._trial_id, optuna.trial.TrialState.FAIL)
        if ok and CANDIDATE in t.user_attrs:
            study.enqueue_trial(
                {k: t.params[k] for k in t.params},
                user_attrs={CANDIDATE: t.user_attrs[CANDIDATE]},
                skip_if_exists=False,
            )
            n += 1
    return n


def _fill_queue(study, spec: Spec, folder: Path) -> bool:
    """Propose the next batch if every mix before it is finished and it is not proposed yet;
    True when every mix of the search is finished."""
    with _locked(folder):
        trials = study.get_trials(deepcopy=False)
        groups = _by_candidate(trials)
        proposed = max(groups, default=-1) + 1
        done = sum(_finished(g) for g in groups.values())
        if done >= spec.trials:
            return True
        if proposed >= spec.trials or any(not _finished(groups[c]) for c in range(proposed)):
            return False
        number = proposed // spec.batch
        size = min(spec.batch, spec.trials - proposed)
        finished = [t for g in groups.values() for t in g]
        for i, mix in enumerate(propose(spec, finished, number, size)):
            study.enqueue_trial(mix, user_attrs={CANDIDATE: proposed + i}, skip_if_exists=False)
        return False


class _Heartbeat:
    def __init__(self, folder: Path, every: float):
        self.token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.path = folder / "workers" / self.token
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.touch()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, args=(every,), daemon=True)
        self.thread.start()

    def _beat(self, every: float) -> None:
        while not self.stop.wait(every):
            with contextlib.suppress(OSError):
                self.path.touch()

    def close(self) -> None:
        self.stop.set()
        with contextlib.suppress(OSError):
            self.path.unlink()


def run_worker(
    folder: Path,
    spec: Spec,
    evaluate: Callable[[dict[str, float], int, int], dict[str, float]],
    *,
    poll_s: float = 0.5,
    heartbeat_s: float = HEARTBEAT_S,
    stale_s: float = STALE_S,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Take mixes from the shared study and evaluate them until all ``spec.trials`` are finished;
    return the number this worker evaluated. Any number of workers may run at once."""
    optuna = _optuna()
    folder = Path(folder)
    study = open_study(folder, spec)
    beat = _Heartbeat(folder, heartbeat_s)
    dist, mine = distributions(spec), 0
    try:
        while True:
            requeue_dead(study, folder, stale_s)
            if _fill_queue(study, spec, folder):
                return mine
            waiting = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.WAITING,))
            if not waiting:
                time.sleep(poll_s)  # the batch's last mixes are running elsewhere
                continue
            trial = study.ask(dist)
            if CANDIDATE not in trial.user_attrs:  # taken by another worker between the two calls
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
                continue
            trial.set_user_attr("worker", beat.token)
            params = {k: float(trial.params[k]) for k in spec.levers}
            t0 = time.perf_counter()
            try:
                runs = [evaluate(params, d, s) for d, s in spec.runs]
            except Exception as err:  # noqa: BLE001 - recorded on the mix; the search goes on
                trial.set_user_attr("error", f"{type(err).__name__}: {err}")
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
                continue
            values, constraints = score(spec, runs)
            trial.set_user_attr("runs", runs)
            trial.set_user_attr("constraints", constraints)
            trial.set_user_attr("seconds", round(time.perf_counter() - t0, 3))
            study.tell(trial, values)
            (folder / "done").mkdir(exist_ok=True)
            (folder / "done" / str(trial.user_attrs[CANDIDATE])).touch()  # the sweep's progress
            mine += 1
            if progress:
                done = sum(_finished(g) for g in _by_candidate(study.get_trials()).values())
                progress(f"policy search: {done}/{spec.trials} mixes evaluated")
    finally:
        beat.close()


def trials_table(folder: Path, spec: Spec) -> pd.DataFrame:
    """One row per finished mix: its candidate index, levers, robust objectives, worst costs, mean
    costs, feasibility, the time it took and its overrides."""
    optuna = _optuna()
    study = open_study(folder, spec)
    rows = []
    for c, group in sorted(_by_candidate(study.get_trials()).items()):
        done = [t for t in group if t.state == optuna.trial.TrialState.COMPLETE]
        if not done:
            continue
        t = done[0]
        runs = t.user_attrs["runs"]
        row = {"candidate": c, "kind": "search"}
        row.update({k: float(t.params[k]) for k in spec.levers})
        row.update(_robust(spec, runs))  # every objective, the searched ones as scored
        row.update(_cost_columns(runs))
        row["feasible"] = bool(max(t.user_attrs["constraints"]) <= 0)
        row["seconds"] = t.user_attrs.get("seconds")
        row["finished"] = t.datetime_complete
        rows.append(row)
    return pd.DataFrame(rows)


def _robust(spec: Spec, runs: list[dict]) -> dict[str, float]:
    """Each objective's robust score (the ``quantile`` over the runs), searched or not."""
    return {
        o: float(np.quantile([r[o] for r in runs], spec.quantile))
        for o in OBJECTIVES
        if o in runs[0]
    }


def scored(spec: Spec, runs: list[dict]) -> dict:
    """A mix's row from its runs' gains: robust objectives, worst and mean costs, feasibility."""
    _, constraints = score(spec, runs)
    return _robust(spec, runs) | _cost_columns(runs) | {"feasible": max(constraints) <= 0}


def _cost_columns(runs: list[dict]) -> dict[str, float]:
    east, west = [r["east_cost"] for r in runs], [r["west_cost"] for r in runs]
    pub = [e + w for e, w in zip(east, west, strict=True)]
    return {
        "east_cost_max": max(east),
        "west_cost_max": max(west),
        "public_cost_max": max(pub),
        "public_cost_mean": float(np.mean(pub)),
        "east_cost_mean": float(np.mean(east)),
    }


def pareto_front(table: pd.DataFrame, objective: str, cost: str) -> pd.DataFrame:
    """The rows no other row beats: at most the cost and at least the objective, one strictly."""
    t = table.sort_values([cost, objective], ascending=[True, False])
    best, keep = -np.inf, []
    for i, r in t.iterrows():
        if r[objective] > best:
            keep.append(i)
            best = r[objective]
    return t.loc[keep]


def best_per_budget(table: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    """Per budget level (a share of both budgets), the mix with the highest robust first
    objective among those whose costs stay within that level in every run."""
    rows = []
    search = table[table["kind"] == "search"]
    for level in spec.budget_levels:
        ok = search[
            (search["east_cost_max"] <= level * spec.budget_east)
            & (search["west_cost_max"] <= level * spec.budget_west)
        ]
        if ok.empty:
            continue
        rows.append(ok.loc[ok[spec.objectives[0]].idxmax()].to_dict() | {"budget_level": level})
    return pd.DataFrame(rows)


# --- the sweep's jobs and report ------------------------------------------------------------------


def base_overrides(task_overrides: list[str]) -> list[str]:
    """The overrides every run of the search shares: the command's, less the search's own keys
    and the run settings that change no result."""
    return [
        o
        for o in task_overrides
        if not o.split("=", 1)[0].lstrip("+~").startswith(("search.", "run.progress", "hydra"))
    ]


def run_job(cfg, run_dir: Path, task_overrides: list[str]) -> list[dict]:
    """A worker job of the sweep (``search.worker`` = i): evaluate mixes until the search is
    complete, then record the job complete (a re-run of the sweep skips it)."""
    from sim.params.compose import to_yaml
    from sim.world.geography import content_digest

    spec = spec_of(cfg.search)
    sweep_dir = Path(run_dir).parent
    folder = sweep_dir / FOLDER
    base = base_overrides(task_overrides)
    folder.mkdir(parents=True, exist_ok=True)
    outputs.write_atomic(folder / "base_overrides.json", outputs.json_bytes(base))
    t0 = time.perf_counter()
    show = sys.stderr.isatty() or cfg.run.progress == "on"
    last = [0.0]

    def progress(msg: str) -> None:
        if cfg.run.progress != "off" and (show or time.monotonic() - last[0] > 30):
            last[0] = time.monotonic()
            print(f"worker {cfg.search.worker}: {msg}", file=sys.stderr, flush=True)

    n = run_worker(folder, spec, ModelGains(base, spec, folder / "baseline"), progress=progress)
    k = scenario_share(folder, spec, base, int(cfg.search.worker), int(cfg.search.workers))
    progress(f"named scenarios: {k} runs done")
    config_yaml = to_yaml(cfg)
    outputs.write_run(
        run_dir,
        {"config.yaml": config_yaml.encode(), "worker.json": outputs.json_bytes({"mixes": n})},
        {
            "kind": "search_worker",
            "config_hash": outputs.config_hash(config_yaml + content_digest(cfg.geography.name)),
            "code_hash": outputs.code_hash(),
            "overrides": task_overrides,
            "wall_time_s": round(time.perf_counter() - t0, 3),
            "folder": Path(run_dir).name,
        },
    )
    return []


def progress_marks(config) -> tuple[Path, int, str]:
    """Where the sweep's progress counts finished mixes (one empty file each), and how many."""
    return Path(config.hydra.sweep.dir) / FOLDER / "done", int(config.search.trials), "mix"


SCENARIOS = ("pairing", "enclave", "labour", "consumption", "full")


def scenario_gain(folder: Path, spec: Spec, base: list[str], name: str, draw: int, seed: int):
    """Gain of named scenario ``name`` over the baseline of (draw, seed), cached per run."""
    gains = ModelGains(base, spec, folder / "baseline")
    path = folder / "scenarios" / f"{name}_n{spec.draws}_d{draw}_s{seed}.json"
    return cached(path, lambda: gains.over_baseline([f"scenario={name}"], draw, seed))


def scenario_share(folder: Path, spec: Spec, base: list[str], worker: int, workers: int) -> int:
    """A worker's share of the named scenarios' runs (every ``workers``-th), so the report that
    follows the search reads them rather than running them all in the submitting process."""
    tasks = [(n, d, s) for n in SCENARIOS for d, s in spec.runs][worker::workers]
    for name, d, s in tasks:
        scenario_gain(folder, spec, base, name, d, s)
    return len(tasks)


def scenario_rows(folder: Path, spec: Spec, base: list[str]) -> pd.DataFrame:
    """The named scenarios on the same draws and seeds, scored as the mixes are (runs the
    workers left undone are made here)."""
    rows = []
    for name in SCENARIOS:
        runs = [scenario_gain(folder, spec, base, name, d, s) for d, s in spec.runs]
        rows.append({"candidate": -1, "kind": "scenario", "scenario": name} | scored(spec, runs))
    return pd.DataFrame(rows)


def convergence(table: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    """Best robust first objective among feasible mixes after n evaluations (in proposal order)."""
    t = table[table["kind"] == "search"].sort_values("candidate")
    o = spec.objectives[0]
    best = t[o].where(t["feasible"].astype(bool)).cummax().ffill()  # NaN until one is feasible
    return pd.DataFrame({"evaluations": np.arange(1, len(t) + 1), f"best_{o}": best.to_numpy()})


def _spec_from_sweep(sweep_dir: Path) -> Spec:
    """The search's spec as the sweep recorded it (``multirun.yaml``, written before launching)."""
    from omegaconf import OmegaConf

    cfg = OmegaConf.load(Path(sweep_dir) / "multirun.yaml")
    return spec_of(cfg.search)


def report(sweep_dir: Path) -> str:
    """The table (``policy_search.csv``: every mix with its levers, robust objectives, costs and
    overrides; the named scenarios; the robust best mix per budget level), the fronts and the
    convergence figure."""
    from sim.report import figures as plots
    from sim.report import labels

    sweep_dir = Path(sweep_dir)
    folder = sweep_dir / FOLDER
    spec = _spec_from_sweep(sweep_dir)
    base = json.loads((folder / "base_overrides.json").read_text())
    table = trials_table(folder, spec)
    scen = scenario_rows(folder, spec, base)
    o0 = spec.objectives[0]
    front = pareto_front(table[table["feasible"]], o0, "public_cost_max")
    table["on_front"] = table["candidate"].isin(front["candidate"])
    best = best_per_budget(table, spec)
    table["best_at_budget_level"] = table["candidate"].map(
        dict(zip(best["candidate"], best["budget_level"], strict=True)) if len(best) else {}
    )
    # each named scenario against the best mix at no more public cost (worst run)
    comparison = []
    for _, s in scen.iterrows():
        ok = table[table["feasible"] & (table["public_cost_max"] <= s["public_cost_max"])]
        row = {"scenario": s["scenario"], "public_cost_max": s["public_cost_max"]}
        row |= {f"scenario_{o}": s[o] for o in spec.objectives}
        if not ok.empty:
            m = ok.loc[ok[o0].idxmax()]
            row |= {"best_mix": int(m["candidate"])} | {f"mix_{o}": m[o] for o in spec.objectives}
        comparison.append(row)
    comparison = pd.DataFrame(comparison)
    table["overrides"] = [
        " ".join(base + lever_overrides({k: r[k] for k in spec.levers}))
        for _, r in table.iterrows()
    ]
    scen["overrides"] = [" ".join(base + [f"scenario={s}"]) for s in scen["scenario"]]
    full = pd.concat([table, scen], ignore_index=True)
    units = {
        **{o: u for o, (u, _) in OBJECTIVES.items()},
        **{c: "yuan/year" for c in ("east_cost_max", "west_cost_max", "public_cost_max")},
        **{c: "yuan/year" for c in ("public_cost_mean", "east_cost_mean")},
    }
    full = full.rename(columns={k: f"{k} [{u}]" for k, u in units.items()})
    outputs.write_atomic(sweep_dir / "policy_search.csv", full.to_csv(index=False).encode())
    outputs.write_atomic(
        sweep_dir / "policy_search_scenarios.csv", comparison.to_csv(index=False).encode()
    )
    conv = convergence(table, spec)
    outputs.write_atomic(
        sweep_dir / "policy_search_convergence.csv", conv.to_csv(index=False).encode()
    )
    fig = _figure(table, scen, front, conv, spec, labels)
    paths = plots.save(fig, sweep_dir / "figures" / "policy_search")
    q = f"{round(100 * spec.quantile)}th percentile over {spec.draws} draws × {spec.seeds} seeds"
    lines = [
        f"Policy search: {len(table)} mixes of {len(spec.levers)} levers, scored by the {q} of "
        f"the gain over the baseline run of the same draw and seed; budgets {spec.budget_east:.3g} "
        f"(east) and {spec.budget_west:.3g} (west) yuan/year in every run.",
        f"Feasible: {int(table['feasible'].sum())}; on the front of {o0} against public cost: "
        f"{len(front)}.",
        "Robust best mix per budget level:",
    ]
    for _, b in best.iterrows():
        levers = ", ".join(f"{k.rsplit('.', 1)[1]} {b[k]:.3g}" for k in spec.levers)
        lines.append(
            f"  {b['budget_level']:.0%} of budget: mix {int(b['candidate'])}: {o0} "
            f"{b[o0]:.4g} {OBJECTIVES[o0][0]}, public cost ≤ {b['public_cost_max']:.3g} "
            f"yuan/year ({levers})"
        )
    lines.append("Named scenarios against the best mix at no more public cost:")
    for _, c in comparison.iterrows():
        mix = c.get("best_mix")
        lines.append(
            f"  {c['scenario']}: {o0} {c[f'scenario_{o0}']:.4g}"
            + (
                f"; best mix {int(mix)}: {c[f'mix_{o0}']:.4g}"
                if pd.notna(mix)
                else "; no mix found at that cost"
            )
        )
    lines.append(f"Table: {sweep_dir / 'policy_search.csv'}\nFigure: {paths[0]}")
    return "\n".join(lines)


def _figure(table, scen, front, conv, spec: Spec, labels):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    objs = spec.objectives[:2]
    fig, axes = plt.subplots(1, len(objs) + 2, figsize=(4.6 * (len(objs) + 2), 4.2))
    feas = table[table["feasible"]]
    west = next((o for o in spec.objectives if o in ("west_fiscal_balance",)), objs[0])
    panels = [(o, "public_cost_max", "public cost over the baseline, worst run") for o in objs]
    panels.append((west, "east_cost_max", "eastern cost over the baseline, worst run"))
    for ax, (o, cost, xlabel) in zip(axes, panels, strict=False):
        ax.scatter(table[cost] / 1e8, table[o], s=10, c="0.75", label="mixes tried")
        ax.scatter(feas[cost] / 1e8, feas[o], s=12, c="tab:blue", label="within budget")
        fr = pareto_front(feas, o, cost)
        ax.plot(fr[cost] / 1e8, fr[o], "-o", c="tab:red", ms=4, label="front")
        for _, s in scen.iterrows():
            ax.scatter(s[cost] / 1e8, s[o], marker="s", c="k", s=18)
            ax.annotate(labels.scenario(s["scenario"]), (s[cost] / 1e8, s[o]), fontsize=7)
        ax.set_xlabel(f"{xlabel} (100 m yuan/year)")
        ax.set_ylabel(f"{o} gain, {round(100 * spec.quantile)}th pct ({OBJECTIVES[o][0]})")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    ax = axes[-1]
    ax.step(conv["evaluations"], conv.iloc[:, 1], where="post")
    ax.set_xlabel("mixes evaluated")
    ax.set_ylabel(f"best {spec.objectives[0]} within budget ({OBJECTIVES[spec.objectives[0]][0]})")
    ax.grid(alpha=0.3)
    fig.suptitle("Policy search: robust gains against public cost")
    fig.tight_layout()
    return fig
