"""Lock waits are bounded and end in one clear line; a reader never waits for a writer,
at start-up either (issue 13 §2), on both backends."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from ledger.application import Ledger
from ledger.errors import StoreBusyError
from replay.read_side import open_read_store
from tests.factories import ACTOR, agency, officer

MUSTER = str(Path(sys.executable).with_name("muster"))
HOLD = 30.0  # how long the other writer keeps the lock: longer than any wait allowed here


@contextmanager
def writer_holding_the_lock(ledger: Ledger) -> Iterator[None]:
    """Another writer in the middle of a unit: it holds the write lock and has inserted
    nothing yet (released after HOLD seconds at the latest)."""
    db = ledger.database
    if db.backend == "sqlite":
        assert db.sqlite_path is not None
        conn = sqlite3.connect(db.sqlite_path, isolation_level=None, check_same_thread=False)
        conn.execute("BEGIN IMMEDIATE")
        release = threading.Timer(HOLD, conn.rollback)
    else:
        pg = psycopg.connect(db.postgres_conninfo)  # the application role, as a writer
        store = ledger.recorder
        for statement in store.lock_table_statements:  # type: ignore[attr-defined]
            pg.execute(statement)
        release = threading.Timer(HOLD, pg.rollback)
    release.start()
    try:
        yield
    finally:
        release.cancel()
        if db.backend == "sqlite":
            conn.rollback()
            conn.close()
        else:
            pg.rollback()
            pg.close()


def _muster(database_url: str, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {
        **os.environ,
        "MUSTER_DATABASE_URL": database_url,
        "MUSTER_LOG_FORMAT": "json",
        "MUSTER_LOCK_TIMEOUT": "2",
        "COLUMNS": "80",
    }
    began = time.monotonic()
    result = subprocess.run(
        [MUSTER, *args], capture_output=True, text=True, env=env, timeout=HOLD * 2, check=False
    )
    return result, time.monotonic() - began


def test_a_reader_never_waits_for_a_writer(ledger: Ledger, database_url: str) -> None:
    """While another unit holds the write lock, a fresh ``muster status`` process starts
    (no DDL at start-up) and answers at once; so does a new ledger in this process."""
    slug = agency(ledger)
    officer(ledger, slug, "E1")
    ledger.record_training(
        slug, "E1", completed_on=date(2024, 1, 2), course_title="x", hours=1, actor=ACTOR
    )
    open_read_store(ledger)  # the read side's tables exist, as after any first command
    with writer_holding_the_lock(ledger):
        result, took = _muster(database_url, "status", "E1", "--agency", slug, "--json")
        assert result.returncode == 0, result.stderr
        assert took < 15, f"status waited {took:.1f} s for a writer"
        began = time.monotonic()
        reader = Ledger(database_url)
        try:
            assert reader.get_person(slug, "E1").employee_id == "E1"
            assert len(reader.stream(reader.get_person(slug, "E1").id)) == 3
        finally:
            reader.close()
        assert time.monotonic() - began < 5


def test_a_second_writer_gives_up_with_one_clear_line(ledger: Ledger, database_url: str) -> None:
    """A write that cannot get the lock within the lock timeout fails with a typed error
    (in the CLI: one line, exit status 3, no traceback) and writes nothing."""
    slug = agency(ledger)
    before = ledger.store.count_events()
    with writer_holding_the_lock(ledger):
        impatient = Ledger(
            database_url, env={"POSTGRES_LOCK_TIMEOUT": "1", "SQLITE_LOCK_TIMEOUT": "1"}
        )
        try:
            began = time.monotonic()
            with pytest.raises(StoreBusyError, match="write lock"):
                officer(impatient, slug, "E7", licensed=False)
            assert time.monotonic() - began < 10
        finally:
            impatient.close()
        result, took = _muster(
            database_url, "agency", "add", "other", "--name", "Other PD", "--state", "MN"
        )
    assert result.returncode == 3, result.stdout + result.stderr
    assert "write lock" in result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if not line.startswith("{")]
    assert len(lines) == 1, result.stderr
    assert took < 15
    assert ledger.store.count_events() == before


def test_postgres_commands_run_no_ddl(postgres_ledger: Ledger) -> None:
    """Opening the ledger and its read side as the application role runs no DDL: a
    session holding the strongest lock on every store table cannot delay it."""
    ledger = postgres_ledger
    agency(ledger)
    open_read_store(ledger)  # the read side exists (db init made it)
    from tests.conftest import owner_url

    owner = Ledger(owner_url(ledger.database_url))
    try:
        holder = psycopg.connect(owner.database.postgres_conninfo)
        schema = ledger.database.postgres_schema
        holder.execute(
            sql.SQL("LOCK TABLE {}.{}, {}.{} IN SHARE MODE").format(
                sql.Identifier(schema),
                sql.Identifier("ledger_events"),
                sql.Identifier(schema),
                sql.Identifier("ledger_event_index"),
            )
        )
        release = threading.Timer(HOLD, holder.rollback)
        release.start()
        try:
            began = time.monotonic()
            again = Ledger(ledger.database_url)
            open_read_store(again)
            again.list_agencies()
            again.close()
            assert time.monotonic() - began < 5
        finally:
            release.cancel()
            holder.rollback()
            holder.close()
    finally:
        owner.close()
