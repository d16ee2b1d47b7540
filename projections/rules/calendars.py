"""Calendars: which window of a requirement contains a given day, for a given person.

Fixed statewide windows (calendar years, TX units and cycles, CA cycles), per-officer
licence periods (MN), and certification cohorts with a half-year rule (OR). Rolling
windows depend on the records themselves and live with the requirement measures.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, timedelta

from projections.history import PersonHistory
from projections.rules.schema import (
    Calendar,
    CohortCalendar,
    FixedCalendar,
    LicensePeriodCalendar,
    RollingCalendar,
)

__all__ = [
    "Window",
    "add_years",
    "first_window_start",
    "previous_window",
    "window_containing",
]

_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Window:
    """A closed date range; ``end`` is the deadline before any tolling."""

    start: date
    end: date
    partial: bool = False
    projected: bool = False
    notes: tuple[str, ...] = ()

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def add_years(day: date, years: int) -> date:
    """Same month and day ``years`` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _fixed(calendar: FixedCalendar, day: date) -> Window:
    elapsed = day.year - calendar.epoch.year
    if (day.month, day.day) < (calendar.epoch.month, calendar.epoch.day):
        elapsed -= 1
    k = elapsed // calendar.length_years
    start = add_years(calendar.epoch, k * calendar.length_years)
    end = add_years(calendar.epoch, (k + 1) * calendar.length_years) - _DAY
    return Window(start, end)


def _license_period(
    calendar: LicensePeriodCalendar, history: PersonHistory, day: date
) -> Window | None:
    first = history.first_licensed_on
    if first is None or day < first:
        return None
    ends = history.license_period_ends
    later = bisect_left(ends, day)
    # Periods repeat every ``length_years`` from the nearest recorded period end: the
    # renewal schedule is permanent once set (MN POST licence-renewal page).
    anchor = ends[later] if later < len(ends) else ends[-1]
    length = calendar.length_years
    # Jump to about the right period first, then settle it (a career is many periods).
    end = add_years(anchor, (day.year - anchor.year) // length * length)
    while add_years(end, -length) >= day:
        end = add_years(end, -length)
    while end < day:
        end = add_years(end, length)
    start = add_years(end, -length) + _DAY
    notes: list[str] = []
    issued = history.license_issued_on
    partial = issued is not None and start < issued
    if partial:
        start = first
        notes.append(f"first licence period, from the licence date {first.isoformat()}")
    elif issued is None and start <= first:
        # Only a period end is on record (an imported expiry): the licence may be years
        # older than the hire, so the period in progress at hire is a whole one, not a
        # stub from the hire date.
        notes.append(
            f"licence issue date not recorded: period derived from the recorded period end "
            f"{ends[-1].isoformat()} every {length} years; the first period on record is the "
            f"one in progress at hire ({first.isoformat()}), not a recorded issue"
        )
    projected = end > ends[-1]
    if projected:
        notes.append(
            f"period end {end.isoformat()} projected: no renewal after "
            f"{ends[-1].isoformat()} is recorded"
        )
    if (end.month, end.day) != (calendar.period_end.month, calendar.period_end.day):
        notes.append(f"recorded period end {end.isoformat()} is not the pack's renewal date")
    return Window(start, end, partial, projected, tuple(notes))


def _cohort_start(calendar: CohortCalendar, history: PersonHistory) -> tuple[date, str] | None:
    certified, note = history.certified_on, ""
    if certified is None:
        if history.hired_on is None:
            return None
        certified, note = history.hired_on, "certification date not recorded: hire date used"
    on_or_before_split = (certified.month, certified.day) <= (
        calendar.split.month,
        calendar.split.day,
    )
    year = certified.year if on_or_before_split else certified.year + 1
    return date(year, 1, 1), note


def _cohort(calendar: CohortCalendar, history: PersonHistory, day: date) -> Window | None:
    found = _cohort_start(calendar, history)
    if found is None or day < found[0]:
        return None
    first, note = found
    k = (day.year - first.year) // calendar.length_years
    start = date(first.year + k * calendar.length_years, 1, 1)
    end = date(start.year + calendar.length_years - 1, 12, 31)
    return Window(start, end, notes=(note,) if note else ())


def window_containing(calendar: Calendar, history: PersonHistory, day: date) -> Window | None:
    """The person's window containing ``day``; None when the person has none yet
    (not licensed, not certified). Rolling calendars have no fixed windows."""
    if isinstance(calendar, FixedCalendar):
        return _fixed(calendar, day)
    if isinstance(calendar, LicensePeriodCalendar):
        return _license_period(calendar, history, day)
    if isinstance(calendar, CohortCalendar):
        return _cohort(calendar, history, day)
    return None


def previous_window(calendar: Calendar, history: PersonHistory, window: Window) -> Window | None:
    return window_containing(calendar, history, window.start - _DAY)


def first_window_start(calendar: Calendar, history: PersonHistory) -> date | None:
    """Where the person's windows of this calendar begin (None: no person-specific start)."""
    if isinstance(calendar, LicensePeriodCalendar):
        return history.first_licensed_on
    if isinstance(calendar, CohortCalendar):
        found = _cohort_start(calendar, history)
        return found[0] if found else None
    if isinstance(calendar, RollingCalendar):
        return None
    return None
