"""Requirements without fixed windows: rolling ones (met within so many years of the last
time they were met) and credentials that must be unexpired on the day asked."""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, timedelta
from decimal import Decimal

from projections.engine.context import Context
from projections.engine.results import ZERO, result
from projections.rules.calendars import Window, add_years
from projections.rules.crediting import matches
from projections.rules.measures import Measure, hours_contribution
from projections.rules.schema import (
    HoursRequirement,
    RollingCalendar,
    RuleVersion,
    ValidAtAllTimesRequirement,
)
from projections.status import RequirementStatus, StatusCode

__all__ = ["rolling", "valid_at_all_times"]

_DAY = timedelta(days=1)


def rolling(
    version: RuleVersion, requirement: HoursRequirement, calendar: RollingCalendar, ctx: Context
) -> RequirementStatus:
    """Met within ``length_years`` of the last time it was met; first due that long after
    the anchor date (licensing by default)."""
    history, as_of, length = ctx.history, ctx.as_of, calendar.length_years
    credited, excluded = ctx.credited(version, requirement.id, None, as_of)
    shares = [(c.record.completed_on, hours_contribution(requirement, c), c) for c in credited]
    shares = [s for s in shares if s[1] > 0]
    # Shares are in date order: the hours in (day - length, day] are a difference of
    # running totals (exact: decimals add without rounding at these sizes).
    dates = [d for d, _, _ in shares]
    running = [ZERO]
    for _, h, _ in shares:
        running.append(running[-1] + h)
    last_met = None
    for day in dates:
        total = (
            running[bisect_right(dates, day)]
            - running[bisect_right(dates, add_years(day, -length))]
        )
        if total >= requirement.min_hours:
            last_met = day
    notes = list(excluded)
    anchors = {
        "licensed_on": history.licensed_or_hired_on,
        "hired_on": history.hired_on,
        "certified_on": history.certified_on or history.hired_on,
    }
    anchor = anchors[calendar.first_due_from]
    if last_met is not None:
        deadline: date | None = add_years(last_met, length)
    elif anchor is not None:
        deadline = add_years(anchor, length)
        notes.append(
            f"never completed: first due {length} years after {calendar.first_due_from} "
            f"({anchor.isoformat()})"
        )
    else:
        deadline = None
    since = add_years(as_of, -length)
    recent = [s for s in shares if s[0] > since]
    counted = sum((h for _, h, _ in recent), ZERO)
    met_now = last_met is not None and deadline is not None and deadline >= as_of
    window = Window(add_years(deadline, -length) + _DAY, deadline) if deadline is not None else None
    if deadline is not None and deadline < as_of:
        status: StatusCode = "non_compliant"
    elif deadline is not None and deadline - as_of <= ctx.warning:
        status = "due_soon"
        if met_now:
            notes.append(f"last met on {last_met}; a new course is due by {deadline.isoformat()}")
    else:
        status = "compliant" if met_now else "on_track"
    remaining = ZERO if met_now else max(requirement.min_hours - counted, ZERO)
    measure = Measure(
        "hours",
        requirement.min_hours,
        counted,
        remaining,
        tuple(s[2].record.record_id for s in recent),
    )
    return result(version, requirement, status, measure, window, deadline, (), ctx, notes)


def valid_at_all_times(
    version: RuleVersion, requirement: ValidAtAllTimesRequirement, ctx: Context
) -> RequirementStatus:
    as_of = ctx.as_of
    credited, excluded = ctx.credited(version, requirement.id, None, as_of)
    held = [c for c in credited if matches(requirement.credential, c.record, c.topic_hours)]
    current = [c for c in held if c.record.valid_until and c.record.valid_until >= as_of]
    notes = list(excluded)
    if current:
        best = max(current, key=lambda c: (c.record.valid_until, c.record.record_id))
        deadline = best.record.valid_until
        assert deadline is not None
        status: StatusCode = "due_soon" if deadline - as_of <= ctx.warning else "compliant"
        used: tuple[str, ...] = (best.record.record_id,)
        counted = Decimal(1)
    elif held and held[-1].record.valid_until is None:
        # The newest credential on record has no expiry: whether it is current cannot be
        # shown, but nothing shows a deadline was missed either (an import without the
        # expiry column). Said, and flagged for the coordinator, rather than non_compliant.
        newest = held[-1].record
        deadline, used, counted = None, (), ZERO
        status = "due_soon"
        notes.append(
            f"{requirement.credential.label or 'credential'} on record (record "
            f"{newest.record_id}, completed {newest.completed_on.isoformat()}) has no expiry "
            "date, so it cannot show the credential is current: record its valid_until "
            "(import column valid_until)"
        )
    else:
        expiries = [c.record.valid_until for c in held if c.record.valid_until]
        deadline = max(expiries) if expiries else None
        status, used, counted = "non_compliant", (), ZERO
        if deadline is not None:
            notes.append(f"no unexpired credential on record: the latest expired on {deadline}")
        else:
            notes.append("no credential on record for this date")
    measure = Measure("completions", Decimal(1), counted, Decimal(1) - counted, used)
    window = Window(as_of, as_of)
    return result(version, requirement, status, measure, window, deadline, (), ctx, notes)
