"""Account use cases over a ``Ledger``: open an account, grant and revoke roles, read them.

Like the ``Ledger`` methods: primitives in, typed errors out, the clock read once, the
account's events appended as one unit (a concurrent change to the same account is a
``ConcurrentWriteError``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, cast
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from ledger import fields
from ledger.account import Account, Grant, Role, account_id_for, username
from ledger.errors import ConcurrentWriteError, NotFoundError, ValidationError
from ledger.time_zones import zone_info

if TYPE_CHECKING:
    from ledger.application import Ledger

__all__ = [
    "AccountExistsError",
    "AccountNotFoundError",
    "AccountView",
    "get_account",
    "get_account_by_id",
    "grant_role",
    "list_accounts",
    "open_account",
    "record_email",
    "revoke_role",
]


class AccountNotFoundError(NotFoundError):
    """No account with this username."""


class AccountExistsError(ValidationError):
    """Usernames are unique."""


@dataclass(frozen=True)
class AccountView:
    id: UUID
    username: str
    display_name: str
    grants: list[Grant]  # every grant ever made, revoked ones with their revocation time
    version: int
    email: str = ""

    def grants_at(self, moment: datetime | None, day: date) -> list[Grant]:
        return [g for g in self.grants if g.in_force(moment, day)]


def _view(account: Account) -> AccountView:
    return AccountView(
        account.id,
        account.username,
        account.display_name,
        sorted(account.grants.values(), key=lambda g: g.granted_at),
        account.version,
        account.email,
    )


def _load(ledger: Ledger, name: str) -> Account:
    try:
        return cast(Account, ledger.repository.get(account_id_for(username(name))))
    except AggregateNotFoundError:
        raise AccountNotFoundError(f"no account {name!r}") from None


def _save(ledger: Ledger, account: Account) -> datetime:
    try:
        ledger.save(account)
    except IntegrityError:
        raise ConcurrentWriteError(
            "another writer changed this account at the same time; retry"
        ) from None
    return account.modified_on


def open_account(ledger: Ledger, name: str, display_name: str, *, actor: str) -> AccountView:
    name = username(name)
    display = fields.text("display_name", display_name, required=True)
    if ledger.recorder.select_events(account_id_for(name), limit=1):
        raise AccountExistsError(f"account {name!r} already exists")
    account = Account.open(at=ledger.clock(), actor=actor, username=name, display_name=display)
    _save(ledger, account)
    return _view(account)


def grant_role(
    ledger: Ledger,
    name: str,
    role: str,
    *,
    actor: str,
    agency: str = "",
    unit: str = "",
    employee_id: str = "",
    starts_on: date | None = None,
    expires_on: date | None = None,
) -> UUID:
    """Grant ``role``; the grant's id (to revoke it by) is returned."""
    role = fields.choice("role", role, Role)
    agency = fields.agency_slug(agency) if agency else ""
    zone = "UTC"
    if agency:  # AgencyNotFoundError for an unknown slug
        zone = ledger.get_agency(agency).time_zone or "UTC"
    now = ledger.clock()
    account = _load(ledger, name)
    grant_id = uuid4()
    account.grant(
        at=now,
        actor=actor,
        grant_id=grant_id,
        role=role,
        agency=agency,
        unit=fields.text("unit", unit),
        employee_id=fields.text("employee_id", employee_id, limit=64),
        # today where the grant is read (its agency's zone, as grants_in_force reads it),
        # else a grant made between local and UTC midnight would not yet be in force
        starts_on=starts_on or now.astimezone(zone_info(zone)).date(),
        expires_on=expires_on,
    )
    _save(ledger, account)
    return grant_id


def record_email(ledger: Ledger, name: str, email: str, *, actor: str) -> None:
    """The address notices for this account go to (``ledger.notice``)."""
    now = ledger.clock()
    account = _load(ledger, name)
    account.record_email(at=now, actor=actor, email=fields.text("email", email, limit=254))
    _save(ledger, account)


def revoke_role(ledger: Ledger, name: str, grant_id: UUID, *, actor: str, reason: str) -> None:
    reason = fields.text("reason", reason, required=True)
    now = ledger.clock()
    account = _load(ledger, name)
    account.revoke(grant_id, at=now, actor=actor, reason=reason)
    _save(ledger, account)


def get_account(ledger: Ledger, name: str) -> AccountView:
    return _view(_load(ledger, name))


def get_account_by_id(ledger: Ledger, account_id: UUID) -> AccountView:
    try:
        return _view(cast(Account, ledger.repository.get(account_id)))
    except AggregateNotFoundError:
        raise AccountNotFoundError(f"no account with id {account_id}") from None


def list_accounts(ledger: Ledger) -> list[AccountView]:
    return [
        _view(cast(Account, ledger.repository.get(i)))
        for i in ledger.store.streams(Account.stream_type)
    ]
