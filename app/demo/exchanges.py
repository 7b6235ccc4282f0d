"""The demo of issue 16 (the family file for the year, conversations with the service):

- an open conversation of the Martin family with an unread reply of the service, and a
  message of the Le Gall family the service has not read yet;
- a nearly full day: Hugo Martin's morning care has two seats left on a day ahead
  (« Dernières places » on the planning).

Rows are written directly (no mail leaves the demo); only for families written by this run.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func

from ..extensions import db
from ..models import (
    SEAT_HOLDING_STATES,
    Booking,
    Conversation,
    ConversationState,
    Message,
    ServiceCapacity,
    Side,
    Topic,
)
from ..security.roles import AGENT
from .days import Period
from .families import Built
from .people import CARE_MORNING
from .town import Town

#: Seats left on the busiest day of the Chalmel morning care, and the service's threshold.
SEATS_LEFT, THRESHOLD = 2, 2


def _at(period: Period, days_ago: int, hour: int, minute: int = 0) -> dt.datetime:
    """A UTC moment `days_ago` days before the demo's today (Paris = UTC+1 in winter)."""
    return dt.datetime.combine(period.today - dt.timedelta(days=days_ago),
                               dt.time(hour - 1, minute))


def _conversation(built: Built, child, topic: str, subject: str, started: dt.datetime,
                  agent=None) -> Conversation:
    conversation = Conversation(
        family_id=built.family.id, child_id=child.id if child else None,
        school_id=child.school_id if child else None, topic=topic, subject=subject,
        state=ConversationState.open, started_by=Side.family, created_at=started,
        last_message_at=started, assigned_to_id=agent.id if agent else None)
    db.session.add(conversation)
    return conversation


def _say(conversation: Conversation, side: str, author: str, body: str, at: dt.datetime,
         read: bool, author_id: int | None = None) -> None:
    conversation.messages.append(Message(
        side=side, author_name=author, author_id=author_id, body=body, created_at=at,
        read_at=at + dt.timedelta(hours=1) if read else None))
    conversation.last_message_at = max(conversation.last_message_at, at)


def conversations(built: list[Built], period: Period, staff: dict) -> None:
    by_index = {item.spec.index: item for item in built}
    agent = staff.get(AGENT)
    agent_name = (f"{agent.first_name} {agent.last_name}, service des affaires scolaires"
                  if agent else "Service des affaires scolaires")
    if martin := by_index.get(1):
        hugo = martin.children["martin-hugo"]
        claire = martin.users[0] if martin.users else None
        talk = _conversation(martin, hugo, Topic.canteen, "Panier repas de Hugo (PAI)",
                             _at(period, 2, 18, 40), agent)
        _say(talk, Side.family, "Claire Martin",
             "Bonjour,\nHugo a un PAI (allergie à l'arachide). Peut-il apporter son panier "
             "repas dès lundi ? Le certificat médical est dans « Mes documents ».\n"
             "Merci, Claire Martin", _at(period, 2, 18, 40), read=True,
             author_id=claire.id if claire else None)
        _say(talk, Side.staff, agent_name,
             "Bonjour Madame Martin,\nC'est noté : le restaurant scolaire prévoit le panier "
             "repas de Hugo à partir de lundi. Pensez à le déposer au réfrigérateur de "
             "l'office le matin.\nBonne journée.", _at(period, 0, 9, 15), read=False,
             author_id=agent.id if agent else None)
    if legall := by_index.get(2):
        jade = next(iter(legall.children.values()))
        talk = _conversation(legall, jade, Topic.care, "Départ anticipé vendredi",
                             _at(period, 0, 8, 5))
        _say(talk, Side.family, "Yann Le Gall",
             "Bonjour, vendredi Jade partira de la garderie à 17h00 avec sa grand-mère, "
             "Mme Anne Le Gall. Merci.", _at(period, 0, 8, 5), read=False,
             author_id=legall.users[0].id if legall.users else None)


def _taken_by_day(service_id: int, school_id: int) -> dict[dt.date, int]:
    rows = (
        db.session.query(Booking.day, func.count(Booking.id))
        .filter(Booking.service_id == service_id, Booking.school_id == school_id,
                Booking.state.in_(SEAT_HOLDING_STATES))
        .group_by(Booking.day)
    )
    return dict(rows.all())


def nearly_full_day(martin: Built, town: Town, period: Period) -> None:
    """Hugo Martin's morning care: the first open day ahead he is not booked on keeps
    `SEATS_LEFT` seats (the capacity never goes below a day already booked)."""
    service = town.services[CARE_MORNING]
    hugo = martin.children["martin-hugo"]
    taken = _taken_by_day(service.id, hugo.school_id)
    his = {day for (day,) in db.session.query(Booking.day).filter(
        Booking.child_id == hugo.id, Booking.service_id == service.id)}
    ahead = [period.today + dt.timedelta(days=n) for n in range(2, 15)]
    day = next((d for d in ahead if d not in his and town.calendar.closed_reason(
        d, hugo.school_id, service.id) is None), None)
    if day is None:
        return
    capacity = max(max(taken.values(), default=0), taken.get(day, 0) + SEATS_LEFT)
    row = db.session.query(ServiceCapacity).filter_by(service_id=service.id,
                                                      school_id=hugo.school_id).one()
    row.capacity = capacity
    town.capacities[(service.id, hugo.school_id)] = capacity
    service.last_seats_threshold = max(THRESHOLD, capacity - taken.get(day, 0))


def add_exchanges(built: list[Built], town: Town, period: Period, staff: dict) -> None:
    db.session.flush()
    conversations(built, period, staff)
    if martin := next((item for item in built if item.spec.index == 1), None):
        nearly_full_day(martin, town, period)
