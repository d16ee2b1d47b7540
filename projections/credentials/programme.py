"""An agency's programme as known at an instant: its credential type versions and its
policies (versions uploaded, publications, assignments), folded purely from the agency
stream's events (``ledger.program_events``). Plain frozen values; no I/O, no clock."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from ledger.program_events import (
    CredentialTypeChanged,
    CredentialTypeDefined,
    CredentialTypeRetired,
    PolicyAssigned,
    PolicyPublished,
    PolicyVersionUploaded,
)

__all__ = [
    "CredentialTypeVersion",
    "PolicyAssignment",
    "PolicyUpload",
    "Programme",
    "Publication",
    "programme_from_events",
]


@dataclass(frozen=True)
class CredentialTypeVersion:
    """One version of a credential type, in force from ``effective_from`` until a later
    version's (``retired``: from then on nobody must hold it)."""

    type_id: str
    version: int
    effective_from: date
    name: str
    holders: tuple[str, ...]
    earned_by: str
    passing_score: Decimal | None
    max_score: Decimal | None
    validity: str
    validity_months: int
    renewal_days: int
    warning_days: int
    per_weapon: bool
    weapon_classes: tuple[str, ...]
    recorded_at: datetime | None = None
    retired: bool = False
    # earned_by training_hours: hours in these topics within the months ending on a day.
    topics: tuple[str, ...] = ()
    hours_required: Decimal | None = None
    hours_window_months: int = 0

    @property
    def label(self) -> str:
        return f"{self.type_id}@v{self.version}"

    @property
    def by_hours(self) -> bool:
        return self.earned_by == "training_hours" and self.hours_required is not None


@dataclass(frozen=True)
class PolicyUpload:
    policy_id: str
    title: str
    version_hash: str
    media_type: str
    size: int
    recorded_at: datetime | None


@dataclass(frozen=True)
class Publication:
    policy_id: str
    number: int
    version_hash: str
    effective_on: date
    editorial: bool
    recorded_at: datetime | None
    reason: str = ""


@dataclass(frozen=True)
class PolicyAssignment:
    policy_id: str
    assignment_id: str
    audience: tuple[str, ...]
    due_days: int
    due_from: str
    effective_on: date


@dataclass(frozen=True)
class Programme:
    type_versions: tuple[CredentialTypeVersion, ...] = ()
    uploads: tuple[PolicyUpload, ...] = ()
    publications: tuple[Publication, ...] = ()
    assignments: tuple[PolicyAssignment, ...] = ()

    @property
    def counts_training(self) -> bool:
        """Whether some credential type is earned by training hours: its people's training
        records must then be read to judge the credential track."""
        return any(v.by_hours for v in self.type_versions)

    @property
    def type_ids(self) -> list[str]:
        return sorted({v.type_id for v in self.type_versions})

    def type_on(self, type_id: str, day: date) -> CredentialTypeVersion | None:
        """The version in force on ``day`` (of two from one day, the later version), or
        None before the first; a retirement in force is returned (``retired``)."""
        in_force = [
            v for v in self.type_versions if v.type_id == type_id and v.effective_from <= day
        ]
        return max(in_force, key=lambda v: (v.effective_from, v.version), default=None)

    def first_version(self, type_id: str) -> CredentialTypeVersion | None:
        return min(
            (v for v in self.type_versions if v.type_id == type_id and not v.retired),
            key=lambda v: (v.effective_from, v.version),
            default=None,
        )

    @property
    def policy_ids(self) -> list[str]:
        return sorted({u.policy_id for u in self.uploads})

    def title_of(self, policy_id: str) -> str:
        return next((u.title for u in reversed(self.uploads) if u.policy_id == policy_id), "")

    def publications_of(self, policy_id: str) -> list[Publication]:
        return sorted(
            (p for p in self.publications if p.policy_id == policy_id), key=lambda p: p.number
        )

    def publication_on(self, policy_id: str, day: date) -> Publication | None:
        """The version in force on ``day``: the latest publication effective by then."""
        in_force = [p for p in self.publications_of(policy_id) if p.effective_on <= day]
        return max(in_force, key=lambda p: (p.effective_on, p.number), default=None)

    def required_publication(self, current: Publication) -> Publication:
        """The version whose acknowledgement ``current`` requires: itself, or for an
        editorial version the latest substantive one before it."""
        earlier = [p for p in self.publications_of(current.policy_id) if p.number <= current.number]
        substantive = [p for p in earlier if not p.editorial]
        return substantive[-1] if substantive else earlier[0]


def programme_from_events(events: Iterable[object]) -> Programme:
    """Fold the agency's events (in stream order); every other event is ignored."""
    versions: list[CredentialTypeVersion] = []
    uploads: list[PolicyUpload] = []
    publications: list[Publication] = []
    assignments: list[PolicyAssignment] = []
    for event in events:
        recorded = getattr(event, "timestamp", None)
        if isinstance(event, CredentialTypeDefined):  # and CredentialTypeChanged
            versions.append(_type_version(event, recorded))
        elif isinstance(event, CredentialTypeRetired):
            last = max((v for v in versions if v.type_id == event.type_id), key=lambda v: v.version)
            versions.append(
                replace(
                    last,
                    version=last.version + 1,
                    effective_from=event.effective_on,
                    recorded_at=recorded,
                    retired=True,
                )
            )
        elif isinstance(event, PolicyVersionUploaded):
            uploads.append(
                PolicyUpload(
                    event.policy_id,
                    event.title,
                    event.version_hash,
                    event.media_type,
                    event.size,
                    recorded,
                )
            )
        elif isinstance(event, PolicyPublished):
            publications.append(
                Publication(
                    event.policy_id,
                    event.number,
                    event.version_hash,
                    event.effective_on,
                    event.editorial,
                    recorded,
                    event.reason,
                )
            )
        elif isinstance(event, PolicyAssigned):
            assignments.append(
                PolicyAssignment(
                    event.policy_id,
                    str(event.assignment_id),
                    tuple(event.audience),
                    event.due_days,
                    event.due_from,
                    event.effective_on,
                )
            )
    return Programme(tuple(versions), tuple(uploads), tuple(publications), tuple(assignments))


def _type_version(
    event: CredentialTypeDefined | CredentialTypeChanged, recorded: datetime | None
) -> CredentialTypeVersion:
    return CredentialTypeVersion(
        type_id=event.type_id,
        version=event.version,
        effective_from=event.effective_on,
        name=event.name,
        holders=tuple(event.holders),
        earned_by=event.earned_by,
        passing_score=event.passing_score,
        max_score=event.max_score,
        validity=event.validity,
        validity_months=event.validity_months,
        renewal_days=event.renewal_days,
        warning_days=event.warning_days,
        per_weapon=event.per_weapon,
        weapon_classes=tuple(event.weapon_classes),
        recorded_at=recorded,
        topics=tuple(event.topics),
        hours_required=event.hours_required,
        hours_window_months=event.hours_window_months,
    )
