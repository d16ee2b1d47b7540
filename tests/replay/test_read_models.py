"""Read models: rebuilt == incremental, and they agree with the as-of queries (DESIGN.md
invariants 2 and 3), on both backends."""

from __future__ import annotations

import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast
from uuid import UUID, uuid4

import orjson
import psycopg
import pytest
from psycopg import sql

from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.database import parse_database_url
from projections.evaluate import evaluate
from projections.history import history_from_events
from projections.history_codec import fold_key
from projections.read_store import AnswerRow
from projections.read_store.memo import MEMO_ROW_BYTES
from projections.read_store.schema import read_schema
from replay import chunks
from replay.asof import roster, status
from replay.export import to_json
from replay.knowledge import Knowledge, person_streams
from replay.read_models import catch_up, rebuild
from replay.read_side import open_read_store, read_side
from replay.workers import start_method
from tests.conftest import owner_url
from tests.factories import ACTOR
from tests.replay.helpers import publish_local_pack, synthetic_agency

AS_OF = date(2025, 2, 28)


def test_incremental_catch_up_equals_full_rebuild(ledger: Ledger, clock: SettableClock) -> None:
    """Catching up batch by batch from an empty model gives exactly a fresh rebuild."""
    store = open_read_store(ledger)
    rebuild(ledger, store, AS_OF)  # empty generation before any history exists
    summary = synthetic_agency(ledger, clock)
    report = catch_up(ledger, store, AS_OF, batch=37)
    assert not report.rebuilt
    assert report.batches > 5
    assert report.events == ledger.store.count_events() > summary.events
    incremental = store.queries.dump()
    assert len(incremental[0]) == summary.people
    rebuild(ledger, store, AS_OF)
    assert store.queries.dump() == incremental


def test_rule_change_reaches_everyone(ledger: Ledger, clock: SettableClock) -> None:
    """A new local rule version recomputes every person on catch-up, as a rebuild would."""
    store = open_read_store(ledger)
    synthetic_agency(ledger, clock, officers=6)
    rebuild(ledger, store, AS_OF)
    clock.set(datetime(2025, 2, 28, 9, tzinfo=UTC))
    publish_local_pack(ledger, "synth-pd", [(date(2024, 1, 1), 60)])
    report = catch_up(ledger, store, AS_OF)
    people, requirements = store.queries.dump()
    assert report.people_updated == len(people)
    assert any(row[4] == "firearms_annual" for row in requirements)
    rebuild(ledger, store, AS_OF)
    assert store.queries.dump() == (people, requirements)


def _evaluated(ledger: Ledger, agency_id: UUID, person_id: UUID, as_of: date) -> dict[str, Any]:
    """A person's compliance computed independently of every stored row: their events
    folded, the rule versions decoded afresh, evaluated."""
    (events,) = person_streams(ledger, agency_id, None, person_id=person_id)
    knowledge = Knowledge(ledger)
    agency = knowledge.agency_by_id(agency_id, None)
    versions = knowledge.rule_versions_for(agency, None, as_of=as_of)
    return evaluate(versions, history_from_events(events), as_of).to_dict()


def test_status_now_equals_read_model(ledger: Ledger, clock: SettableClock) -> None:
    """status(p, as_of, now) is exactly what the current read model holds for p, and that
    is exactly an independent evaluation of p's events (DESIGN.md invariant 3)."""
    store = open_read_store(ledger)
    synthetic_agency(ledger, clock, officers=8)
    catch_up(ledger, store, AS_OF)
    agency_id = ledger.get_agency("synth-pd").id
    rows = store.queries.people(agency_id)
    assert rows
    now = clock()
    for row in rows:
        answer = status(ledger, "synth-pd", row.employee_id, AS_OF, now)
        stored = orjson.loads(row.body)
        assert stored["compliance"]["status"] == row.status
        assert row.status == answer["person"]["compliance"]["status"]
        assert stored == answer["person"]
        expected = _evaluated(ledger, agency_id, UUID(row.person_id), AS_OF)
        assert stored["compliance"] == expected


def test_the_present_is_read_from_the_tracked_model(
    ledger: Ledger, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A question the tracked model is at (its day, the person's head now, the rules known
    now) is answered from it and memoises nothing; a new event not caught up yet, or
    another day, is computed, never served from a stale row."""
    store = open_read_store(ledger)
    synthetic_agency(ledger, clock, officers=6)
    catch_up(ledger, store, AS_OF)
    agency_id = ledger.get_agency("synth-pd").id
    row = next(
        r for r in store.queries.people(agency_id) if orjson.loads(r.body)["counted_records"]
    )
    evaluated_roster = to_json(roster(ledger, "synth-pd", AS_OF, clock(), memo=False))
    computed: list[object] = []
    answer_rows = chunks.answer_rows

    def counting(*args: Any) -> Any:
        computed.append(args)
        return answer_rows(*args)

    monkeypatch.setattr(chunks, "answer_rows", counting)  # imported by asof when used
    answer = status(ledger, "synth-pd", row.employee_id, AS_OF, clock())
    assert answer["person"] == orjson.loads(row.body)
    present = roster(ledger, "synth-pd", AS_OF, clock())
    assert computed == []
    assert to_json(present) == evaluated_roster
    heads = {UUID(row.person_id): row.version}
    assert store.memo.get(agency_id, "any", AS_OF.isoformat(), heads) == {}
    # The next day: the row says nothing about it.
    status(ledger, "synth-pd", row.employee_id, AS_OF + timedelta(days=1), clock())
    assert len(computed) == 1
    # A correction the model has not caught up with: computed, and it counts.
    clock.set(clock() + timedelta(minutes=5))
    counted = {r["record_id"] for r in orjson.loads(row.body)["counted_records"]}
    person = ledger.get_person("synth-pd", row.employee_id)
    record = next(r for r in person.records if not r.voided and str(r.record_id) in counted)
    ledger.void_training("synth-pd", row.employee_id, record.record_id, reason="t", actor=ACTOR)
    fresh = status(ledger, "synth-pd", row.employee_id, AS_OF, clock())
    assert len(computed) == 2
    assert fresh["person"]["compliance"] == _evaluated(
        ledger, agency_id, UUID(row.person_id), AS_OF
    )
    assert fresh["person"] != orjson.loads(row.body)
    catch_up(ledger, store, AS_OF)
    assert status(ledger, "synth-pd", row.employee_id, AS_OF, clock()) == fresh
    assert len(computed) == 2


def test_new_day_rebuilds(ledger: Ledger, clock: SettableClock) -> None:
    """Statuses depend on the day, so catching up for a new day rebuilds the model."""
    store = open_read_store(ledger)
    synthetic_agency(ledger, clock, officers=4)
    catch_up(ledger, store, AS_OF)
    report = catch_up(ledger, store, AS_OF + timedelta(days=1))
    assert report.rebuilt
    assert {row[8] for row in store.queries.dump()[0]} == {(AS_OF + timedelta(days=1)).isoformat()}


def test_interrupted_rebuild_resumes_and_readers_see_the_old_generation(
    ledger: Ledger, clock: SettableClock
) -> None:
    """A rebuild stopped part-way leaves the live generation serving; the next run resumes
    where it stopped and swaps in a complete model."""
    store = open_read_store(ledger)
    synthetic_agency(ledger, clock, officers=10)
    first = rebuild(ledger, store, AS_OF)
    before = store.queries.dump()
    assert rebuild(ledger, store, AS_OF, chunk=3, stop_after_chunks=2) == -1
    building = store.tracked.building_generation()
    assert building is not None
    assert building.resume_after
    assert store.tracked.live_generation() == first
    assert store.queries.dump() == before
    resumed = rebuild(ledger, store, AS_OF, chunk=3)
    assert resumed == building.generation
    assert store.tracked.live_generation() == resumed
    assert store.queries.dump() == before


def test_two_runners_never_apply_a_batch_twice(ledger: Ledger, clock: SettableClock) -> None:
    """Tracking only moves forward from the position a runner read."""
    store = open_read_store(ledger)
    generation = rebuild(ledger, store, AS_OF)
    tracking = store.tracked.tracking(generation)
    assert tracking is not None
    ok = store.tracked.apply_batch(
        generation,
        from_position=tracking.notification_id,
        to_position=tracking.notification_id + 5,
        as_of=AS_OF.isoformat(),
        rows=[],
    )
    stale = store.tracked.apply_batch(
        generation,
        from_position=tracking.notification_id,
        to_position=tracking.notification_id + 5,
        as_of=AS_OF.isoformat(),
        rows=[],
    )
    assert (ok, stale) == (True, False)


def test_agency_roll_up(ledger: Ledger, clock: SettableClock) -> None:
    """Counts by status and by requirement, and upcoming deadlines, come from the model."""
    store = open_read_store(ledger)
    summary = synthetic_agency(ledger, clock, officers=10)
    catch_up(ledger, store, AS_OF)
    agency_id = ledger.get_agency("synth-pd").id
    counts = store.queries.counts_by_status(agency_id)
    assert sum(counts.values()) == summary.people
    by_requirement = store.queries.counts_by_requirement(agency_id)
    assert any(requirement == "total_ce" for requirement, _ in by_requirement)
    deadlines = store.queries.upcoming_deadlines(agency_id)
    assert [d.deadline for d in deadlines] == sorted(d.deadline for d in deadlines)
    assert all(d.deadline and d.deadline >= AS_OF.isoformat() for d in deadlines)
    _ = ACTOR


def test_rebuild_in_worker_processes_equals_one_process(
    ledger: Ledger, clock: SettableClock
) -> None:
    """Worker processes (each with its own connection) build exactly the rows one process
    builds, and a parallel rebuild stopped part-way resumes like any other."""
    store = open_read_store(ledger)
    synthetic_agency(ledger, clock, officers=12)
    rebuild(ledger, store, AS_OF, chunk=4)
    alone = store.queries.dump()
    assert alone[0]
    assert rebuild(ledger, store, AS_OF, chunk=4, workers=2, stop_after_chunks=2) == -1
    assert store.queries.dump() == alone  # the half-built generation is invisible
    parallel = rebuild(ledger, store, AS_OF, chunk=4, workers=2)
    assert store.tracked.live_generation() == parallel
    assert store.queries.dump() == alone


def test_forked_workers_leave_the_parents_connection_alone(
    ledger: Ledger, clock: SettableClock
) -> None:
    """Workers forked from a process with open connections (and, on PostgreSQL, a pool's
    threads) neither use nor close them: after a parallel rebuild this process still
    appends and catches up, and the models equal those one process builds."""
    if sys.platform == "linux" and sys.version_info < (3, 12):
        assert start_method() == "fork"
    store = open_read_store(ledger)
    synthetic_agency(ledger, clock, officers=10)
    rebuild(ledger, store, AS_OF, chunk=3, workers=2)
    people = len(store.queries.dump()[0])
    assert people >= 10
    clock.set(datetime(2025, 3, 1, 9, tzinfo=UTC))
    publish_local_pack(ledger, "synth-pd", [(date(2024, 1, 1), 60)])
    assert catch_up(ledger, store, AS_OF).people_updated == people
    incremental = store.queries.dump()
    rebuild(ledger, store, AS_OF, chunk=3)
    assert store.queries.dump() == incremental


def test_workers_start_while_the_schema_is_locked(postgres_ledger: Ledger) -> None:
    """Worker processes never re-run the store's DDL: two workers doing so at once
    deadlocked on PostgreSQL. While another session holds a lock that any CREATE TRIGGER or
    CREATE INDEX would wait for (reads do not), a rebuild in two workers still completes."""
    ledger = postgres_ledger
    clock = cast(SettableClock, ledger.clock)
    synthetic_agency(ledger, clock, officers=8)
    store = open_read_store(ledger)
    rebuild(ledger, store, AS_OF, chunk=3)
    alone = store.queries.dump()
    schema = ledger.database.postgres_schema
    # The owner: the application role may not take such a lock (it cannot run DDL).
    holder = psycopg.connect(parse_database_url(owner_url(ledger.database_url)).postgres_conninfo)
    release = threading.Timer(60, holder.rollback)
    try:
        holder.execute(
            sql.SQL("LOCK TABLE {}.{}, {}.{} IN SHARE ROW EXCLUSIVE MODE").format(
                sql.Identifier(schema),
                sql.Identifier("ledger_events"),
                sql.Identifier(schema),
                sql.Identifier("ledger_event_index"),
            )
        )
        release.start()
        began = time.monotonic()
        rebuild(ledger, store, AS_OF, chunk=3, workers=2)
        assert time.monotonic() - began < 60  # not merely waiting for the lock's release
    finally:
        release.cancel()
        holder.close()
    assert store.queries.dump() == alone


def test_large_documents_are_stored_uncompressed_on_postgresql(
    postgres_ledger: Ledger,
) -> None:
    """Checkpoints and status documents are kept out of line without compression (the
    rebuild's writes spent ~10% compressing them), set once and left alone after."""
    ledger = postgres_ledger
    synthetic_agency(ledger, cast(SettableClock, ledger.clock), officers=2)
    store = open_read_store(ledger)
    generation = rebuild(ledger, store, AS_OF)
    schema = read_schema(ledger.database.postgres_schema)

    def storage() -> list[tuple[str, str]]:
        with psycopg.connect(ledger.database.postgres_conninfo) as conn:
            return conn.execute(
                "SELECT c.relname, a.attstorage FROM pg_attribute a "
                "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = %s AND a.attname = 'body' "
                "AND c.relname IN ('rm_history', %s) ORDER BY c.relname",
                (schema, f"rm_person_g{generation}"),
            ).fetchall()

    assert storage() == [("rm_history", "e"), (f"rm_person_g{generation}", "e")]
    open_read_store(ledger)  # opening again finds it so and alters nothing
    assert storage() == [("rm_history", "e"), (f"rm_person_g{generation}", "e")]
    people = ledger.store.streams("person")
    assert len(store.checkpoints.get(ledger.store.heads_of(people), fold_key())) == len(people)


def test_the_answer_memo_is_bounded(ledger: Ledger) -> None:
    """Past an agency's limit, the answer sets stored first are dropped whole (never the
    one being written, even alone over the limit); other agencies keep theirs."""
    store = open_read_store(ledger)
    store.memo.limit = 5 * (MEMO_ROW_BYTES + 2)  # five answers of two bytes
    agency, other = uuid4(), uuid4()

    def put(agency_id: UUID, day: str, people: int) -> dict[UUID, int]:
        heads = {uuid4(): 1 for _ in range(people)}
        row = AnswerRow("E1", "compliant", "sworn", "active", b"{}")
        store.memo.put(agency_id, "rules", day, [(p, 1, row) for p in heads])
        return heads

    first = put(agency, "2026-01-01", 2)
    second = put(agency, "2026-01-02", 2)
    elsewhere = put(other, "2026-01-01", 3)
    assert len(store.memo.get(agency, "rules", "2026-01-01", first)) == 2
    third = put(agency, "2026-01-03", 2)  # 6 > 5: the first set goes
    assert store.memo.get(agency, "rules", "2026-01-01", first) == {}
    assert len(store.memo.get(agency, "rules", "2026-01-02", second)) == 2
    assert len(store.memo.get(agency, "rules", "2026-01-03", third)) == 2
    big = put(agency, "2026-01-04", 7)  # alone over the limit: kept, the others go
    assert len(store.memo.get(agency, "rules", "2026-01-04", big)) == 7
    assert store.memo.get(agency, "rules", "2026-01-02", second) == {}
    assert store.memo.get(agency, "rules", "2026-01-03", third) == {}
    assert len(store.memo.get(other, "rules", "2026-01-01", elsewhere)) == 3


def test_tracked_tables_of_another_layout_are_retired(ledger: Ledger, clock: SettableClock) -> None:
    """Opening the read store over tracked tables of an earlier layout drops them (they are
    derived), and the next catch-up rebuilds the model."""
    store = open_read_store(ledger)
    synthetic_agency(ledger, clock, officers=3)
    catch_up(ledger, store, AS_OF)
    rows = store.queries.dump()
    with store.db.transaction() as cur:
        cur.execute(f"UPDATE {store.db.table('rm_meta')} SET value = '1' WHERE key = 'layout'")
    reopened = open_read_store(ledger)
    assert reopened.tracked.live() is None
    assert catch_up(ledger, reopened, AS_OF).rebuilt
    assert reopened.queries.dump() == rows


def test_a_generation_dropped_while_answering_is_not_an_error(
    ledger: Ledger, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild may swap a new generation in (dropping the old) between an answer's read of
    the live generation and its read of that generation's rows: the answer reads the new."""
    store = open_read_store(ledger)
    synthetic_agency(ledger, clock, officers=3)
    old = store.tracked.tracking(rebuild(ledger, store, AS_OF))
    rebuild(ledger, store, AS_OF)
    row = store.queries.people(ledger.get_agency("synth-pd").id)[0]
    tracked = read_side(ledger).store.tracked
    live = tracked.live
    seen = iter([old])
    monkeypatch.setattr(tracked, "live", lambda: next(seen, None) or live())
    answer = status(ledger, "synth-pd", row.employee_id, AS_OF, clock())
    assert answer["person"] == orjson.loads(row.body)


def test_a_swap_by_another_process_is_seen_within_the_cache_age(
    database_url: str, ledger: Ledger, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Answers rely on this process's last reading of the live generation for up to
    ``LIVE_MAX_AGE_SECONDS``. Another process's rebuild for a new day (which drops the
    generation read) never makes an answer wrong or an error: before the age passes the
    new day is computed; after it, it is read from the new generation."""
    store = open_read_store(ledger)
    synthetic_agency(ledger, clock, officers=3)
    catch_up(ledger, store, AS_OF)
    row = store.queries.people(ledger.get_agency("synth-pd").id)[0]
    status(ledger, "synth-pd", row.employee_id, AS_OF, clock())  # reads and keeps the live one
    other = Ledger(database_url, clock=clock)  # another reader-writer: its own read store
    try:
        next_day = AS_OF + timedelta(days=1)
        catch_up(other, open_read_store(other), next_day)  # a new generation; the old dropped
        computed: list[object] = []
        answer_rows = chunks.answer_rows

        def counting(*args: Any) -> Any:
            computed.append(args)
            return answer_rows(*args)

        monkeypatch.setattr(chunks, "answer_rows", counting)  # imported by asof when used
        agency_id = ledger.get_agency("synth-pd").id
        expected = _evaluated(ledger, agency_id, UUID(row.person_id), next_day)
        # Within the age: the kept reading is of the old day, so the new day is computed...
        first = status(ledger, "synth-pd", row.employee_id, next_day, clock())
        assert first["person"]["compliance"] == expected
        assert len(computed) == 1
        # ...and the old day, whose generation is gone, is computed too, not an error.
        again = status(ledger, "synth-pd", row.employee_id, AS_OF, clock())
        assert again["person"] == orjson.loads(row.body)
        assert len(computed) == 2
        # Past the age: read from the other process's generation (the memo emptied, so
        # nothing else could answer), nothing computed.
        store.memo.clear()
        monkeypatch.setattr("projections.read_store.tracked.LIVE_MAX_AGE_SECONDS", 0.0)
        served = status(ledger, "synth-pd", row.employee_id, next_day, clock())
        assert served["person"]["compliance"] == expected
        assert len(computed) == 2
    finally:
        other.close()
