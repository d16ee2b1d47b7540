"""The read side's connection to the ledger's database: transactions and reads on SQLite
or PostgreSQL, every statement written once with psycopg's placeholders."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

__all__ = ["Cursor", "ReadDatabase", "prune_older_heads", "to_qmark"]

# psycopg's placeholder grammar as the read side uses it: ``%s`` a parameter, ``%%`` a
# literal percent sign; any other ``%`` is refused on both backends, as psycopg refuses it.
_PERCENT = re.compile(r"%(.?)", re.DOTALL)


@lru_cache(maxsize=1024)
def to_qmark(statement: str) -> str:
    """A statement in psycopg's placeholder style, in sqlite3's (``?``). Only ``%`` is read:
    a literal ``?`` (say, in a string literal) is left as it is, and means a question mark
    on both backends."""

    def replace(match: re.Match[str]) -> str:
        if match.group(1) == "s":
            return "?"
        if match.group(1) == "%":
            return "%"
        raise ValueError(f"only %s and %% may follow a % in a statement: {statement!r}")

    return _PERCENT.sub(replace, statement)


class Cursor:
    """A cursor of either backend taking statements in psycopg's placeholder style."""

    def __init__(self, cursor: Any, *, qmark: bool) -> None:
        self._cursor = cursor
        self._qmark = qmark

    def _text(self, statement: str) -> str:
        return to_qmark(statement) if self._qmark else statement

    def execute(self, statement: str, params: Sequence[Any] = ()) -> None:
        # Parameters are always passed (an empty tuple too), so psycopg always reads the
        # placeholders: ``%%`` means the same with and without parameters.
        self._cursor.execute(self._text(statement), tuple(params))

    def executemany(self, statement: str, params: Sequence[Sequence[Any]]) -> None:
        self._cursor.executemany(self._text(statement), params)

    def insert_rows(
        self,
        table: str,
        columns: Sequence[str],
        types: Sequence[str],
        rows: Iterable[Sequence[Any]],
    ) -> None:
        """``INSERT INTO table (columns)`` of every row: ``executemany`` on SQLite, one
        binary ``COPY`` on PostgreSQL (``types``: the columns' PostgreSQL types), where an
        ``executemany`` sends and acknowledges each row as its own statement (a rebuild's
        rows were a tenth of its time there)."""
        names = ", ".join(columns)
        if self._qmark:
            marks = ", ".join(["?"] * len(columns))
            self._cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
            return
        with self._cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(list(types))
            for row in rows:
                copy.write_row(row)

    def delete_keys(self, table: str, column: str, keys: Sequence[str]) -> None:
        """``DELETE FROM table WHERE column = key`` for every key: ``executemany`` on SQLite
        (each statement a cheap index probe in process), one statement on PostgreSQL."""
        if self._qmark:
            self._cursor.executemany(
                f"DELETE FROM {table} WHERE {column} = ?", [(k,) for k in keys]
            )
            return
        self._cursor.execute(f"DELETE FROM {table} WHERE {column} = ANY(%s)", (list(keys),))

    def fetchall(self) -> list[Any]:
        rows = self._cursor.fetchall()
        if rows and isinstance(rows[0], dict):  # psycopg's dict rows, as eventsourcing sets
            return [tuple(row.values()) for row in rows]
        return list(rows)

    @property
    def rowcount(self) -> int:
        # eventsourcing wraps sqlite3 cursors without exposing rowcount.
        return int(getattr(self._cursor, "sqlite_cursor", self._cursor).rowcount)


class ReadDatabase:
    """The ledger's own database (and PostgreSQL schema), through its datastore's pool."""

    def __init__(self, datastore: Any, backend: str, schema: str = "public") -> None:
        self._datastore = datastore
        self.backend = backend
        self.schema_name = '"' + schema.replace('"', '""') + '"'
        self._prefix = "" if backend == "sqlite" else f"{self.schema_name}."

    def table(self, name: str) -> str:
        return f"{self._prefix}{name}"

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        """One database transaction, committed when the block ends without an error."""
        if self.backend == "sqlite":
            with self._datastore.transaction(commit=True) as cursor:
                yield Cursor(cursor, qmark=True)
            return
        with self._datastore.get_connection() as conn, conn.transaction(), conn.cursor() as cur:
            yield Cursor(cur, qmark=False)

    @contextmanager
    def transaction_unless_busy(self) -> Iterator[Cursor | None]:
        """A transaction, or None at once when SQLite's one write lock is taken (an event
        write in flight holds it): for writes that only save work later, such as the
        answer memo, so that a reader never waits for a writer. PostgreSQL's read-side
        writes never wait for event writes: a plain transaction.

        On SQLite it commits with ``synchronous = NORMAL``: what it writes can always be
        recomputed, so its commit does not wait for the log to reach the disk (WAL stays
        consistent; a power loss can lose only such writes, since every event commit
        syncs the log up to itself). The connection's setting is restored after."""
        if self.backend != "sqlite":
            with self.transaction() as cur:
                yield cur
            return
        with self._sqlite_write({"synchronous": "NORMAL"}, unless_busy=True) as cur:
            yield cur

    @contextmanager
    def transaction_recomputable(self, *, discarding: bool = False) -> Iterator[Cursor]:
        """A transaction (waiting for SQLite's write lock like ``transaction``) whose writes
        are all recomputable from the event log, such as a rebuild's rows: its commit does
        not wait for the disk, as the memo's (``transaction_unless_busy``) does not. SQLite
        commits with ``synchronous = NORMAL``, PostgreSQL with ``synchronous_commit`` off;
        atomicity is unchanged, and a power loss can lose only such writes (commits reach
        the log in order, and every event commit syncs it up to itself).

        ``discarding`` (it drops or deletes read-model rows): on SQLite also with
        ``secure_delete = FAST``. A build with secure delete on by default (Debian's)
        otherwise overwrites every freed page with zeros, which made dropping an old
        generation at M (about 65 MB) a third of a second of CPU and a second of writes;
        zeroing a copy of what the log still holds erases nothing. PostgreSQL frees a
        dropped table's files without writing them. The connection's settings are
        restored after."""
        if self.backend != "sqlite":
            with self.transaction() as cur:
                cur.execute("SET LOCAL synchronous_commit TO OFF")
                yield cur
            return
        settings = {"synchronous": "NORMAL", **({"secure_delete": "FAST"} if discarding else {})}
        with self._sqlite_write(settings) as cur:
            assert cur is not None  # it waits for the lock
            yield cur

    @contextmanager
    def _sqlite_write(
        self, settings: dict[str, str], *, unless_busy: bool = False
    ) -> Iterator[Cursor | None]:
        """SQLite's write transaction (``BEGIN IMMEDIATE``) under the connection settings
        ``settings``, each restored after. ``unless_busy``: None at once when the write
        lock is taken, the wait for it restored as soon as the transaction has begun."""
        if unless_busy:
            settings = {**settings, "busy_timeout": "0"}
        with self._datastore.get_connection(commit=True) as conn, conn.cursor() as raw:
            before: dict[str, int] = {}
            try:
                for name, value in settings.items():
                    raw.execute(f"PRAGMA {name}")
                    before[name] = int(raw.fetchone()[0])
                    raw.execute(f"PRAGMA {name} = {value}")
                try:
                    raw.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError:
                    if not unless_busy:
                        raise
                    yield None
                    return
                finally:
                    if unless_busy:
                        raw.execute(f"PRAGMA busy_timeout = {before.pop('busy_timeout')}")
                try:
                    yield Cursor(raw, qmark=True)
                except BaseException:
                    raw.execute("ROLLBACK")
                    raise
                raw.execute("COMMIT")
            finally:
                for name, was in before.items():
                    raw.execute(f"PRAGMA {name} = {was}")

    @contextmanager
    def reading(self, *, binary: bool = False) -> Iterator[Cursor]:
        """A read; ``binary``: PostgreSQL sends results in binary (bytea as raw bytes)."""
        if self.backend == "sqlite":
            with self._datastore.transaction(commit=False) as cursor:
                yield Cursor(cursor, qmark=True)
            return
        with self._datastore.get_connection() as conn, conn.cursor(binary=binary) as cur:
            yield Cursor(cur, qmark=False)


def prune_older_heads(
    cur: Cursor,
    table: str,
    where: str,
    rows: Sequence[tuple[tuple[str, ...], int]],
) -> None:
    """For each (key, head) just stored: delete the key's rows at heads older than the
    newest one below ``head`` (``where`` selects a key's rows from its values). A lazily
    filled read model's rows are recomputable, so dropping them costs only speed."""
    cur.executemany(
        f"DELETE FROM {table} WHERE {where} AND version < "
        f"(SELECT max(version) FROM {table} WHERE {where} AND version < %s)",
        [(*key, *key, head) for key, head in rows],
    )
