"""SQLite event store: the library's recorder plus the chained recorded-time index and
append-only triggers, all written in the event transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from eventsourcing.persistence import OperationalError, StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteTransaction

from ledger.chain import EventMeta, as_uuid, content_digests
from ledger.clock import Clock
from ledger.envelope import LedgerEvent
from ledger.errors import StoreBusyError
from ledger.fast_uuid import uuid_hex
from ledger.index_dialect import insert_index_statement, last_recorded_statement
from ledger.index_reads import IndexReads
from ledger.index_writes import Appended, Encode, index_rows, stamp_unit, unit_instant
from ledger.seal import SealedEvent, SealKeys
from ledger.seal_store import SealReads, seal_unit
from ledger.sqlite_schema import (
    DIALECT,
    INDEX_DDL,
    INDEX_TABLE,
    SEAL_DDL,
    SEAL_TABLE,
    TRIGGERS_DDL,
    horizon_facts,
)
from ledger.stream_reads import StreamReads

__all__ = ["DIALECT", "INDEX_DDL", "INDEX_TABLE", "SEAL_TABLE", "ChainedSQLiteRecorder"]


class ChainedSQLiteRecorder(IndexReads, StreamReads, SealReads, SQLiteApplicationRecorder):
    dialect = DIALECT
    seal_keys = SealKeys()  # the ledger sets its keys; none: units are not sealed
    _insert_index = insert_index_statement(DIALECT)
    _last_recorded = last_recorded_statement(DIALECT)

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *INDEX_DDL, *SEAL_DDL, *TRIGGERS_DDL]

    def append_unit(
        self,
        events: Sequence[LedgerEvent],
        encode: Encode,
        clock: Clock,
        *,
        keep_stored: bool = True,
    ) -> Appended:
        """Append one unit of work, all or nothing: take the database's write lock
        (``BEGIN IMMEDIATE``, waiting up to the connection's busy timeout), read the clock
        and the log's last recorded time under it, give every event that one recorded
        time, then encode, hash and insert the events and their index rows. Returns the
        unit's recorded time, the stored events (unless not ``keep_stored``) and their
        notification ids.

        The lock is taken first because the recorded time is inside the stored bytes and
        the hash header: nothing can be encoded before it is fixed. (A deferred ``BEGIN``
        would read the last recorded time from a snapshot another writer can overtake.)
        """
        if not events:
            return Appended(unit_instant(clock, None), [], [])
        with (
            self.datastore.get_connection(commit=True) as conn,
            _ImmediateTransaction(conn, commit=True) as c,
            c,
        ):
            c.execute(self._last_recorded)
            last = c.fetchone()[0]
            moment = unit_instant(clock, None if last is None else datetime.fromisoformat(last))
            metas = stamp_unit(events, moment)
            # Each save of thousands of events writes more than the default 1,000 WAL
            # pages, so every save also ran a checkpoint (copying pages into the database
            # file); at 10,000 pages (~40 MB of WAL) that happens every few saves (+5%
            # ingest at M). Durability is the WAL's and unchanged; the setting is this
            # connection's.
            c.execute("PRAGMA wal_autocheckpoint = 10000")
            # In chunks, in the one transaction: a unit of 200,000 events (an import) never
            # holds every event's statement parameters, digest and index row at once.
            stored_events: list[StoredEvent] = []
            ids: list[int] = []
            sealed: list[SealedEvent] = []
            for start in range(0, len(events), _CHUNK):
                chunk = [encode(event) for event in events[start : start + _CHUNK]]
                ids += self._insert_chunk(c, chunk, metas[start : start + _CHUNK], sealed)
                if keep_stored:
                    stored_events += chunk
            if self.seal_keys:
                seal_unit(self.dialect, c, self.seal_keys, moment, sealed)
        return Appended(moment, stored_events, ids)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        raise TypeError(_ONLY_UNITS)

    def horizon_facts(self) -> tuple[bool, datetime | None]:
        """``ledger.sqlite_schema.horizon_facts`` on a connection of this store's."""
        with self.datastore.get_connection(commit=False) as conn, conn.cursor() as raw:
            return horizon_facts(raw)

    def _insert_chunk(
        self,
        c: SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        metas: Sequence[EventMeta],
        sealed: list[SealedEvent],
    ) -> list[int]:
        """Insert one chunk of a unit (its events, then their chained index rows) and add
        what the unit's seal covers of them to ``sealed``; returns their rowids."""
        # The library inserts row by row to read each rowid; one executemany is cheaper,
        # and the rowids follow from the last one (below).
        c.executemany(
            self.insert_events_statement,
            [
                (uuid_hex(as_uuid(s.originator_id)), s.originator_version, s.topic, s.state)
                for s in stored_events
            ],
        )
        notification_ids = _rowids(c, stored_events)
        digests = content_digests(stored_events, metas)
        # Predecessors in earlier chunks of the unit are read back from this transaction.
        rows = index_rows(self.dialect, c, stored_events, notification_ids, metas, digests)
        c.executemany(self._insert_index, rows)
        if self.seal_keys:
            sealed += [
                SealedEvent(n_id, as_uuid(s.originator_id), s.originator_version, row[-1])
                for s, n_id, row in zip(stored_events, notification_ids, rows, strict=True)
            ]
        return notification_ids

    def _read(self, sql: str, params: Sequence[Any]) -> list[Sequence[Any]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(sql, params)
            return list(c.fetchall())


_CHUNK = 5000  # events per chunk of a unit's inserts

_BUSY = "another write held the write lock too long: nothing written, try again"

_ONLY_UNITS = (
    "events are appended a unit at a time (append_unit): their recorded time is assigned "
    "under the write lock, so already encoded events cannot be inserted"
)


class _ImmediateTransaction(SQLiteTransaction):
    """The library's transaction (its rollback and error translation), begun with the
    write lock taken at once."""

    def __enter__(self) -> SQLiteCursor:
        cursor = self.connection.cursor()
        # Every commit of events reaches the disk before it is acknowledged (WAL with
        # FULL syncs the log at each commit; NORMAL could lose the last ones on power loss).
        cursor.execute("PRAGMA synchronous = FULL")
        try:
            cursor.execute("BEGIN IMMEDIATE")  # waits up to the connection's busy timeout
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise StoreBusyError(_BUSY) from None
            raise OperationalError(error) from error
        return cursor


def _rowids(c: SQLiteCursor, stored_events: Sequence[StoredEvent]) -> list[int]:
    """The rowids (notification ids) the last executemany gave ``stored_events``.

    Under the write lock SQLite gives each new row max(rowid) + 1, so a batch's rowids are
    consecutive up to last_insert_rowid(); the first event's rowid is checked all the same,
    and if it differs every rowid is read back by primary key."""
    if not stored_events:
        return []
    c.execute("SELECT last_insert_rowid()")
    last = int(c.fetchone()[0])
    first = last - len(stored_events) + 1
    if _rowid_of(c, stored_events[0]) == first:
        return list(range(first, last + 1))
    return [_rowid_of(c, stored) for stored in stored_events]


def _rowid_of(c: SQLiteCursor, stored: StoredEvent) -> int:
    c.execute(
        "SELECT rowid FROM stored_events WHERE originator_id = ? AND originator_version = ?",
        (as_uuid(stored.originator_id).hex, stored.originator_version),
    )
    return int(c.fetchone()[0])
