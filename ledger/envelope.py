"""The event envelope every muster domain event carries (see DESIGN.md)."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, dataclass_transform
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
    # The stored topic (the library's ``get_topic`` reads ``TOPIC`` when a class has one):
    # where it was first stored, declared literally by a class that moved (the person
    # events), else its module and name. Never inherited: a subclass gets its own.
    TOPIC: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "TOPIC" not in cls.__dict__:
            cls.TOPIC = f"{cls.__module__}:{cls.__qualname__}"

    effective_on: date
    actor: str
    agency_id: UUID
