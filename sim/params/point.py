"""The one path from a composed config to the parameter values a job runs: :func:`resolve`.

Every caller goes through it: :func:`sim.params.compose.compose` (so ``sim.evaluate`` and
the dashboard), the job of ``python -m sim.run``, and the sweeper's check before launching
and its test of which jobs are complete already. It

1. writes the parameter point in one spelling (:func:`canonical`),
2. freezes the config's interpolations, among them the calibrated point estimate
   (``${sim_calibrated:...}``, read from ``sim/world/<calibration>/point.yaml``),
3. sets the values of the point's design row (:func:`point_values`),
4. validates the result, those values included.

**Parameter point k.** A job's parameters are the composed config, moved to row
``sensitivity.sample=k`` of a parameter design (``sensitivity.method``: ``draws``,
``morris``, ``sobol``); -1 is the config as composed (the point estimate).
``run.draw=k`` is a second spelling of ``sensitivity.method=draws sensitivity.sample=k``:
it is rewritten into that, so both spellings run and record the same config
(``run.draw`` is -1 in every recorded config). Refused, with a message: ``run.draw``
together with ``sensitivity.sample``, ``run.draw`` with another design method or with
``calibration=none``, and ``sensitivity.sample`` without a design method.

**The pool size of a draw.** A calibration draw's ``geography.*`` values (the pool size
``n_firms``) replace the pool only where the pool is that calibration's estimate: its
own geography, with ``geography.n_firms`` not set by an override or an experiment.
Otherwise the config's pool is kept (a user's ``geography.n_firms=10000`` stays 10000,
another geography keeps its own) and the draw changes the behavioural parameters only.
"""

from __future__ import annotations

import warnings

from omegaconf import DictConfig, OmegaConf, read_write

from sim.params import schema
from sim.params.designs import sample_values
from sim.params.schema import ConfigError

_INT_KEYS = {k for k, f in schema.schema_fields() if f.type in (int, "int")}


def canonical(cfg) -> None:
    """Rewrite ``run.draw=k`` as ``sensitivity.method=draws sensitivity.sample=k`` (in place);
    refuse spellings that name two points or none."""
    s, draw = cfg.sensitivity, cfg.run.draw
    sample = s.sample if s.sample is not None else -1
    has_draw = draw is not None and draw >= 0
    if has_draw and sample >= 0:
        raise ConfigError(
            f"Invalid configuration:\n  run.draw = {draw} and sensitivity.sample = {sample} name "
            "two "
            "parameter points (run.draw=k is sensitivity.method=draws sensitivity.sample=k); "
            "give one of them. Nothing was run."
        )
    if sample >= 0 and s.method == "none":
        raise ConfigError(
            f"Invalid configuration:\n  sensitivity.sample = {sample} needs a design: set "
            "sensitivity.method=draws (calibration draws), morris or sobol; for calibration draw "
            f"{sample} write run.draw={sample}. Nothing was run."
        )
    if not has_draw:
        return
    if s.method not in ("none", "draws"):
        raise ConfigError(
            f"Invalid configuration:\n  run.draw = {draw} is a row of the draws design, but "
            f"sensitivity.method = {s.method}; drop one of them. Nothing was run."
        )
    if cfg.run.calibration in (None, "none"):
        raise ConfigError(
            f"Invalid configuration:\n  run.draw = {draw} needs a calibration "
            "(calibration=shanghai_yunnan); calibration=none has no parameter draws."
        )
    from sim.params.draws import load_draws

    n = len(load_draws(cfg.run.calibration).get("draws") or [])
    if draw >= n:
        raise ConfigError(
            f"Invalid configuration:\n  run.draw = {draw} is out of range: calibration "
            f"'{cfg.run.calibration}' has {n} draws (0..{n - 1}); -1 = its point estimate."
        )
    s.method, s.sample, cfg.run.draw = "draws", draw, -1


def calibrated_pool(cfg) -> bool:
    """True if the config's pool size is its calibration's estimate (not set by an override)."""
    calibration = cfg.run.calibration
    if (
        calibration in (None, "none")
        or cfg.geography.kind != "file"
        or cfg.geography.name != calibration
    ):
        return False
    node = cfg.geography._get_node("n_firms")
    return node is not None and node._is_interpolation() and "sim_calibrated:" in str(node._value())


def point_values(cfg, pool_is_calibrated: bool | None = None) -> dict:
    """{dotted key: value} the config's parameter point sets (after :func:`canonical`)."""
    calibration = cfg.run.calibration if cfg.run.calibration not in (None, "none") else "none"
    values = sample_values(cfg.sensitivity, cfg.geography.name, calibration)
    if cfg.sensitivity.method == "draws":
        keep_pool = not (calibrated_pool(cfg) if pool_is_calibrated is None else pool_is_calibrated)
        if keep_pool and any(k.startswith("geography.") for k in values):
            if cfg.geography.name == cfg.run.calibration:
                warnings.warn(
                    f"geography.n_firms = {cfg.geography.n_firms} is kept: it was set explicitly, "
                    "so "
                    "the parameter draw changes the behavioural parameters only.",
                    stacklevel=2,
                )
            values = {k: v for k, v in values.items() if not k.startswith("geography.")}
    return {k: int(round(v)) if k in _INT_KEYS else v for k, v in values.items()}


def resolve(cfg: DictConfig, check: bool = True) -> DictConfig:
    """Apply the config's parameter point, then validate it; in place, returns ``cfg``.

    ``cfg`` is a composed config (a ``hydra`` node, if there, is left as it is). Raises
    :class:`ConfigError` naming the key for anything out of range, the point's values included.
    ``check=False`` only applies the point (the values a job will record, for a hash: the
    job itself checks them), skipping the freezing of interpolations and the validation.
    """
    with read_write(cfg):
        canonical(cfg)
        pool = calibrated_pool(cfg)
        if check:
            _freeze(cfg)  # values as of now: a later edit of a data file is not half-seen
        for key, value in point_values(cfg, pool).items():
            *path, leaf = key.split(".")
            node = cfg
            for part in path:
                node = node[part]
            node[leaf] = value  # typed by the schema: a wrong type is refused here
    if check:
        schema.validate(cfg)
    return cfg


def _freeze(cfg) -> None:
    """Resolve the interpolations of every section but ``hydra``, in place."""
    from omegaconf.errors import OmegaConfBaseException

    try:
        for key in list(cfg):
            if key != "hydra" and OmegaConf.is_config(cfg[key]):
                OmegaConf.resolve(cfg[key])
    except OmegaConfBaseException as err:
        cause = err.__cause__ if isinstance(err.__cause__, ConfigError) else err
        raise ConfigError(f"Invalid configuration: cannot resolve a value: {_first_line(cause)}") from None


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
