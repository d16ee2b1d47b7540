"""Parsing single cells: dates, hours and topics."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from api.importing.values import CellError, parse_date, parse_hours, parse_list, parse_topics

KNOWN = frozenset({"use_of_force", "autism", "crisis_intervention_mental_illness"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-05", date(2024, 3, 5)),
        ("3/5/2024", date(2024, 3, 5)),
        ("03/05/2024", date(2024, 3, 5)),
        ("12/31/2023", date(2023, 12, 31)),
        (" 2024-3-5 ", date(2024, 3, 5)),
    ],
)
def test_iso_and_us_dates(text: str, expected: date) -> None:
    """ISO and US month-first dates both read; US dates are month/day, never day/month."""
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31/12/2023", "not a real date"),
        ("3/5/24", "four digits"),
        ("2024-02-30", "not a real date"),
        ("March 5 2024", "not a date"),
        ("1899-12-31", "before 1900"),
    ],
)
def test_bad_dates_are_not_guessed(text: str, reason: str) -> None:
    """Ambiguous or impossible dates are refused with the reason."""
    with pytest.raises(CellError, match=reason):
        parse_date(text)


def test_hours() -> None:
    """Hours are positive decimals with a decimal point."""
    assert parse_hours("2.5") == Decimal("2.5")
    for bad in ("0", "-1", "2,5", "two", "NaN"):
        with pytest.raises(CellError):
            parse_hours(bad)


def test_topics_forms() -> None:
    """topic=hours lists, a bare single topic taking all hours, case and spacing forgiven."""
    assert parse_topics("use_of_force=2;autism=2", Decimal(4), KNOWN) == {
        "autism": Decimal(2),
        "use_of_force": Decimal(2),
    }
    assert parse_topics("Use of Force", Decimal(3), KNOWN) == {"use_of_force": Decimal(3)}
    assert parse_topics("use_of_force=1, autism=1", Decimal(4), KNOWN) == {
        "autism": Decimal(1),
        "use_of_force": Decimal(1),
    }
    assert parse_topics("", Decimal(4), KNOWN) == {}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("use_of_forse=2", "did you mean use_of_force"),
        ("use_of_force=3;autism=3", "more than the record's 4"),
        ("use_of_force;autism", "give hours for every topic"),
        ("use_of_force=1;use_of_force=1", "listed twice"),
        ("use_of_force=x", "not a number"),
    ],
)
def test_topic_problems(text: str, reason: str) -> None:
    """Unknown, overspent, ambiguous or repeated topics are refused with the reason."""
    with pytest.raises(CellError, match=reason):
        parse_topics(text, Decimal(4), KNOWN)


def test_assignment_lists() -> None:
    """Assignments are ';'-separated, normalised and de-duplicated."""
    assert parse_list("SRO; k9;sro") == ["k9", "sro"]
