"""The interactive dashboard (``make dashboard`` / ``python -m sim.dashboard``); see
docs/dashboard.md.

``view`` holds what the page shows as plain data (levers, runs, export) and is usable
without a browser; ``figures`` draws it; ``app`` is the Solara page; ``stepper`` the
page with Mesa's SolaraViz.
"""
