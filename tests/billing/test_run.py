"""The monthly billing run: one invoice per family and month, gap-free numbers, all or
nothing, idempotent; its record and progress; the family's mail; the CLI."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import (
    BillingRun,
    BillingRunState,
    DocumentSequence,
    Invoice,
    Job,
    OutgoingMail,
    SepaMandate,
)
from app.services.billing.fr import of_month
from app.services.billing.run import (
    BillingError,
    bill_month,
    execute_run,
    start_run,
)

from .builders import (
    CANTEEN_BRACKETS,
    ISSUED,
    OCTOBER,
    SEPTEMBER,
    add_tariff,
    book,
    family,
    school_days,
    set_qf,
    town,
)

DAYS = school_days(SEPTEMBER)


def _numbers() -> dict[str, str]:
    """Family name → invoice number."""
    return {inv.family.name: inv.number
            for inv in db.session.query(Invoice).order_by(Invoice.number)}


def _sequence(prefix: str = "FAC", year: int = 2026) -> int | None:
    row = db.session.query(DocumentSequence).filter_by(prefix=prefix, year=year).one_or_none()
    return None if row is None else row.last_number


def _three_families(t):
    fams = [family(name, t, username=f"parent.{name.lower()}")
            for name in ("Durand", "Bernard", "Martin")]
    for fam in fams:
        set_qf(fam, 800)
        book(fam, fam.children[0], t.canteen, DAYS[:4])
        book(fam, fam.children[0], t.care, DAYS[:2])
    return fams


def test_one_invoice_per_family_numbered_without_gaps_in_name_order(app_ctx):
    t = town()
    bernard = _three_families(t)[1]
    result = bill_month(SEPTEMBER, ISSUED)
    assert len(result.invoices) == 3
    assert _numbers() == {"Famille Bernard": "FAC-2026-000001",
                          "Famille Durand": "FAC-2026-000002",
                          "Famille Martin": "FAC-2026-000003"}
    invoice = db.session.query(Invoice).filter_by(family_id=bernard.id).one()
    assert (invoice.period_start, invoice.issued_on, invoice.due_on) == (
        SEPTEMBER, ISSUED, dt.date(2026, 10, 31))
    assert invoice.state == "issued" and invoice.direct_debit is False
    kid = bernard.children[0]
    assert sorted((line.child_id, line.service.name, line.quantity) for line in invoice.lines) \
        == [(kid.id, "Accueil périscolaire du soir", 2), (kid.id, "Restaurant scolaire", 4)]
    assert invoice.total == Decimal("19.80")  # 4 × 4,15 + 2 × 1,60
    assert _sequence() == 3


def test_each_family_gets_a_mail_with_its_invoice(app_ctx):
    t = town()
    _three_families(t)
    bill_month(SEPTEMBER, ISSUED)
    mails = db.session.query(OutgoingMail).filter_by(kind="invoice_issued").all()
    assert sorted(m.recipient for m in mails) == [
        "parent.bernard@example.org", "parent.durand@example.org", "parent.martin@example.org"]
    mail = next(m for m in mails if m.recipient == "parent.bernard@example.org")
    assert mail.subject == "Votre facture de septembre 2026 (FAC-2026-000001)"
    assert "19,80" in mail.body_text and "31/10/2026" in mail.body_text
    assert "FAC-2026-000001" in mail.body_html


def test_a_run_without_notification_sends_no_mail(app_ctx):
    _three_families(town())
    assert len(bill_month(SEPTEMBER, ISSUED, notify=False).invoices) == 3
    assert db.session.query(OutgoingMail).count() == 0


def test_months_are_written_the_french_way(app_ctx):
    assert [of_month(dt.date(2026, m, 1)) for m in (4, 8, 9, 10)] == [
        "d'avril 2026", "d'août 2026", "de septembre 2026", "d'octobre 2026"]


def test_running_a_month_again_creates_nothing_twice(app_ctx):
    t = town()
    _three_families(t)
    bill_month(SEPTEMBER, ISSUED)
    again = bill_month(SEPTEMBER, ISSUED)
    assert again.invoices == [] and again.already_invoiced == 3
    assert db.session.query(Invoice).count() == 3
    assert _sequence() == 3
    # A family whose days were recorded late is invoiced by the next run, and only it.
    late = family("Zola", t)
    book(late, late.children[0], t.canteen, DAYS[:1])
    third = bill_month(SEPTEMBER, ISSUED)
    assert [inv.number for inv in third.invoices] == ["FAC-2026-000004"]
    assert db.session.query(OutgoingMail).filter_by(kind="invoice_issued").count() == 4


def test_a_failure_in_the_middle_leaves_no_invoice_no_number_no_mail(app_ctx):
    t = town()
    _three_families(t)
    # Family "Dupont" (second in name order) eats at a service without a tariff.
    extra = town(tariffs=False, school="École Sainte-Thérèse")
    dupont = family("Dupont", t)
    book(dupont, dupont.children[0], extra.canteen, DAYS[:2])
    with pytest.raises(ValueError, match="Aucun tarif"):
        bill_month(SEPTEMBER, ISSUED)
    db.session.expire_all()
    assert db.session.query(Invoice).count() == 0
    assert _sequence() in (None, 0)
    assert db.session.query(OutgoingMail).count() == 0
    assert db.session.query(Job).count() == 0  # nor the job that would have mailed them
    # Once the tariff exists, the numbers start at 1: the failed run used none.
    add_tariff(extra.canteen, CANTEEN_BRACKETS)
    bill_month(SEPTEMBER, ISSUED)
    assert sorted(_numbers().values()) == [f"FAC-2026-{n:06d}" for n in range(1, 5)]


def test_a_failure_while_writing_rolls_back_every_invoice(app_ctx):
    """The second invoice's number is already taken (imported from the previous software,
    without its counter): the database refuses it after the first invoice was written."""
    t = town()
    fams = _three_families(t)
    db.session.add(Invoice(number="FAC-2026-000002", family=fams[0],
                           period_start=dt.date(2026, 8, 1), issued_on=dt.date(2026, 9, 1),
                           due_on=dt.date(2026, 10, 1), total=Decimal("10.00")))
    db.session.commit()
    with pytest.raises(IntegrityError):
        bill_month(SEPTEMBER, ISSUED)
    db.session.expire_all()
    assert _numbers() == {"Famille Durand": "FAC-2026-000002"}
    assert _sequence() is None
    assert db.session.query(OutgoingMail).count() == 0


def test_a_month_is_billed_only_once_it_is_over(app_ctx):
    town()
    with pytest.raises(BillingError, match="pas encore terminé"):
        bill_month(SEPTEMBER, dt.date(2026, 9, 30))
    with pytest.raises(BillingError, match="AAAA-MM"):
        bill_month("septembre", ISSUED)


def test_numbers_follow_the_issue_year_and_continue_across_months(app_ctx):
    t = town()
    fam = family("Annee", t)
    set_qf(fam, 800)
    kid = fam.children[0]
    for month in (SEPTEMBER, OCTOBER, dt.date(2026, 11, 1), dt.date(2026, 12, 1)):
        book(fam, kid, t.canteen, school_days(month)[:3])
    bill_month(SEPTEMBER, ISSUED)
    bill_month("2026-10", dt.date(2026, 11, 2))
    bill_month(dt.date(2026, 11, 1), dt.date(2026, 12, 1))
    bill_month("2026-12", dt.date(2027, 1, 4))
    numbers = [n for (n,) in db.session.query(Invoice.number).order_by(Invoice.period_start)]
    assert numbers == ["FAC-2026-000001", "FAC-2026-000002", "FAC-2026-000003",
                       "FAC-2027-000001"]


def test_families_with_a_sepa_mandate_are_debited(app_ctx):
    t = town()
    fams = _three_families(t)
    db.session.add(SepaMandate(family=fams[0], rum="RUM-0001", holder_name="Durand",
                               iban="FR7630006000011234567890189", bic="AGRIFRPP",
                               signed_on=dt.date(2026, 9, 10)))
    db.session.add(SepaMandate(family=fams[2], rum="RUM-0002", holder_name="Martin",
                               iban="FR7630006000011234567890189", bic="AGRIFRPP",
                               signed_on=dt.date(2026, 1, 10), active=False,
                               revoked_on=dt.date(2026, 6, 1)))
    db.session.commit()
    bill_month(SEPTEMBER, ISSUED)
    debited = {inv.family.name: inv.direct_debit for inv in db.session.query(Invoice)}
    assert debited == {"Famille Durand": True, "Famille Bernard": False,
                       "Famille Martin": False}


def test_a_recorded_run_shows_progress_and_its_outcome(app_ctx):
    t = town()
    _three_families(t)
    run = start_run("2026-09", ISSUED)
    assert run.state == BillingRunState.pending
    assert execute_run(run.id) == "done"
    assert execute_run(run.id) == "skipped"  # a duplicate task does nothing
    db.session.expire_all()
    run = db.session.get(BillingRun, run.id)
    assert (run.state, run.families_total, run.families_done, run.invoices_created) == (
        BillingRunState.done, 3, 3, 3)
    assert (run.first_number, run.last_number) == ("FAC-2026-000001", "FAC-2026-000003")
    assert run.amount_total == Decimal("59.40")
    assert run.started_at is not None and run.finished_at is not None


def test_a_failed_run_records_the_family_and_the_reason(app_ctx):
    t = town()
    _three_families(t)
    extra = town(tariffs=False, school="École Sainte-Thérèse")
    dupont = family("Dupont", t)
    book(dupont, dupont.children[0], extra.canteen, DAYS[:2])
    run = start_run("2026-09", ISSUED)
    assert execute_run(run.id) == "failed"
    db.session.expire_all()
    run = db.session.get(BillingRun, run.id)
    assert run.state == BillingRunState.failed
    assert "Famille Dupont" in run.error and "Aucun tarif" in run.error
    assert run.invoices_created == 0
    assert db.session.query(Invoice).count() == 0
    # Not underway any more: the manager may start it again once the tariff is fixed.
    add_tariff(extra.canteen, CANTEEN_BRACKETS)
    again = start_run("2026-09", ISSUED)
    assert execute_run(again.id) == "done"
    assert db.session.query(Invoice).count() == 4


def test_a_month_underway_cannot_be_started_twice(app_ctx):
    town()
    start_run("2026-09", ISSUED)
    with pytest.raises(BillingError, match="déjà en cours"):
        start_run("2026-09", ISSUED)


def test_cli_bills_a_month_and_a_second_run_creates_nothing(app):
    with app.app_context():
        t = town()
        _three_families(t)
    runner = app.test_cli_runner()
    args = ["portal", "billing", "run", "--month", "2026-09", "--issued-on", "2026-10-01"]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert "3 factures créées" in first.output
    assert "FAC-2026-000001 à FAC-2026-000003" in first.output
    assert "Courriels de facture : mis en file par un travail en arrière-plan." in first.output
    second = runner.invoke(args=args)
    assert second.exit_code == 0, second.output
    assert "aucune facture créée" in second.output and "3 familles déjà facturées" in second.output
    early = runner.invoke(args=["portal", "billing", "run", "--month", "2026-10",
                                "--issued-on", "2026-10-15"])
    assert early.exit_code != 0 and "pas encore terminé" in early.output
    with app.app_context():
        assert db.session.query(Invoice).count() == 3
        # The run's job queued one mail per family (second run: nothing invoiced, no job).
        assert db.session.query(OutgoingMail).filter_by(kind="invoice_issued").count() == 3
        assert [j.state for j in db.session.query(Job)] == ["done"]
