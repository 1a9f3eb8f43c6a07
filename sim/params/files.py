"""Reading the parameter files (configs, calibrated points, draws) with caches that see edits.

A notebook or a running dashboard lives longer than a file's content: every cache
here is keyed by the file's modification time, size and inode (:func:`stamp`), so a
recalibration or an edited config is read again on the next call, and an unchanged
file is not.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import yaml

from sim.params.paths import CONFIG_DIR
from sim.params.schema import ConfigError
from sim.world import bounded_yaml
from sim.world.geography import WORLD_DIR

# the calibration's files beside each geography that composed configs depend on
WORLD_PARAMETER_FILES = ("point.yaml", "draws.yaml", "calibration.yaml", "influential.yaml")


def stamp(path: Path) -> tuple | None:
    """What changes when ``path`` is written (atomic replace too); None if it does not exist."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def read_yaml(path: Path):
    """The YAML document in ``path``, read within the data-file limits (:func:`read_data_file`)
    and cached until the file changes. Do not modify the result."""
    path = Path(path)
    return _read(str(path), stamp(path))


@functools.lru_cache(maxsize=64)
def _read(path: str, _stamp: tuple | None):
    return read_data_file(Path(path))


def read_data_file(path: Path):
    """A calibration, draws or targets file, bounded (size, aliases); problems as a ConfigError."""
    try:
        return bounded_yaml.read(path)
    except (bounded_yaml.YamlLimitError, UnicodeDecodeError) as err:
        raise ConfigError(
            f"{path}: {err}" if isinstance(err, UnicodeDecodeError) else str(err)
        ) from None
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML: {str(err)[:300]}") from None


def parameter_files_stamp() -> tuple:
    """One key for the state of every file a composed config is read from: the config
    folder's YAML files and the calibration files beside each geography (~1 ms)."""
    paths = sorted(CONFIG_DIR.rglob("*.yaml"))
    paths += sorted(p for name in WORLD_PARAMETER_FILES for p in WORLD_DIR.glob(f"*/{name}"))
    return tuple((str(p), stamp(p)) for p in paths)
