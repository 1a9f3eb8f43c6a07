"""``python -m sim.dashboard [--port N] [--host H]``: serve the dashboard and print its URL.

Every script, style and font comes from the local server: Solara's front-end
assets are shipped by the ``solara-assets`` package and served through Solara's
asset route, so the page works on a machine with no internet. Solara's usage
telemetry is switched off.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sim.dashboard", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: loopback only)")
    parser.add_argument("--port", type=int, default=8765, help="port (0: any free port)")
    args = parser.parse_args(argv)
    try:
        import solara_assets  # noqa: F401  (without it Solara would fetch its front-end from a CDN)
    except ImportError:
        sys.exit("sim.dashboard: the package 'solara-assets' is missing; run `make setup` "
                 "(or pip install the project again).")
    port = args.port or free_port(args.host)
    env = dict(os.environ, SOLARA_TELEMETRY_MIXPANEL_ENABLE="False", SOLARA_ASSETS_PROXY="True")
    print(f"Dashboard: http://{args.host}:{port}/   (Ctrl-C stops it)", flush=True)
    cmd = [sys.executable, "-m", "solara", "run", "sim.dashboard.app", "--host", args.host,
           "--port", str(port), "--production", "--no-open", "--no-check-version", "--log-level", "warning"]
    os.execvpe(sys.executable, cmd, env)


if __name__ == "__main__":
    main()
