"""The demo town's reference data: schools, services, school year, closures, tariffs,
document types, news and staff accounts. Every row is found by its natural key first,
so running the demo again creates nothing twice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from flask import current_app

from ..extensions import db
from ..models import (
    Closure,
    DeadlineKind,
    DocumentType,
    News,
    School,
    SchoolSector,
    SchoolYear,
    Service,
    ServiceCapacity,
    ServiceKind,
    Tariff,
    TariffBracket,
)
from ..services.calendar import OpeningCalendar
from .people import CANTEEN, CARE_EVENING, CARE_MORNING, CHALMEL, POSTAL_CODE, SAINTE_THERESE, TOWN

YEAR_LABEL, YEAR_START, YEAR_END = "2026-2027", dt.date(2026, 9, 1), dt.date(2027, 7, 3)

# The brochure's contacts (service des affaires scolaires).
SERVICE_PHONE, SERVICE_EMAIL = "02 99 58 81 17", "affaires.scolaires@ville-saint-pere.fr"
CONTACTS = (
    "Responsable des affaires scolaires : Valérie FESTOCQ, tél. 02.99.58.81.17, "
    "affaires.scolaires@ville-saint-pere.fr.\n"
    "Facturation et portail famille : Cécile CLERIVET, tél. 02.99.58.81.06, "
    "cecile.clerivet@ville-saint-pere.fr."
)

SCHOOLS = {
    CHALMEL: ("École Théodore Chalmel", SchoolSector.public),
    SAINTE_THERESE: ("École Sainte-Thérèse", SchoolSector.private),
}
EXTRA_SCHOOL_NAMES = ("Jules Ferry", "Jean Jaurès", "Victor Hugo", "Louise Michel",
                      "Jacques Prévert", "Marie Curie", "Paul Bert", "Condorcet", "Pasteur",
                      "Anatole France", "Jean Moulin", "Simone Veil", "Pierre Loti",
                      "Anne Frank", "Albert Camus", "Robert Desnos", "Jean de La Fontaine",
                      "Surcouf", "Duguay-Trouin", "Chateaubriand")
# code: (name, kind, booking deadline in working days, description)
SERVICES = {
    CANTEEN: ("Restaurant scolaire", ServiceKind.canteen, 2,
              "Repas du midi, de 11h45 à 13h30. Réservation au plus tard deux jours ouvrés "
              "avant, à 10h00."),
    CARE_MORNING: ("Accueil périscolaire du matin", ServiceKind.care_morning, 1,
                   "De 7h30 à 8h35. Réservation au plus tard la veille (jour ouvré) à 10h00."),
    CARE_EVENING: ("Accueil périscolaire du soir", ServiceKind.care_evening, 1,
                   "De 16h30 à 18h45, goûter compris. Réservation au plus tard la veille "
                   "(jour ouvré) à 10h00."),
}
CAPACITIES = {  # seats per day: canteen, morning care, evening care
    CHALMEL: (180, 40, 40),
    SAINTE_THERESE: (120, 30, 30),
    "extra": (200, 60, 60),
}
# service → (qf_min, qf_max, price, price without booking); QF 0–450 is the "cantine à 1 €".
TARIFFS = {
    CANTEEN: ((0, 450, "1.00", "1.50"), (451, 800, "2.90", "4.40"),
              (801, 1200, "3.60", "5.10"), (1201, None, "4.15", "5.65")),
    CARE_MORNING: ((0, 450, "0.80", "1.30"), (451, 800, "1.20", "1.70"),
                   (801, 1200, "1.50", "2.00"), (1201, None, "1.80", "2.30")),
    CARE_EVENING: ((0, 450, "1.20", "1.70"), (451, 800, "1.90", "2.40"),
                   (801, 1200, "2.40", "2.90"), (1201, None, "2.90", "3.40")),
}
DOCUMENT_TYPES = (  # code, label, validity in months, required
    ("attestation_qf", "Attestation de quotient familial", 12, True),
    ("rib", "RIB", None, False),
    ("assurance", "Attestation d'assurance", 12, True),
    ("certificat_medical", "Certificat médical", None, False),
    ("fiche_sanitaire", "Fiche sanitaire", 12, True),
)
# (reason, school key or None, first day, last day)
CLOSURES = (
    ("Journée pédagogique", SAINTE_THERESE, dt.date(2026, 12, 4), dt.date(2026, 12, 4)),
    ("Journée pédagogique", CHALMEL, dt.date(2027, 3, 19), dt.date(2027, 3, 19)),
)


@dataclass
class Town:
    year: SchoolYear
    schools: dict[str, School]
    services: dict[str, Service]
    capacities: dict[tuple[int, int], int]  # (service id, school id) → seats
    calendar: OpeningCalendar
    brackets: dict[int, list[TariffBracket]]  # service id → brackets by qf_min
    staff: dict[str, object] = field(default_factory=dict)


def _get_or_add(model, defaults: dict | None = None, **key):
    row = db.session.query(model).filter_by(**key).first()
    if row is None:
        row = model(**key, **(defaults or {}))
        db.session.add(row)
    return row


def _school_year() -> SchoolYear:
    return _get_or_add(SchoolYear, {"start_date": YEAR_START, "end_date": YEAR_END,
                                    "zone": current_app.config.get("PORTAL_SCHOOL_ZONE", "B"),
                                    "closed_weekdays": "256"}, label=YEAR_LABEL)


def _schools(extra: int) -> dict[str, School]:
    contact = {"postal_code": POSTAL_CODE, "city": TOWN, "phone": SERVICE_PHONE,
               "email": SERVICE_EMAIL}
    schools = {key: _get_or_add(School, {"sector": sector, **contact}, name=name)
               for key, (name, sector) in SCHOOLS.items()}
    for n in range(1, extra + 1):
        round_, position = divmod(n - 1, len(EXTRA_SCHOOL_NAMES))
        base = EXTRA_SCHOOL_NAMES[position]
        suffix = f" {round_ + 1}" if round_ else ""
        schools[f"ecole-{n}"] = _get_or_add(
            School, {"sector": SchoolSector.public, **contact}, name=f"École {base}{suffix}")
    return schools


def _services() -> dict[str, Service]:
    services = {}
    for code, (name, kind, days, description) in SERVICES.items():
        services[code] = _get_or_add(Service, {
            "name": name, "kind": kind, "is_childcare": kind != ServiceKind.canteen,
            "booking_deadline_kind": DeadlineKind.working_days_before,
            "booking_deadline_value": days, "booking_deadline_time": dt.time(10, 0),
            "cancel_deadline_kind": DeadlineKind.working_days_before,
            "cancel_deadline_value": days, "cancel_deadline_time": dt.time(10, 0),
            "description": description,
        }, code=code)
    return services


def _capacities(schools: dict[str, School], services: dict[str, Service]):
    seats = {}
    for key, school in schools.items():
        per_service = CAPACITIES.get(key, CAPACITIES["extra"])
        for code, capacity in zip(SERVICES, per_service, strict=True):
            row = _get_or_add(ServiceCapacity, {"capacity": capacity},
                              service_id=services[code].id, school_id=school.id)
            seats[(row.service_id, row.school_id)] = row.capacity
    return seats


def _tariffs(year: SchoolYear, services: dict[str, Service]) -> dict[int, list[TariffBracket]]:
    result = {}
    for code, brackets in TARIFFS.items():
        service = services[code]
        tariff = _get_or_add(Tariff, {"label": f"{service.name} {year.label}"},
                             service_id=service.id, school_year_id=year.id)
        if not tariff.brackets:
            tariff.brackets = [
                TariffBracket(qf_min=lo, qf_max=hi, unit_price=Decimal(price),
                              unbooked_price=Decimal(unbooked))
                for lo, hi, price, unbooked in brackets
            ]
        result[service.id] = sorted(tariff.brackets, key=lambda b: b.qf_min)
    return result


def _calendar(year: SchoolYear, schools: dict[str, School]) -> OpeningCalendar:
    for reason, key, start, end in CLOSURES:
        _get_or_add(Closure, {"end_date": end}, reason=reason, start_date=start,
                    school_id=schools[key].id if key else None)
    db.session.flush()
    return OpeningCalendar.for_school_year(year)


def _document_types() -> None:
    for code, label, months, required in DOCUMENT_TYPES:
        _get_or_add(DocumentType, {"label": label, "validity_months": months,
                                   "required": required}, code=code)


def _news(schools: dict[str, School], anchor: dt.date, author_id: int | None) -> None:
    items = (
        ("Bienvenue sur le portail famille", None, YEAR_START,
         "Réservez le restaurant scolaire et l'accueil périscolaire, suivez vos demandes, "
         "consultez et payez vos factures en ligne.\n\nVos contacts :\n" + CONTACTS),
        ("Tarifs 2026-2027 : la cantine à 1 €", None, YEAR_START,
         "Les familles dont le quotient familial est inférieur ou égal à 450 paient le repas "
         "1,00 €. Pensez à transmettre votre attestation de quotient familial CAF dans "
         "« Mes documents » : sans attestation valide, le tarif le plus élevé s'applique."),
        ("Journée pédagogique à l'école Sainte-Thérèse", SAINTE_THERESE,
         max(YEAR_START, anchor - dt.timedelta(days=3)),
         "Le vendredi 4 décembre 2026, pas de classe à l'école Sainte-Thérèse : le "
         "restaurant scolaire et l'accueil périscolaire sont fermés ce jour-là."),
    )
    for title, school_key, published, body in items:
        _get_or_add(News, {"body": body, "published_on": published, "created_by_id": author_id,
                           "school_id": schools[school_key].id if school_key else None},
                    title=title)


def build_reference(extra_schools: int, anchor: dt.date) -> Town:
    year = _school_year()
    schools = _schools(extra_schools)
    services = _services()
    db.session.flush()
    town = Town(year, schools, services, _capacities(schools, services),
                _calendar(year, schools), _tariffs(year, services))
    _document_types()
    return town


def add_news(town: Town, anchor: dt.date, author_id: int | None) -> None:
    _news(town.schools, anchor, author_id)
