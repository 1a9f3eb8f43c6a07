"""The model built from keyword parameters, as Mesa's tools (``batch_run``, ``SolaraViz``) expect.

``TransferModel`` takes a config object; Mesa's tools call ``model_cls(**params)``.
:class:`KeywordModel` maps keywords to the same config overrides the CLI takes, so
``KeywordModel(scenario="enclave", tax_share_east=0.5, seed=3)`` is the run of
``python -m sim.run scenario=enclave policy.enclave.tax_share_east=0.5 run.seed=3``.

A keyword is a group (``scenario``, ``geography``), ``seed``, a dotted key written
with double underscores (``policy__enclave__tax_share_east``), or a key's last part
when only one key of the schema ends so (``tax_share_east``).
"""

from __future__ import annotations

import functools

from sim.model.transfer import TransferModel
from sim.params.schema import ConfigError, schema_fields

GROUPS = ("scenario", "geography")


@functools.cache
def _short_names() -> dict[str, str | None]:
    """Last part of a key -> the key (None where two keys share it)."""
    names: dict[str, str | None] = {}
    for key, _ in schema_fields():
        short = key.rsplit(".", 1)[-1]
        names[short] = None if short in names else key
    return names


def dotted_key(keyword: str) -> str:
    """The config key a keyword names; :class:`ConfigError` if none or several."""
    if "__" in keyword:
        return keyword.replace("__", ".")
    key = _short_names().get(keyword, "")
    if key:
        return key
    if key is None:
        raise ConfigError(
            f"Keyword {keyword!r} names several config keys; write it in full with double "
            f"underscores, e.g. policy__enclave__{keyword}."
        )
    raise ConfigError(
        f"Unknown keyword {keyword!r}: use scenario, geography, seed, a config key's last part "
        "or the full key with double underscores (see docs/ODD.md for the keys)."
    )


def keyword_overrides(**params) -> dict:
    """Keywords -> dotted overrides for :func:`sim.params.compose.compose`."""
    out = {}
    for name, value in params.items():
        if name in GROUPS:
            out[name] = value
        elif name == "seed":
            out["run.seed"] = int(value)
        else:
            out[dotted_key(name)] = (
                value.item() if hasattr(value, "item") else value
            )  # numpy scalars
    return out


class KeywordModel(TransferModel):
    """:class:`~sim.model.TransferModel` from keyword parameters (see the module's docstring)."""

    def __init__(self, rng=None, **params):
        from sim.params.compose import compose

        super().__init__(compose(keyword_overrides(**params)), rng=rng)
