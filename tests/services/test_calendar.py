"""The opening calendar: zone B school holidays, public holidays, weekdays without school,
closures per school and per service, school years, and its cost in SQL queries."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest

from app.extensions import db
from app.models import Closure, SchoolYear
from app.services.calendar import (
    CalendarDataError,
    ClosureSpan,
    OpeningCalendar,
    current_school_year,
    public_holidays,
    school_holidays,
    school_year_containing,
    school_year_label_for,
)
from tests import factories as f

YEAR_START, YEAR_END = date(2026, 9, 1), date(2027, 7, 3)


@pytest.fixture(scope="module")
def cal() -> OpeningCalendar:
    """2026-2027, zone B, no school on Wednesdays and weekends, no closure."""
    return OpeningCalendar(YEAR_START, YEAR_END, zone="B", closed_weekdays=(2, 5, 6))


# --- Official data ---------------------------------------------------------------------


def _periods(days: dict[date, str]) -> dict[str, list[tuple[date, date]]]:
    """Group holiday days into (first, last) runs per name."""
    runs: dict[str, list[tuple[date, date]]] = {}
    for day in sorted(days):
        name = days[day]
        spans = runs.setdefault(name, [])
        if spans and spans[-1][1] == day - dt.timedelta(days=1):
            spans[-1] = (spans[-1][0], day)
        else:
            spans.append((day, day))
    return runs


def test_zone_b_2026_2027_holidays_as_shipped_offline():
    runs = _periods(dict(school_holidays("B", (2026, 2027))))
    assert (date(2026, 10, 17), date(2026, 11, 1)) in runs["Vacances de la Toussaint"]
    assert (date(2026, 12, 19), date(2027, 1, 3)) in runs["Vacances de Noël"]
    assert (date(2027, 2, 20), date(2027, 3, 7)) in runs["Vacances d'hiver"]
    assert (date(2027, 4, 17), date(2027, 5, 2)) in runs["Vacances de printemps"]
    assert (date(2027, 5, 6), date(2027, 5, 8)) in runs["Pont de l'Ascension"]
    assert runs["Vacances d'été"][-1] == (date(2027, 7, 3), date(2027, 8, 31))


def test_zones_differ_for_winter_holidays():
    # Winter 2027 starts on 6 February in zone C, 13 in zone A, 20 in zone B.
    firsts = {
        zone: min(d for d, name in school_holidays(zone, (2027, 2027)).items()
                  if name == "Vacances d'hiver")
        for zone in "ABC"
    }
    assert firsts == {"C": date(2027, 2, 6), "A": date(2027, 2, 13), "B": date(2027, 2, 20)}


def test_holiday_sets_are_cached():
    assert school_holidays("B", (2026, 2027)) is school_holidays("B", (2026, 2027))
    assert public_holidays([2027, 2026]) is public_holidays((2026, 2027))


def test_public_holidays_in_french():
    days = public_holidays(2026)
    assert days[date(2026, 11, 11)] == "Armistice"
    assert days[date(2026, 12, 25)] == "Noël"
    assert public_holidays(2027)[date(2027, 5, 6)] == "Ascension"
    assert date(2026, 11, 26) not in days


def test_unknown_zone_is_refused():
    with pytest.raises(CalendarDataError, match="Zone de vacances scolaires inconnue"):
        OpeningCalendar(YEAR_START, YEAR_END, zone="D")


def test_lowercase_zone_is_accepted():
    assert OpeningCalendar(YEAR_START, YEAR_END, zone="b").zone == "B"


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2028, 9, 1), date(2029, 7, 6)),  # calendar year 2029 absent from the package
        (date(2028, 9, 1), date(2028, 12, 15)),  # 2028 known, but not its autumn holidays
    ],
)
def test_a_year_without_official_dates_fails_loudly(start, end):
    with pytest.raises(CalendarDataError) as error:
        OpeningCalendar(start, end)
    message = str(error.value)
    assert "vacances-scolaires-france" in message
    assert "zone B" in message


def test_school_holidays_for_unknown_years_fail():
    with pytest.raises(CalendarDataError, match="les années 2030 à 2031"):
        school_holidays("B", (2030, 2031))


# --- Open days and reasons -------------------------------------------------------------


def test_hard_facts(cal):
    assert cal.is_open(date(2026, 11, 26))  # a Thursday of term
    assert cal.closed_reason(date(2026, 11, 26)) is None
    assert cal.closed_reason(date(2026, 11, 11)) == "Jour férié : Armistice"
    assert cal.closed_reason(date(2026, 12, 25)) == "Jour férié : Noël"
    assert cal.closed_reason(date(2026, 11, 25)) == "Mercredi sans école"
    assert cal.closed_reason(date(2026, 11, 28)) == "Week-end"
    assert cal.closed_reason(date(2026, 11, 29)) == "Week-end"


@pytest.mark.parametrize(
    ("last_open", "closed", "reason", "first_open"),
    [
        (date(2026, 10, 16), date(2026, 10, 19), "Vacances de la Toussaint", date(2026, 11, 2)),
        (date(2026, 12, 18), date(2026, 12, 21), "Vacances de Noël", date(2027, 1, 4)),
        (date(2027, 2, 19), date(2027, 2, 22), "Vacances d'hiver", date(2027, 3, 8)),
        (date(2027, 4, 16), date(2027, 4, 19), "Vacances de printemps", date(2027, 5, 3)),
    ],
)
def test_zone_b_holidays_close_the_service(cal, last_open, closed, reason, first_open):
    assert cal.is_open(last_open)
    assert cal.closed_reason(closed) == reason
    assert not cal.is_open(closed)
    assert cal.is_open(first_open)
    assert cal.open_days(last_open, first_open) == [last_open, first_open]


def test_spring_public_holidays_and_ascension_bridge(cal):
    assert cal.closed_reason(date(2027, 3, 29)) == "Jour férié : Lundi de Pâques"
    assert cal.closed_reason(date(2027, 5, 6)) == "Jour férié : Ascension"
    assert cal.closed_reason(date(2027, 5, 7)) == "Pont de l'Ascension"
    assert cal.closed_reason(date(2027, 5, 17)) == "Jour férié : Lundi de Pentecôte"
    assert cal.open_days(date(2027, 5, 3), date(2027, 5, 9)) == [date(2027, 5, 3), date(2027, 5, 4)]


def test_outside_the_school_year(cal):
    assert cal.is_open(date(2026, 9, 1))  # rentrée, a Tuesday
    assert cal.is_open(date(2027, 7, 2))  # last Friday
    assert cal.closed_reason(date(2026, 8, 31)) == "Hors année scolaire"
    assert cal.closed_reason(date(2027, 7, 5)) == "Hors année scolaire"
    assert cal.open_days(date(2026, 8, 1), date(2026, 9, 4)) == [
        date(2026, 9, 1),
        date(2026, 9, 3),
        date(2026, 9, 4),
    ]


def test_november_2026_has_17_school_days(cal):
    days = cal.open_days(date(2026, 11, 1), date(2026, 11, 30))
    assert len(days) == 17  # Mondays 5, Tuesdays 4, Thursdays 4, Fridays 4
    assert days[0] == date(2026, 11, 2)
    assert days[-1] == date(2026, 11, 30)
    assert all(d.weekday() in (0, 1, 3, 4) for d in days)


def test_whole_year_is_about_36_weeks_of_4_days(cal):
    days = cal.open_days(YEAR_START, YEAR_END)
    assert 135 <= len(days) <= 144
    public = public_holidays((2026, 2027))
    zone = school_holidays("B", (2026, 2027))
    assert not any(d in public or d in zone or d.weekday() in (2, 5, 6) for d in days)


def test_closed_days_gives_labels_for_a_planning_grid(cal):
    closed = cal.closed_days(date(2026, 11, 9), date(2026, 11, 15))
    assert closed == {
        date(2026, 11, 11): "Jour férié : Armistice",
        date(2026, 11, 14): "Week-end",
        date(2026, 11, 15): "Week-end",
    }


def test_school_on_wednesdays_when_configured():
    four_and_half = OpeningCalendar(YEAR_START, YEAR_END, closed_weekdays=(5, 6))
    assert four_and_half.is_open(date(2026, 11, 25))
    assert four_and_half.closed_reason(date(2026, 11, 11)) == "Jour férié : Armistice"
    no_friday = OpeningCalendar(YEAR_START, YEAR_END, closed_weekdays=(2, 4, 5, 6))
    assert no_friday.closed_reason(date(2026, 11, 27)) == "Vendredi sans école"


# --- Closures --------------------------------------------------------------------------

SCHOOL_A, SCHOOL_B, CANTEEN, CARE = 1, 2, 10, 20


@pytest.fixture(scope="module")
def closed_cal() -> OpeningCalendar:
    return OpeningCalendar(
        YEAR_START,
        YEAR_END,
        closures=[
            ClosureSpan(date(2026, 12, 3), date(2026, 12, 3), None, None, "Grève"),
            ClosureSpan(date(2026, 11, 26), date(2026, 11, 27), SCHOOL_A, None, "Travaux"),
            ClosureSpan(date(2026, 12, 1), date(2026, 12, 1), None, CANTEEN, "Cuisine en panne"),
            ClosureSpan(date(2026, 12, 4), date(2026, 12, 4), SCHOOL_B, CARE, "Sortie"),
            ClosureSpan(date(2026, 8, 20), date(2026, 9, 1), None, None, "Désinfection"),
        ],
    )


def test_a_town_wide_closure_closes_every_school_and_service(closed_cal):
    for school in (None, SCHOOL_A, SCHOOL_B):
        for service in (None, CANTEEN, CARE):
            assert closed_cal.closed_reason(date(2026, 12, 3), school, service) == (
                "Fermeture : Grève"
            )


def test_a_school_closure_closes_only_that_school(closed_cal):
    day = date(2026, 11, 26)
    assert closed_cal.closed_reason(day, SCHOOL_A, CANTEEN) == "Fermeture : Travaux"
    assert not closed_cal.is_open(day, school_id=SCHOOL_A)
    assert closed_cal.is_open(day, school_id=SCHOOL_B, service_id=CANTEEN)
    assert closed_cal.is_open(day)  # the day itself is a school day
    assert closed_cal.open_days(date(2026, 11, 23), date(2026, 11, 27), SCHOOL_A) == [
        date(2026, 11, 23),
        date(2026, 11, 24),
    ]


def test_a_service_closure_closes_only_that_service(closed_cal):
    day = date(2026, 12, 1)
    assert closed_cal.closed_reason(day, SCHOOL_A, CANTEEN) == "Fermeture : Cuisine en panne"
    assert closed_cal.closed_reason(day, SCHOOL_B, CANTEEN) == "Fermeture : Cuisine en panne"
    assert closed_cal.is_open(day, SCHOOL_A, CARE)


def test_a_closure_for_one_service_at_one_school(closed_cal):
    day = date(2026, 12, 4)
    assert not closed_cal.is_open(day, SCHOOL_B, CARE)
    assert closed_cal.is_open(day, SCHOOL_A, CARE)
    assert closed_cal.is_open(day, SCHOOL_B, CANTEEN)


def test_a_closure_overlapping_the_rentree_is_clipped(closed_cal):
    assert closed_cal.closed_reason(date(2026, 9, 1)) == "Fermeture : Désinfection"
    assert closed_cal.closed_reason(date(2026, 8, 31)) == "Hors année scolaire"
    assert closed_cal.is_open(date(2026, 9, 3))


def test_a_holiday_label_wins_over_a_closure(closed_cal):
    cal = OpeningCalendar(
        YEAR_START, YEAR_END, closures=[(date(2026, 11, 9), date(2026, 11, 13), None, None, "X")]
    )
    assert cal.closed_reason(date(2026, 11, 11)) == "Jour férié : Armistice"
    assert cal.closed_reason(date(2026, 11, 12)) == "Fermeture : X"


# --- From the database -----------------------------------------------------------------


def _closure(start, end, reason, school=None, service=None) -> Closure:
    row = Closure(start_date=start, end_date=end, reason=reason, school=school, service=service)
    db.session.add(row)
    return row


def test_calendar_from_the_school_year_row(app_ctx):
    year = f.school_year()
    school_a, school_b = f.school(), f.school()
    canteen = f.service()
    _closure(date(2026, 11, 26), date(2026, 11, 26), "Travaux", school=school_a)
    _closure(date(2026, 11, 27), date(2026, 11, 27), "Cuisine", service=canteen)
    _closure(date(2027, 9, 2), date(2027, 9, 3), "Année suivante")
    db.session.commit()

    cal = OpeningCalendar.for_school_year(year)

    assert cal.closed_reason(date(2026, 11, 26), school_a.id) == "Fermeture : Travaux"
    assert cal.is_open(date(2026, 11, 26), school_b.id, canteen.id)
    assert cal.closed_reason(date(2026, 11, 27), school_b.id, canteen.id) == "Fermeture : Cuisine"
    assert cal.is_open(date(2026, 11, 27), school_b.id)
    assert cal.closed_reason(date(2026, 10, 20)) == "Vacances de la Toussaint"


def test_school_year_settings_are_used(app_ctx):
    year = SchoolYear(label="2026-2027", start_date=YEAR_START, end_date=YEAR_END, zone="A",
                      closed_weekdays="56")
    db.session.add(year)
    db.session.commit()
    cal = OpeningCalendar.for_school_year(year)
    assert cal.is_open(date(2026, 11, 25))  # Wednesday with school
    # Zone A winter holidays 2027 start on 13 February, a week before zone B's.
    assert cal.closed_reason(date(2027, 2, 15)) == "Vacances d'hiver"


def test_a_month_for_many_children_costs_a_constant_number_of_queries(app_ctx, count_queries):
    year = f.school_year()
    schools = [f.school() for _ in range(3)]
    services = [f.service() for _ in range(2)]
    pairs = [(sch.id, svc.id) for sch in schools for svc in services]

    def ask(days: int) -> int:
        db.session.expire_all()  # as in a fresh request
        with count_queries() as counter:
            cal = OpeningCalendar.for_school_year(year)
            for offset in range(days):
                day = YEAR_START + dt.timedelta(days=offset)
                for school_id, service_id in pairs:
                    cal.is_open(day, school_id, service_id)
                    cal.closed_reason(day, school_id, service_id)
            cal.open_days(YEAR_START, YEAR_END, *pairs[0])
        return counter.count

    few = ask(5)
    for i in range(40):
        _closure(YEAR_START + dt.timedelta(days=i * 5), YEAR_START + dt.timedelta(days=i * 5 + 1),
                 f"Fermeture {i}", school=schools[i % 3], service=services[i % 2])
    db.session.commit()
    many = ask(200)
    assert many == few
    friday = date(2026, 9, 11)  # closure 2: schools[2] × services[0]
    cal = OpeningCalendar.for_school_year(year)
    assert cal.closed_reason(friday, *pairs[4]) == "Fermeture : Fermeture 2"
    assert cal.is_open(friday, *pairs[0])
    assert many <= 2  # refresh of the expired school year row + the closures


# --- School years ----------------------------------------------------------------------


def _years() -> None:
    db.session.add_all([
        SchoolYear(label="2025-2026", start_date=date(2025, 9, 1), end_date=date(2026, 7, 3)),
        SchoolYear(label="2026-2027", start_date=YEAR_START, end_date=YEAR_END),
    ])
    db.session.commit()


@pytest.mark.parametrize(
    ("today", "label"),
    [
        (date(2026, 11, 26), "2026-2027"),
        (date(2026, 3, 2), "2025-2026"),
        (date(2026, 7, 3), "2025-2026"),  # last day
        (date(2026, 7, 15), "2026-2027"),  # summer: the coming year
        (date(2027, 7, 3), "2026-2027"),
        (date(2027, 7, 4), None),
    ],
)
def test_current_school_year(app_ctx, today, label):
    _years()
    year = current_school_year(today)
    assert (year.label if year else None) == label


def test_school_year_containing(app_ctx):
    _years()
    assert school_year_containing(date(2026, 11, 26)).label == "2026-2027"
    assert school_year_containing(date(2026, 8, 15)) is None


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2026, 11, 26), "2026-2027"),
        (date(2026, 7, 1), "2025-2026"),
        (date(2026, 8, 1), "2026-2027"),
        (date(2027, 1, 4), "2026-2027"),
        (date(2027, 7, 31), "2026-2027"),
    ],
)
def test_school_year_label_for(day, label):
    assert school_year_label_for(day) == label
