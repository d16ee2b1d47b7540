"""What one evaluation knows, and the one place the engine keeps what it has worked out for
the rest of that evaluation: the person's windows by calendar and day, and their records
as credited under each set of exclusion rules (equal sets shared), found by date range.

The engine asks this context instead of the plain functions, which stay the definition:
``window(c, day)`` is ``window_containing(c, history, day)`` and ``credited(v, r, start,
end)`` is ``credited_records(history.records_between(start, end), v's exclusions, r)``
(``tests/rules/test_context.py`` checks both on random histories). A context lives for
one evaluation: nothing is kept beyond it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta

from projections.history import PersonHistory
from projections.rules.calendars import Window, window_containing
from projections.rules.crediting import CreditedRecord
from projections.rules.prepared import prepare
from projections.rules.schema import Calendar, RuleVersion

__all__ = ["Context"]

_DAY = timedelta(days=1)
_UNKNOWN = Window(date.min, date.min)  # stands for a window not looked for yet


@dataclass(frozen=True)
class _Credits:
    """Every record of the history credited under one set of exclusion rules, in date
    order (``Exclusions.credit`` judges each record on its own, so a range of these is the
    credit of that range)."""

    dates: list[date]
    credits: list[tuple[CreditedRecord | None, tuple[str, ...]]]

    def between(self, start: date | None, end: date) -> tuple[list[CreditedRecord], list[str]]:
        low = 0 if start is None else bisect_left(self.dates, start)
        found = self.credits[low : bisect_right(self.dates, end)]
        return (
            [credited for credited, _ in found if credited is not None],
            [reason for _, reasons in found for reason in reasons],
        )


@dataclass(frozen=True)
class Context:
    history: PersonHistory
    as_of: date
    warning: timedelta
    # The person's windows by (calendar, day): versions of a pack mostly share calendars
    # (equal, not the same object), and the carried windows ask each version about the
    # same days. ``same``: a calendar's id -> its first equal's.
    windows: dict[tuple[int, date], Window | None] = field(default_factory=dict)
    same: dict[int, int] = field(default_factory=dict)
    seen: list[Calendar] = field(default_factory=list)
    # The records credited, by the key of the exclusion rules they were credited under.
    credits: dict[tuple[object, ...], _Credits] = field(default_factory=dict)

    def window(self, calendar: Calendar, day: date) -> Window | None:
        """``window_containing(calendar, history, day)``."""
        own = id(calendar)
        same = self.same.get(own)
        if same is None:
            equal = next((c for c in self.seen if c == calendar), None)
            if equal is None:
                self.seen.append(calendar)
            same = self.same[own] = id(equal) if equal is not None else own
        key = (same, day)
        found = self.windows.get(key, _UNKNOWN)
        if found is _UNKNOWN:
            found = self.windows[key] = window_containing(calendar, self.history, day)
        return found

    def previous_window(self, calendar: Calendar, window: Window) -> Window | None:
        """``previous_window(calendar, history, window)``."""
        return self.window(calendar, window.start - _DAY)

    def credited(
        self, version: RuleVersion, requirement_id: str, start: date | None, end: date
    ) -> tuple[list[CreditedRecord], list[str]]:
        """``credited_records`` of the records completed in [start, end] (from the first
        when ``start`` is None) under the version's exclusions for the requirement."""
        exclusions = prepare(version).exclusions(requirement_id)
        found = self.credits.get(exclusions.key)
        if found is None:
            records = self.history.records_between(None, date.max)
            found = _Credits(
                [record.completed_on for record in records],
                [exclusions.credit(record) for record in records],
            )
            self.credits[exclusions.key] = found
        return found.between(start, end)
