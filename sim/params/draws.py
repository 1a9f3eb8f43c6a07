"""Parameter draws of a calibration: its point estimate's spec and the draws ``run.draw=k`` applies.

A calibration ``NAME`` keeps its data beside its geography: ``sim/world/NAME/calibration.yaml``
(the experiment: fitted parameters, priors, targets) and ``sim/world/NAME/draws.yaml``
(equally weighted parameter draws written by ``make calibrate``).
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml
from omegaconf import OmegaConf

from sim.params.schema import ConfigError
from sim.world import bounded_yaml
from sim.world.geography import WORLD_DIR, world_file


def read_data_file(path: Path):
    """A calibration, draws or targets file, bounded (size, aliases); problems as a ConfigError."""
    try:
        return bounded_yaml.read(path)
    except (bounded_yaml.YamlLimitError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: {err}" if isinstance(err, UnicodeDecodeError) else str(err)) from None
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML: {str(err)[:300]}") from None


@functools.cache
def _read_yaml(path: Path) -> dict:
    return read_data_file(path)


def known_calibrations() -> list[str]:
    return sorted(p.parent.name for p in WORLD_DIR.glob("*/calibration.yaml"))


def load_spec(geography: str) -> dict:
    """The calibration experiment of a geography (its data file), or a clear error if none."""
    path = world_file(geography, "calibration.yaml")
    if not path.exists():
        raise ConfigError(f"no calibration is declared for geography '{geography}' "
                          f"(known: {', '.join(known_calibrations())}); add sim/world/{geography}/calibration.yaml.")
    return _read_yaml(path)


def load_draws(name: str) -> dict:
    path = draws_file(name)
    if not path.exists():
        raise ConfigError(f"run.draw needs parameter draws, but calibration '{name}' has none "
                          f"(sim/world/{name}/draws.yaml is missing): run `make calibrate` or use run.draw=-1.")
    return _read_yaml(path)


# ------------------------------------------------------------------ run.draw: parameter uncertainty in any run
def apply_draw(cfg):
    """Apply draw ``run.draw`` of the selected calibration over ``cfg`` (in place); -1 leaves it.

    Keys under ``geography.`` (the pool size) apply only to the calibration's own
    geography read from its file: another geography's pool is its own datum.
    """
    k = cfg.run.draw
    if k is None or k < 0:
        return cfg
    name = cfg.run.calibration
    if name in (None, "none"):
        raise ConfigError(f"run.draw = {k} needs a calibration (calibration=shanghai_yunnan); "
                          "calibration=none has no parameter draws.")
    draws = load_draws(name)["draws"]
    if k >= len(draws):
        raise ConfigError(f"run.draw = {k} is out of range: calibration '{name}' has {len(draws)} "
                          f"draws (0..{len(draws) - 1}); -1 = its point estimate.")
    same_place = cfg.geography.name == load_spec(name)["geography"] and cfg.geography.kind == "file"
    for key, value in draws[k]["values"].items():
        if key.startswith("geography.") and not same_place:
            continue
        OmegaConf.update(cfg, key, value, merge=False)
    return cfg




def draws_file(name: str) -> Path:
    """The parameter draws of calibration ``name`` (may not exist)."""
    return world_file(name, "draws.yaml")
