"""What firms' location options are worth in measured money (docs/ODD.md §7.3).

``option_gains(model)`` scores, for every firm at home, a branch and a full move into
every western park — with the model's own mechanism (``location.option_values``),
capital, set-up, taxes and freight included, the firm's taste left out — and
returns the best of each as a gain over staying (share of output a year). It
answers "which firms have a reason to move, and by how much", independently of the
logit's taste draws and of which parks a firm happens to consider.

    from sim.analysis.decisions import option_gains, by_sector
    gains = option_gains(sim.TransferModel(cfg))
    by_sector(gains)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.model import phases
from sim.model.mechanisms import location

if TYPE_CHECKING:
    from sim.model.transfer import TransferModel

CHUNK = 2_000  # firms scored at once (memory: firms × parks × 2 options)


def option_gains(model: TransferModel, *, chunk: int = CHUNK) -> pd.DataFrame:
    """Best measured gain over staying of a branch and of a full move, per firm at home.

    One row per active home firm: ``firm``, ``sector``, ``branch_gain``/``move_gain``
    (share of output/year; capital and set-up costs at the cost of capital, holiday
    rebates and the switching cost included, taste excluded), ``best_gain`` (the
    larger), ``best_park`` (its park), ``best_option`` (``branch``/``move``) and
    ``best_over_hurdle`` (the best option's advantage with capital at the hurdle rate,
    as the decision weighs it). Every park counts as a candidate, free slot or not.
    """
    f = model.firms
    sites = phases.west_sites(model)
    phases.book_margins(model, sites)
    home = np.flatnonzero(f.state == location.HOME)
    n_parks = model.geo.n_parks
    parks = np.arange(n_parks)
    out = np.empty((home.size, 5))
    for start in range(0, home.size, chunk):
        i = home[start : start + chunk]
        r = i.size
        options, lines = location.option_values(
            f,
            i,
            sites,
            np.broadcast_to(parks, (r, n_parks)),
            home_m_all=f.home_margin,
            current_all=f.margin,
            taste=np.zeros(r),
            holiday_share=phases._holiday_share(model),
            mid_skill=model.sectors.mid_skill,
            expanding=np.zeros(r, bool),
            new_share=np.full(r, model.e.branch_share),
            params=model.views.location,
        )
        u = options.dense()
        rows = np.repeat(np.arange(r), u.shape[1])
        columns = np.tile(np.arange(u.shape[1]), r)
        view = model.views.location
        kind = location.option_kind(columns, n_parks)
        gain = location.measured_gain(
            u.ravel(), np.repeat(u[:, 0], u.shape[1]), lines, kind, rows, view
        ).reshape(u.shape)
        hurdle = view.logit_scale * (u - u[:, :1])  # what the decision weighs
        branch = gain[:, 2 : 2 + n_parks]
        move = gain[:, 2 + n_parks : 2 + 2 * n_parks]
        out[start : start + r] = np.column_stack(
            [
                branch.max(axis=1),
                move.max(axis=1),
                branch.argmax(axis=1),
                move.argmax(axis=1),
                hurdle[:, 2 : 2 + 2 * n_parks].max(axis=1),
            ]
        )
    is_move = out[:, 1] > out[:, 0]
    return pd.DataFrame(
        {
            "firm": home,
            "sector": model.sectors.name[f.sector[home]].astype(str),
            "branch_gain": out[:, 0],
            "move_gain": out[:, 1],
            "best_gain": np.maximum(out[:, 0], out[:, 1]),
            "best_park": np.where(is_move, out[:, 3], out[:, 2]).astype(np.int64),
            "best_option": np.where(is_move, "move", "branch"),
            "best_over_hurdle": out[:, 4],
        }
    )


def by_sector(gains: pd.DataFrame) -> pd.DataFrame:
    """Per sector: firms, share with a western option that pays at the cost of capital and share
    with one that clears the hurdle rate, median and 90th percentile of the best gain (share of
    output/year), share whose best option is a full move."""
    g = gains.groupby("sector", sort=False)
    return pd.DataFrame(
        {
            "firms": g.size(),
            "paying_share": g["best_gain"].apply(lambda x: float((x > 0).mean())),
            "clears_hurdle_share": g["best_over_hurdle"].apply(lambda x: float((x > 0).mean())),
            "best_gain_median": g["best_gain"].median(),
            "best_gain_p90": g["best_gain"].quantile(0.9),
            "move_share_of_paying": g.apply(
                lambda d: (
                    float((d["best_option"][d["best_gain"] > 0] == "move").mean())
                    if (d["best_gain"] > 0).any()
                    else 0.0
                ),
                include_groups=False,
            ),
        }
    ).sort_values("paying_share", ascending=False)
