"""The Mesa model: :class:`TransferModel` (phases over typed state), its agents and mechanisms."""

from __future__ import annotations

__all__ = ["TransferModel", "as_config"]


def __getattr__(name: str):
    if name in __all__:
        from sim.model import transfer

        return getattr(transfer, name)
    raise AttributeError(f"module 'sim.model' has no attribute {name!r}")
