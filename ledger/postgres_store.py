"""PostgreSQL event store: the library's recorder plus the chained recorded-time index and
append-only triggers, all written in the event transaction under the library's table lock."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresDatastore,
)
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.rows import DictRow, tuple_row
from psycopg.sql import SQL, Composed, Identifier

from ledger.chain import EventMeta, IndexRow, chain_rows

__all__ = ["INSERT_CHUNK", "ChainedPostgresRecorder"]

INSERT_CHUNK = 1000


class ChainedPostgresRecorder(PostgresApplicationRecorder):
    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        self.index_table_name = events_table_name.replace("_events", "") + "_event_index"
        schema = Identifier(datastore.schema)
        index = Identifier(self.index_table_name)
        self._index = SQL("{0}.{1}").format(schema, index)
        self._events = SQL("{0}.{1}").format(schema, Identifier(events_table_name))
        refuse = Identifier(f"{self.index_table_name}_refuse_change")
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
            SQL(
                "CREATE OR REPLACE FUNCTION {0}.{1}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN RAISE EXCEPTION 'muster: % on %.% refused: the event store is append-only',"
                " TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';"
                " END $$"
            ).format(schema, refuse),
        ]
        for table in (Identifier(events_table_name), index):
            self.sql_create_statements += self._append_only(schema, table, refuse)

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

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """The library's write path (table lock, NOTIFY, INSERT ... RETURNING), in chunks and
        without pipeline mode: one pipelined statement of several megabytes deadlocked
        (client and server both waiting) in 9.5.6. Still one transaction, all or nothing."""
        notification_ids: list[int] = []
        with (
            self.datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor() as curs,
        ):
            self._insert_events(curs, stored_events, **kwargs)
            if not stored_events:
                return notification_ids
            self._lock_table(curs)
            self._notify_channel(curs)
            for start in range(0, len(stored_events), INSERT_CHUNK):
                chunk = stored_events[start : start + INSERT_CHUNK]
                PostgresAggregateRecorder._insert_stored_events(self, curs, chunk)
                notification_ids += [row["notification_id"] for row in curs.fetchall()]
            # Still under the EXCLUSIVE table lock, so the predecessor links read here
            # cannot change before this transaction commits.
            self._write_index(curs, stored_events, notification_ids, kwargs["event_meta"])
        return notification_ids

    def _write_index(
        self,
        curs: Cursor[DictRow],
        stored_events: Sequence[StoredEvent],
        notification_ids: Sequence[int],
        metas: Sequence[EventMeta],
    ) -> None:
        previous = self._previous_links(curs, stored_events)
        rows = chain_rows(stored_events, metas, notification_ids, previous)
        curs.executemany(
            SQL("INSERT INTO {0} VALUES (%s,%s,%s,%s,%s,%s,%s,%s)").format(self._index),
            [
                (
                    row.originator_id,
                    row.originator_version,
                    row.notification_id,
                    row.meta.agency_id,
                    row.meta.stream_type,
                    row.meta.recorded_at,
                    row.meta.effective_on,
                    row.link,
                )
                for row in rows
            ],
        )

    def _previous_links(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent]
    ) -> dict[UUID, bytes]:
        wanted: dict[UUID, int] = {}
        for stored in stored_events:
            originator_id = UUID(str(stored.originator_id))
            if originator_id not in wanted and stored.originator_version > 1:
                wanted[originator_id] = stored.originator_version - 1
        if not wanted:
            return {}
        curs.execute(
            SQL(
                "SELECT i.originator_id, i.link FROM {0} i "
                "JOIN unnest(%s::uuid[], %s::bigint[]) AS w(id, version) "
                "ON i.originator_id = w.id AND i.originator_version = w.version"
            ).format(self._index),
            (list(wanted), list(wanted.values())),
        )
        return {row["originator_id"]: bytes(row["link"]) for row in curs.fetchall()}

    def iter_index(self, batch: int = 5000) -> Iterator[IndexRow]:
        """Every index row in (stream, position) order, paged by key."""
        after: tuple[UUID, int] = (UUID(int=0), 0)
        while True:
            with self.datastore.get_connection() as conn, conn.cursor() as curs:
                curs.execute(
                    SQL(
                        "SELECT * FROM {0} WHERE (originator_id, originator_version) > (%s, %s) "
                        "ORDER BY originator_id, originator_version LIMIT %s"
                    ).format(self._index),
                    (*after, batch),
                )
                rows = curs.fetchall()
            if not rows:
                return
            yield from (_index_row(row) for row in rows)
            after = (rows[-1]["originator_id"], rows[-1]["originator_version"])

    def recorded_by(self, agency_id: UUID, moment: datetime) -> list[IndexRow]:
        """Index rows of one agency recorded at or before ``moment`` (uses the
        (agency_id, recorded_at) index)."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.recorded_by_statement, (agency_id, moment))
            return [_index_row(row) for row in curs.fetchall()]

    @property
    def recorded_by_statement(self) -> Composed:
        return SQL(
            "SELECT * FROM {0} WHERE agency_id = %s AND recorded_at <= %s "
            "ORDER BY recorded_at, notification_id"
        ).format(self._index)

    def stream_positions(
        self, stream_type: str, *, recorded_by: datetime | None = None
    ) -> list[tuple[UUID, int]]:
        """(stream, position) of every event of a stream type recorded by an instant."""
        sql = SQL(
            "SELECT originator_id, originator_version FROM {0} WHERE stream_type = %s"
        ).format(self._index)
        params: list[Any] = [stream_type]
        if recorded_by is not None:
            sql += SQL(" AND recorded_at <= %s")
            params.append(recorded_by)
        sql += SQL(" ORDER BY originator_id, originator_version")
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(sql, params)
            return [(row[0], int(row[1])) for row in curs.fetchall()]

    def stream_heads(
        self,
        stream_type: str,
        agency_id: UUID,
        *,
        recorded_by: datetime | None = None,
        originator_ids: Sequence[UUID] | None = None,
    ) -> dict[UUID, int]:
        """Each stream's last position recorded by an instant (streams of one agency)."""
        sql = SQL("SELECT originator_id, max(originator_version) FROM {0} WHERE ").format(
            self._index
        )
        params: list[Any]
        if originator_ids is not None:
            # Named streams: seek by primary key (the agency follows from the stream).
            sql += SQL("originator_id = ANY(%s)")
            params = [list(originator_ids)]
        else:
            sql += SQL("agency_id = %s AND stream_type = %s")
            params = [agency_id, stream_type]
        if recorded_by is not None:
            sql += SQL(" AND recorded_at <= %s")
            params.append(recorded_by)
        sql += SQL(" GROUP BY originator_id")
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(sql, params)
            return {row[0]: int(row[1]) for row in curs.fetchall()}

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
        or stream and by recorded time / log position through the index."""
        sql = SQL(
            "SELECT e.originator_id, e.originator_version, e.topic, e.state "
            "FROM {0} i JOIN {1} e ON e.originator_id = i.originator_id "
            "AND e.originator_version = i.originator_version WHERE i.stream_type = %s"
        ).format(self._index, self._events)
        params: list[Any] = [stream_type]
        if agency_id is not None:
            sql += SQL(" AND i.agency_id = %s")
            params.append(agency_id)
        if originator_ids is not None:
            sql += SQL(" AND i.originator_id = ANY(%s)")
            params.append(list(originator_ids))
        if recorded_by is not None:
            sql += SQL(" AND i.recorded_at <= %s")
            params.append(recorded_by)
        if up_to_notification is not None:
            sql += SQL(" AND i.notification_id <= %s")
            params.append(up_to_notification)
        sql += SQL(" ORDER BY i.originator_id, i.originator_version")
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(sql, params)
            return [StoredEvent(row[0], row[1], row[2], bytes(row[3])) for row in curs.fetchall()]

    def iter_stored(self, batch: int = 5000) -> Iterator[StoredEvent]:
        """Every stored event in (stream, position) order, paged by key."""
        after: tuple[UUID, int] = (UUID(int=0), 0)
        while True:
            with self.datastore.get_connection() as conn, conn.cursor() as curs:
                curs.execute(
                    SQL(
                        "SELECT originator_id, originator_version, topic, state FROM {0} "
                        "WHERE (originator_id, originator_version) > (%s, %s) "
                        "ORDER BY originator_id, originator_version LIMIT %s"
                    ).format(self._events),
                    (*after, batch),
                )
                rows = curs.fetchall()
            if not rows:
                return
            for row in rows:
                yield StoredEvent(
                    row["originator_id"],
                    row["originator_version"],
                    row["topic"],
                    bytes(row["state"]),
                )
            after = (rows[-1]["originator_id"], rows[-1]["originator_version"])

    def streams(self, stream_type: str, agency_id: UUID | None = None) -> list[UUID]:
        sql = SQL(
            "SELECT originator_id FROM {0} WHERE originator_version = 1 AND stream_type = %s"
        ).format(self._index)
        params: list[Any] = [stream_type]
        if agency_id is not None:
            sql += SQL(" AND agency_id = %s")
            params.append(agency_id)
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(sql + SQL(" ORDER BY notification_id"), params)
            return [row["originator_id"] for row in curs.fetchall()]

    def count_events(self) -> int:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(SQL("SELECT count(*) AS n FROM {0}").format(self._events))
            row = curs.fetchone()
            assert row is not None
            return int(row["n"])


def _index_row(row: DictRow) -> IndexRow:
    return IndexRow(
        row["originator_id"],
        row["originator_version"],
        row["notification_id"],
        EventMeta(row["agency_id"], row["stream_type"], row["recorded_at"], row["effective_on"]),
        bytes(row["link"]),
    )
