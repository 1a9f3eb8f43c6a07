"""A calibration's data files: its experiment, its calibrated point estimate and its draws.

A calibration ``NAME`` keeps its data beside its geography, ``sim/world/NAME/``:

* ``calibration.yaml`` — the experiment (fitted parameters and priors, targets, seeds, budgets);
* ``point.yaml`` — the calibrated point estimate (dotted key → value), written by
  ``make calibrate``; configs read it through the ``${sim_calibrated:NAME,key}`` resolver
  (``configs/calibration/NAME.yaml`` for the behaviour, ``configs/geography/NAME.yaml`` for
  the pool size), so ``calibration=NAME`` selects it and command-line overrides beat it;
* ``draws.yaml`` — equally weighted parameter draws, the rows of the ``draws`` design
  (``sensitivity.method=draws sensitivity.sample=k``, or ``run.draw=k``);
* ``influential.yaml`` — the uncertain parameters a Morris screening on the calibrated defaults
  found influential (``make screen``, :mod:`sim.studies.screen`): the draws carry them, each
  drawn from its prior (:mod:`sim.params.designs`).

Every reader is cached by the file's stamp (:mod:`sim.params.files`): a recalibration is
seen by a process that is already running.
"""

from __future__ import annotations

from pathlib import Path

from sim.params.files import read_data_file, read_yaml  # noqa: F401 - read_data_file re-exported
from sim.params.schema import ConfigError
from sim.world.geography import WORLD_DIR, world_file


def known_calibrations() -> list[str]:
    return sorted(p.parent.name for p in WORLD_DIR.glob("*/calibration.yaml"))


def load_spec(geography: str) -> dict:
    """The calibration experiment of a geography (its data file), or a clear error if none."""
    path = world_file(geography, "calibration.yaml")
    if not path.exists():
        raise ConfigError(
            f"no calibration is declared for geography '{geography}' "
            f"(known: {', '.join(known_calibrations())}); add "
            f"sim/world/{geography}/calibration.yaml."
        )
    return read_yaml(path)


def load_draws(name: str) -> dict:
    path = draws_file(name)
    if not path.exists():
        raise ConfigError(
            f"run.draw needs parameter draws, but calibration '{name}' has none "
            f"(sim/world/{name}/draws.yaml is missing): run `make calibrate` or use run.draw=-1."
        )
    return read_yaml(path)


def draws_file(name: str) -> Path:
    """The parameter draws of calibration ``name`` (may not exist)."""
    return world_file(name, "draws.yaml")


def influential_file(name: str) -> Path:
    """The screening's list of influential uncertain parameters of calibration ``name`` (may not
    exist)."""
    return world_file(name, "influential.yaml")


def point_file(name: str) -> Path:
    """The calibrated point estimate of calibration ``name`` (may not exist)."""
    return world_file(name, "point.yaml")


def load_point(name: str) -> dict:
    """{dotted key: value} of calibration ``name``'s point estimate, or a clear error."""
    path = point_file(name)
    doc = read_yaml(path) if path.is_file() else None
    if not isinstance(doc, dict) or not isinstance(doc.get("values"), dict):
        raise ConfigError(
            f"calibration '{name}' has no point estimate: sim/world/{name}/point.yaml is "
            f"{'missing' if not path.is_file() else 'no calibration point (no values: mapping)'}. "
            "Run `make calibrate`, or use calibration=none."
        )
    return doc["values"]


def calibrated(name: str, key: str):
    """The ``${sim_calibrated:NAME,key}`` resolver: one value of a calibrated point estimate."""
    values = load_point(str(name))
    if key not in values:
        raise ConfigError(
            f"{key} is not in calibration '{name}''s point estimate (sim/world/{name}/point.yaml: "
            f"{', '.join(values)})."
        )
    return values[key]
