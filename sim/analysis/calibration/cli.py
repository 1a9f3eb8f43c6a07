"""``python -m sim.analysis.calibration`` (``make calibrate``): fit, report, and install on purpose.

Every calibration writes its report and its result (``point.yaml``, ``draws.yaml``) into
its results folder, ``results/calibration/<geography>/<budget>/``. Only a full-budget fit
installs the result over the shipped files beside the geography (``sim/world/<geography>/``),
and it lists the files it replaces (kept in the results folder); ``--no-install`` keeps
even a full fit in ``results/``. Smoke and other budgets never touch the shipped files.

Bad input ends in one paragraph and exit code 2, never a traceback; SIGTERM stops the
fit and its workers as Ctrl-C does, and the same command resumes from the checkpoint.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from sim.analysis.calibration import engine as engines
from sim.analysis.calibration import fit, report, validate, write
from sim.analysis.calibration.experiment import Experiment, check_inputs
from sim.params import checks
from sim.params.schema import ConfigError

RESULTS_DIR = Path("results") / "calibration"
FIT_SEEDS = range(5)  # seeds of the fit table (not the calibration's own seeds)
TABLE_DRAWS = 20  # draws in the fit table and the validation
INSTALL_BUDGET = "full"  # the only budget whose result may replace the shipped one
log = logging.getLogger("sim.analysis.calibration")


def check_writable(folder: Path) -> None:
    """The calibration's results folder must take a file (see checks.check_writable)."""
    checks.check_writable(folder, "the calibration's results", "Choose another with --results DIR")


def calibrate(
    geography: str = "shanghai_yunnan",
    budget: str = "full",
    workers: int | None = None,
    fresh: bool = False,
    results: Path = RESULTS_DIR,
    install: bool = False,
    check_seeds=FIT_SEEDS,
    n_table_draws: int = TABLE_DRAWS,
    engine: engines.Engine | None = None,
) -> dict:
    """Fit, summarise, validate; write the result into the results folder and (``install``, full
    budget only) over the shipped files. Returns the report.

    ``engine`` says where the fit's simulations run (engine.py; default: ``workers`` local
    processes); it changes how long the fit takes, not its result."""
    t0 = time.perf_counter()
    spec = check_inputs(geography, budget)
    if install and budget != INSTALL_BUDGET:
        raise ConfigError(
            f"only a '{INSTALL_BUDGET}' fit may replace the shipped calibration; budget "
            f"'{budget}' writes to the results folder only (drop --install)."
        )
    plan = spec["budgets"][budget]
    workers = workers or os.cpu_count() or 1
    engine = engine or engines.Engine(workers=workers)
    engines.check(engine)
    run_dir = Path(results) / geography / budget
    check_writable(run_dir)
    lock = fit.hold(run_dir)  # one calibration per checkpoint, also inside a Slurm job
    try:
        exp = Experiment(geography)
        # the engine's workers (Slurm jobs) end with the fit, before the checks that follow
        with engines.dask_client(engine, run_dir.parent / ".dask-jobs") as client:
            history = fit.run_abc(exp, plan, workers, run_dir, fresh, client=client)
            processes = engines.processes(client, workers)
        out = _calibrate(
            exp, history, budget, plan, processes, run_dir, check_seeds, n_table_draws, t0, engine
        )
        if install:
            out["installed"] = [
                [str(a), str(b) if b else None] for a, b in write.install(geography, run_dir)
            ]
            for target, kept in out["installed"]:
                print(
                    f"replaced {target}"
                    + (f" (the previous file is kept in {kept})" if kept else "")
                )
        return out
    finally:
        lock.close()


def _calibrate(
    exp, history, budget, plan, workers, run_dir, check_seeds, n_table_draws, t0, engine
) -> dict:
    t_fit = fit.abc_seconds(history, time.perf_counter() - t0)
    cols, particles, weights = fit.posterior(exp, history)
    ident = fit.identification(exp, particles, weights)
    point = fit.point_estimate(exp, particles, weights)
    draws = fit.draw_sample(exp, particles, weights, exp.spec["draws"])
    provenance = (
        f"{run_dir}/ (pyabc ABC-SMC, budget {budget}: {history.max_t + 1} generations, "
        f"{history.total_nr_simulations} simulations, {fit.now()}; experiment {exp.digest()[:12]}"
        f"{code_version()}, seeded by it: the same command on the same code and data gives "
        "these values)"
    )
    log.info("fit table and out-of-sample checks ...")
    out = {
        "geography": exp.geography,
        "budget": budget,
        "plan": plan,
        "workers": workers,
        "engine": engine.describe(),
        "provenance": provenance,
        "generations": history.max_t + 1,
        "simulations": int(history.total_nr_simulations),
        "seeds": exp.spec["seeds"],
        "point": point,
        "epsilons": [float(e) for e in history.get_all_populations()["epsilon"].tolist()],
        "identification": ident,
        "unidentified": list(report.unidentified(ident)),
        "draw_keys": sorted({k for d in draws for k in d["values"]}),
        "n_draws": len(draws),
        "estimator": "weighted posterior median per parameter (fit space)",
        "fit": validate.fit_table(exp, point, draws, n_table_draws, check_seeds),
        "validation": validate.validate_out_of_sample(point, check_seeds),
        "fit_seconds": round(t_fit, 1),
    }
    out["total_seconds"] = round(time.perf_counter() - t0, 1)
    write.atomic_write(run_dir / "report.json", json.dumps(out, indent=1, default=float))
    write.atomic_write(run_dir / "report.md", report.render_markdown(out))
    report.plot_identification(exp, particles, weights, run_dir / "identification.png")
    write.write_point(exp.geography, point, provenance, run_dir)
    write.write_draws(exp.geography, draws, provenance, run_dir)
    return out


# ------------------------------------------------------------------ Slurm
ACTIVE = (
    "PENDING",
    "RUNNING",
    "CONFIGURING",
    "COMPLETING",
    "REQUEUED",
    "REQUEUE_HOLD",
    "REQUEUE_FED",
    "RESIZING",
    "SUSPENDED",
    "STOPPED",
    "SIGNALING",
    "STAGE_OUT",
)


def _run(cmd: list[str]) -> str | None:
    if shutil.which(cmd[0]) is None:
        return None
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return r.stdout if r.returncode == 0 else None


def code_version() -> str:
    """`` at commit <hash>`` (with ``+changes`` if the work tree differs), or "" outside git."""
    root = str(Path(__file__).resolve().parents[3])
    head = _run(["git", "-C", root, "rev-parse", "--short", "HEAD"])
    if not head:
        return ""
    dirty = _run(["git", "-C", root, "status", "--porcelain", "--untracked-files=no"])
    return f" at commit {head.strip()}" + ("+changes" if dirty else "")


def slurm_state(job_id: str) -> str | None:
    """The Slurm state of ``job_id`` (squeue, else sacct), or None if neither knows it."""
    for cmd in (
        ["squeue", "-h", "-j", job_id, "-o", "%T"],
        ["sacct", "-n", "-X", "-j", job_id, "-o", "State"],
    ):
        out = _run(cmd)
        if out and out.split():
            return out.split()[0].rstrip("+")
    return None


def check_slurm(partition: str | None, option: str = "--slurm") -> None:
    """Slurm can take a job here, in ``partition`` if given (checked with sinfo)."""
    if shutil.which("sbatch") is None:
        raise ConfigError(
            f"{option}: Slurm is not available on this machine (no sbatch on PATH); "
            f"run without {option}, or on the cluster's login node. Nothing was submitted."
        )
    if partition is None:
        return
    out = _run(["sinfo", "-h", "-o", "%P"])
    if out is None:
        return  # no sinfo: sbatch itself will judge the partition
    known = sorted({p.strip().rstrip("*") for p in out.split() if p.strip()})
    if partition not in known:
        raise ConfigError(
            f"--partition {partition}: this cluster has no such Slurm partition (sinfo lists: "
            f"{', '.join(known) or 'none'}). Nothing was submitted."
        )


def check_not_queued(run_dir: Path) -> None:
    """Refuse a calibration on a checkpoint a local process or a Slurm job holds or will hold."""
    holder = fit.is_held(run_dir)
    if holder:
        raise ConfigError(
            f"another calibration is using the checkpoint {run_dir} right now ({holder}). "
            "Wait for it to end (or stop it); nothing was submitted."
        )
    record = run_dir / fit.SLURM_RECORD
    job_id = record.read_text().strip() if record.is_file() else ""
    if job_id:
        state = slurm_state(job_id)
        if state in ACTIVE:
            raise ConfigError(
                f"Slurm job {job_id} ({state}) is already calibrating the checkpoint {run_dir}. "
                f"Wait for it (squeue -j {job_id}) or cancel it (scancel {job_id}); "
                "nothing was submitted."
            )


def submit_slurm(kwargs: dict, partition: str | None, timeout_min: int, cpus: int) -> int:
    """One Slurm job on one node, its cores as pyabc workers; a requeue resumes the checkpoint."""
    import submitit

    run_dir = Path(kwargs["results"]) / kwargs["geography"] / kwargs["budget"]
    check_writable(run_dir)
    check_slurm(partition)
    check_not_queued(run_dir)
    folder = Path(kwargs["results"]) / kwargs["geography"] / ".submitit"
    ex = submitit.AutoExecutor(folder=str(folder), cluster="slurm")
    ex.update_parameters(
        timeout_min=timeout_min,
        cpus_per_task=cpus,
        tasks_per_node=1,
        nodes=1,
        **({"slurm_partition": partition} if partition else {}),
    )
    try:
        job = ex.submit(
            calibrate, **{**kwargs, "workers": cpus}
        )  # by module name: the job can unpickle it
    except Exception as err:  # noqa: BLE001 - sbatch's refusal, reported as its message
        first = str(err).strip().splitlines()
        raise ConfigError(
            f"Slurm refused the job: {first[-1] if first else type(err).__name__}. "
            "Nothing was submitted."
        ) from None
    run_dir.mkdir(parents=True, exist_ok=True)
    write.atomic_write(run_dir / fit.SLURM_RECORD, f"{job.job_id}\n")
    print(
        f"submitted Slurm job {job.job_id}; logs in {folder}. While it is queued or running, this "
        "checkpoint is taken; after a time-out the same command resumes from it."
    )
    return 0


# ------------------------------------------------------------------ the command
class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not argparse's usage block
        print(f"\nsim.calibration: {message} (see --help)\n", file=sys.stderr)
        raise SystemExit(2)


def _whole(low: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{value} must be at least {low}")
        return value

    return parse


def parser() -> argparse.ArgumentParser:
    ap = _Parser(
        prog="python -m sim.analysis.calibration",
        description="Fit the calibration (ABC-SMC, resumable), report it, install a full fit.",
    )
    ap.add_argument("--geography", default="shanghai_yunnan")
    ap.add_argument(
        "--budget", default="full", help="a budget of the calibration file: full (default) or smoke"
    )
    ap.add_argument(
        "--workers", type=_whole(1), default=None, help="parallel processes (default: all cores)"
    )
    ap.add_argument("--fresh", action="store_true", help="discard the checkpoint and start again")
    ap.add_argument(
        "--results",
        type=Path,
        default=RESULTS_DIR,
        help="results folder (default: results/calibration)",
    )
    ap.add_argument(
        "--install",
        dest="install",
        action="store_true",
        default=None,
        help="replace the shipped point estimate and draws (full budget only; the default for it)",
    )
    ap.add_argument(
        "--no-install",
        "--no-write",
        dest="install",
        action="store_false",
        help="keep the result in the results folder, even for a full fit",
    )
    ap.add_argument(
        "--slurm", action="store_true", help="submit the calibration as one Slurm job (submitit)"
    )
    ap.add_argument(
        "--partition", default=None, help="Slurm partition (with --slurm or --cluster slurm)"
    )
    ap.add_argument(
        "--timeout-min",
        type=_whole(1),
        default=120,
        help="Slurm time limit of the job (--slurm) or of each worker job (--cluster slurm), "
        "minutes",
    )
    past = ap.add_argument_group(
        "past one node (docs/calibration.md): the simulations on a dask cluster, same result"
    )
    past.add_argument(
        "--cluster",
        choices=engines.KINDS,
        default="local",
        help="local: --workers processes here (default); slurm: dask-jobqueue worker jobs "
        "(--jobs x --cores-per-job processes); dask-local: a dask LocalCluster of --workers",
    )
    past.add_argument(
        "--jobs", type=_whole(1), default=2, help="Slurm worker jobs (--cluster slurm; default 2)"
    )
    past.add_argument(
        "--cores-per-job",
        type=_whole(1),
        default=8,
        help="cores and worker processes per Slurm job (--cluster slurm; default 8)",
    )
    past.add_argument(
        "--memory-per-job",
        default=None,
        help=f"memory per Slurm job, e.g. 16GB (--cluster slurm; default "
        f"{engines.GB_PER_CORE} GB per core)",
    )
    past.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run the simulations on a dask cluster that is already running (tcp://host:8786)",
    )
    return ap


def main(argv: list[str] | None = None) -> int:
    from sim.runs.processes import stop_on_sigterm, stop_workers

    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("ABC").propagate = False  # pyabc prints its own progress lines once
    install = args.install if args.install is not None else args.budget == INSTALL_BUDGET
    kwargs = dict(
        geography=args.geography,
        budget=args.budget,
        workers=args.workers,
        fresh=args.fresh,
        results=args.results,
        install=install,
    )
    engine = engines.Engine(
        kind=args.cluster,
        workers=args.workers or os.cpu_count() or 1,
        jobs=args.jobs,
        cores_per_job=args.cores_per_job,
        memory_per_job=args.memory_per_job,
        timeout_min=args.timeout_min,
        partition=args.partition,
        scheduler=args.scheduler,
    )
    stop_on_sigterm()
    try:
        check_inputs(args.geography, args.budget)
        if install and args.budget != INSTALL_BUDGET:
            raise ConfigError(
                f"--install: only a '{INSTALL_BUDGET}' fit may replace the shipped calibration; "
                f"budget '{args.budget}' writes to {args.results} only."
            )
        engines.check(engine)
        if args.slurm:
            if engine.uses_dask:
                raise ConfigError(
                    "--slurm runs the whole fit in one Slurm job on one node; --cluster and "
                    "--scheduler spread its simulations over a dask cluster from here. "
                    "Choose one."
                )
            return submit_slurm(kwargs, args.partition, args.timeout_min, args.workers or 8)
        if engine.kind == "slurm":
            check_slurm(args.partition, "--cluster slurm")
        check_writable(args.results / args.geography / args.budget)
        if install:
            print(
                f"A full fit replaces sim/world/{args.geography}/point.yaml and draws.yaml when it "
                "ends "
                "(the old files are kept in its results folder); --no-install keeps it in "
                "results/.",
                file=sys.stderr,
            )
        out = calibrate(**kwargs, engine=engine)
    except ConfigError as err:
        print(f"\nsim.calibration: {err}\n", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        stop_workers()
        print(
            "\nsim.calibration: stopped. Finished generations are kept; run the same command to "
            "resume.",
            file=sys.stderr,
        )
        return 130
    report.print_report(out)
    return 0
