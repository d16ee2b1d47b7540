"""Use cases of relief: exemptions (leave tolling), waivers and extensions, granted and
ended. What each does to a deadline is the rule pack's (``projections.rules.tolling``)."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from ledger import fields
from ledger.ledger_core import LedgerCore
from ledger.unit_of_work import UnitOfWork
from ledger.vocabulary import ExemptionKind

__all__ = ["ReliefCases"]


class ReliefCases(LedgerCore):
    """Relief use cases of ``Ledger``, in primitives, with typed errors."""

    def grant_exemption(
        self,
        agency: str,
        employee_id: str,
        *,
        kind: str,
        starts_on: date,
        ends_on: date | None,
        reason: str,
        approver: str,
        actor: str,
        exemption_id: UUID | None = None,
        uow: UnitOfWork | None = None,
    ) -> UUID:
        kind = fields.choice("kind", kind, ExemptionKind)
        now = self._now_and_check(starts_on, "exemption start")
        with self._using(uow) as u:
            person = u.person(agency, employee_id)
            exemption_id = exemption_id or uuid4()
            person.grant_exemption(
                at=now,
                actor=actor,
                exemption_id=exemption_id,
                kind=kind,
                starts_on=starts_on,
                ends_on=ends_on,
                reason=fields.text("reason", reason, required=True),
                approver=fields.text("approver", approver, required=True),
            )
            return exemption_id

    def end_exemption(
        self,
        agency: str,
        employee_id: str,
        exemption_id: UUID,
        *,
        ended_on: date,
        reason: str,
        actor: str,
        uow: UnitOfWork | None = None,
    ) -> None:
        now = self._now_and_check(ended_on, "exemption end")
        with self._using(uow) as u:
            u.person(agency, employee_id).end_exemption(
                exemption_id,
                at=now,
                actor=actor,
                ended_on=ended_on,
                reason=fields.text("reason", reason),
            )

    def grant_waiver(
        self,
        agency: str,
        employee_id: str,
        *,
        starts_on: date,
        ends_on: date,
        reason: str,
        approver: str,
        actor: str,
        waiver_id: UUID | None = None,
        uow: UnitOfWork | None = None,
    ) -> UUID:
        """Waive the windows overlapping ``starts_on``..``ends_on``, as far as the person's
        rule version grants waivers (a tolling rule with the effect ``waive``)."""
        now = self._now_and_check(starts_on, "waiver start")
        with self._using(uow) as u:
            person = u.person(agency, employee_id)
            waiver_id = waiver_id or uuid4()
            person.grant_waiver(
                at=now,
                actor=actor,
                waiver_id=waiver_id,
                starts_on=starts_on,
                ends_on=ends_on,
                reason=fields.text("reason", reason, required=True),
                approver=fields.text("approver", approver, required=True),
            )
            return waiver_id

    def end_waiver(
        self,
        agency: str,
        employee_id: str,
        waiver_id: UUID,
        *,
        ended_on: date,
        reason: str,
        actor: str,
        uow: UnitOfWork | None = None,
    ) -> None:
        self._end("waiver", agency, employee_id, waiver_id, ended_on, reason, actor, uow)

    def grant_extension(
        self,
        agency: str,
        employee_id: str,
        *,
        granted_on: date,
        new_deadline: date,
        reason: str,
        approver: str,
        actor: str,
        extension_id: UUID | None = None,
        uow: UnitOfWork | None = None,
    ) -> UUID:
        """Extend to ``new_deadline`` a deadline falling between ``granted_on`` and it, as
        far as the person's rule version grants extensions (effect ``extend_to_end``). The
        new deadline may be in the future; the grant day may not."""
        now = self._now_and_check(granted_on, "extension grant date")
        with self._using(uow) as u:
            person = u.person(agency, employee_id)
            extension_id = extension_id or uuid4()
            person.grant_extension(
                at=now,
                actor=actor,
                extension_id=extension_id,
                granted_on=granted_on,
                new_deadline=new_deadline,
                reason=fields.text("reason", reason, required=True),
                approver=fields.text("approver", approver, required=True),
            )
            return extension_id

    def end_extension(
        self,
        agency: str,
        employee_id: str,
        extension_id: UUID,
        *,
        ended_on: date,
        reason: str,
        actor: str,
        uow: UnitOfWork | None = None,
    ) -> None:
        self._end("extension", agency, employee_id, extension_id, ended_on, reason, actor, uow)

    def _end(
        self,
        what: str,
        agency: str,
        employee_id: str,
        grant_id: UUID,
        ended_on: date,
        reason: str,
        actor: str,
        uow: UnitOfWork | None,
    ) -> None:
        """End a waiver or an extension (``Person.end_waiver`` / ``end_extension``)."""
        now = self._now_and_check(ended_on, f"{what} end")
        with self._using(uow) as u:
            end = getattr(u.person(agency, employee_id), f"end_{what}")
            end(
                grant_id,
                at=now,
                actor=actor,
                ended_on=ended_on,
                reason=fields.text("reason", reason, required=True),
            )
