"""The model as a function of named parameters: ``evaluate`` and ``evaluate_many``; and a
sweep's gains by county group for a notebook (``group_gains``, ``county_gains``).

Sampling, parallel evaluation and analysis live outside it (SALib, EMA workbench,
our own sweeps); this is the function they call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def evaluate(overrides: dict | None = None) -> dict:
    """Run one model in memory from dotted Hydra keys; return its final-year metrics.

    ``sim.evaluate({"scenario": "enclave", "run.seed": 3, "policy.enclave.tax_share_east": 0.5})``.
    Values may be numpy scalars (``np.float64(0.3)``, as SALib, EMA workbench and pandas
    pass them). Nothing is written. Bad keys or values raise :class:`sim.params.schema.ConfigError`
    naming the key; anything but a dict of text keys raises ``TypeError``. Text values are
    taken as data: one holding ``${`` (an interpolation) is refused. With ``run.replications``
    > 1 the metrics are averaged over replications.
    """
    from sim.params.compose import compose

    return _run_config(compose(checked_overrides(overrides)))


def _run_config(cfg) -> dict:
    from sim.runs.runner import run_seeds

    rows = [model.summary() for _seed, model in run_seeds(cfg)]
    return {k: sum(r[k] for r in rows) / len(rows) for k in rows[0]}


def checked_overrides(overrides) -> dict:
    """``overrides`` if it is a dict of dotted text keys (None: {}); TypeError or ConfigError
    otherwise."""
    from sim.params.schema import ConfigError

    if overrides is None:
        return {}
    if not isinstance(overrides, dict):
        example = "{'scenario': 'full'}" if isinstance(overrides, str) else "{'run.seed': 3}"
        raise TypeError(
            f"sim.evaluate takes a dict of dotted keys and values, e.g. {example}; "
            f"got a {type(overrides).__name__}: {str(overrides)[:80]!r}."
        )
    for key, value in overrides.items():
        if not isinstance(key, str):
            raise TypeError(
                f"sim.evaluate: keys are dotted config keys as text ('run.seed'), not {key!r}."
            )
        if isinstance(value, str) and "${" in value:
            raise ConfigError(
                f"Invalid configuration:\n  {key} = {value[:80]!r}: values are data, not "
                "interpolations; '${' is not allowed in a value given to sim.evaluate."
            )
    return overrides


def evaluate_many(
    overrides: list[dict], n_jobs: int = -1, progress: bool | None = None
) -> list[dict]:
    """:func:`evaluate` for each dict of ``overrides``, in parallel on local cores (joblib).

    Returns the metrics in the order given. ``n_jobs=-1`` uses every core, 1 runs in this
    process. Every config is checked before any run starts, so a bad value in the last
    dict stops the batch at once (the error names the key and the dict's position): types
    and keys of every dict first (cheap), then each config is composed once, here (with a
    progress bar for large batches); the runs reuse these configs.
    ``progress``: a progress bar (default: only on a terminal).
    """
    import sys

    from tqdm.auto import tqdm

    from sim.params.checks import check_overrides
    from sim.params.compose import compose, to_overrides
    from sim.params.schema import ConfigError

    if isinstance(overrides, (dict, str)):
        raise TypeError(
            "sim.evaluate_many takes a list of dicts (one per run); for one run use sim.evaluate."
        )
    batch = list(overrides)
    for i, ov in enumerate(batch):  # cheap checks of every dict before any composition
        try:
            check_overrides(to_overrides(checked_overrides(ov)))
        except (ConfigError, TypeError) as err:
            raise type(err)(f"overrides[{i}]: {err}") from None
    show = (sys.stderr.isatty() if progress is None else progress) and len(batch) > 20
    configs = []
    for i, ov in enumerate(tqdm(batch, desc="checking configs", unit="config", disable=not show)):
        try:
            configs.append(compose(ov))
        except ConfigError as err:
            raise ConfigError(f"overrides[{i}]: {err}") from None
    return _parallel(_run_config, configs, n_jobs, progress)


def _parallel(fn, items: list, n_jobs: int, progress: bool | None) -> list:
    import sys

    from joblib import Parallel, delayed
    from tqdm.auto import tqdm

    show = sys.stderr.isatty() if progress is None else progress
    results = Parallel(n_jobs=n_jobs, return_as="generator")(delayed(fn)(x) for x in items)
    return list(tqdm(results, total=len(items), desc="runs", unit="run", disable=not show))


def group_gains(sweep) -> pd.DataFrame:
    """Gains over the baseline twin by group of western counties (start-income quintile, key
    counties, paired, urban districts), with intervals over draws × seeds, of a sweep (its folder
    or its ``regions.parquet``): :func:`sim.analysis.county_groups.group_gains`."""
    from sim.analysis import county_groups
    from sim.runs.collect import load_regions

    return county_groups.group_gains(load_regions(sweep))


def county_gains(sweep) -> pd.DataFrame:
    """Per scenario and western county, the gain over the baseline twin with its interval and the
    county's attributes: :func:`sim.analysis.county_groups.county_gains`; the counties that lose:
    ``sim.analysis.county_groups.losing_counties(sim.county_gains(sweep))``."""
    from sim.analysis import county_groups
    from sim.runs.collect import load_regions

    return county_groups.county_gains(load_regions(sweep))
