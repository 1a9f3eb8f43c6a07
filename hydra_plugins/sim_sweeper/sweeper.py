"""Discovery shim: Hydra accepts plugins defined under ``hydra_plugins`` only; the code is in
``sim/hydra/sweeper.py``."""

from sim.hydra import sweeper


class CoveringSweeper(sweeper.CoveringSweeper):
    pass
