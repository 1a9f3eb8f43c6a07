"""``python -m sim.collect SWEEP_DIR [--report]``: a sweep's tidy tables (and its study's report).

The tables are made by :mod:`sim.runs.collect`; the report by the sweep's study
(:mod:`sim.studies`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.runs.collect import collect


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m sim.collect",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("sweep_dir", type=Path)
    ap.add_argument("--report", action="store_true", help="also make the study's table and figures")
    args = ap.parse_args(argv)
    try:
        summary, _ = collect(args.sweep_dir)
    except OSError as err:
        print(f"sim.collect: {err}", file=sys.stderr)
        return 2
    if args.report and not summary.empty:
        from sim.studies import reports as studies

        try:
            studies.report_dir(args.sweep_dir)
        except Exception as err:  # noqa: BLE001 - a report that cannot be made fails the command
            print(
                f"sim.collect: the table or figures could not be made: {type(err).__name__}: {err}",
                file=sys.stderr,
            )
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
