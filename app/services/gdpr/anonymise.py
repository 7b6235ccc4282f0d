"""Anonymising a family (RGPD art. 17, CNIL: no longer than needed).

Refused while an invoice is unpaid or while the family was active in the last
`idle_days` (60 for staff, 3 years for the retention job). What is erased: names, contact
details, notes, the children's health data and school class, authorised persons, free-text
requests, alerts, mails, documents and messages (rows and files), declared allergens,
the guardians' logins (closed, renamed), FranceConnect links and QF consents,
and the personal values in the audit log. What is kept, for the legal retention of public
accounts: invoices and their lines, credit notes, payments, online transactions, tax
certificates, SEPA lines (the mandate loses its holder's name and most of its IBAN).

Children also in another, active household are left as they are: that household still
needs them. Every change is one Core UPDATE/DELETE (not the ORM), so the audit log does not
copy the erased values; one audit row records the anonymisation itself.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Iterable
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import (
    AccountToken,
    Alert,
    AuditLog,
    AuthorizedPerson,
    Booking,
    Child,
    ChildAllergen,
    Conversation,
    Diet,
    Enrolment,
    Family,
    FamilyDocument,
    FranceConnectLink,
    Guardian,
    Invoice,
    InvoiceState,
    MenuAlert,
    Message,
    MessageAttachment,
    OutgoingMail,
    Payment,
    QfConsent,
    QfFetch,
    QuotientFamilial,
    Request,
    SepaMandate,
    User,
    family_child,
)
from ...models.base import utcnow
from ..calendar import local_today
from ..command import BaseCommand
from ..documents import FAMILY_FOLDER
from ..errors import CommandError, ErrorCollector, transaction
from ..messages.files import FOLDER as MESSAGE_FOLDER
from ..money import InvoiceBalance

STAFF_IDLE_DAYS = 60
ANONYMOUS = "Anonyme"


def _day(value) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else value


def _activity_sources():
    """(family_id, latest date) per source of a family's own activity."""
    login = (select(Guardian.family_id, func.max(User.last_login))
             .join(User, User.id == Guardian.user_id).group_by(Guardian.family_id))
    return [
        select(Family.id, Family.created_at).group_by(Family.id),
        select(Booking.family_id, func.max(Booking.day)).group_by(Booking.family_id),
        select(Request.family_id, func.max(Request.created_at)).group_by(Request.family_id),
        select(Invoice.family_id, func.max(Invoice.issued_on)).group_by(Invoice.family_id),
        select(Payment.family_id, func.max(Payment.received_on)).group_by(Payment.family_id),
        select(FamilyDocument.family_id, func.max(FamilyDocument.uploaded_at))
        .group_by(FamilyDocument.family_id),
        select(Conversation.family_id, func.max(Conversation.last_message_at))
        .group_by(Conversation.family_id),
        login,
    ]


def last_activities(family_ids: Iterable[int] | None = None) -> dict[int, dt.date]:
    """The day of each family's latest activity (booking day, request, invoice, payment,
    document, message, a guardian's login, the family's creation): a few grouped queries."""
    wanted = None if family_ids is None else set(family_ids)
    latest: dict[int, dt.date] = {}
    for query in _activity_sources():
        for family_id, value in db.session.execute(query):
            day = _day(value)
            if day is None or (wanted is not None and family_id not in wanted):
                continue
            if family_id not in latest or day > latest[family_id]:
                latest[family_id] = day
    return latest


def last_activity(family_id: int) -> dt.date | None:
    return last_activities([family_id]).get(family_id)


def unpaid_invoices(family_id: int) -> list[Invoice]:
    invoices = db.session.scalars(
        select(Invoice).where(Invoice.family_id == family_id,
                              Invoice.state != InvoiceState.cancelled)
        .options(selectinload(Invoice.payments), selectinload(Invoice.credit_notes))
        .order_by(Invoice.issued_on))
    return [i for i in invoices if InvoiceBalance.of(i).due > 0]


def anonymisation_problems(family: Family, idle_days: int,
                           today: dt.date | None = None) -> list[str]:
    """Why `family` may not be anonymised today (French sentences; empty: it may)."""
    today = today or local_today()
    problems = []
    if family.anonymised_at is not None:
        problems.append(_("Cette famille est déjà anonymisée."))
    unpaid = unpaid_invoices(family.id)
    if unpaid:
        problems.append(_("Factures impayées : %(numbers)s. Elles doivent être réglées "
                          "(ou annulées par avoir) avant l'anonymisation.",
                          numbers=", ".join(i.number for i in unpaid)))
    last = last_activity(family.id)
    if last is not None and last > today - dt.timedelta(days=idle_days):
        allowed = last + dt.timedelta(days=idle_days + 1)
        problems.append(_("Dernière activité le %(last)s : l'anonymisation est possible à "
                          "partir du %(allowed)s.", last=f"{last:%d/%m/%Y}",
                          allowed=f"{allowed:%d/%m/%Y}"))
    return problems


class AnonymiseFamily(BaseCommand):
    """Erase a family's personal data; `acting_user_id` None for the retention job."""

    def __init__(self, family_id: int, acting_user_id: int | None,
                 idle_days: int = STAFF_IDLE_DAYS, today: dt.date | None = None):
        self.family_id = family_id
        self.acting_user_id = acting_user_id
        self.idle_days = idle_days
        self.today = today or local_today()
        self.family: Family | None = None

    def validate(self) -> None:
        self.family = db.session.get(Family, self.family_id)
        if self.family is None:
            raise CommandError(_("Famille introuvable."))
        errors = ErrorCollector()
        for problem in anonymisation_problems(self.family, self.idle_days, self.today):
            errors.add(problem)
        errors.raise_if_any()

    def run(self) -> Family:
        self.validate()
        family = self.family
        with transaction():
            stored = _erase(family, self.today)
            _record(family, self.acting_user_id)
        _delete_files(stored)
        return family


def _erase(family: Family, today: dt.date) -> list[tuple[str, str]]:
    """Every UPDATE/DELETE of the anonymisation; returns the files to delete (folder, name)."""
    fid = family.id
    _scrub_audit(fid)
    _erase_people(fid)
    _erase_children(fid)
    stored = [(FAMILY_FOLDER, name) for name in db.session.scalars(
        select(FamilyDocument.stored_name).where(FamilyDocument.family_id == fid))]
    stored += _erase_conversations(fid)
    db.session.execute(update(Request).where(Request.family_id == fid).values(
        summary=_("Demande anonymisée"), old_value=None, new_value=None, reason=None,
        document_id=None))
    for statement in (
        delete(FamilyDocument).where(FamilyDocument.family_id == fid),
        delete(Alert).where(Alert.family_id == fid),
        delete(OutgoingMail).where(OutgoingMail.family_id == fid),
        update(Booking).where(Booking.family_id == fid).values(note=None),
        update(Enrolment).where(Enrolment.family_id == fid).values(comment=None),
        update(QuotientFamilial).where(QuotientFamilial.family_id == fid).values(source=None),
    ):
        db.session.execute(statement)
    for mandate in db.session.scalars(select(SepaMandate).where(SepaMandate.family_id == fid)):
        db.session.execute(update(SepaMandate).where(SepaMandate.id == mandate.id).values(
            holder_name=ANONYMOUS, iban=_masked(mandate.iban), active=False,
            revoked_on=mandate.revoked_on or today))
    db.session.execute(update(Family).where(Family.id == fid).values(
        name=_("Famille anonymisée %(code)s", code=family.account_code), address=None,
        postal_code=None, city=None, phone=None, email=None, notes=None, active=False,
        mail_alerts_off=None, anonymised_at=utcnow()))
    return stored


def _erase_conversations(fid: int) -> list[tuple[str, str]]:
    """The family's conversations with the service, their messages and attachments."""
    conversations = select(Conversation.id).where(Conversation.family_id == fid)
    messages = select(Message.id).where(Message.conversation_id.in_(conversations))
    files = [(MESSAGE_FOLDER, name) for name in db.session.scalars(
        select(MessageAttachment.stored_name).where(MessageAttachment.message_id.in_(messages)))]
    db.session.execute(delete(MessageAttachment).where(MessageAttachment.message_id.in_(
        messages)))
    db.session.execute(delete(Message).where(Message.conversation_id.in_(conversations)))
    db.session.execute(delete(Conversation).where(Conversation.family_id == fid))
    return files


def _masked(iban: str) -> str:
    return iban[:4] + "*" * max(len(iban) - 8, 0) + iban[-4:]


def _erase_people(fid: int) -> None:
    user_ids = [u for u in db.session.scalars(
        select(Guardian.user_id).where(Guardian.family_id == fid)) if u is not None]
    db.session.execute(update(Guardian).where(Guardian.family_id == fid).values(
        first_name=ANONYMOUS, last_name=ANONYMOUS, relationship_label=None, email=None,
        phone_mobile=None, phone_work=None))
    for user_id in user_ids:  # the login is closed for good, its name freed
        db.session.execute(update(User).where(User.id == user_id).values(
            username=f"anonyme-{user_id}", email=f"anonyme-{user_id}@anonyme.invalid",
            first_name=ANONYMOUS, last_name=ANONYMOUS, active=False,
            password=f"!anonymise-{secrets.token_hex(16)}"))
    if user_ids:
        db.session.execute(delete(AccountToken).where(AccountToken.user_id.in_(user_ids)))
    guardians = select(Guardian.id).where(Guardian.family_id == fid)
    db.session.execute(delete(FranceConnectLink).where(FranceConnectLink.guardian_id.in_(
        guardians)))
    db.session.execute(delete(QfConsent).where(QfConsent.family_id == fid))
    db.session.execute(update(QfFetch).where(QfFetch.family_id == fid).values(message=None))


def _own_children(fid: int) -> list[int]:
    """Children of this family that no other active, non-anonymised family holds."""
    mine = select(family_child.c.child_id).where(family_child.c.family_id == fid)
    shared = (select(family_child.c.child_id)
              .join(Family, Family.id == family_child.c.family_id)
              .where(family_child.c.family_id != fid, Family.anonymised_at.is_(None)))
    return list(db.session.scalars(mine.where(family_child.c.child_id.not_in(shared))))


def _erase_children(fid: int) -> None:
    for child in db.session.scalars(select(Child).where(Child.id.in_(_own_children(fid)))):
        db.session.execute(update(Child).where(Child.id == child.id).values(
            first_name=_("Enfant"), last_name=ANONYMOUS,
            birth_date=dt.date(child.birth_date.year, 1, 1), class_name=None, allergies=None,
            has_pai=False, pai_details=None, diet=Diet.standard, medical_notes=None,
            photo_consent=False))
        for model in (AuthorizedPerson, ChildAllergen, MenuAlert):
            db.session.execute(delete(model).where(model.child_id == child.id))


def _scrub_audit(fid: int) -> None:
    """Past audit rows of the family's people keep who did what, not the values."""
    owned = {
        "family": [fid],
        "guardian": list(db.session.scalars(select(Guardian.id).where(Guardian.family_id == fid))),
        "child": _own_children(fid),
        "authorized_person": list(db.session.scalars(select(AuthorizedPerson.id).where(
            AuthorizedPerson.child_id.in_(_own_children(fid))))),
        "quotient_familial": list(db.session.scalars(
            select(QuotientFamilial.id).where(QuotientFamilial.family_id == fid))),
        "family_request": list(db.session.scalars(
            select(Request.id).where(Request.family_id == fid))),
        "booking": list(db.session.scalars(select(Booking.id).where(Booking.family_id == fid))),
    }
    for table, ids in owned.items():
        if ids:
            db.session.execute(update(AuditLog).where(
                AuditLog.table_name == table, AuditLog.object_id.in_([str(i) for i in ids])
            ).values(changes=json.dumps({"anonymisé": True})))


def _record(family: Family, user_id: int | None) -> None:
    user = db.session.get(User, user_id) if user_id else None
    db.session.add(AuditLog(
        user_id=user_id, username=user.username if user else "rétention automatique",
        action="anonymise", table_name="family", object_id=str(family.id),
        changes=json.dumps({"account_code": family.account_code}, ensure_ascii=False)))


def _delete_files(stored: list[tuple[str, str]]) -> None:
    root = Path(current_app.config["PORTAL_UPLOAD_DIR"])
    for folder, name in stored:
        (root / folder / name).unlink(missing_ok=True)
