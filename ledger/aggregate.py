"""The base of muster's aggregates: the rules every stream shares when it records a fact."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, Self, TypedDict
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from ledger.envelope import LedgerEvent

__all__ = ["Envelope", "LedgerAggregate", "StartEnvelope"]


class Envelope(TypedDict):
    """The fields of a new event that the stream, not the command, decides."""

    originator_id: UUID
    originator_version: int
    timestamp: datetime
    actor: str
    agency_id: UUID


class StartEnvelope(Envelope):
    """A stream's first event also names the aggregate class it creates."""

    originator_topic: str


class LedgerAggregate(Aggregate):
    """Typed command methods check their preconditions, build one typed event with
    ``_envelope`` and hand it to ``_record``; the event's ``apply`` is the only code that
    changes state, whether the event is new or read back from the store.

    The library's ``@event(EventClass)`` decorator is not used: in eventsourcing 9.5.6 it
    redefines the given class as a nested subclass (``Person.TrainingCompleted``), which
    changes the stored topic (part of every hash header) and makes events read back a
    different class from events just recorded. ``trigger_event`` takes untyped keyword
    arguments; building the event here lets mypy check every field.
    """

    # Declared for type checkers only: class annotations would make the library's
    # metaclass turn the aggregate into a dataclass. Each aggregate sets both.
    if TYPE_CHECKING:
        stream_type: ClassVar[str]  # the literal in every hash header of its events
        agency_id: UUID

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        if not isinstance(cls.__dict__.get("stream_type"), str):
            msg = f"{cls.__name__} must declare its stream_type literally"
            raise TypeError(msg)

    def _envelope(self, at: datetime, actor: str) -> Envelope:
        """``at``, the ledger clock's reading when the command is staged, is a provisional
        time: the store gives every event of a unit its recorded time when the unit
        commits, under the write lock (``Ledger.save``)."""
        return Envelope(
            originator_id=self.id,
            originator_version=self.version + 1,
            timestamp=at,
            actor=actor,
            agency_id=self.agency_id,
        )

    def _record(self, event: LedgerEvent) -> None:
        """Apply a new event and keep it for the next save (``trigger_event`` does the same
        with an event it builds from keyword arguments)."""
        event.mutate(self)
        self.pending_events.append(event)

    @classmethod
    def _start_envelope(
        cls, originator_id: UUID, at: datetime, actor: str, agency_id: UUID
    ) -> StartEnvelope:
        return StartEnvelope(
            originator_topic=get_topic(cls),
            originator_id=originator_id,
            originator_version=cls.INITIAL_VERSION,
            timestamp=at,
            actor=actor,
            agency_id=agency_id,
        )

    @classmethod
    def _start(cls, event: LedgerEvent) -> Self:
        """The aggregate a stream's first event creates (what the library's ``_create``
        does with an event it builds from keyword arguments)."""
        aggregate = event.mutate(None)
        if not isinstance(aggregate, cls):
            msg = f"{type(event).__name__} does not start a {cls.__name__}"
            raise TypeError(msg)
        aggregate.pending_events.append(event)
        return aggregate
