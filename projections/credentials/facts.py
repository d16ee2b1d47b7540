"""A person's credential and policy facts as the credential and policy tracks see them,
folded purely from the person's events (``ledger.person_credential_events``). Plain frozen
values; the person's kind, assignments and status come from ``projections.history``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

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
from ledger.person_events import PersonEnrolled

__all__ = [
    "Acknowledgement",
    "Attempt",
    "CredentialAction",
    "CredentialFacts",
    "Grant",
    "WeaponPeriod",
    "facts_from_events",
]


@dataclass(frozen=True)
class Attempt:
    attempt_id: str
    type_id: str
    on: date
    passed: bool
    score: Decimal | None
    instructor: str
    weapon_class: str
    make_model: str
    serial: str
    recorded_at: datetime | None


@dataclass(frozen=True)
class Grant:
    grant_id: str
    type_id: str
    on: date
    expires_on: date | None
    certificate_number: str
    issuer: str
    serial: str
    recorded_at: datetime | None


@dataclass(frozen=True)
class CredentialAction:
    """``action``: suspend, reinstate or revoke; ``serial`` empty: every weapon's."""

    type_id: str
    serial: str
    action: str
    on: date
    reason: str


@dataclass(frozen=True)
class WeaponPeriod:
    serial: str
    weapon_class: str
    make_model: str
    starts_on: date
    ends_on: date | None = None  # the day it was returned (no longer carried from then)

    def carried_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day < self.ends_on)


@dataclass(frozen=True)
class Acknowledgement:
    employee_id: str
    policy_id: str
    version_hash: str
    on: date
    channel: str
    quiz_score: Decimal | None
    recorded_at: datetime | None


@dataclass(frozen=True)
class CredentialFacts:
    employee_id: str = ""
    attempts: tuple[Attempt, ...] = ()
    grants: tuple[Grant, ...] = ()
    actions: tuple[CredentialAction, ...] = ()
    weapons: tuple[WeaponPeriod, ...] = ()
    acknowledgements: tuple[Acknowledgement, ...] = ()


_ACTIONS = {
    CredentialSuspended: "suspend",
    CredentialReinstated: "reinstate",
    CredentialRevoked: "revoke",
}


def facts_from_events(events: Iterable[object]) -> CredentialFacts:
    """Fold one person's events (stream order); others are ignored."""
    employee_id = ""
    attempts: list[Attempt] = []
    grants: list[Grant] = []
    actions: list[CredentialAction] = []
    weapons: list[WeaponPeriod] = []
    acks: list[Acknowledgement] = []
    for event in events:
        recorded = getattr(event, "timestamp", None)
        if isinstance(event, PersonEnrolled):
            employee_id = event.employee_id
        elif isinstance(event, QualificationAttempted):
            attempts.append(
                Attempt(
                    str(event.attempt_id),
                    event.credential_type,
                    event.effective_on,
                    event.result == "pass",
                    event.score,
                    event.instructor,
                    event.weapon_class,
                    event.make_model,
                    event.serial,
                    recorded,
                )
            )
        elif isinstance(event, CredentialGranted):
            grants.append(
                Grant(
                    str(event.grant_id),
                    event.credential_type,
                    event.effective_on,
                    event.expires_on,
                    event.certificate_number,
                    event.issuer,
                    event.serial,
                    recorded,
                )
            )
        elif isinstance(event, CredentialSuspended | CredentialReinstated | CredentialRevoked):
            actions.append(
                CredentialAction(
                    event.credential_type,
                    event.serial,
                    _ACTIONS[type(event)],
                    event.effective_on,
                    event.reason,
                )
            )
        elif isinstance(event, WeaponIssued):
            weapons.append(
                WeaponPeriod(event.serial, event.weapon_class, event.make_model, event.effective_on)
            )
        elif isinstance(event, WeaponReturned):
            weapons = [
                WeaponPeriod(
                    w.serial, w.weapon_class, w.make_model, w.starts_on, event.effective_on
                )
                if w.serial == event.serial and w.ends_on is None
                else w
                for w in weapons
            ]
        elif isinstance(event, PolicyAcknowledged):
            acks.append(
                Acknowledgement(
                    employee_id,
                    event.policy_id,
                    event.version_hash,
                    event.effective_on,
                    event.channel,
                    event.quiz_score,
                    recorded,
                )
            )
    return CredentialFacts(
        employee_id, tuple(attempts), tuple(grants), tuple(actions), tuple(weapons), tuple(acks)
    )
