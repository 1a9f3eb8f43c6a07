#!/usr/bin/env python
"""CPU profile of the national model in-process: set-up, the run's steps, top functions by self
time.

    python benchmarks/profile_steps.py [--top 12] [override ...]

CPU time (``time.process_time``), so a busy machine inflates it less than wall time.
Uses only ``TransferModel`` and ``compose``, so it runs on older checkouts too
(``PYTHONPATH=<old tree> python benchmarks/profile_steps.py``) for before/after tables.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--top", type=int, default=12)
    ap.add_argument("overrides", nargs="*", default=["geography=synthetic"])
    args = ap.parse_args()
    try:
        from sim.runs.processes import keep_freed_memory

        keep_freed_memory()  # as `python -m sim.run` does
    except ImportError:  # an older checkout (see the docstring)
        pass
    from sim.model.transfer import TransferModel
    from sim.params.compose import compose

    cfg = compose(dict(o.split("=", 1) for o in args.overrides))
    pr = cProfile.Profile(time.process_time)
    t0 = time.process_time()
    pr.enable()
    m = TransferModel(cfg)
    t1 = time.process_time()
    m.run()
    pr.disable()
    t2 = time.process_time()
    print(f"set-up {t1 - t0:.2f} s CPU, {m.n_steps} steps {t2 - t1:.2f} s CPU (under cProfile)")
    stats = pstats.Stats(pr).stats
    rows = sorted(
        ((tt, n, f"{fn[2]}  {fn[0].split('/sim/')[-1]}") for fn, (_, n, tt, _, _) in stats.items()),
        reverse=True,
    )[: args.top]
    for tt, n, name in rows:
        print(f"{tt:7.3f} s  {n:7d} calls  {name}")


if __name__ == "__main__":
    main()
