#!/usr/bin/env python
"""Benchmarks of the East–West transfer model; writes ``docs/benchmarks.md``.

    python benchmarks/run.py                   # every case (about 10 minutes on 2 cores)
    python benchmarks/run.py --quick           # one run per case, small grids: a smoke check
    python benchmarks/run.py --only national   # some cases (comma-separated names, see --list)
    python benchmarks/run.py --output /tmp/b.md

Whole-process cases run ``python -m sim.run ...`` (the interpreter running this
script, ``sys.executable``) in a fresh output directory each time: wall time
from just before the process starts to its exit, CPU time and peak RSS of that
process from ``os.wait4``. Each case runs once to warm caches, then ``repeats``
times; the table gives the median. Numerical libraries are held to one thread
and cases run one at a time, so a single run uses one core (the table shows
CPU/wall). In-process cases (breakdown, scaling, reference) run in a child of
this script (``--worker``) and time code with ``time.perf_counter``.

The machine may be shared: before each measured run the script waits (up to
``--max-wait`` seconds) for other processes to leave the CPUs idle, and the
tables show the background load during each case (other busy cores, mean).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
import traceback
from pathlib import Path

if not __package__:  # run as a script, ``python benchmarks/run.py``: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.cases import CASES  # noqa: E402
from benchmarks.harness import PY, RESULT_TAG, ROOT, Runner, progress  # noqa: E402
from benchmarks.machine import code_fingerprint, machine_info  # noqa: E402
from benchmarks.report import render, targets, write_atomic  # noqa: E402
from benchmarks.workers import WORKERS  # noqa: E402

DEFAULT_OUTPUT = ROOT / "docs" / "benchmarks.md"


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(
        prog="benchmarks/run.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument(
        "--quick", action="store_true", help="one run per case, small grids (smoke check)"
    )
    ap.add_argument("--only", default="", help="comma-separated case names (see --list)")
    ap.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="report path (default docs/benchmarks.md)",
    )
    ap.add_argument(
        "--repeats", type=int, default=0, help="at least this many measured runs per case"
    )
    ap.add_argument(
        "--max-wait",
        type=float,
        default=10.0,
        help="seconds to wait for an idle machine before each run (default 10; 0 = never)",
    )
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--params", default="{}", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.argv = argv

    if args.worker:
        result = WORKERS[args.worker](**json.loads(args.params))
        print(RESULT_TAG + json.dumps(result), flush=True)
        return 0
    if args.list:
        for name, (_, about) in CASES.items():
            print(f"{name:<14} {about}")
        return 0
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(CASES)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        ap.error(f"unknown case(s) {', '.join(unknown)}; choose from {', '.join(CASES)}")

    started = time.monotonic()
    info = machine_info()
    progress(f"Benchmarks: {', '.join(names)}{' (quick)' if args.quick else ''} with {PY}")
    progress(
        f"  {info['cpu']}, {info['cores']} cores, Python {info['python']}, numpy "
        f"{info['versions']['numpy']}, "
        f"mesa {info['versions']['mesa']}"
    )
    runner = Runner(args)
    res: dict = {}
    errors: dict = {}
    try:
        for name in names:
            fn, about = CASES[name]
            progress(f"[{name}] {about}")
            t0 = time.monotonic()
            try:
                res[name] = fn(runner, res)
            except Exception:  # noqa: BLE001 - report the failure, go on with the other cases
                errors[name] = traceback.format_exc()
                progress(f"  {name} FAILED:\n{errors[name]}")
            progress(f"  [{name}] done in {time.monotonic() - t0:.1f} s")
    finally:
        runner.close()
    info["fingerprint_end"] = code_fingerprint()
    if info["fingerprint_end"] != info["fingerprint"]:
        progress("  warning: sim/, configs/ or tests/reference.py changed while the benchmarks ran")
    text = render(res, info, args, started, errors)
    write_atomic(args.output, text)
    progress(f"Wrote {args.output}")
    for t, m, lim, ok in targets(res):
        if isinstance(ok, bool):
            progress(f"  {'met    ' if ok else 'NOT MET'}  {t}: {m} (limit {lim})")
    return 1 if errors else 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
