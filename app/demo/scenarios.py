"""The stories a visitor meets in the demo: pending requests (late booking, cancellation,
data change, enrolment), decided ones with their alerts, an expired quotient familial."""

from __future__ import annotations

import datetime as dt
import json

from flask_babel import format_date

from ..extensions import db
from ..models import (
    Alert,
    Booking,
    BookingState,
    Enrolment,
    EnrolmentState,
    Request,
    RequestKind,
    RequestState,
)
from ..models.base import utcnow
from ..security.roles import MANAGER
from ..services.calendar import local_today
from .days import Period, week_monday
from .families import Built
from .people import CANTEEN, CARE_EVENING, CARE_MORNING
from .town import Town


class Stories:
    """Each method writes one story for a family, if the calendar leaves room for it."""

    def __init__(self, town: Town, period: Period, staff: dict[str, object]):
        self.town, self.period = town, period
        manager = staff.get(MANAGER)
        self.decider_id = manager.id if manager is not None else None
        # Pending requests were sent a moment ago (or mid-morning of a simulated day).
        self.just_now = (utcnow() - dt.timedelta(minutes=10)
                         if period.today == local_today()
                         else dt.datetime.combine(period.today, dt.time(10, 30)))

    # -- helpers ------------------------------------------------------------------------
    def _days(self, child, code: str, future: bool) -> list[dt.date]:
        service = self.town.services[code]
        if future:
            start, end = self.period.today + dt.timedelta(days=1), self.period.end
        else:
            start, end = self.period.start, self.period.today - dt.timedelta(days=1)
        return self.town.calendar.open_days(start, end, child.school_id, service.id)

    def _booking(self, item: Built, child, code: str, day: dt.date) -> Booking | None:
        return db.session.query(Booking).filter_by(
            family_id=item.family.id, child_id=child.id,
            service_id=self.town.services[code].id, day=day).first()

    def _request(self, item: Built, child, kind: str, summary: str, *, state=RequestState.pending,
                 at: dt.datetime | None = None, **extra) -> Request:
        at = at or self.just_now
        row = Request(family=item.family, child=child, kind=kind, state=state, summary=summary,
                      created_by_id=item.users[0].id, created_at=at, **extra)
        if state != RequestState.pending:
            row.decided_by_id = self.decider_id
            row.decided_at = at + dt.timedelta(hours=15)
        db.session.add(row)
        return row

    def alert(self, item: Built, title: str, message: str, request: Request | None = None,
               read: bool = False) -> None:
        at = (request.decided_at if request is not None and request.decided_at
              else self.just_now)
        db.session.add(Alert(family=item.family, request=request, title=title, message=message,
                             created_at=at, read_at=at + dt.timedelta(hours=3) if read else None,
                             mailed=True))

    @staticmethod
    def _label(child, code: str, day: dt.date, town: Town) -> str:
        return (f"{child.first_name} {child.last_name} — {town.services[code].name} — "
                f"{format_date(day, 'EEEE dd/MM/yyyy')}")

    # -- stories ------------------------------------------------------------------------
    def late_booking(self, item: Built, child, code: str, plan_days: tuple[int, ...]) -> bool:
        days = [d for d in self._days(child, code, True) if d.weekday() not in plan_days]
        if not days or self._booking(item, child, code, days[0]):
            return False
        booking = Booking(family=item.family, child=child, service=self.town.services[code],
                          school_id=child.school_id, day=days[0], state=BookingState.pending,
                          requested_at=self.just_now)
        db.session.add(booking)
        self._request(item, child, RequestKind.booking,
                      "Réservation hors délai : " + self._label(child, code, days[0], self.town),
                      booking=booking)
        return True

    def late_cancellation(self, item: Built, child, code: str) -> bool:
        for day in self._days(child, code, True)[:2]:
            booking = self._booking(item, child, code, day)
            if booking is None or booking.state != BookingState.booked:
                continue
            booking.state = BookingState.cancellation
            self._request(item, child, RequestKind.cancellation,
                          "Annulation hors délai : " + self._label(child, code, day, self.town),
                          booking=booking, old_value=json.dumps({"state": "booked"}),
                          new_value=json.dumps({"state": "cancelled"}))
            return True
        return False

    def data_change(self, item: Built, summary: str, old: dict, new: dict) -> None:
        self._request(item, None, RequestKind.data_change, summary,
                      old_value=json.dumps(old, ensure_ascii=False),
                      new_value=json.dumps(new, ensure_ascii=False))

    def pending_enrolment(self, item: Built, child, code: str) -> None:
        start = max(week_monday(self.period.anchor) + dt.timedelta(days=7),
                    self.town.year.start_date)
        enrolment = Enrolment(family=item.family, child=child, service=self.town.services[code],
                              school=child.school, school_year=self.town.year,
                              state=EnrolmentState.pending, start_date=start,
                              end_date=self.town.year.end_date,
                              comment="Reprise du travail à temps plein")
        db.session.add(enrolment)
        self._request(item, child, RequestKind.enrolment,
                      f"Inscription de {child.first_name} : {self.town.services[code].name}",
                      enrolment=enrolment)

    def past_cancellation_accepted(self, item: Built, child, code: str) -> None:
        days = self._days(child, code, False)
        booking = next((b for d in reversed(days[-8:])
                        if (b := self._booking(item, child, code, d)) is not None), None)
        if booking is None:
            return
        booking.state = BookingState.cancelled
        booking.attendance = booking.attendance_recorded_by = booking.attendance_recorded_at = None
        at = dt.datetime.combine(booking.day - dt.timedelta(days=1), dt.time(7, 50))
        label = self._label(child, code, booking.day, self.town)
        request = self._request(item, child, RequestKind.cancellation,
                                "Annulation hors délai : " + label, booking=booking,
                                state=RequestState.validated, at=at)
        self.alert(item, "Demande d'annulation acceptée",
                    f"Annulation acceptée sur présentation d'un certificat médical : {label}.",
                    request, read=True)

    def past_booking_refused(self, item: Built, child, code: str,
                             plan_days: tuple[int, ...]) -> None:
        days = [d for d in self._days(child, code, False)[-10:] if d.weekday() not in plan_days]
        if not days or self._booking(item, child, code, days[-1]):
            return
        day = days[-1]
        booking = Booking(family=item.family, child=child, service=self.town.services[code],
                          school_id=child.school_id, day=day, state=BookingState.refused,
                          requested_at=dt.datetime.combine(day, dt.time(8, 40)))
        db.session.add(booking)
        label = self._label(child, code, day, self.town)
        request = self._request(
            item, child, RequestKind.booking, "Réservation hors délai : " + label,
            booking=booking, state=RequestState.refused,
            at=dt.datetime.combine(day, dt.time(8, 40)) - dt.timedelta(hours=15),
            reason="Demande reçue le jour même : l'équipe d'animation était déjà constituée.")
        self.alert(item, "Demande de réservation refusée",
                    f"{label} : demande reçue le jour même, l'équipe d'animation était déjà "
                    "constituée. Pensez à réserver la veille avant 10h00.", request)

    def enrolment_validated(self, item: Built, child, code: str) -> None:
        enrolment = db.session.query(Enrolment).filter_by(
            family_id=item.family.id, child_id=child.id,
            service_id=self.town.services[code].id).first()
        at = dt.datetime.combine(self.town.year.start_date - dt.timedelta(days=20), dt.time(9))
        request = self._request(item, child, RequestKind.enrolment,
                                f"Inscription de {child.first_name} : "
                                f"{self.town.services[code].name}",
                                enrolment=enrolment, state=RequestState.validated, at=at)
        service = self.town.services[code].name.lower()
        self.alert(item, "Inscription validée",
                    f"L'inscription de {child.first_name} à l'{service} est validée pour "
                    f"l'année {self.town.year.label}.", request)


def _health_change(stories: Stories, item: Built, child) -> None:
    """A diet and allergy change waiting in the queue (shown as a labelled French diff)."""
    child.diet, child.allergies = "standard", "Arachide"
    db.session.flush()
    stories.data_change(item, f"Santé et alimentation de {child.first_name}",
                        {"target": "child", "id": child.id,
                         "fields": {"diet": "standard", "allergies": "Arachide"}},
                        {"target": "child", "id": child.id,
                         "fields": {"diet": "no_pork", "allergies": "Arachide, fruits à coque"}})


def tell_stories(built: list[Built], town: Town, period: Period, staff: dict,
                 pending: int = 3) -> None:
    stories = Stories(town, period, staff)
    by_index = {item.spec.index: item for item in built}
    if martin := by_index.get(1):
        lea, hugo = martin.children["martin-lea"], martin.children["martin-hugo"]
        stories.late_booking(martin, hugo, CARE_MORNING, (0, 1))
        stories.late_cancellation(martin, lea, CANTEEN)
        stories.data_change(martin, "Changement de numéro de portable (Claire Martin)",
                            {"phone_mobile": "06 39 98 12 34"}, {"phone_mobile": "06 39 98 99 01"})
        stories.pending_enrolment(martin, lea, CARE_MORNING)
        stories.past_cancellation_accepted(martin, lea, CANTEEN)
        stories.past_booking_refused(martin, hugo, CARE_EVENING, (0, 1, 3))
    if legall := by_index.get(2):
        stories.data_change(legall, "Changement d'adresse",
                            {"address": legall.family.address},
                            {"address": "14 rue des Genêts", "postal_code": "35430"})
        stories.enrolment_validated(legall, legall.children["legall-jade"], CARE_MORNING)
        _health_change(stories, legall, legall.children["legall-jade"])
    if morel := by_index.get(4):
        stories.alert(morel, "Attestation de quotient familial expirée",
                       "Votre attestation CAF n'est plus valide : transmettez la nouvelle dans "
                       "« Mes documents ». En attendant, le tarif le plus élevé s'applique.")
    _late_requests(stories, [item for item in built if not item.spec.featured], pending)


def _late_requests(stories: Stories, built: list[Built], wanted: int) -> None:
    """Other families asked past the deadline to cancel a meal; in a benchmark city's long
    queue, one in three asked instead to add a morning of care."""
    mixed = wanted > 3
    for position, item in enumerate(built):
        if wanted == 0:
            return
        for key, plan in item.spec.plans.items():
            child = item.children[key]
            if mixed and position % 3 == 2:
                asked = stories.late_booking(item, child, CARE_MORNING,
                                             tuple(plan.get(CARE_MORNING, ())))
            else:
                asked = CANTEEN in plan and stories.late_cancellation(item, child, CANTEEN)
            if asked:
                wanted -= 1
                break
