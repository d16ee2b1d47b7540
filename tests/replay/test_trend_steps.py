"""The trend's steps: calendar arithmetic from the first day, clamped to short months."""

from __future__ import annotations

from datetime import date

import pytest

from replay.trend import _steps


def test_month_steps_from_the_31st_clamp_and_come_back() -> None:
    """A month step from Jan 31 lands on each month's last day and returns to the 31st."""
    days = _steps(date(2024, 1, 31), date(2024, 5, 31), "month")
    assert days == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
        date(2024, 5, 31),
    ]


def test_year_steps_from_a_leap_day() -> None:
    """A year step from Feb 29 falls on Feb 28 in common years and Feb 29 again in leap years."""
    days = _steps(date(2024, 2, 29), date(2028, 3, 1), "year")
    assert days == [
        date(2024, 2, 29),
        date(2025, 2, 28),
        date(2026, 2, 28),
        date(2027, 2, 28),
        date(2028, 2, 29),
    ]


def test_bad_steps_are_refused() -> None:
    """An unknown unit, a reversed range and more than 2000 steps are each refused."""
    with pytest.raises(ValueError, match="--every"):
        _steps(date(2024, 1, 1), date(2024, 2, 1), "fortnight")
    with pytest.raises(ValueError, match="before"):
        _steps(date(2024, 2, 1), date(2024, 1, 1), "day")
    with pytest.raises(ValueError, match="2000"):
        _steps(date(2000, 1, 1), date(2024, 1, 1), "day")
