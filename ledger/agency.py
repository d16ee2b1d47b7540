"""The Agency aggregate: the tenant, its jurisdiction and the rule packs it follows."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from ledger.envelope import LedgerEvent

__all__ = ["Agency", "AgencyRegistered", "JurisdictionAdopted", "agency_id_for"]


def agency_id_for(slug: str) -> UUID:
    """Deterministic stream id: registering the same slug twice collides in the store."""
    return uuid5(NAMESPACE_URL, f"muster:agency:{slug}")


class AgencyRegistered(LedgerEvent, Aggregate.Created):
    slug: str
    name: str
    jurisdiction: str


class JurisdictionAdopted(LedgerEvent):
    """The agency follows the named jurisdiction's rule pack from ``effective_on``."""

    jurisdiction: str

    def apply(self, aggregate: Agency) -> None:
        aggregate.jurisdiction = self.jurisdiction


class Agency(Aggregate):
    def __init__(self, slug: str, name: str, jurisdiction: str) -> None:
        self.slug = slug
        self.name = name
        self.jurisdiction = jurisdiction

    @classmethod
    def register(cls, *, at: datetime, actor: str, slug: str, **fields: Any) -> Agency:
        agency_id = agency_id_for(slug)
        return cls._create(
            AgencyRegistered,
            id=agency_id,
            timestamp=at,
            actor=actor,
            agency_id=agency_id,
            slug=slug,
            **fields,
        )

    def record(
        self, event_class: type[LedgerEvent], *, at: datetime, actor: str, **fields: Any
    ) -> None:
        """Append one fact; recorded time never goes backwards within the stream."""
        self.trigger_event(
            event_class,
            timestamp=max(at, self.modified_on),
            actor=actor,
            agency_id=self.id,
            **fields,
        )
