"""« Facturation », manager-grade: a preview (dry run) with totals per school and service,
the number of invoices and the anomalies; confirmation; the run as a background job with
its report; the manager's only."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from app.extensions import db
from app.models import AuditLog, BillingRun, Invoice, Job
from app.security.roles import AGENT, MANAGER
from tests import factories as f
from tests.test_accessibility import audit

from .builders import SEPTEMBER, book, family, school_days, set_qf, town

DAYS = school_days(SEPTEMBER)


@pytest.fixture
def fixed_clock(app):
    app.config["PORTAL_FIXED_NOW"] = "2026-10-01T09:00:00"
    yield
    app.config["PORTAL_FIXED_NOW"] = None


@pytest.fixture
def month(app, fixed_clock):
    """Three families: one fine (QF 800), one without address, one whose QF expired on
    the 15th; canteen and evening care."""
    with app.app_context():
        t = town()
        fine, homeless, expired = (family(n, t) for n in ("Alpha", "Beta", "Gamma"))
        set_qf(fine, 800)
        homeless.address = ""
        set_qf(expired, 500, dt.date(2026, 1, 1), dt.date(2026, 9, 15))
        for fam in (fine, homeless, expired):
            book(fam, fam.children[0], t.canteen, DAYS[:4])
        book(fine, fine.children[0], t.care, DAYS[:2])
        f.user("gestionnaire", MANAGER)
        f.user("agent", AGENT)
        db.session.commit()
        return t


def test_the_preview_shows_totals_anomalies_and_asks_for_confirmation(app, client, month):
    f.login(client, "gestionnaire")
    page = client.get("/gestion/facturation/apercu?month=2026-09")
    assert page.status_code == 200
    text = page.text
    assert 'data-preview="invoices">3<' in text
    # Canteen: Alpha 4 × 4,15 (+ care 2 × 1,60), Beta 4 × 5,10 (no QF), Gamma 4 × 3,20
    # (its QF holds until the 15th: priced day by day).
    assert "Restaurant scolaire" in text and "Accueil périscolaire du soir" in text
    assert "École Théodore Chalmel" in text
    assert 'data-preview="total">53,00' in text
    assert "Famille Beta — Pas d&#39;adresse de facturation" in text
    assert "Famille Gamma — Quotient familial expiré le 15/09/2026" in text
    assert 'data-anomalies="block"' not in text
    assert "Confirmer et facturer 3 familles" in text
    with app.app_context():
        assert db.session.query(Invoice).count() == 0  # a dry run writes nothing
        assert db.session.query(BillingRun).count() == 0
    assert audit(text) == []


def test_a_child_without_tariff_blocks_the_run(app, client, month):
    with app.app_context():
        other = town(tariffs=False, school="École Sainte-Thérèse")
        delta = family("Delta", other)
        book(delta, delta.children[0], other.canteen, DAYS[:2])
    f.login(client, "gestionnaire")
    text = client.get("/gestion/facturation/apercu?month=2026-09").text
    assert 'data-anomalies="block"' in text
    assert "Bloquant :</strong> Famille Delta — Aucun tarif pour le service" in text
    assert "Confirmer et facturer" not in text
    assert "abord les anomalies bloquantes" in text


def test_confirming_runs_the_billing_as_a_job_with_its_report(app, client, month):
    f.login(client, "gestionnaire")
    done = client.post("/gestion/facturation/lancer", data={"month": "2026-09"},
                       follow_redirects=True)
    assert "Facturation terminée pour septembre 2026 : 3 facture(s) créée(s)." in done.text
    with app.app_context():
        run = db.session.query(BillingRun).one()
        job = db.session.get(Job, run.job_id)
        assert (job.state, job.done, job.total, job.result["invoices"]) == ("done", 3, 3, 3)
        assert len(job.errors) == 2  # the two anomalies to check, in the report
        [entry] = db.session.query(AuditLog).filter(
            AuditLog.table_name.in_(["invoice", "invoice_line"])).all()
        assert entry.action == "billing" and entry.username == "gestionnaire"
        assert json.loads(entry.changes)["invoices"] == 3
    assert '<progress id="job-progress-' in done.text
    assert "Compte rendu :</strong> Septembre 2026 : 3 factures créées" in done.text
    assert "Famille Beta : Pas d&#39;adresse de facturation" in done.text
    status = client.get(f"/gestion/travaux/{run.job_id}/etat").get_json()
    assert (status["state"], status["percent"], status["finished"]) == ("done", 100, True)
    # Again: nothing more (idempotent), and the report says so.
    again = client.post("/gestion/facturation/lancer", data={"month": "2026-09"},
                        follow_redirects=True)
    assert "0 facture(s) créée(s)" in again.text
    with app.app_context():
        assert db.session.query(Invoice).count() == 3


def test_an_agent_may_not_preview_nor_follow_a_billing(app, client, month):
    f.login(client, "agent")
    assert client.get("/gestion/facturation/apercu?month=2026-09").status_code in (302, 403)
    assert client.get("/gestion/travaux/1/etat").status_code in (302, 403)


def test_a_bad_month_is_refused_in_french(app, client, month):
    f.login(client, "gestionnaire")
    for value in ("2026-10", "n'importe quoi", ""):
        page = client.get(f"/gestion/facturation/apercu?month={value}", follow_redirects=True)
        assert page.status_code == 200
        assert ("pas encore terminé" in page.text or "Mois attendu au format" in page.text)
