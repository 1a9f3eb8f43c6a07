"""The model's mechanisms (docs/ODD.md §7), one module each, as functions over arrays.

costs, government, location, parks, labour, production, and their helpers. They
read no global state and draw no random numbers of their own: the model passes in
its arrays, its draws and the parameters each mechanism uses, as keyword arguments
or as a small frozen view of the config (a :class:`ParamView`), never the whole config.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Self


@dataclasses.dataclass(frozen=True)
class ParamView:
    """The config fields one mechanism reads, under the config's own names (and units).

    Subclasses are frozen dataclasses; :meth:`from_config` picks their fields from a
    config section (``sim.params.schema.EconomyConfig``), once, when the model is built.
    """

    @classmethod
    def from_config(cls, section: object) -> Self:
        """The view of ``section``: each field read from the attribute of the same name."""
        values: dict[str, Any] = {f.name: getattr(section, f.name) for f in dataclasses.fields(cls)}
        return cls(**values)
