"""Every page of the demo town, as each demo role reaches it by following links, holds the
standard (RGAA, issue 11): axe-core finds no serious or critical violation at 1280 px and at
375 px (the unread badges shown), no page scrolls sideways, none answers 5xx, none shows
Flask-AppBuilder's English. The crawl itself is tests/browser/crawl.py.

The demo is loaded once for the module (`flask portal demo`), with the clock of the tests.
The staff pages are checked once, as the admin sees them (the most buttons and menus); the
manager's and the agent's crawls check their home page again (it differs by role), then
visit only the pages the admin's crawl did not check.

Runtime, with the keyboard journey, on the shared 2-core machine: 4 min 27 s (demo 18 s,
parents 25 + 22 s, admin 133 s for 158 pages); 14 min 40 s at a load average of 10 to 13."""

from __future__ import annotations

import time

import pytest

from app.demo.accounts import PARENT_PASSWORD, STAFF
from app.extensions import db
from app.models import Alert, Family, Guardian, User
from tests.conftest import _empty_tables
from tests.test_demo import run_demo

from .crawl import AXE_JS, crawl
from .helpers import log_in

pytestmark = pytest.mark.browser

STAFF_PASSWORDS = {login: password for _, login, password, _, _ in STAFF}
# login, password, start page; the staff in decreasing order of rights (see the docstring).
ROLES = [
    ("claire.martin", PARENT_PASSWORD, "/famille/"),
    ("thomas.bernard", PARENT_PASSWORD, "/famille/"),  # the separated family: two households
    ("admin", STAFF_PASSWORDS["admin"], "/gestion/"),
    ("gestionnaire", STAFF_PASSWORDS["gestionnaire"], "/gestion/"),
    ("agent", STAFF_PASSWORDS["agent"], "/gestion/"),
]

# Known problems of pages being redone by other engineers of issue 11 (Parent and Staff
# sections): (page pattern, problem kind) → why it is allowed for now. The lead removes an
# entry when the branch that redoes the page is merged; an entry no longer needed fails
# the test (see test_known_problems_are_still_problems) so the list cannot rot.
KNOWN: dict[tuple[str, str], str] = {
    # Not another engineer's: FAB's role editor lists its permission identifiers (« menu
    # access on List Users »); the roles are fixed in code (app/security/roles.py).
    ("/roles/edit/{id}", "english"): "FAB permission identifiers (admin only)",
}

_seen_known: set[tuple[str, str]] = set()
_crawled: set[str] = set()
_staff_checked: set[str] = set()


@pytest.fixture(scope="module")
def clean_db(app):
    """Overrides the per-test emptying: the demo town, loaded once for the whole module."""
    app.extensions["portal_background"].wait()
    with app.app_context():
        _empty_tables()
    run_demo(app)
    with app.app_context():
        _unread_alerts_for(["claire.martin", "thomas.bernard"])
    yield
    app.extensions["portal_background"].wait()
    with app.app_context():
        db.session.rollback()
        _empty_tables()
        app.appbuilder.sm.create_roles()
        db.session.commit()


def _unread_alerts_for(logins: list[str]) -> None:
    """Two unread alerts in each parent's families at least, so the menu shows its badge on
    every page the crawl checks (one alert is marked read when the crawl opens it)."""
    families = (db.session.query(Family).join(Guardian, Guardian.family_id == Family.id)
                .join(User, Guardian.user_id == User.id).filter(User.username.in_(logins)))
    for family in families:
        unread = (db.session.query(Alert)
                  .filter(Alert.family_id == family.id, Alert.read_at.is_(None)).count())
        for n in range(max(0, 2 - unread)):
            db.session.add(Alert(family=family, title=f"Information {n + 1}",
                                 message="Le service vous informe."))
    db.session.commit()


@pytest.mark.parametrize("login,password,start", ROLES, ids=[r[0] for r in ROLES])
def test_every_page_reached_by_the_role_holds_the_standard(page, live_server, login, password,
                                                          start):
    if not AXE_JS.exists():
        pytest.skip(f"axe-core missing ({AXE_JS}): run `npm ci` in tests/browser")
    begun = time.monotonic()
    log_in(page, live_server, login, password)
    assert page.url.endswith(start), page.url
    if start == "/famille/":
        assert page.locator(".portal-unread").count() >= 1, "the unread badge is not shown"
    staff = start == "/gestion/"
    # The manager and the agent: their home page, then only what the admin's crawl did not
    # check.
    result = crawl(page, live_server, login, start, checked=_staff_checked if staff else None,
                   own_depth=0 if staff and login != "admin" else None)
    problems = []
    for problem in result.problems:
        key = (problem.pattern, problem.kind)
        if key in KNOWN:
            _seen_known.add(key)
        else:
            problems.append(problem.line())
    _crawled.add(login)
    print(f"{login}: {len(result.pages)} pages in {time.monotonic() - begun:.0f} s")
    assert len(result.pages) >= (20 if login == "admin" else 1 if staff else 15), \
        sorted(result.pages)
    assert problems == [], "\n".join(problems)


def test_known_problems_are_still_problems():
    """Runs after the crawls: an allow-list entry the crawls no longer meet must go."""
    if len(_crawled) < len(ROLES):
        pytest.skip("only meaningful after every role's crawl")
    stale = set(KNOWN) - _seen_known
    assert not stale, f"remove from KNOWN, fixed now: {sorted(stale)}"
