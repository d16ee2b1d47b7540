"""An agency's own programme, as events on its stream: custom credential types (defined,
changed, retired, each change a new version from an effective date, like a rule pack's) and
policies (a document version uploaded, published from a date, assigned to an audience).

Every class declares its stored topic literally (``TOPIC``), as ``ledger.person_events``
does, so moving a class never changes a stored topic or hash header.

Audiences and holders are selectors, each one a ``kind:value`` text: ``everyone``,
``kind:sworn``, ``rank:Sergeant``, ``unit:Patrol``, ``assignment:k9``, ``person:E1`` (an
employee id). A person is in the audience on a day when any selector matches the person's
kind, rank, unit, assignments or employee id on that day. Account roles (officer,
coordinator, ...) are grants of access, not facts about a person, so they are not selectors.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from ledger import streams

if TYPE_CHECKING:
    from ledger.agency import Agency

__all__ = [
    "CredentialTypeChanged",
    "CredentialTypeDefined",
    "CredentialTypeRetired",
    "CredentialTypeState",
    "PolicyAssigned",
    "PolicyPublished",
    "PolicyQuizSet",
    "PolicyState",
    "PolicyVersionUploaded",
]


class CredentialTypeDefined(streams.AgencyProgrammeEvent):
    """Version 1 of a credential type, in force from ``effective_on``.

    ``earned_by``: ``qualification`` (an attempt passed, with score and instructor),
    ``certificate`` (an external certificate with its own expiry) or ``training_hours``
    (``hours_required`` hours of completed training in ``topics``, topic ids as the training
    records carry them, within the ``hours_window_months`` months ending on the day they are
    met; version 2 added these three, and version 1 events read as none). ``validity``: ``months``
    (``validity_months`` after the day earned), ``end_of_next_year`` (31 December of the
    next calendar year) or ``certificate`` (the certificate's expiry). A requalification
    within ``renewal_days`` before the current expiry renews from that expiry (no time is
    lost); ``warning_days`` before expiry the credential is due soon. ``per_weapon``: held
    per weapon (class, make and model, serial) for each weapon of ``weapon_classes`` the
    person carries."""

    TOPIC: ClassVar[str] = "ledger.program_events:CredentialTypeDefined"

    class_version = 2

    type_id: str
    name: str
    version: int
    holders: list[str]
    earned_by: str
    passing_score: Decimal | None
    max_score: Decimal | None
    validity: str
    validity_months: int
    renewal_days: int
    warning_days: int
    per_weapon: bool
    weapon_classes: list[str]
    _: KW_ONLY
    topics: list[str] = field(default_factory=list)
    hours_required: Decimal | None = None
    hours_window_months: int = 0

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state.update(topics=[], hours_required=None, hours_window_months=0)  # none in v1

    def apply(self, aggregate: Agency) -> None:
        aggregate.credential_types[self.type_id] = CredentialTypeState(
            version=self.version,
            name=self.name,
            earned_by=self.earned_by,
            passing_score=self.passing_score,
            max_score=self.max_score,
            validity=self.validity,
            per_weapon=self.per_weapon,
            weapon_classes=tuple(self.weapon_classes),
        )


class CredentialTypeChanged(CredentialTypeDefined):
    """A new version of the type (a full restatement), in force from ``effective_on``: days
    before it are still judged by the version in force then."""

    TOPIC: ClassVar[str] = "ledger.program_events:CredentialTypeChanged"

    reason: str


class CredentialTypeRetired(streams.AgencyProgrammeEvent):
    """Nobody must hold the type from ``effective_on``; earlier days are judged as before."""

    TOPIC: ClassVar[str] = "ledger.program_events:CredentialTypeRetired"

    type_id: str
    reason: str

    def apply(self, aggregate: Agency) -> None:
        aggregate.credential_types[self.type_id].retired = True


class PolicyVersionUploaded(streams.AgencyProgrammeEvent):
    """A document's exact bytes, stored content-addressed: ``version_hash`` is their
    SHA-256 (hex), the blob's key (``ledger.blob_store``)."""

    TOPIC: ClassVar[str] = "ledger.program_events:PolicyVersionUploaded"

    policy_id: str
    title: str
    version_hash: str
    media_type: str
    size: int

    def apply(self, aggregate: Agency) -> None:
        policy = aggregate.policies.setdefault(self.policy_id, PolicyState(self.title))
        policy.uploaded[self.version_hash] = self.effective_on


class PolicyPublished(streams.AgencyProgrammeEvent):
    """Version ``number`` (1, 2, ... in publication order) of the policy is the one in force
    from ``effective_on``. ``editorial``: the wording changed but not the substance, so an
    acknowledgement of the previous version still counts. ``reason``: the coordinator's
    note on the publication (none on events recorded before it existed)."""

    TOPIC: ClassVar[str] = "ledger.program_events:PolicyPublished"

    policy_id: str
    version_hash: str
    number: int
    editorial: bool
    reason: str = ""

    def apply(self, aggregate: Agency) -> None:
        aggregate.policies[self.policy_id].published.append(self.version_hash)


class PolicyQuizSet(streams.AgencyProgrammeEvent):
    """The comprehension quiz of one uploaded version (``ledger.policy_quiz``: questions
    with their correct choice, and the pass mark in percent), for acknowledgements recorded
    from now on; a later one for the same version replaces it, an earlier acknowledgement
    keeps the answers and score it was recorded with."""

    TOPIC: ClassVar[str] = "ledger.program_events:PolicyQuizSet"

    policy_id: str
    version_hash: str
    quiz: dict[str, Any]

    def apply(self, aggregate: Agency) -> None:
        aggregate.policies[self.policy_id].quizzes[self.version_hash] = self.quiz


class PolicyAssigned(streams.AgencyProgrammeEvent):
    """The policy binds ``audience`` from ``effective_on``: each member must acknowledge the
    version in force within ``due_days`` of the later of its publication and their hire
    date (``due_from="publication"``), or of those and the assignment
    (``due_from="assignment"``). Someone who joins the audience later (a new unit) is
    counted from those dates too, not from the day they joined (not tracked yet)."""

    TOPIC: ClassVar[str] = "ledger.program_events:PolicyAssigned"

    policy_id: str
    assignment_id: UUID
    audience: list[str]
    due_days: int
    due_from: str

    def apply(self, aggregate: Agency) -> None:
        aggregate.policies[self.policy_id].assignments.append(self.assignment_id)


@dataclass
class CredentialTypeState:
    """What the write side checks a person's credential facts against: the latest version."""

    version: int
    name: str
    earned_by: str
    passing_score: Decimal | None
    max_score: Decimal | None
    validity: str
    per_weapon: bool
    weapon_classes: tuple[str, ...]
    retired: bool = False


@dataclass
class PolicyState:
    title: str
    uploaded: dict[str, date] = field(default_factory=dict)  # version hash -> upload day
    published: list[str] = field(default_factory=list)  # version hashes, in order
    assignments: list[UUID] = field(default_factory=list)
    quizzes: dict[str, dict[str, Any]] = field(default_factory=dict)  # hash -> quiz data

    def number_of(self, version_hash: str) -> int | None:
        """The version's publication number (1-based; its first publication), if any."""
        return self.published.index(version_hash) + 1 if version_hash in self.published else None
