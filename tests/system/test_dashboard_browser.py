"""The dashboard as a researcher meets it: served locally, driven in headless chromium.

Debian's chromium (``apt-get install chromium``) is driven by Playwright; no browser
is downloaded. Every request to a host other than the loopback is blocked and
recorded, so the test also shows that the page needs no internet.
Run with ``make test-browser``.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest
import yaml

from sim.dashboard import figures
from sim.dashboard.__main__ import free_port
from sim.dashboard.view import View, run_view

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOOPBACK = {"127.0.0.1", "localhost"}
AID = "pairing: aid per county (yuan/year), [0, 1e+12]"


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    """The dashboard served by ``python -m sim.dashboard`` on a free loopback port."""
    port = free_port()
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sim.dashboard", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=log.parent,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_for(url, proc, log)
        assert f"Dashboard: {url}" in log.read_text()  # the launcher tells the user where to look
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait_for(url: str, proc, log: Path, timeout: float = 90) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            pytest.fail(f"the dashboard exited ({proc.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"the dashboard did not answer at {url} within {timeout} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium not found: install Debian's package (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


def _coloured_pixels(png: bytes) -> int:
    """Pixels of strong colour (the data: lines, bands, markers), not grey text or axes."""
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    return int(((rgb.max(axis=2) - rgb.min(axis=2)) > 60).sum())


def test_a_researcher_moves_a_lever_and_sees_the_paths_and_the_map(dashboard, browser, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    outside = []

    def loopback_only(route):
        host = urlparse(route.request.url).hostname
        if (
            route.request.url.startswith(("http://", "https://", "ws://", "wss://"))
            and host not in LOOPBACK
        ):
            outside.append(route.request.url)
            return route.abort()
        return route.continue_()

    context.route("**/*", loopback_only)
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(dashboard)

    # the first view runs on opening
    headline = page.locator(".sim-headline")
    headline.wait_for()
    first = headline.inner_text()

    # move two levers: type ten times the eastern aid per paired county, slide the tax share to 0.5
    aid = page.get_by_label(AID)
    aid.fill("400000000")
    aid.press("Enter")
    slider = page.locator(".v-input", has_text="enclave: tax share east (share)").get_by_role(
        "slider"
    )
    slider.focus()
    for _ in range(10):
        slider.press("ArrowRight")
    page.get_by_text("enclave: tax share east (share): 0.5").wait_for()
    page.get_by_text("The controls have changed").wait_for()
    page.locator(".sim-run").click()
    page.get_by_text("The controls have changed").wait_for(state="detached")
    page.wait_for_function(
        "t => document.querySelector('.sim-headline').innerText !== t", arg=first
    )

    # the page shows exactly what the model gives for that view
    view = (
        View()
        .with_lever("policy.pairing.aid_per_county", 4e8)
        .with_lever("policy.enclave.tax_share_east", 0.5)
    )
    comp = run_view(view)
    shown = headline.inner_text()
    table = figures.headline(comp)
    for cell in table.to_numpy().ravel():
        assert cell in shown
    assert "gain (same seeds)" in shown and all(g[0] in "+-" for g in table["gain (same seeds)"])
    # the chart and the map are drawn with data
    for css in (".sim-paths img", ".sim-map img"):
        img = page.locator(css)
        assert img.evaluate("i => i.naturalWidth") > 300
        assert _coloured_pixels(img.screenshot()) > 2000, css
    caption = page.locator(".sim-map-caption").inner_text()
    assert caption == figures.map_caption(comp, "income_per_capita")
    assert caption.startswith(f"{len(comp.counties)} county outlines drawn")  # shipped, offline
    # for whom: the gain by county group with its interval, and the counties that lose
    groups = page.locator(".sim-groups").inner_text()
    for group in figures.group_table(comp)["county group"]:
        assert group in groups
    assert figures.group_caption(comp) in groups and figures.losing_text(comp) in groups
    # the export reproduces the view from the command line
    commands = page.locator(".sim-export pre").inner_text()
    assert "policy.pairing.aid_per_county=400000000.0" in commands
    assert not commands.startswith("python ")  # the project's interpreter, usable unactivated
    page.locator(".sim-copy").click()
    page.get_by_text("Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()").strip() == commands.strip()
    with page.expect_download() as download:
        page.get_by_text("Export overrides (YAML)").click()
    exported = yaml.safe_load(Path(download.value.path()).read_text())
    assert exported["overrides"] == view.overrides()

    shot = tmp_path / "dashboard.png"
    page.locator(".sim-paths").scroll_into_view_if_needed()
    page.screenshot(path=shot, full_page=True)
    assert shot.stat().st_size > 10_000

    # another outcome on the map, picked by its name in words
    page.locator(".v-input", has_text="map: gain in").locator(".v-select__slot").click()
    page.get_by_role("option", name=figures.map_label("low_income_share")).click()
    page.get_by_text(figures.map_caption(comp, "low_income_share")).wait_for()
    # a value out of range is refused, naming the key, and nothing runs
    aid.fill("-5")
    aid.press("Enter")
    page.locator(".sim-run").click()
    refused = page.locator(".sim-lever-error, .sim-error").first  # refused as typed, or at Run
    assert "aid per county" in refused.inner_text() and "-5" in refused.inner_text()
    assert outside == [], f"the page asked hosts other than the loopback: {outside}"
    context.close()


def test_mesa_solaraviz_steps_the_keyword_model(dashboard, browser, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    outside = []
    context.route(
        "**/*",
        lambda route: (
            (outside.append(route.request.url), route.abort())
            if urlparse(route.request.url).hostname not in LOOPBACK | {None}
            else route.continue_()
        ),
    )
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(dashboard + "step")
    page.get_by_text("Time: 0.0").wait_for()
    for _ in range(3):
        page.get_by_role("button", name="Step", exact=True).click()
    page.get_by_text("Time: 3.0").wait_for()
    plots = page.locator("img")

    def pixels(i: int) -> int:
        from playwright.sync_api import Error

        try:
            return _coloured_pixels(plots.nth(i).screenshot(timeout=10_000))
        except Error:  # the plot was replaced while redrawing: the loop below looks again
            return 0

    def drawn() -> int:  # the plots redraw a moment after the step (longer on a busy machine)
        return max((pixels(i) for i in range(plots.count())), default=0)

    def ready() -> bool:  # all three plots in the page (one may be mid-replacement) and drawn
        return plots.count() >= 3 and drawn() > 200

    end = time.monotonic() + 60
    while not ready() and time.monotonic() < end:
        page.wait_for_timeout(500)
    page.screenshot(path=tmp_path / "step.png")
    assert plots.count() >= 3
    assert drawn() > 200
    assert outside == [], f"the page asked hosts other than the loopback: {outside}"
    context.close()
