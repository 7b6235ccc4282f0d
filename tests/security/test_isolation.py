"""A parent of family A tries every route of the app with family B's ids: never B's data.

The sweep is generic: it walks the whole URL map (FAB's generated list, show, edit, delete,
action, action_post, download, related views, search dropdowns and the REST API), fills each
URL argument with B's ids, and sends every HTTP method the route accepts. New views are
covered automatically; a route argument the sweep does not know fails the test.
"""

from __future__ import annotations

import io
import itertools
import zipfile

import prison as rison
import pytest
from flask_appbuilder import ModelRestApi, ModelView
from sqlalchemy import select

from app.extensions import db
from app.models import Model, User
from tests import factories as f

from .isolation_data import MARKER, build_two_families

SKIPPED_ENDPOINTS = {"static", "appbuilder.static"}
# Tables a parent's own requests legitimately change (login statistics, session data).
# A's own login rows change with the sweep's logout and login (last login, session version,
# per-address counters); other logins' rows are compared in `_other_logins`.
UNWATCHED_TABLES = {"ab_user", "audit_log", "login_state", "login_address_failure"}
PAYLOAD_TEXT = f"PIRATE {MARKER}"


@pytest.fixture
def two_families(app):
    with app.app_context():
        a, b, _ = build_two_families()
        a.ids[User] = [a.user_id]
        b.ids[User] = [b.user_id]
        yield a, b


def _view_for(app, endpoint: str):
    name = endpoint.split(".")[0]
    return next((v for v in app.appbuilder.baseviews if type(v).__name__ == name), None)


def _model_of(view):
    datamodel = getattr(view, "datamodel", None)
    return getattr(datamodel, "obj", None)


def _arg_values(app, rule, rows) -> list[dict]:
    """Every combination of values for the rule's arguments, from `rows`' family."""
    view = _view_for(app, rule.endpoint)
    model = _model_of(view)
    all_ids = sorted({i for ids in rows.ids.values() for i in ids})
    choices: dict[str, list] = {}
    for arg in sorted(rule.arguments):
        if arg == "pk":
            choices[arg] = rows.ids.get(model, all_ids) if model else all_ids
        elif arg == "name":
            choices[arg] = sorted(getattr(view, "actions", {}) or {"none": None}) or ["none"]
        elif arg == "filename":
            choices[arg] = rows.stored_names
        elif arg == "locale":
            choices[arg] = ["fr"]
        elif arg == "group_by":
            choices[arg] = ["username"]
        elif arg == "month":  # the planning's /famille/planning/<month> (YYYY-MM)
            choices[arg] = ["2026-11"]
        # --- accounts: the single-use password link (/compte/mot-de-passe/<token>), a public
        # page; an unknown token must show nothing and change nothing.
        elif arg == "token":
            choices[arg] = ["jeton-inconnu-0123456789"]
        # --- statistics: one chart's CSV (/gestion/statistiques/csv/<key>), staff only.
        elif arg == "key":
            choices[arg] = ["reservations", "recettes"]
        # --- background jobs' progress (/gestion/…/relancer/<job_id>/etat), staff only.
        elif arg == "job_id":
            choices[arg] = all_ids
        else:
            raise AssertionError(f"{rule.rule}: the isolation sweep does not know <{arg}>")
    keys = list(choices)
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*choices.values())]


def _payload(view, rows) -> dict:
    """Form data: every editable field set to a marked value, every id to B's ids."""
    data: dict = {"action": "", "rowid": [str(i) for ids in rows.ids.values() for i in ids]}
    for column in getattr(view, "edit_columns", None) or []:
        data[column] = PAYLOAD_TEXT
    actions = getattr(view, "actions", {}) or {}
    if actions:
        data["action"] = sorted(actions)[0]
    return data


def _snapshot() -> dict:
    tables = [t for t in Model.metadata.sorted_tables if t.name not in UNWATCHED_TABLES]
    return {t.name: sorted(map(repr, db.session.execute(select(t)).all())) for t in tables}


def _other_logins(username: str) -> list:
    """login_state of every login but A's: A's requests never touch them."""
    from app.models import LoginState, User

    return sorted(map(repr, db.session.execute(
        select(LoginState).join(User, User.id == LoginState.user_id)
        .where(User.username != username)).scalars()))


def _requests(app, rows):
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED_ENDPOINTS or rule.endpoint.endswith(".static"):
            continue
        view = _view_for(app, rule.endpoint)
        for values in _arg_values(app, rule, rows):
            url = adapter.build(rule.endpoint, values)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, view, url, method, ("pk" in values or "filename" in values)


def _send(client, method, url, view, rows):
    if method == "GET":
        return client.get(url)
    if method == "DELETE":
        return client.delete(url)
    if isinstance(view, ModelRestApi):
        return client.open(url, method=method, json={"state": "booked", "family_id": 1})
    return client.open(url, method=method, data=_payload(view, rows))


def _body(response) -> str:
    """What the parent receives, as text; a ZIP download (« Mes données ») is opened so
    that a leak inside a compressed file is seen too."""
    data = response.get_data()
    if response.mimetype == "application/zip":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            data = b"\n".join(archive.read(name) for name in archive.namelist())
    return data.decode("utf-8", "replace")


def test_parent_never_sees_or_changes_another_familys_data(app, client, two_families):
    a, b = two_families
    f.login(client, a.username)
    with app.app_context():
        before = _snapshot()
        others_before = _other_logins(a.username)
    leaks, errors, with_b_ids_ok = [], [], []
    swept = 0
    for _rule, view, url, method, has_b_id in _requests(app, b):
        response = _send(client, method, url, view, b)
        swept += 1
        body = _body(response)
        if MARKER in body:
            leaks.append(f"{method} {url} -> {response.status_code}")
        if response.status_code >= 500:
            errors.append(f"{method} {url} -> {response.status_code}")
        if has_b_id and response.status_code not in (403, 404, 405):
            with_b_ids_ok.append(f"{method} {url} -> {response.status_code}")
        if "/logout" in url:
            f.login(client, a.username)
    with app.app_context():
        after = _snapshot()
        others_after = _other_logins(a.username)
    assert others_before == others_after, "another login's state changed"
    assert swept > 200
    assert not leaks, "B's data shown to A:\n" + "\n".join(leaks)
    assert not errors, "server errors:\n" + "\n".join(errors)
    assert not with_b_ids_ok, "B's ids not refused (403/404):\n" + "\n".join(with_b_ids_ok)
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, f"tables changed by A's requests with B's ids: {changed}"


def test_filters_and_dropdowns_never_reach_another_family(app, client, two_families):
    """List search filters on relations (FAB's `_flt_` args) with B's ids, and the REST
    API's rison filters and `_info` dropdown values."""
    a, b = two_families
    f.login(client, a.username)
    for view in app.appbuilder.baseviews:
        if not type(view).__name__.startswith("Parent") or not isinstance(view, ModelView):
            continue
        for column in view.search_columns:
            if not view.datamodel.is_relation(column):
                continue
            related = view.datamodel.get_related_model(column)
            for b_id in b.ids.get(related, []):
                for operator in range(3):
                    url = f"{view.route_base}/list/?_flt_{operator}_{column}={b_id}"
                    body = client.get(url).get_data(as_text=True)
                    assert MARKER not in body, url
        for form in ("add", "edit"):
            if f"can_{form}" not in view.base_permissions:
                continue
            for pk in a.ids.get(view.datamodel.obj, []):
                url = (
                    f"{view.route_base}/{form}/{pk}" if form == "edit" else f"{view.route_base}/add"
                )
                response = client.get(url)
                assert response.status_code == 200, url
                assert MARKER not in response.get_data(as_text=True), url
    from app.models import Child

    for child_id in b.ids[Child]:
        query = rison.dumps({"filters": [{"col": "child", "opr": "rel_o_m", "value": child_id}]})
        response = client.get(f"/api/v1/bookings/?q={query}")
        assert response.status_code in (200, 400)
        assert MARKER not in response.get_data(as_text=True)
        assert response.status_code == 400 or response.json["count"] == 0
    info = client.get("/api/v1/bookings/_info")
    assert MARKER not in info.get_data(as_text=True)


def _permitted(view, rule) -> bool:
    """Whether the view grants the permission of the rule's method at all."""
    method = getattr(view, rule.endpoint.split(".")[1])
    name = getattr(method, "_permission_name", None)
    name = (view.method_permission_name or {}).get(method.__name__, name)
    return name is None or f"can_{name}" in view.base_permissions


def test_every_parent_page_works_with_the_familys_own_ids(app, client, two_families):
    """The same sweep with A's own ids: each parent page answers 200 and shows A's data,
    so the 404s above come from the scope, not from broken routes."""
    a, b = two_families
    f.login(client, a.username)
    reached, broken = set(), []
    for rule, view, url, method, _ in _requests(app, a):
        if method != "GET" or not rule.endpoint.startswith("Parent"):
            continue
        if rule.endpoint.endswith((".download", ".action")) or not _permitted(view, rule):
            continue
        response = client.get(url)
        if response.status_code != 200:
            broken.append(f"{url} -> {response.status_code}")
        reached.add(rule.endpoint.split(".")[1])
    assert not broken, broken
    # The kinds of FAB routes the sweep must have exercised for a parent.
    assert {"list", "show", "get", "get_list", "info", "index"} <= reached


def test_a_shared_child_shows_each_family_only_its_own_bookings(app, client, two_families):
    """Separated parents: one child in both families; each sees its own bookings only."""
    import datetime as dt

    a, b = two_families
    with app.app_context():
        from app.models import Child, Family, Service

        fam_a = db.session.get(Family, a.ids[Family][0])
        fam_b = db.session.get(Family, b.ids[Family][0])
        shared = db.session.get(Child, a.ids[Child][0])
        fam_b.children.append(shared)
        db.session.commit()
        service = db.session.query(Service).first()
        f.booking(fam_b, shared, service, dt.date(2026, 11, 27))
        f.booking(fam_a, shared, service, dt.date(2026, 11, 30))
    f.login(client, a.username)
    body = client.get("/parentbookingview/list/").get_data(as_text=True)
    assert "lundi 30 novembre" in body and "vendredi 27 novembre" not in body
    api = client.get("/api/v1/bookings/").json
    assert sorted(r["day"] for r in api["result"]) == ["2026-11-26", "2026-11-26", "2026-11-30"]
