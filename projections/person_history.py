"""A person's history as the rule engine sees it: status, licence and assignment periods,
training records, exemptions (and waivers and extensions), certification facts. Plain
frozen values; ``projections.history`` folds them from the ledger's events."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property

__all__ = [
    "AssignmentPeriod",
    "Correction",
    "Exemption",
    "LicensePeriod",
    "PersonHistory",
    "StatusPeriod",
    "TrainingRecord",
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
