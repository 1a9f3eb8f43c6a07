"""Generated parts of ``docs/ODD.md``: the parameter and outcome tables.

The tables are rendered from :mod:`sim.params.schema` and :mod:`sim.model.metrics`, so the
documentation cannot disagree with the code. ``docs/ODD.md`` holds them between
marker comments (their digest of the inputs: :mod:`sim.report.doc_blocks`); this module
rewrites what lies between the markers::

    python -m sim.report.docs           # rewrite the tables in docs/ODD.md
    python -m sim.report.docs --check   # exit 1 if docs/ODD.md is out of date
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

from sim.model.metrics import BOTH, CONTRACT, NEITHER, OUTCOMES, REGION_ATTRIBUTES, REGION_OUTCOMES
from sim.params import schema

ODD_PATH = Path(__file__).resolve().parents[2] / "docs" / "ODD.md"


class DocsError(ValueError):
    """The documentation file lacks a marker pair (the message names it)."""


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_parameter_table() -> str:
    """Markdown table of every config key (from :func:`sim.params.schema.parameter_table`)."""
    return "\n".join(
        [
            "_Generated from `sim/params/schema.py` by `python -m sim.report.docs`; do not "
            "edit by hand._",
            "Keys are dotted Hydra overrides (`policy.enclave.tax_share_east=0.3`). A source of",
            "`illustrative` means no published figure; `-` marks technical keys that need no",
            "source. `role`: `lever` (what a policy sets; its prior is the range a design explores",
            "only when asked, `sensitivity.levers=true`), `uncertain` (what the world is, not",
            "known), `calibrated` (fitted by a calibration; the calibration's prior), `fixed`",
            "(statutory or published figures, settings). Parameter designs vary the uncertain",
            "and calibrated float parameters from their `prior` (docs/sensitivity.md).",
            "",
            schema.parameter_table(),
        ]
    )


BETTER = {NEITHER: "–"}  # how a direction shows in the table (others by name)


def render_metrics_table() -> str:
    """Markdown tables of the outcome records (``OUTCOMES``, ``REGION_OUTCOMES``)."""
    rows = [
        "_Generated from `sim/model/metrics.py` by `python -m sim.report.docs`; do not edit "
        "by hand._",
        "Outcomes in `summary.json` (final step) and `timeseries.parquet` (every step).",
        "`side`: whose outcome it is (west, east or both); `better`: which way is better",
        "(`higher`, `lower`, `cost`: lower is better and it is a cost; `–`: a diagnostic), read by",
        "the comparison's P(better than baseline); `contract` marks the output contract.",
        "",
        "| metric | unit | side | better | meaning | contract |",
        "|---|---|---|---|---|---|",
    ]
    for name, o in OUTCOMES.items():
        rows.append(
            f"| `{name}` | {_cell(o.unit)} | {o.side} | {BETTER.get(o.better, o.better)} | "
            f"{_cell(o.meaning)} | {'yes' if name in CONTRACT else ''} |"
        )
    rows += [
        "",
        "Per-county outcomes in `regions.parquet` (one row per step per county); an outcome of one "
        "side is missing (NaN) in the other side's rows.",
        "",
        "| metric | unit | side | better | meaning |",
        "|---|---|---|---|---|",
    ]
    for name, o in REGION_OUTCOMES.items():
        side = o.side if o.side != BOTH else "both"
        rows.append(
            f"| `{name}` | {_cell(o.unit)} | {side} | {BETTER.get(o.better, o.better)} | "
            f"{_cell(o.meaning)} |"
        )
    rows += [
        "",
        "County attributes in `regions.parquet` (the same at every step of a run), to regroup "
        "counties (docs/recipes.md).",
        "",
        "| column | unit | meaning |",
        "|---|---|---|",
    ]
    for name, (unit, meaning) in REGION_ATTRIBUTES.items():
        rows.append(f"| `{name}` | {_cell(unit)} | {_cell(meaning)} |")
    return "\n".join(rows)


BLOCKS = {"parameters": render_parameter_table, "metrics": render_metrics_table}


def _pattern(block: str) -> re.Pattern:
    return re.compile(rf"(<!-- {block}:start[^\n]*-->\n)(.*?)(<!-- {block}:end -->)", re.DOTALL)


def render(text: str) -> str:
    """``text`` with every generated block replaced by its current rendering."""
    for block, make in BLOCKS.items():
        pat = _pattern(block)
        if not pat.search(text):
            raise DocsError(
                f"no '<!-- {block}:start -->' ... '<!-- {block}:end -->' markers "
                "(each on its own line) in the documentation file."
            )
        body = make()
        text = pat.sub(lambda m, body=body: f"{m.group(1)}\n{body}\n\n{m.group(3)}", text, count=1)
    return text


def stale_blocks(path: Path | str = ODD_PATH) -> list[str]:
    """Names of the generated blocks of ``path`` that differ from the code (empty: up to date)."""
    text = Path(path).read_text(encoding="utf-8")
    fresh = render(text)
    return [
        b for b in BLOCKS if _pattern(b).search(text).group(2) != _pattern(b).search(fresh).group(2)
    ]


def is_up_to_date(path: Path | str = ODD_PATH) -> bool:
    return not stale_blocks(path)


def write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def update(path: Path | str = ODD_PATH) -> bool:
    """Rewrite the generated blocks of ``path`` in place (atomically); True if anything changed."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    fresh = render(text)
    if fresh == text:
        return False
    write_atomic(path, fresh)
    return True


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m sim.report.docs",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument(
        "--check", action="store_true", help="only check; exit 1 if the file is out of date"
    )
    ap.add_argument(
        "--file", type=Path, default=ODD_PATH, help=f"documentation file (default: {ODD_PATH})"
    )
    args = ap.parse_args(argv)
    try:
        if args.check:
            stale = stale_blocks(args.file)
            if stale:
                print(
                    f"{args.file}: out of date ({', '.join(stale)} table); run `python -m "
                    "sim.report.docs`.",
                    file=sys.stderr,
                )
                return 1
            print(f"{args.file}: up to date.")
            return 0
        changed = update(args.file)
    except (DocsError, OSError) as err:
        print(f"sim.report.docs: {args.file}: {err}", file=sys.stderr)
        return 2
    print(f"{args.file}: {'tables rewritten' if changed else 'already up to date'}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
