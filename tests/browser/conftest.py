"""Browser tests: the test app served on 127.0.0.1 and driven by Playwright in Debian's
chromium (/usr/bin/chromium; never `playwright install`). axe-core comes from the npm
package in this folder (`npm ci` here; .ci/run does it)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from .helpers import PageProblems

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    """The session's test app over real HTTP (the SQLite test DB is a file, so the server
    thread sees what a test committed)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.problems = PageProblems(tab, live_server)
    yield tab
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    """$PORTAL_SCREENSHOT_DIR if set (CI keeps them in test-results/), else a temp dir."""
    wanted = os.environ.get("PORTAL_SCREENSHOT_DIR")
    folder = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def screenshot(page, screenshot_dir):
    def _take(name: str) -> Path:
        path = screenshot_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"screenshot: {path}")
        return path

    return _take


@pytest.fixture
def axe_violations(page):
    """Runs axe-core on the current page; returns the serious/critical violations."""
    if not AXE_JS.exists():
        pytest.skip(f"axe-core missing ({AXE_JS}): run `npm ci` in tests/browser")

    def _run() -> list[dict]:
        # Evaluated by the test driver: the page's CSP (rightly) refuses an injected <script>.
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;window.axe = axe;")
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        return [v for v in result["violations"] if v.get("impact") in BLOCKING_IMPACTS]

    return _run
