"""Inscription: a family asks to enrol a child in a service for a school year, to change
or to cancel an enrolment; staff decide in the request queue (decide.py)."""

from __future__ import annotations

import json

from flask_babel import gettext as _

from ...extensions import db
from ...models import (
    Enrolment,
    EnrolmentState,
    Request,
    RequestKind,
    RequestState,
    SchoolYear,
    Service,
    ServiceCapacity,
)
from ..calendar import local_today
from ..command import BaseCommand
from ..dossier.rules import check_dossier_for_enrolment
from ..errors import CommandError
from .lookup import child_of_family, parse_day


def _request(
    enrolment: Enrolment, kind: str, summary: str, actor: int | None, new_value: dict | None = None
) -> Request:
    request = Request(
        family_id=enrolment.family_id,
        child_id=enrolment.child_id,
        kind=kind,
        summary=summary,
        enrolment=enrolment,
        created_by_id=actor,
        new_value=json.dumps(new_value, ensure_ascii=False) if new_value else None,
    )
    db.session.add(request)
    return request


def _pending_request(enrolment: Enrolment) -> Request | None:
    return (
        db.session.query(Request)
        .filter_by(enrolment_id=enrolment.id, state=RequestState.pending)
        .first()
    )


class RequestEnrolment(BaseCommand):
    def __init__(
        self,
        family_id: int,
        child_id,
        service_id,
        school_year_id,
        comment: str | None = None,
        actor_user_id: int | None = None,
    ):
        self.family_id, self.raw = family_id, (child_id, service_id, school_year_id)
        self.comment, self.actor = (comment or "").strip()[:500] or None, actor_user_id

    def validate(self) -> None:
        child_id, service_id, year_id = self.raw
        errors = []
        self.child = child_of_family(self.family_id, child_id)
        if self.child is None:
            errors.append(_("Enfant inconnu."))
        self.service = _get(Service, service_id)
        if self.service is None or not self.service.active:
            errors.append(_("Service inconnu."))
        self.year = _get(SchoolYear, year_id)
        if self.year is None:
            errors.append(_("Année scolaire inconnue."))
        if errors:
            raise CommandError(errors)
        offered = (
            db.session.query(ServiceCapacity)
            .filter_by(service_id=self.service.id, school_id=self.child.school_id)
            .first()
        )
        if offered is None:
            errors.append(_("Ce service n'est pas proposé dans l'école de l'enfant."))
        existing = (
            db.session.query(Enrolment)
            .filter_by(
                family_id=self.family_id,
                child_id=self.child.id,
                service_id=self.service.id,
                school_year_id=self.year.id,
            )
            .first()
        )
        if existing is not None and existing.state in (
            EnrolmentState.pending,
            EnrolmentState.validated,
        ):
            errors.append(_("Une inscription existe déjà pour cet enfant et ce service."))
        self.existing = existing
        try:  # the yearly file may have to be complete first (the town's setting)
            check_dossier_for_enrolment(self.family_id, self.year.id, local_today())
        except CommandError as incomplete:
            errors.extend(incomplete.messages)
        if errors:
            raise CommandError(errors)

    def run(self) -> Enrolment:
        self.validate()
        enrolment = self.existing or Enrolment(
            family_id=self.family_id,
            child_id=self.child.id,
            service_id=self.service.id,
            school_id=self.child.school_id,
            school_year_id=self.year.id,
        )
        enrolment.state, enrolment.comment = EnrolmentState.pending, self.comment
        db.session.add(enrolment)
        db.session.flush()
        _request(
            enrolment,
            RequestKind.enrolment,
            _(
                "Inscription de %(child)s au service « %(service)s » (%(year)s)",
                child=self.child.first_name,
                service=self.service.name,
                year=self.year.label,
            ),
            self.actor,
        )
        db.session.commit()
        return enrolment


class RequestEnrolmentChange(BaseCommand):
    """Ask to change (dates, comment) or to cancel (`cancel=True`) a validated enrolment."""

    def __init__(
        self,
        family_id: int,
        enrolment_id,
        cancel: bool = False,
        start_date=None,
        end_date=None,
        comment: str | None = None,
        actor_user_id: int | None = None,
    ):
        self.family_id, self.enrolment_id, self.cancel = family_id, enrolment_id, cancel
        self.raw_dates, self.comment = (start_date, end_date), comment
        self.actor = actor_user_id

    def validate(self) -> None:
        enrolment = _get(Enrolment, self.enrolment_id)
        if enrolment is None or enrolment.family_id != self.family_id:
            raise CommandError(_("Inscription inconnue."))
        errors = []
        if enrolment.state != EnrolmentState.validated:
            errors.append(_("Seule une inscription validée peut être modifiée ou annulée."))
        if _pending_request(enrolment) is not None:
            errors.append(_("Une demande est déjà en cours pour cette inscription."))
        self.change: dict = {}
        for name, raw in zip(("start_date", "end_date"), self.raw_dates, strict=True):
            if raw:
                day = parse_day(raw)
                if day is None:
                    errors.append(_("Date invalide : utilisez le format AAAA-MM-JJ."))
                else:
                    self.change[name] = day.isoformat()
        if self.comment is not None:
            self.change["comment"] = self.comment.strip()[:500]
        if not self.cancel and not self.change:
            errors.append(_("Indiquez ce qui change."))
        self.enrolment = enrolment
        if errors:
            raise CommandError(errors)

    def run(self) -> Request:
        self.validate()
        e = self.enrolment
        label = f"{e.child.first_name} — {e.service.name} ({e.school_year.label})"
        if self.cancel:
            request = _request(
                e,
                RequestKind.enrolment_cancel,
                _("Annulation de l'inscription : %(label)s", label=label),
                self.actor,
            )
        else:
            request = _request(
                e,
                RequestKind.enrolment_change,
                _("Modification de l'inscription : %(label)s", label=label),
                self.actor,
                new_value=self.change,
            )
        db.session.commit()
        return request


def _get(model, raw_id):
    try:
        return db.session.get(model, int(raw_id))
    except (TypeError, ValueError):
        return None
