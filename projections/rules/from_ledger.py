"""Rule versions as recorded in the ledger, and which of them bind an agency.

``rule_versions_from_events`` is the read side's fold over RuleVersionPublished events,
validated by the schema: only events recorded at or before ``known_at`` count, and each
stored content is checked against its recorded hash before it is trusted
(``projections.stored_versions``, which reads them without the schema).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from projections.rules.loader import resolve_versions, version_content
from projections.rules.schema import PackFile, RuleVersion
from projections.stored_versions import (
    StoredVersionMismatchError,
    stored_versions_from_events,
    versions_for_agency,
)

__all__ = [
    "StoredVersionMismatchError",
    "pack_contents",
    "rule_versions_from_events",
    "versions_for_agency",
]


def pack_contents(pack: PackFile) -> list[dict[str, object]]:
    """The plain data ``ledger.rule_service.publish_pack`` takes for this pack."""
    return [version_content(v) for v in resolve_versions(pack)]


def rule_versions_from_events(
    events: Iterable[object], known_at: datetime | None = None
) -> list[RuleVersion]:
    return [v.rule_version() for v in stored_versions_from_events(events, known_at)]
