"""A unit written into the recorded-time index: its one recorded time, read under the
write lock, and each event's index row chained to its stream's head."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple, Protocol
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from ledger.chain import EventMeta, as_uuid, chain_links
from ledger.clock import Clock
from ledger.envelope import LedgerEvent
from ledger.index_dialect import Dialect, WriteCursor

__all__ = [
    "Appended",
    "Encode",
    "index_row",
    "index_rows",
    "previous_links",
    "stamp_unit",
    "unit_instant",
]

Encode = Callable[[LedgerEvent], StoredEvent]
"""How a store turns a stamped event into its stored bytes (the ledger's mapper)."""


class Appended(NamedTuple):
    """A committed unit: its one recorded time, its events as stored (when the store was
    asked to keep them), their log positions."""

    recorded_at: datetime
    stored_events: Sequence[StoredEvent]
    notification_ids: Sequence[int]


class SavedUnit(NamedTuple):
    """A committed unit as its writer sees it: its recorded time, its events (stamped with
    that time) and their log positions, in log order."""

    recorded_at: datetime
    events: list[LedgerEvent]
    notification_ids: list[int]


_MICROSECOND = timedelta(microseconds=1)


def unit_instant(clock: Clock, last: datetime | None) -> datetime:
    """The recorded time of the unit being written: read under the events table's write
    lock from the ledger's clock, and at least a microsecond after the log's ``last``
    recorded time (also when the clock stands still or went back). So recorded time
    strictly increases from one committed unit to the next along the whole log: a unit
    committed after a reader saw ``last`` carries a later time, and the records as they
    stood at ``last`` can no longer change."""
    moment = clock().astimezone(UTC)
    if last is not None:
        floor = last.astimezone(UTC) + _MICROSECOND
        if moment < floor:
            moment = floor
    return moment


def stamp_unit(events: Sequence[LedgerEvent], moment: datetime) -> list[EventMeta]:
    """Give every event of one unit its recorded time ``moment`` (under the write lock,
    before anything is encoded or hashed) and return their envelopes for the index.

    An event staged by a command carries the clock's reading at staging as a provisional
    time; it becomes a recorded fact only now. The events are frozen for everyone else:
    the time is written into the instance's fields directly, once."""
    metas = []
    for event in events:
        event.__dict__["timestamp"] = moment
        metas.append(EventMeta(event.agency_id, event.stream_type, moment, event.effective_on))
    return metas


def index_rows(
    dialect: Dialect,
    cursor: WriteCursor,
    stored_events: Sequence[StoredEvent],
    notification_ids: Sequence[int],
    metas: Sequence[EventMeta],
    digests: Sequence[bytes],
) -> list[tuple[Any, ...]]:
    """The index rows (``ledger.index_dialect.INDEX_COLUMNS``) of a batch of new events,
    each chained to its stream's head: run inside the transaction that inserts the events."""
    links = chain_links(stored_events, digests, previous_links(dialect, cursor, stored_events))
    return [
        index_row(dialect, stored, notification_id, meta, link)
        for stored, meta, notification_id, link in zip(
            stored_events, metas, notification_ids, links, strict=True
        )
    ]


def index_row(
    dialect: Dialect, stored: StoredEvent, notification_id: int, meta: EventMeta, link: bytes
) -> tuple[Any, ...]:
    """One event's index row, in ``INDEX_COLUMNS`` order."""
    return (
        dialect.id_param(as_uuid(stored.originator_id)),
        stored.originator_version,
        notification_id,
        dialect.id_param(meta.agency_id),
        meta.stream_type,
        dialect.time_param(meta.recorded_at),
        dialect.date_param(meta.effective_on),
        link,
    )


class Positioned(Protocol):
    """A new event's place: its stream and position (a stored event, or one to encode)."""

    @property
    def originator_id(self) -> Any: ...
    @property
    def originator_version(self) -> int: ...


def previous_links(
    dialect: Dialect, cursor: WriteCursor, stored_events: Sequence[Positioned]
) -> dict[UUID, bytes]:
    """The current head link of each stream a batch of new events continues (streams it
    starts have none, and later events of a stream follow the batch's own earlier ones):
    read under the write lock, in the transaction that appends the batch."""
    seen: set[UUID] = set()
    wanted: list[tuple[Any, int]] = []
    for stored in stored_events:
        originator_id = as_uuid(stored.originator_id)
        if originator_id not in seen:
            seen.add(originator_id)
            if stored.originator_version > 1:
                wanted.append((dialect.id_param(originator_id), stored.originator_version - 1))
    if not wanted:
        return {}
    source, params = dialect.pairs_source(wanted)
    # One primary-key probe per pair, whatever the planner thinks of the table's size (a
    # join let PostgreSQL prefer scanning the whole index table once it grew).
    cursor.execute(
        f"SELECT wanted.column1, (SELECT i.link FROM {dialect.index_table} i "
        "WHERE i.originator_id = wanted.column1 AND i.originator_version = wanted.column2) "
        f"FROM {source}",
        params,
    )
    return {
        dialect.to_uuid(row[0]): bytes(row[1]) for row in cursor.fetchall() if row[1] is not None
    }
