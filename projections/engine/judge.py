"""One requirement judged in one window: whom it binds, the window's exemptions, tolling,
the credited records and their measure, and the status against the deadline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from projections.carry import UNMET
from projections.engine.context import Context
from projections.engine.results import result
from projections.engine.windowless import rolling, valid_at_all_times
from projections.history import PersonHistory
from projections.rules.calendars import Window, first_window_start
from projections.rules.crediting import CreditedRecord, matches
from projections.rules.measures import Measure, measure_hours, measure_items, measure_pool
from projections.rules.prepared import prepare
from projections.rules.schema import (
    CompleteOnceRequirement,
    CoursesRequirement,
    HoursRequirement,
    PoolRequirement,
    Requirement,
    RollingCalendar,
    RuleVersion,
    ValidAtAllTimesRequirement,
)
from projections.rules.tolling import toll
from projections.status import RequirementStatus, StatusCode

__all__ = ["binds", "evaluate_in", "unmet_in"]


def binds(
    version: RuleVersion, requirement: Requirement, history: PersonHistory, day: date
) -> bool:
    conditions = prepare(version).populations
    return any(conditions[p].hold(history, day) for p in requirement.population)


def _exempt_window(
    version: RuleVersion, requirement: Requirement, window: Window, ctx: Context
) -> tuple[str | None, list[str]]:
    """A reason the window does not apply to the person at all, plus notes."""
    history, notes = ctx.history, []
    if requirement.not_before_calendar:
        calendar = version.calendars[requirement.not_before_calendar]
        first = first_window_start(calendar, history)
        if first is not None and window.start < first:
            return f"window starts before the person's first {requirement.not_before_calendar}", []
    if requirement.proration == "first_complete_window":
        licensed = history.licensed_or_hired_on
        if licensed is not None and window.start < licensed:
            # Keyed on the licence date: a lateral hire licensed years before is not new.
            what = "licensing" if history.license_issued_on else "hire"
            reason = (
                f"first complete window rule: window started before {what} on "
                f"{licensed.isoformat()}"
            )
            note = history.licence_date_note
            return (f"{reason} ({note})" if note else reason), []
    if requirement.exempt_year_of_basic:
        basic = history.basic_completed_on
        if basic is not None and window.contains(basic):
            return f"exempt: basic training completed in this window ({basic.isoformat()})", []
        hired = history.hired_on
        if basic is None and hired is not None and window.contains(hired):
            notes.append(
                "hired in this window but the basic-training completion date is not recorded: "
                "year-of-basic exemption not checked"
            )
    return None, notes


def _status_for(met: bool, deadline: date | None, ctx: Context) -> StatusCode:
    if met:
        return "compliant"
    if deadline is None:
        return "on_track"
    if deadline < ctx.as_of:
        return "non_compliant"
    if deadline - ctx.as_of <= ctx.warning:
        return "due_soon"
    return "on_track"


def evaluate_in(
    version: RuleVersion, requirement: Requirement, window: Window, ctx: Context
) -> RequirementStatus:
    judged = _judge(version, requirement, window, ctx, unmet_only=False)
    assert judged is not None
    return judged


def unmet_in(
    version: RuleVersion, requirement: Requirement, window: Window, ctx: Context
) -> RequirementStatus | None:
    """The window's result when it is still unmet, else None without assembling it (the
    carried windows of a long career are mostly met)."""
    return _judge(version, requirement, window, ctx, unmet_only=True)


def _judge(
    version: RuleVersion,
    requirement: Requirement,
    window: Window,
    ctx: Context,
    *,
    unmet_only: bool,
) -> RequirementStatus | None:
    history, as_of = ctx.history, ctx.as_of
    reference = min(as_of, window.end)
    notes = list(window.notes)
    if not binds(version, requirement, history, reference):
        if unmet_only:
            return None
        return result(
            version,
            requirement,
            "not_applicable",
            None,
            window,
            None,
            None,
            ctx,
            ["does not bind this person (population)"],
        )
    exempt, extra = _exempt_window(version, requirement, window, ctx)
    if exempt is not None:
        if unmet_only:
            return None
        return result(
            version, requirement, "not_applicable", None, window, None, None, ctx, [exempt]
        )
    notes.extend(extra)
    if isinstance(requirement, ValidAtAllTimesRequirement):
        return valid_at_all_times(version, requirement, ctx)
    if isinstance(requirement, HoursRequirement):
        calendar = version.calendars[requirement.window]
        if isinstance(calendar, RollingCalendar):
            return rolling(version, requirement, calendar, ctx)
    tolled = toll(version.version.tolling, requirement.id, history, window)
    notes.extend(tolled.reasons)
    if tolled.waived:
        if unmet_only:
            return None
        return result(version, requirement, "not_applicable", None, window, None, None, ctx, notes)
    deadline = tolled.deadline
    count_end = min(as_of, deadline) if deadline else as_of
    start: date | None = window.start
    since: list[date | None] | None = None
    if isinstance(requirement, CompleteOnceRequirement):
        # Late completions cure a missed one-time mandate ("until compliance is filed").
        start, count_end = requirement.counts_from, as_of
    elif isinstance(requirement, CoursesRequirement):
        since = _item_starts(version, requirement, window, ctx)
        start = min((s for s in since if s is not None), default=None)
    credited, excluded = ctx.credited(version, requirement.id, start, count_end)
    notes.extend(excluded)
    measure = _measure(requirement, credited, since)
    if since is not None and isinstance(requirement, CoursesRequirement):
        notes.extend(_earlier_window_credit(requirement, credited, since, window))
    status = _status_for(measure.met, deadline, ctx)
    if unmet_only and status not in UNMET:
        return None
    if deadline is None and not measure.met:
        notes.append("deadline suspended by an open exemption")
    if isinstance(requirement, CompleteOnceRequirement) and measure.met:
        late = [c for c in credited if c.record.completed_on > requirement.due]
        if late and len(late) == len(credited):
            notes.append(f"completed after the {requirement.due.isoformat()} deadline")
    return result(version, requirement, status, measure, window, deadline, tolled.rules, ctx, notes)


def _item_starts(
    version: RuleVersion, requirement: CoursesRequirement, window: Window, ctx: Context
) -> list[date | None]:
    """The first completion date each item accepts: the window's start, or the start of the
    window ``extra_windows_back`` before it (the item's own allowance, or the requirement's
    for every item)."""
    calendar = version.calendars[requirement.window]
    starts: dict[int, date] = {0: window.start}
    earlier: Window | None = window
    back = max(
        (requirement.extra_windows_back, *(i.extra_windows_back for i in requirement.complete_each))
    )
    for n in range(1, back + 1):
        earlier = ctx.previous_window(calendar, earlier) if earlier else None
        starts[n] = earlier.start if earlier is not None else starts[n - 1]
    return [
        starts[max(requirement.extra_windows_back, item.extra_windows_back)]
        for item in requirement.complete_each
    ]


def _earlier_window_credit(
    requirement: CoursesRequirement,
    credited: Sequence[CreditedRecord],
    since: Sequence[date | None],
    window: Window,
) -> list[str]:
    """Say which items were met only by a completion before the window (the allowance)."""
    notes = []
    for item, first in zip(requirement.complete_each, since, strict=True):
        if first is None or first >= window.start:
            continue
        inside = [
            c
            for c in credited
            if c.record.completed_on >= window.start and matches(item, c.record, c.topic_hours)
        ]
        before = [
            c
            for c in credited
            if first <= c.record.completed_on < window.start
            and matches(item, c.record, c.topic_hours)
        ]
        if before and not inside:
            record = before[-1].record
            notes.append(
                f"{item.label or 'item'}: counted from the earlier window beginning "
                f"{first.isoformat()} (record {record.record_id}, "
                f"{record.completed_on.isoformat()}), as the rule allows for this item"
            )
    return notes


def _measure(
    requirement: Requirement,
    credited: list[CreditedRecord],
    since: Sequence[date | None] | None = None,
) -> Measure:
    if isinstance(requirement, HoursRequirement):
        return measure_hours(requirement, credited)
    if isinstance(requirement, PoolRequirement):
        return measure_pool(requirement, credited)
    if isinstance(requirement, CoursesRequirement):
        return measure_items(requirement.complete_each, credited, since)
    if isinstance(requirement, CompleteOnceRequirement):
        return measure_items(requirement.complete_each, credited)
    raise TypeError(type(requirement).__name__)
