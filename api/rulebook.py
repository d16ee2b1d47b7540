"""Publishing the shipped rule packs into the ledger (idempotent), for the edges to call:
for one jurisdiction when an agency is registered, and for every jurisdiction in use when
the software is upgraded (``update_shipped_packs``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ledger.application import Ledger
from ledger.rule_pack import content_hash
from ledger.rule_service import publish_pack, published_versions
from projections.rules.from_ledger import pack_contents
from projections.rules.loader import resolve_versions, shipped_packs, version_content
from projections.rules.schema import RuleVersion

__all__ = ["ShippedChange", "publish_shipped_packs", "shipped_changes", "update_shipped_packs"]


@dataclass(frozen=True)
class ShippedChange:
    """A shipped version the ledger does not hold as shipped: new, or a revision."""

    kind: Literal["new", "revised"]
    label: str  # pack@version, with the revision after the first
    jurisdiction: str
    effective_from: str
    summary: str  # the version's summary, or for a revision its revision note
    sources: tuple[str, ...]  # "title <url>" of each source the version cites


def publish_shipped_packs(
    ledger: Ledger,
    actor: str,
    *,
    jurisdiction: str | None = None,
    directory: Path | None = None,
) -> list[str]:
    """Append every shipped state pack version the ledger does not hold yet (or holds an
    earlier revision of); returns ``pack@version`` for each version appended (nothing
    when all are already there)."""
    published: list[str] = []
    for pack in shipped_packs(directory):
        if jurisdiction is not None and pack.jurisdiction != jurisdiction:
            continue
        ids = publish_pack(ledger, pack_contents(pack), actor)
        published += [f"{pack.pack}@{version_id}" for version_id in ids]
    return published


def _jurisdictions_in_use(ledger: Ledger) -> set[str]:
    return {agency.jurisdiction for agency in ledger.list_agencies()}


def shipped_changes(ledger: Ledger, directory: Path | None = None) -> list[ShippedChange]:
    """What ``update_shipped_packs`` would append: each shipped version of a jurisdiction
    some agency follows whose content the ledger does not hold, in pack and date order."""
    held: dict[tuple[str, str], str] = {}
    for event in published_versions(ledger):
        held[(event.pack_id, event.version_id)] = event.content_hash
    in_use = _jurisdictions_in_use(ledger)
    changes = []
    for pack in shipped_packs(directory):
        if pack.jurisdiction not in in_use:
            continue
        for version in resolve_versions(pack):
            stored = held.get((pack.pack, version.id))
            if stored == content_hash(version_content(version)):
                continue
            changes.append(_change(version, "new" if stored is None else "revised"))
    return changes


def _change(version: RuleVersion, kind: Literal["new", "revised"]) -> ShippedChange:
    spec = version.version
    note = spec.revision_note if kind == "revised" else None
    return ShippedChange(
        kind=kind,
        label=version.label,
        jurisdiction=version.jurisdiction,
        effective_from=spec.effective_from.isoformat(),
        summary=note or spec.summary,
        sources=tuple(
            source.title + (f" <{source.url}>" if source.url else "")
            for source_id, source in version.sources.items()
            if source_id in spec.source
        ),
    )


def update_shipped_packs(
    ledger: Ledger, actor: str, directory: Path | None = None
) -> list[ShippedChange]:
    """Publish every newly shipped version and revision of every jurisdiction an agency
    follows (state packs are shared, so each reaches all of its agencies at once); returns
    what was appended. Idempotent; a conflict appends nothing for its pack."""
    changes = shipped_changes(ledger, directory)
    for jurisdiction in sorted({c.jurisdiction for c in changes}):
        publish_shipped_packs(ledger, actor, jurisdiction=jurisdiction, directory=directory)
    return changes
