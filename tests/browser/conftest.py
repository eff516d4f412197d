"""Browser tests: Playwright for Python driving Debian's Chromium (never `playwright install`).

Every page request is checked: a request to any host but the live server fails the test, so pages
that would need the internet are caught. Screenshots of failures go to test-artifacts/.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM_PATH", settings.CHROMIUM_PATH)
    if not Path(executable).exists():
        pytest.fail(f"Chromium not found at {executable}: run `make sysdeps` (apt-get install chromium)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    # BROWSER_TIMEOUT_MS: raise it on a busy shared machine (the default suits CI).
    page.set_default_timeout(int(os.environ.get("BROWSER_TIMEOUT_MS", "10000")))
    live_host = urlparse(live_server.url).netloc
    external: list[str] = []
    console_errors: list[str] = []

    def guard(route):
        host = urlparse(route.request.url).netloc
        if route.request.url.startswith(("data:", "blob:")) or host == live_host:
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort()

    page.route(re.compile(".*"), guard)
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    # Every irreversible action asks for confirmation (data-confirm): journeys accept it and may read what
    # was asked in page.dialogs; a test that answers dialogs itself sets page.auto_accept_dialogs = False.
    page.dialogs = []  # type: ignore[attr-defined]
    page.auto_accept_dialogs = True  # type: ignore[attr-defined]

    def on_dialog(dialog):
        if page.auto_accept_dialogs:  # type: ignore[attr-defined]
            page.dialogs.append(dialog.message)  # type: ignore[attr-defined]
            dialog.accept()

    page.on("dialog", on_dialog)
    page.live_url = live_server.url  # type: ignore[attr-defined]
    page.console_errors = console_errors  # type: ignore[attr-defined]
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
        try:
            page.screenshot(path=str(ARTIFACTS / f"{safe}.png"), full_page=True)
        except Exception:  # the page may already be gone; the failure itself is what matters
            pass
    context.close()
    assert not external, f"pages requested resources outside the machine: {external}"


def login(page, username: str, password: str) -> None:
    page.goto(page.live_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
