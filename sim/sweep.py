"""Hydra callback for multiruns: sweep progress on a terminal, then collection and the study report."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from hydra.experimental.callback import Callback

DONE_DIR = ".done"


def count_jobs(config) -> int:
    """Number of jobs the basic sweep of this multirun will launch."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    overrides = list(config.hydra.overrides.task)
    params = config.hydra.sweeper.get("params") or {}
    overrides += [f"{k}={v}" for k, v in params.items()]
    parsed = OverridesParser.create().parse_overrides(overrides)
    keys, n = {}, 1
    for o in parsed:
        keys[o.get_key_element()] = len(list(o.sweep_string_iterator())) if o.is_sweep_override() else 1
    for v in keys.values():
        n *= v
    return n


def mark_done(sweep_dir: Path, job_name: str) -> None:
    d = Path(sweep_dir) / DONE_DIR
    d.mkdir(parents=True, exist_ok=True)
    (d / job_name).touch()


FAILED_DIR = ".failed"


def mark_failed(sweep_dir: Path, index: int, overrides: list[str], cluster_id: str, state: str, log: str,
                error: Exception) -> None:
    """Record a job that produced no results on the cluster (the launcher calls this)."""
    from .outputs import json_bytes, write_atomic

    d = Path(sweep_dir) / FAILED_DIR
    d.mkdir(parents=True, exist_ok=True)
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    write_atomic(d / f"{index}.json", json_bytes({"job": index, "overrides": overrides, "cluster_id": cluster_id,
                                                  "state": state, "log": log, "reason": reason}))
    print(f"job #{index} failed: {' '.join(overrides)}  (Slurm job {cluster_id}: {state}; log {log})",
          file=sys.stderr)


def failed_jobs(sweep_dir: Path) -> list[dict]:
    import json

    d = Path(sweep_dir) / FAILED_DIR
    return sorted((json.loads(p.read_text()) for p in d.glob("*.json")), key=lambda f: f["job"]) if d.exists() else []


# The watcher lives at module level: the callback object itself is pickled to workers.
_WATCH: dict = {}


class SweepCallback(Callback):
    """Shows jobs done / total with elapsed time and estimate; collects the sweep at the end."""

    def on_multirun_start(self, config, **kwargs) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        done = sweep_dir / DONE_DIR
        for marks in (done, sweep_dir / FAILED_DIR):  # marks of an earlier launch
            if marks.exists():
                for f in marks.iterdir():
                    f.unlink()
        try:
            total = count_jobs(config)
        except Exception:  # noqa: BLE001 - progress is a nicety, never a failure
            total = None
        print(f"Sweep of {total or '?'} jobs → {sweep_dir}  (complete jobs from an earlier run are skipped)",
              file=sys.stderr)
        mode = config.get("run", {}).get("progress", "auto")
        if mode == "on" or (mode == "auto" and sys.stderr.isatty()):
            stop = threading.Event()
            thread = threading.Thread(target=_watch, args=(done, total, stop), daemon=True)
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
        from . import studies
        from .collect import collect

        sweep_dir = Path(config.hydra.sweep.dir)
        summary, _ = collect(sweep_dir)
        if not summary.empty:  # a named study's report, or the generic one of an ad-hoc sweep
            studies.report_dir(sweep_dir, config.get("study"))
        failed = failed_jobs(sweep_dir)
        if failed:
            print(f"\n{len(failed)} job(s) produced no results (tables above are without them):", file=sys.stderr)
            for f in failed:
                print(f"  #{f['job']} {' '.join(f['overrides'])}: Slurm job {f['cluster_id']} {f['state']}; "
                      f"log {f['log']}", file=sys.stderr)
            print("Re-run the same command to redo only these jobs.", file=sys.stderr)
            sys.exit(1)


def _watch(done: Path, total, stop: threading.Event) -> None:
    from tqdm.auto import tqdm

    with tqdm(total=total, desc="sweep", unit="job") as bar:
        while not stop.wait(0.5):
            n = len(list(done.iterdir())) if done.exists() else 0
            bar.update(n - bar.n)
        n = len(list(done.iterdir())) if done.exists() else 0
        bar.update(n - bar.n)
