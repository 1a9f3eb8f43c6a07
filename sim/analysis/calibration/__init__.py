"""Calibration to reported figures (docs/calibration.md), one module per concern.

* :mod:`.experiment` — the inputs (targets, the experiment file, priors), checked first;
* :mod:`.measures` — what the model is compared with, and the distance;
* :mod:`.fit` — ABC-SMC (pyabc) with a locked, resumable checkpoint; posterior, point estimate;
* :mod:`.validate` — the fit table and the out-of-sample checks;
* :mod:`.write` — the result as data files (``point.yaml``, ``draws.yaml``), installed on purpose;
* :mod:`.report` — the tables, the terminal summary, the identification figure;
* :mod:`.cli` — the command ``python -m sim.analysis.calibration`` (``make calibrate``).
"""

from sim.analysis.calibration.cli import FIT_SEEDS, RESULTS_DIR, TABLE_DRAWS, calibrate, main
from sim.analysis.calibration.experiment import Experiment, check_inputs, load_targets
from sim.analysis.calibration.fit import point_estimate, posterior, run_abc, weighted_median
from sim.analysis.calibration.measures import distance, measures, simulate_measures, with_values
from sim.analysis.calibration.validate import TOLERANCE, fit_table, validate_out_of_sample
from sim.analysis.calibration.write import install, write_draws, write_point
from sim.params.draws import load_draws, load_point, load_spec

__all__ = [
    "FIT_SEEDS",
    "RESULTS_DIR",
    "TABLE_DRAWS",
    "TOLERANCE",
    "Experiment",
    "calibrate",
    "check_inputs",
    "distance",
    "fit_table",
    "install",
    "load_draws",
    "load_point",
    "load_spec",
    "load_targets",
    "main",
    "measures",
    "point_estimate",
    "posterior",
    "run_abc",
    "simulate_measures",
    "validate_out_of_sample",
    "weighted_median",
    "with_values",
    "write_draws",
    "write_point",
]
