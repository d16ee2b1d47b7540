"""A person's history as the rule engine needs it, folded purely from the ledger's events.

``history_from_events`` is the only bridge between the write side's Person events and the
engine: it filters on recorded time (``known_at``) and nothing else. Effective dates are
kept as facts and interpreted later by ``evaluate`` against ``as_of``. A completion's record
is made by ``completion_record`` alone, whether from the event or from its stored state.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property, singledispatch
from typing import Any

from ledger.person import (
    AssignmentChanged,
    CertificationRecorded,
    ExemptionEnded,
    ExemptionGranted,
    LicenseRecorded,
    LicenseRenewed,
    PersonEnrolled,
    StatusChanged,
    TrainingCompleted,
    TrainingCorrected,
    TrainingVoided,
)

__all__ = [
    "AssignmentPeriod",
    "Exemption",
    "LicensePeriod",
    "PersonHistory",
    "StatusPeriod",
    "TrainingRecord",
    "apply_event",
    "completion_record",
    "history_from_events",
]


@dataclass(frozen=True)
class StatusPeriod:
    """The person's status from ``starts_on`` until the next period starts."""

    status: str
    starts_on: date
    reason: str = ""


@dataclass(frozen=True)
class LicensePeriod:
    """One licence period as recorded: the first from its issue date, renewals from the
    day after the previous period end."""

    license_number: str
    starts_on: date
    period_end: date


@dataclass(frozen=True)
class AssignmentPeriod:
    starts_on: date
    rank: str
    unit: str
    assignments: tuple[str, ...]


@dataclass(frozen=True)
class TrainingRecord:
    """A live training record. ``completed_on`` is its effective date.

    ``tags`` (e.g. ``warrior_style``, ``alerrt_level_1``) and ``valid_until`` (a credential's
    expiry) come from the completion or its latest correction; empty means none recorded.
    """

    record_id: str
    completed_on: date
    hours: Decimal
    topic_hours: Mapping[str, Decimal] = field(default_factory=dict)
    recorded_at: datetime | None = None
    post_course_number: str = ""
    course_title: str = ""
    provider: str = ""
    delivery: str = "in_person"
    tags: frozenset[str] = frozenset()
    valid_until: date | None = None


@dataclass(frozen=True)
class Exemption:
    exemption_id: str
    kind: str
    starts_on: date
    ends_on: date | None
    reason: str = ""


@dataclass(frozen=True)
class PersonHistory:
    """Everything the engine may look at about one person, as known at one instant.

    Fields after ``exemptions`` come from the latest CertificationRecorded; until one is
    recorded their defaults mean "unknown" and the engine says so where it matters.
    """

    person_id: str = ""
    kind: str = "sworn"
    hired_on: date | None = None
    statuses: tuple[StatusPeriod, ...] = ()
    licenses: tuple[LicensePeriod, ...] = ()
    assignments: tuple[AssignmentPeriod, ...] = ()
    records: tuple[TrainingRecord, ...] = ()
    exemptions: tuple[Exemption, ...] = ()
    certified_on: date | None = None
    basic_completed_on: date | None = None
    employment: str = "full_time"
    certificates: frozenset[str] = frozenset()

    def status_on(self, day: date) -> str:
        """``not_hired`` before the hire date; otherwise the latest status started by ``day``."""
        if self.hired_on is not None and day < self.hired_on:
            return "not_hired"
        starts, periods = self._statuses_by_start
        found = bisect_right(starts, day)
        return periods[found - 1].status if found else "active"

    def assignment_on(self, day: date) -> AssignmentPeriod | None:
        """The latest assignment started by ``day`` (the earliest one before any starts)."""
        starts, periods = self._assignments_by_start
        if not periods:
            return None
        return periods[max(bisect_right(starts, day) - 1, 0)]

    # The engine asks for statuses, assignments and licence ends many times per evaluation;
    # each is ordered once per history. Sorting is stable, so among periods starting the
    # same day the one recorded last wins, as it did when they were scanned in order.
    @cached_property
    def _statuses_by_start(self) -> tuple[list[date], tuple[StatusPeriod, ...]]:
        ordered = tuple(sorted(self.statuses, key=lambda p: p.starts_on))
        return [p.starts_on for p in ordered], ordered

    @cached_property
    def _assignments_by_start(self) -> tuple[list[date], tuple[AssignmentPeriod, ...]]:
        ordered = tuple(sorted(self.assignments, key=lambda p: p.starts_on))
        return [p.starts_on for p in ordered], ordered

    @cached_property
    def license_period_ends(self) -> tuple[date, ...]:
        """The recorded licence period ends, distinct and in order."""
        return tuple(sorted({p.period_end for p in self.licenses}))

    @cached_property
    def _records_by_date(self) -> tuple[tuple[TrainingRecord, ...], list[date]]:
        ordered = tuple(sorted(self.records, key=lambda r: (r.completed_on, r.record_id)))
        return ordered, [r.completed_on for r in ordered]

    def records_between(self, start: date | None, end: date) -> tuple[TrainingRecord, ...]:
        """Records completed in [start, end] (from the first if ``start`` is None), ordered
        by date and id. Every window of every requirement asks, so the order is built once
        per history and the range found by bisection."""
        ordered, dates = self._records_by_date
        low = 0 if start is None else bisect_left(dates, start)
        return ordered[low : bisect_right(dates, end)]

    @cached_property
    def first_licensed_on(self) -> date | None:
        return min((p.starts_on for p in self.licenses), default=None)

    @property
    def licensed_or_hired_on(self) -> date | None:
        return self.first_licensed_on or self.hired_on


# -- the fold -------------------------------------------------------------------------------


@singledispatch
def apply_event(event: object, history: PersonHistory) -> PersonHistory:
    """Events the engine does not need (or does not know yet) leave the history unchanged."""
    return history


@apply_event.register
def _(event: PersonEnrolled, history: PersonHistory) -> PersonHistory:
    return replace(
        history,
        person_id=str(event.originator_id),
        kind=event.kind,
        hired_on=event.hired_on,
        statuses=(StatusPeriod("active", event.hired_on, "enrolled"),),
        assignments=(
            AssignmentPeriod(event.hired_on, event.rank, event.unit, tuple(event.assignments)),
        ),
    )


@apply_event.register
def _(event: LicenseRecorded, history: PersonHistory) -> PersonHistory:
    period = LicensePeriod(event.license_number, event.issued_on, event.period_end)
    return replace(history, licenses=(*history.licenses, period))


@apply_event.register
def _(event: LicenseRenewed, history: PersonHistory) -> PersonHistory:
    previous = max((p.period_end for p in history.licenses), default=None)
    # A renewal continues the previous period: it starts the day after that period ends.
    starts_on = previous + timedelta(days=1) if previous else event.effective_on
    period = LicensePeriod(event.license_number, starts_on, event.period_end)
    return replace(history, licenses=(*history.licenses, period))


@apply_event.register
def _(event: StatusChanged, history: PersonHistory) -> PersonHistory:
    period = StatusPeriod(event.status, event.effective_on, event.reason)
    return replace(history, statuses=(*history.statuses, period))


@apply_event.register
def _(event: AssignmentChanged, history: PersonHistory) -> PersonHistory:
    period = AssignmentPeriod(event.effective_on, event.rank, event.unit, tuple(event.assignments))
    return replace(history, assignments=(*history.assignments, period))


def _completed(event: TrainingCompleted) -> TrainingRecord:
    return completion_record(vars(event), lambda value: value)


def completion_record(state: Mapping[str, Any], value: Callable[[Any], Any]) -> TrainingRecord:
    """The record a ``TrainingCompleted`` makes, from the event's fields or from its stored
    state (``value`` decodes one stored value; the identity for the event's own)."""
    valid_until = state["valid_until"]
    return TrainingRecord(
        record_id=str(value(state["record_id"])),
        completed_on=value(state["effective_on"]),
        hours=value(state["hours"]),
        topic_hours={topic: value(hours) for topic, hours in state["topic_hours"].items()},
        recorded_at=value(state["timestamp"]),
        post_course_number=state["post_course_number"],
        course_title=state["course_title"],
        provider=state["provider"],
        delivery=state["delivery"],
        tags=frozenset(state["tags"]),
        valid_until=None if valid_until is None else value(valid_until),
    )


def _corrected(record: TrainingRecord, event: TrainingCorrected) -> TrainingRecord:
    # A correction is a full restatement of the record; its recorded time stays the
    # original's, because that is when the training first became known.
    return replace(
        record,
        completed_on=event.effective_on,
        hours=event.hours,
        topic_hours=dict(event.topic_hours),
        post_course_number=event.post_course_number,
        course_title=event.course_title,
        provider=event.provider,
        delivery=event.delivery,
        tags=frozenset(event.tags),
        valid_until=event.valid_until,
    )


@apply_event.register
def _(event: TrainingCompleted, history: PersonHistory) -> PersonHistory:
    return replace(history, records=(*history.records, _completed(event)))


@apply_event.register
def _(event: TrainingCorrected, history: PersonHistory) -> PersonHistory:
    key = str(event.record_id)
    records = tuple(_corrected(r, event) if r.record_id == key else r for r in history.records)
    return replace(history, records=records)


@apply_event.register
def _(event: CertificationRecorded, history: PersonHistory) -> PersonHistory:
    return replace(
        history,
        certified_on=event.certified_on,
        basic_completed_on=event.basic_completed_on,
        certificates=frozenset(event.certificates),
        employment=event.employment,
    )


@apply_event.register
def _(event: TrainingVoided, history: PersonHistory) -> PersonHistory:
    key = str(event.record_id)
    return replace(history, records=tuple(r for r in history.records if r.record_id != key))


@apply_event.register
def _(event: ExemptionGranted, history: PersonHistory) -> PersonHistory:
    exemption = Exemption(
        str(event.exemption_id), event.kind, event.starts_on, event.ends_on, event.reason
    )
    return replace(history, exemptions=(*history.exemptions, exemption))


@apply_event.register
def _(event: ExemptionEnded, history: PersonHistory) -> PersonHistory:
    key = str(event.exemption_id)
    exemptions = tuple(
        replace(e, ends_on=event.ended_on) if e.exemption_id == key else e
        for e in history.exemptions
    )
    return replace(history, exemptions=exemptions)


def history_from_events(
    events: Iterable[object], known_at: datetime | None = None
) -> PersonHistory:
    """Fold one person's events (in stream order) recorded at or before ``known_at``.

    ``known_at=None`` means "everything given"; the caller decides what "now" is, so this
    function never reads a clock. Equal to folding ``apply_event`` over the events; training
    records are gathered in a dict on the way, because re-building the records tuple for
    every completion made long histories quadratic. A ``TrainingRecord`` among the events
    stands for the completion it was made from (``completion_record``), so a reader of
    stored events can skip building the event.
    """
    history = PersonHistory()
    records: dict[str, TrainingRecord] = {}
    for event in events:
        if type(event) is TrainingRecord:
            if known_at is None or event.recorded_at is None or event.recorded_at <= known_at:
                records[event.record_id] = event
            continue
        timestamp = getattr(event, "timestamp", None)
        if known_at is not None and timestamp is not None and timestamp > known_at:
            continue
        if isinstance(event, TrainingCompleted):
            record = _completed(event)
            records[record.record_id] = record
        elif isinstance(event, TrainingCorrected):
            key = str(event.record_id)
            if key in records:
                records[key] = _corrected(records[key], event)
        elif isinstance(event, TrainingVoided):
            records.pop(str(event.record_id), None)
        else:
            history = apply_event(event, history)
    return replace(history, records=tuple(records.values()))
