"""End-to-end: `orgmodel app` in headless Chromium, with no internet.

Starts the real server as a subprocess on a free port, opens the page in
Debian's Chromium (installed by `make test`), changes a setting and resets,
steps, checks that the week counter and the charts move, restructures the
running organisation and checks that the change shows. Takes the screenshot
the README shows: into the test's temporary folder, or over
``docs/images/dashboard.png`` when ``ORGMODEL_UPDATE_SCREENSHOT=1`` asks for it
(``make screenshot``), so a test run leaves the checkout as it was. Fails on
any front-end file Solara could not serve from its offline cache (a 404 under
/_solara/cdn/ in the browser, or a fetch attempt in the server log).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from orgmodel.dashboard import serve

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]
README_SCREENSHOT = ROOT / "docs" / "images" / "dashboard.png"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
WAIT_MS = 60_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`orgmodel app --port N` running until the module's tests are done; yields its URL and log file."""
    port = serve.free_port()
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "orgmodel", "app", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,  # its own process group: stopped as a whole below
        )
    url = serve.url(port)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, f"the server exited early:\n{log.read_text()}"
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"no answer from {url} within 90 s:\n{log.read_text()}"
            time.sleep(0.5)
        yield url, log
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _slider(page, label: str):
    return page.locator(".v-input__slider").filter(has_text=label).locator("[role=slider]")


def _text(page, testid: str) -> str:
    return page.locator(f"[data-testid={testid}]").inner_text()


def _src(page, testid: str) -> str | None:
    return page.locator(f"[data-testid={testid}] img").get_attribute("src")


def screenshot_path(tmp_path: Path) -> Path:
    """Where the page's picture goes: the README's file only when the developer asks for it."""
    if os.environ.get("ORGMODEL_UPDATE_SCREENSHOT") == "1":
        return README_SCREENSHOT
    return tmp_path / "dashboard.png"


def test_dashboard_in_chromium(server: tuple[str, Path], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: `make test` installs Debian's chromium"
    url, log = server
    failed: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1920, "height": 1200})  # a projector's WUXGA
            page.set_default_timeout(WAIT_MS)
            expect.set_options(timeout=WAIT_MS)
            page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            page.goto(url)
            week = page.locator("[data-testid=monitor-week-value]")
            expect(week).to_have_text("0")
            expect(page.get_by_text("The stagnation trap", exact=False).first).to_be_visible()

            # a setting, then Reset: the new run has one salesperson more
            salespeople = _slider(page, "Salespeople")
            salespeople.focus()
            salespeople.press("ArrowRight")
            expect(page.get_by_text("Press Reset to start a run with them")).to_be_visible()
            page.get_by_role("button", name="Reset").click()
            expect(page.locator("[data-testid=monitor-structure]")).to_contain_text("9 salespeople")

            # Step: a quarter per click, three years; the week counter and the charts move
            revenue_before = _src(page, "chart-revenue")
            network_before = _src(page, "chart-network")
            weeks = _slider(page, "Weeks per redraw")
            weeks.focus()
            weeks.press("End")
            step = page.get_by_role("button", name="Step")
            step.click()
            expect(week).to_have_text("13")
            # each image arrives a moment after the week counter: wait for it to be replaced
            expect(page.locator("[data-testid=chart-revenue] img")).not_to_have_attribute("src", revenue_before or "")
            expect(page.locator("[data-testid=chart-network] img")).not_to_have_attribute("src", network_before or "")
            for quarter in range(2, 13):
                step.click()
                expect(week).to_have_text(str(13 * quarter))
            assert _text(page, "monitor-clients-value") != "0"

            # restructure now: scheduled for the coming week, in force after the next Step
            expect(page.locator("[data-testid=monitor-structure-value]")).to_have_text("full cycle")
            page.get_by_role("button", name="Restructure now").click()
            expect(page.get_by_text("Scheduled for week 157")).to_be_visible()
            step.click()
            expect(week).to_have_text("169")
            expect(page.locator("[data-testid=monitor-structure-value]")).to_have_text("hunter farmer")
            expect(page.get_by_text("Week 157: structure full_cycle -> hunter_farmer", exact=False)).to_be_visible()

            # the README's picture, taken at a fixed week so that it only changes when the page does
            page.wait_for_timeout(1000)  # let the last redraw land
            screenshot = screenshot_path(tmp_path)
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot))
            assert screenshot.read_bytes().startswith(PNG_SIGNATURE)

            # Play runs on by itself until paused
            page.get_by_role("button", name="▶").click()
            expect(week).not_to_have_text("169")
            page.get_by_role("button", name="❚❚").click()
            expect(page.get_by_role("button", name="▶")).to_be_visible()
        finally:
            browser.close()

    assert not [f for f in failed if "/_solara/cdn/" in f], failed
    server_log = log.read_text()
    assert "Could not load URL" not in server_log, server_log
    assert "Traceback" not in server_log, server_log
    assert "Workshop dashboard: http://127.0.0.1:" in server_log
