"""A second page: one model stepped quarter by quarter in Mesa's own SolaraViz.

Mesa builds the model from the keyword parameters below (``KeywordModel(**params)``),
the convention of its tools; the plots read the model's DataCollector.
"""

from __future__ import annotations

import solara
from mesa.visualization import SolaraViz, make_plot_component

from sim.dashboard.figures import heading
from sim.dashboard.view import choices, levers, scenario_values
from sim.model.keywords import KeywordModel
from sim.model.metrics import METRICS

SCENARIO = ("shanghai_yunnan", "enclave")  # what the page opens with


def _slider(key: str) -> dict:
    """A SolaraViz slider for a lever, with the schema's range and the scenario's value."""
    lever = next(lv for lv in levers() if lv.key == key)
    return {
        "type": "SliderFloat",
        "value": scenario_values(*SCENARIO)[key],
        "min": lever.lo,
        "max": lever.hi,
        "step": lever.step,
        "label": lever.label,
    }


MODEL_PARAMS = {
    "geography": {
        "type": "Select",
        "value": SCENARIO[0],
        "values": choices("geography"),
        "label": "geography",
    },
    "scenario": {
        "type": "Select",
        "value": SCENARIO[1],
        "values": choices("scenario"),
        "label": "scenario",
    },
    "seed": {"type": "InputText", "value": 0, "label": "seed (run.seed)"},
    "tax_share_east": _slider("policy.enclave.tax_share_east"),
    "land_discount": _slider("policy.subsidy.land_discount"),
}


def _labelled(metric: str):
    """Mesa's plot of one metric, titled with its meaning and unit instead of its key."""
    unit, meaning = METRICS[metric]

    def post_process(ax):
        ax.set_title(heading(meaning, 50), fontsize=10, loc="left")
        ax.set_ylabel(unit)

    return make_plot_component(metric, backend="matplotlib", post_process=post_process)


COMPONENTS = [
    _labelled(m) for m in ("west_jobs_local", "west_income_per_capita", "west_fiscal_cost")
]


@solara.component
def Page():
    model = solara.use_memo(lambda: KeywordModel(geography=SCENARIO[0], scenario=SCENARIO[1]), [])
    SolaraViz(
        model, components=COMPONENTS, model_params=MODEL_PARAMS, name="One model, step by step"
    )
