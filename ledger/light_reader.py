"""A SQLite event store opened for reading without the event-sourcing library.

``muster agency list`` and ``muster status`` read a handful of index rows, an agency's
stream and the rule packs, then the answer the read store holds: the library's import
(its domain, persistence and recorder modules) and the Agency aggregate's event classes
cost such a read about as much as typer and rich together (issue 14 §6,
``benchmarks/cli_startup_bench.py``). ``LightSQLiteStore`` is the store's own reads
(``IndexReads``, ``StreamReads``, ``SealReads``) over plain ``sqlite3`` connections made as
the library makes them (autocommit, WAL, the lock timeout, ``sqlite3.Row`` rows), and a
datastore with the two doors the read store uses (``transaction``, ``get_connection``),
its errors translated into the library's as its own transaction translates them.

It is opened only where that is the same store the library would open: a SQLite file
with every table, index and trigger of the layout (``ledger.sqlite_schema``), and no
environment variable of the library's that would change what it opens or how it decodes
(a cipher, a compressor, snapshots, names under the application's prefix); anywhere else
``open_light_store`` gives None and the reader opens the library's store. It never writes
the event tables and never creates them. What it does not do itself (any other method of
the store) is asked of the library's store, opened then (``fallback``)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from ledger.index_reads import IndexReads
from ledger.seal import SealKeys
from ledger.seal_store import SealReads
from ledger.sqlite_schema import DIALECT, SCHEMA_NAMES, horizon_facts
from ledger.stream_reads import StreamReads

__all__ = ["LIBRARY_KEYS", "LightDatastore", "LightSQLiteStore", "open_light_store"]

# Keys of the library's environment that change what it opens or how it reads stored
# events (eventsourcing 9.5: ``Application``, ``InfrastructureFactory``, ``SQLiteFactory``).
# Set anywhere (also under the application's ``LEDGER_`` prefix), they send the reader to
# the library's store, which applies them (or refuses them, as the ledger refuses
# snapshots and an aggregate cache).
LIBRARY_KEYS = (
    "PERSISTENCE_MODULE",
    "INFRASTRUCTURE_FACTORY",
    "APPLICATION_RECORDER_TOPIC",
    "SQLITE_DBNAME",
    "TRANSCODER_TOPIC",
    "MAPPER_TOPIC",
    "COMPRESSOR_TOPIC",
    "CIPHER_TOPIC",
    "CIPHER_KEY",
    "ORIGINATOR_ID_TYPE",
    "IS_SNAPSHOTTING_ENABLED",
    "SNAPSHOTTING_INTERVALS",
    "AGGREGATE_CACHE_MAXSIZE",
    "AGGREGATE_CACHE_FASTFORWARD",
)
_DEFAULT_LOCK_TIMEOUT = 5  # eventsourcing.sqlite's, when SQLITE_LOCK_TIMEOUT is empty


def _translated(error: sqlite3.Error) -> Exception:
    """``error`` as the library's SQLite transaction raises it (its error classes)."""
    from eventsourcing import persistence as p

    kinds: list[tuple[type[sqlite3.Error], type[Exception]]] = [
        (sqlite3.InterfaceError, p.InterfaceError),
        (sqlite3.DataError, p.DataError),
        (sqlite3.OperationalError, p.OperationalError),
        (sqlite3.IntegrityError, p.IntegrityError),
        (sqlite3.InternalError, p.InternalError),
        (sqlite3.ProgrammingError, p.ProgrammingError),
        (sqlite3.NotSupportedError, p.NotSupportedError),
        (sqlite3.DatabaseError, p.DatabaseError),
    ]
    for raw, library in kinds:
        if isinstance(error, raw):
            return library(error)
    return p.PersistenceError(error)


class _Cursor:
    """A cursor used as a context manager (closed at the end), as the library's is."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    def __enter__(self) -> sqlite3.Cursor:
        return self._cursor

    def __exit__(self, *exc: object) -> None:
        self._cursor.close()


class _Connection:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self.sqlite = connection

    def cursor(self) -> _Cursor:
        return _Cursor(self.sqlite.cursor())


class LightDatastore:
    """Connections to one SQLite file, made as the library's pool makes them, one per
    user at a time (a transaction open on one is never interleaved with another's)."""

    def __init__(self, db_name: str, lock_timeout: int | None) -> None:
        self.db_name = db_name
        self.lock_timeout = lock_timeout
        self._idle: list[sqlite3.Connection] = []
        self._all: list[sqlite3.Connection] = []
        self._wal_checked = False

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(
            database=self.db_name,
            uri=True,
            check_same_thread=False,
            isolation_level=None,  # autocommit: transactions are begun explicitly
            cached_statements=True,
            timeout=self.lock_timeout or _DEFAULT_LOCK_TIMEOUT,
        )
        self._all.append(connection)
        if not self._wal_checked:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode;")
            if cursor.fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL;")
            self._wal_checked = True
        connection.row_factory = sqlite3.Row
        return connection

    @contextmanager
    def get_connection(self, *, commit: bool) -> Iterator[_Connection]:
        connection = self._idle.pop() if self._idle else self._connect()
        try:
            yield _Connection(connection)
        finally:
            self._idle.append(connection)

    @contextmanager
    def transaction(self, *, commit: bool) -> Iterator[sqlite3.Cursor]:
        """``BEGIN``, then commit (``commit``) or roll back; any sqlite3 error inside or at
        the end raised as the library's transaction raises it."""
        with self.get_connection(commit=commit) as conn:
            cursor = conn.sqlite.cursor()
            try:
                try:
                    cursor.execute("BEGIN")
                    yield cursor
                except BaseException:
                    conn.sqlite.rollback()
                    raise
                if commit:
                    conn.sqlite.commit()
                else:
                    conn.sqlite.rollback()
            except sqlite3.Error as error:
                raise _translated(error) from error
            finally:
                cursor.close()

    def close(self) -> None:
        for connection in self._all:
            connection.close()
        self._all.clear()
        self._idle.clear()


class LightSQLiteStore(IndexReads, StreamReads, SealReads):
    """The store's reads over ``LightDatastore``; any other attribute is the library's
    store's (``fallback`` opens it)."""

    dialect = DIALECT

    def __init__(self, datastore: LightDatastore, fallback: Callable[[], Any]) -> None:
        self.datastore = datastore
        self.seal_keys = SealKeys()
        self._fallback = fallback

    def _read(self, sql: str, params: Sequence[Any]) -> list[Sequence[Any]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(sql, params)
            return list(c.fetchall())

    def horizon_facts(self) -> tuple[bool, datetime | None]:
        with self.datastore.get_connection(commit=False) as conn, conn.cursor() as raw:
            return horizon_facts(raw)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._fallback(), name)

    def close(self) -> None:
        self.datastore.close()


def _library_keys_set(env: Mapping[str, str], given: Mapping[str, str]) -> bool:
    """Whether the process environment or ``given`` (the reader's own overrides) sets a
    key that the library would read differently from the light store."""
    for key, value in os.environ.items():
        if not value:
            continue
        if key.startswith("LEDGER_") or key in LIBRARY_KEYS:
            return True
    return any(key.startswith("LEDGER_") or key in LIBRARY_KEYS for key in given)


def open_light_store(
    env: Mapping[str, str], given: Mapping[str, str], fallback: Callable[[], Any]
) -> LightSQLiteStore | None:
    """The SQLite store of ``env`` (the ledger's environment for it:
    ``ledger.database.parse_database_url``'s, with ``given`` over it) opened without the
    library, or None where the library's store must be opened instead (see the module's
    docstring): another backend, a library key set, a file missing or not of the complete
    layout, or any error opening it (the library's open then reports it as it does)."""
    if env.get("PERSISTENCE_MODULE") != "eventsourcing.sqlite" or _library_keys_set(env, given):
        return None
    db_name = env.get("SQLITE_DBNAME", "")
    if not db_name or ":memory:" in db_name or "mode=memory" in db_name:
        return None
    if not os.path.isfile(db_name):
        return None
    timeout_text = (env.get("SQLITE_LOCK_TIMEOUT") or "").strip()
    try:
        lock_timeout = int(timeout_text) if timeout_text else None
    except ValueError:
        return None
    datastore = LightDatastore(db_name, lock_timeout)
    try:
        with datastore.transaction(commit=False) as c:
            c.execute("SELECT name FROM sqlite_master")
            names = {str(row[0]) for row in c.fetchall()}
    except Exception:
        datastore.close()
        return None
    if not names >= SCHEMA_NAMES:
        datastore.close()
        return None
    return LightSQLiteStore(datastore, fallback)
