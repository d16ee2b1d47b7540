"""A person's history as the rule engine needs it, folded purely from the ledger's events.

``history_from_events`` is the only bridge between the write side's Person events and the
engine: it filters on recorded time (``known_at``) and nothing else. Effective dates are
kept as facts and interpreted later by ``evaluate`` against ``as_of``. ``HistoryFold`` is
the fold itself, one event at a time; its ``add_record`` lets a reader of stored events
(``replay.stored_streams``) put a completion's record in its place without its event.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property, singledispatch

from ledger.person import (
    AssignmentChanged,
    CertificationRecorded,
    ExemptionEnded,
    ExemptionGranted,
    ExtensionEnded,
    ExtensionGranted,
    LicenseRecorded,
    LicenseRenewed,
    PersonEnrolled,
    StatusChanged,
    TrainingCompleted,
    TrainingCorrected,
    TrainingVoided,
    WaiverEnded,
    WaiverGranted,
)

__all__ = [
    "EXTENSION",
    "WAIVER",
    "AssignmentPeriod",
    "Correction",
    "Exemption",
    "HistoryFold",
    "LicensePeriod",
    "PersonHistory",
    "StatusPeriod",
    "TrainingRecord",
    "history_from_events",
    "training_record",
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
    day after the previous period end.

    ``source`` says what the ledger was told: ``issued`` (a licence with its issue date),
    ``expiry`` (only the current period's end, as a roster import gives it: ``starts_on``
    is then the hire date, a stand-in, not an issue date) or ``renewal``."""

    license_number: str
    starts_on: date
    period_end: date
    source: str = "issued"


@dataclass(frozen=True)
class AssignmentPeriod:
    starts_on: date
    rank: str
    unit: str
    assignments: tuple[str, ...]


@dataclass(frozen=True)
class Correction:
    """One correction of a record: when the ledger learned it, why, and what it changed."""

    recorded_at: datetime | None
    reason: str
    changed: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrainingRecord:
    """A live training record. ``completed_on`` is its effective date.

    ``tags`` (e.g. ``warrior_style``, ``alerrt_level_1``) and ``valid_until`` (a credential's
    expiry) come from the completion or its latest correction; empty means none recorded.
    ``recorded_at`` is the completion's recorded time; ``corrections`` (oldest first) carry
    their own, so an answer shows when each value it counts became known.
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
    corrections: tuple[Correction, ...] = ()


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

    def period_end_source(self, end: date) -> str:
        """How the period end ``end`` came to be on record (``LicensePeriod.source``)."""
        return next((p.source for p in self.licenses if p.period_end == end), "")

    @cached_property
    def license_issued_on(self) -> date | None:
        """The licence issue date, when one is recorded (not a stand-in)."""
        return min((p.starts_on for p in self.licenses if p.source == "issued"), default=None)

    @cached_property
    def first_licensed_on(self) -> date | None:
        """From when licence periods run for this person: the recorded issue date; with
        only a period end on record, the hire date (the agency answers from then on; the
        periods themselves are derived from the recorded end, see ``rules.calendars``)."""
        if not self.licenses:
            return None
        if self.license_issued_on is not None:
            return self.license_issued_on
        return self.hired_on or min(p.starts_on for p in self.licenses)

    @property
    def licensed_or_hired_on(self) -> date | None:
        """The licence issue date when recorded, else the hire date (callers that key an
        exemption on it say which one was used: ``licence_date_note``)."""
        return self.license_issued_on or self.hired_on

    @property
    def licence_date_note(self) -> str:
        """Empty when the licence issue date is recorded; else why the hire date stands in."""
        if self.license_issued_on is not None or self.hired_on is None:
            return ""
        return (
            f"licence issue date not recorded: the hire date {self.hired_on.isoformat()} "
            "is used (record license_issued_on)"
        )


# -- the fold -------------------------------------------------------------------------------


@singledispatch
def _apply(event: object, history: PersonHistory) -> PersonHistory:
    """Events the engine does not need (or does not know yet) leave the history unchanged.
    Training records are not kept here but by the fold (``HistoryFold``), by record id."""
    return history


@_apply.register
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


@_apply.register
def _(event: LicenseRecorded, history: PersonHistory) -> PersonHistory:
    if event.issued_on is not None:
        period = LicensePeriod(event.license_number, event.issued_on, event.period_end)
    else:
        period = LicensePeriod(
            event.license_number, event.effective_on, event.period_end, source="expiry"
        )
    return replace(history, licenses=(*history.licenses, period))


@_apply.register
def _(event: LicenseRenewed, history: PersonHistory) -> PersonHistory:
    previous = max((p.period_end for p in history.licenses), default=None)
    # A renewal continues the previous period: it starts the day after that period ends.
    starts_on = previous + timedelta(days=1) if previous else event.effective_on
    period = LicensePeriod(event.license_number, starts_on, event.period_end, source="renewal")
    return replace(history, licenses=(*history.licenses, period))


@_apply.register
def _(event: StatusChanged, history: PersonHistory) -> PersonHistory:
    period = StatusPeriod(event.status, event.effective_on, event.reason)
    return replace(history, statuses=(*history.statuses, period))


@_apply.register
def _(event: AssignmentChanged, history: PersonHistory) -> PersonHistory:
    period = AssignmentPeriod(event.effective_on, event.rank, event.unit, tuple(event.assignments))
    return replace(history, assignments=(*history.assignments, period))


@_apply.register
def _(event: CertificationRecorded, history: PersonHistory) -> PersonHistory:
    return replace(
        history,
        certified_on=event.certified_on,
        basic_completed_on=event.basic_completed_on,
        certificates=frozenset(event.certificates),
        employment=event.employment,
    )


@_apply.register
def _(event: ExemptionGranted, history: PersonHistory) -> PersonHistory:
    exemption = Exemption(
        str(event.exemption_id), event.kind, event.starts_on, event.ends_on, event.reason
    )
    return replace(history, exemptions=(*history.exemptions, exemption))


# Waivers and extensions are exemptions of these kinds to the engine; what each does is
# the pack's tolling rule with the matching effect (projections.rules.tolling).
WAIVER, EXTENSION = "waiver", "extension"


@_apply.register
def _(event: WaiverGranted, history: PersonHistory) -> PersonHistory:
    waiver = Exemption(str(event.waiver_id), WAIVER, event.starts_on, event.ends_on, event.reason)
    return replace(history, exemptions=(*history.exemptions, waiver))


@_apply.register
def _(event: ExtensionGranted, history: PersonHistory) -> PersonHistory:
    extension = Exemption(
        str(event.extension_id), EXTENSION, event.effective_on, event.new_deadline, event.reason
    )
    return replace(history, exemptions=(*history.exemptions, extension))


def _ended(history: PersonHistory, key: str, ended_on: date) -> PersonHistory:
    exemptions = tuple(
        replace(e, ends_on=ended_on) if e.exemption_id == key else e for e in history.exemptions
    )
    return replace(history, exemptions=exemptions)


@_apply.register
def _(event: ExemptionEnded, history: PersonHistory) -> PersonHistory:
    return _ended(history, str(event.exemption_id), event.ended_on)


@_apply.register
def _(event: WaiverEnded, history: PersonHistory) -> PersonHistory:
    return _ended(history, str(event.waiver_id), event.ended_on)


@_apply.register
def _(event: ExtensionEnded, history: PersonHistory) -> PersonHistory:
    return _ended(history, str(event.extension_id), event.ended_on)


def training_record(event: TrainingCompleted) -> TrainingRecord:
    """The record a completion makes: its effective date is the day completed, its
    recorded time when the training became known."""
    return TrainingRecord(
        record_id=str(event.record_id),
        completed_on=event.effective_on,
        hours=event.hours,
        topic_hours=dict(event.topic_hours),
        recorded_at=event.timestamp,
        post_course_number=event.post_course_number,
        course_title=event.course_title,
        provider=event.provider,
        delivery=event.delivery,
        tags=frozenset(event.tags),
        valid_until=event.valid_until,
    )


def _corrected(record: TrainingRecord, event: TrainingCorrected) -> TrainingRecord:
    # A correction is a full restatement of the record; the record's recorded time stays
    # the original's (when the training first became known), the correction's is its own.
    correction = Correction(event.timestamp, event.reason, tuple(event.changed))
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
        corrections=(*record.corrections, correction),
    )


class HistoryFold:
    """One person's history being folded, event by event in stream order.

    Live training records are kept by record id (a completion adds one, a correction
    restates it, a void removes it), so a long history folds in linear time.
    """

    def __init__(self) -> None:
        self._history = PersonHistory()
        self._records: dict[str, TrainingRecord] = {}

    def apply(self, event: object) -> None:
        if isinstance(event, TrainingCompleted):
            self.add_record(training_record(event))
        elif isinstance(event, TrainingCorrected):
            key = str(event.record_id)
            if key in self._records:
                self._records[key] = _corrected(self._records[key], event)
        elif isinstance(event, TrainingVoided):
            self._records.pop(str(event.record_id), None)
        else:
            self._history = _apply(event, self._history)

    def add_record(self, record: TrainingRecord) -> None:
        """What ``apply`` does with the completion ``record`` was made from (its
        ``training_record``), for a reader that made the record without the event."""
        self._records[record.record_id] = record

    def history(self) -> PersonHistory:
        return replace(self._history, records=tuple(self._records.values()))


def history_from_events(
    events: Iterable[object], known_at: datetime | None = None
) -> PersonHistory:
    """Fold one person's events (in stream order) recorded at or before ``known_at``.

    ``known_at=None`` means "everything given"; the caller decides what "now" is, so this
    function never reads a clock.
    """
    fold = HistoryFold()
    for event in events:
        timestamp = getattr(event, "timestamp", None)
        if known_at is not None and timestamp is not None and timestamp > known_at:
            continue
        fold.apply(event)
    return fold.history()
