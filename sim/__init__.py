"""East–West industrial transfer ABM.

Quick use::

    import sim
    sim.evaluate({"scenario": "enclave", "run.seed": 3})   # one run in memory → metrics
    df = sim.load_sweep("results/sweeps/policy_comparison")  # a sweep's tidy table

Heavy modules (Hydra, plotting) load only when used.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["TransferModel", "evaluate", "load_sweep", "load_timeseries", "compose"]


def evaluate(overrides: dict | None = None) -> dict:
    """Run one model in memory from dotted Hydra keys; return its final-year metrics.

    ``sim.evaluate({"scenario": "enclave", "run.seed": 3, "policy.enclave.tax_share_east": 0.5})``.
    Nothing is written. Bad keys or values raise :class:`sim.schema.ConfigError`
    (or Hydra's ConfigCompositionException for unknown keys) naming the key.
    With ``run.replications`` > 1 the metrics are averaged over replications.
    """
    from .config import compose
    from .runner import replication_seeds, simulate

    cfg = compose(overrides)
    seeds = replication_seeds(cfg.run.seed, cfg.run.replications)
    rows = [simulate(cfg, seed=s).summary() for s in seeds]
    return {k: sum(r[k] for r in rows) / len(rows) for k in rows[0]}


def __getattr__(name):
    if name == "TransferModel":
        from .model import TransferModel

        return TransferModel
    if name in ("load_sweep", "load_timeseries"):
        from . import collect

        return getattr(collect, name)
    if name == "compose":
        from .config import compose

        return compose
    if name in ("plots", "stats", "studies", "schema", "metrics", "geography", "collect", "agents"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
