"""Studies: one module per named experiment (configs/experiment/*.yaml names it with ``study:``),
each with a ``report(sweep_dir) -> str``; :func:`sim.studies.reports.study_report` finds it."""

from sim.params.paths import SCENARIO_ORDER  # the usual order of scenarios, baseline first

__all__ = ["SCENARIO_ORDER"]
