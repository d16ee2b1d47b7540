"""Rule versions as recorded in the ledger, and which of them bind an agency.

``rule_versions_from_events`` is the read side's fold over RuleVersionPublished events:
only events recorded at or before ``known_at`` count, and each stored content is checked
against its recorded hash before it is trusted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from ledger.rule_pack import RuleVersionPublished, content_hash
from projections.rules.loader import resolve_versions, rule_version_from_content, version_content
from projections.rules.schema import PackFile, RuleVersion

__all__ = [
    "StoredVersionMismatchError",
    "pack_contents",
    "rule_versions_from_events",
    "versions_for_agency",
]


class StoredVersionMismatchError(ValueError):
    """A stored version's content does not match its recorded hash."""


def pack_contents(pack: PackFile) -> list[dict[str, object]]:
    """The plain data ``ledger.rule_service.publish_pack`` takes for this pack."""
    return [version_content(v) for v in resolve_versions(pack)]


def rule_versions_from_events(
    events: Iterable[object], known_at: datetime | None = None
) -> list[RuleVersion]:
    versions: dict[tuple[str, str], RuleVersion] = {}
    for event in events:
        if not isinstance(event, RuleVersionPublished):
            continue
        if known_at is not None and event.timestamp > known_at:
            continue
        if content_hash(event.content) != event.content_hash:
            msg = f"{event.pack_id}@{event.version_id}: stored content does not match its hash"
            raise StoredVersionMismatchError(msg)
        versions[(event.pack_id, event.version_id)] = rule_version_from_content(event.content)
    return [versions[key] for key in sorted(versions)]


def versions_for_agency(
    versions: Sequence[RuleVersion], jurisdiction: str, agency_slug: str
) -> list[RuleVersion]:
    """The state's packs for the agency's jurisdiction plus the agency's own local packs."""
    return [
        v
        for v in versions
        if (v.owner == "state" and v.jurisdiction == jurisdiction)
        or (v.owner == "agency" and v.agency == agency_slug)
    ]
