"""``ledger.light_reader`` and ``ledger.reader``: a SQLite store opened for reading without
the event-sourcing library reads what the library's store reads, is opened only where it
is the same store, and leaves everything else to the library's core (issue 14 §6)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from eventsourcing.persistence import OperationalError, PersistenceError

from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.ids import agency_id_for
from ledger.light_reader import LIBRARY_KEYS, open_light_store
from ledger.reader import LedgerReader
from ledger.sqlite_schema import EVENTS_DDL, INDEX_DDL, SCHEMA_NAMES, SEAL_DDL, TRIGGERS_DDL

ACTOR = "user:test"
START = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def _store(tmp_path: Path) -> tuple[str, SettableClock]:
    url = f"sqlite:///{tmp_path}/x.db"
    clock = SettableClock(START)
    ledger = Ledger(url, clock=clock)
    try:
        ledger.register_agency("mpls", "Minneapolis PD", "MN", actor=ACTOR)
        ledger.register_agency("stp", "St Paul PD", "MN", actor=ACTOR, time_zone="UTC")
        for n in range(3):
            clock.set(clock() + timedelta(hours=1))
            ledger.enrol_person(
                "mpls",
                f"E{n}",
                first_name="Pat",
                last_name="Lee",
                kind="sworn",
                hired_on=date(2020, 1, 6),
                actor=ACTOR,
            )
    finally:
        ledger.close()
    return url, clock


def _names(url: str) -> set[str]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}


def test_the_layout_is_the_store_s_own(tmp_path: Path) -> None:
    url, _ = _store(tmp_path)
    ledger = Ledger(url)
    try:
        statements = ledger.store.construct_create_table_statements()  # type: ignore[attr-defined]
    finally:
        ledger.close()
    assert statements == [EVENTS_DDL, *INDEX_DDL, *SEAL_DDL, *TRIGGERS_DDL]
    assert _names(url) >= SCHEMA_NAMES
    assert len(SCHEMA_NAMES) == len(statements)


def test_the_light_store_reads_what_the_library_s_store_reads(tmp_path: Path) -> None:
    url, clock = _store(tmp_path)
    ledger = Ledger(url, clock=clock)
    reader = LedgerReader(url, clock=clock)
    try:
        assert reader._light is not None  # type: ignore[attr-defined]
        assert reader._core is None  # type: ignore[attr-defined]
        light, full = reader.store, ledger.store
        agency_id = agency_id_for("mpls")
        moment = START + timedelta(hours=2)
        assert light.streams("agency") == full.streams("agency")
        assert light.streams("person", agency_id) == full.streams("person", agency_id)
        for at in (None, moment):
            assert light.stream_heads("person", agency_id, recorded_by=at) == full.stream_heads(
                "person", agency_id, recorded_by=at
            )
            assert light.select_stream_rows("person", recorded_by=at) == full.select_stream_rows(
                "person", recorded_by=at
            )
        ids = [agency_id, *full.streams("person", agency_id)]
        assert light.heads_and_positions(ids, "rule_pack") == full.heads_and_positions(
            ids, "rule_pack"
        )
        assert light.stream_rows(agency_id, None) == full.stream_rows(agency_id, None)
        assert list(light.iter_index()) == list(full.iter_index())
        assert light.last_recorded() == full.last_recorded()
        assert light.horizon_facts() == full.horizon_facts()
        assert reader.stable_horizon() == ledger.stable_horizon() == clock()
        assert reader.list_agencies() == ledger.list_agencies()
        assert reader._core is None  # type: ignore[attr-defined]
        # Anything else is the library's core's, opened then.
        assert [e.originator_version for e in reader.stream(agency_id)] == [1]
        assert reader._core is not None  # type: ignore[attr-defined]
        assert light.count_events() == full.count_events()
    finally:
        reader.close()
        ledger.close()


def test_a_write_in_flight_is_seen_by_the_light_store(tmp_path: Path) -> None:
    url, clock = _store(tmp_path)
    reader = LedgerReader(url, clock=clock)
    holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        last = reader.store.last_recorded()
        clock.set(clock() + timedelta(hours=5))
        assert reader.stable_horizon() == clock()
        holder.execute("BEGIN IMMEDIATE")
        assert reader.store.write_in_flight()
        assert reader.stable_horizon() == last
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        reader.close()


def test_an_incomplete_layout_is_opened_and_completed_by_the_library(tmp_path: Path) -> None:
    url, _ = _store(tmp_path)
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        conn.execute("DROP INDEX event_index_recorded")
    assert "event_index_recorded" not in _names(url)
    reader = LedgerReader(url)
    try:
        assert reader._light is None  # type: ignore[attr-defined]
        assert reader._core is not None  # type: ignore[attr-defined]
        assert sorted(a.slug for a in reader.list_agencies()) == ["mpls", "stp"]
    finally:
        reader.close()
    assert _names(url) >= SCHEMA_NAMES


@pytest.mark.parametrize("key", ["COMPRESSOR_TOPIC", "CIPHER_TOPIC", "LEDGER_SQLITE_DBNAME"])
def test_a_setting_of_the_library_s_sends_the_reader_to_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    url, _ = _store(tmp_path)
    from ledger.database import parse_database_url

    env = parse_database_url(url).env
    assert open_light_store(env, {}, lambda: None) is not None
    monkeypatch.setenv(key, "x")
    assert open_light_store(env, {}, lambda: None) is None
    monkeypatch.delenv(key)
    assert open_light_store(env, {"CIPHER_KEY": "k"}, lambda: None) is None
    assert "CIPHER_KEY" in LIBRARY_KEYS


def test_no_file_and_no_sqlite_give_no_light_store(tmp_path: Path) -> None:
    from ledger.database import parse_database_url

    missing = parse_database_url(f"sqlite:///{tmp_path}/none.db").env
    assert open_light_store(missing, {}, lambda: None) is None
    assert not (tmp_path / "none.db").exists()  # nothing created
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    junk = parse_database_url(f"sqlite:///{tmp_path}/junk.db").env
    assert open_light_store(junk, {}, lambda: None) is None


def test_errors_are_the_library_s(tmp_path: Path) -> None:
    url, _ = _store(tmp_path)
    reader = LedgerReader(url)
    try:
        with (
            pytest.raises(OperationalError),
            reader.store.datastore.transaction(commit=False) as cursor,
        ):
            cursor.execute("SELECT * FROM no_such_table")
        with pytest.raises(PersistenceError):
            reader.store._read("SELECT nonsense(", ())  # type: ignore[attr-defined]
        # The light store refuses what the append-only triggers refuse, as the library's.
        with pytest.raises(PersistenceError), reader.store.datastore.transaction(commit=True) as c:
            c.execute("DELETE FROM stored_events")
        assert reader.store.count_events() == 6  # two registrations, a zone, three people
    finally:
        reader.close()
