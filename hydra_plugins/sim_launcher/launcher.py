"""Discovery shim: Hydra accepts plugins defined under ``hydra_plugins`` only; the code is in
``sim/hydra/launcher.py``."""

from sim.hydra import launcher


class SlurmLauncher(launcher.SlurmLauncher):
    pass
