"""Fuzzing the REST API from its own OpenAPI description (schemathesis), logged in as a
parent of family A while family B exists: no answer is a 5xx, no answer holds B's data,
and a refused write (4xx) changes nothing. Valid and invalid cases (schemathesis' positive
and negative modes); bounded by a number of examples per operation (about 10-15 s)."""

from __future__ import annotations

import schemathesis
from flask import current_app
from flask_appbuilder.api import BaseApi
from flask_appbuilder.api.manager import OpenApi
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.generation import GenerationMode

from app.extensions import db
from tests import factories as f
from tests.security.isolation_data import MARKER, build_two_families
from tests.security.test_isolation import _snapshot

EXAMPLES = {"POST": 30, "GET": 8}


def openapi_spec(app) -> dict:
    """The spec FAB builds for /api/v1 (its OpenApi view is not served: no Swagger UI)."""
    with app.test_request_context("/", base_url="http://localhost"):
        spec = OpenApi._create_api_spec("v1")
        for view in current_app.appbuilder.baseviews:
            if isinstance(view, BaseApi) and view.version == "v1":
                view.add_api_spec(spec)
        return spec.to_dict()


def _session_cookie(app, username: str) -> dict[str, str]:
    client = app.test_client()
    f.login(client, username)
    cookie = client.get_cookie("session")
    assert cookie is not None, "login failed"
    return {"session": cookie.value}


class Checker:
    def __init__(self, app, cookies):
        self.app, self.cookies = app, cookies
        self.problems: list[str] = []
        self.calls = 0

    def __call__(self, case) -> None:
        writes = case.method.upper() != "GET"
        with self.app.app_context():
            before = _snapshot() if writes else None
        response = case.call(app=self.app, cookies=self.cookies)
        self.calls += 1
        where = f"{case.method} {case.formatted_path} {case.query or ''} {case.body!r:.200}"
        if response.status_code >= 500:
            self.problems.append(f"{response.status_code}: {where}: {response.text[:200]}")
        if MARKER in response.text:
            self.problems.append(f"family B's data: {where}")
        if before is not None and 400 <= response.status_code < 500:
            with self.app.app_context():
                db.session.expire_all()
                if _snapshot() != before:
                    self.problems.append(f"refused ({response.status_code}), changed: {where}")


def test_rest_api_fuzzed_from_its_openapi_as_a_parent(app):
    with app.app_context():
        build_two_families()
    schema = schemathesis.openapi.from_dict(openapi_spec(app))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert any(op.path == "/api/v1/bookings/change" for op in operations)
    check = Checker(app, _session_cookie(app, "alice"))
    for operation in operations:
        for mode in GenerationMode:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES.get(operation.method.upper(), 12), deadline=None,
                      database=None, suppress_health_check=list(HealthCheck),
                      phases=[Phase.explicit, Phase.generate])
            def run(case):
                check(case)

            run()
    print(f"schemathesis: {check.calls} calls on {len(operations)} operations")
    assert check.calls >= 100, f"only {check.calls} calls: the fuzzer did not run"
    assert not check.problems, "\n".join(check.problems[:20])
