"""The read side's statements are written once, in psycopg's placeholder style, and mean
the same on both backends: a literal ``?`` or ``%`` is never taken for a placeholder."""

from __future__ import annotations

import pytest

from ledger.application import Ledger
from projections.read_store.database import to_qmark
from replay.read_side import open_read_store


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
