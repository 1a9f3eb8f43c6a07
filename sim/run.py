"""``python -m sim.run [overrides]``: one run, or a sweep with ``-m`` (the command is in
:mod:`sim.cli`)."""

import sys

from sim.runs.processes import keep_freed_memory

keep_freed_memory()  # before the imports and the run allocate

# Mesa first, while few modules are loaded and the stack is short: its import inspects the
# call stack (mesa.mesa_logging), at a cost that grows with both.
import mesa  # noqa: E402, F401, I001

from sim.cli import cli  # noqa: E402

if __name__ == "__main__":
    sys.exit(cli())
