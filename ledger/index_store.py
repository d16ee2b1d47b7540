"""The recorded-time index and hash links beside the event table: every read and write of
it, written once for both backends.

A backend supplies a ``Dialect`` (placeholder, table names, how ids and instants travel) and
a way to run a read query; everything else is shared, so SQLite and PostgreSQL answer the
same questions with the same SQL shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple, Protocol
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from ledger.chain import EventMeta, IndexRow, as_uuid, chain_links
from ledger.clock import Clock
from ledger.envelope import LedgerEvent

__all__ = [
    "BEFORE_ANY_RECORD",
    "Appended",
    "Dialect",
    "Encode",
    "IndexReads",
    "WriteCursor",
    "copy_index_statement",
    "index_row",
    "index_rows",
    "insert_index_statement",
    "last_recorded_statement",
    "previous_links",
    "stamp_unit",
    "unit_instant",
]

_INDEX_COLUMNS = (
    "originator_id, originator_version, notification_id, agency_id, stream_type, recorded_at, "
    "effective_on, link"
)


@dataclass(frozen=True)
class Dialect:
    placeholder: str
    index_table: str
    events_table: str
    id_param: Callable[[UUID], Any]
    time_param: Callable[[datetime], Any]
    date_param: Callable[[date], Any]
    # The (stream, position) pairs a batch continues, as a joinable row source named
    # ``wanted(column1, column2)``, and its parameters.
    pairs_source: Callable[[Sequence[tuple[Any, int]]], tuple[str, list[Any]]]
    to_uuid: Callable[[Any], UUID]
    to_time: Callable[[Any], datetime]
    to_date: Callable[[Any], date]
    # The event table's column holding an event's log position.
    notification_column: str = "notification_id"
    # The table of unit seals (``ledger.seal``).
    seal_table: str = "unit_seals"

    def marks(self, count: int) -> str:
        return ",".join([self.placeholder] * count)

    def index_row(self, row: Sequence[Any]) -> IndexRow:
        originator_id, version, notification_id, agency_id, kind, recorded, effective, link = row
        return IndexRow(
            self.to_uuid(originator_id),
            int(version),
            int(notification_id),
            EventMeta(
                self.to_uuid(agency_id), str(kind), self.to_time(recorded), self.to_date(effective)
            ),
            bytes(link),
        )


class WriteCursor(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ...) -> Any: ...
    def executemany(self, sql: str, params: Sequence[Sequence[Any]]) -> Any: ...
    def fetchall(self) -> Any: ...


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

BEFORE_ANY_RECORD = datetime.min.replace(tzinfo=UTC)
"""The stable horizon of a log whose first unit is being written: nothing is known yet."""


def last_recorded_statement(dialect: Dialect) -> str:
    """The log's last recorded time (a seek at the end of the recorded-time index)."""
    return f"SELECT max(recorded_at) FROM {dialect.index_table}"


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
    """The index rows (``_INDEX_COLUMNS``) of a batch of new events, each chained to its
    stream's head: run inside the transaction that inserts the events."""
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
    """One event's index row, in ``_INDEX_COLUMNS`` order."""
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


def insert_index_statement(dialect: Dialect) -> str:
    """``INSERT`` of one index row as ``index_rows`` gives them."""
    return f"INSERT INTO {dialect.index_table} ({_INDEX_COLUMNS}) VALUES ({dialect.marks(8)})"


def copy_index_statement(dialect: Dialect) -> str:
    """``COPY ... FROM STDIN`` of index rows in the order ``index_rows`` gives them."""
    return f"COPY {dialect.index_table} ({_INDEX_COLUMNS}) FROM STDIN (FORMAT BINARY)"


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


class IndexReads:
    """Read queries over the index, for a recorder that provides ``dialect`` and ``_read``."""

    dialect: Dialect

    def _read(self, sql: str, params: Sequence[Any]) -> list[Sequence[Any]]:
        raise NotImplementedError

    def _pages(self, columns: str, table: str, batch: int) -> Iterator[Sequence[Any]]:
        """Every row of a table keyed by (stream, position), in key order, paged by key."""
        d = self.dialect
        after: tuple[Any, int] = (d.id_param(UUID(int=0)), 0)
        while True:
            rows = self._read(
                f"SELECT {columns} FROM {table} "
                f"WHERE (originator_id, originator_version) > ({d.marks(2)}) "
                f"ORDER BY originator_id, originator_version LIMIT {d.placeholder}",
                (*after, batch),
            )
            if not rows:
                return
            yield from rows
            after = (rows[-1][0], rows[-1][1])

    def iter_index(self, batch: int = 5000) -> Iterator[IndexRow]:
        """Every index row in (stream, position) order."""
        d = self.dialect
        return (d.index_row(row) for row in self._pages(_INDEX_COLUMNS, d.index_table, batch))

    def iter_stored(self, batch: int = 5000) -> Iterator[StoredEvent]:
        """Every stored event in (stream, position) order."""
        d = self.dialect
        rows = self._pages("originator_id, originator_version, topic, state", d.events_table, batch)
        return (StoredEvent(d.to_uuid(r[0]), int(r[1]), str(r[2]), bytes(r[3])) for r in rows)

    def iter_log(self, batch: int = 5000) -> Iterator[IndexRow]:
        """Every index row in log (notification id) order."""
        d = self.dialect
        after = -1
        while True:
            rows = self._read(
                f"SELECT {_INDEX_COLUMNS} FROM {d.index_table} WHERE notification_id > "
                f"{d.placeholder} ORDER BY notification_id LIMIT {d.placeholder}",
                (after, batch),
            )
            if not rows:
                return
            for row in rows:
                yield d.index_row(row)
            after = int(rows[-1][2])

    def recorded_by_sql(self) -> str:
        d = self.dialect
        return (
            f"SELECT {_INDEX_COLUMNS} FROM {d.index_table} WHERE agency_id = {d.placeholder} "
            f"AND recorded_at <= {d.placeholder} ORDER BY recorded_at, notification_id"
        )

    def recorded_by(self, agency_id: UUID, moment: datetime) -> list[IndexRow]:
        """Index rows of one agency recorded at or before ``moment`` (uses the
        (agency_id, recorded_at) index)."""
        d = self.dialect
        rows = self._read(self.recorded_by_sql(), (d.id_param(agency_id), d.time_param(moment)))
        return [d.index_row(row) for row in rows]

    def stream_positions(
        self, stream_type: str, *, recorded_by: datetime | None = None
    ) -> list[tuple[UUID, int]]:
        """(stream, position) of every event of a stream type recorded by an instant."""
        d = self.dialect
        sql = (
            f"SELECT originator_id, originator_version FROM {d.index_table} "
            f"WHERE stream_type = {d.placeholder}"
        )
        params: list[Any] = [stream_type]
        if recorded_by is not None:
            sql += f" AND recorded_at <= {d.placeholder}"
            params.append(d.time_param(recorded_by))
        rows = self._read(sql + " ORDER BY originator_id, originator_version", params)
        return [(d.to_uuid(row[0]), int(row[1])) for row in rows]

    def heads_and_positions(
        self,
        originator_ids: Sequence[UUID],
        stream_type: str,
        *,
        recorded_by: datetime | None = None,
    ) -> tuple[dict[UUID, int], list[tuple[UUID, int]]]:
        """In one round trip: ``heads_of(originator_ids)`` and ``stream_positions(stream_type)``
        at the same instant (a single answer needs its agency's and person's heads and the
        rule-pack positions; three round trips were most of a memoised answer's time)."""
        d = self.dialect
        by_time = f" AND recorded_at <= {d.placeholder}" if recorded_by is not None else ""
        moment = [d.time_param(recorded_by)] if recorded_by is not None else []
        sql = (
            f"SELECT 0, originator_id, max(originator_version) FROM {d.index_table} "
            f"WHERE originator_id IN ({d.marks(len(originator_ids)) or 'NULL'}){by_time} "
            "GROUP BY originator_id UNION ALL "
            f"SELECT 1, originator_id, originator_version FROM {d.index_table} "
            f"WHERE stream_type = {d.placeholder}{by_time}"
        )
        params = [*(d.id_param(i) for i in originator_ids), *moment, stream_type, *moment]
        heads: dict[UUID, int] = {}
        positions: list[tuple[UUID, int]] = []
        for part, originator_id, version in self._read(sql, params):
            if int(part) == 0:
                heads[d.to_uuid(originator_id)] = int(version)
            else:
                positions.append((d.to_uuid(originator_id), int(version)))
        return heads, sorted(positions)

    def stream_heads(
        self,
        stream_type: str,
        agency_id: UUID,
        *,
        recorded_by: datetime | None = None,
        originator_ids: Sequence[UUID] | None = None,
    ) -> dict[UUID, int]:
        """Each stream's last position recorded by an instant (streams of one agency)."""
        if originator_ids is None:
            return self._agency_heads(stream_type, agency_id, recorded_by)
        return self.heads_of(originator_ids, recorded_by=recorded_by)

    def heads_of(
        self,
        originator_ids: Sequence[UUID],
        *,
        recorded_by: datetime | None = None,
        up_to_notification: int | None = None,
    ) -> dict[UUID, int]:
        """Named streams' last positions recorded by an instant or up to a log position
        (a primary-key seek per stream; streams with nothing by then are left out)."""
        d = self.dialect
        sql = (
            f"SELECT originator_id, max(originator_version) FROM {d.index_table} "
            f"WHERE originator_id IN ({d.marks(len(originator_ids)) or 'NULL'})"
        )
        params: list[Any] = [d.id_param(originator_id) for originator_id in originator_ids]
        if recorded_by is not None:
            sql += f" AND recorded_at <= {d.placeholder}"
            params.append(d.time_param(recorded_by))
        if up_to_notification is not None:
            sql += f" AND notification_id <= {d.placeholder}"
            params.append(up_to_notification)
        rows = self._read(sql + " GROUP BY originator_id", params)
        return {d.to_uuid(row[0]): int(row[1]) for row in rows}

    def select_streams_until(
        self, originator_ids: Sequence[UUID], up_to_notification: int
    ) -> list[StoredEvent]:
        """Stored events of the named streams recorded at or before a log position, in
        (stream, position) order: ``select_streams_up_to(heads_of(ids, up_to_notification=
        n))`` in one read of the event table (log positions follow commit order, so what
        a stream recorded by then is a prefix of it)."""
        d = self.dialect
        return self._streams(
            originator_ids,
            f" AND {d.notification_column} <= {d.placeholder}",
            [up_to_notification],
            None,
        )

    def select_streams_up_to(self, heads: Mapping[UUID, int]) -> list[StoredEvent]:
        """Stored events of the named streams, each up to its given position, in (stream,
        position) order. Read from the event table by key alone: joining the index for the
        cut-off cost more than reading the events (the positions come from ``heads_of``
        or ``stream_heads``, which consult the index)."""
        return self._streams(list(heads), "", [], heads)

    # ``heads``: each stream's last position to keep (None: every position the query gives).
    def _streams(
        self,
        originator_ids: Sequence[UUID],
        condition: str,
        params: list[Any],
        heads: Mapping[UUID, int] | None,
    ) -> list[StoredEvent]:
        if not originator_ids:
            return []
        d = self.dialect
        ids = sorted(originator_ids)
        rows = self._read(
            "SELECT originator_id, originator_version, topic, state "
            f"FROM {d.events_table} WHERE originator_id IN ({d.marks(len(ids))}){condition} "
            "ORDER BY originator_id, originator_version",
            [*(d.id_param(originator_id) for originator_id in ids), *params],
        )
        out: list[StoredEvent] = []
        raw_id: Any = None
        stream = UUID(int=0)
        limit = 0
        for row_id, version, topic, state in rows:
            if row_id != raw_id:  # rows come stream by stream: one id conversion each
                raw_id, stream = row_id, d.to_uuid(row_id)
                limit = heads[stream] if heads is not None else _EVERY_POSITION
            if version <= limit:
                out.append(StoredEvent(stream, int(version), str(topic), bytes(state)))
        return out

    def _agency_heads(
        self, stream_type: str, agency_id: UUID, recorded_by: datetime | None
    ) -> dict[UUID, int]:
        # The agency's streams from the stream-start index, then one backward primary-key
        # seek per stream (recorded times never go back within a stream, so the first row
        # from the end recorded by T is the head at T). Grouping all of an agency's index
        # rows instead took a second at 100k events.
        d = self.dialect
        by_time = f" AND i.recorded_at <= {d.placeholder}" if recorded_by is not None else ""
        by_time_s = by_time.replace("i.", "s.")
        sql = (
            "SELECT s.originator_id, "
            f"(SELECT i.originator_version FROM {d.index_table} i "
            f"WHERE i.originator_id = s.originator_id{by_time} "
            "ORDER BY i.originator_version DESC LIMIT 1) "
            f"FROM {d.index_table} s WHERE s.originator_version = 1 "
            f"AND s.agency_id = {d.placeholder} AND s.stream_type = {d.placeholder}{by_time_s}"
        )
        moment = [d.time_param(recorded_by)] if recorded_by is not None else []
        params = [*moment, d.id_param(agency_id), stream_type, *moment]
        return {d.to_uuid(row[0]): int(row[1]) for row in self._read(sql, params)}

    def select_stream_events(
        self,
        stream_type: str,
        *,
        agency_id: UUID | None = None,
        originator_ids: Sequence[UUID] | None = None,
        recorded_by: datetime | None = None,
        up_to_notification: int | None = None,
    ) -> list[StoredEvent]:
        """Stored events of one stream type, in (stream, position) order, filtered by agency
        or named streams (which must be of that type) and by recorded time / log position
        through the index."""
        d = self.dialect
        sql = (
            "SELECT e.originator_id, e.originator_version, e.topic, e.state "
            f"FROM {d.index_table} i JOIN {d.events_table} e "
            "ON e.originator_id = i.originator_id AND e.originator_version = i.originator_version "
        )
        params: list[Any]
        if originator_ids is not None:
            # Named streams: seek by primary key. Adding the type or agency condition here
            # made SQLite scan the whole stream-type index once per chunk of streams.
            sql += f"WHERE i.originator_id IN ({d.marks(len(originator_ids)) or 'NULL'})"
            params = [d.id_param(originator_id) for originator_id in originator_ids]
        else:
            sql += f"WHERE i.stream_type = {d.placeholder}"
            params = [stream_type]
            if agency_id is not None:
                sql += f" AND i.agency_id = {d.placeholder}"
                params.append(d.id_param(agency_id))
        if recorded_by is not None:
            sql += f" AND i.recorded_at <= {d.placeholder}"
            params.append(d.time_param(recorded_by))
        if up_to_notification is not None:
            sql += f" AND i.notification_id <= {d.placeholder}"
            params.append(up_to_notification)
        rows = self._read(sql + " ORDER BY i.originator_id, i.originator_version", params)
        return [StoredEvent(d.to_uuid(r[0]), int(r[1]), str(r[2]), bytes(r[3])) for r in rows]

    def streams(self, stream_type: str, agency_id: UUID | None = None) -> list[UUID]:
        """Streams of a type (first event's position order), optionally of one agency."""
        d = self.dialect
        sql = (
            f"SELECT originator_id FROM {d.index_table} "
            f"WHERE originator_version = 1 AND stream_type = {d.placeholder}"
        )
        params: list[Any] = [stream_type]
        if agency_id is not None:
            sql += f" AND agency_id = {d.placeholder}"
            params.append(d.id_param(agency_id))
        return [d.to_uuid(row[0]) for row in self._read(sql + " ORDER BY notification_id", params)]

    def count_events(self) -> int:
        return int(self._read(f"SELECT count(*) FROM {self.dialect.events_table}", ())[0][0])

    def last_recorded(self) -> datetime | None:
        """The recorded time of the last committed unit (None: nothing recorded yet)."""
        value = self._read(last_recorded_statement(self.dialect), ())[0][0]
        return None if value is None else self.dialect.to_time(value)

    def write_in_flight(self) -> bool:
        """Whether a unit holds (or waits for) the events table's write lock right now."""
        return self.horizon_facts()[0]

    def horizon_facts(self) -> tuple[bool, datetime | None]:
        """Whether a write is in flight, and then the last committed unit's recorded time
        (read after the look at the lock): one visit to the database."""
        raise NotImplementedError

    def stable_horizon(self, clock: Clock) -> datetime:
        """The latest instant whose answers can no longer change.

        While a unit is being written it is the recorded time of the last committed unit
        (``last``): the unit in flight will carry a later one (``unit_instant``). When none
        is, it is now, or ``last`` if the clock is behind the log (a unit that takes the
        lock afterwards reads the clock later, and is after ``last`` anyway); the clock
        is read before the look at the lock."""
        now = clock()
        in_flight, last = self.horizon_facts()
        if last is None:
            return BEFORE_ANY_RECORD if in_flight else now
        if in_flight:
            return min(now, last)
        return max(now, last)


_EVERY_POSITION = 2**63
