"""Ships the top-level ``configs/`` inside the wheel as ``sim/configs/``.

The repository keeps ``configs/`` at the top (the layout of DESIGN §5, where users
edit it); an installed package has no repository around it, so the build copies the
folder into the package. ``sim.config.CONFIG_DIR`` prefers the shipped copy and falls
back to the repository's folder (source checkouts and editable installs).
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithConfigs(build_py):
    def run(self):
        super().run()
        if not self.editable_mode:  # an editable install reads configs/ in place
            target = Path(self.build_lib) / "sim" / "configs"
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(ROOT / "configs", target, ignore=shutil.ignore_patterns("__pycache__"))


setup(cmdclass={"build_py": BuildWithConfigs})
