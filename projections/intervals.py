"""Status intervals: one person's overall status code on every first of the month, as
runs of equal codes (``lo`` to ``hi``, both firsts of a month), under the rules of the
jurisdiction followed on each day.

A run is an exact statement about the grid days inside it only (the firsts of the months
from ``lo`` to ``hi``): every one of them was evaluated. A day that is not on the grid is
never answered from a run; the caller evaluates it. Pure: no I/O, no clock."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from datetime import date

from dateutil.relativedelta import relativedelta

from projections.evaluate import evaluate
from projections.history import PersonHistory
from projections.rules.schema import RuleVersion

__all__ = [
    "GRID_YEARS",
    "NOT_HIRED",
    "Interval",
    "UnitPeriod",
    "grid",
    "on_grid",
    "status_intervals",
    "unit_on",
    "unit_periods",
]

GRID_YEARS = 20  # the grid reaches back this many whole years before the model's day
NOT_HIRED = "not_hired"  # the code of a day before the hire (counted in no status)

# (first grid day, last grid day, rules key, status code)
Interval = tuple[date, date, str, str]
# (first day, unit): a person's assignments in the order ``assignment_on`` reads them.
UnitPeriod = tuple[date, str]
# The rule versions binding on a day, and the rules key naming them (status form).
VersionsOn = Callable[[date], tuple[Sequence[RuleVersion], str]]


def grid(as_of: date) -> list[date]:
    """The grid of a model kept on ``as_of``: every first of a month from 1 January
    ``GRID_YEARS`` years before it up to ``as_of``."""
    day, days = date(as_of.year - GRID_YEARS, 1, 1), []
    while day <= as_of:
        days.append(day)
        day += relativedelta(months=1)
    return days


def on_grid(day: date) -> bool:
    return day.day == 1


def status_intervals(
    history: PersonHistory, days: Sequence[date], versions_on: VersionsOn
) -> list[Interval]:
    """The person's status code on each of ``days`` (ascending grid days), as runs: the
    trend's ``evaluate(...).status``, or ``not_hired`` before the hire (not evaluated:
    no count includes it)."""
    runs: list[Interval] = []
    for day in days:
        versions, key = versions_on(day)
        if history.status_on(day) == NOT_HIRED:
            code = NOT_HIRED
        else:
            code = str(evaluate(versions, history, day).status)
        if runs and runs[-1][2] == key and runs[-1][3] == code:
            runs[-1] = (runs[-1][0], day, key, code)
        else:
            runs.append((day, day, key, code))
    return runs


def unit_periods(history: PersonHistory) -> list[UnitPeriod]:
    """The person's units by the day each assignment starts (ordered as the history
    orders them: among periods starting the same day, the one recorded last is last)."""
    ordered = sorted(history.assignments, key=lambda period: period.starts_on)  # stable
    return [(period.starts_on, period.unit) for period in ordered]


def unit_on(periods: Sequence[UnitPeriod], day: date) -> str:
    """``history.assignment_on(day).unit`` over its ``unit_periods`` ('' for none)."""
    if not periods:
        return ""
    found = bisect_right([start for start, _ in periods], day)
    return periods[max(found - 1, 0)][1]
