"""The synthetic agency's scheduled commands as data: one frozen dataclass per kind of command,
each run against the ledger inside the generator's unit of work."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from api.synthetic.catalogue import Course
from ledger.application import Ledger
from ledger.unit_of_work import UnitOfWork

__all__ = [
    "ACTOR",
    "Command",
    "CorrectTraining",
    "EndLeave",
    "Enrol",
    "Reassign",
    "RecordLicense",
    "RecordTraining",
    "RegisterAgency",
    "RenewLicense",
    "Run",
    "Separate",
    "StartLeave",
    "VoidTraining",
]

ACTOR = "system:synthetic"


@dataclass(frozen=True)
class Run:
    """What every command runs against. A few choices are drawn from ``rng`` when the
    command runs, in recorded-time order, as they always were (so the same seed still
    gives the same ledger)."""

    ledger: Ledger
    uow: UnitOfWork
    rng: random.Random
    slug: str


@dataclass(frozen=True)
class RegisterAgency:
    name: str
    state: str

    def run(self, r: Run) -> None:
        r.ledger.register_agency(r.slug, self.name, self.state, actor=ACTOR, uow=r.uow)


@dataclass(frozen=True)
class Enrol:
    employee_id: str
    first_name: str
    last_name: str
    sworn: bool
    hired_on: date
    rank: str
    unit_name: str
    assignments: tuple[str, ...]

    def run(self, r: Run) -> None:
        first, last = self.first_name, self.last_name
        r.ledger.enrol_person(
            r.slug,
            self.employee_id,
            first_name=first,
            last_name=last,
            kind="sworn" if self.sworn else "civilian",
            hired_on=self.hired_on,
            rank=self.rank,
            unit_name=self.unit_name,
            assignments=list(self.assignments),
            email=f"{first}.{last}.{self.employee_id}@example.org".lower(),
            actor=ACTOR,
            uow=r.uow,
        )


@dataclass(frozen=True)
class RecordLicense:
    employee_id: str
    license_number: str
    issued_on: date
    period_end: date

    def run(self, r: Run) -> None:
        r.ledger.record_license(
            r.slug,
            self.employee_id,
            license_number=self.license_number,
            issued_on=self.issued_on,
            period_end=self.period_end,
            actor=ACTOR,
            uow=r.uow,
        )


@dataclass(frozen=True)
class RenewLicense:
    employee_id: str
    renewed_on: date
    period_end: date

    def run(self, r: Run) -> None:
        r.ledger.renew_license(
            r.slug,
            self.employee_id,
            renewed_on=self.renewed_on,
            period_end=self.period_end,
            actor=ACTOR,
            uow=r.uow,
        )


@dataclass(frozen=True)
class RecordTraining:
    employee_id: str
    record_id: UUID
    completed_on: date
    course: Course

    def run(self, r: Run) -> None:
        title, provider, number, hours, topics = self.course
        r.ledger.record_training(
            r.slug,
            self.employee_id,
            completed_on=self.completed_on,
            course_title=title,
            provider=provider,
            post_course_number=number,
            hours=hours,
            topic_hours=dict(topics),
            delivery=r.rng.choice(["in_person", "in_person", "online", "hybrid"]),
            certificate_ref=f"cert-{self.record_id.hex[:12]}",
            record_id=self.record_id,
            actor=ACTOR,
            uow=r.uow,
        )


@dataclass(frozen=True)
class CorrectTraining:
    """The certificate shows one more hour than was entered."""

    employee_id: str
    record_id: UUID
    hours: str

    def run(self, r: Run) -> None:
        r.ledger.correct_training(
            r.slug,
            self.employee_id,
            self.record_id,
            hours=str(Decimal(self.hours) + 1),
            reason="certificate shows one more hour",
            actor=ACTOR,
            uow=r.uow,
        )


@dataclass(frozen=True)
class VoidTraining:
    employee_id: str
    record_id: UUID

    def run(self, r: Run) -> None:
        r.ledger.void_training(
            r.slug,
            self.employee_id,
            self.record_id,
            reason="duplicate entry",
            actor=ACTOR,
            uow=r.uow,
        )


@dataclass(frozen=True)
class StartLeave:
    """A leave with tolling: the status change and the open-ended exemption together."""

    employee_id: str
    exemption_id: UUID
    starts_on: date
    kind: str

    def run(self, r: Run) -> None:
        reason = self.kind.replace("_", " ")
        r.ledger.change_status(
            r.slug,
            self.employee_id,
            status="leave",
            effective_on=self.starts_on,
            reason=reason,
            actor=ACTOR,
            uow=r.uow,
        )
        r.ledger.grant_exemption(
            r.slug,
            self.employee_id,
            kind=self.kind,
            starts_on=self.starts_on,
            ends_on=None,
            reason=reason,
            approver="Chief of Police",
            actor=ACTOR,
            exemption_id=self.exemption_id,
            uow=r.uow,
        )


@dataclass(frozen=True)
class EndLeave:
    employee_id: str
    exemption_id: UUID
    ends_on: date

    def run(self, r: Run) -> None:
        r.ledger.end_exemption(
            r.slug,
            self.employee_id,
            self.exemption_id,
            ended_on=self.ends_on,
            reason="returned to duty",
            actor=ACTOR,
            uow=r.uow,
        )
        r.ledger.change_status(
            r.slug,
            self.employee_id,
            status="active",
            effective_on=self.ends_on,
            reason="returned from leave",
            actor=ACTOR,
            uow=r.uow,
        )


@dataclass(frozen=True)
class Reassign:
    employee_id: str
    effective_on: date
    rank: str

    def run(self, r: Run) -> None:
        r.ledger.change_assignment(
            r.slug,
            self.employee_id,
            effective_on=self.effective_on,
            rank=self.rank,
            unit_name="Community Engagement",
            assignments=["sro"],
            actor=ACTOR,
            uow=r.uow,
        )


@dataclass(frozen=True)
class Separate:
    employee_id: str
    effective_on: date

    def run(self, r: Run) -> None:
        r.ledger.change_status(
            r.slug,
            self.employee_id,
            status="separated",
            effective_on=self.effective_on,
            reason=r.rng.choice(["retired", "resigned", "transferred"]),
            actor=ACTOR,
            uow=r.uow,
        )


Command = (
    RegisterAgency
    | Enrol
    | RecordLicense
    | RenewLicense
    | RecordTraining
    | CorrectTraining
    | VoidTraining
    | StartLeave
    | EndLeave
    | Reassign
    | Separate
)
