"""`flask portal demo`: the brochure's town loads, twice without duplicates, prints working
logins, and its data obeys the product's rules whatever the day it is loaded."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy import func

from app.extensions import db
from app.models import (
    Alert,
    Booking,
    BookingState,
    Child,
    DocumentState,
    Enrolment,
    EnrolmentState,
    Family,
    FamilyDocument,
    Guardian,
    Invoice,
    News,
    Payment,
    PublishedDocument,
    QuotientFamilial,
    Request,
    RequestKind,
    RequestState,
    School,
    SchoolYear,
    SepaMandate,
    ServiceCapacity,
    TariffBracket,
    TaxCertificate,
    User,
    family_child,
)
from app.models.booking import SEAT_HOLDING_STATES
from app.services.calendar import OpeningCalendar, local_today
from app.views.downloads import file_response
from tests.menus.demo_checks import check_demo_menus

ACCOUNT_LINE = re.compile(r"^(Admin|Gestionnaire|Agent|Parent) (\S+) (\S+)$")


def run_demo(app, *args: str) -> list[tuple[str, str, str]]:
    result = app.test_cli_runner().invoke(args=["portal", "demo", *args])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    accounts = [m.groups() for line in lines if (m := ACCOUNT_LINE.match(line))]
    assert len(accounts) == len(lines), f"stdout must hold only account lines: {lines}"
    return accounts


def counts() -> dict[str, int]:
    models = (Family, Child, Guardian, User, Booking, Enrolment, Request, Alert, Invoice,
              News, School, QuotientFamilial, TariffBracket, FamilyDocument, PublishedDocument,
              SepaMandate, TaxCertificate, Payment)
    return {m.__name__: db.session.query(func.count()).select_from(m).scalar() for m in models}


def test_demo_prints_one_line_per_account_and_is_idempotent(app):
    accounts = run_demo(app)
    roles = Counter(role for role, _, _ in accounts)
    assert roles["Admin"] == roles["Gestionnaire"] == roles["Agent"] == 1
    assert roles["Parent"] >= 2
    with app.app_context():
        first = counts()
        assert first["Family"] == 30 and first["School"] == 2
        assert first["Booking"] > 500 and first["Request"] > 0 and first["Alert"] > 0
    assert run_demo(app) == accounts
    with app.app_context():
        assert counts() == first


def test_printed_accounts_log_in_and_parents_are_in_different_schools(app):
    accounts = run_demo(app)
    for role, login, password in accounts:
        client = app.test_client()
        response = client.post("/login/", data={"username": login, "password": password})
        assert response.status_code == 302, (login, response.status_code)
        home = client.get("/", follow_redirects=True)
        assert home.status_code == 200
        expected = "/famille/" if role == "Parent" else "/gestion/"
        assert home.request.path == expected, (login, home.request.path)
    martin = app.test_client()
    martin.post("/login/", data={"username": "claire.martin", "password": accounts[-1][2]})
    page = martin.get("/famille/").get_data(as_text=True)
    assert "Léa" in page and "Hugo" in page
    assert "Gabin" not in page  # the Le Gall family's son

    with app.app_context():
        schools_by_parent = {}
        for _, login, _ in [a for a in accounts if a[0] == "Parent"]:
            guardian = (db.session.query(Guardian).join(User, Guardian.user_id == User.id)
                        .filter(User.username == login).one())
            schools_by_parent[login] = {c.school.name for c in guardian.family.children}
    school_sets = list(schools_by_parent.values())
    assert any(a.isdisjoint(b) for a in school_sets for b in school_sets), schools_by_parent
    assert {"École Théodore Chalmel", "École Sainte-Thérèse"} <= set().union(*school_sets)


def test_demo_town_matches_the_brochure(app):
    run_demo(app)
    with app.app_context():
        year = db.session.query(SchoolYear).filter_by(label="2026-2027").one()
        assert (year.start_date, year.end_date, year.zone) == (
            dt.date(2026, 9, 1), dt.date(2027, 7, 3), "B")
        chalmel = db.session.query(School).filter_by(name="École Théodore Chalmel").one()
        assert chalmel.email == "affaires.scolaires@ville-saint-pere.fr"
        seats = {(c.service.code, c.school.name): c.capacity
                 for c in db.session.query(ServiceCapacity)}
        assert seats[("cantine", "École Théodore Chalmel")] == 180
        assert seats[("cantine", "École Sainte-Thérèse")] == 120
        social = (db.session.query(TariffBracket).filter_by(qf_min=0)
                  .join(TariffBracket.tariff).filter_by(label="Restaurant scolaire 2026-2027")
                  .one())
        assert social.unit_price == Decimal("1.00") and social.unbooked_price > Decimal("1.00")
        # The separated parents: Lucas belongs to two families, each booking its own days.
        lucas = db.session.query(Child).filter_by(first_name="Lucas", last_name="Bernard").one()
        assert len(lucas.families) == 2
        weekdays = {
            fam.name: {b.day.weekday() for b in db.session.query(Booking)
                       .filter_by(child_id=lucas.id, family_id=fam.id)}
            for fam in lucas.families}
        assert all(weekdays.values())
        assert weekdays["Famille Bernard"].isdisjoint(weekdays["Famille Morel"])
        pending = {r.kind for r in db.session.query(Request).filter_by(state=RequestState.pending)}
        assert pending >= {RequestKind.booking, RequestKind.cancellation, RequestKind.data_change,
                           RequestKind.enrolment}
        states = {state for (state,) in db.session.query(Booking.state).distinct()}
        assert states >= {BookingState.booked, BookingState.pending, BookingState.cancellation}
        assert db.session.query(Enrolment).filter_by(state=EnrolmentState.pending).count() >= 1
        assert db.session.query(Alert).count() >= 3


def _assert_town_is_consistent(today: dt.date) -> None:
    # The demo also prepares next year (its dossier campaign): the bookings are this year's.
    year = db.session.query(SchoolYear).filter_by(label="2026-2027").one()
    calendar = OpeningCalendar.for_school_year(year)
    bookings = db.session.query(Booking).all()
    assert bookings
    closed = [b for b in bookings if not calendar.is_open(b.day, b.school_id, b.service_id)]
    assert not closed, f"bookings on closed days: {closed[:3]}"
    assert not [b for b in bookings if b.attendance and b.day >= today]
    seats = Counter((b.service_id, b.school_id, b.day) for b in bookings
                    if b.state in SEAT_HOLDING_STATES)
    capacity = {(c.service_id, c.school_id): c.capacity for c in db.session.query(ServiceCapacity)}
    assert all(n <= capacity[key[:2]] for key, n in seats.items())
    for invoice in db.session.query(Invoice):
        month_end = (invoice.period_start + dt.timedelta(days=32)).replace(day=1)
        assert month_end <= invoice.issued_on <= today
        assert invoice.total == sum(line.amount for line in invoice.lines)
        assert all(line.amount == line.unit_price * line.quantity for line in invoice.lines)
    numbers = sorted(n for (n,) in db.session.query(Invoice.number))
    by_year: dict[str, list[int]] = {}
    for number in numbers:
        _, year_part, seq = number.split("-")
        by_year.setdefault(year_part, []).append(int(seq))
    assert all(seqs == list(range(1, len(seqs) + 1)) for seqs in by_year.values())
    # Some families have no QF valid today: they pay the highest bracket.
    valid = {f for (f,) in db.session.query(QuotientFamilial.family_id).filter(
        QuotientFamilial.valid_from <= today, QuotientFamilial.valid_to >= today)}
    assert 0 < len(valid) < db.session.query(Family).count()


@pytest.mark.parametrize("today", ["2026-09-01", "2026-11-26", "2027-03-01", "2027-08-20"])
def test_demo_data_stays_correct_whatever_the_day(app, today):
    day = dt.date.fromisoformat(today)
    run_demo(app, "--today", today)
    with app.app_context():
        _assert_town_is_consistent(day)
        if day == dt.date(2026, 11, 26):
            months = sorted({i.period_start for i in db.session.query(Invoice)
                             if i.issued_on.year == 2026})
            assert months == [dt.date(2026, 9, 1), dt.date(2026, 10, 1)]
            # The Le Gall family's invoices are announced as SEPA debits, left unpaid.
            debited = db.session.query(Invoice).filter_by(direct_debit=True).all()
            assert debited and {i.family.name for i in debited} == {"Famille Le Gall"}
            assert all(not i.payments for i in debited)
            assert db.session.query(Invoice.number).filter(
                Invoice.number.like("FAC-2026-%")).order_by(Invoice.number).first() == (
                "FAC-2026-000001",)
            this_week = db.session.query(Booking).filter(
                Booking.day.between(dt.date(2026, 11, 23), dt.date(2026, 12, 4))).count()
            assert this_week > 0


def _family_of(login: str) -> Family:
    return (db.session.query(Guardian).join(User, Guardian.user_id == User.id)
            .filter(User.username == login).one().family)


def test_demo_shows_documents_sepa_and_tax_certificate(app):
    run_demo(app, "--today", "2026-11-26")
    with app.app_context(), app.test_request_context():
        martin = _family_of("claire.martin")
        docs = {d.document_type.label: d for d in
                db.session.query(FamilyDocument).filter_by(family_id=martin.id)}
        pending = docs["Certificat médical"]
        assert pending.state == DocumentState.pending and pending.child.first_name == "Hugo"
        to_review = db.session.query(Request).filter_by(document_id=pending.id).one()
        assert to_review.kind == RequestKind.document and to_review.state == RequestState.pending
        accepted = docs["Attestation de quotient familial"]
        assert accepted.state == DocumentState.accepted
        assert accepted.valid_from <= dt.date(2026, 11, 26) <= accepted.valid_until
        # Real PDFs, stored where the documents service serves them from.
        for document in [pending, accepted, *db.session.query(PublishedDocument)]:
            response = file_response(document)
            assert response is not None, document
            response.direct_passthrough = False
            assert response.get_data().startswith(b"%PDF")
            response.close()
        titles = {d.title: d for d in db.session.query(PublishedDocument)}
        assert {"Menus de décembre", "Règlement intérieur de la restauration scolaire",
                "Tarifs 2026-2027"} <= set(titles)
        assert all(d.school_id is None and d.published_on <= dt.date(2026, 11, 26)
                   for d in titles.values())

        legall = _family_of("yann.legall")
        mandate = db.session.query(SepaMandate).filter_by(family_id=legall.id).one()
        assert (mandate.rum, mandate.iban, mandate.bic, mandate.sequence_type) == (
            "SPF-2026-0007", "FR7630006000011234567890189", "AGRIFRPP", "FRST")
        assert mandate.signed_on < dt.date(2026, 9, 1)
        certificate = db.session.query(TaxCertificate).filter_by(family_id=legall.id).one()
        assert certificate.year == 2025 and certificate.total == Decimal("34.80")
        assert certificate.pdf.startswith(b"%PDF") and "Jade" in certificate.details
        check_demo_menus(dt.date(2026, 11, 26))  # issue 14: menus, PAI, caterers
    before = {}
    with app.app_context():
        before = counts()
    run_demo(app, "--today", "2026-11-26")
    with app.app_context():
        assert counts() == before


def test_families_option_grows_the_town_without_duplicates(app):
    run_demo(app, "--families", "6")
    with app.app_context():
        assert db.session.query(Family).count() == 6
        before = {f.account_code: f.name for f in db.session.query(Family)}
    run_demo(app, "--families", "65")
    with app.app_context():
        after = {f.account_code: f.name for f in db.session.query(Family)}
        assert len(after) == 65 and all(after[code] == name for code, name in before.items())
        # Families beyond the brochure's sixty go to an extra school.
        assert db.session.query(School).count() == 3
        logins = [u for (u,) in db.session.query(User.username)]
        assert len(logins) == len(set(logins))
        shared = (db.session.query(family_child.c.child_id)
                  .group_by(family_child.c.child_id).having(func.count() > 1).count())
        assert shared == 1


def test_demo_refuses_to_run_in_production(app):
    app.config["ENV_NAME"] = "production"
    try:
        result = app.test_cli_runner().invoke(args=["portal", "demo"])
    finally:
        app.config["ENV_NAME"] = "development"
    assert result.exit_code != 0
    with app.app_context():
        assert db.session.query(Family).count() == 0


def test_benchmark_city_books_the_whole_year_and_queues_late_requests(app):
    """bench/city.py's options: bookings from the year's first to its last school day, every
    complete month invoiced, and the asked number of late requests waiting for staff."""
    run_demo(app, "--families", "40", "--full-year", "--pending-requests", "12")
    with app.app_context():
        year = db.session.query(SchoolYear).filter(SchoolYear.start_date <= local_today(),
                                                   SchoolYear.end_date >= local_today()).one()
        first, last = db.session.query(func.min(Booking.day), func.max(Booking.day)).one()
        assert (first - year.start_date).days < 7 and (year.end_date - last).days < 7
        months = {p for (p,) in db.session.query(Invoice.period_start).filter(
            Invoice.period_start >= year.start_date)}
        assert min(months) == year.start_date.replace(day=1)
        late = (db.session.query(Request.kind, func.count())
                .filter(Request.state == RequestState.pending,
                        Request.kind.in_([RequestKind.cancellation, RequestKind.booking]))
                .group_by(Request.kind).all())
        # The featured families' own two stories, plus the twelve asked for, of both kinds.
        assert sum(n for _kind, n in late) == 12 + 2 and len(late) == 2
