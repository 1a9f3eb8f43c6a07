"""The ``hydra/launcher: sim_slurm`` config node (Hydra imports this module when it scans for
plugins).

No ``from __future__ import annotations``: Hydra executes plugin modules outside
``sys.modules``, where dataclasses cannot resolve string annotations.
"""

from dataclasses import dataclass

from hydra.core.config_store import ConfigStore
from hydra_plugins.hydra_submitit_launcher.config import SlurmQueueConf


@dataclass
class SimSlurmQueueConf(SlurmQueueConf):
    _target_: str = "hydra_plugins.sim_launcher.launcher.SlurmLauncher"
    # seconds between job-state queries (one sacct call for the whole sweep); submitit's own
    # schedule stretches to 10 minutes, so a cancelled job would go unnoticed that long
    poll_s: int = 30


ConfigStore.instance().store(
    group="hydra/launcher", name="sim_slurm", node=SimSlurmQueueConf, provider="sim"
)
