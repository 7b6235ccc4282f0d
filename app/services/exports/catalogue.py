"""The exports a service asks for, beyond a list's visible columns: families with their
address, phones, e-mails and every guardian; children with class, diet, allergies and PAI;
enrolments; bookings (with attendance); invoices and unpaid balances (paid, credited, due);
payments. Each reads the staff list's filtered query (see `specs.ExportSpec`)."""

from __future__ import annotations

from collections import defaultdict

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased

from ...extensions import db
from ...models import (
    Attendance,
    Booking,
    BookingState,
    Child,
    CreditNote,
    Diet,
    Enrolment,
    EnrolmentState,
    Family,
    Guardian,
    Invoice,
    InvoiceState,
    Payment,
    PaymentMethod,
    School,
    SchoolYear,
    Service,
    family_child,
)
from ..money import total
from .specs import ExportSpec, Extra
from .writers import Column, Kind

_GUARDIAN_SLOTS = 2


def _guardian_columns() -> list[Column]:
    columns = []
    for n in range(1, _GUARDIAN_SLOTS + 1):
        columns += [
            Column(_l("Responsable %(n)d", n=n)),
            Column(_l("Lien (responsable %(n)d)", n=n)),
            Column(_l("Courriel (responsable %(n)d)", n=n)),
            Column(_l("Portable (responsable %(n)d)", n=n)),
            Column(_l("Tél. travail (responsable %(n)d)", n=n)),
        ]
    return columns + [Column(_l("Autres responsables"))]


def _guardians(family_ids: list[int]) -> dict[int, tuple]:
    found: dict[int, list] = defaultdict(list)
    for row in db.session.execute(
        select(Guardian.family_id, Guardian.last_name, Guardian.first_name,
               Guardian.relationship_label, Guardian.email, Guardian.phone_mobile,
               Guardian.phone_work)
        .where(Guardian.family_id.in_(family_ids)).order_by(Guardian.family_id, Guardian.id)
    ):
        found[row[0]].append(row[1:])
    result = {}
    for family_id, guardians in found.items():
        values: list = []
        for slot in range(_GUARDIAN_SLOTS):
            if slot < len(guardians):
                last, first, link, email, mobile, work = guardians[slot]
                values += [f"{last} {first}", link, email, mobile, work]
            else:
                values += [None] * 5
        others = [f"{g[0]} {g[1]} ({', '.join(v for v in g[2:] if v)})"
                  for g in guardians[_GUARDIAN_SLOTS:]]
        values.append("; ".join(others) or None)
        result[family_id] = tuple(values)
    return result


FAMILIES = ExportSpec(
    name="familles", title=_l("Familles"), model=Family,
    fields=[
        (Column(_l("N° de compte")), Family.account_code),
        (Column(_l("Nom du foyer")), Family.name),
        (Column(_l("Adresse")), Family.address),
        (Column(_l("Code postal")), Family.postal_code),
        (Column(_l("Commune")), Family.city),
        (Column(_l("Téléphone")), Family.phone),
        (Column(_l("Courriel")), Family.email),
        (Column(_l("Compte actif"), Kind.boolean), Family.active),
    ],
    extra=Extra(_guardian_columns(), _guardians),
    order=(Family.name, Family.id),
)


def _families_of_children(child_ids: list[int]) -> dict[int, tuple]:
    found: dict[int, list[str]] = defaultdict(list)
    for child_id, code, name in db.session.execute(
        select(family_child.c.child_id, Family.account_code, Family.name)
        .join(Family, Family.id == family_child.c.family_id)
        .where(family_child.c.child_id.in_(child_ids))
        .order_by(family_child.c.child_id, Family.name)
    ):
        found[child_id].append(f"{name} ({code})")
    return {child_id: (", ".join(names),) for child_id, names in found.items()}


_child_school = aliased(School)
CHILDREN = ExportSpec(
    name="enfants", title=_l("Enfants"), model=Child,
    fields=[
        (Column(_l("Nom")), Child.last_name),
        (Column(_l("Prénom")), Child.first_name),
        (Column(_l("Date de naissance"), Kind.date), Child.birth_date),
        (Column(_l("École")), _child_school.name),
        (Column(_l("Classe")), Child.class_name),
        (Column(_l("Régime"), labels=Diet.LABELS), Child.diet),
        (Column(_l("Allergies")), Child.allergies),
        (Column(_l("PAI"), Kind.boolean), Child.has_pai),
        (Column(_l("Détails du PAI")), Child.pai_details),
    ],
    joins=((_child_school, _child_school.id == Child.school_id),),
    extra=Extra([Column(_l("Famille(s)"))], _families_of_children),
    order=(Child.last_name, Child.first_name, Child.id),
)

_e_child, _e_school = aliased(Child), aliased(School)
_e_service, _e_year, _e_family = aliased(Service), aliased(SchoolYear), aliased(Family)
ENROLMENTS = ExportSpec(
    name="inscriptions", title=_l("Inscriptions"), model=Enrolment,
    fields=[
        (Column(_l("Nom")), _e_child.last_name),
        (Column(_l("Prénom")), _e_child.first_name),
        (Column(_l("Date de naissance"), Kind.date), _e_child.birth_date),
        (Column(_l("Classe")), _e_child.class_name),
        (Column(_l("École")), _e_school.name),
        (Column(_l("Service")), _e_service.name),
        (Column(_l("Année scolaire")), _e_year.label),
        (Column(_l("N° de compte")), _e_family.account_code),
        (Column(_l("Famille")), _e_family.name),
        (Column(_l("État"), labels=EnrolmentState.LABELS), Enrolment.state),
        (Column(_l("Début"), Kind.date), Enrolment.start_date),
        (Column(_l("Fin"), Kind.date), Enrolment.end_date),
    ],
    joins=((_e_child, _e_child.id == Enrolment.child_id),
           (_e_school, _e_school.id == Enrolment.school_id),
           (_e_service, _e_service.id == Enrolment.service_id),
           (_e_year, _e_year.id == Enrolment.school_year_id),
           (_e_family, _e_family.id == Enrolment.family_id)),
)

_b_child, _b_school = aliased(Child), aliased(School)
_b_service, _b_family = aliased(Service), aliased(Family)
BOOKINGS = ExportSpec(
    name="reservations", title=_l("Réservations"), model=Booking,
    fields=[
        (Column(_l("Jour"), Kind.date), Booking.day),
        (Column(_l("Nom")), _b_child.last_name),
        (Column(_l("Prénom")), _b_child.first_name),
        (Column(_l("Classe")), _b_child.class_name),
        (Column(_l("École")), _b_school.name),
        (Column(_l("Service")), _b_service.name),
        (Column(_l("N° de compte")), _b_family.account_code),
        (Column(_l("Famille")), _b_family.name),
        (Column(_l("État"), labels=BookingState.LABELS), Booking.state),
        (Column(_l("Présence"), labels=Attendance.LABELS), Booking.attendance),
        (Column(_l("Pointé le"), Kind.datetime), Booking.attendance_recorded_at),
    ],
    joins=((_b_child, _b_child.id == Booking.child_id),
           (_b_school, _b_school.id == Booking.school_id),
           (_b_service, _b_service.id == Booking.service_id),
           (_b_family, _b_family.id == Booking.family_id)),
)


def _balances(invoice_ids: list[int]) -> dict[int, tuple]:
    """Credited, paid and still due per invoice (Decimal sums in Python)."""
    credited: dict[int, list] = defaultdict(list)
    paid: dict[int, list] = defaultdict(list)
    for target, model in ((credited, CreditNote), (paid, Payment)):
        for invoice_id, amount in db.session.execute(
                select(model.invoice_id, model.amount).where(model.invoice_id.in_(invoice_ids))):
            target[invoice_id].append(amount)
    totals = dict(db.session.execute(
        select(Invoice.id, Invoice.total).where(Invoice.id.in_(invoice_ids))).all())
    result = {}
    for invoice_id, invoiced in totals.items():
        c, p = total(credited[invoice_id]), total(paid[invoice_id])
        result[invoice_id] = (c, p, total([invoiced]) - c - p)
    return result


_BALANCE_COLUMNS = [Column(_l("Avoirs"), Kind.money), Column(_l("Payé"), Kind.money),
                    Column(_l("Reste dû"), Kind.money)]
_i_family = aliased(Family)
_INVOICE_FIELDS = [
    (Column(_l("Numéro")), Invoice.number),
    (Column(_l("N° de compte")), _i_family.account_code),
    (Column(_l("Famille")), _i_family.name),
    (Column(_l("Mois facturé"), Kind.month), Invoice.period_start),
    (Column(_l("Émise le"), Kind.date), Invoice.issued_on),
    (Column(_l("Échéance"), Kind.date), Invoice.due_on),
    (Column(_l("Total"), Kind.money), Invoice.total),
    (Column(_l("État"), labels=InvoiceState.LABELS), Invoice.state),
    (Column(_l("Prélèvement"), Kind.boolean), Invoice.direct_debit),
]
INVOICES = ExportSpec(
    name="factures", title=_l("Factures"), model=Invoice, fields=_INVOICE_FIELDS,
    joins=((_i_family, _i_family.id == Invoice.family_id),),
    extra=Extra(_BALANCE_COLUMNS, _balances),
)
UNPAID = ExportSpec(
    name="impayes", title=_l("Impayés"), model=Invoice,
    fields=[*_INVOICE_FIELDS,
            (Column(_l("Téléphone")), _i_family.phone),
            (Column(_l("Courriel")), _i_family.email)],
    joins=((_i_family, _i_family.id == Invoice.family_id),),
    extra=Extra(_BALANCE_COLUMNS, _balances),
)

_p_family, _p_invoice = aliased(Family), aliased(Invoice)
PAYMENTS = ExportSpec(
    name="reglements", title=_l("Règlements"), model=Payment,
    fields=[
        (Column(_l("Reçu le"), Kind.date), Payment.received_on),
        (Column(_l("N° de compte")), _p_family.account_code),
        (Column(_l("Famille")), _p_family.name),
        (Column(_l("Facture")), _p_invoice.number),
        (Column(_l("Montant"), Kind.money), Payment.amount),
        (Column(_l("Mode de règlement"), labels=PaymentMethod.LABELS), Payment.method),
        (Column(_l("Référence")), Payment.reference),
        (Column(_l("Commentaire")), Payment.comment),
    ],
    joins=((_p_family, _p_family.id == Payment.family_id),
           (_p_invoice, _p_invoice.id == Payment.invoice_id)),
)


def kitchen_table(count) -> tuple[list[Column], list[tuple]]:
    """The kitchen count (app.services.kitchen.KitchenCount) as rows: one per day and
    school, meals, PAI and one column per diet; a closed day says why."""
    diets = list(count.diet_labels)
    columns = [Column(_l("Jour"), Kind.date), Column(_l("École")),
               Column(_l("Repas"), Kind.integer), Column(_l("Dont PAI"), Kind.integer),
               *(Column(count.diet_labels[d], Kind.integer) for d in diets),
               Column(_l("Fermé"))]
    rows = []
    for day in count.days:
        for school in count.schools:
            cell = count.cell(school, day)
            rows.append((day, school.name, cell.meals, cell.pai,
                         *(cell.diets.get(d, 0) for d in diets), cell.closed))
    return columns, rows
