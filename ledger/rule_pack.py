"""The RulePack aggregate: one stream per rule pack, one event per published version.

A version's content is plain JSON data (strings for dates and hours) and its
``content_hash`` is the SHA-256 of its canonical JSON, so a version, once published, can
never silently change: different content under the same version id is refused unless it
declares a higher ``version.revision`` with a ``revision_note`` (a correction of a shipped
version), and then it is recorded as a revision beside the content it supersedes, which
stays in the log: answers known before the revision keep the content known then.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from ledger import streams
from ledger.aggregate import LedgerAggregate
from ledger.errors import ValidationError
from ledger.rule_content import content_hash

__all__ = [
    "SHARED_AGENCY_ID",
    "RulePack",
    "RulePackRegistered",
    "RuleVersionConflictError",
    "RuleVersionPublished",
    "RuleVersionRevised",
    "content_hash",
    "revision_of",
    "rule_pack_id_for",
]

# State packs belong to no single tenant: they are recorded under this agency id, and an
# agency follows them by adopting its jurisdiction (Agency.JurisdictionAdopted).
SHARED_AGENCY_ID = UUID(int=0)


def rule_pack_id_for(pack_id: str) -> UUID:
    """Deterministic stream id: registering the same pack twice collides in the store."""
    return uuid5(NAMESPACE_URL, f"muster:rule-pack:{pack_id}")


def revision_of(content: Mapping[str, Any]) -> int:
    """The revision a version's content declares (1 when it declares none)."""
    version = content.get("version")
    revision = version.get("revision", 1) if isinstance(version, Mapping) else 1
    return revision if isinstance(revision, int) and revision >= 1 else 1


class RuleVersionConflictError(ValidationError):
    """A version id that is already published with different content, not as a later
    revision."""


class RulePackRegistered(streams.RulePackEvent, Aggregate.Created):
    pack_id: str
    jurisdiction: str
    title: str
    owner: str


class RuleVersionPublished(streams.RulePackEvent):
    """``effective_on`` is the version's ``effective_from``; ``content`` is self-contained."""

    pack_id: str
    version_id: str
    content_hash: str
    content: dict[str, Any]

    def apply(self, aggregate: RulePack) -> None:
        aggregate.versions[self.version_id] = self.content_hash
        aggregate.revisions[self.version_id] = revision_of(self.content)


class RuleVersionRevised(RuleVersionPublished):
    """A published version's content replaced by a later revision of it: ``content`` is the
    whole new content (so readers treat it as the version from now on), ``supersedes`` the
    content hash it replaces, ``reason`` the revision note."""

    revision: int
    supersedes: str
    reason: str


class RulePack(LedgerAggregate):
    """A rule pack's stream; ``agency_id`` is the owning agency (``SHARED_AGENCY_ID`` for
    state packs)."""

    stream_type = streams.RulePackEvent.stream_type

    def __init__(
        self, agency_id: UUID, pack_id: str, jurisdiction: str, title: str, owner: str
    ) -> None:
        self.agency_id = agency_id
        self.pack_id = pack_id
        self.jurisdiction = jurisdiction
        self.title = title
        self.owner = owner
        self.versions: dict[str, str] = {}
        self.revisions: dict[str, int] = {}

    @classmethod
    def register(
        cls,
        *,
        at: datetime,
        actor: str,
        agency_id: UUID,
        pack_id: str,
        jurisdiction: str,
        title: str,
        owner: str,
    ) -> RulePack:
        return cls._start(
            RulePackRegistered(
                **cls._start_envelope(rule_pack_id_for(pack_id), at, actor, agency_id),
                effective_on=at.date(),
                pack_id=pack_id,
                jurisdiction=jurisdiction,
                title=title,
                owner=owner,
            )
        )

    def publish_version(
        self,
        *,
        at: datetime,
        actor: str,
        version_id: str,
        effective_from: date,
        content: dict[str, Any],
    ) -> bool:
        """Record a version unless it is already published with the same content (returns
        whether it was recorded). The same version id with other content is recorded as a
        revision when it declares a higher revision than the one held, else refused."""
        digest = content_hash(content)
        known = self.versions.get(version_id)
        if known == digest:
            return False
        envelope = self._envelope(at, actor)
        if known is None:
            self._record(
                RuleVersionPublished(
                    **envelope,
                    effective_on=effective_from,
                    pack_id=self.pack_id,
                    version_id=version_id,
                    content_hash=digest,
                    content=content,
                )
            )
            return True
        held, given = self.revisions.get(version_id, 1), revision_of(content)
        name = f"rule version {self.pack_id}@{version_id}"
        if given <= held:
            raise RuleVersionConflictError(
                f"{name} is already published as revision {held} with different content "
                f"(stored {known[:12]}…, given {digest[:12]}… as revision {given}): "
                + (
                    "the store holds a later revision than this software ships"
                    if given < held
                    else f"declare revision {held + 1} with a revision_note, or a new version id"
                )
            )
        note = content.get("version", {}).get("revision_note")
        self._record(
            RuleVersionRevised(
                **envelope,
                effective_on=effective_from,
                pack_id=self.pack_id,
                version_id=version_id,
                content_hash=digest,
                content=content,
                revision=given,
                supersedes=known,
                reason=str(note or ""),
            )
        )
        return True
