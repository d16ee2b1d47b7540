"""The rule engine: ``evaluate(rule_versions, history, as_of) -> Status``.

Pure: no I/O, no clock. Everything it needs is in its arguments — the rule versions known
at ``known_at`` (the caller filters them), the person's history folded at ``known_at``,
and the day asked about. For each requirement id of each pack it finds the person's
window containing ``as_of``, the version that governs that window (see
``projections.rules.selection``), measures the credited records, applies tolling, and
also looks one window back: a previous window whose deadline passed unmet is reported as
``non_compliant`` beside the current one. What it derives from a rule version alone is made
once per version object (``projections.rules.prepared``), not once per person.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from projections.history import PersonHistory
from projections.rules.calendars import (
    Window,
    add_years,
    first_window_start,
    previous_window,
    window_containing,
)
from projections.rules.crediting import CreditedRecord, credited_records, matches
from projections.rules.measures import (
    Measure,
    hours_contribution,
    measure_hours,
    measure_items,
    measure_pool,
)
from projections.rules.prepared import prepare
from projections.rules.schema import (
    CompleteOnceRequirement,
    CoursesRequirement,
    EarlierWindows,
    EnforcementOverride,
    HoursRequirement,
    LicensePeriodCalendar,
    PoolRequirement,
    Requirement,
    RollingCalendar,
    RuleVersion,
    Tolling,
    ValidAtAllTimesRequirement,
)
from projections.rules.selection import claims
from projections.rules.tolling import toll
from projections.status import (
    STATUS_SEVERITY,
    RequirementStatus,
    Status,
    StatusCode,
)

__all__ = ["DEFAULT_WARNING_DAYS", "evaluate"]

DEFAULT_WARNING_DAYS = 90
ZERO = Decimal(0)
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class _Context:
    history: PersonHistory
    as_of: date
    warning: timedelta


def evaluate(
    rule_versions: Iterable[RuleVersion],
    history: PersonHistory,
    as_of: date,
    *,
    warning_days: int = DEFAULT_WARNING_DAYS,
) -> Status:
    """The person's status on ``as_of`` under the given rule versions.

    Versions whose ``effective_from`` is after ``as_of`` are ignored, except one whose legal
    start is unknown (``earlier_windows``): it also judges the windows before it, flagged
    with that reading's confidence and note. Packs are evaluated
    independently and their requirements reported together (a state pack and an agency's
    local pack add up).
    """
    ctx = _Context(history, as_of, timedelta(days=warning_days))
    by_pack: dict[str, list[RuleVersion]] = defaultdict(list)
    for version in rule_versions:
        # A version whose legal start is unknown also judges the windows before it.
        if version.version.effective_from <= as_of or version.version.earlier_windows:
            by_pack[version.pack].append(version)
    results: list[RequirementStatus] = []
    for pack_id in sorted(by_pack):
        versions = sorted(by_pack[pack_id], key=lambda v: v.version.effective_from, reverse=True)
        for requirement_id in sorted({r.id for v in versions for r in v.version.requirements}):
            results.extend(_requirement(versions, requirement_id, ctx))
    results.sort(key=lambda r: r.sort_key)
    overall, reasons = _overall(results, ctx)
    considered = sorted(v.label for vs in by_pack.values() for v in vs)
    return Status(
        person_id=history.person_id,
        as_of=as_of,
        status=overall,
        warning_days=warning_days,
        requirements=tuple(results),
        reasons=tuple(reasons),
        rule_versions=tuple(considered),
    )


# -- overall -------------------------------------------------------------------------------


def _overall(results: Sequence[RequirementStatus], ctx: _Context) -> tuple[StatusCode, list[str]]:
    history, as_of = ctx.history, ctx.as_of
    person_status = history.status_on(as_of)
    if person_status == "not_hired":
        return "inactive", ["not yet hired on this date"]
    if person_status in {"separated", "inactive"}:
        return "inactive", [f"person is {person_status} on {as_of.isoformat()}"]
    if any(r.status == "inactive" for r in results):
        return "inactive", ["no licence on record for this date"]
    applicable = [r for r in results if r.status != "not_applicable"]
    if not applicable:
        return "not_applicable", ["no requirement of the given rule versions binds this person"]
    worst = min(applicable, key=lambda r: STATUS_SEVERITY.index(r.status)).status
    reasons = [
        f"{r.requirement_id} ({r.window_start or ''}–{r.window_end or ''}): {r.status}"
        for r in applicable
        if r.status == worst and worst != "compliant"
    ]
    if any(r.confidence == "uncertain" for r in applicable):
        reasons.append("some requirements rest on an uncertain reading of the rules: verify")
    return worst, reasons


# -- one requirement -----------------------------------------------------------------------


def _definition(version: RuleVersion, requirement_id: str) -> Requirement | None:
    return prepare(version).requirements.get(requirement_id)


def _window(
    version: RuleVersion, requirement: Requirement, ctx: _Context, day: date
) -> Window | None:
    """The requirement's window containing ``day`` (a stand-in window for kinds that have
    none, used only to choose the governing version)."""
    if isinstance(requirement, CompleteOnceRequirement):
        start = requirement.counts_from or version.version.effective_from
        return Window(min(start, requirement.due), requirement.due)
    if isinstance(requirement, ValidAtAllTimesRequirement):
        return Window(day, day)
    calendar = version.calendars[requirement.window]
    if isinstance(calendar, RollingCalendar):
        return Window(day, day)
    return window_containing(calendar, ctx.history, day)


def _govern(
    versions: Sequence[RuleVersion], requirement_id: str, probe: Window, ctx: _Context, day: date
) -> tuple[RuleVersion, Requirement | None, Window] | None:
    """Newest first: the first version that claims the requirement's window; when none
    does, the oldest version whose unknown legal start covers earlier windows
    (``earlier_windows``), so such a window is judged and flagged, not left unbound."""
    for version in versions:
        if version.version.effective_from > ctx.as_of:
            continue  # only there for the windows before it (earlier_windows)
        definition = _definition(version, requirement_id)
        window = _window(version, definition, ctx, day) if definition else probe
        if window is not None and claims(version, window):
            return version, definition, window
    for version in reversed(versions):
        definition = _definition(version, requirement_id)
        if definition is None or not version.version.earlier_windows:
            continue
        window = _window(version, definition, ctx, day)
        if window is not None and _earlier(version, requirement_id, window, ctx) is not None:
            return version, definition, window
    return None


def _earlier(
    version: RuleVersion, requirement_id: str, window: Window, ctx: _Context
) -> EarlierWindows | None:
    """The earlier-window reading a result under ``version`` rests on: the window is not
    one the version claims, or the day asked is before the version's known start."""
    spec = version.version
    if not spec.earlier_windows:
        return None
    if claims(version, window) and ctx.as_of >= spec.effective_from:
        return None
    start = min(window.start, ctx.as_of)
    return spec.earlier_cover(requirement_id, start, window.end)


def _requirement(
    versions: Sequence[RuleVersion], requirement_id: str, ctx: _Context
) -> list[RequirementStatus]:
    defining = [v for v in versions if _definition(v, requirement_id)]
    latest = defining[0]
    latest_def = _definition(latest, requirement_id)
    assert latest_def is not None
    probe = _window(latest, latest_def, ctx, ctx.as_of)
    if probe is None:
        return [_no_window(latest, latest_def, ctx)]
    governed = _govern(versions, requirement_id, probe, ctx, ctx.as_of)
    if governed is None or governed[1] is None:
        pending = [
            v
            for v in defining
            if governed is None or v.version.effective_from > governed[0].version.effective_from
        ]
        if not pending:
            return []
        return [_phased_in(pending[-1], requirement_id, probe, governed, ctx)]
    version, definition, window = governed
    assert definition is not None
    current = _evaluate_in(version, definition, window, ctx)
    out = [current]
    past = _look_back(versions, version, definition, window, ctx)
    if past is not None:
        out.insert(0, past)
    return out


def _look_back(
    versions: Sequence[RuleVersion],
    version: RuleVersion,
    definition: Requirement,
    window: Window,
    ctx: _Context,
) -> RequirementStatus | None:
    """The previous window, if its deadline passed unmet (only for calendared kinds)."""
    if not isinstance(definition, HoursRequirement | PoolRequirement | CoursesRequirement):
        return None
    calendar = version.calendars[definition.window]
    if isinstance(calendar, RollingCalendar):
        return None
    if isinstance(calendar, LicensePeriodCalendar) and not window.projected:
        # A recorded period end at or after this window's end means the licence was
        # renewed for the previous period, and MN POST accepts no renewal with CE unmet.
        return None
    previous = previous_window(calendar, ctx.history, window)
    if previous is None or previous.end >= ctx.as_of:
        return None
    governed = _govern(versions, definition.id, previous, ctx, previous.end)
    if governed is None or governed[1] is None:
        return None
    result = _evaluate_in(governed[0], governed[1], governed[2], ctx)
    return result if result.status == "non_compliant" else None


def _no_window(version: RuleVersion, requirement: Requirement, ctx: _Context) -> RequirementStatus:
    if not _binds(version, requirement, ctx.history, ctx.as_of):
        status: StatusCode = "not_applicable"
        reason = "does not bind this person"
    else:
        status = "inactive"
        reason = "no window yet: no licence or certification on record for this date"
    return _result(version, requirement, status, None, None, None, None, ctx, [reason])


def _phased_in(
    version: RuleVersion,
    requirement_id: str,
    probe: Window,
    governed: tuple[RuleVersion, Requirement | None, Window] | None,
    ctx: _Context,
) -> RequirementStatus:
    definition = _definition(version, requirement_id)
    assert definition is not None
    spec = version.version
    mode = spec.applicability.mode.replace("_", " ")
    reason = (
        f"not yet in force for this window ({probe.start.isoformat()}–{probe.end.isoformat()}): "
        f"version {spec.id} applies by {mode} {spec.effective_from.isoformat()}"
    )
    if governed is not None:
        reason += f"; window governed by {governed[0].id}"
    return _result(version, definition, "not_applicable", None, probe, None, None, ctx, [reason])


def _binds(
    version: RuleVersion, requirement: Requirement, history: PersonHistory, day: date
) -> bool:
    conditions = prepare(version).populations
    return any(conditions[p].hold(history, day) for p in requirement.population)


def _exempt_window(
    version: RuleVersion, requirement: Requirement, window: Window, ctx: _Context
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
            return (
                f"first complete window rule: window started before licensing on "
                f"{licensed.isoformat()}",
                [],
            )
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


def _status_for(met: bool, deadline: date | None, ctx: _Context) -> StatusCode:
    if met:
        return "compliant"
    if deadline is None:
        return "on_track"
    if deadline < ctx.as_of:
        return "non_compliant"
    if deadline - ctx.as_of <= ctx.warning:
        return "due_soon"
    return "on_track"


def _evaluate_in(
    version: RuleVersion, requirement: Requirement, window: Window, ctx: _Context
) -> RequirementStatus:
    history, as_of = ctx.history, ctx.as_of
    reference = min(as_of, window.end)
    notes = list(window.notes)
    if not _binds(version, requirement, history, reference):
        return _result(
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
        return _result(
            version, requirement, "not_applicable", None, window, None, None, ctx, [exempt]
        )
    notes.extend(extra)
    if isinstance(requirement, ValidAtAllTimesRequirement):
        return _valid_at_all_times(version, requirement, ctx)
    if isinstance(requirement, HoursRequirement):
        calendar = version.calendars[requirement.window]
        if isinstance(calendar, RollingCalendar):
            return _rolling(version, requirement, calendar, ctx)
    tolled = toll(version.version.tolling, requirement.id, history, window)
    notes.extend(tolled.reasons)
    if tolled.waived:
        return _result(version, requirement, "not_applicable", None, window, None, None, ctx, notes)
    deadline = tolled.deadline
    count_end = min(as_of, deadline) if deadline else as_of
    start: date | None = window.start
    since: list[date | None] | None = None
    if isinstance(requirement, CompleteOnceRequirement):
        # Late completions cure a missed one-time mandate ("until compliance is filed").
        start, count_end = requirement.counts_from, as_of
    elif isinstance(requirement, CoursesRequirement):
        since = _item_starts(version, requirement, window, history)
        start = min((s for s in since if s is not None), default=None)
    credited, excluded = credited_records(
        history.records_between(start, count_end),
        version.version.credit_exclusions,
        requirement.id,
    )
    notes.extend(excluded)
    measure = _measure(requirement, credited, since)
    if since is not None and isinstance(requirement, CoursesRequirement):
        notes.extend(_earlier_window_credit(requirement, credited, since, window))
    status = _status_for(measure.met, deadline, ctx)
    if deadline is None and not measure.met:
        notes.append("deadline suspended by an open exemption")
    if isinstance(requirement, CompleteOnceRequirement) and measure.met:
        late = [c for c in credited if c.record.completed_on > requirement.due]
        if late and len(late) == len(credited):
            notes.append(f"completed after the {requirement.due.isoformat()} deadline")
    return _result(
        version, requirement, status, measure, window, deadline, tolled.rules, ctx, notes
    )


def _item_starts(
    version: RuleVersion, requirement: CoursesRequirement, window: Window, history: PersonHistory
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
        earlier = previous_window(calendar, history, earlier) if earlier else None
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


def _rolling(
    version: RuleVersion, requirement: HoursRequirement, calendar: RollingCalendar, ctx: _Context
) -> RequirementStatus:
    """Met within ``length_years`` of the last time it was met; first due that long after
    the anchor date (licensing by default)."""
    history, as_of, length = ctx.history, ctx.as_of, calendar.length_years
    credited, excluded = credited_records(
        history.records_between(None, as_of),
        version.version.credit_exclusions,
        requirement.id,
    )
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
    return _result(version, requirement, status, measure, window, deadline, (), ctx, notes)


def _valid_at_all_times(
    version: RuleVersion, requirement: ValidAtAllTimesRequirement, ctx: _Context
) -> RequirementStatus:
    as_of = ctx.as_of
    credited, excluded = credited_records(
        ctx.history.records_between(None, as_of),
        version.version.credit_exclusions,
        requirement.id,
    )
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
    return _result(version, requirement, status, measure, window, deadline, (), ctx, notes)


# -- assembling a result -------------------------------------------------------------------


def _result(
    version: RuleVersion,
    requirement: Requirement,
    status: StatusCode,
    measure: Measure | None,
    window: Window | None,
    deadline: date | None,
    tolling: Iterable[Tolling] | None,
    ctx: _Context,
    notes: list[str],
) -> RequirementStatus:
    spec = version.version
    calendar_id = getattr(requirement, "window", None)
    calendar = version.calendars[calendar_id] if calendar_id else None
    applies = status != "not_applicable"
    first_period = (
        isinstance(calendar, LicensePeriodCalendar)
        and window is not None
        and window.partial
        and applies
    )
    started = ctx.history.licensed_or_hired_on
    first_window = bool(
        requirement.first_window_note
        and window is not None
        and started is not None
        and window.contains(started)
        and applies
    )
    consequence = requirement.consequence or version.consequence
    overrides: list[EnforcementOverride] = []
    for override in spec.enforcement_overrides:
        if deadline is not None and override.starts_on <= deadline <= override.ends_on:
            consequence = override.action
            overrides.append(override)
            notes.append(
                f"enforcement override {override.starts_on.isoformat()}–"
                f"{override.ends_on.isoformat()}: {override.action}"
            )
    earlier = _earlier(version, requirement.id, window, ctx) if window is not None else None
    confidence, flagged, citations = prepare(version).cited(
        version,
        requirement,
        first_period,
        first_window,
        tuple(tolling or ()),
        tuple(overrides),
        earlier,
    )
    return RequirementStatus(
        pack_id=version.pack,
        version_id=spec.id,
        requirement_id=requirement.id,
        title=requirement.title,
        kind=requirement.kind,
        status=status,
        unit=measure.unit if measure else _unit(requirement),
        required=measure.required if measure else _required(requirement),
        counted=measure.counted if measure else ZERO,
        remaining=measure.remaining if measure else ZERO,
        window_start=window.start if window else None,
        window_end=window.end if window else None,
        deadline=deadline,
        records=measure.records if measure else (),
        citations=citations,
        confidence=confidence,
        reasons=(*notes, *flagged),
        topics=measure.topics if measure else (),
        consequence=consequence,
    )


def _unit(requirement: Requirement) -> Literal["hours", "completions"]:
    if isinstance(requirement, HoursRequirement | PoolRequirement):
        return "hours"
    return "completions"


def _required(requirement: Requirement) -> Decimal:
    if isinstance(requirement, HoursRequirement):
        return requirement.min_hours
    if isinstance(requirement, PoolRequirement):
        return requirement.min_total
    if isinstance(requirement, CoursesRequirement | CompleteOnceRequirement):
        return Decimal(len(requirement.complete_each))
    return Decimal(1)
