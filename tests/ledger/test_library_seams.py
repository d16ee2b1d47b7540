"""The stores lean on private methods of the pinned eventsourcing release; a new release
must fail here, loudly, before it can change how events are written."""

from __future__ import annotations

import importlib.metadata
import inspect

from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteTransaction

# The private methods ledger/sqlite_store.py and ledger/postgres_store.py override or call,
# and the library's SQLite transaction, which the store begins with the write lock taken
# (BEGIN IMMEDIATE) and whose rollback and error translation it keeps.
PRIVATE_SEAMS = {
    (SQLiteTransaction, "__init__"): (
        "(self, connection: 'SQLiteConnection', *, commit: 'bool' = False)"
    ),
    (SQLiteTransaction, "__exit__"): (
        "(self, exc_type: 'type[BaseException] | None', exc_val: 'BaseException | None', "
        "exc_tb: 'TracebackType | None') -> 'None'"
    ),
    (SQLiteApplicationRecorder, "_insert_events"): (
        "(self, c: 'SQLiteCursor', stored_events: 'Sequence[StoredEvent]', **_: 'Any') "
        "-> 'Sequence[int] | None'"
    ),
    (PostgresApplicationRecorder, "_lock_table"): "(self, curs: 'Cursor[DictRow]') -> 'None'",
    (PostgresApplicationRecorder, "_notify_channel"): ("(self, curs: 'Cursor[DictRow]') -> 'None'"),
}


def test_the_pinned_eventsourcing_release_is_installed() -> None:
    """The store adapters were written against eventsourcing 9.5.6 and only that."""
    assert importlib.metadata.version("eventsourcing") == "9.5.6"


def test_the_private_methods_the_stores_use_keep_their_signatures() -> None:
    """Each private recorder method the stores override or call has the signature they
    were written against."""
    found = {(cls, name): str(inspect.signature(getattr(cls, name))) for cls, name in PRIVATE_SEAMS}
    assert found == PRIVATE_SEAMS
