"""Composing configs outside ``python -m sim.run`` and Hydra resolvers the configs use."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from urllib.parse import quote

from omegaconf import OmegaConf

from sim.params import schema
from sim.params.paths import CONFIG_DIR, GROUPS  # noqa: F401 - re-exported


def unique_suffix() -> str:
    """A short random tag that keeps folders of runs started in the same second apart.

    Not drawn from any model generator: it names a folder, it never enters a result.
    """
    return secrets.token_hex(3)


def safe_dirname(text: str | None, limit: int = 120) -> str:
    """A folder name for ``text`` (an override list or a study name): one path component.

    ``/``, ``\\``, control and other unusual characters are %-encoded, ``..`` and a
    leading dot are encoded too, and a long name is cut and ended with a hash of
    the whole, so two different texts never share a folder. The real values are
    kept in each run's ``run.json``.
    """
    if not text:
        return "default"
    name = quote(str(text), safe="=,+-_.@:")
    name = name.replace("..", "%2E%2E").replace(":", "%3A")
    if name.startswith("."):
        name = "%2E" + name[1:]
    if len(name) > limit:
        digest = hashlib.sha256(str(text).encode()).hexdigest()[:16]
        name = name[: limit - 17].rstrip("%") + "~" + digest
    return name


def _register() -> None:
    # use_cache: Hydra resolves these folder names several times (sweeper, launcher,
    # each job) and copies the cache into every job's config, so all see one value.
    if not OmegaConf.has_resolver("sim_sweep_name"):
        # a named study resumes in place; an ad-hoc sweep gets the timestamp and a unique tag
        OmegaConf.register_new_resolver(
            "sim_sweep_name", lambda study, stamp: safe_dirname(study) if study else f"{stamp}_{unique_suffix()}",
            use_cache=True)
    if not OmegaConf.has_resolver("sim_run_name"):
        OmegaConf.register_new_resolver("sim_run_name", lambda stamp: f"{stamp}_{unique_suffix()}", use_cache=True)
    if not OmegaConf.has_resolver("sim_job_dir"):
        OmegaConf.register_new_resolver("sim_job_dir", safe_dirname)
    if not OmegaConf.has_resolver("sim_calibrated"):
        from sim.params.draws import calibrated

        # a calibrated value from sim/world/NAME/point.yaml (the data file `make calibrate` writes)
        OmegaConf.register_new_resolver("sim_calibrated", calibrated)
    if not OmegaConf.has_resolver("sim_design_rows"):
        # design sizes computed from the sensitivity section, never typed: range(${sim_design_rows:${sensitivity}})
        OmegaConf.register_new_resolver("sim_design_rows", _design_rows)
    schema.register()


def _design_rows(section) -> int:
    from sim.params.designs import n_rows

    return n_rows(section)


_register()


def plain_value(key: str, value):
    """``value`` as a plain Python value Hydra can take: numpy scalars and 0-d arrays
    (what SALib, EMA workbench and pandas pass) become ``int``/``float``/``bool``/``str``."""
    if hasattr(value, "item") and getattr(value, "ndim", 0) == 0 and not isinstance(value, (list, tuple)):
        value = value.item()  # np.float64(0.3) -> 0.3, np.array(3) -> 3, np.bool_ -> bool
    if isinstance(value, (list, tuple)):
        return [plain_value(key, v) for v in value]
    if isinstance(value, float) and value.is_integer() and key in _INT_KEYS:
        return int(value)  # samplers and pandas rows give 3.0 for an integer parameter
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise schema.ConfigError(f"Invalid configuration:\n  {key} = {value!r}: a {type(value).__name__} is not "
                             "a config value (give a number, string, bool or list).")


_INT_KEYS = {k for k, f in schema.schema_fields() if str(f.type).startswith("int")}


def format_value(value) -> str:
    """A plain Python value as a Hydra override value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(format_value(v) for v in value) + "]"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str) and (not _BARE.fullmatch(value) or value.lower() in _WORDS):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"  # Hydra's quoted string
    return str(value)


# strings Hydra's grammar reads unquoted as the same string (not a number, bool or null)
_BARE = re.compile(r"[A-Za-z_][\w./-]*")
_WORDS = {"true", "false", "null", "nan", "inf"}


def to_overrides(overrides: dict | None) -> list[str]:
    """``{"scenario": "enclave", "run.seed": np.int64(3)}`` → ``["scenario=enclave", "run.seed=3"]``."""
    return [f"{k}={format_value(plain_value(k, v))}" for k, v in (overrides or {}).items()]


def compose(overrides: dict | list[str] | None = None):
    """The resolved, validated config for dotted overrides, as a job of ``python -m sim.run``
    runs it (its parameter point applied: :func:`sim.params.point.resolve`).

    Composed configs are cached by their overrides and the state of the config and
    calibration files (Hydra takes ~50 ms per composition; an edited file is composed
    again); each call returns a copy, so callers may change it.
    """
    import copy

    from sim.params.files import parameter_files_stamp

    ov = overrides if isinstance(overrides, list) else to_overrides(overrides)
    return copy.deepcopy(_compose(tuple(ov), parameter_files_stamp()))


@functools.lru_cache(maxsize=256)
def _compose(ov: tuple[str, ...], _files_stamp: tuple):
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from sim.params.checks import check_overrides

    overrides = list(ov)
    check_overrides(overrides)  # group choices from their own folders, no unknown or deleted keys
    if GlobalHydra.instance().is_initialized():
        GlobalHydra.instance().clear()
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        try:
            cfg = hydra_compose(config_name="config", overrides=overrides)
        except (HydraException, OmegaConfBaseException) as err:
            raise schema.ConfigError(f"Invalid configuration: {err}\nKnown keys: see docs/ODD.md "
                                     "(parameter table) or `python -m sim.run --cfg job`.") from None
    from sim.params.checks import check_memory
    from sim.params.point import resolve

    resolve(cfg)  # the parameter point (design row or draw), then validation of everything
    check_memory({"geography": OmegaConf.to_container(cfg.geography)})  # before a model allocates it
    return cfg


def to_yaml(cfg) -> str:
    return OmegaConf.to_yaml(cfg, resolve=True, sort_keys=False)
