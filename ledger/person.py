"""The Person aggregate (sworn officer or civilian staff), the facts recorded about them,
and the rules a fact must meet before it is recorded."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from ledger import streams
from ledger.aggregate import LedgerAggregate
from ledger.errors import (
    InvalidValueError,
    RecordAlreadyVoidedError,
    TrainingRecordNotFoundError,
)
from ledger.vocabulary import PersonKind, PersonStatus

__all__ = [
    "AssignmentChanged",
    "CertificationRecorded",
    "ExemptionEnded",
    "ExemptionGranted",
    "ExemptionState",
    "LicenseRecorded",
    "LicenseRenewed",
    "Person",
    "PersonEnrolled",
    "StatusChanged",
    "TrainingCompleted",
    "TrainingCorrected",
    "TrainingRecordState",
    "TrainingVoided",
    "person_id_for",
]


def person_id_for(agency_id: UUID, employee_id: str) -> UUID:
    """Deterministic stream id: a second enrolment of the same employee id collides.

    NFC first, as ``fields.text`` stores ids, so an id typed with a decomposed accent finds
    the person (ids already in NFC, and every ASCII id, map exactly as before)."""
    key = unicodedata.normalize("NFC", employee_id.strip()).casefold()
    return uuid5(NAMESPACE_URL, f"muster:person:{agency_id}:{key}")


class PersonEnrolled(streams.PersonEvent, Aggregate.Created):
    employee_id: str
    first_name: str
    last_name: str
    kind: str
    hired_on: date
    rank: str
    unit: str
    assignments: list[str]
    email: str


class LicenseRecorded(streams.PersonEvent):
    """A peace-officer licence and its current period end. ``issued_on`` is the licence's
    issue date when the ledger was told it, else None (a roster that gives only the
    period end): ``effective_on`` is then the hire date, when the agency began to answer
    for the licence, and the engine derives earlier periods from the end and says so.

    Version 1 always carried a date; roster imports (actor ``import:…``) put the hire
    date there as a stand-in (as ``docs/import.md`` said), so it is read as not given."""

    class_version = 2

    license_number: str
    issued_on: date | None
    period_end: date

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        if str(state.get("actor", "")).startswith("import:"):
            state["issued_on"] = None

    def apply(self, aggregate: Person) -> None:
        aggregate.license_number = self.license_number
        aggregate.license_period_end = self.period_end


class LicenseRenewed(streams.PersonEvent):
    license_number: str
    period_end: date

    def apply(self, aggregate: Person) -> None:
        aggregate.license_number = self.license_number
        aggregate.license_period_end = self.period_end


class StatusChanged(streams.PersonEvent):
    """``status`` is a PersonStatus value; a reinstatement is a change back to active."""

    status: str
    reason: str

    def apply(self, aggregate: Person) -> None:
        aggregate.status = self.status


class AssignmentChanged(streams.PersonEvent):
    rank: str
    unit: str
    assignments: list[str]

    def apply(self, aggregate: Person) -> None:
        aggregate.rank, aggregate.unit = self.rank, self.unit
        aggregate.assignments = list(self.assignments)


class TrainingCompleted(streams.PersonEvent):
    """``effective_on`` is the completion date; ``topic_hours`` never sum above ``hours``."""

    record_id: UUID
    course_title: str
    provider: str
    post_course_number: str
    delivery: str
    hours: Decimal
    topic_hours: dict[str, Decimal]
    certificate_ref: str
    source_record_id: str
    tags: list[str]
    valid_until: date | None

    def apply(self, aggregate: Person) -> None:
        aggregate.records[self.record_id] = TrainingRecordState(
            completed_on=self.effective_on,
            course_title=self.course_title,
            provider=self.provider,
            post_course_number=self.post_course_number,
            delivery=self.delivery,
            hours=self.hours,
            topic_hours=dict(self.topic_hours),
            tags=list(self.tags),
            valid_until=self.valid_until,
        )


class TrainingCorrected(streams.PersonEvent):
    """Restates an earlier record in full; ``changed`` names the fields that differ and
    ``effective_on`` is the (possibly corrected) completion date."""

    record_id: UUID
    reason: str
    changed: list[str]
    course_title: str
    provider: str
    post_course_number: str
    delivery: str
    hours: Decimal
    topic_hours: dict[str, Decimal]
    tags: list[str]
    valid_until: date | None

    def apply(self, aggregate: Person) -> None:
        record = aggregate.records[self.record_id]
        record.completed_on = self.effective_on
        record.course_title = self.course_title
        record.provider = self.provider
        record.post_course_number = self.post_course_number
        record.delivery = self.delivery
        record.hours = self.hours
        record.topic_hours = dict(self.topic_hours)
        record.tags = list(self.tags)
        record.valid_until = self.valid_until


class TrainingVoided(streams.PersonEvent):
    """The record no longer counts, for any answer known after this event was recorded."""

    record_id: UUID
    reason: str

    def apply(self, aggregate: Person) -> None:
        aggregate.records[self.record_id].voided = True


class CertificationRecorded(streams.PersonEvent):
    """Facts some states' cycles and exemptions hang on: certification (OR cohorts), basic
    training completion (OH year-of-basic), held certificates or proficiency levels (TX,
    OR supervisory) and employment basis (full-time, part-time, reserve). A full restatement:
    the latest one recorded replaces the previous."""

    certified_on: date | None
    basic_completed_on: date | None
    certificates: list[str]
    employment: str

    def apply(self, aggregate: Person) -> None:
        aggregate.certified_on = self.certified_on


class ExemptionGranted(streams.PersonEvent):
    """Tolling for leave: ``effective_on`` is ``starts_on``; ``ends_on`` may be open."""

    exemption_id: UUID
    kind: str
    starts_on: date
    ends_on: date | None
    reason: str
    approver: str

    def apply(self, aggregate: Person) -> None:
        aggregate.exemptions[self.exemption_id] = ExemptionState(
            self.kind, self.starts_on, self.ends_on
        )


class ExemptionEnded(streams.PersonEvent):
    exemption_id: UUID
    ended_on: date
    reason: str

    def apply(self, aggregate: Person) -> None:
        aggregate.exemptions[self.exemption_id].ends_on = self.ended_on


@dataclass(slots=True)  # one per record of a person: 200,000 in a large import's unit
class TrainingRecordState:
    completed_on: date
    course_title: str
    provider: str
    post_course_number: str
    delivery: str
    hours: Decimal
    topic_hours: dict[str, Decimal]
    tags: list[str]
    valid_until: date | None
    voided: bool = False


@dataclass
class ExemptionState:
    kind: str
    starts_on: date
    ends_on: date | None


class Person(LedgerAggregate):
    """One person's stream: enrolment, licence, status, assignments, training, exemptions.

    Each command method checks the rules that depend on what the stream already holds and
    then records one event; its arguments are already parsed and validated values (the
    Ledger service turns primitives into them). ``at`` is the recorded time from the
    ledger's clock.
    """

    stream_type = streams.PersonEvent.stream_type

    def __init__(
        self,
        agency_id: UUID,
        employee_id: str,
        first_name: str,
        last_name: str,
        kind: str,
        hired_on: date,
        rank: str,
        unit: str,
        assignments: list[str],
        email: str,
    ) -> None:
        self.agency_id = agency_id
        self.employee_id = employee_id
        self.first_name, self.last_name = first_name, last_name
        self.kind = kind
        self.hired_on = hired_on
        self.rank, self.unit = rank, unit
        self.assignments = list(assignments)
        self.email = email
        self.status = "active"
        self.license_number = ""
        self.license_period_end: date | None = None
        self.records: dict[UUID, TrainingRecordState] = {}
        self.exemptions: dict[UUID, ExemptionState] = {}
        self.certified_on: date | None = None

    @classmethod
    def enrol(
        cls,
        *,
        at: datetime,
        actor: str,
        agency_id: UUID,
        employee_id: str,
        hired_on: date,
        first_name: str,
        last_name: str,
        kind: str,
        rank: str,
        unit: str,
        assignments: list[str],
        email: str,
    ) -> Person:
        person_id = person_id_for(agency_id, employee_id)
        return cls._start(
            PersonEnrolled(
                **cls._start_envelope(person_id, at, actor, agency_id),
                effective_on=hired_on,
                employee_id=employee_id,
                first_name=first_name,
                last_name=last_name,
                kind=kind,
                hired_on=hired_on,
                rank=rank,
                unit=unit,
                assignments=assignments,
                email=email,
            )
        )

    # -- licence ---------------------------------------------------------------------------

    def record_license(
        self,
        *,
        at: datetime,
        actor: str,
        license_number: str,
        issued_on: date | None,
        period_end: date,
    ) -> None:
        if issued_on is not None and period_end <= issued_on:
            raise InvalidValueError("licence period end must be after the issue date")
        if issued_on is None and period_end <= self.hired_on:
            raise InvalidValueError(
                "licence period end must be after the issue date "
                "(no issue date given: the hire date)"
            )
        if self.kind != PersonKind.SWORN:
            raise InvalidValueError(
                f"{self.employee_id} is civilian staff: no peace-officer licence"
            )
        self._record(
            LicenseRecorded(
                **self._envelope(at, actor),
                effective_on=issued_on or self.hired_on,
                license_number=license_number,
                issued_on=issued_on,
                period_end=period_end,
            )
        )

    def renew_license(
        self,
        *,
        at: datetime,
        actor: str,
        renewed_on: date,
        period_end: date,
        license_number: str | None = None,
    ) -> None:
        if self.license_period_end is None:
            raise InvalidValueError("record a licence before renewing it")
        if period_end <= self.license_period_end:
            raise InvalidValueError(
                f"renewed period end {period_end} must be after {self.license_period_end}"
            )
        self._record(
            LicenseRenewed(
                **self._envelope(at, actor),
                effective_on=renewed_on,
                license_number=license_number or self.license_number,
                period_end=period_end,
            )
        )

    # -- employment ------------------------------------------------------------------------

    def change_status(
        self, *, at: datetime, actor: str, status: str, effective_on: date, reason: str
    ) -> None:
        if self.status == status:
            raise InvalidValueError(f"{self.employee_id} is already {status}")
        if status == PersonStatus.LEAVE and not reason:
            raise InvalidValueError("a leave needs a reason")
        self._record(
            StatusChanged(
                **self._envelope(at, actor), effective_on=effective_on, status=status, reason=reason
            )
        )

    def change_assignment(
        self,
        *,
        at: datetime,
        actor: str,
        effective_on: date,
        rank: str,
        unit: str,
        assignments: list[str],
    ) -> None:
        self._record(
            AssignmentChanged(
                **self._envelope(at, actor),
                effective_on=effective_on,
                rank=rank,
                unit=unit,
                assignments=assignments,
            )
        )

    def record_certification(
        self,
        *,
        at: datetime,
        actor: str,
        effective_on: date,
        certified_on: date | None,
        basic_completed_on: date | None,
        certificates: list[str],
        employment: str,
    ) -> None:
        self._record(
            CertificationRecorded(
                **self._envelope(at, actor),
                effective_on=effective_on,
                certified_on=certified_on,
                basic_completed_on=basic_completed_on,
                certificates=certificates,
                employment=employment,
            )
        )

    # -- training --------------------------------------------------------------------------

    def live_record(self, record_id: UUID) -> TrainingRecordState:
        """The training record, which must exist and not be voided."""
        record = self.records.get(record_id)
        if record is None:
            raise TrainingRecordNotFoundError(
                f"{self.employee_id} has no training record {record_id}"
            )
        if record.voided:
            raise RecordAlreadyVoidedError(f"training record {record_id} was voided")
        return record

    def complete_training(
        self,
        *,
        at: datetime,
        actor: str,
        record_id: UUID,
        completed_on: date,
        course_title: str,
        provider: str,
        post_course_number: str,
        delivery: str,
        hours: Decimal,
        topic_hours: dict[str, Decimal],
        certificate_ref: str,
        source_record_id: str,
        tags: list[str],
        valid_until: date | None,
    ) -> None:
        if record_id in self.records:
            raise InvalidValueError(f"training record {record_id} already exists")
        self._record(
            TrainingCompleted(
                **self._envelope(at, actor),
                effective_on=completed_on,
                record_id=record_id,
                course_title=course_title,
                provider=provider,
                post_course_number=post_course_number,
                delivery=delivery,
                hours=hours,
                topic_hours=topic_hours,
                certificate_ref=certificate_ref,
                source_record_id=source_record_id,
                tags=tags,
                valid_until=valid_until,
            )
        )

    def correct_training(
        self,
        record_id: UUID,
        *,
        at: datetime,
        actor: str,
        reason: str,
        completed_on: date,
        course_title: str,
        provider: str,
        post_course_number: str,
        delivery: str,
        hours: Decimal,
        topic_hours: dict[str, Decimal],
        tags: list[str],
        valid_until: date | None,
    ) -> list[str]:
        """Restate a live record in full; returns the names of the fields that change."""
        record = self.live_record(record_id)
        new = TrainingRecordState(
            completed_on,
            course_title,
            provider,
            post_course_number,
            delivery,
            hours,
            topic_hours,
            tags,
            valid_until,
        )
        changed = sorted(
            name for name in CORRECTABLE if getattr(new, name) != getattr(record, name)
        )
        if not changed:
            raise InvalidValueError("the correction changes nothing")
        self._record(
            TrainingCorrected(
                **self._envelope(at, actor),
                effective_on=completed_on,
                record_id=record_id,
                reason=reason,
                changed=changed,
                course_title=course_title,
                provider=provider,
                post_course_number=post_course_number,
                delivery=delivery,
                hours=hours,
                topic_hours=topic_hours,
                tags=tags,
                valid_until=valid_until,
            )
        )
        return changed

    def void_training(self, record_id: UUID, *, at: datetime, actor: str, reason: str) -> None:
        record = self.live_record(record_id)
        self._record(
            TrainingVoided(
                **self._envelope(at, actor),
                effective_on=record.completed_on,
                record_id=record_id,
                reason=reason,
            )
        )

    # -- exemptions ------------------------------------------------------------------------

    def grant_exemption(
        self,
        *,
        at: datetime,
        actor: str,
        exemption_id: UUID,
        kind: str,
        starts_on: date,
        ends_on: date | None,
        reason: str,
        approver: str,
    ) -> None:
        if ends_on is not None and ends_on < starts_on:
            raise InvalidValueError("an exemption cannot end before it starts")
        self._record(
            ExemptionGranted(
                **self._envelope(at, actor),
                effective_on=starts_on,
                exemption_id=exemption_id,
                kind=kind,
                starts_on=starts_on,
                ends_on=ends_on,
                reason=reason,
                approver=approver,
            )
        )

    def end_exemption(
        self, exemption_id: UUID, *, at: datetime, actor: str, ended_on: date, reason: str
    ) -> None:
        exemption = self.exemptions.get(exemption_id)
        if exemption is None:
            raise InvalidValueError(f"no exemption {exemption_id} for {self.employee_id}")
        if ended_on < exemption.starts_on:
            raise InvalidValueError("an exemption cannot end before it starts")
        self._record(
            ExemptionEnded(
                **self._envelope(at, actor),
                effective_on=ended_on,
                exemption_id=exemption_id,
                ended_on=ended_on,
                reason=reason,
            )
        )


# The fields a correction may restate, as named on TrainingRecordState.
CORRECTABLE = (
    "completed_on",
    "course_title",
    "provider",
    "post_course_number",
    "delivery",
    "hours",
    "topic_hours",
    "tags",
    "valid_until",
)
