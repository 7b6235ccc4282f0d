"""The crawl of every page a user reaches by following links (tests/browser/test_crawl.py).

From a start page, each same-host link of a page (menus included) is followed, GET only,
once per URL *pattern* (ids replaced by ``{id}``, the query string ignored): a list and its
ten « show » pages are one pattern. Links that log out, switch the language, download a
file or act (delete, FAB actions) are not followed. Each page is checked at 1280 px and at
375 px: axe-core's serious/critical violations, horizontal scrolling, a 5xx, and English
leftovers of Flask-AppBuilder."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

from playwright.sync_api import Error as PlaywrightError

AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")
WIDTHS = (1280, 375)

# Not followed: leaving the session or the language, downloads, state-changing GETs.
SKIPPED = re.compile(
    r"/(logout|lang|back|download|fichier|piece|archive|deconnexion|delete|action|"
    r"api|static|appbuilder|franceconnect)(/|$)|pdf|csv|xml|xlsx|export|"
    r"\.(png|jpe?g|zip)$|/mes-donnees/|/mes-donnees$|/structure/|/affiche$"
)
ID_SEGMENT = re.compile(r"/(\d+|[0-9a-f]{8,}|\d{4}-\d{2}(-\d{2})?)(?=/|$)")

# Flask-AppBuilder's English, as a French user would see it on the page (innerText).
ENGLISH = re.compile(
    r"\b(Add Filter|Record Count|No records found|Search|Refresh|Login Count|Are you sure|"
    r"Select a State|Add a new record|Edit record|Show record|Delete record|List Users|"
    r"User info|Reset Password|Requested At|Unbooked|Save|Back|Yes|First|Last|Next|"
    r"Previous|Edit|Delete|Show|Add|List|Equal to|Not Equal to|Starts with|Ends with|"
    r"Contains|Greater than|Smaller than|Chart|Login|Logout|Profile|Security|"
    r"Remove all items|Remove item|No results found)\b|__None"
)

OVERFLOW_JS = """() => {
  const root = document.scrollingElement;
  if (root.scrollWidth <= root.clientWidth) return null;
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > root.clientWidth + 1)
    .filter(e => !e.closest('.table-responsive, [data-scroll-region]'))
    .slice(0, 3)
    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
              + (e.className && typeof e.className === 'string'
                 ? '.' + e.className.trim().split(/\\s+/).join('.') : ''));
  return `${root.scrollWidth} > ${root.clientWidth} px (${wide.join(', ')})`;
}"""

# Two animation frames: the layout of the new width is done, and portal.js's resize work.
SETTLED_JS = """() => new Promise(done =>
  requestAnimationFrame(() => requestAnimationFrame(() => done(true))))"""

LINKS_JS = """() => [...document.querySelectorAll('a[href]')].map(a => a.href)"""


def pattern(url: str) -> str:
    """/gestion/familles/show/12?x=1 → /gestion/familles/show/{id}"""
    return ID_SEGMENT.sub("/{id}", urlsplit(url).path) or "/"


@dataclass
class Problem:
    role: str
    pattern: str
    width: int | None
    kind: str  # an axe rule id, "horizontal-scroll", "http-5xx", "english"
    detail: str

    def line(self) -> str:
        at = f" @{self.width}px" if self.width else ""
        return f"{self.role} {self.pattern}{at} [{self.kind}] {self.detail}"


@dataclass
class CrawlResult:
    role: str
    pages: dict[str, str] = field(default_factory=dict)  # pattern → the URL visited
    problems: list[Problem] = field(default_factory=list)


def _axe(page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated by the test driver: the page's CSP (rightly) refuses an injected <script>.
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;window.axe = axe;")
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v.get("impact") in BLOCKING_IMPACTS]


def _english(page) -> str | None:
    text = page.evaluate(
        "() => document.body.innerText + ' ' + [...document.querySelectorAll("
        "'[placeholder],[title],[aria-label]')].map(e => e.getAttribute('placeholder') || "
        "e.getAttribute('title') || e.getAttribute('aria-label')).join(' ')")
    found = sorted({m.group(0) for m in ENGLISH.finditer(text)})
    return ", ".join(found) or None


def check_page(page, result: CrawlResult, key: str) -> None:
    """axe, horizontal scroll and English on the page loaded, at each width."""
    english = _english(page)
    if english:
        result.problems.append(Problem(result.role, key, None, "english", english))
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.evaluate(SETTLED_JS)
        overflow = page.evaluate(OVERFLOW_JS)
        if overflow:
            result.problems.append(Problem(result.role, key, width, "horizontal-scroll",
                                           overflow))
        for violation in _axe(page):
            targets = "; ".join(", ".join(n["target"]) for n in violation["nodes"][:3])
            result.problems.append(Problem(result.role, key, width, violation["id"],
                                           f"{violation['help']} ({targets})"))
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def crawl(page, base_url: str, role: str, start: str, max_pages: int = 200,
          checked: set[str] | None = None, own_depth: int | None = None) -> CrawlResult:
    """Visits every pattern reachable from `start` (breadth first, at most `max_pages`) and
    checks it, unless `checked` has it already (shared by the crawls of several roles):
    - with `own_depth` None, a pattern checked by an earlier crawl is visited for its links
      and its status only;
    - with `own_depth` n (a role whose pages are a subset of an earlier role's), the pages
      at most n links from `start` are checked again (the role's home and menu pages show
      what that role may do), deeper ones already checked are not even visited.
    A FAB « add » form is not checked when the same view's « edit » form was (one widget,
    the same fields but the id)."""
    result = CrawlResult(role)
    # axe-core in every document the tab opens: evaluated by the driver (the page's CSP
    # rightly refuses an injected <script>), once per page instead of once per check.
    page.add_init_script(AXE_JS.read_text(encoding="utf-8") + "\n;window.axe = axe;")
    host = urlsplit(base_url).netloc
    queue = [(base_url + start, 0)]
    later = []  # FAB « add » forms: checked only when the view has no « edit » form
    checked = set() if checked is None else checked
    own = set()  # the patterns this crawl checked
    while (queue or later) and len(result.pages) < max_pages:
        url, depth = (queue or later).pop(0)
        url = urldefrag(url).url
        key = pattern(url)
        if key in result.pages:
            continue
        if key.endswith("/add") and queue:
            later.append((url, depth))
            continue
        result.pages[key] = url
        try:
            response = page.goto(url)
        except PlaywrightError as error:  # a download the patterns did not foresee
            if "Download is starting" in str(error):
                continue
            raise
        status = response.status if response else 0
        if status >= 500:
            result.problems.append(Problem(role, key, None, "http-5xx", f"{status} {url}"))
            continue
        if urlsplit(page.url).netloc != host or pattern(page.url) in ("/login/",):
            continue
        if response and "text/html" not in response.headers.get("content-type", ""):
            continue  # a file shown inline (a document's preview): not a page
        recheck = own_depth is not None and depth <= own_depth
        same_form = key.endswith("/add") and key[:-len("add")] + "edit/{id}" in own | checked
        if (key not in checked or recheck) and not same_form:
            check_page(page, result, key)
            checked.add(key)
            own.add(key)
        for link in page.evaluate(LINKS_JS):
            link = urldefrag(link).url
            parts = urlsplit(link)
            if parts.scheme not in ("http", "https") or parts.netloc != host:
                continue
            if SKIPPED.search(parts.path) or pattern(link) in result.pages:
                continue
            if own_depth is not None and depth + 1 > own_depth and pattern(link) in checked:
                continue
            queue.append((link, depth + 1))
    return result
