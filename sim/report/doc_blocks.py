"""Every figure quoted in README.md and docs/: which command recomputes it, and from what.

One registry (``BLOCKS``) names each generated part of a document, the command that
recomputes it and the input files its figures depend on. The document holds the block between
marker comments that record a digest of those inputs::

    <!-- decisions:document by="python experiments/firm_decisions.py" inputs=3f2a9c1b2e4d5f60 -->
    <!-- parameters:start by="python -m sim.report.docs" inputs=... -->
    ...
    <!-- parameters:end -->

A ``:document`` marker (first line) covers the whole file. When the digest of the inputs
differs from the recorded one, the block's figures are older than the code or data they
describe: ``check`` reports it, with the command that refreshes it, and
``tests/system/test_doc_freshness.py`` fails. ``make docs`` reruns the commands (slow ones only
with ``SLOW=1``); a block it cannot recompute (a *reading*: figures transcribed by hand from a
command's output, or a slow command not rerun) it marks in the document as an older reading, with
the date, so a reader sees it::

    python -m sim.report.doc_blocks check             # list stale blocks; exit 1 if any is unmarked
    python -m sim.report.doc_blocks run [--doc decisions] [--slow] [--stamp-only]
    python -m sim.report.doc_blocks stamp NAME ...    # after refreshing a reading by hand
    python -m sim.report.doc_blocks list              # the inventory

Which inputs count: the model's code and parameters (``sim/model``, ``sim/params``, the world
loaders and ``sim/world/sectors.yaml``), the configs a run composes, the data files of each
geography a block runs (its calibration point and draws included), and the block's own script
and the analysis code it calls. Not counted: documentation, tests, map outlines and the
geographies' source lists. In Python inputs comments, docstrings and blank lines do not count,
so rewording them leaves the figures fresh; any change to code does not.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import functools
import hashlib
import io
import os
import re
import subprocess
import sys
import time
import tokenize
from dataclasses import dataclass, replace
from pathlib import Path

from sim.runs.store import write_atomic as _write_bytes

ROOT = Path(__file__).resolve().parents[2]

# --- the inputs, by concept ------------------------------------------------------------------

MODEL = (
    "sim/model/**/*.py",
    "sim/params/**/*.py",
    "sim/world/*.py",
    "sim/world/sectors.yaml",
    "configs/config.yaml",
    "configs/scenario/*.yaml",
    "configs/channel/*.yaml",
    "configs/calibration/*.yaml",
)
# sweeps through Hydra (make run, make figures, the sensitivity designs, the tax share sweep)
SWEEPS = ("sim/run.py", "sim/runs/*.py", "sim/hydra/**/*.py", "sim/studies/*.py", "sim/api.py")
ANALYSIS = ("sim/analysis/*.py",)
CALIBRATION_CODE = ("sim/analysis/calibration/*.py",)
REPORT = ("sim/report/figures.py", "sim/report/labels.py", "sim/report/tables.py")  # not this file


def world(geo: str) -> tuple[str, ...]:
    """The data files a run of geography ``geo`` reads (its calibration point and draws
    included; the map outlines, raw inputs and source list are not read by runs)."""
    return (
        f"configs/geography/{geo}.yaml",
        f"sim/world/{geo}/geography.yaml",
        f"sim/world/{geo}/key_counties.yaml",
        f"sim/world/{geo}/start_income.csv",
        f"sim/world/{geo}/counties.csv",
        f"sim/world/{geo}/east_counties.csv",
        f"sim/world/{geo}/point.yaml",
        f"sim/world/{geo}/draws.yaml",
        f"sim/world/{geo}/calibration.yaml",
        f"sim/world/{geo}/targets.yaml",
        f"sim/world/{geo}/influential.yaml",
    )


DEFAULT = (*MODEL, *world("shanghai_yunnan"))  # the shipped defaults (Shanghai–Yunnan)
ALL_GEOGRAPHIES = (*DEFAULT, *world("fujian_ningxia"), *world("northeast"))


@dataclass(frozen=True)
class Block:
    """One generated part of a document.

    ``kind``: ``script`` (the command rewrites the block or the whole document itself),
    ``stdout`` (the command prints the block's body) or ``reading`` (figures transcribed by hand
    from the command's output; ``make docs`` cannot rewrite them). ``slow``: not rerun by
    ``make docs`` unless asked (``SLOW=1``). ``after``: blocks whose command must run first.
    """

    name: str
    doc: str
    command: str
    inputs: tuple[str, ...]
    kind: str = "reading"
    slow: bool = False
    after: tuple[str, ...] = ()
    # about how long the command takes on 2 cores (measured for the blocks `make docs` reruns,
    # docs/reliability.md; an estimate from the script's own docs for the others)
    minutes: float = 0.0


def write_atomic(path: Path, text: str) -> None:
    _write_bytes(path, text.encode("utf-8"))


# Blocks filled from one command's output (each has a twin below, the same command and inputs)
_PARK_DEBT = Block(
    "odd.park_debt",
    "docs/ODD.md",
    "python experiments/park_growth.py",
    (*DEFAULT, "experiments/park_growth.py"),
    after=("calibration.fit",),
    minutes=1,
)
_SKILLS = Block(
    "odd.skills",
    "docs/ODD.md",
    "python experiments/skills_channel.py",
    (*DEFAULT, "sim/studies/channels.py", "experiments/skills_channel.py"),
    after=("calibration.fit",),
    minutes=2,
)
_BENCHMARKS = Block(
    "benchmarks",
    "docs/benchmarks.md",
    "make bench",
    (*MODEL, *world("shanghai_yunnan"), *SWEEPS, "benchmarks/*.py"),
    kind="script",
    slow=True,
    minutes=17,
)

# Order matters only through ``after``; the calibration comes first because the defaults of
# every other block are its point estimate.
BLOCKS: tuple[Block, ...] = (
    Block(
        "calibration.fit",
        "docs/calibration.md",
        "make calibrate",
        (*DEFAULT, *CALIBRATION_CODE),
        slow=True,
        minutes=35,
    ),
    Block(
        "calibration.out_of_sample",
        "docs/calibration.md",
        "python experiments/out_of_sample.py 5 --markdown",
        (*ALL_GEOGRAPHIES, *CALIBRATION_CODE, "experiments/out_of_sample.py"),
        kind="stdout",
        after=("calibration.fit",),
        minutes=0.4,
    ),
    Block(
        "calibration.out_of_sample_notes",
        "docs/calibration.md",
        "python experiments/out_of_sample.py 5",
        (*ALL_GEOGRAPHIES, *CALIBRATION_CODE, "experiments/out_of_sample.py"),
        after=("calibration.fit",),
        minutes=2,
    ),
    Block(
        "odd.patterns",
        "docs/ODD.md",
        "make calibrate && python experiments/firm_decisions.py",
        (*DEFAULT, *CALIBRATION_CODE, "sim/analysis/decisions.py", "experiments/firm_decisions.py"),
        after=("calibration.fit", "decisions"),
        slow=True,
        minutes=37,
    ),
    Block(
        "parameters",
        "docs/ODD.md",
        "python -m sim.report.docs",
        ("sim/params/**/*.py", "sim/report/docs.py"),
        kind="script",
    ),
    Block(
        "metrics",
        "docs/ODD.md",
        "python -m sim.report.docs",
        ("sim/model/metrics.py", "sim/report/docs.py"),
        kind="script",
    ),
    Block(
        "evidence.governance",
        "docs/evidence.md",
        "python experiments/governance_share.py",
        (*DEFAULT, "sim/analysis/paired.py", "experiments/governance_share.py"),
        kind="stdout",
        after=("calibration.fit",),
        minutes=1.3,
    ),
    Block(
        "odd.start_income",
        "docs/ODD.md",
        "python experiments/labour_binding.py",
        (*DEFAULT, "experiments/labour_binding.py"),
        after=("calibration.fit",),
        minutes=1,
    ),
    _PARK_DEBT,
    replace(_PARK_DEBT, name="odd.park_growth"),
    _SKILLS,
    Block(
        "odd.labour_binding",
        "docs/ODD.md",
        "python experiments/labour_binding.py && "
        "python experiments/labour_binding.py --geography fujian_ningxia",
        (*DEFAULT, *world("fujian_ningxia"), "experiments/labour_binding.py"),
        after=("calibration.fit",),
        minutes=2,
    ),
    Block(
        "odd.channel_costs",
        "docs/ODD.md",
        "python experiments/channel_costs.py",
        (*DEFAULT, *SWEEPS, *ANALYSIS, "experiments/channel_costs.py"),
        after=("calibration.fit",),
        minutes=3,
    ),
    Block(
        "odd.tax_share_sweep",
        "docs/ODD.md",
        "python -m sim.run -m experiment=tax_share_sweep",
        (*DEFAULT, *SWEEPS, *ANALYSIS, "configs/experiment/tax_share_sweep.yaml"),
        after=("calibration.fit",),
        slow=True,
        minutes=10,
    ),
    Block(
        "decisions",
        "docs/decisions.md",
        "python experiments/firm_decisions.py",
        (*DEFAULT, "sim/analysis/decisions.py", "sim/api.py", "experiments/firm_decisions.py"),
        kind="script",
        after=("calibration.fit",),
        minutes=1.8,
    ),
    Block(
        "evidence.decisions",
        "docs/evidence.md",
        "python experiments/firm_decisions.py && python experiments/local_wage_elasticity.py",
        (
            *DEFAULT,
            "sim/analysis/decisions.py",
            "sim/api.py",
            "experiments/firm_decisions.py",
            "experiments/local_wage_elasticity.py",
        ),
        after=("decisions",),
        minutes=3,
    ),
    replace(_SKILLS, name="evidence.skills", doc="docs/evidence.md"),
    Block(
        "evidence.cost_gaps",
        "docs/evidence.md",
        "python experiments/cost_gaps.py",
        (*ALL_GEOGRAPHIES, "experiments/cost_gaps.py"),
    ),
    Block(
        "data.cost_gaps",
        "docs/data.md",
        "python experiments/cost_gaps.py --markdown",
        (*ALL_GEOGRAPHIES, "experiments/cost_gaps.py"),
        kind="stdout",
        minutes=0.1,
    ),
    Block(
        "readme.figures",
        "README.md",
        "make figures",
        (
            *DEFAULT,
            *SWEEPS,
            *ANALYSIS,
            *REPORT,
            "configs/experiment/policy_comparison.yaml",
        ),
        kind="script",
        after=("calibration.fit",),
        minutes=2,
    ),
    Block(
        "sensitivity.policy_comparison",
        "docs/sensitivity.md",
        "make figures",
        (*DEFAULT, *SWEEPS, *ANALYSIS, "configs/experiment/policy_comparison.yaml"),
        after=("readme.figures",),
        minutes=2,
    ),
    Block(
        "sensitivity.morris",
        "docs/sensitivity.md",
        "make sensitivity",
        (*DEFAULT, *SWEEPS, *ANALYSIS, "configs/experiment/sensitivity_morris.yaml"),
        after=("calibration.fit",),
        slow=True,
        minutes=25,
    ),
    Block(
        "sensitivity.sobol",
        "docs/sensitivity.md",
        "make sensitivity-sobol",
        (*DEFAULT, *SWEEPS, *ANALYSIS, "configs/experiment/sensitivity_sobol.yaml"),
        after=("sensitivity.morris",),
        slow=True,
        minutes=10,
    ),
    Block(
        "policy_search",
        "docs/policy_search.md",
        "python experiments/policy_search.py",
        (*DEFAULT, *SWEEPS, *ANALYSIS, "experiments/policy_search.py"),
        slow=True,
        minutes=10,
    ),
    # a reading of the benchmarks' figures
    replace(
        _BENCHMARKS, name="readme.scaling", doc="README.md", kind="reading", after=("benchmarks",)
    ),
    _BENCHMARKS,
)


def by_name() -> dict[str, Block]:
    return {b.name: b for b in BLOCKS}


def ordered(blocks=BLOCKS) -> list[Block]:
    """``blocks`` in an order where each comes after the blocks it names in ``after``."""
    names = {b.name: b for b in BLOCKS}
    done: list[Block] = []

    def visit(b: Block, path: tuple[str, ...] = ()) -> None:
        if b in done:
            return
        if b.name in path:
            raise ValueError(f"doc blocks depend on each other in a circle: {path}")
        for dep in b.after:
            visit(names[dep], (*path, b.name))
        done.append(b)

    for b in BLOCKS:
        visit(b)
    wanted = set(blocks)
    return [b for b in done if b in wanted]


# --- the digest ------------------------------------------------------------------------------


def _python_tokens(text: str) -> str:
    """The code of a Python file without comments, docstrings and blank lines or layout."""
    out: list[str] = []
    prev = tokenize.NEWLINE
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return text
    for i, tok in enumerate(tokens):
        if tok.type in (tokenize.COMMENT, tokenize.NL):
            continue
        # a string standing alone as a statement (a docstring) does not change what runs
        nxt = tokens[i + 1].type if i + 1 < len(tokens) else tokenize.ENDMARKER
        if (
            tok.type == tokenize.STRING
            and prev in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
            and nxt in (tokenize.NEWLINE, tokenize.ENDMARKER)
        ):
            continue
        if tok.type in (tokenize.INDENT, tokenize.DEDENT):
            out.append(f"<{tok.type}>")
        else:
            out.append(tok.string)
        prev = tok.type
    return " ".join(out)


def input_files(block: Block, root: Path = ROOT) -> list[Path]:
    files: set[Path] = set()
    for pattern in block.inputs:
        files.update(p for p in root.glob(pattern) if p.is_file() and "__pycache__" not in p.parts)
    return sorted(files)


@functools.lru_cache(maxsize=4096)
def _file_hash(path: Path, mtime_ns: int, size: int) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".py":
        data = _python_tokens(data.decode("utf-8")).encode("utf-8")
    return hashlib.sha256(data).digest()


def digest(block: Block, root: Path = ROOT) -> str:
    """16 hex digits of SHA-256 over the block's input files (path and content)."""
    h = hashlib.sha256()
    for path in input_files(block, root):
        st = path.stat()
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(_file_hash(path, st.st_mtime_ns, st.st_size))
    return h.hexdigest()[:16]


# --- markers in the documents ----------------------------------------------------------------

_ATTR = re.compile(r'(\w+)=("[^"]*"|\S+)')


class BlockError(ValueError):
    """A document lacks a block's markers (the message names the block and the document)."""


def _marker(name: str) -> re.Pattern:
    n = re.escape(name)
    return re.compile(rf"^([ \t]*)<!-- {n}:(start|document)((?: [^\n]*?)?) -->$", re.MULTILINE)


def read_marker(text: str, name: str) -> dict[str, str] | None:
    """The attributes of block ``name``'s opening marker in ``text`` (None: no marker)."""
    m = _marker(name).search(text)
    if not m:
        return None
    attrs = {k: v.strip('"') for k, v in _ATTR.findall(m.group(3))}
    attrs["_kind"] = m.group(2)
    return attrs


def _marker_line(name: str, where: str, block: Block, inputs: str, older: str | None) -> str:
    line = f'<!-- {name}:{where} by="{block.command}" inputs={inputs}'
    return line + (f" older={older} -->" if older else " -->")


OLDER_NOTE = "> **Older reading ({date}).** The code or data these figures depend on changed"


def _older_note(block: Block, date: str) -> str:
    return (
        OLDER_NOTE.format(date=date) + " after they were made; refresh with "
        f"`{block.command}` (then `python -m sim.report.doc_blocks stamp {block.name}`)."
    )


def set_marker(text: str, block: Block, inputs: str, older: str | None = None) -> str:
    """``text`` with ``block``'s marker recording ``inputs`` (and the older-reading note when
    ``older`` is a date; without it, any such note is removed)."""
    m = _marker(block.name).search(text)
    if not m:
        raise BlockError(
            f"{block.doc}: no '<!-- {block.name}:start ... -->' ... '<!-- {block.name}:end -->' "
            f"markers (or '<!-- {block.name}:document ... -->' on the first line)."
        )
    indent, where = m.group(1), m.group(2)
    head = indent + _marker_line(block.name, where, block, inputs, older)
    rest = text[m.end() :]
    # the note is a quoted line and a blank line, so the text after it stays its own paragraph
    note = re.compile(rf"\n{indent}> \*\*Older reading \([^)]*\)\.\*\*[^\n]*\n(?=\n)")
    if rest.startswith(f"\n{indent}> **Older reading"):
        rest = note.sub("", rest, count=1)
    if older:
        rest = f"\n{indent}" + _older_note(block, older) + "\n" + rest
    return text[: m.start()] + head + rest


def replace_body(text: str, block: Block, body: str) -> str:
    """``text`` with what lies between ``block``'s start and end markers replaced by ``body``."""
    n = re.escape(block.name)
    pat = re.compile(
        rf"(^[ \t]*<!-- {n}:start[^\n]*-->\n)(.*?)(^[ \t]*<!-- {n}:end -->)", re.M | re.S
    )
    if not pat.search(text):
        raise BlockError(f"{block.doc}: no start and end markers of block {block.name}")
    return pat.sub(lambda m: f"{m.group(1)}\n{body.strip()}\n\n{m.group(3)}", text, count=1)


# --- check, run, stamp -----------------------------------------------------------------------


@dataclass(frozen=True)
class Status:
    block: Block
    recorded: str | None  # None: the document has no marker
    current: str
    older: str | None  # the date of an older-reading mark

    @property
    def fresh(self) -> bool:
        return self.recorded == self.current

    @property
    def failing(self) -> bool:
        """Stale and not marked as an older reading (or no marker at all)."""
        return self.recorded is None or (not self.fresh and not self.older)

    def message(self) -> str:
        b = self.block
        if self.recorded is None:
            return f"{b.name} ({b.doc}): no marker in the document"
        what = "marked as an older reading" if self.older else "STALE"
        return (
            f"{b.name} ({b.doc}): {what}: its figures are from inputs {self.recorded}, the "
            f"inputs are now {self.current}; refresh with `{b.command}`"
            + (
                ""
                if b.kind != "reading"
                else f", update the text, then stamp it (`{STAMP} {b.name}`)"
            )
        )


STAMP = "python -m sim.report.doc_blocks stamp"
READINGS_DIR = Path("results") / "doc_readings"


def status(blocks=BLOCKS, root: Path = ROOT) -> list[Status]:
    texts: dict[str, str] = {}
    out = []
    for b in blocks:
        if b.doc not in texts:
            texts[b.doc] = (root / b.doc).read_text(encoding="utf-8")
        attrs = read_marker(texts[b.doc], b.name)
        recorded = attrs.get("inputs") if attrs else None
        older = attrs.get("older") if attrs else None
        out.append(Status(b, recorded, digest(b, root), older))
    return out


def stamp(block: Block, root: Path = ROOT, older: str | None = None) -> bool:
    """Record the current digest of ``block``'s inputs in its document; True if it changed."""
    path = root / block.doc
    text = path.read_text(encoding="utf-8")
    if block.kind == "script" and read_marker(text, block.name) is None:
        # a script that rewrote the whole document dropped the marker: put it back first
        text = f'<!-- {block.name}:document by="{block.command}" inputs=none -->\n' + text
    new = set_marker(text, block, digest(block, root), older)
    if new != text:
        write_atomic(path, new)
    return new != text


def mark_older(block: Block, root: Path = ROOT, today: str | None = None) -> bool:
    """Mark a stale block of ``path`` as an older reading, keeping its recorded digest."""
    path = root / block.doc
    text = path.read_text(encoding="utf-8")
    attrs = read_marker(text, block.name) or {}
    if attrs.get("older"):
        return False
    date = today or _dt.date.today().isoformat()
    new = set_marker(text, block, attrs.get("inputs", "none"), date)
    write_atomic(path, new)
    return True


def _shell(command: str) -> str:
    py = sys.executable
    return re.sub(r"(^|&& )python ", rf"\1{py} ", command)


def _env() -> dict[str, str]:
    """The environment for a block's command: without the make variables of ``make docs``
    (its ARGS would reach ``make figures`` through MAKEFLAGS)."""
    drop = {"MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES", "MAKELEVEL", "ARGS", "DOC", "SLOW", "READINGS"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def _run_command(block: Block, head: str, root: Path, **streams) -> subprocess.CompletedProcess:
    """``block``'s command, run in ``root`` (``streams``: its ``stdout``/``stderr``); a failure is
    reported on stderr, the caller stops."""
    res = subprocess.run(
        _shell(block.command), shell=True, cwd=root, env=_env(), text=True, **streams
    )
    if res.returncode:
        print(f"{head}: FAILED (exit {res.returncode}): {block.command}", file=sys.stderr)
    return res


def run(
    blocks,
    *,
    slow: bool = False,
    stamp_only: bool = False,
    force: bool = False,
    readings: bool = False,
    root: Path = ROOT,
) -> int:
    """Recompute the stale blocks of ``blocks`` (all of them with ``force``) in dependency order
    and record their digests. Readings and (unless ``slow``) slow blocks are not rerun: when
    stale they are marked as older readings; with ``readings`` the commands of stale readings
    run too, their output saved under ``READINGS_DIR`` to transcribe from."""
    todo = ordered(blocks)
    t_all = time.monotonic()
    done_commands: dict[str, str] = {}
    for i, b in enumerate(todo, 1):
        st = status([b], root)[0]
        head = f"[{i}/{len(todo)}] {b.name} ({b.doc})"
        if stamp_only:
            if st.older:  # an older reading stays one until it is refreshed and stamped by name
                print(f"{head}: left marked as an older reading", flush=True)
                continue
            stamp(b, root)
            print(f"{head}: stamped {st.current}", flush=True)
            continue
        rerun = b.kind != "reading" and (slow or not b.slow)
        if rerun and st.fresh and not force and b.command not in done_commands:
            print(f"{head}: up to date", flush=True)
            continue
        if not rerun:
            if st.fresh:
                print(f"{head}: up to date", flush=True)
            elif mark_older(b, root):
                print(
                    f"{head}: stale, marked as an older reading; refresh: {b.command}", flush=True
                )
            else:
                print(f"{head}: stale (already marked older); refresh: {b.command}", flush=True)
            if (
                readings
                and b.kind == "reading"
                and (force or not st.fresh)
                and (slow or not b.slow)
            ):
                # the output to transcribe from; the text stays marked until stamped by hand
                out_path = root / READINGS_DIR / f"{b.name}.txt"
                out_path.parent.mkdir(parents=True, exist_ok=True)
                print(f"{head}: {b.command} > {out_path.relative_to(root)} ...", flush=True)
                res = _run_command(b, head, root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                write_atomic(out_path, res.stdout)
                if res.returncode:
                    return 1
            continue
        t0 = time.monotonic()
        if b.command in done_commands:
            out = done_commands[b.command]
        else:
            print(f"{head}: {b.command} (about {b.minutes:g} min) ...", flush=True)
            res = _run_command(
                b, head, root, stdout=subprocess.PIPE if b.kind == "stdout" else None
            )
            if res.returncode:
                return 1
            out = res.stdout or ""
            done_commands[b.command] = out
        if b.kind == "stdout":
            path = root / b.doc
            write_atomic(path, replace_body(path.read_text(encoding="utf-8"), b, out))
        stamp(b, root)
        print(f"{head}: done in {time.monotonic() - t0:.0f} s", flush=True)
    print(f"doc blocks: {len(todo)} in {(time.monotonic() - t_all) / 60:.1f} min", flush=True)
    return 0


def check(blocks=BLOCKS, root: Path = ROOT) -> int:
    sts = status(blocks, root)
    for st in sts:
        if not st.fresh:
            print(st.message(), file=sys.stderr if st.failing else sys.stdout)
    failing = [s for s in sts if s.failing]
    print(
        f"doc blocks: {len(sts)}, {sum(s.fresh for s in sts)} up to date, "
        f"{sum(not s.fresh and not s.failing for s in sts)} marked older, {len(failing)} stale"
    )
    return 1 if failing else 0


def _select(names, doc) -> list[Block]:
    table = by_name()
    if names:
        unknown = [n for n in names if n not in table]
        if unknown:
            raise SystemExit(f"unknown doc blocks: {unknown}; known: {sorted(table)}")
        return [table[n] for n in names]
    if doc:
        chosen = [b for b in BLOCKS if Path(b.doc).stem.lower() == doc.lower()]
        if not chosen:
            docs = sorted({Path(b.doc).stem for b in BLOCKS})
            raise SystemExit(f"no doc blocks in a document named {doc!r}; documents: {docs}")
        return chosen
    return list(BLOCKS)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m sim.report.doc_blocks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("check", "run", "stamp", "list"):
        p = sub.add_parser(name)
        p.add_argument("names", nargs="*", help="block names (default: all)")
        p.add_argument("--doc", help="only the blocks of this document (e.g. decisions, ODD)")
        if name == "run":
            p.add_argument("--slow", action="store_true", help="rerun slow blocks too")
            p.add_argument(
                "--stamp-only", action="store_true", help="record digests, rerun nothing"
            )
            p.add_argument("--force", action="store_true", help="rerun blocks already up to date")
            p.add_argument(
                "--readings",
                action="store_true",
                help=f"also run the commands of stale readings, output to {READINGS_DIR}/",
            )
    args = ap.parse_args(argv)
    blocks = _select(args.names, args.doc)
    if args.cmd == "check":
        return check(blocks)
    if args.cmd == "run":
        return run(
            blocks,
            slow=args.slow,
            stamp_only=args.stamp_only,
            force=args.force,
            readings=args.readings,
        )
    if args.cmd == "stamp":
        for b in blocks:
            stamp(b)
            print(f"{b.name} ({b.doc}): stamped {digest(b)}")
        return 0
    for b in ordered(blocks):
        flags = ", ".join(f for f in (b.kind, "slow" if b.slow else "") if f)
        print(f"{b.name:32} {b.doc:22} {flags:16} {b.command}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
