"""The Person aggregate (sworn officer or civilian staff) and the rules a fact must meet
before it is recorded: enrolment, licence, status, assignments and certification facts here;
training and relief (exemptions, waivers, extensions) in their mixins. The events
themselves are in ``ledger.person_events`` and exported from here too, under the topics
they were first stored with."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from ledger import streams
from ledger.aggregate import LedgerAggregate
from ledger.errors import InvalidValueError
from ledger.ids import person_id_for
from ledger.person_credentials import CredentialCommands
from ledger.person_events import (
    AssignmentChanged,
    CertificationRecorded,
    ExemptionEnded,
    ExemptionGranted,
    ExemptionState,
    ExtensionEnded,
    ExtensionGranted,
    LicenseRecorded,
    LicenseRenewed,
    PersonEnrolled,
    StatusChanged,
    TrainingCompleted,
    TrainingCorrected,
    TrainingRecordState,
    TrainingVoided,
    WaiverEnded,
    WaiverGranted,
)
from ledger.person_relief import ReliefCommands
from ledger.person_requests import RequestCommands
from ledger.person_training import CORRECTABLE, TrainingCommands
from ledger.request_events import TrainingRequestState
from ledger.vocabulary import PersonKind, PersonStatus

__all__ = [
    "CORRECTABLE",
    "AssignmentChanged",
    "CertificationRecorded",
    "ExemptionEnded",
    "ExemptionGranted",
    "ExemptionState",
    "ExtensionEnded",
    "ExtensionGranted",
    "LicenseRecorded",
    "LicenseRenewed",
    "Person",
    "PersonEnrolled",
    "StatusChanged",
    "TrainingCompleted",
    "TrainingCorrected",
    "TrainingRecordState",
    "TrainingVoided",
    "WaiverEnded",
    "WaiverGranted",
    "person_id_for",
]


class Person(
    TrainingCommands, ReliefCommands, CredentialCommands, RequestCommands, LedgerAggregate
):
    """One person's stream: enrolment, licence, status, assignments, certification facts;
    training (``ledger.person_training``), relief (``ledger.person_relief``), credential
    and policy (``ledger.person_credentials``) and training-request
    (``ledger.person_requests``) commands come from their mixins.

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
        self.waivers: dict[UUID, ExemptionState] = {}
        self.extensions: dict[UUID, ExemptionState] = {}
        self.status_changes: list[tuple[date, str]] = []  # (effective_on, status), as recorded
        self.certified_on: date | None = None
        self.basic_completed_on: date | None = None
        self.certificates: list[str] = []
        self.employment = "full_time"
        self.credential_facts: set[UUID] = (
            set()
        )  # attempt and grant ids (ledger.person_credentials)
        self.weapons: dict[str, str] = {}  # serial -> weapon class, carried now
        self.training_requests: dict[UUID, TrainingRequestState] = {}

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
        self,
        *,
        at: datetime,
        actor: str,
        status: str,
        effective_on: date,
        reason: str,
        expected_return: date | None = None,
    ) -> None:
        if self.status == status:
            raise InvalidValueError(f"{self.employee_id} is already {status}")
        if effective_on < self.hired_on:
            raise InvalidValueError(
                f"status date {effective_on.isoformat()} is before {self.employee_id} was "
                f"hired ({self.hired_on.isoformat()})"
            )
        if status == PersonStatus.LEAVE:
            if not reason:
                raise InvalidValueError("a leave needs a reason")
            if expected_return is not None and expected_return <= effective_on:
                raise InvalidValueError(
                    f"the expected return {expected_return.isoformat()} must be after the "
                    f"leave starts ({effective_on.isoformat()})"
                )
            self._check_no_overlap(effective_on, expected_return)
        elif expected_return is not None:
            raise InvalidValueError("only a leave has an expected return")
        self._record(
            StatusChanged(
                **self._envelope(at, actor),
                effective_on=effective_on,
                status=status,
                reason=reason,
                expected_return=expected_return,
            )
        )

    def _check_no_overlap(self, starts_on: date, expected_return: date | None) -> None:
        """A (back-dated) leave may not start inside a leave already recorded, nor run, by
        its expected return, into one recorded later."""
        changes = sorted(self.status_changes)
        for index, (day, status) in enumerate(changes):
            if status != PersonStatus.LEAVE:
                continue
            until = next((d for d, s in changes[index + 1 :] if d > day and s != status), None)
            inside = day <= starts_on and (until is None or starts_on < until)
            runs_into = starts_on < day and expected_return is not None and expected_return > day
            if inside or runs_into:
                ends = until.isoformat() if until else "open"
                raise InvalidValueError(
                    f"overlaps the leave recorded from {day.isoformat()} to {ends}"
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
