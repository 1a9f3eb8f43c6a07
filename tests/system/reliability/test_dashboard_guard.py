"""The dashboard protects its machine: one run at a time per session, foreign Host headers and
cross-site origins refused, typed lever values checked, a bad --port told in one line."""

import asyncio
import base64
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from sim.dashboard import guard
from sim.dashboard.view import levers


def test_thirty_run_events_start_at_most_one_model_run_at_a_time(monkeypatch):
    import ipyvuetify as v
    import solara

    from sim.dashboard import app

    state, lock = {"now": 0, "most": 0, "starts": 0}, threading.Lock()

    def slow_run(view, progress=None):
        with lock:
            state["now"] += 1
            state["starts"] += 1
            state["most"] = max(state["most"], state["now"])
        time.sleep(0.3)
        with lock:
            state["now"] -= 1

    monkeypatch.setattr(app, "run_view", slow_run)
    _, rc = solara.render(app.Controls(), handle_error=False)
    button = rc.find(v.Btn, class_="sim-run").widget
    for _ in range(30):
        button.click()
    deadline = time.time() + 10
    while (state["starts"] == 0 or state["now"]) and time.time() < deadline:
        time.sleep(0.05)
    assert state["most"] == 1 and state["starts"] == 1, state


def test_runs_of_all_sessions_share_the_run_slots():
    held = [guard._RUNS.acquire(blocking=False) for _ in range(guard.MAX_RUNS_AT_ONCE)]
    try:
        assert all(held) and not guard._RUNS.acquire(blocking=False)
    finally:
        for _ in held:
            guard._RUNS.release()


@pytest.mark.parametrize("typed", ["nan", "inf", "-1", "abc", None, "1e400"])
def test_a_typed_lever_value_is_checked_before_the_model(typed):
    lever = next(lv for lv in levers() if lv.key == "policy.enclave.tax_share_east")
    value, problem = guard.checked_lever_value(lever, typed)
    assert value is None and lever.label in problem and len(problem) < 200


def test_a_good_lever_value_passes_rounded():
    lever = next(lv for lv in levers() if lv.key == "policy.enclave.tax_share_east")
    assert guard.checked_lever_value(lever, 0.1 + 0.2) == (0.3, None)


def _asgi(scope_type, headers):
    """What the guard answers for one request: ('app', None) if passed on, else the first message
    sent."""
    seen = {}

    async def app(scope, receive, send):
        seen["app"] = True

    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "websocket.connect"}

    scope = {"type": scope_type, "headers": [(k.encode(), v.encode()) for k, v in headers.items()]}
    asyncio.run(guard.HostOriginGuard(app, guard.allowed_hosts("127.0.0.1"))(scope, receive, send))
    return "app" if seen else sent[0]


@pytest.mark.parametrize(
    "kind,headers,passed",
    [
        ("http", {"host": "127.0.0.1:8765"}, True),
        ("http", {"host": "localhost:8765"}, True),
        ("http", {"host": "evil.example:8765"}, False),
        ("http", {"host": "127.0.0.1:8765", "origin": "http://evil.example"}, False),
        ("websocket", {"host": "127.0.0.1:8765", "origin": "http://127.0.0.1:8765"}, True),
        ("websocket", {"host": "127.0.0.1:8765", "origin": "http://evil.example"}, False),
        ("websocket", {"host": "127.0.0.1:8765", "origin": "null"}, False),
        ("websocket", {"host": "127.0.0.1:8765"}, False),
        (
            "websocket",
            {"host": "rebound.example:8765", "origin": "http://rebound.example:8765"},
            False,
        ),
    ],
)
def test_foreign_hosts_and_cross_site_origins_are_refused(kind, headers, passed):
    answer = _asgi(kind, headers)
    if passed:
        assert answer == "app"
    else:
        assert answer["type"] in ("http.response.start", "websocket.close")
        assert answer.get("status", 403) == 403 and answer.get("code", 1008) == 1008


def test_a_bad_port_is_one_line():
    for port in ("99999", "-1", "http"):
        r = subprocess.run(
            [sys.executable, "-m", "sim.dashboard", "--port", port],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert r.returncode == 2 and "Traceback" not in r.stderr and "port number" in r.stderr


def test_a_port_in_use_is_one_line():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        r = subprocess.run(
            [sys.executable, "-m", "sim.dashboard", "--port", str(s.getsockname()[1])],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert r.returncode == 1 and "Traceback" not in r.stderr and "cannot serve" in r.stderr


def _raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request)
        return s.recv(4096)


@pytest.mark.slow
def test_the_served_dashboard_refuses_raw_foreign_requests(tmp_path):
    from sim.dashboard.__main__ import free_port

    port = free_port()
    log = open(tmp_path / "log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim.dashboard", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                if _raw(port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").startswith(
                    b"HTTP/1.1 200"
                ):
                    break
            except OSError:
                time.sleep(0.5)
        key = base64.b64encode(os.urandom(16)).decode()
        upgrade = (
            "GET /jupyter/api/kernels/x/channels?session_id=x HTTP/1.1\r\nHost: {host}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
            + key
            + "\r\nSec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n"
        )
        assert _raw(port, b"GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n").startswith(
            b"HTTP/1.1 403"
        )
        cross = upgrade.format(host=f"127.0.0.1:{port}", origin="http://evil.example").encode()
        assert _raw(port, cross).startswith(b"HTTP/1.1 403")
        same = upgrade.format(host=f"127.0.0.1:{port}", origin=f"http://127.0.0.1:{port}").encode()
        assert _raw(port, same).startswith(b"HTTP/1.1 101")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
