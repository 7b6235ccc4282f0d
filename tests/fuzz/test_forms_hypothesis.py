"""Property-based fuzzing (hypothesis) of every form of the portal: the public forms
anonymously, every form a parent of family A is shown, every form a manager is shown (the
forms are found by reading the pages, so new forms are fuzzed automatically). Field values
are drawn from the form's own values, family B's ids, NUL bytes, control and non-Latin
characters, very long texts and 25-digit numbers.

Properties: no answer (nor the page it redirects to) is a 5xx; a parent never sees family
B's data; a refused submission (4xx) changes nothing in the database. Bounded by a number of
examples per form (the whole module stays around 20-30 s)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from app.extensions import db
from app.security.roles import MANAGER
from tests import factories as f
from tests.security.isolation_data import MARKER, build_two_families
from tests.security.test_isolation import _snapshot

EXAMPLES_PER_FORM = 2
# Forms that end the session or change the language: fuzzing them stops the crawl.
SKIPPED_ACTIONS = ("/logout", "/lang/", "/sandbox")


@dataclass
class Form:
    action: str
    values: dict[str, list[str]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


def _pages(app, rows) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.endswith("static"):
            continue
        if rule.rule.startswith(("/api/", "/logout", "/lang", "/sandbox")):
            continue
        if not rule.arguments:
            urls.append(rule.rule)
        elif rule.arguments == {"pk"} and rule.rule.rsplit("/", 2)[-2] in ("edit", "show"):
            urls += [rule.rule.replace("<pk>", str(pk)) for pk in rows[:1]]
    return urls


def _forms(client, urls: list[str]) -> list[Form]:
    found: dict[str, Form] = {}
    for url in urls:
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        doc = lxml_html.document_fromstring(response.get_data(as_text=True))
        for node in doc.iter("form"):
            if (node.get("method") or "get").lower() != "post":
                continue
            action = urlsplit(node.get("action") or url).path or url
            if action.startswith(SKIPPED_ACTIONS) or action in found:
                continue
            form = Form(action)
            for item in node.iter("input", "select", "textarea"):
                name = item.get("name")
                if not name or name == "csrf_token":
                    continue
                if item.get("type") == "file":
                    form.files.append(name)
                    continue
                options = [o.get("value") or "" for o in item.iter("option")]
                form.values.setdefault(name, []).extend(options or [item.get("value") or ""])
            found[action] = form
    return list(found.values())


NASTY = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=20),
    st.sampled_from(["\x00", "a\x00b", "9" * 25, "-1", "0", "1e308", "NaN", "'; --",
                     "<script>alert(1)</script>", "=HYPERLINK(\"x\")", "2026-02-30",
                     "31/12/2026", " ", "é" * 300, "x" * 5000]),
)


def _value(form_values: list[str], foreign: list[str]):
    own = [v for v in form_values if v]
    choices = [NASTY, st.sampled_from(foreign)]
    if own:
        choices.insert(0, st.sampled_from(own))
    return st.one_of(*choices)


def _fuzz(app, client, forms: list[Form], foreign: list[str], parent: bool) -> list[str]:
    problems: list[str] = []
    for form in forms:
        _fuzz_form(app, client, form, foreign, parent, problems)
    return problems


def _fuzz_form(app, client, form: Form, foreign: list[str], parent: bool,
               problems: list[str]) -> None:
    fields = {name: _value(values, foreign) for name, values in form.values.items()}

    @given(data=st.fixed_dictionaries(fields), upload=st.binary(max_size=64))
    @settings(max_examples=EXAMPLES_PER_FORM, deadline=None, database=None,
              suppress_health_check=list(HealthCheck),
              phases=[Phase.explicit, Phase.generate])
    def run(data, upload):
        body = dict(data)
        for name in form.files:
            body[name] = (io.BytesIO(upload), "fuzz.pdf")
        with app.app_context():
            before = _snapshot()
        response = client.post(form.action, data=body, content_type="multipart/form-data"
                               if form.files else None)
        where = f"POST {form.action} {data!r:.300}"
        pages = [response]
        if 300 <= response.status_code < 400 and response.location:
            pages.append(client.get(urlsplit(response.location).path))
        for page in pages:
            if page.status_code >= 500:
                problems.append(f"{page.status_code}: {where} -> {page.request.path}")
            if parent and MARKER in page.get_data(as_text=True):
                problems.append(f"family B's data: {where}")
        if 400 <= response.status_code < 500:
            with app.app_context():
                db.session.expire_all()
                if _snapshot() != before:
                    problems.append(f"refused ({response.status_code}), changed: {where}")

    run()


@pytest.fixture
def families(app):
    with app.app_context():
        a, b, _ = build_two_families()
        f.user("gestion", MANAGER)
        foreign = sorted({str(i) for ids in b.ids.values() for i in ids})
        own = sorted({i for ids in a.ids.values() for i in ids})
        return own, foreign


@pytest.mark.parametrize("who", ["anonymous", "parent", "manager"])
def test_every_form_resists_fuzzed_input(app, families, who, monkeypatch):
    # As in production: an exception becomes the 500 page, so every failure is listed.
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    own, foreign = families
    client = app.test_client()
    if who != "anonymous":
        f.login(client, "alice" if who == "parent" else "gestion")
    urls = ["/login/", "/compte/mot-de-passe-oublie"] if who == "anonymous" else _pages(app, own)
    forms = _forms(client, urls)
    assert len(forms) >= (2 if who == "anonymous" else 5), [form.action for form in forms]
    problems = _fuzz(app, client, forms, foreign, parent=who == "parent")
    print(f"{who}: {len(forms)} forms fuzzed")
    assert not problems, "\n".join(problems[:20])
