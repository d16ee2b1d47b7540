"""Privileged raw access to a test store, standing in for an attacker with database rights."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from ledger.application import Ledger


@contextmanager
def privileged(ledger: Ledger) -> Iterator[Any]:
    """A raw cursor that bypasses the append-only triggers.

    SQLite: the triggers are dropped (any writer of the file can do this) and re-created
    afterwards. PostgreSQL: a superuser session with ``session_replication_role = replica``,
    which skips ordinary triggers.
    """
    db = ledger.database
    if db.backend == "sqlite":
        assert db.sqlite_path is not None
        conn = sqlite3.connect(db.sqlite_path, isolation_level=None)
        triggers = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
        ).fetchall()
        for name, _ in triggers:
            conn.execute(f"DROP TRIGGER {name}")
        try:
            yield _SQLiteCursor(conn)
        finally:
            for _, statement in triggers:
                conn.execute(statement)
            conn.close()
        return
    from ledger.database import parse_database_url
    from tests.conftest import owner_url

    owner = parse_database_url(owner_url(ledger.database_url))
    with psycopg.connect(owner.postgres_conninfo, autocommit=True) as pg:
        pg.execute("SET session_replication_role = replica")
        pg.execute(f"SET search_path TO {db.postgres_schema}")
        with pg.cursor() as cursor:
            yield _PostgresCursor(cursor)


class _SQLiteCursor:
    events, index = "stored_events", "event_index"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, statement: str, params: tuple[Any, ...] = ()) -> list[Any]:
        statement = statement.replace("%s", "?")
        return self.conn.execute(statement, params).fetchall()

    def key(self, value: Any) -> Any:
        return value.hex


class _PostgresCursor:
    events, index = "ledger_events", "ledger_event_index"

    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self.cursor = cursor

    def execute(self, statement: str, params: tuple[Any, ...] = ()) -> list[Any]:
        self.cursor.execute(statement, params)
        return self.cursor.fetchall() if self.cursor.description else []

    def key(self, value: Any) -> Any:
        return value


@contextmanager
def application(ledger: Ledger) -> Iterator[Any]:
    """A raw cursor with only the application's own rights: on PostgreSQL the ledger's
    (application) role, on SQLite a plain connection to the file, triggers in place."""
    db = ledger.database
    if db.backend == "sqlite":
        assert db.sqlite_path is not None
        conn = sqlite3.connect(db.sqlite_path, isolation_level=None)
        try:
            yield _SQLiteCursor(conn)
        finally:
            conn.close()
        return
    with psycopg.connect(db.postgres_conninfo, autocommit=True) as pg:
        pg.execute(f"SET search_path TO {db.postgres_schema}")
        with pg.cursor() as cursor:
            yield _PostgresCursor(cursor)
