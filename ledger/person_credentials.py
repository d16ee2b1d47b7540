"""The Person aggregate's credential and policy commands: qualification attempts,
credentials granted, suspended, reinstated and revoked, weapons carried, policies
acknowledged.

A mixin of ``ledger.person.Person`` (one concept per module). What the agency knows (the
credential type exists, the score is in its range, the policy version is published) is
checked by the use cases (``ledger.credential_cases``, ``ledger.policy_cases``); the
aggregate checks what its own stream knows: ids are new, a returned weapon was carried, an
action on a credential names a weapon only for a per-weapon type."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from ledger.errors import InvalidValueError
from ledger.person_credential_events import (
    CredentialGranted,
    CredentialReinstated,
    CredentialRevoked,
    CredentialSuspended,
    PolicyAcknowledged,
    QualificationAttempted,
    WeaponIssued,
    WeaponReturned,
)

if TYPE_CHECKING:
    from ledger.aggregate import Envelope
    from ledger.envelope import LedgerEvent

__all__ = ["CredentialCommands"]

_ACTIONS = {
    "suspend": CredentialSuspended,
    "reinstate": CredentialReinstated,
    "revoke": CredentialRevoked,
}


class CredentialCommands:
    """Credential and policy commands of ``Person``, which holds the state they read."""

    if TYPE_CHECKING:
        employee_id: str
        hired_on: date
        credential_facts: set[UUID]
        weapons: dict[str, str]

        def _envelope(self, at: datetime, actor: str) -> Envelope: ...
        def _record(self, event: LedgerEvent) -> None: ...

    def _new_fact(self, fact_id: UUID, on: date) -> None:
        if fact_id in self.credential_facts:
            raise InvalidValueError(f"{self.employee_id}: record {fact_id} is already recorded")
        if on < self.hired_on:
            raise InvalidValueError(
                f"{on.isoformat()} is before {self.employee_id}'s hire date "
                f"{self.hired_on.isoformat()}",
                field="on",
            )

    def attempt_qualification(
        self,
        *,
        at: datetime,
        actor: str,
        attempt_id: UUID,
        credential_type: str,
        on: date,
        result: str,
        score: Decimal | None,
        instructor: str,
        weapon: tuple[str, str, str] = ("", "", ""),
    ) -> None:
        self._new_fact(attempt_id, on)
        weapon_class, make_model, serial = weapon
        self._record(
            QualificationAttempted(
                **self._envelope(at, actor),
                effective_on=on,
                attempt_id=attempt_id,
                credential_type=credential_type,
                result=result,
                score=score,
                instructor=instructor,
                weapon_class=weapon_class,
                make_model=make_model,
                serial=serial,
            )
        )

    def grant_credential(
        self,
        *,
        at: datetime,
        actor: str,
        grant_id: UUID,
        credential_type: str,
        on: date,
        expires_on: date | None,
        certificate_number: str,
        issuer: str,
        serial: str = "",
    ) -> None:
        self._new_fact(grant_id, on)
        if expires_on is not None and expires_on < on:
            raise InvalidValueError(
                f"expiry {expires_on.isoformat()} is before the grant {on.isoformat()}",
                field="expires_on",
            )
        self._record(
            CredentialGranted(
                **self._envelope(at, actor),
                effective_on=on,
                grant_id=grant_id,
                credential_type=credential_type,
                certificate_number=certificate_number,
                issuer=issuer,
                expires_on=expires_on,
                serial=serial,
            )
        )

    def act_on_credential(
        self,
        *,
        at: datetime,
        actor: str,
        action: str,
        credential_type: str,
        on: date,
        reason: str,
        serial: str = "",
    ) -> None:
        """``action``: ``suspend``, ``reinstate`` or ``revoke``, from ``on``."""
        event_class = _ACTIONS.get(action)
        if event_class is None:
            raise InvalidValueError(
                f"action {action!r}: expected one of {', '.join(_ACTIONS)}", field="action"
            )
        if on < self.hired_on:
            raise InvalidValueError(f"{on.isoformat()} is before the hire date", field="on")
        self._record(
            event_class(
                **self._envelope(at, actor),
                effective_on=on,
                credential_type=credential_type,
                serial=serial,
                reason=reason,
            )
        )

    def issue_weapon(
        self, *, at: datetime, actor: str, on: date, weapon: tuple[str, str, str]
    ) -> None:
        weapon_class, make_model, serial = weapon
        if serial in self.weapons:
            raise InvalidValueError(
                f"{self.employee_id} already carries weapon {serial!r}", field="serial"
            )
        self._record(
            WeaponIssued(
                **self._envelope(at, actor),
                effective_on=on,
                weapon_class=weapon_class,
                make_model=make_model,
                serial=serial,
            )
        )

    def return_weapon(
        self, *, at: datetime, actor: str, on: date, serial: str, reason: str
    ) -> None:
        if serial not in self.weapons:
            raise InvalidValueError(
                f"{self.employee_id} carries no weapon {serial!r}", field="serial"
            )
        self._record(
            WeaponReturned(
                **self._envelope(at, actor), effective_on=on, serial=serial, reason=reason
            )
        )

    def acknowledge_policy(
        self,
        *,
        at: datetime,
        actor: str,
        policy_id: str,
        version_hash: str,
        on: date,
        channel: str,
        quiz_answers: dict[str, str],
        quiz_score: Decimal | None,
    ) -> None:
        if on < self.hired_on:
            raise InvalidValueError(f"{on.isoformat()} is before the hire date", field="on")
        self._record(
            PolicyAcknowledged(
                **self._envelope(at, actor),
                effective_on=on,
                policy_id=policy_id,
                version_hash=version_hash,
                channel=channel,
                quiz_answers=quiz_answers,
                quiz_score=quiz_score,
            )
        )
