"""The facts recorded about a person (sworn officer or civilian staff), as typed past-tense
events, and the state their ``apply`` keeps on the ``Person`` aggregate (``ledger.person``).

Every class declares its stored topic literally (``TOPIC``, which the library's
``get_topic`` honours): the topics were first recorded when these classes lived in
``ledger.person``, which still exports them, and a topic is part of every stored event and
its hash header, so moving a class must never change it (``tests/ledger/test_stream_types``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from ledger import streams

if TYPE_CHECKING:
    from ledger.person import Person

__all__ = [
    "AssignmentChanged",
    "CertificationRecorded",
    "ExemptionEnded",
    "ExemptionGranted",
    "ExemptionState",
    "ExtensionEnded",
    "ExtensionGranted",
    "LicenseRecorded",
    "LicenseRenewed",
    "PersonEnrolled",
    "StatusChanged",
    "TrainingCompleted",
    "TrainingCorrected",
    "TrainingRecordState",
    "TrainingVoided",
    "WaiverEnded",
    "WaiverGranted",
]


class PersonEnrolled(streams.PersonEvent, Aggregate.Created):
    TOPIC: ClassVar[str] = "ledger.person:PersonEnrolled"

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

    TOPIC: ClassVar[str] = "ledger.person:LicenseRecorded"

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
    TOPIC: ClassVar[str] = "ledger.person:LicenseRenewed"

    license_number: str
    period_end: date

    def apply(self, aggregate: Person) -> None:
        aggregate.license_number = self.license_number
        aggregate.license_period_end = self.period_end


class StatusChanged(streams.PersonEvent):
    """``status`` is a PersonStatus value; a reinstatement is a change back to active. A
    leave carries its reason and, when known, the day the person is expected back
    (``expected_return``; version 1 events, recorded before it existed, read as None)."""

    TOPIC: ClassVar[str] = "ledger.person:StatusChanged"

    class_version = 2

    status: str
    reason: str
    expected_return: date | None = None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["expected_return"] = None  # version 1 had no expected return

    def apply(self, aggregate: Person) -> None:
        aggregate.status = self.status
        aggregate.status_changes.append((self.effective_on, self.status))


class AssignmentChanged(streams.PersonEvent):
    TOPIC: ClassVar[str] = "ledger.person:AssignmentChanged"

    rank: str
    unit: str
    assignments: list[str]

    def apply(self, aggregate: Person) -> None:
        aggregate.rank, aggregate.unit = self.rank, self.unit
        aggregate.assignments = list(self.assignments)


class TrainingCompleted(streams.PersonEvent):
    """``effective_on`` is the completion date; ``topic_hours`` never sum above ``hours``."""

    TOPIC: ClassVar[str] = "ledger.person:TrainingCompleted"

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

    TOPIC: ClassVar[str] = "ledger.person:TrainingCorrected"

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

    TOPIC: ClassVar[str] = "ledger.person:TrainingVoided"

    record_id: UUID
    reason: str

    def apply(self, aggregate: Person) -> None:
        aggregate.records[self.record_id].voided = True


class CertificationRecorded(streams.PersonEvent):
    """Facts some states' cycles and exemptions hang on: certification (OR cohorts), basic
    training completion (OH year-of-basic), held certificates or proficiency levels (TX,
    OR supervisory) and employment basis (full-time, part-time, reserve). A full restatement:
    the latest one recorded replaces the previous."""

    TOPIC: ClassVar[str] = "ledger.person:CertificationRecorded"

    certified_on: date | None
    basic_completed_on: date | None
    certificates: list[str]
    employment: str

    def apply(self, aggregate: Person) -> None:
        aggregate.certified_on = self.certified_on
        aggregate.basic_completed_on = self.basic_completed_on
        aggregate.certificates = list(self.certificates)
        aggregate.employment = self.employment


class ExemptionGranted(streams.PersonEvent):
    """Tolling for leave: ``effective_on`` is ``starts_on``; ``ends_on`` may be open."""

    TOPIC: ClassVar[str] = "ledger.person:ExemptionGranted"

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
    TOPIC: ClassVar[str] = "ledger.person:ExemptionEnded"

    exemption_id: UUID
    ended_on: date
    reason: str

    def apply(self, aggregate: Person) -> None:
        aggregate.exemptions[self.exemption_id].ends_on = self.ended_on


class WaiverGranted(streams.PersonEvent):
    """A board or agency waiver of the requirements whose windows overlap
    ``starts_on``..``ends_on`` (``effective_on`` is ``starts_on``). What a waiver does is
    the rule pack's: a tolling rule with the effect ``waive`` (e.g. IN 250 IAC 2-7-4); under
    a version without one it changes nothing, and the answer says so."""

    TOPIC: ClassVar[str] = "ledger.person:WaiverGranted"

    waiver_id: UUID
    starts_on: date
    ends_on: date
    reason: str
    approver: str

    def apply(self, aggregate: Person) -> None:
        aggregate.waivers[self.waiver_id] = ExemptionState("waiver", self.starts_on, self.ends_on)


class WaiverEnded(streams.PersonEvent):
    """The waiver no longer covers days after ``ended_on`` (revoked or cut short)."""

    TOPIC: ClassVar[str] = "ledger.person:WaiverEnded"

    waiver_id: UUID
    ended_on: date
    reason: str

    def apply(self, aggregate: Person) -> None:
        aggregate.waivers[self.waiver_id].ends_on = self.ended_on


class ExtensionGranted(streams.PersonEvent):
    """A per-officer extension granted on ``effective_on``: a deadline falling from that day
    to ``new_deadline`` moves to ``new_deadline``. What an extension does is the rule pack's:
    a tolling rule with the effect ``extend_to_end`` (e.g. OH R.C. 109.803); under a version
    without one it changes nothing, and the answer says so."""

    TOPIC: ClassVar[str] = "ledger.person:ExtensionGranted"

    extension_id: UUID
    new_deadline: date
    reason: str
    approver: str

    def apply(self, aggregate: Person) -> None:
        aggregate.extensions[self.extension_id] = ExemptionState(
            "extension", self.effective_on, self.new_deadline
        )


class ExtensionEnded(streams.PersonEvent):
    """The extension is withdrawn from ``ended_on``: the extended deadline becomes that day."""

    TOPIC: ClassVar[str] = "ledger.person:ExtensionEnded"

    extension_id: UUID
    ended_on: date
    reason: str

    def apply(self, aggregate: Person) -> None:
        aggregate.extensions[self.extension_id].ends_on = self.ended_on


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
