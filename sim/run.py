"""``python -m sim.run [overrides]``: one run, or a sweep with ``-m`` (the command is in
:mod:`sim.cli`).

Settings for the process as a whole, measured on the national run (docs/benchmarks.md): the C
allocator keeps the memory numpy frees, the imports run without garbage collection (they make
~120,000 objects and no garbage worth the ~0.1 s of collecting), and the objects made by then
are frozen out of later collections, during the run and at exit.
"""

import gc
import sys
from typing import NoReturn

from sim.runs.processes import keep_freed_memory

keep_freed_memory()  # before the imports and the run allocate
gc.disable()

# Mesa first, while few modules are loaded and the stack is short: its import inspects the
# call stack (mesa.mesa_logging), at a cost that grows with both.
import mesa  # noqa: E402, F401, I001

from sim.cli import cli  # noqa: E402

gc.freeze()
gc.enable()


def main() -> NoReturn:
    """Run the command line (``sys.argv``) and exit with its code."""
    code = cli()
    # Done and written. The interpreter's teardown would go over every object of the ~1,500
    # modules loaded, in garbage collections (about 0.4 s); frozen ones are left to the OS.
    # Exit handlers still run (logging is flushed), and files were closed when written.
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    main()
