"""A Hydra callback counting the jobs that really start (tests add it: +hydra.callbacks...)."""

import os
from pathlib import Path

from hydra.experimental.callback import Callback


class JobCounter(Callback):
    def __init__(self, path: str):
        self.path = Path(path)

    def on_job_start(self, config, **kwargs) -> None:
        with open(self.path, "a") as f:  # one line per job start, from whichever process runs it
            f.write(f"{os.getpid()}\n")
