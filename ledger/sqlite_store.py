"""SQLite event store: the library's recorder plus the chained recorded-time index and
append-only triggers, all written in the event transaction."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from ledger.chain import EventMeta, IndexRow, chain_rows, instant_text

__all__ = ["ChainedSQLiteRecorder"]

INDEX_TABLE = "event_index"

_APPEND_ONLY_TABLES = ("stored_events", INDEX_TABLE)


def _refuse(table: str, operation: str) -> str:
    return (
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{operation.lower()} BEFORE {operation} "
        f"ON {table} BEGIN SELECT RAISE(ABORT, 'muster: {operation} on {table} refused: "
        "the event store is append-only'); END"
    )


class ChainedSQLiteRecorder(SQLiteApplicationRecorder):
    def construct_create_table_statements(self) -> list[str]:
        statements = super().construct_create_table_statements()
        statements += [
            f"CREATE TABLE IF NOT EXISTS {INDEX_TABLE} ("
            "originator_id TEXT NOT NULL, originator_version INTEGER NOT NULL, "
            "notification_id INTEGER NOT NULL UNIQUE, agency_id TEXT NOT NULL, "
            "stream_type TEXT NOT NULL, recorded_at TEXT NOT NULL, effective_on TEXT NOT NULL, "
            "link BLOB NOT NULL, PRIMARY KEY (originator_id, originator_version)) WITHOUT ROWID",
            f"CREATE INDEX IF NOT EXISTS {INDEX_TABLE}_recorded ON {INDEX_TABLE} (recorded_at)",
            f"CREATE INDEX IF NOT EXISTS {INDEX_TABLE}_agency_recorded "
            f"ON {INDEX_TABLE} (agency_id, recorded_at)",
            f"CREATE INDEX IF NOT EXISTS {INDEX_TABLE}_type_recorded "
            f"ON {INDEX_TABLE} (stream_type, recorded_at)",
        ]
        for table in _APPEND_ONLY_TABLES:
            statements += [_refuse(table, "UPDATE"), _refuse(table, "DELETE")]
        return statements

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        notification_ids = super()._insert_events(c, stored_events, **kwargs)
        assert notification_ids is not None
        metas: Sequence[EventMeta] = kwargs["event_meta"]
        previous = self._previous_links(c, stored_events)
        rows = chain_rows(stored_events, metas, notification_ids, previous)
        c.executemany(
            f"INSERT INTO {INDEX_TABLE} VALUES (?,?,?,?,?,?,?,?)",
            [
                (
                    row.originator_id.hex,
                    row.originator_version,
                    row.notification_id,
                    row.meta.agency_id.hex,
                    row.meta.stream_type,
                    instant_text(row.meta.recorded_at),
                    row.meta.effective_on.isoformat(),
                    row.link,
                )
                for row in rows
            ],
        )
        return notification_ids

    def _previous_links(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent]
    ) -> dict[UUID, bytes]:
        wanted: dict[str, int] = {}
        for stored in stored_events:
            key = _hex(stored.originator_id)
            if key not in wanted and stored.originator_version > 1:
                wanted[key] = stored.originator_version - 1
        if not wanted:
            return {}
        values = ",".join("(?,?)" for _ in wanted)
        params = [item for pair in wanted.items() for item in pair]
        c.execute(
            f"WITH wanted(id, version) AS (VALUES {values}) "
            f"SELECT i.originator_id, i.link FROM {INDEX_TABLE} i JOIN wanted w "
            "ON i.originator_id = w.id AND i.originator_version = w.version",
            params,
        )
        return {UUID(row[0]): bytes(row[1]) for row in c.fetchall()}

    def iter_index(self, batch: int = 5000) -> Iterator[IndexRow]:
        """Every index row in (stream, position) order, paged by key."""
        after: tuple[str, int] = ("", 0)
        while True:
            with self.datastore.transaction(commit=False) as c:
                c.execute(
                    f"SELECT * FROM {INDEX_TABLE} WHERE (originator_id, originator_version) > "
                    "(?, ?) ORDER BY originator_id, originator_version LIMIT ?",
                    (*after, batch),
                )
                rows = c.fetchall()
            if not rows:
                return
            yield from (_index_row(row) for row in rows)
            after = (rows[-1]["originator_id"], rows[-1]["originator_version"])

    RECORDED_BY = (
        f"SELECT * FROM {INDEX_TABLE} WHERE agency_id = ? AND recorded_at <= ? "
        "ORDER BY recorded_at, notification_id"
    )

    def recorded_by(self, agency_id: UUID, moment: datetime) -> list[IndexRow]:
        """Index rows of one agency recorded at or before ``moment`` (uses the
        (agency_id, recorded_at) index)."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(self.RECORDED_BY, (agency_id.hex, instant_text(moment)))
            return [_index_row(row) for row in c.fetchall()]

    def stream_positions(
        self, stream_type: str, *, recorded_by: datetime | None = None
    ) -> list[tuple[UUID, int]]:
        """(stream, position) of every event of a stream type recorded by an instant."""
        sql = f"SELECT originator_id, originator_version FROM {INDEX_TABLE} WHERE stream_type = ?"
        params: list[Any] = [stream_type]
        if recorded_by is not None:
            sql += " AND recorded_at <= ?"
            params.append(instant_text(recorded_by))
        with self.datastore.transaction(commit=False) as c:
            c.execute(sql + " ORDER BY originator_id, originator_version", params)
            return [(UUID(row[0]), int(row[1])) for row in c.fetchall()]

    def stream_heads(
        self,
        stream_type: str,
        agency_id: UUID,
        *,
        recorded_by: datetime | None = None,
        originator_ids: Sequence[UUID] | None = None,
    ) -> dict[UUID, int]:
        """Each stream's last position recorded by an instant (streams of one agency)."""
        sql = f"SELECT originator_id, max(originator_version) FROM {INDEX_TABLE} WHERE "
        params: list[Any]
        if originator_ids is not None:
            # Named streams: seek by primary key (the agency follows from the stream).
            sql += f"originator_id IN ({','.join('?' for _ in originator_ids)})"
            params = [originator_id.hex for originator_id in originator_ids]
        else:
            sql += "agency_id = ? AND stream_type = ?"
            params = [agency_id.hex, stream_type]
        if recorded_by is not None:
            sql += " AND recorded_at <= ?"
            params.append(instant_text(recorded_by))
        with self.datastore.transaction(commit=False) as c:
            c.execute(sql + " GROUP BY originator_id", params)
            return {UUID(row[0]): int(row[1]) for row in c.fetchall()}

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
        sql = (
            "SELECT e.originator_id, e.originator_version, e.topic, e.state "
            f"FROM {INDEX_TABLE} i JOIN stored_events e ON e.originator_id = i.originator_id "
            "AND e.originator_version = i.originator_version WHERE i.stream_type = ?"
        )
        params: list[Any] = [stream_type]
        if agency_id is not None:
            sql += " AND i.agency_id = ?"
            params.append(agency_id.hex)
        if originator_ids is not None:
            sql += f" AND i.originator_id IN ({','.join('?' for _ in originator_ids)})"
            params += [originator_id.hex for originator_id in originator_ids]
        if recorded_by is not None:
            sql += " AND i.recorded_at <= ?"
            params.append(instant_text(recorded_by))
        if up_to_notification is not None:
            sql += " AND i.notification_id <= ?"
            params.append(up_to_notification)
        sql += " ORDER BY i.originator_id, i.originator_version"
        with self.datastore.transaction(commit=False) as c:
            c.execute(sql, params)
            return [
                StoredEvent(UUID(row[0]), row[1], row[2], bytes(row[3])) for row in c.fetchall()
            ]

    def iter_stored(self, batch: int = 5000) -> Iterator[StoredEvent]:
        """Every stored event in (stream, position) order, paged by key."""
        after: tuple[str, int] = ("", 0)
        while True:
            with self.datastore.transaction(commit=False) as c:
                c.execute(
                    "SELECT originator_id, originator_version, topic, state FROM stored_events "
                    "WHERE (originator_id, originator_version) > (?, ?) "
                    "ORDER BY originator_id, originator_version LIMIT ?",
                    (*after, batch),
                )
                rows = c.fetchall()
            if not rows:
                return
            for row in rows:
                yield StoredEvent(
                    UUID(row["originator_id"]),
                    row["originator_version"],
                    row["topic"],
                    bytes(row["state"]),
                )
            after = (rows[-1]["originator_id"], rows[-1]["originator_version"])

    def streams(self, stream_type: str, agency_id: UUID | None = None) -> list[UUID]:
        sql = (
            f"SELECT originator_id FROM {INDEX_TABLE} "
            "WHERE originator_version = 1 AND stream_type = ?"
        )
        params: list[Any] = [stream_type]
        if agency_id is not None:
            sql += " AND agency_id = ?"
            params.append(agency_id.hex)
        with self.datastore.transaction(commit=False) as c:
            c.execute(sql + " ORDER BY notification_id", params)
            return [UUID(row[0]) for row in c.fetchall()]

    def count_events(self) -> int:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT count(*) FROM stored_events")
            return int(c.fetchone()[0])


def _hex(originator_id: UUID | str) -> str:
    return originator_id.hex if isinstance(originator_id, UUID) else UUID(originator_id).hex


def _index_row(row: Any) -> IndexRow:
    return IndexRow(
        UUID(row["originator_id"]),
        row["originator_version"],
        row["notification_id"],
        EventMeta(
            UUID(row["agency_id"]),
            row["stream_type"],
            datetime.fromisoformat(row["recorded_at"]),
            date.fromisoformat(row["effective_on"]),
        ),
        bytes(row["link"]),
    )
