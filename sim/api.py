"""The model as a function of named parameters: ``evaluate`` and ``evaluate_many``.

Sampling, parallel evaluation and analysis live outside it (SALib, EMA workbench,
our own sweeps); this is the function they call.
"""

from __future__ import annotations


def evaluate(overrides: dict | None = None) -> dict:
    """Run one model in memory from dotted Hydra keys; return its final-year metrics.

    ``sim.evaluate({"scenario": "enclave", "run.seed": 3, "policy.enclave.tax_share_east": 0.5})``.
    Values may be numpy scalars (``np.float64(0.3)``, as SALib, EMA workbench and pandas
    pass them). Nothing is written. Bad keys or values raise :class:`sim.params.schema.ConfigError`
    naming the key. With ``run.replications`` > 1 the metrics are averaged over replications.
    """
    from sim.params.compose import compose
    from sim.runs.runner import run_seeds

    rows = [model.summary() for _seed, model in run_seeds(compose(overrides))]
    return {k: sum(r[k] for r in rows) / len(rows) for k in rows[0]}


def evaluate_many(overrides: list[dict], n_jobs: int = -1, progress: bool | None = None) -> list[dict]:
    """:func:`evaluate` for each dict of ``overrides``, in parallel on local cores (joblib).

    Returns the metrics in the order given. ``n_jobs=-1`` uses every core, 1 runs in this
    process. Every config is checked before any run starts, so a bad value in the last
    dict stops the batch at once (the error names the key and the dict's position).
    ``progress``: a progress bar (default: only on a terminal).
    """
    from sim.params.compose import compose
    from sim.params.schema import ConfigError

    batch = list(overrides)
    for i, ov in enumerate(batch):
        try:
            compose(ov)
        except ConfigError as err:
            raise ConfigError(f"overrides[{i}]: {err}") from None
    return _parallel(evaluate, batch, n_jobs, progress)


def _parallel(fn, items: list, n_jobs: int, progress: bool | None) -> list:
    import sys

    from joblib import Parallel, delayed
    from tqdm.auto import tqdm

    show = sys.stderr.isatty() if progress is None else progress
    results = Parallel(n_jobs=n_jobs, return_as="generator")(delayed(fn)(x) for x in items)
    return list(tqdm(results, total=len(items), desc="runs", unit="run", disable=not show))
