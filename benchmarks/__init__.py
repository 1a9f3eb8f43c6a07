"""Benchmarks of the model (``python benchmarks/run.py``, ``make bench``); writes
``docs/benchmarks.md``.

``run`` is the command line; ``harness`` runs and times child processes; ``cases``
says what is measured; ``workers`` are the in-process measurements a case runs in
a child (``run.py --worker``); ``machine`` and ``report`` make the Markdown report.
"""
