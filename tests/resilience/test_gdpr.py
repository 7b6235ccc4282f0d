"""GDPR: a family downloads all its data (one archive, its own only); staff anonymise a
family (refused while an invoice is unpaid or the family was active in the last 60 days;
invoices kept); the retention job anonymises families inactive for 3 years."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import String, Text, inspect, select, update

from app.extensions import db
from app.models import (
    AuditLog,
    Booking,
    Child,
    Conversation,
    DocumentType,
    Family,
    FamilyDocument,
    Invoice,
    InvoiceLine,
    Message,
    Model,
    Payment,
)
from app.security.roles import AGENT, MANAGER
from app.services.errors import CommandError
from app.services.gdpr import AnonymiseFamily, run_retention
from tests import factories as f

TODAY = dt.date(2026, 12, 1)
NOW = dt.datetime(2026, 12, 1, 10, 0)
ARCHIVE = "/famille/mes-donnees/archive"
GDPR = "/gestion/rgpd"
FILE_BYTES = b"%PDF-1.4 attestation CAF Mercier"


@pytest.fixture(autouse=True)
def clock(app, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_FIXED_NOW", NOW.isoformat())


def _old(family: Family, day: dt.date) -> None:
    """Make everything the family did happen on `day` (creation, logins)."""
    db.session.execute(update(Family).where(Family.id == family.id).values(
        created_at=dt.datetime.combine(day, dt.time(9))))
    for guardian in family.guardians:
        if guardian.user:
            guardian.user.last_login = dt.datetime.combine(day, dt.time(9))
    db.session.commit()


def _town(app):
    """Mercier (health data, a document, a paid invoice, a note) and Durand (another family
    sharing nothing)."""
    school = f.school("Théodore Chalmel")
    service = f.service(schools=[school])
    mercier = f.family("Mercier", school, username="parent.mercier")
    durand = f.family("Durand", school, username="parent.durand")
    child = mercier.children[0]
    child.medical_notes = "Asthme Mercier"
    child.pai_details = "Ventoline Mercier"
    booking = f.booking(mercier, child, service, dt.date(2026, 9, 14))
    booking.note = "Note Mercier"
    invoice = f.invoice(mercier, child, service)
    invoice.issued_on = dt.date(2026, 9, 1)
    db.session.add(Payment(family=mercier, invoice=invoice, amount=Decimal("70.55"),
                           method="cheque", received_on=dt.date(2026, 9, 20)))
    kind = DocumentType(code="caf", label="Attestation CAF")
    folder = Path(app.config["PORTAL_UPLOAD_DIR"]) / "familles"
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{'ab' * 24}"
    (folder / stored).write_bytes(FILE_BYTES)
    db.session.add(FamilyDocument(family=mercier, document_type=kind, original_filename="caf.pdf",
                                  stored_name=stored, content_type="application/pdf",
                                  size=len(FILE_BYTES), uploaded_at=dt.datetime(2026, 9, 2, 9)))
    conversation = Conversation(family=mercier, subject="Sujet Mercier",
                                created_at=dt.datetime(2026, 9, 10, 9),
                                last_message_at=dt.datetime(2026, 9, 10, 9))
    db.session.add(Message(conversation=conversation, side="family", author_name="Parent",
                           body="Message Mercier", created_at=dt.datetime(2026, 9, 10, 9)))
    db.session.commit()
    return mercier, durand, invoice, folder / stored


# --- the family's archive ------------------------------------------------------------------


def _archive(response) -> tuple[dict, dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files.pop("donnees.json")), files


def test_a_parent_downloads_all_the_family_data_and_documents(app, app_ctx, client):
    mercier, _durand, _invoice, _path = _town(app)
    f.login(client, "parent.mercier")
    response = client.get(ARCHIVE)
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    data, files = _archive(response)
    text = json.dumps(data, ensure_ascii=False)
    for expected in ("Famille Mercier", "Asthme Mercier", "Note Mercier", "70.55",
                     "parent.mercier", "caf.pdf"):
        assert expected in text, expected
    assert list(files.values()).count(FILE_BYTES) == 1
    assert "Durand" not in text, "another family's data in the archive"
    assert "pbkdf2" not in text and "scrypt" not in text and "password" not in text


def test_the_archive_needs_a_parent_login(app, app_ctx, client):
    _town(app)
    assert client.get(ARCHIVE).status_code in (302, 401, 403)
    f.user("agent.rgpd", AGENT)
    f.login(client, "agent.rgpd")
    response = client.get(ARCHIVE)
    assert response.status_code != 200 or response.mimetype != "application/zip"


def test_the_mon_compte_page_links_to_the_archive(app, app_ctx, client):
    _town(app)
    f.login(client, "parent.mercier")
    assert ARCHIVE in client.get("/famille/compte/").get_data(as_text=True)


# --- anonymisation by staff ----------------------------------------------------------------


def _texts() -> str:
    """Every text value of every table: where a name could still hide."""
    chunks = []
    names = set(inspect(db.engine).get_table_names())
    for table in Model.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text)]
        if table.name in names and columns:
            chunks += [" ".join(str(v) for v in row if v) for row in db.session.execute(
                select(*columns))]
    return "\n".join(chunks)


def test_staff_anonymise_an_inactive_family_and_keep_its_invoices(app, app_ctx, client):
    mercier, durand, invoice, path = _town(app)
    _old(mercier, dt.date(2026, 9, 15))
    db.session.execute(update(Booking).values(day=dt.date(2026, 9, 14)))
    db.session.commit()
    f.user("gestion.rgpd", MANAGER)
    f.login(client, "gestion.rgpd")
    page = client.get(f"{GDPR}/{mercier.id}")
    assert page.status_code == 200 and "Anonymiser" in page.get_data(as_text=True)

    done = client.post(f"{GDPR}/{mercier.id}/anonymiser")
    assert done.status_code == 303
    db.session.expire_all()
    family = db.session.get(Family, mercier.id)
    assert family.anonymised_at is not None and not family.active
    everything = _texts()
    for gone in ("Asthme Mercier", "Ventoline Mercier", "Note Mercier", "mercier@example.org",
                 "Message Mercier", "Sujet Mercier",
                 "parent.mercier", "Famille Mercier", "MercierParent"):
        assert gone not in everything, gone
    assert "Famille Durand" in everything, "another family was touched"
    assert not path.exists(), "the document's file is still on disk"
    kept = db.session.get(Invoice, invoice.id)
    assert kept.number == invoice.number and kept.total == Decimal("70.55")
    assert db.session.query(InvoiceLine).filter_by(invoice_id=invoice.id).count() == 1
    assert db.session.query(Payment).filter_by(family_id=mercier.id).count() == 1
    assert db.session.query(AuditLog).filter_by(action="anonymise").count() == 1
    client.get("/logout/")
    refused = client.post("/login/", data={"username": "parent.mercier",
                                           "password": f.PASSWORD})
    assert "/famille" not in (refused.headers.get("Location") or "")


def test_anonymisation_is_refused_while_an_invoice_is_unpaid(app, app_ctx):
    mercier, _durand, _invoice, path = _town(app)
    school = db.session.get(Child, mercier.children[0].id).school
    service = f.service(schools=[school])
    unpaid = f.invoice(mercier, mercier.children[0], service, period=dt.date(2026, 8, 1))
    unpaid.issued_on = dt.date(2026, 8, 31)
    _old(mercier, dt.date(2026, 9, 15))
    with pytest.raises(CommandError) as refused:
        AnonymiseFamily(mercier.id, None, today=TODAY).run()
    assert unpaid.number in " ".join(refused.value.messages)
    assert db.session.get(Family, mercier.id).name == "Famille Mercier"
    assert path.exists()


def test_anonymisation_is_refused_after_activity_in_the_last_60_days(app, app_ctx, client):
    mercier, _durand, _invoice, _path = _town(app)
    _old(mercier, dt.date(2026, 9, 15))
    mercier.guardians[0].user.last_login = dt.datetime(2026, 11, 20, 8)  # 11 days ago
    db.session.commit()
    f.user("gestion.rgpd", MANAGER)
    f.login(client, "gestion.rgpd")
    answer = client.post(f"{GDPR}/{mercier.id}/anonymiser", follow_redirects=True)
    assert answer.status_code < 500
    assert "20/11/2026" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Family, mercier.id).anonymised_at is None


def test_agents_cannot_anonymise(app, app_ctx, client):
    mercier, *_ = _town(app)
    _old(mercier, dt.date(2026, 9, 15))
    f.user("agent.rgpd", AGENT)
    f.login(client, "agent.rgpd")
    client.post(f"{GDPR}/{mercier.id}/anonymiser")
    db.session.expire_all()
    assert db.session.get(Family, mercier.id).anonymised_at is None


# --- the retention job ---------------------------------------------------------------------


def test_the_retention_job_anonymises_families_inactive_for_three_years(app, app_ctx):
    mercier, durand, invoice, _path = _town(app)
    school = db.session.get(Child, mercier.children[0].id).school
    debtor = f.family("Debiteur", school)
    service = f.service(schools=[school])
    f.invoice(debtor, debtor.children[0], service)  # never paid
    db.session.execute(update(Booking).values(day=dt.date(2023, 6, 30)))
    db.session.execute(update(Invoice).values(issued_on=dt.date(2023, 7, 1)))
    db.session.execute(update(Payment).values(received_on=dt.date(2023, 7, 5)))
    db.session.execute(update(FamilyDocument).values(uploaded_at=dt.datetime(2023, 1, 5)))
    db.session.execute(update(Conversation).values(last_message_at=dt.datetime(2023, 1, 5)))
    for family in (mercier, debtor):
        _old(family, dt.date(2023, 6, 1))
    _old(durand, dt.date(2024, 1, 10))  # under 3 years ago

    runner = app.test_cli_runner()
    dry = runner.invoke(args=["portal", "rgpd-retention", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    db.session.expire_all()
    assert db.session.get(Family, mercier.id).anonymised_at is None

    result = runner.invoke(args=["portal", "rgpd-retention"])
    assert result.exit_code == 0, result.output
    assert mercier.account_code in result.output and debtor.account_code in result.output
    db.session.expire_all()
    assert db.session.get(Family, mercier.id).anonymised_at is not None
    assert db.session.get(Family, durand.id).anonymised_at is None
    assert db.session.get(Family, debtor.id).anonymised_at is None, "unpaid: kept"
    assert db.session.get(Invoice, invoice.id) is not None
    again = run_retention(today=TODAY)
    assert again.anonymised == []


def test_the_retention_job_is_scheduled_daily():
    from app.tasks import celery

    entry = celery.conf.beat_schedule["portal-gdpr-retention"]
    assert entry["task"] == "portal.gdpr_retention"
