"""The SQLite event store's layout and its one read that needs the write lock (the stable
horizon's look at it): what both the store (``ledger.sqlite_store``, the library's recorder
and the writes) and the light reader (``ledger.light_reader``, reads only, without the
library) know of the file."""

from __future__ import annotations

import re
import sqlite3
from datetime import date, datetime
from uuid import UUID

from ledger.chain import instant_text
from ledger.fast_uuid import uuid_hex
from ledger.index_dialect import Dialect, last_recorded_statement

__all__ = [
    "DIALECT",
    "EVENTS_DDL",
    "INDEX_DDL",
    "INDEX_TABLE",
    "SCHEMA_NAMES",
    "SEAL_DDL",
    "SEAL_TABLE",
    "TRIGGERS_DDL",
    "horizon_facts",
]

INDEX_TABLE = "event_index"

SEAL_TABLE = "unit_seals"

_APPEND_ONLY_TABLES = ("stored_events", INDEX_TABLE, SEAL_TABLE)

DIALECT = Dialect(
    placeholder="?",
    index_table=INDEX_TABLE,
    events_table="stored_events",
    id_param=uuid_hex,
    time_param=instant_text,
    date_param=date.isoformat,
    pairs_source=lambda pairs: (
        f"(VALUES {','.join('(?,?)' for _ in pairs)}) AS wanted",
        [item for pair in pairs for item in pair],
    ),
    to_uuid=lambda value: UUID(value),
    to_time=datetime.fromisoformat,
    to_date=date.fromisoformat,
    notification_column="rowid",
    seal_table=SEAL_TABLE,
)

# The events table as the library's application recorder (eventsourcing 9.5) creates it;
# ``ledger.sqlite_store`` creates it through the library, and
# ``tests/ledger/test_light_reader.py`` checks the two statements are the same.
EVENTS_DDL = (
    "CREATE TABLE IF NOT EXISTS stored_events ("
    "originator_id TEXT, "
    "originator_version INTEGER, "
    "topic TEXT, "
    "state BLOB, "
    "PRIMARY KEY "
    "(originator_id, originator_version))"
)

# Index rows stored in log order (the notification id is the rowid), found by stream and
# position through a narrow unique index. A save of 5,000 events then appends to the
# table's last pages and spreads only the narrow keys over that index, instead of
# inserting whole rows at random places of a table clustered on its random key (~4,900
# pages rewritten per save at M, the page cache outgrown at L). The stream-start index
# carries the position so that it covers its queries.
INDEX_DDL = [
    f"CREATE TABLE IF NOT EXISTS {INDEX_TABLE} ("
    "originator_id TEXT NOT NULL, originator_version INTEGER NOT NULL, "
    "notification_id INTEGER PRIMARY KEY, agency_id TEXT NOT NULL, "
    "stream_type TEXT NOT NULL, recorded_at TEXT NOT NULL, effective_on TEXT NOT NULL, "
    "link BLOB NOT NULL)",
    f"CREATE UNIQUE INDEX IF NOT EXISTS {INDEX_TABLE}_key "
    f"ON {INDEX_TABLE} (originator_id, originator_version)",
    f"CREATE INDEX IF NOT EXISTS {INDEX_TABLE}_recorded ON {INDEX_TABLE} (recorded_at)",
    f"CREATE INDEX IF NOT EXISTS {INDEX_TABLE}_agency_recorded "
    f"ON {INDEX_TABLE} (agency_id, recorded_at)",
    f"CREATE INDEX IF NOT EXISTS {INDEX_TABLE}_type_recorded "
    f"ON {INDEX_TABLE} (stream_type, recorded_at)",
    # Stream starts of an agency (its people), for per-stream head look-ups.
    f"CREATE INDEX IF NOT EXISTS {INDEX_TABLE}_starts ON {INDEX_TABLE} "
    "(agency_id, stream_type, recorded_at, originator_id, originator_version) "
    "WHERE originator_version = 1",
]

# One row per sealed unit (``ledger.seal``), keyed by its first log position.
SEAL_DDL = [
    f"CREATE TABLE IF NOT EXISTS {SEAL_TABLE} ("
    "first_notification INTEGER PRIMARY KEY, last_notification INTEGER NOT NULL, "
    "events INTEGER NOT NULL, recorded_at TEXT NOT NULL, key_id TEXT NOT NULL, "
    "previous BLOB NOT NULL, mac BLOB NOT NULL)",
]


def _refuse(table: str, operation: str) -> str:
    return (
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{operation.lower()} BEFORE {operation} "
        f"ON {table} BEGIN SELECT RAISE(ABORT, 'muster: {operation} on {table} refused: "
        "the event store is append-only'); END"
    )


TRIGGERS_DDL = [
    _refuse(table, operation) for table in _APPEND_ONLY_TABLES for operation in ("UPDATE", "DELETE")
]

# Every table, index and trigger a complete store has, by name: a store missing any of
# them is opened by the store itself (``ledger.sqlite_store``), which creates them.
SCHEMA_NAMES = frozenset(
    re.search(r"IF NOT EXISTS (\w+)", statement).group(1)  # type: ignore[union-attr]
    for statement in (EVENTS_DDL, *INDEX_DDL, *SEAL_DDL, *TRIGGERS_DDL)
)

_LAST_RECORDED = last_recorded_statement(DIALECT)


def horizon_facts(raw: sqlite3.Cursor) -> tuple[bool, datetime | None]:
    """Try the database's write lock without waiting (``BEGIN IMMEDIATE`` with no busy
    timeout), read the log's last recorded time, and let the lock go. SQLite has one
    write lock per database, so a read-model write in flight in the same file counts
    too: readers then clamp to the last committed unit, which is still exact, only
    earlier than it had to be. ``raw``: a cursor of a connection in autocommit mode."""
    raw.execute("PRAGMA busy_timeout")
    waits = int(raw.fetchone()[0])
    raw.execute("PRAGMA busy_timeout = 0")
    try:
        raw.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        in_flight = True
    else:
        in_flight = False
    finally:
        raw.execute(f"PRAGMA busy_timeout = {waits}")
    try:
        raw.execute(_LAST_RECORDED)
        last = raw.fetchone()[0]
    finally:
        if not in_flight:
            raw.execute("ROLLBACK")
    return in_flight, None if last is None else datetime.fromisoformat(last)
