"""Use cases of people: enrolment, licence, status, assignment and certification facts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from ledger import fields
from ledger.errors import DuplicateEmployeeIdError, FutureEffectiveDateError
from ledger.ledger_core import LedgerCore
from ledger.person import Person, person_id_for
from ledger.unit_of_work import UnitOfWork
from ledger.vocabulary import Employment, PersonKind, PersonStatus

__all__ = ["PeopleCases"]


class PeopleCases(LedgerCore):
    """People use cases of ``Ledger``, in primitives, with typed errors."""

    def enrol_person(
        self,
        agency: str,
        employee_id: str,
        *,
        first_name: str,
        last_name: str,
        kind: str,
        hired_on: date,
        actor: str,
        rank: str = "",
        unit_name: str = "",
        assignments: Sequence[str] = (),
        email: str = "",
        uow: UnitOfWork | None = None,
    ) -> UUID:
        employee_id = fields.text("employee_id", employee_id, required=True, limit=64)
        kind = fields.choice("kind", kind, PersonKind)
        now = self._now_and_check(hired_on, "hire date")
        with self._using(uow) as u:
            owner = u.agency(agency)
            person_id = person_id_for(owner.id, employee_id)
            if person_id in u.people or self._exists(person_id):
                raise DuplicateEmployeeIdError(
                    f"employee id {employee_id!r} is already enrolled in agency {agency!r}"
                )
            person = Person.enrol(
                at=now,
                actor=actor,
                agency_id=owner.id,
                employee_id=employee_id,
                hired_on=hired_on,
                first_name=fields.text("first_name", first_name, required=True),
                last_name=fields.text("last_name", last_name, required=True),
                kind=kind,
                rank=fields.text("rank", rank),
                unit=fields.text("unit", unit_name),
                assignments=fields.assignments(assignments),
                email=fields.text("email", email),
            )
            u.add_person(person)
            return person.id

    def record_license(
        self,
        agency: str,
        employee_id: str,
        *,
        license_number: str,
        issued_on: date | None,
        period_end: date,
        actor: str,
        uow: UnitOfWork | None = None,
    ) -> None:
        """``issued_on=None``: only the period end is known (the licence's issue date was
        not given); the engine then derives the earlier periods and says so."""
        now = (
            self._now_and_check(issued_on, "licence issue date")
            if issued_on is not None
            else self.clock()
        )
        number = fields.text("license_number", license_number, required=True)
        with self._using(uow) as u:
            u.person(agency, employee_id).record_license(
                at=now,
                actor=actor,
                license_number=number,
                issued_on=issued_on,
                period_end=period_end,
            )

    def renew_license(
        self,
        agency: str,
        employee_id: str,
        *,
        renewed_on: date,
        period_end: date,
        actor: str,
        license_number: str | None = None,
        uow: UnitOfWork | None = None,
    ) -> None:
        now = self._now_and_check(renewed_on, "renewal date")
        with self._using(uow) as u:
            u.person(agency, employee_id).renew_license(
                at=now,
                actor=actor,
                renewed_on=renewed_on,
                period_end=period_end,
                license_number=license_number,
            )

    def change_status(
        self,
        agency: str,
        employee_id: str,
        *,
        status: str,
        effective_on: date,
        reason: str,
        actor: str,
        expected_return: date | None = None,
        uow: UnitOfWork | None = None,
    ) -> None:
        """A status from ``effective_on`` (back-dating allowed, never a future day); a leave
        needs a reason and may say when the person is expected back (a day in the future
        is fine: it is an expectation, not a fact)."""
        status = fields.choice("status", status, PersonStatus)
        now = self._now_and_check(effective_on, "status date")
        reason = fields.text("reason", reason)
        with self._using(uow) as u:
            u.person(agency, employee_id).change_status(
                at=now,
                actor=actor,
                status=status,
                effective_on=effective_on,
                reason=reason,
                expected_return=expected_return,
            )

    def change_assignment(
        self,
        agency: str,
        employee_id: str,
        *,
        effective_on: date,
        actor: str,
        rank: str,
        unit_name: str,
        assignments: Sequence[str],
        uow: UnitOfWork | None = None,
    ) -> None:
        now = self._now_and_check(effective_on, "assignment date")
        with self._using(uow) as u:
            u.person(agency, employee_id).change_assignment(
                at=now,
                actor=actor,
                effective_on=effective_on,
                rank=fields.text("rank", rank),
                unit=fields.text("unit", unit_name),
                assignments=fields.assignments(assignments),
            )

    def record_certification(
        self,
        agency: str,
        employee_id: str,
        *,
        effective_on: date,
        actor: str,
        certified_on: date | None = None,
        basic_completed_on: date | None = None,
        certificates: Sequence[str] = (),
        employment: str = "full_time",
        uow: UnitOfWork | None = None,
    ) -> None:
        """Restate certification facts (OR cohorts, OH year of basic, TX proficiency...)."""
        now = self._now_and_check(effective_on, "certification date")
        for name, day in (
            ("certified_on", certified_on),
            ("basic_completed_on", basic_completed_on),
        ):
            if day is not None and day > now.date():
                raise FutureEffectiveDateError(f"{name} {day} is after today", field=name)
        with self._using(uow) as u:
            u.person(agency, employee_id).record_certification(
                at=now,
                actor=actor,
                effective_on=effective_on,
                certified_on=certified_on,
                basic_completed_on=basic_completed_on,
                certificates=fields.tags(certificates, "certificate"),
                employment=fields.choice("employment", employment, Employment),
            )
