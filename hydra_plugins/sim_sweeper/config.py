"""The ``hydra/sweeper: sim`` config node (Hydra imports this module when it scans for plugins).

No ``from __future__ import annotations`` here: Hydra executes plugin modules
outside ``sys.modules``, where dataclasses cannot resolve string annotations.
"""

from dataclasses import dataclass
from typing import Dict, Optional  # noqa: UP035 - OmegaConf needs these forms

from hydra.core.config_store import ConfigStore


@dataclass
class CoveringSweeperConf:
    _target_: str = "hydra_plugins.sim_sweeper.sweeper.CoveringSweeper"
    max_batch_size: Optional[int] = None  # noqa: UP045
    params: Optional[Dict[str, str]] = None  # noqa: UP006, UP045


ConfigStore.instance().store(
    group="hydra/sweeper", name="sim", node=CoveringSweeperConf, provider="sim"
)
