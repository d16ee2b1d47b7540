"""Publishing the shipped rule packs into the ledger (idempotent), for the edges to call."""

from __future__ import annotations

from pathlib import Path

from ledger.application import Ledger
from ledger.rule_service import publish_pack
from projections.rules.from_ledger import pack_contents
from projections.rules.loader import shipped_packs

__all__ = ["publish_shipped_packs"]


def publish_shipped_packs(
    ledger: Ledger,
    actor: str,
    *,
    jurisdiction: str | None = None,
    directory: Path | None = None,
) -> list[str]:
    """Append every shipped state pack version the ledger does not hold yet; returns
    ``pack@version`` for each version appended (nothing when all are already there)."""
    published: list[str] = []
    for pack in shipped_packs(directory):
        if jurisdiction is not None and pack.jurisdiction != jurisdiction:
            continue
        ids = publish_pack(ledger, pack_contents(pack), actor)
        published += [f"{pack.pack}@{version_id}" for version_id in ids]
    return published
