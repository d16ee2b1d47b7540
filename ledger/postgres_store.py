"""PostgreSQL event store: the library's recorder plus its schema, the chained recorded-time
index and append-only triggers, all written in the event transaction under the library's
table lock."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import psycopg.errors
from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import (
    PostgresApplicationRecorder,
    PostgresDatastore,
)
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composed, Identifier, Literal

from ledger.chain import Chain, EventMeta, as_uuid, content_digest
from ledger.clock import Clock
from ledger.envelope import LedgerEvent
from ledger.errors import StoreBusyError, StoreSetupError
from ledger.index_dialect import Dialect, copy_index_statement, last_recorded_statement
from ledger.index_reads import IndexReads
from ledger.index_writes import (
    Appended,
    Encode,
    index_row,
    previous_links,
    stamp_unit,
    unit_instant,
)
from ledger.seal import SealedEvent, SealKeys
from ledger.seal_store import SealReads, seal_unit
from ledger.stream_reads import StreamReads

__all__ = ["INSERT_CHUNK", "ChainedPostgresRecorder"]

INSERT_CHUNK = 1000
_EVENT_TYPES = ("uuid", "int8", "text", "bytea", "int8")
_INDEX_TYPES = ("uuid", "int8", "int8", "uuid", "text", "timestamptz", "date", "bytea")


class ChainedPostgresRecorder(IndexReads, StreamReads, SealReads, PostgresApplicationRecorder):
    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        self.index_table_name = events_table_name.replace("_events", "") + "_event_index"
        self.seal_table_name = events_table_name.replace("_events", "") + "_unit_seals"
        self.seal_keys = SealKeys()  # the ledger sets its keys; none: units are not sealed
        schema = Identifier(datastore.schema)
        index = Identifier(self.index_table_name)
        self._index = SQL("{0}.{1}").format(schema, index)
        self._events = SQL("{0}.{1}").format(schema, Identifier(events_table_name))
        refuse = Identifier(f"{self.index_table_name}_refuse_change")
        self._next_ids = SQL(
            "SELECT nextval(pg_get_serial_sequence({0}, 'notification_id')) "
            "FROM generate_series(1, %s)"
        ).format(_quoted(datastore.schema, events_table_name))
        self._copy_events = SQL(
            "COPY {0} (originator_id, originator_version, topic, state, notification_id) "
            "FROM STDIN (FORMAT BINARY)"
        ).format(self._events)
        self.dialect = Dialect(
            placeholder="%s",
            index_table=_quoted(datastore.schema, self.index_table_name),
            events_table=_quoted(datastore.schema, events_table_name),
            id_param=_same,
            time_param=_same,
            date_param=_same,
            pairs_source=_unnest_pairs,
            to_uuid=_same,
            to_time=_same,
            to_date=_same,
            seal_table=_quoted(datastore.schema, self.seal_table_name),
        )
        # The writers' lock: ROW EXCLUSIVE on the events table (what an INSERT takes; it
        # needs only the INSERT privilege, where the library's EXCLUSIVE needs UPDATE,
        # DELETE or TRUNCATE) and a transaction-scoped advisory lock that serialises the
        # writers of this store as EXCLUSIVE did. SELECTs wait for neither.
        self.lock_table_statements = [
            SQL("SET LOCAL lock_timeout = '{0}s'").format(datastore.lock_timeout),
            SQL("LOCK TABLE {0} IN ROW EXCLUSIVE MODE").format(self._events),
            SQL("SELECT pg_advisory_xact_lock({0})").format(
                Literal(_advisory_key(datastore.schema, events_table_name))
            ),
        ]
        self._setup_facts = SQL(
            "SELECT to_regclass({0}) IS NOT NULL AND to_regclass({1}) IS NOT NULL "
            "AND to_regclass({2}) IS NOT NULL, "
            "current_setting('synchronous_commit'), current_setting('fsync')"
        ).format(
            Literal(self.dialect.events_table),
            Literal(self.dialect.index_table),
            Literal(self.dialect.seal_table),
        )
        self._copy_index = copy_index_statement(self.dialect)
        self._last_recorded = last_recorded_statement(self.dialect).encode()
        self._horizon = SQL(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_locks WHERE locktype = 'relation' "
            "AND database = (SELECT oid FROM pg_catalog.pg_database "
            "WHERE datname = current_database()) "
            "AND relation = {0}::regclass AND mode IN ('ExclusiveLock', 'RowExclusiveLock')), "
            "({1})"
        ).format(Literal(self.dialect.events_table), SQL(last_recorded_statement(self.dialect)))
        self.sql_create_statements += [
            SQL(
                "CREATE TABLE IF NOT EXISTS {0} ("
                "originator_id uuid NOT NULL, originator_version bigint NOT NULL, "
                "notification_id bigint NOT NULL UNIQUE, agency_id uuid NOT NULL, "
                "stream_type text NOT NULL, recorded_at timestamptz NOT NULL, "
                "effective_on date NOT NULL, link bytea NOT NULL, "
                "PRIMARY KEY (originator_id, originator_version))"
            ).format(self._index),
            SQL("CREATE INDEX IF NOT EXISTS {0} ON {1} (recorded_at)").format(
                Identifier(f"{self.index_table_name}_recorded"), self._index
            ),
            SQL("CREATE INDEX IF NOT EXISTS {0} ON {1} (agency_id, recorded_at)").format(
                Identifier(f"{self.index_table_name}_agency_recorded"), self._index
            ),
            SQL("CREATE INDEX IF NOT EXISTS {0} ON {1} (stream_type, recorded_at)").format(
                Identifier(f"{self.index_table_name}_type_recorded"), self._index
            ),
            # Stream starts of an agency (its people), for per-stream head look-ups.
            SQL(
                "CREATE INDEX IF NOT EXISTS {0} ON {1} "
                "(agency_id, stream_type, recorded_at, originator_id) WHERE originator_version = 1"
            ).format(Identifier(f"{self.index_table_name}_starts"), self._index),
            SQL(
                "CREATE TABLE IF NOT EXISTS {0}.{1} ("
                "first_notification bigint PRIMARY KEY, last_notification bigint NOT NULL, "
                "events bigint NOT NULL, recorded_at timestamptz NOT NULL, "
                "key_id text NOT NULL, previous bytea NOT NULL, mac bytea NOT NULL)"
            ).format(schema, Identifier(self.seal_table_name)),
            SQL(
                "CREATE OR REPLACE FUNCTION {0}.{1}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN RAISE EXCEPTION 'muster: % on %.% refused: the event store is append-only',"
                " TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';"
                " END $$"
            ).format(schema, refuse),
        ]
        for table in (Identifier(events_table_name), index, Identifier(self.seal_table_name)):
            self.sql_create_statements += self._append_only(schema, table, refuse)

    def create_table(self) -> None:
        """The library's tables, after the schema they live in (a fresh schema per store is
        how tests and benchmarks keep stores apart)."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                SQL("CREATE SCHEMA IF NOT EXISTS {}").format(Identifier(self.datastore.schema))
            )
        super().create_table()

    @staticmethod
    def _append_only(schema: Identifier, table: Identifier, refuse: Identifier) -> list[Composed]:
        return [
            SQL(
                "CREATE OR REPLACE TRIGGER refuse_update_delete BEFORE UPDATE OR DELETE ON {0}.{1} "
                "FOR EACH ROW EXECUTE FUNCTION {0}.{2}()"
            ).format(schema, table, refuse),
            SQL(
                "CREATE OR REPLACE TRIGGER refuse_truncate BEFORE TRUNCATE ON {0}.{1} "
                "FOR EACH STATEMENT EXECUTE FUNCTION {0}.{2}()"
            ).format(schema, table, refuse),
        ]

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        raise TypeError(
            "events are appended a unit at a time (append_unit): their recorded time is "
            "assigned under the write lock, so already encoded events cannot be inserted"
        )

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def append_unit(
        self,
        events: Sequence[LedgerEvent],
        encode: Encode,
        clock: Clock,
        *,
        keep_stored: bool = True,
    ) -> Appended:
        """Append one unit of work, all or nothing: the library's write path (the EXCLUSIVE
        table lock, NOTIFY), then under the lock the clock and the log's last recorded
        time, one recorded time given to every event, and the events encoded, hashed and
        sent by binary COPY in chunks (without pipeline mode: one pipelined statement of
        several megabytes deadlocked, client and server both waiting, in 9.5.6), with the
        chained index rows in the same transaction. Returns the unit's recorded time, the
        stored events (unless not ``keep_stored``) and their notification ids. (A retry
        after a dropped connection starts over and stamps the events again.)"""
        if not events:
            return Appended(unit_instant(clock, None), [], [])
        datastore = self.datastore
        with (
            datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor() as curs,
            conn.cursor(row_factory=tuple_row) as plain,
        ):
            try:
                self._lock_table(curs)
            except psycopg.errors.LockNotAvailable:
                raise StoreBusyError(_BUSY.format(datastore.lock_timeout)) from None
            self._notify_channel(curs)
            # Under the EXCLUSIVE table lock: the notification ids drawn here are the next
            # ones and nobody else draws any before this transaction ends (every writer
            # takes the lock first), and neither the log's last recorded time nor the
            # predecessor links read can change.
            plain.execute(self._last_recorded)
            last = plain.fetchone()
            moment = unit_instant(clock, None if last is None else last[0])
            metas = stamp_unit(events, moment)
            plain.execute(self._next_ids, (len(events),))
            notification_ids = sorted(row[0] for row in plain.fetchall())
            chain = Chain(previous_links(self.dialect, plain, events))
            stored_events: list[StoredEvent] = []
            sealed: list[SealedEvent] = []
            for start in range(0, len(events), INSERT_CHUNK):
                chunk = list(
                    zip(
                        events[start : start + INSERT_CHUNK],
                        notification_ids[start : start + INSERT_CHUNK],
                        metas[start : start + INSERT_CHUNK],
                        strict=True,
                    )
                )
                stored = self._copy_chunk(plain, chunk, chain, encode, sealed)
                if keep_stored:
                    stored_events += stored
            if self.seal_keys:
                seal_unit(self.dialect, plain, self.seal_keys, moment, sealed)
        return Appended(moment, stored_events, notification_ids)

    def check_setup(self, *, allow_unsafe_durability: bool = False) -> None:
        """Refuse a store whose tables were never created (ordinary commands run no DDL:
        ``muster db init`` does, as the owner role), and a server or role that does not
        make commits durable (``fsync`` or ``synchronous_commit`` off: a crash then loses
        acknowledged units while the hash chain still verifies) unless allowed."""
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(self._setup_facts)
            row = curs.fetchone()
        assert row is not None
        created, synchronous_commit, fsync = row
        if not created:
            msg = (
                f"the PostgreSQL schema {self.datastore.schema!r} holds no muster store: "
                "run `muster db init` as its owner role first"
            )
            raise StoreSetupError(msg)
        unsafe = [
            f"{name}={value}"
            for name, value in (("synchronous_commit", synchronous_commit), ("fsync", fsync))
            if value == "off"
        ]
        if unsafe and not allow_unsafe_durability:
            msg = (
                f"PostgreSQL runs with {', '.join(unsafe)} for this role: a crash would lose "
                "acknowledged events; fix the setting or set MUSTER_ALLOW_UNSAFE_DURABILITY=true"
            )
            raise StoreSetupError(msg)

    def horizon_facts(self) -> tuple[bool, datetime | None]:
        """In one statement: whether any session holds or awaits a lock on the events
        table in a mode only writers take (the library's EXCLUSIVE, or an INSERT's ROW
        EXCLUSIVE), from ``pg_locks``, and the log's last recorded time. It takes no lock,
        so it never delays a writer, and needs no privilege beyond reading the index."""
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(self._horizon)
            row = curs.fetchone()
        assert row is not None
        return bool(row[0]), row[1]

    def _copy_chunk(
        self,
        cursor: Cursor[Any],
        chunk: list[tuple[LedgerEvent, int, EventMeta]],
        chain: Chain,
        encode: Encode,
        sealed: list[SealedEvent],
    ) -> list[StoredEvent]:
        # Each event is encoded and hashed right after the previous row is sent, while the
        # server is still storing the rows before it (so the session is never idle in the
        # transaction); its index row follows in a second COPY once the chunk's events are in.
        digests = []
        stored_chunk = []
        with cursor.copy(self._copy_events) as copy:
            copy.set_types(_EVENT_TYPES)
            for event, notification_id, meta in chunk:
                stored = encode(event)
                stored_chunk.append(stored)
                originator_id = as_uuid(stored.originator_id)
                version = stored.originator_version
                copy.write_row(
                    (originator_id, version, stored.topic, stored.state, notification_id)
                )
                digests.append(
                    content_digest(originator_id, version, stored.topic, stored.state, meta)
                )
        with cursor.copy(self._copy_index) as copy:
            copy.set_types(_INDEX_TYPES)
            for stored, (_, notification_id, meta), digest in zip(
                stored_chunk, chunk, digests, strict=True
            ):
                originator_id = as_uuid(stored.originator_id)
                link = chain.link(originator_id, stored.originator_version, digest)
                copy.write_row(index_row(self.dialect, stored, notification_id, meta, link))
                sealed.append(
                    SealedEvent(notification_id, originator_id, stored.originator_version, link)
                )
        return stored_chunk

    def _read(self, sql: str, params: Sequence[Any]) -> list[Sequence[Any]]:
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(sql.encode(), params)
            return list(curs.fetchall())


_BUSY = "another write held the write lock over {0} s: nothing written, try again"


def _advisory_key(schema: str, table: str) -> int:
    """A stable signed 64-bit key for this store's writers' advisory lock."""
    digest = hashlib.sha256(f"muster:{schema}.{table}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _same(value: Any) -> Any:
    return value


def _unnest_pairs(pairs: Sequence[tuple[Any, int]]) -> tuple[str, list[Any]]:
    # Two arrays keep the statement small however many streams a batch continues.
    return (
        "unnest(%s::uuid[], %s::bigint[]) AS wanted(column1, column2)",
        [[pair[0] for pair in pairs], [pair[1] for pair in pairs]],
    )


def _quoted(schema: str, table: str) -> str:
    return ".".join('"' + name.replace('"', '""') + '"' for name in (schema, table))
