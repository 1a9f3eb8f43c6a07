"""Hydra callback for multiruns: sweep progress (a bar on a terminal, lines in a log), then
collection and the study report."""

from __future__ import annotations

import re
import sys
import threading
import time
from pathlib import Path

from hydra.experimental.callback import Callback

DONE_DIR = ".done"
SKIPPED_DIR = ".skipped"  # jobs complete from an earlier launch: counted as done, not in the pace


def count_jobs(config) -> int:
    """Number of jobs the basic sweep of this multirun will launch."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    params = config.hydra.sweeper.get("params") or {}
    overrides = [f"{k}={v}" for k, v in params.items()]
    overrides += list(config.hydra.overrides.task)  # the command line wins over the experiment file
    parsed = OverridesParser.create().parse_overrides(overrides)
    keys, n = {}, 1
    for o in parsed:
        keys[o.get_key_element()] = (
            len(list(o.sweep_string_iterator())) if o.is_sweep_override() else 1
        )
    for v in keys.values():
        n *= v
    return n


JOB_LOG_LINE = "sim job folder: "  # printed first by each cluster job, so its log can be found


def job_log(sweep_dir: Path, job_name: str) -> Path | None:
    """The newest submitit log (stderr) that names the folder of job ``job_name``, if any."""
    folder = re.compile(re.escape(str(Path(sweep_dir) / job_name)) + r"(?![^\s'\"/])")
    logs = sorted(
        Path(sweep_dir).glob(".submitit/**/*_log.err"),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for log in logs:
        try:
            if folder.search(log.read_text(encoding="utf-8", errors="replace")):
                return log
        except OSError:
            continue
    return None


def launcher_error(err: Exception) -> str:
    """A launcher's exception in a few lines: its last error line and the log files it names (not
    its trace)."""
    lines = str(err).strip().splitlines() or [type(err).__name__]
    errors = [ln for ln in lines if re.match(r"^[A-Za-z_.]*(Error|Exception|Interrupt)\b", ln)]
    logs = [ln.strip()[2:] for ln in lines if ln.strip().startswith("- /")]
    return f"{type(err).__name__}: {errors[-1] if errors else lines[0]}" + (
        f" (logs: {', '.join(logs)})" if logs else ""
    )


def unfinished_jobs(sweep_dir: Path, job_names: list[str]) -> list[str]:
    """One line per job of ``job_names`` without complete results: its log, or that it never
    started."""
    from sim.runs.store import verified_marker

    lines = []
    for name in job_names:
        if verified_marker(Path(sweep_dir) / name) is None:
            log = job_log(sweep_dir, name)
            lines.append(
                f"job {name}: "
                + (f"did not finish; log: {log}" if log else "never started (no log names it)")
            )
    return lines


def mark_done(sweep_dir: Path, job_name: str, skipped: bool = False) -> None:
    d = Path(sweep_dir) / (SKIPPED_DIR if skipped else DONE_DIR)
    d.mkdir(parents=True, exist_ok=True)
    (d / job_name).touch()


FAILED_DIR = ".failed"


def mark_failed(
    sweep_dir: Path,
    index: int,
    overrides: list[str],
    cluster_id: str,
    state: str,
    log: str,
    error: Exception,
) -> None:
    """Record a job that produced no results on the cluster (the launcher calls this)."""
    from sim.runs.store import json_bytes, write_atomic

    d = Path(sweep_dir) / FAILED_DIR
    d.mkdir(parents=True, exist_ok=True)
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    write_atomic(
        d / f"{index}.json",
        json_bytes(
            {
                "job": index,
                "overrides": overrides,
                "cluster_id": cluster_id,
                "state": state,
                "log": log,
                "reason": reason,
            }
        ),
    )
    print(
        f"job #{index} failed: {' '.join(overrides)}  (Slurm job {cluster_id}: {state}; log {log})",
        file=sys.stderr,
    )


def failed_jobs(sweep_dir: Path) -> list[dict]:
    import json

    d = Path(sweep_dir) / FAILED_DIR
    return (
        sorted((json.loads(p.read_text()) for p in d.glob("*.json")), key=lambda f: f["job"])
        if d.exists()
        else []
    )


# The watcher lives at module level: the callback object itself is pickled to workers.
_WATCH: dict = {}
# Failures of the steps after the jobs (collection, report, figures): Hydra turns a callback's
# exception into a warning, so they are kept here and ``sim.run`` exits non-zero with them.
FAILURES: list[str] = []
REFUSED: list[
    str
] = []  # a sweep refused before launching (bad value, other configuration in the folder)


class SweepCallback(Callback):
    """Shows jobs done / total with elapsed time and estimate; collects the sweep at the end."""

    def on_multirun_start(self, config, **kwargs) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        done = sweep_dir / DONE_DIR
        for marks in (
            done,
            sweep_dir / SKIPPED_DIR,
            sweep_dir / FAILED_DIR,
        ):  # of an earlier launch
            if marks.exists():
                for f in marks.iterdir():
                    f.unlink()
        try:
            total = count_jobs(config)
        except Exception:  # noqa: BLE001 - progress is a nicety, never a failure
            total = None
        print(
            f"Sweep of {total or '?'} jobs → {sweep_dir}  (complete jobs from an earlier run "
            "are skipped)",
            file=sys.stderr,
        )
        mode = config.get("run", {}).get("progress", "auto")
        if mode != "off":
            bar = mode == "on" or sys.stderr.isatty()  # a log gets lines, not a bar's redraws
            stop = threading.Event()
            marks = _own_progress(config)  # a study whose jobs are workers counts its own units
            if marks is None:
                args: tuple = (sweep_dir, total, stop, bar)
            else:
                folder, total, unit = marks
                args = (folder, total, stop, bar, unit)
            thread = threading.Thread(target=_watch, args=args, daemon=True)
            _WATCH.update(stop=stop, thread=thread)
            thread.start()

    def on_job_end(self, config, job_return, **kwargs) -> None:
        from hydra.core.hydra_config import HydraConfig

        hc = HydraConfig.get()
        if hc.mode.name == "MULTIRUN":  # runs in the worker; the watcher counts these marks
            mark_done(Path(hc.sweep.dir), Path(hc.runtime.output_dir).name)

    def on_multirun_end(self, config, **kwargs) -> None:
        if _WATCH:
            _WATCH["stop"].set()
            _WATCH["thread"].join(timeout=5)
            _WATCH.clear()
        if REFUSED:
            return
        from sim.runs.collect import collect
        from sim.studies import reports as studies

        sweep_dir = Path(config.hydra.sweep.dir)
        try:
            if studies.own_tables(config.get("study")):  # its jobs are workers, not runs
                studies.report_dir(sweep_dir, config.get("study"))
                return
            summary, _ = collect(sweep_dir)
            if not summary.empty:  # a named study's report, or the generic one of an ad-hoc sweep
                studies.report_dir(sweep_dir, config.get("study"))
        except Exception as err:  # noqa: BLE001 - reported as the command's failure, see FAILURES
            FAILURES.append(
                f"the sweep's jobs ran, but its table or figures could not be made: "
                f"{type(err).__name__}: {err}. Results are in {sweep_dir}; "
                f"retry with `python -m sim.collect {sweep_dir} --report`."
            )
        failed = failed_jobs(
            sweep_dir
        )  # cluster jobs the launcher marked (cancelled, timed out, died)
        if failed:
            FAILURES.append(
                "\n".join(
                    [f"{len(failed)} job(s) produced no results (the tables are without them):"]
                    + [
                        f"  #{f['job']} {' '.join(f['overrides'])}: Slurm job "
                        f"{f['cluster_id']} {f['state']}; "
                        f"log {f['log']}"
                        for f in failed
                    ]
                    + ["Re-run the same command to redo only these jobs."]
                )
            )


def _own_progress(config):
    """(folder of marks, total, unit) of a study that counts its own progress, else None."""
    try:
        from sim.studies import reports as studies

        report = studies.study_report(config.get("study"))
        marks = getattr(sys.modules[report.__module__], "progress_marks", None) if report else None
        return marks(config) if marks else None
    except Exception:  # noqa: BLE001 - progress is a nicety, never a failure
        return None


def _count(d: Path | None) -> int:
    return sum(1 for _ in d.iterdir()) if d is not None and d.exists() else 0


def duration(seconds: float) -> str:
    """``1h02m``, ``4m05s`` or ``12s``."""
    s = int(round(seconds))
    if s >= 3600:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 60}m{s % 60:02d}s" if s >= 60 else f"{s}s"


class ProgressLines:
    """Progress of a sweep as log lines: one each time another tenth of the jobs is done, and one
    at least every ``every`` seconds, with elapsed time and an estimate of the time left."""

    def __init__(self, total: int | None, start: float, every: float = 30.0, unit: str = "jobs"):
        self.total, self.start, self.every, self.unit = total, start, every, unit
        self.last_time, self.last_tenth, self.last_n = start, 0, -1

    def line(self, done: int, skipped: int, now: float, final: bool = False) -> str | None:
        n = done + skipped
        tenth = 10 * n // self.total if self.total else 0
        due = now - self.last_time >= self.every or tenth > self.last_tenth
        if not (final or due) or (final and n == self.last_n):
            return None
        self.last_time, self.last_tenth, self.last_n = now, tenth, n
        elapsed = now - self.start
        if not self.total:
            return f"sweep: {n} {self.unit} done, {duration(elapsed)} elapsed"
        text = (
            f"sweep: {n}/{self.total} {self.unit} done ({100 * n // self.total}%), "
            f"{duration(elapsed)} "
            "elapsed"
        )
        if n >= self.total:
            return text
        if done:  # pace of the jobs run by this launch (complete ones from before cost nothing)
            return text + f", about {duration(elapsed / done * (self.total - n))} left"
        return text + ", estimate after the first job"


def _watch(sweep_dir: Path, total, stop: threading.Event, bar: bool, unit: str = "job") -> None:
    """Count the marks in ``sweep_dir``'s done folders (a study's own: ``sweep_dir`` is its
    folder of marks, ``unit`` what one is) until ``stop``."""
    done, skipped = (
        (sweep_dir / DONE_DIR, sweep_dir / SKIPPED_DIR) if unit == "job" else (sweep_dir, None)
    )
    if bar:
        from tqdm.auto import tqdm

        with tqdm(total=total, desc="sweep", unit=unit) as progress:
            while not stop.wait(0.5):
                progress.update(_count(done) + _count(skipped) - progress.n)
            progress.update(_count(done) + _count(skipped) - progress.n)
        return
    plural = unit + ("es" if unit.endswith(("s", "x")) else "s")
    lines = ProgressLines(total, time.monotonic(), unit=plural)
    final = False
    while not final:
        final = stop.wait(1.0)
        text = lines.line(_count(done), _count(skipped), time.monotonic(), final=final)
        if text:
            print(text, file=sys.stderr, flush=True)
