"""Tables for people: numbers scaled per column (bn / m yuan, thousands of persons, percent),
rounded to what the column can show, and rendered as Markdown (padded, so the same text reads
in a terminal) or HTML from one description.

A :class:`Table` holds a title, column headers and rows of already formatted cells;
:func:`column` formats one column of numbers (with optional intervals) on one scale.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import numpy as np

WIDTH = 100  # printed lines fit this many columns
COUNTS = ("persons", "firms", "jobs", "counties")


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]
    note: str = ""
    align_left: int = 1  # the first columns (names) are left-aligned, numbers right-aligned

    def markdown(self) -> str:
        widths = [
            max(len(h), *(len(r[i]) for r in self.rows)) if self.rows else len(h)
            for i, h in enumerate(self.headers)
        ]

        def line(cells):
            out = [
                c.ljust(w) if i < self.align_left else c.rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ]
            return "| " + " | ".join(out) + " |"

        rule = (
            "|"
            + "|".join(
                (":" if i < self.align_left else "")
                + "-" * (w + 1)
                + ("" if i < self.align_left else ":")
                for i, w in enumerate(widths)
            )
            + "|"
        )
        parts = [f"**{self.title}**", "", line(self.headers), rule, *(line(r) for r in self.rows)]
        if self.note:
            parts += ["", wrap(self.note)]
        return "\n".join(parts)

    def html(self) -> str:
        esc = html.escape
        head = "".join(f"<th>{esc(h)}</th>" for h in self.headers)
        body = "".join(
            "<tr>"
            + "".join(
                f'<td class="{"name" if i < self.align_left else "num"}">{esc(c)}</td>'
                for i, c in enumerate(r)
            )
            + "</tr>"
            for r in self.rows
        )
        note = f"<p class='note'>{esc(self.note)}</p>" if self.note else ""
        return (
            f"<h3>{esc(self.title)}</h3><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>{note}"
        )


@dataclass
class Document:
    """A report: a title and blocks (paragraph strings, headings as ``("h2", text)``, tables)."""

    title: str
    blocks: list = field(default_factory=list)

    def _render(self, table, heading, image, paragraph) -> list[str]:
        """Each block in one format: ``table(Table)``, ``heading(text)``, ``image(src, alt)``,
        ``paragraph(text)``."""
        out = []
        for b in self.blocks:
            if isinstance(b, Table):
                out.append(table(b))
            elif isinstance(b, tuple) and b[0] == "h2":
                out.append(heading(b[1]))
            elif isinstance(b, tuple) and b[0] == "img":
                out.append(image(b[1], b[2]))
            else:
                out.append(paragraph(b))
        return out

    def markdown(self) -> str:
        out = self._render(
            Table.markdown,
            lambda text: f"## {text}",
            lambda src, alt: f"![{alt}]({src})",
            wrap,
        )
        return "\n\n".join([f"# {self.title}", *out]) + "\n"

    def html(self) -> str:
        esc = html.escape
        out = self._render(
            Table.html,
            lambda text: f"<h2>{esc(text)}</h2>",
            lambda src, alt: f'<img src="{esc(src)}" alt="{esc(alt)}">',
            lambda text: f"<p>{esc(text)}</p>",
        )
        style = (
            "body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}"
            "table{border-collapse:collapse;margin:.5em 0}th,td{padding:.2em .6em;"
            "border-bottom:1px solid #ddd}"
            "td.num{text-align:right;font-variant-numeric:tabular-nums}"
            "th{text-align:left;background:#f4f4f4}.note{font-size:.9em;color:#444}img{max-width:100%}"
        )
        return (
            f"<!doctype html><html><head><meta charset='utf-8'><title>{esc(self.title)}</title>"
            f"<style>{style}</style></head><body><h1>{esc(self.title)}</h1>{''.join(out)}</body></html>\n"
        )


def wrap(text: str, width: int = WIDTH) -> str:
    import textwrap

    return "\n".join(textwrap.fill(p, width, break_on_hyphens=False) for p in text.split("\n"))


# (threshold, divisor, word) for yuan and for counts; the column's largest value picks one
_YUAN = ((1e9, 1e9, "bn yuan"), (1e6, 1e6, "m yuan"), (0, 1.0, "yuan"))
_COUNT = ((1e6, 1e6, "million"), (0, 1.0, ""))


def scale_for(values, unit: str) -> tuple[float, str]:
    """Divisor and unit text for a column of ``values`` in ``unit``: yuan in bn or m, shares in
    percentage points (``unit='pp'``) or percent (``'%'``), large counts in millions."""
    finite = np.abs(np.asarray(values, float))
    top = float(np.nanmax(finite)) if np.isfinite(finite).any() else 0.0
    if unit in ("pp", "%"):
        return 0.01, unit
    if unit.startswith("yuan"):
        rest = unit[len("yuan") :]
        for lim, div, word in _YUAN:
            if top >= lim:
                return div, word + rest
    for lim, div, word in _COUNT:
        if top >= lim:
            return div, (f"{word} {unit}".strip() if word else unit)
    return 1.0, unit


def decimals_for(values, divisor: float, digits: int = 3, most: int = 2) -> int:
    """Decimals that show ``digits`` significant digits of the column's largest value, negative for
    large values (10,022 → 10,000 beside 11,402 → 11,400), at most ``most`` (no float noise)."""
    a = np.abs(np.asarray(values, float)) / divisor
    top = float(np.nanmax(a)) if np.isfinite(a).any() and np.nanmax(a) > 0 else 1.0
    return min(most, digits - 1 - math.floor(math.log10(top)))


def number(v: float, divisor: float = 1.0, decimals: int = 0) -> str:
    if v is None or not np.isfinite(v):
        return "–"
    x = round(v / divisor, decimals)
    if x == 0:
        x = 0.0  # no "-0"
    return f"{x:,.{max(decimals, 0)}f}"


def column(central, lo=None, hi=None, unit: str = "", digits: int = 3) -> tuple[list[str], str]:
    """Formatted cells ``central [lo, hi]`` on one scale (the unit text for the header says which),
    each to ``digits`` significant digits of its central value; whole numbers for counts."""
    c = np.asarray(central, float)
    both = [c] + [np.asarray(x, float) for x in (lo, hi) if x is not None]
    div, text = scale_for(np.concatenate(both), unit)
    most = 3 if unit in ("pp", "%") else 0 if unit in COUNTS else 2
    dec = [decimals_for([v], div, digits, most) for v in c]
    if lo is None:
        return [number(v, div, d) for v, d in zip(c, dec, strict=True)], text
    return [
        f"{number(v, div, d)} [{number(a, div, d)}, {number(b, div, d)}]"
        for v, a, b, d in zip(c, lo, hi, dec, strict=True)
    ], text


def gain_column(gains, unit: str = "", div: float = 1.0) -> tuple[list[str], str]:
    """:func:`column` of gains with their intervals: a table's ``gain``, ``gain_lo`` and
    ``gain_hi`` (:func:`sim.analysis.uncertainty.gain_intervals`), in ``unit`` after dividing by
    ``div``."""
    return column(gains["gain"] / div, gains["gain_lo"] / div, gains["gain_hi"] / div, unit)


def percent(p: float) -> str:
    return "–" if p is None or not np.isfinite(p) else f"{100 * p:.0f}%"


def print_wide(table, digits: int = 4) -> None:
    """Print a pandas table in full on a wide terminal, numbers to ``digits`` significant digits
    (the command-line studies' summaries)."""
    import pandas as pd

    with pd.option_context(
        "display.width",
        200,
        "display.max_columns",
        None,
        "display.float_format",
        f"{{:,.{digits}g}}".format,
    ):
        print(table)
