"""What protects the machine serving the dashboard: which requests it answers, how many runs at
once,
and which lever values reach the model.

- :class:`HostOriginGuard` (ASGI): a request must name this server in its ``Host`` header
  (another name is a DNS-rebinding attempt), and a websocket or a request carrying an
  ``Origin`` must come from a page of this server (a cross-site page must not drive it).
- :func:`run_slot`: model runs of all sessions go through one slot per core pair, so presses
  in many tabs queue instead of running at once; a session starts no second run while its
  first is pending (see ``sim.dashboard.app``).
- :func:`checked_lever_value`: a typed value must be a finite number within the lever's range.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
from urllib.parse import urlsplit

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def allowed_hosts(host: str) -> set[str]:
    """Host names a request may use for a server bound to ``host`` (loopback names go together)."""
    names = {host.strip("[]").lower()}
    if names & set(LOOPBACK) or host in ("0.0.0.0", "::"):
        names |= set(LOOPBACK)
    if host in ("0.0.0.0", "::"):  # every interface: this machine's own names
        import socket

        names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
    return names


def _host_name(value: str) -> str:
    """``'localhost:8765'`` → ``'localhost'``; ``'[::1]:8765'`` → ``'::1'``."""
    return (urlsplit("//" + value).hostname or "").lower()


class HostOriginGuard:
    """ASGI middleware refusing foreign ``Host`` headers and cross-site origins (HTTP 403, websocket
    closed)."""

    def __init__(self, app, hosts: set[str]):
        self.app, self.hosts = app, {h.lower() for h in hosts}

    def refusal(self, scope) -> str | None:
        headers = {
            k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])
        }
        host = headers.get("host", "")
        if _host_name(host) not in self.hosts:
            return f"Host {host!r} is not this dashboard's address"
        origin = headers.get("origin")
        if origin is None and scope["type"] == "websocket":
            return "a websocket needs an Origin"
        if origin is not None and (urlsplit(origin).hostname or "").lower() not in self.hosts:
            return f"Origin {origin!r} is another site"
        return None

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        why = self.refusal(scope)
        if why is None:
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})  # before accept: HTTP 403
            return
        body = f"Refused: {why}.\n".encode()
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# A view runs its seeds one after another: one run per two cores leaves the server responsive.
MAX_RUNS_AT_ONCE = max(1, _cores() // 2)
_RUNS = threading.BoundedSemaphore(MAX_RUNS_AT_ONCE)


@contextlib.contextmanager
def run_slot():
    """Hold one of the server's run slots for a model run (waits for a free one)."""
    with _RUNS:
        yield


def checked_lever_value(lever, value):
    """``(value, None)`` if ``value`` may be given to the model for ``lever``, else ``(None,
    message)``."""
    if lever.kind is bool:
        return bool(value), None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None, f"{lever.label}: {value!r} is not a number."
    if not math.isfinite(number):
        return None, f"{lever.label}: {value!r} is not a finite number; allowed {lever.range_text}."
    if (lever.lo is not None and number < lever.lo) or (lever.hi is not None and number > lever.hi):
        return None, f"{lever.label}: {number:g} is outside its range {lever.range_text}."
    return float(f"{number:.10g}"), None  # 1+30*0.01 is 1.3, not 1.3000000000000003
