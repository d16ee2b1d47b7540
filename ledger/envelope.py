"""The event envelope every muster domain event carries (see DESIGN.md)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate

__all__ = ["LedgerEvent"]


class LedgerEvent(Aggregate.Event):
    """Base of every domain event.

    ``timestamp`` (inherited) is the recorded time, set by the ledger's clock on the server;
    ``effective_on`` is when the fact took effect in the world. They are never mixed.
    """

    effective_on: date
    actor: str
    agency_id: UUID
