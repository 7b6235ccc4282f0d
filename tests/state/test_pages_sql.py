"""The State's services' staff lists cost the same SQL for 2 rows as for 8."""

from __future__ import annotations

import datetime as dt

from app.extensions import db
from app.models import FranceConnectLink, QfFetch, QuotientFamilial
from tests import factories as f
from tests.billing.builders import town

from .builders import consent, guardian_family

URLS = ["/gestion/franceconnect/", "/gestion/quotient-caf/", "/gestion/quotient-caf/campagne/"]


def _add(school, start: int, stop: int) -> None:
    for i in range(start, stop):
        fam = guardian_family(f"P{i}", f"Nom{i}", dt.date(1980, 1, 1), f"p{i}", school)
        guardian = fam.guardians[0]
        db.session.add(FranceConnectLink(guardian_id=guardian.id, sub=f"sub-{i}",
                                         given_name=f"P{i}", family_name=f"NOM{i}"))
        row = consent(fam, f"NOM{i}", dt.date(1980, 1, 1))
        quotient = QuotientFamilial(family_id=fam.id, value=500 + i,
                                    valid_from=dt.date(2026, 11, 1),
                                    valid_to=dt.date(2027, 8, 31), provider="CAF")
        db.session.add(QfFetch(family_id=fam.id, consent_id=row.id, origin="batch",
                               outcome="found", quotient=quotient))
    db.session.commit()


def _counts(client, count_queries) -> dict[str, int]:
    counts = {}
    for url in URLS:
        client.get(url)
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = counter.count
    return counts


def test_staff_pages_cost_does_not_grow_with_rows(app, client, count_queries):
    with app.app_context():
        school = town().school
        f.user("gestion1", "Gestionnaire")
        _add(school, 0, 2)
    f.login(client, "gestion1")
    small = _counts(client, count_queries)
    with app.app_context():
        _add(school, 2, 8)
    big = _counts(client, count_queries)
    assert big == small
    body = client.get("/gestion/quotient-caf/").get_data(as_text=True)
    assert "QF 507 (CAF)" in body
