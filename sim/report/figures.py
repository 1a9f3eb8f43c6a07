"""Figures (matplotlib): human titles, units on every axis, shares in percent, every group
in its own colour, line style and marker, bands that say what they are; PNG and PDF."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.stats import mean_ci
from sim.report import labels

LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1))]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
BAND_ALPHA = 0.22


def _plt():
    import matplotlib.pyplot as plt  # imported here: plotting is optional for runs

    return plt


def style(i: int) -> dict:
    """Colour, line style and marker of the i-th group: groups differ even where lines overlap."""
    import matplotlib

    return {
        "color": matplotlib.colormaps["tab10"](i % 10),
        "linestyle": LINESTYLES[i % len(LINESTYLES)],
        "marker": MARKERS[i % len(MARKERS)],
    }


def _groups(df: pd.DataFrame, by: str) -> list:
    """Groups in their categorical order if ``by`` is categorical, else in order of appearance."""
    col = df[by]
    if isinstance(col.dtype, pd.CategoricalDtype):
        return [g for g in col.cat.categories if (col == g).any()]
    return list(dict.fromkeys(col))


def _group_name(by: str, g) -> str:
    if by == "scenario":
        return labels.scenario(g)
    return f"{labels.name(by)} = {labels.value(by, g)}"


def save(fig, path_stem: Path) -> list[Path]:
    """Save as PNG and PDF; returns the paths."""
    path_stem = Path(path_stem)
    path_stem.parent.mkdir(parents=True, exist_ok=True)
    import io

    from sim.runs.store import write_atomic

    out = []
    for ext in ("png", "pdf"):
        p = path_stem.with_suffix(f".{ext}")
        buf = io.BytesIO()
        fig.savefig(buf, format=ext, dpi=150, bbox_inches="tight")
        write_atomic(p, buf.getvalue())  # a killed report never leaves half a figure
        out.append(p)
    _plt().close(fig)
    return out


def time_of(df: pd.DataFrame) -> pd.Series:
    """Fractional calendar time of each row (year, plus the quarter or period within it)."""
    for period, per_year in (("quarter", 4), ("period", None)):
        if period in df.columns:
            per_year = per_year or int(df[period].max())
            return df["year"] + (df[period] - 1) / per_year
    return df["year"].astype(float)


def _stats(d: pd.DataFrame, x, metric: str) -> pd.DataFrame:
    """Mean and 95% CI of ``metric`` over the rows at each value of ``x``."""
    return (
        d.groupby(x, observed=True)[metric]
        .apply(lambda s: pd.Series(mean_ci(s.to_numpy(float)), index=["mean", "lo", "hi"]))
        .unstack()
    )


def _line(ax, stats: pd.DataFrame, i: int, name: str, markevery=None) -> None:
    st = style(i)
    ax.plot(stats.index, stats["mean"], label=name, lw=1.8, ms=4, markevery=markevery, **st)
    ax.fill_between(
        stats.index, stats["lo"], stats["hi"], color=st["color"], alpha=BAND_ALPHA, lw=0
    )
    for edge in ("lo", "hi"):  # thin edges keep a band readable where bands overlap
        ax.plot(stats.index, stats[edge], color=st["color"], lw=0.5, alpha=0.6)


def _plain(axis) -> None:
    """Tick labels as plain numbers with thousands separators (no offset, no 1e6 corner note)."""
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(
        FuncFormatter(lambda v, _pos: f"{v:,.10g}" if abs(v) < 1000 else f"{v:,.0f}")
    )


def _yaxis(ax, metric: str, values, difference: bool = False) -> float:
    """Label the y axis with name and unit; returns the display factor (shares in %, big yuan in
    millions)."""
    _plain(ax.yaxis)
    factor, millions = labels.scale(metric, values)
    ax.set_ylabel(labels.axis(metric, difference, millions))
    ax.set_title(labels.name(metric) + (" over baseline" if difference else ""), fontsize=10)
    return factor


def band_note(n_seeds: int) -> str:
    return f"lines: mean; shaded bands: 95% CI of the mean over {n_seeds} seeds"


def time_paths(
    timeseries: pd.DataFrame,
    metrics: list[str],
    by: str,
    title: str,
    ax_list=None,
    difference: bool = False,
):
    """Mean path of each metric by group (``by``) over seeds, with 95% CI bands.

    ``difference``: the values are differences from the baseline (labels say "over baseline").
    """
    from matplotlib.ticker import MaxNLocator

    plt = _plt()
    if ax_list is None:
        n = len(metrics)
        fig, ax_list = plt.subplots(
            1, n, figsize=(5.2 * n, 4.4), squeeze=False, layout="constrained"
        )
        ax_list = list(ax_list[0])
    fig = ax_list[0].figure
    ts = timeseries.assign(_t=time_of(timeseries))
    groups = _groups(ts, by)
    n_seeds = int(ts.groupby(by, observed=True)["seed"].nunique().min())
    every = max(1, ts["_t"].nunique() // 8)
    for ax, metric in zip(ax_list, metrics, strict=True):
        factor = _yaxis(ax, metric, ts[metric].to_numpy(float), difference)
        for gi, g in enumerate(groups):
            stats = _stats(ts[ts[by] == g], "_t", metric) * factor
            # staggered markers keep groups whose lines coincide apart
            _line(
                ax,
                stats,
                gi,
                _group_name(by, g),
                markevery=((gi * every) // max(len(groups), 1), every),
            )
        if difference:
            ax.axhline(0, color="0.3", lw=0.8)
        ax.set_xlabel("year")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    _legend(fig, ax_list[0], n_seeds)
    fig.suptitle(title, fontsize=11)
    return fig


def _legend(fig, ax, n_seeds: int) -> None:
    from matplotlib.patches import Patch

    handles, names = ax.get_legend_handles_labels()
    handles.append(Patch(color="0.6", alpha=BAND_ALPHA + 0.2))
    names.append(f"95% CI over {n_seeds} seeds")
    fig.legend(
        handles,
        names,
        loc="outside lower center",
        ncol=min(len(names), 4),
        fontsize=8,
        frameon=False,
    )


def gain_bands(
    ax_list, table: pd.DataFrame, metrics: list[str], scenarios: list, note: tuple[str, str]
) -> None:
    """Final-year gain over baseline of each scenario (rows) with both kinds of band: the seed-only
    95% CI at the point estimate (thick) and the 95% interval over parameter draws × seeds (thin).

    ``table``: :func:`sim.analysis.uncertainty.comparison_table`; ``scenarios``: all groups in
    colour order
    (baseline first, as in :func:`time_paths`); ``note``: the two bands' legend texts.
    """
    from matplotlib.lines import Line2D

    shown = [s for s in scenarios if str(s) != "baseline"]
    y = np.arange(len(shown))[::-1]
    for ax, m in zip(ax_list, metrics, strict=True):
        t = table[table["metric"] == m].set_index("scenario").reindex([str(s) for s in shown])
        factor, millions = labels.scale(m, t[["gain_lo", "gain_hi"]].to_numpy(float).ravel())
        for yi, s in zip(y, shown, strict=True):
            r, st = t.loc[str(s)], style(scenarios.index(s))
            for lo, mid, hi, dy, lw, mk in (
                ("gain_lo", "gain", "gain_hi", -0.15, 1.2, "o"),
                ("gain_point_lo", "gain_point", "gain_point_hi", 0.15, 4, "s"),
            ):
                ax.errorbar(
                    r[mid] * factor,
                    yi + dy,
                    xerr=[[(r[mid] - r[lo]) * factor], [(r[hi] - r[mid]) * factor]],
                    fmt=mk,
                    color=st["color"],
                    lw=lw,
                    ms=4,
                    capsize=0 if lw > 2 else 3,
                )
        ax.axvline(0, color="0.3", lw=0.8)
        ax.set_ylim(-0.6, len(shown) + 0.3)  # room for the legend above the top row
        ax.set_yticks(
            y,
            [
                f"{labels.scenario(s)}\nP(better) {t.loc[str(s), 'p_better_than_baseline']:.0%}"
                for s in shown
            ],
            fontsize=8,
        )
        ax.set_xlabel(labels.axis(m, difference=True, millions=millions))
        _plain(ax.xaxis)
        ax.set_title(f"{labels.name(m)} over baseline, last step of the run", fontsize=10)
        ax.grid(alpha=0.3, axis="x")
    handles = [
        Line2D([], [], color="0.3", lw=4, marker="s"),
        Line2D([], [], color="0.3", lw=1.2, marker="o"),
    ]
    ax_list[0].legend(handles, list(note), fontsize=7, loc="upper left", framealpha=0.8)


def response(summary: pd.DataFrame, x: str, metrics: list[str], by: str | None, title: str):
    """Final-year metric against a swept parameter ``x`` (mean, 95% CI over seeds), one line per
    ``by``."""
    plt = _plt()
    n = len(metrics)
    cols = min(n, 2)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(
        rows, cols, figsize=(5.4 * cols, 3.9 * rows + 0.6), squeeze=False, layout="constrained"
    )
    groups = _groups(summary, by) if by else [None]
    n_seeds = int(
        summary.groupby([x] + ([by] if by else []), observed=True)["seed"].nunique().min()
    )
    xf = 100.0 if labels.is_share(x) else 1.0
    for ax, metric in zip(axes.ravel(), metrics, strict=False):
        factor = _yaxis(ax, metric, summary[metric].to_numpy(float))
        for gi, g in enumerate(groups):
            d = summary if g is None else summary[summary[by] == g]
            stats = _stats(d, x, metric) * factor
            stats.index = stats.index.astype(float) * xf
            _line(ax, stats, gi, "final year" if g is None else _group_name(by, g))
        ax.set_xlabel(labels.axis(x))
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    _legend(fig, axes.ravel()[0], n_seeds)
    fig.suptitle(f"{title}\nfinal year; {band_note(n_seeds)}", fontsize=11)
    return fig


def points(table: pd.DataFrame, by: str, metrics: list[str], title: str, n_seeds: int):
    """Final-year mean and 95% CI of each metric for each value of a categorical ``by`` (from
    ci_table)."""
    plt = _plt()
    n = len(metrics)
    cols = min(n, 3)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(4.6 * cols, (0.45 * len(table) + 1.6) * rows + 0.6),
        squeeze=False,
        layout="constrained",
    )
    names = [_group_name(by, g) for g in table[by]]
    for ax, metric in zip(axes.ravel(), metrics, strict=False):
        factor = _yaxis(ax, metric, table[metric].to_numpy(float))
        _plain(ax.xaxis)
        ax.set_xlabel(ax.get_ylabel())
        ax.set_ylabel("")
        for i, (_, r) in enumerate(table.iterrows()):
            st = style(i)
            ax.errorbar(
                r[metric] * factor,
                i,
                xerr=[
                    [(r[metric] - r[f"{metric}_lo"]) * factor],
                    [(r[f"{metric}_hi"] - r[metric]) * factor],
                ],
                fmt=st["marker"],
                color=st["color"],
                capsize=3,
            )
        ax.set_yticks(range(len(names)), names if ax in axes[:, 0] else [""] * len(names))
        ax.set_ylim(len(names) - 0.4, -0.6)  # first group on top, with room around the points
        ax.grid(alpha=0.3, axis="x")
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    fig.suptitle(
        f"{title}\nfinal year; points: mean; bars: 95% CI of the mean over {n_seeds} seeds",
        fontsize=11,
    )
    return fig


def outline_units(ax, outlines, codes, values, cmap, norm, alpha: float = 0.9, names=()) -> int:
    """Fill each county of ``codes`` (or ``names``, where a code is unknown) with the colour of its
    value and draw its edge (the axes' first collection); the provinces' outer edges on top, also
    where no county outline ships. Returns the number of counties drawn (0: no county outlines
    for these codes)."""
    from matplotlib.collections import LineCollection, PolyCollection

    if outlines is None:
        return 0
    rings, owner = outlines.rings(codes, names)
    if rings:
        ax.add_collection(
            PolyCollection(
                rings,
                array=np.asarray(values, float)[owner],
                cmap=cmap,
                norm=norm,
                alpha=alpha,
                edgecolors="0.45",
                linewidths=0.3,
                zorder=1,
            )
        )
    if outlines.provinces:
        ax.add_collection(
            LineCollection(outlines.provinces, colors="0.15", linewidths=1.0, zorder=2)
        )
    ax.autoscale_view()
    return len(set(owner))


def label_extremes(ax, names, lon, lat, values, n: int = 2, fmt=None) -> list[str]:
    """Name the ``n`` units with the highest and the ``n`` with the lowest value, each label
    offset from its point towards the outside and dropped if it would overlap one placed before
    or leave the axes. Lay the figure out first (``fig.draw_without_rendering()``)."""
    import matplotlib.patheffects as pe

    values = np.asarray(values, float)
    order = np.argsort(values, kind="stable")
    picks = list(dict.fromkeys([*order[::-1][:n], *order[:n]]))
    cx, cy = float(np.mean(lon)), float(np.mean(lat))
    if not hasattr(ax.figure.canvas, "get_renderer"):  # a bare Figure (the dashboard's)
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(ax.figure)
    renderer = ax.figure.canvas.get_renderer()
    inside = ax.get_window_extent(renderer)
    placed, named = [], []
    for i in picks:
        x, y = float(lon[i]), float(lat[i])
        text = f"{names[i]} {fmt(values[i])}" if fmt else str(names[i])
        sx, sy = (1 if x >= cx else -1), (1 if y >= cy else -1)
        for dx, dy in ((sx, sy), (sx, -sy), (-sx, sy), (-sx, -sy)):
            where = {
                "xytext": (14 * dx, 12 * dy),
                "textcoords": "offset points",
                "fontsize": 7,
                "ha": "left" if dx > 0 else "right",
                "va": "bottom" if dy > 0 else "top",
            }
            probe = ax.annotate(text, (x, y), **where)  # measured without its leader line
            box = probe.get_window_extent(renderer)
            probe.remove()
            fits = (
                inside.x0 <= box.x0
                and box.x1 <= inside.x1
                and inside.y0 <= box.y0
                and box.y1 <= inside.y1
            )
            if fits and not any(box.overlaps(b) for b in placed):
                placed.append(box.expanded(1.05, 1.15))
                named.append(str(names[i]))
                ax.annotate(
                    text,
                    (x, y),
                    **where,
                    zorder=5,
                    arrowprops={"arrowstyle": "-", "lw": 0.6, "color": "0.2"},
                    path_effects=[pe.withStroke(linewidth=2.5, foreground="white")],
                )
                break
    return named


def label_counties(ax, counties: pd.DataFrame, values, n: int = 2, fmt=None) -> list[str]:
    """:func:`label_extremes` over a table of counties (its ``county``, ``lon`` and ``lat``
    columns, degrees) and their ``values``."""
    return label_extremes(
        ax,
        counties["county"].astype(str).to_numpy(),
        counties["lon"].to_numpy(float),
        counties["lat"].to_numpy(float),
        values,
        n=n,
        fmt=fmt,
    )


def degree_aspect(ax, lat: pd.Series) -> None:
    """Draw a map in longitude and latitude (degrees) with equal distances along both axes at the
    mean latitude of ``lat``."""
    ax.set_aspect(1 / np.cos(np.deg2rad(float(lat.mean()))))


def signed_scale(values) -> tuple[float, bool]:
    """Half-width of a colour scale symmetric about zero, and whether the values have both signs."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    if not v.size:
        return 1.0, False
    return max(float(np.max(np.abs(v))), 1e-9), bool((v < 0).any() and (v > 0).any())


def county_map(
    regions: pd.DataFrame,
    colour: str,
    size: str,
    by: str,
    title: str,
    note: str = "",
    outlines=None,
):
    """Western counties, one panel per group: each county filled by ``colour`` (its own scale per
    panel, symmetric about zero, printed on the panel's colour bar), a marker at its seat sized by
    ``size`` (filled: gain, open: loss), the province's edge, and the counties that gain most and
    least named.

    ``regions`` holds one row per group x county with code, county, lon, lat and the two value
    columns (differences over baseline). Without ``outlines`` (or codes they know) the counties
    are drawn as coloured seats.
    """
    plt = _plt()
    from matplotlib.colors import TwoSlopeNorm
    from matplotlib.lines import Line2D

    groups = _groups(regions, by)
    cols = min(len(groups), 3)
    rows = int(np.ceil(len(groups) / cols))
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(5.0 * cols, 4.6 * rows + 1.0),
        squeeze=False,
        layout="constrained",
        sharex=True,
        sharey=True,
    )
    cf, millions = labels.scale(colour, regions[colour].to_numpy(float))
    unit_note = labels.axis(colour, difference=True, millions=millions)
    top = max(float(np.nanmax(np.abs(regions[size]))), 1e-9)
    area = lambda v: 4 + 70 * np.abs(np.nan_to_num(v)) / top  # noqa: E731
    drawn, named = 0, []
    for ax, g in zip(axes.ravel(), groups, strict=False):
        d = regions[regions[by] == g].reset_index(drop=True)
        vals = d[colour].to_numpy(float) * cf
        span, _ = signed_scale(vals)
        norm = TwoSlopeNorm(vcenter=0.0, vmin=-span, vmax=span)
        codes = d["code"].astype(str) if "code" in d else []
        n = outline_units(ax, outlines, codes, vals, "RdBu", norm, names=d["county"].astype(str))
        drawn = max(drawn, n)
        if n:
            mappable = ax.collections[0]
        else:
            mappable = ax.scatter(
                d["lon"],
                d["lat"],
                c=vals,
                s=40,
                cmap="RdBu",
                norm=norm,
                edgecolors="0.25",
                linewidths=0.4,
                zorder=2,
            )
        sz = d[size].to_numpy(float)
        gain = sz >= 0
        ax.scatter(
            d["lon"][gain],
            d["lat"][gain],
            s=area(sz[gain]),
            color="0.15",
            alpha=0.6,
            linewidths=0,
            zorder=3,
        )
        ax.scatter(
            d["lon"][~gain],
            d["lat"][~gain],
            s=area(sz[~gain]),
            facecolors="none",
            edgecolors="black",
            linewidths=0.9,
            zorder=3,
        )
        fig.colorbar(mappable, ax=ax, shrink=0.7, pad=0.01, aspect=25).ax.tick_params(labelsize=7)
        ax.set_title(_group_name(by, g), fontsize=10)
        degree_aspect(ax, d["lat"])
        ax.tick_params(labelsize=7)
        named.append((ax, d, vals))
    for ax in axes.ravel()[len(groups) :]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("longitude (°E)")
    for ax in axes[:, 0]:
        ax.set_ylabel("latitude (°N)")
    handles = []
    for v in (top, top / 4):
        handles.append(
            Line2D(
                [],
                [],
                ls="",
                marker="o",
                ms=np.sqrt(area(v)),
                color="0.15",
                alpha=0.6,
                label=f"+{v:,.0f}",
            )
        )
    for v in (-top / 4, -top):
        handles.append(
            Line2D(
                [],
                [],
                ls="",
                marker="o",
                ms=np.sqrt(area(v)),
                mfc="none",
                mec="black",
                label=f"{v:,.0f} (loss)",
            )
        )
    fig.legend(
        handles=handles,
        title=f"markers: {labels.axis(size, difference=True)}",
        fontsize=7,
        title_fontsize=8,
        loc="outside lower center",
        ncols=4,
        frameon=False,
    )
    scale_note = (
        f"fill: {unit_note}, each panel on its own scale (colour bar beside it), "
        "blue = gain, red = loss; named: the two counties that gain most and least"
    )
    outline_note = "" if drawn else "; no county outlines for this geography: seats only"
    fig.suptitle("\n".join(filter(None, [title, note, scale_note + outline_note])), fontsize=10)
    fig.draw_without_rendering()  # labels are placed against the final layout
    for ax, d, vals in named:
        label_counties(
            ax, d, vals, n=2, fmt=lambda v: f"{v:+,.0f}" if abs(v) >= 100 else f"{v:+,.3g}"
        )
    return fig
