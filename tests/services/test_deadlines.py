"""Booking and cancellation deadlines: the three rule kinds, weekends and public holidays,
the exact boundary instant, and what a parent's change becomes (immediate / request / past)."""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from app.models import DeadlineKind, Service
from app.services.calendar import local_today, public_holidays
from app.services.deadlines import (
    ChangeTiming,
    booking_deadline,
    cancellation_deadline,
    change_timing,
    deadline_for,
    describe_rule,
    is_before_deadline,
    timing_for_booking,
    timing_for_cancellation,
    validate_rule,
)

WORKING = DeadlineKind.working_days_before
PREV_WEEK = DeadlineKind.weekday_previous_week
DAYS = DeadlineKind.days_before
TEN = time(10, 0)
HOLIDAYS = public_holidays((2026, 2027))

MONDAY = date(2026, 11, 30)
THURSDAY_BEFORE = date(2026, 11, 26)


def _service(**rules) -> Service:
    """A canteen with "J-2 at 10:00" for booking and "Thursday of the previous week at
    12:00" for cancelling, unless told otherwise."""
    values = {
        "booking_deadline_kind": WORKING,
        "booking_deadline_value": 2,
        "booking_deadline_time": TEN,
        "cancel_deadline_kind": PREV_WEEK,
        "cancel_deadline_value": 3,
        "cancel_deadline_time": time(12, 0),
    }
    values.update(rules)
    return Service(code="cantine", name="Restaurant scolaire", **values)


# --- N working days before -------------------------------------------------------------


def test_j_minus_2_for_a_monday_is_thursday_at_ten():
    assert deadline_for(MONDAY, WORKING, 2, TEN, HOLIDAYS) == datetime(2026, 11, 26, 10, 0)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 26), date(2026, 11, 24)),  # Thursday → Tuesday
        (date(2026, 11, 27), date(2026, 11, 25)),  # Friday → Wednesday (a working day)
        (date(2026, 12, 1), date(2026, 11, 27)),  # Tuesday → Friday, across the weekend
    ],
)
def test_j_minus_2_counts_working_days(day, expected):
    assert deadline_for(day, WORKING, 2, TEN, HOLIDAYS) == datetime.combine(expected, TEN)


def test_armistice_moves_the_deadline_one_more_working_day_back():
    thursday = date(2026, 11, 12)  # Wednesday 11/11 is Armistice
    assert deadline_for(thursday, WORKING, 2, TEN, frozenset()) == datetime(2026, 11, 10, 10)
    assert deadline_for(thursday, WORKING, 2, TEN, HOLIDAYS) == datetime(2026, 11, 9, 10)


def test_ascension_thursday_is_skipped_but_the_bridge_friday_is_a_working_day():
    monday = date(2027, 5, 10)  # Fri 7/5 counts (school holiday, not a public one), Thu 6/5 not
    assert deadline_for(monday, WORKING, 2, TEN, HOLIDAYS) == datetime(2027, 5, 5, 10)


def test_new_year_and_christmas_of_the_previous_year_are_skipped():
    monday = date(2027, 1, 4)
    assert booking_deadline(_service(), monday) == datetime(2026, 12, 30, 10)
    # Six working days back crosses 1 January and 25 December.
    six = _service(booking_deadline_value=6)
    assert booking_deadline(six, monday) == datetime(2026, 12, 23, 10)


def test_zero_working_days_is_the_day_itself():
    assert deadline_for(MONDAY, WORKING, 0, time(8, 30)) == datetime(2026, 11, 30, 8, 30)


# --- Weekday of the previous week ------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [date(2026, 11, 30), date(2026, 12, 2), date(2026, 12, 4), date(2026, 12, 6)],
)
def test_thursday_of_the_previous_week_for_every_day_of_a_week(day):
    assert deadline_for(day, PREV_WEEK, 3, TEN) == datetime(2026, 11, 26, 10)


@pytest.mark.parametrize(
    ("weekday", "expected"),
    [(0, date(2026, 11, 23)), (4, date(2026, 11, 27)), (6, date(2026, 11, 29))],
)
def test_any_weekday_of_the_previous_week(weekday, expected):
    assert deadline_for(date(2026, 12, 3), PREV_WEEK, weekday, TEN) == datetime.combine(
        expected, TEN
    )


def test_previous_week_rule_ignores_public_holidays():
    # Wednesday of the previous week is Armistice (11/11): still the deadline.
    assert deadline_for(date(2026, 11, 16), PREV_WEEK, 2, TEN, HOLIDAYS) == datetime(
        2026, 11, 11, 10
    )


# --- N calendar days before ------------------------------------------------------------


def test_calendar_days_count_weekends():
    assert deadline_for(MONDAY, DAYS, 2, TEN) == datetime(2026, 11, 28, 10)
    assert deadline_for(MONDAY, DAYS, 7, time(18, 0)) == datetime(2026, 11, 23, 18)
    assert deadline_for(date(2026, 11, 12), DAYS, 1, TEN, HOLIDAYS) == datetime(2026, 11, 11, 10)


# --- The boundary and the timing of a change -------------------------------------------


def test_the_deadline_instant_itself_is_too_late():
    deadline = datetime(2026, 11, 26, 10, 0)
    assert is_before_deadline(datetime(2026, 11, 26, 9, 59, 59, 999999), deadline)
    assert not is_before_deadline(datetime(2026, 11, 26, 10, 0, 0), deadline)


@pytest.mark.parametrize(
    ("now", "timing"),
    [
        (datetime(2026, 11, 20, 8, 0), ChangeTiming.immediate),
        (datetime(2026, 11, 26, 9, 59, 59), ChangeTiming.immediate),
        (datetime(2026, 11, 26, 10, 0, 0), ChangeTiming.request),
        (datetime(2026, 11, 29, 23, 59, 59), ChangeTiming.request),
        (datetime(2026, 11, 30, 0, 0), ChangeTiming.past),
        (datetime(2026, 12, 5, 12, 0), ChangeTiming.past),
    ],
)
def test_booking_a_monday_with_j_minus_2_at_ten(now, timing):
    assert timing_for_booking(_service(), MONDAY, now) == timing


@pytest.mark.parametrize(
    ("now", "timing"),
    [
        (datetime(2026, 11, 26, 11, 59), ChangeTiming.immediate),
        (datetime(2026, 11, 26, 12, 0), ChangeTiming.request),
        (datetime(2026, 11, 29, 9, 0), ChangeTiming.request),
    ],
)
def test_cancelling_a_monday_with_thursday_of_the_previous_week(now, timing):
    service = _service()
    assert cancellation_deadline(service, MONDAY) == datetime(2026, 11, 26, 12)
    assert timing_for_cancellation(service, MONDAY, now) == timing


def test_booking_and_cancellation_rules_are_independent():
    service = _service()
    thursday_eleven = datetime(2026, 11, 26, 11, 0)  # booking closed at 10:00, cancel at 12:00
    assert timing_for_booking(service, MONDAY, thursday_eleven) == ChangeTiming.request
    assert timing_for_cancellation(service, MONDAY, thursday_eleven) == ChangeTiming.immediate
    next_tuesday = date(2026, 12, 1)  # cancel: Thursday 26/11 12:00; book: Friday 27/11 10:00
    assert timing_for_cancellation(service, next_tuesday, thursday_eleven) == "immediate"
    friday = datetime(2026, 11, 27, 9, 0)
    assert timing_for_cancellation(service, next_tuesday, friday) == ChangeTiming.request
    assert timing_for_booking(service, next_tuesday, friday) == ChangeTiming.immediate


def test_an_aware_now_is_read_in_paris_time():
    deadline = datetime(2026, 11, 26, 10, 0)  # Paris is UTC+1 in November
    utc = ZoneInfo("UTC")
    assert is_before_deadline(datetime(2026, 11, 26, 8, 59, tzinfo=utc), deadline)
    assert not is_before_deadline(datetime(2026, 11, 26, 9, 0, tzinfo=utc), deadline)
    summer = datetime(2027, 6, 10, 10, 0)  # UTC+2
    assert not is_before_deadline(datetime(2027, 6, 10, 8, 0, tzinfo=utc), summer)


def test_a_same_day_rule_stays_immediate_until_its_time():
    service = _service(booking_deadline_kind=DAYS, booking_deadline_value=0,
                       booking_deadline_time=time(9, 0))
    day = date(2026, 11, 26)
    assert timing_for_booking(service, day, datetime(2026, 11, 26, 8, 30)) == "immediate"
    assert timing_for_booking(service, day, datetime(2026, 11, 26, 9, 0)) == "past"


def test_change_timing_without_now_uses_the_clock():
    far = local_today() + dt.timedelta(days=60)
    assert timing_for_booking(_service(), far) == ChangeTiming.immediate
    assert timing_for_booking(_service(), local_today() - dt.timedelta(days=1)) == "past"
    assert change_timing(far, datetime(2000, 1, 1), None) == ChangeTiming.request


def test_timing_has_french_labels():
    assert ChangeTiming.request.label == "Demande à valider par le service"
    assert ChangeTiming.labels()["past"].startswith("Journée passée")


# --- Rule data -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value"),
    [(WORKING, 0), (WORKING, 30), (DAYS, 15), (PREV_WEEK, 0), (PREV_WEEK, 6), ("days_before", 2)],
)
def test_valid_rules(kind, value):
    assert validate_rule(kind, value, TEN) == []


@pytest.mark.parametrize(
    ("kind", "value", "at_time", "message"),
    [
        (WORKING, 31, TEN, "entre 0 et 30"),
        (DAYS, -1, TEN, "entre 0 et 30"),
        (PREV_WEEK, 7, TEN, "entre 0 (lundi) et 6 (dimanche)"),
        (PREV_WEEK, None, TEN, "est obligatoire"),
        ("next_month", 1, TEN, "Type de délai inconnu"),
        (WORKING, 2, None, "L'heure limite est obligatoire"),
    ],
)
def test_invalid_rules_are_explained_in_french(kind, value, at_time, message):
    errors = validate_rule(kind, value, at_time)
    assert len(errors) == 1
    assert message in errors[0]


def test_an_invalid_rule_never_yields_a_deadline():
    with pytest.raises(ValueError, match="entre 0 \\(lundi\\) et 6"):
        deadline_for(MONDAY, PREV_WEEK, 7, TEN)
    with pytest.raises(ValueError, match="Type de délai inconnu"):
        booking_deadline(_service(booking_deadline_kind="bogus"), MONDAY)


def test_rules_in_words():
    assert describe_rule(WORKING, 2, TEN) == (
        "2 jours ouvrés avant, à 10:00 (week-ends et jours fériés non comptés)"
    )
    assert describe_rule(PREV_WEEK, 3, time(12, 0)) == "Le jeudi de la semaine précédente, à 12:00"
    assert describe_rule(DAYS, 1, TEN) == "1 jour avant, à 10:00"
