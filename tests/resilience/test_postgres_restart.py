"""PostgreSQL restarted or down: a private cluster (never the machine's shared one) that
the tests stop and start under a running app.

Down: every page answers a French 503, nothing half-written. Back: the app works again by
itself (pool_pre_ping), without restarting it.
"""

from __future__ import annotations

import pytest
from flask_migrate import upgrade
from sqlalchemy import event

from app import create_app
from app.extensions import db
from app.models import Alert, Booking, OutgoingMail, Request, RequestState
from app.tasks import init_celery
from tests.staff.data import NOW, late_request, queue_town, staff_client

pytestmark = pytest.mark.postgres
UNAVAILABLE = "Service momentanément indisponible"
QUEUE = "/gestion/file-des-demandes"


@pytest.fixture(scope="module")
def pg_app(app, pg_cluster):
    url = pg_cluster.create_database("portail_faults")
    faults = create_app("testing", SQLALCHEMY_DATABASE_URI=url,
                        PORTAL_FIXED_NOW=NOW.isoformat())
    init_celery(app)
    with faults.app_context():
        upgrade()
        faults.appbuilder.add_permissions(update_perms=True)
        faults.appbuilder.sm.create_roles()
        db.session.commit()
    yield faults
    with faults.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def town(pg_app):
    with pg_app.test_request_context():
        _school, canteen, (family, _other) = queue_town()
        return {"family": family.id, "child": family.children[0].id, "canteen": canteen.id}


def _pending_request(pg_app, town) -> int:
    from app.models import Child, Family, Service

    with pg_app.test_request_context():
        family = db.session.get(Family, town["family"])
        return late_request(family, db.session.get(Child, town["child"]),
                            db.session.get(Service, town["canteen"])).id


def test_postgres_down_gives_a_french_503_then_the_app_recovers_alone(pg_app, pg_cluster,
                                                                       town):
    client = staff_client(pg_app.test_client())
    assert client.get(f"{QUEUE}/list/").status_code == 200
    pg_cluster.stop()
    try:
        for path in (f"{QUEUE}/list/", "/login/", "/famille/"):
            down = client.get(path)
            assert down.status_code == 503, (path, down.status_code)
            page = down.get_data(as_text=True)
            assert UNAVAILABLE in page and 'lang="fr"' in page
            assert down.headers["Retry-After"]
        api = client.get("/api/v1/parentbooking/")
        assert api.status_code in (503, 404)
    finally:
        pg_cluster.start()
    assert client.get(f"{QUEUE}/list/").status_code == 200


def test_a_restart_between_two_requests_is_invisible(pg_app, pg_cluster, town):
    client = staff_client(pg_app.test_client())
    assert client.get(f"{QUEUE}/list/").status_code == 200
    pg_cluster.restart()  # every pooled connection is now dead
    assert client.get(f"{QUEUE}/list/").status_code == 200


def test_a_restart_in_the_middle_of_a_decision_writes_nothing(pg_app, pg_cluster, town):
    request_id = _pending_request(pg_app, town)
    client = staff_client(pg_app.test_client())
    with pg_app.app_context():
        engine = db.engine
        before = {"alerts": db.session.query(Alert).count(),
                  "mails": db.session.query(OutgoingMail).count(),
                  "bookings": db.session.query(Booking).count()}
        db.session.remove()
    writes: list[str] = []

    def restart_after_first_write(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE")) and not writes:
            writes.append(statement)
            pg_cluster.stop()  # the server goes away with the transaction half done
            pg_cluster.start()

    event.listen(engine, "after_cursor_execute", restart_after_first_write)
    try:
        response = client.post(f"{QUEUE}/action_post",
                               data={"action": "validate", "rowid": [request_id]})
    finally:
        event.remove(engine, "after_cursor_execute", restart_after_first_write)
    assert writes, "the decision wrote nothing: the test did not cut it"
    assert response.status_code == 503
    assert UNAVAILABLE in response.get_data(as_text=True)
    with pg_app.app_context():
        assert db.session.get(Request, request_id).state == RequestState.pending
        after = {"alerts": db.session.query(Alert).count(),
                 "mails": db.session.query(OutgoingMail).count(),
                 "bookings": db.session.query(Booking).count()}
        assert after == before, "part of the decision was written"
    # and the very next try works, on the same app
    done = client.post(f"{QUEUE}/action_post", data={"action": "validate",
                                                     "rowid": [request_id]})
    assert done.status_code == 303
    with pg_app.app_context():
        assert db.session.get(Request, request_id).state == RequestState.validated
