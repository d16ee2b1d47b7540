"""The event envelope every muster domain event carries (see DESIGN.md)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, dataclass_transform
from uuid import UUID

from eventsourcing.domain import Aggregate

__all__ = ["LedgerEvent"]


@dataclass_transform(frozen_default=True)
class _DataclassEvent(Aggregate.Event):
    """Tells type checkers what the library's metaclass does at run time: every event class
    is a frozen dataclass, so constructing one with a wrong or missing field is a type error.
    (It adds no field and no behaviour: stored topics and bytes are those of the subclasses.)
    """


class LedgerEvent(_DataclassEvent):
    """Base of every domain event.

    ``timestamp`` (inherited) is the recorded time, set by the ledger's clock on the server;
    ``effective_on`` is when the fact took effect in the world. They are never mixed.
    ``stream_type`` names the kind of stream the event belongs to; it is part of every
    event's hash header, so each aggregate's events declare it once, literally.
    """

    stream_type: ClassVar[str]

    effective_on: date
    actor: str
    agency_id: UUID
