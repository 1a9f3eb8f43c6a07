"""The main job (``make run``): every scenario against the same-draw, same-seed baseline.

Writes, beside the sweep's tables: ``policy_comparison.csv`` (one row per scenario and
outcome, :func:`sim.analysis.uncertainty.comparison_table`, plus cost per job, local jobs per
million public yuan and income per public yuan with intervals and P(rank first) among the
building blocks), ``ranking.csv`` (the building blocks ranked per yuan,
:func:`sim.analysis.uncertainty.ranking`), ``ranking_flips.csv`` (P(rank first) in the lower
and upper half of each drawn parameter, :func:`sim.analysis.uncertainty.conditional_ranking`),
``report.md`` and ``report.html`` (jobs and income gained, the full public cost
on each side line by line with aid counted once, cost per job, cumulative and discounted cost
over the run's window, who gains by county group and the counties that lose), the figure and
the county map; ``county_groups.csv`` and ``county_gains.csv`` (every group and county, with
intervals, :mod:`sim.analysis.county_groups`).

One central value per quantity everywhere: the mean over parameter draws × seeds of the
gain over the baseline run with the same draw and seed; intervals are the 2.5–97.5
percentiles of those paired gains.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis import county_groups, uncertainty
from sim.analysis.paired import SAMPLE, paired_gain
from sim.model.mechanisms.accounts import EAST_LINES, WEST_LINES
from sim.report import figures as plots
from sim.report import labels
from sim.report.tables import (
    Document,
    Table,
    column,
    decimals_for,
    gain_column,
    number,
    percent,
    scale_for,
    wrap,
)
from sim.runs import store as outputs
from sim.runs.collect import load_regions, load_sweep, load_timeseries
from sim.studies.reports import geography_key, geography_name
from sim.world import boundaries

EFFECTS = [
    "west_jobs_local",
    "west_jobs_local_all",
    "west_income_per_capita",
    "west_income_total",
    "low_income_share",
    "firms_in_west",
]
COSTS = [
    "east_programme_cost",
    "west_programme_cost",
    "east_cost_aid",
    "public_programme_cost",
    "west_debt",
    "west_fiscal_cost",
]
LINES = [f"east_cost_{k}" for k in EAST_LINES] + [f"west_cost_{k}" for k in WEST_LINES]
# Social discount rate (社会折现率) of "Economic evaluation methods and parameters for
# construction projects" (建设项目经济评价方法与参数, 3rd edition): 8% a year. Issued by the
# NDRC and the then Ministry of Construction (建设部; MOHURD only from 2008) on 3 July 2006,
# 发改投资〔2006〕1325号.
DISCOUNT_RATE = 0.08
CUMULATIVE = {
    "east_programme_cost": "east_cost_cum",
    "west_programme_cost": "west_cost_cum",
    "public_programme_cost": "public_cost_cum",
    "west_income_total": "income_cum",
}
FIGURE_OUTCOMES = ["west_jobs_local", "west_income_per_capita", "low_income_share"]
# east + west-own = public, so the panels add up with aid counted once
FIGURE_COSTS = ["firms_in_west", "east_programme_cost", "west_programme_cost_own"]


def report(sweep_dir: Path) -> str:
    """The tables, report and figures of a policy-comparison sweep; returns the printed text."""
    sweep_dir = Path(sweep_dir)
    summary, ts = (
        with_public_cost(load_sweep(sweep_dir)),
        with_public_cost(load_timeseries(sweep_dir)),
    )
    geo = geography_name(sweep_dir)
    metrics = [m for m in dict.fromkeys(EFFECTS + COSTS + LINES) if m in summary]
    comparison = uncertainty.comparison_table(summary, metrics)
    has_base = "gain" in comparison and summary["scenario"].nunique() > 1
    cumulative = window_totals(ts) if has_base else None
    if cumulative is not None:
        signs = {c: uncertainty.sign(m) for m, c in CUMULATIVE.items() if c in cumulative}
        signs["public_cost_disc"] = -1.0
        comparison = pd.concat(
            [comparison, uncertainty.comparison_table(cumulative, list(signs), signs)],
            ignore_index=True,
        )
    ratios = None
    if has_base:
        ratios = uncertainty.per_yuan(
            uncertainty.over_draws(summary),
            uncertainty.over_draws(cumulative) if cumulative is not None else None,
        )
        comparison = add_ratios(comparison, ratios)
    outputs.write_atomic(
        sweep_dir / "policy_comparison.csv", comparison.to_csv(index=False).encode()
    )
    ranks = flips = None
    if ratios is not None:
        ranks = uncertainty.ranking(ratios)
        flips = uncertainty.conditional_ranking(ratios, draw_parameters(sweep_dir, ratios))
        outputs.write_atomic(sweep_dir / "ranking.csv", ranks.to_csv(index=False).encode())
        outputs.write_atomic(sweep_dir / "ranking_flips.csv", flips.to_csv(index=False).encode())
    fig_paths = plots.save(
        comparison_figure(ts, geo, comparison, coverage(summary)),
        sweep_dir / "figures" / "policy_comparison",
    )
    map_path = None
    if has_base:
        map_path = county_gain_map(sweep_dir, geo)
    doc = document(sweep_dir, summary, ts, comparison, geo, has_base, ranks, flips)
    text = doc.markdown()
    outputs.write_atomic(sweep_dir / "policy_comparison.txt", text.encode())
    outputs.write_atomic(sweep_dir / "report.md", text.encode())
    outputs.write_atomic(sweep_dir / "report.html", doc.html().encode())
    lines = [
        text,
        f"Report: {sweep_dir / 'report.md'} (and report.html)",
        f"Figure: {fig_paths[0]}",
    ]
    if map_path:
        lines.append(f"Map:    {map_path}")
    return "\n".join(lines)


# ---------------------------------------------------------------- numbers
def coverage(summary: pd.DataFrame) -> dict:
    """What the central values and intervals are taken over: draws, seeds, pairs."""
    draws = uncertainty.over_draws(summary)
    n_draws = int(draws[SAMPLE].nunique()) if SAMPLE in draws and (draws[SAMPLE] >= 0).any() else 0
    n_seeds = int(draws["seed"].nunique())
    over = f"{n_draws} parameter draws × {n_seeds} seeds" if n_draws else f"{n_seeds} seeds"
    return {"draws": n_draws, "seeds": n_seeds, "pairs": max(n_draws, 1) * n_seeds, "over": over}


def with_public_cost(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with ``public_programme_cost`` (east + west − aid) and ``west_programme_cost_own``
    (west − aid) if a sweep made before those outcomes existed lacks them."""
    if "east_cost_aid" not in df:
        return df
    if "west_programme_cost_own" not in df:
        df = df.assign(west_programme_cost_own=df["west_programme_cost"] - df["east_cost_aid"])
    if "public_programme_cost" not in df:
        df = df.assign(
            public_programme_cost=df["east_programme_cost"] + df["west_programme_cost_own"]
        )
    return df


def window_totals(ts: pd.DataFrame, rate: float = DISCOUNT_RATE) -> pd.DataFrame:
    """One row per run: costs and household income summed over the run's window (yuan), and the
    public cost discounted to the start year at ``rate`` (a flow in calendar year k after the
    start counts (1 + rate)^-k). Step 0 is the starting state and is not counted."""
    per_year = (
        int(ts["quarter"].max()) if "quarter" in ts else int(ts.get("period", pd.Series([1])).max())
    )
    keys = [c for c in ("scenario", SAMPLE, "seed") if c in ts]
    flows = ts[ts["step"] > 0]
    dt = 1.0 / per_year
    weight = dt / (1.0 + rate) ** (flows["year"] - ts["year"].min())
    summed = [m for m in CUMULATIVE if m in flows]
    out = flows.groupby(keys, observed=True)[summed].sum() * dt
    out = out.rename(columns=CUMULATIVE)
    out["public_cost_disc"] = (
        (flows["public_programme_cost"] * weight)
        .groupby([flows[k] for k in keys], observed=True)
        .sum()
    )
    return out.reset_index()


def add_ratios(comparison: pd.DataFrame, ratios: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per scenario: public and eastern cost per local job gained (yuan/year per job, from the
    final-quarter gains) and household income gained per public yuan (over the window). Ratios
    of the central gains; NaN where the cost gain is not positive or the job gain's interval
    does not lie above zero. With ``ratios`` (:func:`sim.analysis.uncertainty.per_yuan`): the
    per-yuan columns of :func:`sim.analysis.uncertainty.per_yuan_columns` too (intervals over
    draws × seeds, P(rank first) among the building blocks)."""
    if "gain" not in comparison:
        return comparison
    per_pair = ratios
    g = comparison.pivot_table(
        index="scenario", columns="metric", values="gain", observed=True, aggfunc="first"
    )
    jobs = g.get("west_jobs_local", pd.Series(np.nan, g.index))
    lo = comparison[comparison["metric"] == "west_jobs_local"].set_index("scenario")["gain_lo"]
    clear = (jobs > 0) & (lo.reindex(jobs.index) > 0)  # a job gain whose interval excludes zero
    ratios = pd.DataFrame(index=g.index)
    for name, cost in (
        ("public_cost_per_job", "public_programme_cost"),
        ("east_cost_per_job", "east_programme_cost"),
    ):
        c = g.get(cost, pd.Series(np.nan, g.index))
        ratios[name] = (c / jobs).where(clear & (c > 0))
    if {"income_cum", "public_cost_cum"} <= set(g.columns):
        ratios["income_per_public_yuan"] = (g["income_cum"] / g["public_cost_cum"]).where(
            g["public_cost_cum"] > 0
        )
    else:
        ratios["income_per_public_yuan"] = np.nan
    if per_pair is not None and not per_pair.empty:
        extra = uncertainty.per_yuan_columns(per_pair).drop(
            columns=["income_per_public_yuan"], errors="ignore"
        )
        ratios = ratios.join(extra, how="left")
    return comparison.merge(ratios, left_on="scenario", right_index=True, how="left")


def draw_parameters(sweep_dir: Path, runs: pd.DataFrame) -> pd.DataFrame:
    """One row per parameter draw of ``runs`` (index: ``sensitivity.sample``), one column per
    parameter the draws vary: the values the draw's jobs ran with (their ``config.yaml``), for
    the keys of the sweep's design (:func:`sim.params.designs.design_keys`)."""
    import yaml

    from sim.params import designs
    from sim.runs.collect import job_dirs

    wanted = set(int(k) for k in runs[SAMPLE].unique() if k >= 0) if SAMPLE in runs else set()
    rows: dict[int, dict] = {}
    keys: list[str] = []
    for job in job_dirs(sweep_dir):
        if not wanted - set(rows):
            break
        cfg = yaml.safe_load((job / "config.yaml").read_text())
        k = int(cfg["sensitivity"]["sample"])
        if k < 0 or k in rows or k not in wanted:
            continue
        if not keys:
            s, cal = cfg["sensitivity"], cfg["run"]["calibration"]
            keys = designs.design_keys(s["method"], tuple(s["parameters"] or ()), cal)
        rows[k] = {key: _get(cfg, key) for key in keys}
    if not rows:
        return pd.DataFrame()
    params = pd.DataFrame.from_dict(rows, orient="index").sort_index().astype(float)
    return params.loc[:, params.nunique() > 1]


def _get(cfg: dict, key: str):
    node = cfg
    for part in key.split("."):
        node = node[part]
    return node


def gains(comparison: pd.DataFrame, metric: str, scenarios: list[str]) -> pd.DataFrame:
    t = comparison[comparison["metric"] == metric].set_index("scenario")
    return t.reindex(scenarios)


# ---------------------------------------------------------------- the document
def _scenarios(comparison: pd.DataFrame) -> list[str]:
    order = list(dict.fromkeys(comparison["scenario"]))
    known = [s for s in labels.SCENARIOS if s in order]
    return [s for s in known + sorted(set(order) - set(known)) if s != "baseline"]


def _short(s: str) -> str:
    return labels.scenario(s).split()[0]


def _window(ts: pd.DataFrame) -> tuple[str, str]:
    first, last = int(ts["year"].min()), int(ts["year"].max())
    last_q = int(ts.loc[ts["year"] == last, "quarter"].max()) if "quarter" in ts else None
    return f"{first}–{last}", f"{last} Q{last_q}" if last_q else str(last)


def document(sweep_dir, summary, ts, comparison, geo, has_base, ranks=None, flips=None) -> Document:
    cov = coverage(summary)
    window, last = _window(ts)
    doc = Document(f"East–West policies compared: {geo}, {window}")
    n_runs = len(summary)
    doc.blocks.append(
        f"{n_runs} runs: {summary['scenario'].nunique()} scenarios × {cov['over']}"
        + (
            " (+ the point estimate)"
            if cov["draws"] and (summary.get(SAMPLE, pd.Series([0])) < 0).any()
            else ""
        )
        + ". Every scenario runs with the same parameter draw and seed as its baseline twin, "
        f"so each gain is measured run by run. Central value of every quantity: the mean over the "
        f"{cov['pairs']} pairs ({cov['over']}) of the gain over the baseline twin. "
        "Intervals [a, b]: "
        f"2.5–97.5 percentiles of those {cov['pairs']} gains (parameter and random uncertainty "
        f"together). Flows (per year) are annual rates in the last quarter, {last}; cumulative "
        f"figures add every quarter of {window}."
    )
    if not has_base:
        doc.blocks.append(
            "This sweep has no baseline and other scenario to compare: no gains to report."
        )
        return doc
    scen = _scenarios(comparison)
    doc.blocks += [("h2", "1. What each policy adds"), *effect_tables(comparison, scen, last)]
    doc.blocks += [
        ("h2", "2. What it costs, both sides"),
        *cost_tables(comparison, scen, last, window),
    ]
    doc.blocks += [("h2", "3. Cost per effect"), effectiveness_table(comparison, scen, window)]
    if ranks is not None and not ranks.empty:
        doc.blocks += [
            ("h2", "3a. Which building block, per yuan"),
            *ranking_blocks(comparison, ranks, flips, cov, window),
        ]
    doc.blocks += [("h2", "4. Who gains"), *who_gains(sweep_dir, summary, scen, last, cov)]
    doc.blocks += [
        ("h2", "Figures"),
        ("img", "figures/policy_comparison.png", "Policies compared"),
        ("img", "figures/county_map.png", "Gain by western county"),
    ]
    outlines = boundaries.load(geography_key(sweep_dir))
    if outlines:  # name the outlines' sources; their status: BOUNDARIES-LICENSE.txt
        doc.blocks.append(
            f"Map outlines: {outlines.credit}. Sources, licences and caveats: "
            "sim/world/BOUNDARIES-LICENSE.txt."
        )
    return doc


def _gain_column(comparison, metric, scen, unit, interval=True):
    t = gains(comparison, metric, scen)
    if interval:
        return gain_column(t, unit)
    return column(t["gain"], unit=unit)


def effect_tables(comparison, scen, last) -> list[Table]:
    names = [labels.scenario(s) for s in scen]
    jobs, u_jobs = _gain_column(comparison, "west_jobs_local", scen, "persons")
    allj, _ = _gain_column(comparison, "west_jobs_local_all", scen, "persons")
    p = gains(comparison, "west_jobs_local", scen)["p_better_than_baseline"]
    t1 = Table(
        f"Local jobs gained, {last} ({u_jobs})",
        ["Scenario", "Park and workshop jobs", "Incl. service jobs", "P(more jobs)"],
        [[n, a, b, percent(x)] for n, a, b, x in zip(names, jobs, allj, p, strict=True)],
        "P(better than baseline), here P(more jobs): share of the pairs in which the scenario "
        "beats its baseline twin.",
    )
    inc, u_inc = _gain_column(comparison, "west_income_per_capita", scen, "yuan/year")
    tot, u_tot = _gain_column(comparison, "west_income_total", scen, "yuan/year", interval=False)
    low, _ = _gain_column(comparison, "low_income_share", scen, "pp")
    t2 = Table(
        f"Western household income gained, {last} (per resident)",
        ["Scenario", f"Per person ({u_inc})", f"All ({u_tot})", "Low-income share (pp)"],
        [[n, a, b, c] for n, a, b, c in zip(names, inc, tot, low, strict=True)],
        "Per person: disposable income per resident, as the household survey counts it. All: "
        "resident households' income, so a migrant who leaves takes their earnings out of it "
        "(the remittances they send stay in).",
    )
    return [t1, t2]


def cost_tables(comparison, scen, last, window) -> list:
    names = [labels.scenario(s) for s in scen]
    central = {m: gains(comparison, m, scen)["gain"].to_numpy(float) for m in COSTS}
    div, unit = scale_for(np.concatenate(list(central.values())[:4]), "yuan/year")
    fmt = lambda v: number(v, div, 2 if div >= 1e9 else 1)  # noqa: E731
    pub = gains(comparison, "public_programme_cost", scen)
    t1 = Table(
        f"Public cost over the baseline, {last} ({unit})",
        ["Scenario", "East", "West", "Aid (in both)", "Public, aid once", "interval"],
        [
            [n, fmt(e), fmt(w), fmt(a), fmt(p), f"[{fmt(lo)}, {fmt(hi)}]"]
            for n, e, w, a, p, lo, hi in zip(
                names,
                central["east_programme_cost"],
                central["west_programme_cost"],
                central["east_cost_aid"],
                pub["gain"],
                pub["gain_lo"],
                pub["gain_hi"],
                strict=True,
            )
        ],
        "East and West: the sum of each side's cost lines below. Aid is paid by the east and "
        "spent by the west, so it is in both sums and subtracted once from the public total. "
        "Western debt is not a cost line: the spending it finances is, in the year it is made, "
        "so its service is in no total.",
    )
    lines = [m for m in LINES if m in set(comparison["metric"])]
    vals = np.array([gains(comparison, m, scen)["gain"].to_numpy(float) for m in lines])
    ldiv, lunit = scale_for(vals, "yuan/year")
    rows = [
        [
            ("East: " if m.startswith("east_") else "West: ")
            + m.split("_cost_", 1)[1].replace("_", " "),
            *(number(v, ldiv, 1 if ldiv >= 1e6 else 0) for v in row),
        ]
        for m, row in zip(lines, vals, strict=True)
    ]
    t2 = Table(
        f"Every cost line over the baseline, {last} ({lunit})", ["Line", *map(_short, scen)], rows
    )
    debt, u_debt = _gain_column(comparison, "west_debt", scen, "yuan")
    cums = {
        k: gains(comparison, k, scen)
        for k in ("east_cost_cum", "west_cost_cum", "public_cost_cum", "public_cost_disc")
    }
    cdiv, cunit = scale_for(cums["public_cost_cum"]["gain"], "yuan")
    cf = lambda v: number(v, cdiv, 1)  # noqa: E731
    t3 = Table(
        f"Cost over the window {window} ({cunit}) and western debt at its end",
        [
            "Scenario",
            "East",
            "West",
            "Public, aid once",
            f"Discounted {DISCOUNT_RATE:.0%}",
            f"West debt ({u_debt})",
        ],
        [
            [n, cf(e), cf(w), cf(p), cf(d), dd]
            for n, e, w, p, d, dd in zip(
                names,
                cums["east_cost_cum"]["gain"],
                cums["west_cost_cum"]["gain"],
                cums["public_cost_cum"]["gain"],
                cums["public_cost_disc"]["gain"],
                debt,
                strict=True,
            )
        ],
        f"Sums of the quarterly flows over {window}. Discounted: to the start year at "
        f"{DISCOUNT_RATE:.0%} a year, the social discount rate of 'Economic evaluation methods "
        "and parameters for construction projects' (3rd ed.; NDRC and Ministry of Construction, "
        "2006). "
        "Debt: the change in the stock of western county debt, with its interval.",
    )
    return [t1, t2, t3]


def effectiveness_table(comparison, scen, window) -> Table:
    r = comparison.drop_duplicates("scenario").set_index("scenario").reindex(scen)
    both = np.concatenate([r["public_cost_per_job"], r["east_cost_per_job"]])
    div, unit = scale_for(both, "yuan/year")
    cell = lambda v: number(v, div, decimals_for([v], div))  # noqa: E731 - 3 significant digits
    per_yuan = [number(v, 1, 2) for v in r["income_per_public_yuan"]]
    return Table(
        f"Cost per job ({unit} per local job gained) and income per public yuan",
        ["Scenario", "Public cost per job", "East only", "Income per yuan"],
        [
            [labels.scenario(s), cell(a), cell(b), c]
            for s, a, b, c in zip(
                scen, r["public_cost_per_job"], r["east_cost_per_job"], per_yuan, strict=True
            )
        ],
        "Cost per job: the public (or eastern) cost gained in the last quarter, a yearly rate, "
        "over the local (park and workshop) jobs gained, from the central values above; '–' "
        "where the interval of the job gain reaches zero. Income per yuan: western household "
        "income "
        f"gained over {window} per public yuan spent over {window} (aid once).",
    )


MAX_FLIPS = 5  # parameters named per measure in the report (all: ranking_flips.csv)


def ranking_blocks(comparison, ranks, flips, cov, window) -> list:
    """Section 3a: the building blocks per public yuan with intervals and P(rank first) among
    them; what "at equal cost" means here; which drawn assumptions flip the ranking."""
    r = comparison.drop_duplicates("scenario").set_index("scenario")
    blocks = list(dict.fromkeys(ranks["scenario"]))
    shown = blocks + [s for s in ("full",) if s in r.index]
    r = r.reindex(shown)
    jobs, u_jobs = column(
        r["jobs_per_million_yuan"], r["jobs_per_million_yuan_lo"], r["jobs_per_million_yuan_hi"]
    )
    inc, _ = column(
        r["income_per_public_yuan"], r["income_per_public_yuan_lo"], r["income_per_public_yuan_hi"]
    )
    table = Table(
        "Per public yuan: the building blocks ranked (full package shown, not ranked)",
        ["Scenario", "Jobs per million yuan/yr", "P(first)", "Income per yuan", "P(first)"],
        [
            [labels.scenario(s), a, percent(pj), b, percent(pi)]
            for s, a, b, pj, pi in zip(
                shown,
                jobs,
                inc,
                r["p_first_jobs_per_million_yuan"],
                r["p_first_income_per_public_yuan"],
                strict=True,
            )
        ],
        "Jobs per million yuan/yr: local (park and workshop) jobs gained in the last quarter per "
        "million yuan a year of public cost gained (aid once); income per yuan: household "
        f"income gained over {window} per public yuan spent over it. Central value: ratio of "
        f"the mean gains; [a, b]: 2.5–97.5 percentiles of the ratio over the {cov['pairs']} "
        f"pairs ({cov['over']}). P(first): share of those pairs in which the block gives the "
        "most per yuan among the four building blocks (ties share; the four sum to 100%). The "
        "full package is their superset, so it is not ranked against them.",
    )
    equal_cost = (
        "At equal cost: ranking per yuan is ranking at equal cost if each block could be scaled "
        "up or down in proportion, its gains and costs alike. The model does not assume that "
        "returns are constant; for an equal-cost comparison the model computes (labour "
        "cooperation against industrial transfer, each given the same budget), run "
        "`python -m sim.run -m experiment=labour_vs_industry`."
    )
    return [table, equal_cost, *flip_notes(flips, ranks)]


def flip_notes(flips, ranks) -> list[str]:
    """Which drawn assumptions change the first-ranked block between the lower and the upper
    half of their draws."""
    if flips is None or flips.empty:
        return ["No parameter varies across the draws: no conditional ranking."]
    notes = []
    for measure, f in flips.groupby("measure", sort=False):
        rk = ranks[ranks["measure"] == measure]
        lead = rk.loc[rk["p_rank_first"].idxmax()]
        name = uncertainty.PER_YUAN[measure]
        flipped = f[f["flips"]].head(MAX_FLIPS)
        head = (
            f"- {name[0].upper() + name[1:]}: {labels.scenario(lead.scenario)} ranks first in "
            f"{percent(lead.p_rank_first)} of the pairs. "
        )
        if flipped.empty:
            top = f.iloc[0]
            notes.append(
                head + "No drawn parameter changes the first block between the lower and upper "
                f"half of its draws; the largest shift in P(rank first) is "
                f"{percent(top['shift'])} ({labels.name(top.parameter)})."
            )
            continue
        items = "; ".join(
            f"{labels.name(x.parameter)}: {_short(x.first_low)} {percent(x.p_first_low)} at "
            f"{x.low_range}, {_short(x.first_high)} {percent(x.p_first_high)} at {x.high_range}"
            for x in flipped.itertuples()
        )
        notes.append(
            head + f"The first block changes with {len(f[f['flips']])} parameter(s): " + items + "."
        )
    intro = (
        "Which assumptions flip the ranking: for each parameter the draws vary (the "
        "calibration's fitted ones and the uncertain ones the screening found influential, "
        "sim/world/<calibration>/influential.yaml), the draws are split at its median and "
        "P(rank first) computed in each half; listed where the first block differs between "
        "the halves, largest shift first. All parameters: ranking_flips.csv. With few draws a "
        "half holds few of them: read a flip as a lead, not a finding."
    )
    return [intro, "\n".join(wrap(n, 98).replace("\n", "\n  ") for n in notes)]


# ---------------------------------------------------------------- who gains
def county_gains(sweep_dir: Path) -> pd.DataFrame:
    """Per scenario and western county: the mean paired gain in income per capita and local jobs
    over draws × seeds, with intervals and the county's facts
    (:func:`sim.analysis.county_groups.county_gains`)."""
    return county_groups.county_gains(load_regions(sweep_dir))


MAX_NAMED = 20  # losing counties named per scenario in the report (all are in county_gains.csv)


def _group_label(group: str, counties: float) -> str:
    return f"{group} ({counties:.0f})" if np.isfinite(counties) else group


def _in_thousands(values) -> tuple[float, str]:
    """Jobs in thousands when the column reaches ten thousand, so an interval fits the page."""
    top = np.nanmax(np.abs(np.asarray(values, float))) if len(values) else 0.0
    return (1e3, "thousands") if top >= 1e4 else (1.0, "persons")


def group_tables(groups: pd.DataFrame, scen: list[str], last: str, cov: dict) -> list[Table]:
    """One table per scenario: each county group's gain in local jobs, income per capita and all
    household income, with intervals."""
    tables = []
    for s in scen:
        g = groups[groups["scenario"] == s]
        if g.empty:
            continue
        order, wide = county_groups.by_group(g, GROUP_COLUMNS)
        size = wide["jobs_local"]["counties"]
        cells, units = [], []
        for m, unit in GROUP_COLUMNS.items():
            t = wide[m]
            div, shown = _in_thousands(t["gain"]) if m == "jobs_local" else (1.0, unit)
            c, u = gain_column(t, shown, div)
            cells.append(c)
            units.append(u)
        tables.append(
            Table(
                f"Who gains under {labels.scenario(s)}, {last}: gain by group of western counties",
                [
                    "Group (counties)",
                    f"Jobs ({units[0]})",
                    *(
                        f"{h} ({u.replace('/year', '/yr')})"
                        for h, u in zip(("Per capita", "All"), units[1:], strict=True)
                    ),
                ],
                [
                    [_group_label(grp, size[grp]), *(c[i] for c in cells)]
                    for i, grp in enumerate(order)
                ],
            )
        )
    if tables:
        tables[-1].note = (
            f"Central value: the mean over the {cov['pairs']} pairs ({cov['over']}) of the "
            "group's gain over its baseline twin; [a, b]: the 2.5–97.5 percentiles of those "
            "gains, parameter and random uncertainty together. Jobs: park and workshop jobs "
            "gained, summed over the group. Per capita: household income gained over the "
            "group's residents (the persons income per capita is counted per). All: "
            "household income gained, summed. Groups: start-income quintiles (five groups of "
            "equal count by income per capita at the start, Q1 the poorest), national key "
            "counties for rural revitalisation (国家乡村振兴重点帮扶县, the geography's "
            "key_counties.yaml) and the others, counties with an eastern partner and those "
            "without, municipal districts (市辖区) and the other counties and county-level "
            "cities; each county in the group of its baseline twin. Every county, group and "
            "interval, jobs per 1,000 persons too: county_gains.csv, county_groups.csv."
        )
    return tables


GROUP_COLUMNS = {
    "jobs_local": "persons",
    "income_per_capita": "yuan/year",
    "income_total": "yuan/year",
}


def _place(county: str, prefecture) -> str:
    """A county with its prefecture, unless its name already carries it ("Yiliang (Kunming)")."""
    return county if county.endswith(f"({prefecture})") else f"{county} ({prefecture})"


def losing_notes(cg: pd.DataFrame, scen: list[str], last: str, cov: dict) -> list[str]:
    """Per scenario, the western counties whose mean gain in income per capita is below zero,
    largest loss first, with intervals; and how many lose local jobs."""
    lose = county_groups.losing_counties(cg)
    notes = []
    for s in scen:
        d = cg[cg["scenario"] == s]
        if d.empty:
            continue
        ls = lose[lose["scenario"] == s]
        sure = int((ls["income_per_capita_hi"] < 0).sum())
        jobs = len(county_groups.losing_counties(d, "jobs_local"))
        head = f"- {labels.scenario(s)}: {len(ls)} of {len(d)} counties lose income per capita" + (
            f" ({sure} with the whole interval below zero)" if len(ls) else ""
        )
        named = "; ".join(
            f"{_place(r.county, r.prefecture)} {number(r.income_per_capita)} "
            f"[{number(r.income_per_capita_lo)}, {number(r.income_per_capita_hi)}]"
            for r in ls.head(MAX_NAMED).itertuples()
        )
        more = f"; and {len(ls) - MAX_NAMED} more" if len(ls) > MAX_NAMED else ""
        notes.append(head + (f": {named}{more}" if named else "") + f". {jobs} lose local jobs.")
    intro = (
        f"Counties that lose ({last}): mean gain in income per capita (yuan/year) below zero "
        "(by more than half a yuan; jobs: half a job) "
        f"over the {cov['pairs']} pairs ({cov['over']}), with its 2.5–97.5 percentile "
        "interval; largest loss first. All counties: county_gains.csv."
    )
    return [intro, "\n".join(wrap(n, 98).replace("\n", "\n  ") for n in notes)]


def who_gains(sweep_dir, summary, scen, last, cov) -> list:
    try:
        regions = load_regions(sweep_dir)
        groups = county_groups.group_gains(regions)
        cg = county_groups.county_gains(regions)
    except (OSError, KeyError, ValueError) as err:
        return [f"County table not available: {err}"]
    if cg.empty:
        return ["No western county results in this sweep."]
    outputs.write_atomic(sweep_dir / "county_groups.csv", groups.to_csv(index=False).encode())
    outputs.write_atomic(sweep_dir / "county_gains.csv", cg.to_csv(index=False).encode())
    return [*group_tables(groups, scen, last, cov), *losing_notes(cg, scen, last, cov)]


# ---------------------------------------------------------------- figures
def comparison_figure(
    ts: pd.DataFrame, geo: str, comparison: pd.DataFrame | None = None, cov: dict | None = None
):
    """Row 1: outcome gains over the same-seed baseline over time (point estimate); row 2 (with
    ``comparison``): final gains with both bands; row 3: gains in firms and each side's full cost.
    Every panel shows gains, never levels; the baseline is the zero line."""
    plt = plots._plt()
    ts = uncertainty.point_estimate(ts)
    names = set(ts["scenario"].astype(str))
    has_base = (
        "baseline" in names and len(names) > 1
    )  # gains need a baseline and something to compare
    has_bands = has_base and comparison is not None and "gain" in comparison
    rows = 3 if has_bands else 2
    fig, axes = plt.subplots(rows, 3, figsize=(15.6, 4.2 * rows + 0.2), layout="constrained")
    every = FIGURE_OUTCOMES + FIGURE_COSTS
    shown = paired_gain(ts, every) if has_base else ts
    if has_base:
        shown = shown[shown["scenario"].astype(str) != "baseline"]
    plots.time_paths(
        shown, FIGURE_OUTCOMES, "scenario", "", ax_list=list(axes[0]), difference=has_base
    )
    if has_bands:
        cov = cov or {"seeds": int(ts["seed"].nunique()), "over": "draws × seeds"}
        bands = (
            f"seed-only: 95% CI over {cov['seeds']} seeds at the point estimate",
            f"draws × seeds: 95% interval over {cov['over']}",
        )
        plots.gain_bands(
            list(axes[1]), comparison, FIGURE_OUTCOMES, plots._groups(shown, "scenario"), bands
        )
    plots.time_paths(
        shown, FIGURE_COSTS, "scenario", "", ax_list=list(axes[-1]), difference=has_base
    )
    fig.legends[1:] = []  # one legend for all rows
    what = "gain over the baseline run with the same seed" if has_base else "levels"
    fig.suptitle(
        f"East–West policies compared ({geo}): what each adds over the baseline, and what "
        f"it costs\nevery panel: {what} (point estimate); top: outcomes; "
        + ("middle: final gain with both bands; " if has_bands else "")
        + "bottom: firms in western parks and each side's full programme cost (every cost line)\n"
        + plots.band_note(int(ts.groupby("scenario", observed=True)["seed"].nunique().min()))
        + "; lines that coincide are told apart by line style and marker",
        fontsize=11,
    )
    return fig


def county_gain_map(sweep_dir: Path, geo: str) -> Path:
    """Map figure: final gain over baseline (same draw and seed) in each western county, per
    scenario."""
    cg = county_gains(sweep_dir)
    regions = load_regions(sweep_dir)
    seats = regions.drop_duplicates("county")[["county", "code", "lon", "lat"]].assign(
        county=lambda d: d["county"].astype(str), code=lambda d: d["code"].astype(str)
    )
    means = cg.drop(columns=["code", "lon", "lat"], errors="ignore").merge(
        seats, on="county", how="left"
    )
    means["scenario"] = pd.Categorical(
        means["scenario"],
        [s for s in labels.SCENARIOS if s in set(means["scenario"])]
        + sorted(set(means["scenario"]) - set(labels.SCENARIOS)),
        ordered=True,
    )
    cov = coverage(load_sweep(sweep_dir))
    fig = plots.county_map(
        means,
        "income_per_capita",
        "jobs_local",
        "scenario",
        f"Who gains? Final gain over the baseline by western county ({geo})",
        f"mean over {cov['over']} of the paired gain; markers at approximate county seats",
        outlines=boundaries.load(geography_key(sweep_dir)),
    )
    return plots.save(fig, sweep_dir / "figures" / "county_map")[0]
