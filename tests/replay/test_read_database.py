"""The read side's statements are written once, in psycopg's placeholder style, and mean
the same on both backends: a literal ``?`` or ``%`` is never taken for a placeholder."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.application import Ledger
from projections.read_store import PersonRow, RequirementRow
from projections.read_store.database import to_qmark
from projections.read_store.rows import (
    PERSON_COLUMNS,
    REQUIREMENT_COLUMNS,
    person_values,
    requirement_values,
)
from projections.read_store.schema import generation_tables
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


_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)
_PEOPLE = st.lists(
    st.tuples(
        st.uuids().map(str),
        _TEXT,
        st.one_of(st.none(), _TEXT),
        st.integers(0, 2**31 - 1),
        st.binary(max_size=300),
        st.lists(st.tuples(_TEXT, st.one_of(st.none(), _TEXT)), max_size=3),
    ),
    max_size=6,
    unique_by=lambda person: person[0],
)


def _rows(people: list[Any], salt: str) -> list[tuple[PersonRow, list[RequirementRow]]]:
    """Rows of every column type: text (with tabs, newlines, backslashes, any script),
    NULLs, integers, bytes."""
    out = []
    for person_id, text, maybe, number, blob, requirements in people:
        person = PersonRow(
            person_id,
            f"a{salt}",
            text,
            f"{text}\t\\N\n",
            "sworn",
            "active",
            salt,
            maybe,
            "2026-11-01",
            number,
            text,
            blob,
            blob[::-1] + salt.encode(),
        )
        rows = [
            RequirementRow(
                person_id, "a", f"k{n}{salt}", text, "r", "v", salt, deadline, "1", text, "0"
            )
            for n, (text, deadline) in enumerate(requirements)
        ]
        out.append((person, rows))
    return out


def _generation_rows(db: Any, generation: int) -> list[list[tuple[Any, ...]]]:
    found = []
    with db.reading(binary=True) as cur:
        for name in generation_tables(generation):
            cur.execute(f"SELECT * FROM {db.table(name)}")
            rows = [
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                for row in cur.fetchall()
            ]
            found.append(sorted(rows, key=repr))
    return found


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first=_PEOPLE, second=_PEOPLE)
def test_rebuild_rows_are_written_as_plain_inserts_would_write_them(
    ledger: Ledger, first: list[Any], second: list[Any]
) -> None:
    """A rebuild's rows (``Cursor.insert_rows``: one binary COPY on PostgreSQL) and the
    rows they replace (``Cursor.delete_keys``: one statement there) leave a generation's
    tables as the plain statements did: an ``executemany`` of ``DELETE`` by person and of
    ``INSERT``, every value read back the same."""
    tracked = open_read_store(ledger).tracked
    db = tracked._db
    fast = tracked.start_generation(0, "2026-11-01").generation
    plain = tracked.start_generation(0, "2026-11-01").generation
    # The second write restates some people of the first (the same ids, other values).
    again = [(p[0], *q[1:]) for p, q in zip(first, second, strict=False)] + second[len(first) :]
    for salt, people in (("1", first), ("2", again)):
        rows = _rows(people, salt)
        tracked.write_rebuild_rows(fast, rows)
        person, requirement = (db.table(name) for name in generation_tables(plain))
        with db.transaction() as cur:
            ids = [(p.person_id,) for p, _ in rows]
            cur.executemany(f"DELETE FROM {requirement} WHERE person_id = %s", ids)
            cur.executemany(f"DELETE FROM {person} WHERE person_id = %s", ids)
            cur.executemany(
                f"INSERT INTO {person} ({PERSON_COLUMNS}) VALUES ({', '.join(['%s'] * 13)})",
                [person_values(p) for p, _ in rows],
            )
            cur.executemany(
                f"INSERT INTO {requirement} ({REQUIREMENT_COLUMNS}) "
                f"VALUES ({', '.join(['%s'] * 11)})",
                [requirement_values(r) for _, rs in rows for r in rs],
            )
        assert _generation_rows(db, fast) == _generation_rows(db, plain)
    expected = {p[0] for p in first} | {p[0] for p in again}
    assert {row[0] for row in _generation_rows(db, fast)[0]} == expected
