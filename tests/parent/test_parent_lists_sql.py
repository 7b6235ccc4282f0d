"""Every parent list page (and the REST list) costs the same number of SQL statements
whatever the family's number of children, bookings, invoices…"""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import ModelView

from app.extensions import db
from app.models import AuthorizedPerson, DocumentType, FamilyDocument, QuotientFamilial
from tests import factories as f


def _fill(fam, kids_service, days: int) -> None:
    service = kids_service
    doc_type = db.session.query(DocumentType).first()
    for index, kid in enumerate(fam.children):
        db.session.add(
            AuthorizedPerson(child=kid, full_name=f"Mamie {kid.first_name}", phone="0600000000")
        )
        f.enrolment(fam, kid, service)
        for n in range(days):
            f.booking(fam, kid, service, dt.date(2026, 9, 1) + dt.timedelta(days=n))
            f.request_row(fam, kid)
        f.invoice(fam, kid, service, period=dt.date(2026, 9 + index, 1))
        f.payment(fam)
        f.alert(fam)
        db.session.add(
            FamilyDocument(
                family=fam,
                child=kid,
                document_type=doc_type,
                original_filename="a.pdf",
                stored_name=f"{fam.id}-{kid.id}-{days}",
                content_type="application/pdf",
                size=10,
            )
        )
        db.session.add(
            QuotientFamilial(
                family=fam,
                value=500,
                valid_from=dt.date(2026, 1, 1),
                valid_to=dt.date(2026, 12, 31),
            )
        )
    db.session.commit()


def _statements_per_list(app, client, count_queries, username) -> dict[str, int]:
    f.login(client, username)
    counts = {}
    urls = [
        f"{v.route_base}/list/"
        for v in app.appbuilder.baseviews
        if type(v).__name__.startswith("Parent") and isinstance(v, ModelView)
    ]
    urls += ["/api/v1/bookings/", "/famille/"]
    for url in urls:
        client.get(url)  # warm caches (permissions, menu)
        with count_queries() as counter:
            assert client.get(url).status_code == 200, url
        counts[url] = counter.count
    return counts


def test_parent_lists_cost_does_not_grow_with_rows(app, client, count_queries):
    with app.app_context():
        school = f.school()
        service = f.service(schools=[school])
        db.session.add(DocumentType(code="qf", label="Attestation QF"))
        db.session.commit()
        small = f.family("Petit", school, children=1, username="petit")
        big = f.family("Grand", school, children=3, username="grand")
        _fill(small, service, days=1)
        _fill(big, service, days=12)
    small_counts = _statements_per_list(app, client, count_queries, "petit")
    client.get("/logout/")
    big_counts = _statements_per_list(app, client, count_queries, "grand")
    grown = {
        url: (small_counts[url], big_counts[url])
        for url in small_counts
        if big_counts[url] != small_counts[url]
    }
    assert not grown, f"statements (1 child, 1 day) vs (3 children, 12 days): {grown}"
