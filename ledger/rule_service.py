"""Rule-pack use cases on the Ledger: publish a pack's versions, read them back.

Functions take the ``Ledger`` and plain data (the YAML loader and schema live on the read
side in ``projections.rules``; the ledger stays free of yaml and pydantic). Recorded time
comes from ``ledger.clock()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from ledger.errors import InvalidValueError
from ledger.rule_pack import (
    SHARED_AGENCY_ID,
    RulePack,
    RuleVersionPublished,
    rule_pack_id_for,
)

if TYPE_CHECKING:
    from ledger.application import Ledger

__all__ = ["publish_pack", "published_versions"]


def _version_fields(content: Mapping[str, Any]) -> tuple[str, str, date]:
    try:
        version = content["version"]
        return (
            str(content["pack"]),
            str(version["id"]),
            date.fromisoformat(str(version["effective_from"])),
        )
    except (KeyError, TypeError, ValueError):
        msg = "each version needs pack, version.id and version.effective_from (ISO date)"
        raise InvalidValueError(msg) from None


def publish_pack(
    ledger: Ledger,
    versions: Sequence[Mapping[str, Any]],
    actor: str,
    *,
    agency_id: UUID | None = None,
) -> list[str]:
    """Append a RuleVersionPublished for each version not yet published; returns their ids.

    Idempotent: a version already published with the same content hash is skipped. A version
    id already published with different content raises ``RuleVersionConflictError`` and
    nothing at all is appended. ``agency_id`` is the owning agency of a local pack (state
    packs are shared).
    """
    if not versions:
        raise InvalidValueError("a pack needs at least one version")
    fields = [_version_fields(v) for v in versions]
    pack_ids = {pack for pack, _, _ in fields}
    if len(pack_ids) != 1:
        raise InvalidValueError(f"versions of several packs given together: {sorted(pack_ids)}")
    pack_id = pack_ids.pop()
    now: datetime = ledger.clock()
    try:
        pack = cast(RulePack, ledger.repository.get(rule_pack_id_for(pack_id)))
    except AggregateNotFoundError:
        first = versions[0]
        pack = RulePack.register(
            at=now,
            actor=actor,
            agency_id=agency_id or SHARED_AGENCY_ID,
            pack_id=pack_id,
            jurisdiction=str(first.get("jurisdiction", "")),
            title=str(first.get("title", "")),
            owner=str(first.get("owner", "state")),
        )
    # A conflict anywhere raises before the save, so nothing at all is appended.
    new = [
        version_id
        for content, (_, version_id, effective_from) in zip(versions, fields, strict=True)
        if pack.publish_version(
            at=now,
            actor=actor,
            version_id=version_id,
            effective_from=effective_from,
            content=dict(content),
        )
    ]
    if new:
        ledger.save(pack)
    return new


def published_versions(
    ledger: Ledger, known_at: datetime | None = None
) -> list[RuleVersionPublished]:
    """Every RuleVersionPublished recorded at or before ``known_at`` (all when None), in
    pack-stream order; the read side turns their content into rule versions."""
    events: list[RuleVersionPublished] = []
    for stream_id in ledger.store.streams(RulePack.stream_type):
        for event in ledger.stream(stream_id):
            if not isinstance(event, RuleVersionPublished):
                continue
            if known_at is None or event.timestamp <= known_at:
                events.append(event)
    return events
