"""East–West industrial transfer ABM.

Quick use::

    import sim
    sim.evaluate({"scenario": "enclave", "run.seed": 3})   # one run in memory → metrics
    df = sim.load_sweep("results/sweeps/policy_comparison")  # a sweep's tidy table
    g = sim.group_gains("results/sweeps/policy_comparison")  # gains by county group

Heavy modules (Hydra, plotting) load only when used.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = [
    "TransferModel",
    "evaluate",
    "evaluate_many",
    "load_sweep",
    "load_timeseries",
    "load_regions",
    "group_gains",
    "county_gains",
    "compose",
]


_MODULES = {  # short names a notebook may use: sim.plots, sim.stats, ...
    "plots": "sim.report.figures",
    "labels": "sim.report.labels",
    "stats": "sim.analysis.stats",
    "studies": "sim.studies.reports",
    "schema": "sim.params.schema",
    "metrics": "sim.model.metrics",
    "geography": "sim.world.geography",
    "collect": "sim.runs.collect",
    "agents": "sim.model.agents",
}


def __getattr__(name):
    if name in ("evaluate", "evaluate_many"):
        from sim import api

        return getattr(api, name)
    if name == "TransferModel":
        from sim.model.transfer import TransferModel

        return TransferModel
    if name in ("load_sweep", "load_timeseries", "load_regions"):
        from sim.runs import collect

        return getattr(collect, name)
    if name in ("group_gains", "county_gains"):
        from sim import api

        return getattr(api, name)
    if name == "compose":
        from sim.params.compose import compose

        return compose
    if name in _MODULES:
        import importlib

        return importlib.import_module(_MODULES[name])
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
