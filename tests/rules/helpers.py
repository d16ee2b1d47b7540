"""Builders for rule-engine tests: shipped packs by state, people and training records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from functools import cache

from projections.evaluate import evaluate
from projections.history import (
    AssignmentPeriod,
    Exemption,
    LicensePeriod,
    PersonHistory,
    StatusPeriod,
    TrainingRecord,
)
from projections.rules import resolve_versions, shipped_packs
from projections.rules.schema import RuleVersion
from projections.status import RequirementStatus, Status

__all__ = [
    "D",
    "assignment",
    "evaluate_state",
    "exemption",
    "person",
    "rec",
    "requirement",
    "results",
    "versions",
]


def D(value: str | int) -> Decimal:  # noqa: N802 - reads like a literal in test tables
    return Decimal(str(value))


@cache
def versions(state: str) -> tuple[RuleVersion, ...]:
    packs = [p for p in shipped_packs() if p.state == state]
    return tuple(v for p in packs for v in resolve_versions(p))


def rec(
    day: date,
    hours: str | int,
    topics: Mapping[str, str | int] | None = None,
    *,
    rid: str | None = None,
    course: str = "",
    tags: Iterable[str] = (),
    delivery: str = "in_person",
    valid_until: date | None = None,
) -> TrainingRecord:
    topic_hours = {k: D(v) for k, v in (topics or {}).items()}
    key = rid or f"r-{day.isoformat()}-{course}-{'-'.join(sorted(topic_hours))}-{hours}"
    return TrainingRecord(
        record_id=key,
        completed_on=day,
        hours=D(hours),
        topic_hours=topic_hours,
        post_course_number=course,
        tags=frozenset(tags),
        delivery=delivery,
        valid_until=valid_until,
    )


def assignment(starts_on: date, rank: str = "Officer", *assignments: str) -> AssignmentPeriod:
    return AssignmentPeriod(starts_on, rank, "Patrol", tuple(assignments))


def exemption(kind: str, starts_on: date, ends_on: date | None) -> Exemption:
    return Exemption(f"x-{kind}-{starts_on}", kind, starts_on, ends_on)


def person(
    *,
    hired_on: date = date(2010, 1, 4),
    kind: str = "sworn",
    licensed_on: date | None = None,
    period_ends: Iterable[date] = (),
    records: Iterable[TrainingRecord] = (),
    statuses: Iterable[tuple[str, date]] = (),
    rank: str = "Officer",
    assignments: Iterable[str] = ("patrol",),
    exemptions: Iterable[Exemption] = (),
    certified_on: date | None = None,
    basic_completed_on: date | None = None,
    employment: str = "full_time",
    certificates: Iterable[str] = (),
) -> PersonHistory:
    ends = sorted(period_ends)
    licenses = tuple(LicensePeriod("L-1", licensed_on or hired_on, end) for end in ends)
    return PersonHistory(
        person_id="p-1",
        kind=kind,
        hired_on=hired_on,
        statuses=(
            StatusPeriod("active", hired_on),
            *(StatusPeriod(s, d) for s, d in statuses),
        ),
        licenses=licenses,
        assignments=(AssignmentPeriod(hired_on, rank, "Patrol", tuple(assignments)),),
        records=tuple(records),
        exemptions=tuple(exemptions),
        certified_on=certified_on,
        basic_completed_on=basic_completed_on,
        employment=employment,
        certificates=frozenset(certificates),
    )


def evaluate_state(state: str, history: PersonHistory, as_of: date, **kwargs: int) -> Status:
    return evaluate(versions(state), history, as_of, **kwargs)


def results(status: Status, requirement_id: str) -> list[RequirementStatus]:
    """Every result for a requirement id, oldest window first (look-back, then current)."""
    return [r for r in status.requirements if r.requirement_id == requirement_id]


def requirement(status: Status, requirement_id: str) -> RequirementStatus:
    """The current-window result."""
    return results(status, requirement_id)[-1]
