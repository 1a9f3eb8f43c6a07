"""The dashboard page (Solara). Start it with ``make dashboard`` or ``python -m sim.dashboard``.

Left: geography, scenario, seeds and every policy lever with its unit and range
from the schema. Right: time paths against the same-seed baseline, the county
map, the gain by county group and the counties that lose, and the export of the overrides that
reproduce the view.
"""

from __future__ import annotations

import dataclasses
import html

import solara
from solara.lab import task

from sim.dashboard import figures
from sim.dashboard.guard import checked_lever_value, run_slot
from sim.dashboard.view import (
    MAP_METRICS,
    MAX_SEEDS,
    View,
    choices,
    cli_commands,
    export_yaml,
    levers,
    mix_label,
    mix_view,
    run_view,
    scenario_values,
    search_front,
)
from sim.params.schema import ConfigError

MAX_SEED = (2**63 - 1) // MAX_SEEDS - 1  # run.seed*replications + r stays a 64-bit integer

# Copies the commands above it in the browser (no round trip; loopback pages may use the clipboard).
COPY_BUTTON = (
    '<button class="sim-copy" style="border:1px solid #888;border-radius:4px;padding:2px 10px" '
    "onclick=\"const t=this.closest('.sim-export').querySelector('pre').innerText;"
    "const b=this;navigator.clipboard.writeText(t).then(()=>{b.textContent='Copied';"
    "setTimeout(()=>{b.textContent='Copy commands'},2000)})\">Copy commands</button>"
)

view = solara.reactive(View())
map_metric = solara.reactive("income_per_capita")
lever_error = solara.reactive("")  # the last typed lever value that was refused, and why


@task
def comparison(v: View):
    """Run the view and its baseline in a worker thread, reporting progress."""

    def progress(done, total):
        comparison.progress = 100.0 * done / total

    with run_slot():  # runs of all sessions share the server's cores
        return run_view(v, progress)


def start_run() -> None:
    """Run the view, unless this session's run is still pending (a second press is refused)."""
    if comparison.pending:
        return
    comparison(view.value)


def _set(**changes) -> None:
    """A new geography, scenario or seeds: levers start again from the scenario's values."""
    if {"geography", "scenario"} & changes.keys():
        changes["levers"] = ()
    view.set(dataclasses.replace(view.value, **changes))


@solara.component
def LeverInput(lever, value):
    def on_value(new):
        new, problem = checked_lever_value(
            lever, new
        )  # nan, inf or out of range never reach the model
        lever_error.set(problem or "")
        if problem is None:
            view.set(view.value.with_lever(lever.key, new))

    with solara.Tooltip(f"{lever.doc} — {lever.key}, range {lever.range_text}"):
        if lever.kind is bool:
            solara.Checkbox(label=lever.label, value=bool(value), on_value=on_value)
        elif lever.slider:
            solara.SliderFloat(
                f"{lever.label}: {value:g}",
                value=float(value),
                min=lever.lo,
                max=lever.hi,
                step=lever.step,
                on_value=on_value,
                thumb_label=False,
            )
        else:
            solara.InputFloat(
                f"{lever.label}, {lever.range_text}",
                value=float(value),
                on_value=on_value,
                continuous_update=False,
            )


@solara.component
def Controls():
    v = view.value
    values = solara.use_memo(
        lambda: scenario_values(v.geography, v.scenario), [v.geography, v.scenario]
    )
    values = {**values, **dict(v.levers)}
    solara.Select(
        "geography",
        values=choices("geography"),
        value=v.geography,
        on_value=lambda g: _set(geography=g),
    )
    solara.Select(
        "scenario",
        values=[s for s in choices("scenario") if s != "baseline"],
        value=v.scenario,
        on_value=lambda s: _set(scenario=s),
    )
    solara.SliderInt(
        f"seeds per side: {v.replications}",
        value=v.replications,
        min=1,
        max=MAX_SEEDS,
        on_value=lambda n: _set(replications=n),
        thumb_label=False,
    )
    solara.InputInt(
        "first seed (run.seed)",
        value=v.seed,
        on_value=lambda s: _set(seed=min(max(0, s), MAX_SEED)),
        continuous_update=False,
    )
    solara.Button(
        f"Run {v.replications} seeds against baseline",
        color="primary",
        block=True,
        on_click=start_run,
        disabled=comparison.pending,
        classes=["sim-run"],
    )
    if lever_error.value:
        solara.Error(lever_error.value, classes=["sim-lever-error"])
    SearchFront()
    section = None
    for lever in levers():
        this = lever.key.split(".")[1]
        if this != section:
            section = this
            solara.HTML("b", section)
        LeverInput(lever, values[lever.key])


@solara.component
def SearchFront():
    """The policy search's front (`make search`), and a mix of it loaded into the levers."""
    front = solara.use_memo(search_front, [])
    # every hook on every render, before the early return (Solara's rules of hooks)
    names = [] if front is None else [mix_label(r) for _, r in front.iterrows()]
    chosen = solara.use_reactive(names[-1] if names else "")
    fig = solara.use_memo(lambda: None if front is None else figures.front_figure(front), [])
    if front is None:
        return
    with solara.Div(classes=["sim-search-front"]):
        solara.HTML("b", "policy search: robust gain against public cost")
        solara.FigureMatplotlib(fig, dpi=70, format="png")
        solara.Select("mix on the front", values=names, value=chosen.value, on_value=chosen.set)
        solara.Button(
            "Load mix into levers",
            on_click=lambda: view.set(mix_view(front.iloc[names.index(chosen.value)], view.value)),
            classes=["sim-load-mix"],
        )


@solara.component
def Export():
    shown = comparison.latest
    v = (
        shown.view if shown is not None else view.value
    )  # what the charts show, even if controls moved since
    with solara.Card("Reproduce the view shown", classes=["sim-export"]):
        solara.Text(
            "From the command line, in the project folder (add -m and a Slurm launcher "
            "for a cluster):"
        )
        solara.HTML("pre", html.escape("\n".join(cli_commands(v))), style="white-space: pre-wrap")
        solara.HTML("div", COPY_BUTTON)
        solara.FileDownload(
            export_yaml(v), filename="dashboard_view.yaml", label="Export overrides (YAML)"
        )


@solara.component
def Results():
    comp = comparison.latest
    if comparison.pending:
        solara.ProgressLinear(comparison.progress if comparison.progress is not None else True)
    if comparison.error:
        err = comparison.exception
        text = str(err) if isinstance(err, ConfigError) else f"{type(err).__name__}: {err}"
        solara.Error(text, classes=["sim-error"])
    if comp is None:
        solara.Info("Press Run to compare the scenario with the baseline.")
        return
    if comp.view != view.value:
        solara.Warning("The controls have changed since this run: press Run to update the view.")
    Headline(comp)
    Figures(comp)


@solara.component
def Figures(comp):
    paths = solara.use_memo(lambda: figures.paths_figure(comp), [comp])
    county_map = solara.use_memo(
        lambda: figures.map_figure(comp, map_metric.value), [comp, map_metric.value]
    )
    with solara.Div(classes=["sim-paths"]):
        solara.FigureMatplotlib(paths, dpi=90, format="png")
    names = {figures.map_label(m): m for m in MAP_METRICS}  # the menu shows words, not column names
    solara.Select(
        "map: gain in",
        values=list(names),
        value=figures.map_label(map_metric.value),
        on_value=lambda label: map_metric.set(names[label]),
    )
    with solara.Row():
        with solara.Div(classes=["sim-map"]):
            solara.FigureMatplotlib(county_map, dpi=90, format="png")
            solara.Text(figures.map_caption(comp, map_metric.value), classes=["sim-map-caption"])
        solara.HTML("div", figures.gain_table(comp, map_metric.value).to_html(index=False))
    ForWhom(comp)


@solara.component
def ForWhom(comp):
    """Gain by county group with intervals over the seeds, and the counties that lose."""
    with solara.Div(classes=["sim-groups"]):
        solara.HTML("b", "For whom: gain by group of western counties")
        solara.HTML("div", figures.group_table(comp).to_html(index=False))
        solara.Text(figures.group_caption(comp), classes=["sim-groups-caption"])
        solara.Text(figures.losing_text(comp), classes=["sim-losing"])


@solara.component
def Headline(comp):
    """Final-year jobs, income and cost, scenario against baseline (mean over seeds)."""
    with solara.Div(classes=["sim-headline"]):
        solara.HTML("div", figures.headline(comp).to_html(index=False))


@solara.component
def ComparePage():
    solara.Title("East–West industrial transfer: dashboard")
    solara.use_effect(start_run, [])  # the first view runs on opening
    with solara.Sidebar():
        Controls()
    with solara.Column():
        Results()
        Export()


@solara.component
def StepPage():
    """Mesa's SolaraViz on one model (imported only when the page is opened)."""
    from sim.dashboard import stepper

    stepper.Page()


routes = [
    solara.Route(path="/", component=ComparePage, label="Compare with baseline"),
    solara.Route(path="step", component=StepPage, label="One model, step by step (Mesa)"),
]
