"""``python -m sim.dashboard [--port N] [--host H]``: serve the dashboard and print its URL.

It serves Solara's app behind :class:`sim.dashboard.guard.HostOriginGuard` (no foreign
``Host`` header, no cross-site websocket). Every script, style and font comes from the local
server: Solara's front-end
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


def port_number(text: str) -> int:
    """An argparse type: a TCP port, 0 (any free port) to 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0-65535; 0: any free port)")
    return port


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m sim.dashboard", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="interface to bind (default: loopback only)"
    )
    parser.add_argument("--port", type=port_number, default=8765, help="port (0: any free port)")
    args = parser.parse_args(argv)
    try:
        import solara_assets  # noqa: F401  (without it Solara would fetch its front-end from a CDN)
    except ImportError:
        sys.exit(
            "sim.dashboard: the package 'solara-assets' is missing; run `make setup` "
            "(or pip install the project again)."
        )
    try:
        port = args.port or free_port(args.host)
        with socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET) as s:
            s.bind((args.host, port))  # a port in use or a host that is not ours: one message, now
    except OSError as err:
        sys.exit(
            f"sim.dashboard: cannot serve on {args.host}:{args.port}: {err.strerror or err}. "
            "Choose another --port (0: any free port) or --host."
        )
    os.environ.update(
        SOLARA_TELEMETRY_MIXPANEL_ENABLE="False",
        SOLARA_ASSETS_PROXY="True",
        SOLARA_APP="sim.dashboard.app",
        SERVER_NAME=args.host,
        SERVER_PORT=str(port),
    )
    import warnings

    import uvicorn

    # lax cookies over plain http on loopback are what we want; Solara warns on every page load
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    from solara.server import starlette as solara_server

    from sim.dashboard.guard import HostOriginGuard, allowed_hosts

    app = HostOriginGuard(
        solara_server.app, allowed_hosts(args.host)
    )  # no foreign Host, no cross-site websocket
    print(f"Dashboard: http://{args.host}:{port}/   (Ctrl-C stops it)", flush=True)
    uvicorn.run(app, host=args.host, port=port, log_level="warning")


if __name__ == "__main__":
    main()
