"""Where configs live, and the names of their groups."""

from __future__ import annotations

from pathlib import Path


def _config_dir() -> Path:
    """An installed wheel ships the configs inside the package (setup.py copies them);
    a source checkout or editable install reads the repository's top-level ``configs/``."""
    package = Path(__file__).resolve().parents[1]
    shipped = package / "configs"
    return shipped if (shipped / "config.yaml").is_file() else package.parent / "configs"


CONFIG_DIR = _config_dir()
GROUPS = ("scenario", "geography", "calibration", "experiment")
# the usual order of scenarios in tables and figures (baseline first); others follow by name
SCENARIO_ORDER = ("baseline", "pairing", "enclave", "labour", "consumption", "full")
