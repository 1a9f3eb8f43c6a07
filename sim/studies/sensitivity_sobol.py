"""Experiment sensitivity_sobol: indices of its design sweep (:mod:`sim.studies.sensitivity`)."""

from sim.studies.sensitivity import report

__all__ = ["report"]
