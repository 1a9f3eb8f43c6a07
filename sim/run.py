"""``python -m sim.run [overrides]``: one run, or a sweep with ``-m`` (the command is in
:mod:`sim.cli`)."""

import sys

from sim.cli import cli

if __name__ == "__main__":
    sys.exit(cli())
