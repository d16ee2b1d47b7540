"""Issue 12 §1: recorded time is assigned once per committed unit, under the write lock,
never decreasing along the whole log; the hash chain covers it; readers are answered at or
before the log's stable horizon."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest

from ledger.application import Ledger
from ledger.chain import instant_text
from ledger.clock import SettableClock
from replay.asof import roster, status
from replay.trend import trend
from replay.verify import verify_store
from tests.factories import ACTOR, agency, officer
from tests.tamper import privileged


def _train(ledger: Ledger, slug: str, employee_id: str, day: date, uow: object = None) -> None:
    ledger.record_training(
        slug,
        employee_id,
        completed_on=day,
        course_title=f"Course {day}",
        hours=1,
        actor=ACTOR,
        uow=uow,  # type: ignore[arg-type]
    )


def _times_in_log_order(ledger: Ledger) -> list[datetime]:
    rows = sorted(ledger.store.iter_index(), key=lambda row: row.notification_id)
    return [row.meta.recorded_at for row in rows]


def test_every_event_of_a_unit_carries_the_units_commit_time(
    ledger: Ledger, clock: SettableClock
) -> None:
    """Commands staged at different instants and saved together all carry the instant
    of the save, in the stored event and in the index (one import = one instant)."""
    slug = agency(ledger)
    officer(ledger, slug, "E1")
    officer(ledger, slug, "E2")
    start = clock()
    set_up = ledger.store.last_recorded()
    assert set_up is not None
    uow = ledger.unit_of_work()
    clock.set(start + timedelta(hours=1))
    _train(ledger, slug, "E1", date(2024, 1, 2), uow)
    clock.set(start + timedelta(hours=2))
    _train(ledger, slug, "E2", date(2024, 1, 3), uow)
    _train(ledger, slug, "E1", date(2024, 1, 4), uow)
    committed = start + timedelta(hours=3)
    clock.set(committed)
    saved = uow.save()
    assert len(saved.events) == 3
    assert saved.recorded_at == committed
    assert {event.timestamp for event in saved.events} == {committed}
    new = [row for row in ledger.store.iter_index() if row.meta.recorded_at > set_up]
    assert len(new) == 3
    assert {row.meta.recorded_at for row in new} == {committed}
    for employee_id in ("E1", "E2"):
        stored = ledger.stream(ledger.get_person(slug, employee_id).id)
        assert stored[-1].timestamp == committed
    assert verify_store(ledger.store).ok


def test_recorded_time_never_decreases_along_the_log_when_the_clock_goes_back(
    ledger: Ledger, clock: SettableClock
) -> None:
    """Across streams, a unit saved while the clock shows an earlier instant than the
    log's last recorded time is recorded after it (a microsecond later: units strictly
    increase, so the horizon of a reader is exact)."""
    slug = agency(ledger)
    officer(ledger, slug, "E1")
    officer(ledger, slug, "E2")
    late = clock() + timedelta(days=2)
    clock.set(late)
    _train(ledger, slug, "E1", date(2024, 1, 2))
    clock.set(late - timedelta(days=1))  # the clock went back a day
    _train(ledger, slug, "E2", date(2024, 1, 3))  # another stream
    _train(ledger, slug, "E2", date(2024, 1, 4))
    times = _times_in_log_order(ledger)
    assert times == sorted(times)
    assert times[-2:] == [
        late + timedelta(microseconds=1),
        late + timedelta(microseconds=2),
    ]
    e2 = ledger.stream(ledger.get_person(slug, "E2").id)
    assert [e.timestamp for e in e2[-2:]] == times[-2:]
    assert verify_store(ledger.store).ok


def test_units_at_one_clock_reading_get_increasing_times(
    ledger: Ledger, clock: SettableClock
) -> None:
    """A clock that stands still still gives each committed unit its own instant."""
    slug = agency(ledger)
    officer(ledger, slug, "E1")
    times = _times_in_log_order(ledger)
    units = [times[0], times[1], times[-1]]  # agency, enrolment, licence: three saves
    assert units == sorted(set(units))


def test_the_chain_covers_the_commit_time(ledger: Ledger, clock: SettableClock) -> None:
    """The chain verifies; a recorded time changed in the index, or inside the stored
    bytes, breaks it at that event."""
    slug = agency(ledger)
    officer(ledger, slug, "E1")
    clock.set(clock() + timedelta(hours=1))
    _train(ledger, slug, "E1", date(2024, 1, 2))
    assert verify_store(ledger.store).ok
    person = ledger.get_person(slug, "E1").id
    head = ledger.stream(person)[-1]
    other = head.timestamp - timedelta(minutes=30)
    with privileged(ledger) as raw:
        moment: object = instant_text(other) if ledger.database.backend == "sqlite" else other
        raw.execute(
            f"UPDATE {raw.index} SET recorded_at = %s WHERE originator_id = %s "
            "AND originator_version = %s",
            (moment, raw.key(person), head.originator_version),
        )
    report = verify_store(ledger.store)
    assert not report.ok
    assert (report.breaks[0].originator_id, report.breaks[0].position) == (
        person,
        head.originator_version,
    )


def test_a_recorded_time_changed_inside_the_stored_bytes_is_found(
    ledger: Ledger, clock: SettableClock
) -> None:
    slug = agency(ledger)
    officer(ledger, slug, "E1")
    clock.set(datetime(2025, 3, 1, 12, 0, 0, 123456, tzinfo=UTC))
    _train(ledger, slug, "E1", date(2024, 1, 2))
    person = ledger.get_person(slug, "E1").id
    head = ledger.stream(person)[-1]
    with privileged(ledger) as raw:
        (state,) = raw.execute(
            f"SELECT state FROM {raw.events} WHERE originator_id = %s AND originator_version = %s",
            (raw.key(person), head.originator_version),
        )[0]
        tampered = bytes(state).replace(
            b"2025-03-01T12:00:00.123456", b"2025-02-01T12:00:00.123456"
        )
        assert tampered != bytes(state)
        raw.execute(
            f"UPDATE {raw.events} SET state = %s WHERE originator_id = %s "
            "AND originator_version = %s",
            (tampered, raw.key(person), head.originator_version),
        )
    report = verify_store(ledger.store)
    assert not report.ok
    assert report.breaks[0].position == head.originator_version


@contextmanager
def _write_lock_held(ledger: Ledger) -> Iterator[None]:
    """Another connection holds the events table's write lock, as a writer in flight."""
    db = ledger.database
    if db.backend == "sqlite":
        assert db.sqlite_path is not None
        conn = sqlite3.connect(db.sqlite_path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    with psycopg.connect(db.postgres_conninfo) as pg:
        for statement in ledger.recorder.lock_table_statements:  # type: ignore[attr-defined]
            pg.execute(statement)  # what every writer takes first
        try:
            yield
        finally:
            pg.rollback()


def test_while_a_unit_is_written_answers_stop_at_the_last_commit(
    ledger: Ledger, clock: SettableClock
) -> None:
    """With the write lock held elsewhere, the horizon is the last committed unit's
    recorded time: the default and any later ``known_at`` are clamped to it and the
    answer says so; once the lock is free, the horizon is now again. (``memo=False``:
    on SQLite the memo's writes would wait for the lock held here.)"""
    slug = agency(ledger)
    officer(ledger, slug, "E1")
    last = ledger.store.last_recorded()
    assert last is not None
    clock.set(last + timedelta(hours=1))
    assert not ledger.store.write_in_flight()
    assert ledger.stable_horizon() == clock()
    roster(ledger, slug, date(2024, 1, 5))  # the read side's tables exist before the lock
    with _write_lock_held(ledger):
        assert ledger.store.write_in_flight()
        assert ledger.stable_horizon() == last
        for asked in (None, clock(), clock() + timedelta(days=400)):
            answer = roster(ledger, slug, date(2024, 1, 5), asked, memo=False)
            assert datetime.fromisoformat(answer["known_at"]) == last
            one = status(ledger, slug, "E1", date(2024, 1, 5), asked, memo=False)
            assert datetime.fromisoformat(one["known_at"]) == last
        earlier = last - timedelta(microseconds=1)  # before the licence, after the rest
        answer = roster(ledger, slug, date(2024, 1, 5), earlier, memo=False)
        assert answer["known_at"] == earlier.isoformat()
    assert not ledger.store.write_in_flight()
    assert ledger.stable_horizon() == clock()


def test_a_known_at_in_the_future_is_clamped_to_now(ledger: Ledger, clock: SettableClock) -> None:
    """A ``known_at`` after now (or the end of today) is answered as now, and says so;
    asked again at the ``known_at`` it states, the answer is the same bytes."""
    slug = agency(ledger)
    officer(ledger, slug, "E1")
    clock.set(clock() + timedelta(minutes=5))
    now = clock()
    end_of_today = datetime.combine(now.date(), datetime.max.time(), UTC)
    for asked in (end_of_today, now + timedelta(days=3650)):
        answer = roster(ledger, slug, date(2024, 1, 5), asked)
        assert answer["known_at"] == now.isoformat()
        again = roster(ledger, slug, date(2024, 1, 5), datetime.fromisoformat(answer["known_at"]))
        assert again.to_json() == answer.to_json()
        assert status(ledger, slug, "E1", date(2024, 1, 5), asked)["known_at"] == now.isoformat()
        chart = trend(ledger, slug, date(2024, 1, 1), date(2024, 3, 1), "month", asked)
        assert chart["known_at"] == now.isoformat()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_saving_nothing_appends_nothing(ledger: Ledger) -> None:
    assert ledger.save() == []
    assert ledger.unit_of_work().save().events == []
    assert ledger.store.last_recorded() is None
