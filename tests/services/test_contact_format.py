"""French phone numbers and postcodes: accepted as typed, stored as digits, shown in pairs."""

from __future__ import annotations

import pytest

from app.services.contact_format import (
    format_phone,
    normalise_postcode,
    phone_digits,
    phone_problem,
    postcode_problem,
)


@pytest.mark.parametrize("typed", [
    "0299001122", "02 99 00 11 22", "02.99.00.11.22", "02-99-00-11-22", "+33 2 99 00 11 22",
    "0033299001122", "+33 (0)2 99 00 11 22", " 02 99 00 11 22 ",
])
def test_a_french_number_is_accepted_however_typed(app_ctx, typed):
    assert phone_digits(typed) == "0299001122"
    assert format_phone(typed) == "02 99 00 11 22"
    assert phone_problem(typed) is None


@pytest.mark.parametrize("typed", ["12345", "02 99 00 11", "00 99 00 11 22", "0299001122x",
                                   "+44 20 7946 0958", "deux"])
def test_a_wrong_number_is_refused_in_french(app_ctx, typed):
    assert phone_digits(typed) is None
    assert "10 chiffres" in phone_problem(typed)


def test_empty_is_not_a_problem_and_foreign_text_is_shown_as_typed(app_ctx):
    assert phone_problem("") is None and phone_problem(None) is None
    assert format_phone(None) == ""
    assert format_phone(" +44 20 7946 0958 ") == "+44 20 7946 0958"


@pytest.mark.parametrize(("typed", "problem"), [
    ("35000", False), ("35 000", False), ("01000", False), ("97400", False), ("",  False),
    ("3500", True), ("00100", True), ("99000", True), ("ABCDE", True), ("350000", True),
])
def test_postcodes(app_ctx, typed, problem):
    assert (postcode_problem(typed) is not None) is problem
    if not problem and typed:
        assert normalise_postcode(typed) == typed.replace(" ", "")
