"""SQLite event store: the library's recorder plus the chained recorded-time index and
append-only triggers, all written in the event transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from ledger.chain import EventMeta, instant_text
from ledger.index_store import Dialect, IndexReads, write_index

__all__ = ["INDEX_TABLE", "ChainedSQLiteRecorder"]

INDEX_TABLE = "event_index"

_APPEND_ONLY_TABLES = ("stored_events", INDEX_TABLE)

DIALECT = Dialect(
    placeholder="?",
    index_table=INDEX_TABLE,
    events_table="stored_events",
    id_param=lambda value: value.hex,
    time_param=instant_text,
    date_param=date.isoformat,
    pairs_source=lambda pairs: (
        f"(VALUES {','.join('(?,?)' for _ in pairs)}) AS wanted",
        [item for pair in pairs for item in pair],
    ),
    to_uuid=lambda value: UUID(value),
    to_time=datetime.fromisoformat,
    to_date=date.fromisoformat,
)


def _refuse(table: str, operation: str) -> str:
    return (
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{operation.lower()} BEFORE {operation} "
        f"ON {table} BEGIN SELECT RAISE(ABORT, 'muster: {operation} on {table} refused: "
        "the event store is append-only'); END"
    )


class ChainedSQLiteRecorder(IndexReads, SQLiteApplicationRecorder):
    dialect = DIALECT

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
            # Stream starts of an agency (its people), for per-stream head look-ups.
            f"CREATE INDEX IF NOT EXISTS {INDEX_TABLE}_starts "
            f"ON {INDEX_TABLE} (agency_id, stream_type, recorded_at, originator_id) "
            "WHERE originator_version = 1",
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
        write_index(self.dialect, c, stored_events, notification_ids, metas)
        return notification_ids

    def _read(self, sql: str, params: Sequence[Any]) -> list[Sequence[Any]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(sql, params)
            return list(c.fetchall())
