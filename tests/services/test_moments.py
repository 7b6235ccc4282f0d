"""The one French formatter of a moment: Paris time, in words, no microseconds."""

from __future__ import annotations

import datetime as dt

from app.services.moments import moment as _moment


def moment(*args, **kwargs) -> str:
    """The time's spaces are no-break ones (« 20 h 35 » stays on one line)."""
    text = _moment(*args, **kwargs)
    assert " h " not in text
    return text.replace("\u00a0", " ")

TODAY = dt.date(2026, 12, 6)


def test_a_stored_utc_moment_reads_in_paris_time_in_words(app):
    with app.test_request_context():
        # 19:35:12.123456 UTC in December is 20:35 in Paris (winter, UTC+1).
        assert moment(dt.datetime(2026, 12, 1, 19, 35, 12, 123456), today=TODAY) == (
            "mardi 1 décembre à 20 h 35")
        # Summer time: UTC+2; minutes always on two digits.
        assert moment(dt.datetime(2026, 7, 3, 7, 5), today=TODAY) == "vendredi 3 juillet à 9 h 05"
        # Another year says which.
        assert moment(dt.datetime(2025, 11, 30, 8, 5), today=TODAY) == (
            "dimanche 30 novembre 2025 à 9 h 05")
        assert moment(dt.date(2026, 12, 1), today=TODAY) == "mardi 1 décembre"
        assert moment(None) == ""
