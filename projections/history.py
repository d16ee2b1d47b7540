"""A person's history as the rule engine needs it, folded purely from the ledger's events.

``history_from_events`` is the only bridge between the write side's Person events and the
engine: it filters on recorded time (``known_at``) and nothing else. Effective dates are
kept as facts and interpreted later by ``evaluate`` against ``as_of``. ``HistoryFold`` is
the fold itself, one event at a time; its ``add_record`` lets a reader of stored events
(``replay.stored_streams``) put a completion's record in its place without its event. The
history's values are in ``projections.person_history`` (exported from here too).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import singledispatch

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
from projections.person_history import (
    AssignmentPeriod,
    Correction,
    Exemption,
    LicensePeriod,
    PersonHistory,
    StatusPeriod,
    TrainingRecord,
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
