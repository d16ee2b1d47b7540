"""What a person's stream records about the agency's own credentials and policies:
qualification attempts, credentials granted, suspended, reinstated and revoked, the weapons
the person carries (a per-weapon credential is held per weapon), and policy
acknowledgements. Expiry is never recorded: the evaluation computes it from these facts
and the credential type's version (``projections.credentials``).

Every class declares its stored topic literally, as ``ledger.person_events`` does."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar
from uuid import UUID

from ledger import streams

if TYPE_CHECKING:
    from ledger.person import Person

__all__ = [
    "CredentialGranted",
    "CredentialReinstated",
    "CredentialRevoked",
    "CredentialSuspended",
    "PolicyAcknowledged",
    "QualificationAttempted",
    "WeaponIssued",
    "WeaponReturned",
]


class QualificationAttempted(streams.PersonEvent):
    """An attempt on ``effective_on``: ``result`` is ``pass`` or ``fail`` as the instructor
    recorded it, ``score`` (if scored) within the type's range. A failed attempt grants
    nothing. The weapon fields are empty unless the type is held per weapon."""

    TOPIC: ClassVar[str] = "ledger.person_credential_events:QualificationAttempted"

    attempt_id: UUID
    credential_type: str
    result: str
    score: Decimal | None
    instructor: str
    weapon_class: str
    make_model: str
    serial: str

    def apply(self, aggregate: Person) -> None:
        aggregate.credential_facts.add(self.attempt_id)


class CredentialGranted(streams.PersonEvent):
    """A credential held from ``effective_on`` on the strength of an external certificate
    (``certificate_number``, ``issuer``) until ``expires_on`` (None: the type's validity
    decides), or granted by the agency directly."""

    TOPIC: ClassVar[str] = "ledger.person_credential_events:CredentialGranted"

    grant_id: UUID
    credential_type: str
    certificate_number: str
    issuer: str
    expires_on: date | None
    serial: str

    def apply(self, aggregate: Person) -> None:
        aggregate.credential_facts.add(self.grant_id)


class CredentialSuspended(streams.PersonEvent):
    """Not valid from ``effective_on`` until reinstated (``serial``: one weapon's, or all)."""

    TOPIC: ClassVar[str] = "ledger.person_credential_events:CredentialSuspended"

    credential_type: str
    serial: str
    reason: str


class CredentialReinstated(streams.PersonEvent):
    """Valid again from ``effective_on`` (until the expiry it had)."""

    TOPIC: ClassVar[str] = "ledger.person_credential_events:CredentialReinstated"

    credential_type: str
    serial: str
    reason: str


class CredentialRevoked(streams.PersonEvent):
    """Everything earned before ``effective_on`` no longer counts; only a new pass or grant
    on or after it earns the credential again."""

    TOPIC: ClassVar[str] = "ledger.person_credential_events:CredentialRevoked"

    credential_type: str
    serial: str
    reason: str


class WeaponIssued(streams.PersonEvent):
    """The person carries this weapon from ``effective_on``."""

    TOPIC: ClassVar[str] = "ledger.person_credential_events:WeaponIssued"

    weapon_class: str
    make_model: str
    serial: str

    def apply(self, aggregate: Person) -> None:
        aggregate.weapons[self.serial] = self.weapon_class


class WeaponReturned(streams.PersonEvent):
    """The person no longer carries the weapon from ``effective_on``."""

    TOPIC: ClassVar[str] = "ledger.person_credential_events:WeaponReturned"

    serial: str
    reason: str

    def apply(self, aggregate: Person) -> None:
        aggregate.weapons.pop(self.serial, None)


class PolicyAcknowledged(streams.PersonEvent):
    """The person acknowledged these exact bytes (``version_hash``) of the policy on
    ``effective_on``, through ``channel`` (``in_person``, ``online``, ``paper``), with the
    comprehension quiz's answers and score when one was given."""

    TOPIC: ClassVar[str] = "ledger.person_credential_events:PolicyAcknowledged"

    policy_id: str
    version_hash: str
    channel: str
    quiz_answers: dict[str, str]
    quiz_score: Decimal | None
