"""The Person aggregate (sworn officer or civilian staff) and the facts recorded about them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from ledger.envelope import LedgerEvent

__all__ = [
    "AssignmentChanged",
    "CertificationRecorded",
    "ExemptionEnded",
    "ExemptionGranted",
    "LicenseRecorded",
    "LicenseRenewed",
    "Person",
    "PersonEnrolled",
    "StatusChanged",
    "TrainingCompleted",
    "TrainingCorrected",
    "TrainingVoided",
    "person_id_for",
]


def person_id_for(agency_id: UUID, employee_id: str) -> UUID:
    """Deterministic stream id: a second enrolment of the same employee id collides."""
    return uuid5(NAMESPACE_URL, f"muster:person:{agency_id}:{employee_id.strip().casefold()}")


class PersonEnrolled(LedgerEvent, Aggregate.Created):
    employee_id: str
    first_name: str
    last_name: str
    kind: str
    hired_on: date
    rank: str
    unit: str
    assignments: list[str]
    email: str


class LicenseRecorded(LedgerEvent):
    license_number: str
    issued_on: date
    period_end: date

    def apply(self, aggregate: Person) -> None:
        aggregate.license_number = self.license_number
        aggregate.license_period_end = self.period_end


class LicenseRenewed(LedgerEvent):
    license_number: str
    period_end: date

    def apply(self, aggregate: Person) -> None:
        aggregate.license_number = self.license_number
        aggregate.license_period_end = self.period_end


class StatusChanged(LedgerEvent):
    """``status`` is a PersonStatus value; a reinstatement is a change back to active."""

    status: str
    reason: str

    def apply(self, aggregate: Person) -> None:
        aggregate.status = self.status


class AssignmentChanged(LedgerEvent):
    rank: str
    unit: str
    assignments: list[str]

    def apply(self, aggregate: Person) -> None:
        aggregate.rank, aggregate.unit = self.rank, self.unit
        aggregate.assignments = list(self.assignments)


class TrainingCompleted(LedgerEvent):
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


class TrainingCorrected(LedgerEvent):
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


class TrainingVoided(LedgerEvent):
    """The record no longer counts, for any answer known after this event was recorded."""

    record_id: UUID
    reason: str

    def apply(self, aggregate: Person) -> None:
        aggregate.records[self.record_id].voided = True


class CertificationRecorded(LedgerEvent):
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


class ExemptionGranted(LedgerEvent):
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


class ExemptionEnded(LedgerEvent):
    exemption_id: UUID
    ended_on: date
    reason: str

    def apply(self, aggregate: Person) -> None:
        aggregate.exemptions[self.exemption_id].ends_on = self.ended_on


@dataclass
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


class Person(Aggregate):
    """One person's stream: enrolment, licence, status, assignments, training, exemptions.

    Methods here only apply facts; the Ledger service checks preconditions first.
    ``at`` is the recorded time from the ledger's clock.
    """

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
        **fields: Any,
    ) -> Person:
        return cls._create(
            PersonEnrolled,
            id=person_id_for(agency_id, employee_id),
            timestamp=at,
            actor=actor,
            agency_id=agency_id,
            effective_on=hired_on,
            employee_id=employee_id,
            hired_on=hired_on,
            **fields,
        )

    def record(
        self, event_class: type[LedgerEvent], *, at: datetime, actor: str, **fields: Any
    ) -> None:
        """Append one fact; recorded time never goes backwards within the stream."""
        self.trigger_event(
            event_class,
            timestamp=max(at, self.modified_on),
            actor=actor,
            agency_id=self.agency_id,
            **fields,
        )
