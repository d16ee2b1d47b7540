"""SQLite's index table: stores keep index rows in log order with a narrow unique key, and
answer every read through indexes rather than scans."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import StoredEvent

from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.index_writes import previous_links
from ledger.sqlite_store import DIALECT, INDEX_DDL
from tests.factories import ACTOR, agency, officer


def _schema(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'event_index' "
            "AND type IN ('table', 'index') AND sql IS NOT NULL"
        ).fetchall()
    return {row[0] for row in rows}


def _as_created(ddl: list[str]) -> set[str]:
    return {statement.replace(" IF NOT EXISTS", "") for statement in ddl}


def _history(ledger: Ledger, clock: SettableClock) -> None:
    slug = agency(ledger)
    for employee_id in ("E1", "E2", "E3"):
        officer(ledger, slug, employee_id)
    for day in range(12):
        clock.set(clock() + timedelta(hours=7))
        ledger.record_training(
            slug,
            f"E{day % 3 + 1}",
            completed_on=date(2024, 1, 2) + timedelta(days=day),
            course_title=f"Course {day}",
            hours=1,
            topic_hours={"use_of_force": 1},
            actor=ACTOR,
        )


@pytest.fixture
def store(tmp_path: Path, clock: SettableClock) -> Path:
    """A SQLite store holding a small history."""
    path = tmp_path / "new.db"
    source = Ledger(f"sqlite:///{path}", clock=clock)
    _history(source, clock)
    source.close()
    return path


def test_a_new_store_gets_the_log_order_layout(store: Path) -> None:
    new = store
    assert _schema(new) == _as_created(INDEX_DDL)
    with sqlite3.connect(new) as conn:
        # The notification id is the rowid: rows lie in log order.
        rows = conn.execute("SELECT rowid, notification_id FROM event_index").fetchall()
    assert rows
    assert all(rowid == notification_id for rowid, notification_id in rows)


def _answers(ledger: Ledger) -> list[Any]:
    store = ledger.store
    agency_id = ledger.get_agency("test-pd").id
    people = store.streams("person", agency_id)
    cut = min(row.meta.recorded_at for row in store.iter_index()) + timedelta(days=2)
    return [
        list(store.iter_index()),
        people,
        store.recorded_by(agency_id, cut),
        store.heads_of(people, recorded_by=cut),
        store.heads_of(people, up_to_notification=10),
        store.stream_heads("person", agency_id, recorded_by=cut),
        store.heads_and_positions([agency_id, people[0]], "rule_pack", recorded_by=cut),
        store.select_stream_events("person", agency_id=agency_id, recorded_by=cut),
        store.select_stream_events("person", originator_ids=people[:2]),
        store.select_streams_up_to({people[0]: 3}),
    ]


def test_index_reads_use_indexes_not_scans(
    store: Path, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every read of the index table (and the write path's predecessor look-up) is
    planned as index searches: no full scan of the index table."""
    path = store
    ledger = Ledger(f"sqlite:///{path}", clock=clock)
    recorder: Any = ledger.store
    queries: list[tuple[str, list[Any]]] = []
    read = recorder._read

    def capture(sql: str, params: Any) -> Any:
        queries.append((sql, list(params)))
        return read(sql, params)

    monkeypatch.setattr(recorder, "_read", capture)
    try:
        _answers(ledger)
        ledger.record_training(  # the predecessor links are read on the write cursor
            "test-pd",
            "E1",
            completed_on=date(2024, 3, 2),
            course_title="y",
            hours=1,
            actor=ACTOR,
        )
    finally:
        ledger.close()
    # The write path's predecessor look-up runs on the write cursor: capture its SQL too.
    continued = [StoredEvent(uuid.uuid4(), 2, "t", b"{}"), StoredEvent(uuid.uuid4(), 5, "t", b"{}")]
    previous_links(DIALECT, _Capture(queries), continued)
    with sqlite3.connect(path) as conn:
        for sql, params in queries:
            if "event_index" not in sql:
                continue
            plan = [row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
            scans = [step for step in plan if step.startswith("SCAN") and "wanted" not in step]
            assert not [s for s in scans if "CONSTANT ROW" not in s], (sql, plan)
    assert any("SELECT i.link" in sql for sql, _ in queries)


class _Capture:
    def __init__(self, queries: list[tuple[str, list[Any]]]) -> None:
        self.queries = queries

    def execute(self, sql: str, params: Any = ()) -> None:
        self.queries.append((sql, list(params)))

    def executemany(self, sql: str, params: Any) -> None:
        raise NotImplementedError

    def fetchall(self) -> list[Any]:
        return []
