"""The read side's statements are written once, in psycopg's placeholder style, and mean
the same on both backends: a literal ``?`` or ``%`` is never taken for a placeholder."""

from __future__ import annotations

import pytest

from ledger.application import Ledger
from projections.read_store.database import to_qmark
from replay.read_side import open_read_store
from tests.factories import agency


def test_literal_question_marks_and_percent_signs_survive(ledger: Ledger) -> None:
    db = open_read_store(ledger).db
    table = db.table("rm_test_literals")
    with db.transaction() as cur:
        cur.execute(f"CREATE TABLE {table} (a TEXT, b TEXT)")
        cur.execute(f"INSERT INTO {table} VALUES ('why?', %s), ('100%%', %s)", ("x?", "y"))
    with db.reading() as cur:
        cur.execute(f"SELECT a, b, 'a ? b' FROM {table} WHERE a <> %s ORDER BY a", ("?",))
        assert [tuple(row) for row in cur.fetchall()] == [
            ("100%", "y", "a ? b"),
            ("why?", "x?", "a ? b"),
        ]
        cur.execute(f"SELECT count(*) FROM {table} WHERE a LIKE '%%?'")
        assert [tuple(row) for row in cur.fetchall()] == [(1,)]


def test_the_sqlite_form_reads_only_percent_signs() -> None:
    assert to_qmark("SELECT '?', %s, '5%%' WHERE x = %s") == "SELECT '?', ?, '5%' WHERE x = ?"
    with pytest.raises(ValueError, match="only %s and %%"):
        to_qmark("SELECT '5%' WHERE x = %s")


def test_memo_writes_on_sqlite_do_not_wait_for_the_disk_and_leave_event_writes_full(
    tmp_path: object,
) -> None:
    """A memo write (``transaction_unless_busy``) commits with ``synchronous = NORMAL`` and
    gives its connection back as it found it; the events written on that same connection
    afterwards still commit with FULL, and what both wrote is there."""
    ledger = Ledger(f"sqlite:///{tmp_path}/memo.db")
    try:
        db = open_read_store(ledger).db
        table = db.table("rm_test_sync")
        with db.transaction() as cur:
            cur.execute(f"CREATE TABLE {table} (a TEXT)")
        datastore = ledger.recorder.datastore  # type: ignore[attr-defined]
        with datastore.get_connection(commit=False) as conn, conn.cursor() as raw:
            raw.execute("PRAGMA synchronous = FULL")
        with db.transaction_unless_busy() as cur:
            assert cur is not None
            cur.execute("PRAGMA synchronous")
            assert [tuple(row) for row in cur.fetchall()] == [(1,)]  # NORMAL
            cur.execute(f"INSERT INTO {table} VALUES (%s)", ("kept",))
        with datastore.get_connection(commit=False) as conn, conn.cursor() as raw:
            raw.execute("PRAGMA synchronous")
            assert int(raw.fetchone()[0]) == 2  # FULL again
        agency(ledger)  # an event write on the same pooled connection
        with datastore.get_connection(commit=False) as conn, conn.cursor() as raw:
            raw.execute("PRAGMA synchronous")
            assert int(raw.fetchone()[0]) == 2
        with db.reading() as cur:
            cur.execute(f"SELECT a FROM {table}")
            assert [tuple(row) for row in cur.fetchall()] == [("kept",)]
        assert ledger.store.count_events() > 0
    finally:
        ledger.close()


def test_dropping_read_model_rows_on_sqlite_skips_secure_delete_and_restores_it(
    tmp_path: object,
) -> None:
    """``transaction_recomputable(discarding=True)`` (dropping an old generation) runs with
    ``synchronous = NORMAL`` and ``secure_delete = FAST`` and gives its connection back as
    it found it; what it did is committed, and an error rolls it back."""
    ledger = Ledger(f"sqlite:///{tmp_path}/drop.db")
    try:
        db = open_read_store(ledger).db
        table = db.table("rm_test_drop")
        with db.transaction() as cur:
            cur.execute(f"CREATE TABLE {table} (a TEXT)")
            cur.execute(f"INSERT INTO {table} VALUES (%s)", ("x",))
        datastore = ledger.recorder.datastore  # type: ignore[attr-defined]
        with datastore.get_connection(commit=False) as conn, conn.cursor() as raw:
            raw.execute("PRAGMA secure_delete = 1")
            raw.execute("PRAGMA synchronous = FULL")

        def delete_then_fail() -> None:
            with db.transaction_recomputable(discarding=True) as cur:
                cur.execute("PRAGMA secure_delete")
                assert [tuple(row) for row in cur.fetchall()] == [(2,)]  # FAST
                cur.execute("PRAGMA synchronous")
                assert [tuple(row) for row in cur.fetchall()] == [(1,)]  # NORMAL
                cur.execute(f"DELETE FROM {table}")
                raise RuntimeError

        with pytest.raises(RuntimeError):
            delete_then_fail()
        with db.reading() as cur:
            cur.execute(f"SELECT a FROM {table}")
            assert [tuple(row) for row in cur.fetchall()] == [("x",)]  # rolled back
        with db.transaction_recomputable(discarding=True) as cur:
            cur.execute(f"DROP TABLE {table}")
        with datastore.get_connection(commit=False) as conn, conn.cursor() as raw:
            raw.execute("PRAGMA secure_delete")
            assert int(raw.fetchone()[0]) == 1
            raw.execute("PRAGMA synchronous")
            assert int(raw.fetchone()[0]) == 2  # FULL again
            raw.execute("SELECT count(*) FROM sqlite_master WHERE name = 'rm_test_drop'")
            assert int(raw.fetchone()[0]) == 0
    finally:
        ledger.close()


def test_a_memo_write_gives_up_at_once_while_another_process_holds_the_write_lock(
    tmp_path: object,
) -> None:
    """While another connection holds SQLite's write lock, ``transaction_unless_busy``
    yields None without waiting (not the connection's busy timeout), writes nothing, and
    gives its connection back with its busy timeout and synchronous setting as it found
    them; once the lock is free it writes."""
    import sqlite3
    import time

    path = f"{tmp_path}/busy.db"
    ledger = Ledger(f"sqlite:///{path}")
    try:
        db = open_read_store(ledger).db
        table = db.table("rm_test_busy")
        with db.transaction() as cur:
            cur.execute(f"CREATE TABLE {table} (a TEXT)")
        datastore = ledger.recorder.datastore  # type: ignore[attr-defined]
        with datastore.get_connection(commit=False) as conn, conn.cursor() as raw:
            raw.execute("PRAGMA busy_timeout = 3000")
            raw.execute("PRAGMA synchronous = FULL")
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            started = time.monotonic()
            with db.transaction_unless_busy() as cur:
                assert cur is None
            assert time.monotonic() - started < 1.0  # not the 3 s busy timeout
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        with datastore.get_connection(commit=False) as conn, conn.cursor() as raw:
            raw.execute("PRAGMA busy_timeout")
            assert int(raw.fetchone()[0]) == 3000
            raw.execute("PRAGMA synchronous")
            assert int(raw.fetchone()[0]) == 2
        with db.transaction_unless_busy() as cur:
            assert cur is not None
            cur.execute(f"INSERT INTO {table} VALUES (%s)", ("written",))
        with db.reading() as cur:
            cur.execute(f"SELECT a FROM {table}")
            assert [tuple(row) for row in cur.fetchall()] == [("written",)]
    finally:
        ledger.close()
