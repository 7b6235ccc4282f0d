"""`make screenshots`: the demo town in a temporary SQLite database, served on 127.0.0.1,
photographed in Chromium at 1280 px (desktop) and 375 px (phone), parent and staff pages,
into docs/screenshots/ (PNG, reduced to 256 colours to stay small).

    python bench/screenshots.py [--out docs/screenshots] [--now 2026-11-26T09:00:00]

The clock is fixed (--now, default a Thursday of November 2026) so that two runs on the
same code give the same pictures."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}

# file name, login, path, size, what to click first (a CSS selector) or None
SHOTS = [
    ("parent-accueil-bureau", "claire.martin", "/famille/", DESKTOP, None),
    ("parent-accueil-telephone", "claire.martin", "/famille/", PHONE, None),
    ("parent-planning-bureau", "claire.martin", "/famille/planning/", DESKTOP, None),
    ("parent-planning-telephone", "claire.martin", "/famille/planning/", PHONE, None),
    ("parent-finances-bureau", "claire.martin", "/famille/finances/", DESKTOP, None),
    ("parent-finances-telephone", "claire.martin", "/famille/finances/", PHONE, None),
    ("parent-menu-telephone", "claire.martin", "/famille/", PHONE, ".navbar-toggle"),
    ("gestion-accueil-bureau", "gestionnaire", "/gestion/", DESKTOP, None),
    ("gestion-demandes-bureau", "gestionnaire", "/gestion/file-des-demandes/list/", DESKTOP,
     None),
    ("gestion-pointage-bureau", "agent", "/gestion/pointage/", DESKTOP, None),
    ("gestion-pointage-telephone", "agent", "/gestion/pointage/", PHONE, None),
    ("gestion-familles-telephone", "gestionnaire", "/gestion/familles/list/", PHONE, None),
]


def build_app(folder: Path, now: str):
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db

    app = create_app(
        "development",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'demo.db'}",
        PORTAL_UPLOAD_DIR=str(folder / "uploads"),
        PORTAL_FIXED_NOW=now,
        PAYMENT_BACKEND="dummy",
        MAIL_SUPPRESS_SEND=True,
        REDIS_URL="",
        RATELIMIT_ENABLED=False,
    )
    with app.app_context():
        upgrade()
        app.appbuilder.add_permissions(update_perms=True)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["portal", "demo"])
    if result.exit_code != 0:
        raise SystemExit(result.output)
    logins = {}
    for line in result.stdout.splitlines():
        _role, login, password = line.split(" ", 2)
        logins[login] = password
    return app, logins


def serve(app) -> tuple[str, object]:
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def optimise(path: Path) -> None:
    """256 colours: a page of text and flat colours loses nothing visible, the file ~3×."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                                              dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def take(base: str, logins: dict[str, str], out: Path) -> None:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS
    from tests.browser.helpers import log_in

    with sync_playwright() as playwright:
        # --lang: the date fields in the French order (jj/mm/aaaa), as a French browser shows.
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=[*CHROMIUM_ARGS, "--lang=fr-FR"])
        contexts = {}
        for name, login, path, size, click in SHOTS:
            if login not in contexts:
                context = browser.new_context(locale="fr-FR", viewport=DESKTOP)
                page = context.new_page()
                log_in(page, base, login, logins[login])
                contexts[login] = page
            page = contexts[login]
            page.set_viewport_size(size)
            page.goto(base + path)
            if click:
                page.click(click)
                page.wait_for_timeout(400)  # the menu's opening (not an assertion)
            target = out / f"{name}.png"
            page.screenshot(path=str(target), full_page=False)
            optimise(target)
            print(f"{target} {target.stat().st_size // 1024} Ko")
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--now", default="2026-11-26T09:00:00")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="portail-screenshots-") as tmp:
        app, logins = build_app(Path(tmp), args.now)
        base, server = serve(app)
        try:
            take(base, logins, out)
        finally:
            server.shutdown()


if __name__ == "__main__":
    main()
