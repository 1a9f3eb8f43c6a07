"""Hydra plugin: the basic sweeper with a faster check before launching.

Lives in Hydra's ``hydra_plugins`` namespace because Hydra only instantiates
sweepers found there. Selected in ``configs/config.yaml`` (``hydra/sweeper: sim``).
"""
