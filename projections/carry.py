"""Missed windows carried: a window whose deadline passed unmet stays a finding until cured.

How long a window is carried (``docs/rule-packs.md``, "Missed windows"):

- every earlier window of a calendared requirement (fixed, licence period, cohort) whose
  result is not met is reported beside the current one: ``non_compliant`` once its
  (possibly extended) deadline has passed, ``due_soon``/``on_track`` while an extension
  still runs;
- it stops being reported when it is cured (only where a pack's rule lets a late
  completion count for the window: the shipped packs let none count for hours, pools or
  course lists, so such a window is met only by completions inside it), or when the
  person's licence lapsed or the person separated after it ended (a recorded ``inactive``
  or ``separated`` status: a reinstatement starts afresh), or when it ended before the
  person's hire (the agency never answered for it);
- a requirement a later rule version drops is still walked, under the versions that
  defined it, so a one-cycle mandate missed stays a finding after the next cycle starts.

Rolling requirements carry by their nature (the deadline stays the last one missed), and
``complete_once`` mandates stay ``non_compliant`` past their due date until a completion
cures them. ``valid_at_all_times`` credentials are judged on the day asked only.

The walk is bounded: from the current window back to the first one that ends on or after
the bound (hire, or the latest lapse or separation), a few dozen windows at most for an
annual calendar over a career, each measured by bisection over the dated records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from projections.history import PersonHistory
from projections.rules.calendars import Window
from projections.rules.schema import (
    Calendar,
    CoursesRequirement,
    HoursRequirement,
    LicensePeriodCalendar,
    PoolRequirement,
    Requirement,
    RollingCalendar,
    RuleVersion,
)
from projections.status import RequirementStatus

__all__ = ["UNMET", "carried", "carry_bound"]

# Results of an earlier window that are still findings (met and exempt ones are not).
UNMET = frozenset({"non_compliant", "due_soon", "on_track"})
# A lapse or separation ends the carry of windows missed before it.
_ENDS_CARRY = frozenset({"inactive", "separated"})

Governed = tuple[RuleVersion, Requirement | None, Window]
Govern = Callable[[str, Window, date], Governed | None]
# The window's result when unmet, else None.
Judge = Callable[[RuleVersion, Requirement, Window], RequirementStatus | None]
# The person's window of a calendar just before a window (``rules.calendars.previous_window``).
Previous = Callable[[Calendar, Window], Window | None]


def carry_bound(history: PersonHistory, as_of: date) -> date | None:
    """Windows ending before this day are not carried: the hire, or a later recorded
    lapse or separation (None: no hire on record, so only one window back is looked at)."""
    bound = history.hired_on
    for period in history.statuses:
        if period.status in _ENDS_CARRY and period.starts_on <= as_of:
            bound = max(bound, period.starts_on) if bound else period.starts_on
    return bound


def carried(
    requirement_id: str,
    calendar_of: RuleVersion,
    definition: Requirement,
    window: Window,
    history: PersonHistory,
    as_of: date,
    govern: Govern,
    judge: Judge,
    previous: Previous,
) -> list[RequirementStatus]:
    """The unmet results of the windows before ``window``, oldest first.

    ``calendar_of``/``definition``: the version whose calendar the windows are walked in
    (the governing one, or for a dropped requirement the newest that defined it).
    ``govern`` finds the version that governs an earlier window, ``judge`` evaluates it
    (None when it is met or does not apply), ``previous`` steps back one window.
    """
    if not isinstance(definition, HoursRequirement | PoolRequirement | CoursesRequirement):
        return []
    calendar = calendar_of.calendars[definition.window]
    if isinstance(calendar, RollingCalendar):
        return []
    bound = carry_bound(history, as_of)
    found: list[RequirementStatus] = []
    earlier: Window | None = window
    while earlier is not None:
        earlier = previous(calendar, earlier)
        if earlier is None or earlier.start > as_of:
            break
        if bound is not None and earlier.end < bound:
            break
        result = _judged(requirement_id, earlier, govern, judge)
        if result is not None and result.status in UNMET:
            found.append(_with_conflict(result, calendar, history, earlier))
        if bound is None:
            break  # no hire on record: nothing bounds the walk, so only one window back
    found.reverse()
    return found


def _judged(
    requirement_id: str,
    earlier: Window,
    govern: Govern,
    judge: Judge,
) -> RequirementStatus | None:
    governed = govern(requirement_id, earlier, earlier.end)
    if governed is None or governed[1] is None:
        return None  # the version governing that window did not define the requirement
    return judge(governed[0], governed[1], governed[2])


def _with_conflict(
    result: RequirementStatus,
    calendar: object,
    history: PersonHistory,
    window: Window,
) -> RequirementStatus:
    """A licence period that closed short while a later period end is on record: the
    records and the licence disagree, and the reason says how that later end got there."""
    if result.status != "non_compliant" or not isinstance(calendar, LicensePeriodCalendar):
        return result
    later = [end for end in history.license_period_ends if end > window.end]
    if not later:
        return result
    how = {
        "renewal": "a recorded renewal",
        "issued": "a recorded licence",
        "expiry": "only an imported expiry date",
    }
    end = later[0]
    reason = (
        f"period closed short, yet a later period end {end.isoformat()} is on record "
        f"({how.get(history.period_end_source(end), 'recorded')}): the training records are "
        "incomplete or the licence record is wrong"
    )
    return replace(result, reasons=(*result.reasons, reason))
