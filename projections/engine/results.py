"""A requirement's result put together: its consequence and enforcement overrides, the
first-period and first-window flags, its confidence and citations, and its measure."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Literal

from projections.engine.context import Context
from projections.engine.governing import earlier_reading
from projections.rules.calendars import Window
from projections.rules.measures import Measure
from projections.rules.prepared import prepare
from projections.rules.schema import (
    CompleteOnceRequirement,
    CoursesRequirement,
    EnforcementOverride,
    HoursRequirement,
    LicensePeriodCalendar,
    PoolRequirement,
    Requirement,
    RuleVersion,
    Tolling,
)
from projections.status import RequirementStatus, StatusCode

__all__ = ["ZERO", "result"]

ZERO = Decimal(0)


def result(
    version: RuleVersion,
    requirement: Requirement,
    status: StatusCode,
    measure: Measure | None,
    window: Window | None,
    deadline: date | None,
    tolling: Iterable[Tolling] | None,
    ctx: Context,
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
    earlier = earlier_reading(version, requirement.id, window, ctx) if window is not None else None
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
