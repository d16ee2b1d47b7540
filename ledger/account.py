"""The Account aggregate: who may use muster, and the roles they were granted, as events.

Grants and revocations are facts on the account's own stream, so "who could see what,
when" is answered like any other as-of question (``Account.grants_at``). Secrets
(password and token hashes) are never facts: they live in the secrets table
(``ledger.account_store``), which can be rotated and erased.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from ledger.aggregate import LedgerAggregate
from ledger.envelope import LedgerEvent
from ledger.errors import InvalidValueError, NotFoundError, ValidationError

__all__ = [
    "SYSTEM_AGENCY_ID",
    "Account",
    "AccountEvent",
    "AccountOpened",
    "EmailAddressRecorded",
    "Grant",
    "GrantNotFoundError",
    "Role",
    "RoleGranted",
    "RoleRevoked",
    "account_id_for",
    "username",
]

# Accounts belong to no agency (an auditor's grants may span several): their events carry
# this id where a tenant's id goes.
SYSTEM_AGENCY_ID = uuid5(NAMESPACE_URL, "muster:system")

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{1,63}")
# One address, no display name or header characters (it goes into a To: header).
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


class Role(StrEnum):
    OFFICER = "officer"  # their own record, read
    SUPERVISOR = "supervisor"  # their unit, read
    COORDINATOR = "coordinator"  # the whole agency, read and write
    COMMAND = "command"  # the whole agency, read
    AUDITOR = "auditor"  # the whole agency, read, until an expiry date
    ADMIN = "admin"  # accounts, no records


class GrantNotFoundError(NotFoundError):
    """The account has no live grant with this id."""


def username(value: str) -> str:
    """A login name: lower-case letters, digits and ``. _ @ -``, 2 to 64 characters."""
    if not isinstance(value, str) or not _USERNAME.fullmatch(value.strip().lower()):
        raise InvalidValueError(
            f"username {value!r}: use 2-64 lower-case letters, digits, '.', '_', '@' or '-'"
        )
    return value.strip().lower()


def account_id_for(name: str) -> UUID:
    """Deterministic stream id: opening the same username twice collides in the store."""
    return uuid5(NAMESPACE_URL, f"muster:account:{name}")


class AccountEvent(LedgerEvent):
    """Base of the facts on an account's stream; no compliance answer depends on them."""

    stream_type: ClassVar[str] = "account"


class AccountOpened(AccountEvent, Aggregate.Created):
    username: str
    display_name: str


class RoleGranted(AccountEvent):
    """``role`` in ``agency`` (a slug; empty for admin) from ``effective_on``; a supervisor
    for one ``unit``, an officer for one ``employee_id``; an auditor until ``expires_on``."""

    grant_id: UUID
    role: str
    agency: str
    unit: str
    employee_id: str
    expires_on: date | None

    def apply(self, aggregate: Account) -> None:
        aggregate.grants[self.grant_id] = Grant(
            grant_id=self.grant_id,
            role=self.role,
            agency=self.agency,
            unit=self.unit,
            employee_id=self.employee_id,
            starts_on=self.effective_on,
            expires_on=self.expires_on,
            granted_at=self.timestamp,
            revoked_at=None,
        )


class RoleRevoked(AccountEvent):
    grant_id: UUID
    reason: str

    def apply(self, aggregate: Account) -> None:
        grant = aggregate.grants[self.grant_id]
        aggregate.grants[self.grant_id] = replace(grant, revoked_at=self.timestamp)


class EmailAddressRecorded(AccountEvent):
    """Where notices for this account go from now on (an address is not a secret; an
    empty one stops email to the account)."""

    email: str

    def apply(self, aggregate: Account) -> None:
        aggregate.email = self.email


@dataclass(frozen=True)
class Grant:
    grant_id: UUID
    role: str
    agency: str
    unit: str
    employee_id: str
    starts_on: date
    expires_on: date | None
    granted_at: datetime
    revoked_at: datetime | None

    def in_force(self, moment: datetime | None, day: date) -> bool:
        """Recorded by ``moment`` (None: by now, whatever has been recorded) and not revoked
        by then, and in effect on ``day``."""
        if moment is None:
            return self.revoked_at is None and self.in_effect(day)
        return (
            self.granted_at <= moment
            and (self.revoked_at is None or self.revoked_at > moment)
            and self.in_effect(day)
        )

    def in_effect(self, day: date) -> bool:
        return self.starts_on <= day and (self.expires_on is None or day <= self.expires_on)


class Account(LedgerAggregate):
    stream_type = AccountEvent.stream_type

    def __init__(self, agency_id: UUID, username: str, display_name: str) -> None:
        self.agency_id = agency_id
        self.username = username
        self.display_name = display_name
        self.grants: dict[UUID, Grant] = {}
        self.email = ""

    @classmethod
    def open(cls, *, at: datetime, actor: str, username: str, display_name: str) -> Account:
        return cls._start(
            AccountOpened(
                **cls._start_envelope(account_id_for(username), at, actor, SYSTEM_AGENCY_ID),
                effective_on=at.date(),
                username=username,
                display_name=display_name,
            )
        )

    def grant(
        self,
        *,
        at: datetime,
        actor: str,
        grant_id: UUID,
        role: str,
        agency: str,
        unit: str,
        employee_id: str,
        starts_on: date,
        expires_on: date | None,
    ) -> None:
        """A grant names exactly the scope its role needs, nothing more."""
        _check_scope(role, agency, unit, employee_id, expires_on)
        if expires_on is not None and expires_on < starts_on:
            raise InvalidValueError(f"expires_on {expires_on} is before the start {starts_on}")
        self._record(
            RoleGranted(
                **self._envelope(at, actor),
                effective_on=starts_on,
                grant_id=grant_id,
                role=role,
                agency=agency,
                unit=unit,
                employee_id=employee_id,
                expires_on=expires_on,
            )
        )

    def record_email(self, *, at: datetime, actor: str, email: str) -> None:
        if email and not _EMAIL.fullmatch(email):
            raise InvalidValueError(f"email {email!r} is not an address like name@example.org")
        if email == self.email:
            return
        self._record(
            EmailAddressRecorded(**self._envelope(at, actor), effective_on=at.date(), email=email)
        )

    def revoke(self, grant_id: UUID, *, at: datetime, actor: str, reason: str) -> None:
        grant = self.grants.get(grant_id)
        if grant is None:
            raise GrantNotFoundError(f"account {self.username!r} has no grant {grant_id}")
        if grant.revoked_at is not None:
            raise ValidationError(f"grant {grant_id} was already revoked")
        self._record(
            RoleRevoked(
                **self._envelope(at, actor),
                effective_on=at.date(),
                grant_id=grant_id,
                reason=reason,
            )
        )

    def grants_at(self, moment: datetime | None, day: date) -> list[Grant]:
        """The grants in force at ``moment`` (as recorded by then; None: now) on ``day``."""
        return [g for g in self.grants.values() if g.in_force(moment, day)]


def _check_scope(
    role: str, agency: str, unit: str, employee_id: str, expires_on: date | None
) -> None:
    if role == Role.ADMIN:
        if agency or unit or employee_id:
            raise InvalidValueError("role admin is granted without an agency, unit or employee")
        return
    if not agency:
        raise InvalidValueError(f"role {role} needs an agency")
    if role == Role.OFFICER and not employee_id:
        raise InvalidValueError("role officer needs the officer's employee_id")
    if role != Role.OFFICER and employee_id:
        raise InvalidValueError(f"role {role} is not granted for one employee")
    if role == Role.SUPERVISOR and not unit:
        raise InvalidValueError("role supervisor needs a unit")
    if role != Role.SUPERVISOR and unit:
        raise InvalidValueError(f"role {role} is not granted for one unit")
    if role == Role.AUDITOR and expires_on is None:
        raise InvalidValueError("role auditor needs an expiry date (expires_on)")
