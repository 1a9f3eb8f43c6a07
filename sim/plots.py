"""Figures (matplotlib): titled, axes with units, bands that say what they are; PNG and PDF."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .metrics import METRICS
from .stats import mean_ci


def _plt():
    import matplotlib.pyplot as plt  # imported here: plotting is optional for runs

    return plt


def label(metric: str, scale: float = 1.0) -> str:
    unit = METRICS.get(metric, ("", ""))[0]
    if scale == 1e6:
        unit = f"million {unit}"
    return f"{metric.replace('_', ' ')} ({unit})" if unit else metric


def _axis(ax, metric: str, values) -> None:
    """Label the y axis with units; money in millions when values are large."""
    big = METRICS.get(metric, ("",))[0].startswith("yuan") and np.nanmax(np.abs(values)) >= 1e7
    if big:
        from matplotlib.ticker import FuncFormatter

        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v / 1e6:,.0f}"))
    ax.set_ylabel(label(metric, 1e6 if big else 1.0))


def _groups(df: pd.DataFrame, by: str) -> list:
    """Groups in their categorical order if ``by`` is categorical, else in order of appearance."""
    col = df[by]
    if isinstance(col.dtype, pd.CategoricalDtype):
        return [g for g in col.cat.categories if (col == g).any()]
    return list(dict.fromkeys(col))


def save(fig, path_stem: Path) -> list[Path]:
    """Save as PNG and PDF; returns the paths."""
    path_stem = Path(path_stem)
    path_stem.parent.mkdir(parents=True, exist_ok=True)
    out = []
    for ext in ("png", "pdf"):
        p = path_stem.with_suffix(f".{ext}")
        fig.savefig(p, dpi=150, bbox_inches="tight")
        out.append(p)
    return out


def time_paths(timeseries: pd.DataFrame, metrics: list[str], by: str, title: str, ax_list=None):
    """Mean path of each metric by group (``by``) over seeds, with 95% CI bands."""
    plt = _plt()
    n = len(metrics)
    if ax_list is None:
        fig, ax_list = plt.subplots(1, n, figsize=(5.2 * n, 4.0), squeeze=False)
        ax_list = ax_list[0]
    else:
        fig = ax_list[0].figure
    groups = _groups(timeseries, by)
    colors = plt.get_cmap("tab10")
    n_seeds = timeseries.groupby(by, observed=True)["seed"].nunique().min()
    for ax, metric in zip(ax_list, metrics, strict=True):
        for gi, g in enumerate(groups):
            d = timeseries[timeseries[by] == g]
            stats = d.groupby("year")[metric].apply(lambda s: pd.Series(mean_ci(s.to_numpy()), index=["mean", "lo", "hi"])).unstack()
            ax.plot(stats.index, stats["mean"], color=colors(gi), label=str(g), lw=1.8)
            ax.fill_between(stats.index, stats["lo"], stats["hi"], color=colors(gi), alpha=0.2, lw=0)
        ax.set_xlabel("year")
        _axis(ax, metric, timeseries[metric].to_numpy(float))
        ax.grid(alpha=0.3)
        ax.set_title(metric.replace("_", " "))
    ax_list[0].legend(title=by, fontsize=8)
    for ax in ax_list[1:]:
        if ax.get_legend():
            ax.get_legend().remove()
    fig.suptitle(f"{title}\nlines: mean; bands: 95% CI over {n_seeds} seeds", fontsize=10)
    fig.tight_layout()
    return fig


def response(summary: pd.DataFrame, x: str, metrics: list[str], by: str | None, title: str):
    """Final-year metric against a swept parameter ``x`` (mean, 95% CI over seeds), one line per ``by``."""
    plt = _plt()
    n = len(metrics)
    cols = min(n, 2)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.8 * rows), squeeze=False)
    groups = _groups(summary, by) if by else [None]
    colors = plt.get_cmap("viridis")
    n_seeds = summary.groupby([x] + ([by] if by else []))["seed"].nunique().min()
    for ax, metric in zip(axes.ravel(), metrics, strict=False):
        for gi, g in enumerate(groups):
            d = summary if g is None else summary[summary[by] == g]
            stats = d.groupby(x)[metric].apply(lambda s: pd.Series(mean_ci(s.to_numpy()), index=["mean", "lo", "hi"])).unstack()
            c = colors(gi / max(len(groups) - 1, 1))
            ax.plot(stats.index, stats["mean"], marker="o", ms=3, color=c, label=None if g is None else f"{by}={g}")
            ax.fill_between(stats.index, stats["lo"], stats["hi"], color=c, alpha=0.2, lw=0)
        ax.set_xlabel(label(x) if x in METRICS else x)
        _axis(ax, metric, summary[metric].to_numpy(float))
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    if by:
        axes.ravel()[0].legend(fontsize=8)
    fig.suptitle(f"{title}\nfinal year; lines: mean; bands: 95% CI over {n_seeds} seeds", fontsize=10)
    fig.tight_layout()
    return fig
