"""The append path: one transaction per save whatever its size, ids that match the log and
the index, stored bytes and hash links in their fixed formats."""

from __future__ import annotations

import gc
import hashlib
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from ledger.application import Ledger
from ledger.chain import GENESIS, Chain, EventMeta, content_digest, link_from
from ledger.clock import SettableClock
from ledger.errors import ConcurrentWriteError
from ledger.postgres_store import INSERT_CHUNK
from ledger.serialisation import OrjsonTranscoder
from replay.verify import verify_store
from tests.conftest import create_postgres_store, drop_postgres_store
from tests.factories import ACTOR, agency, officer


def _trainings(ledger: Ledger, slug: str, employee_id: str, count: int, uow: object) -> None:
    for n in range(count):
        ledger.record_training(
            slug,
            employee_id,
            completed_on=date(2015, 1, 1) + timedelta(days=n % 3000),
            course_title=f"Course {n}",
            hours=1,
            topic_hours={"use_of_force": 1},
            actor=ACTOR,
            uow=uow,  # type: ignore[arg-type]
        )


def _index_count(ledger: Ledger) -> int:
    return sum(1 for _ in ledger.store.iter_index())


def test_a_failed_big_save_leaves_nothing(ledger: Ledger) -> None:
    """A save of several chunks whose last event collides with another writer's appends
    nothing at all: no events, no index rows, no hash links; the store still verifies."""
    slug = agency(ledger)
    officer(ledger, slug, "E1")
    officer(ledger, slug, "E2")
    stale = ledger.unit_of_work()
    stale.person(slug, "E2")  # saved first
    stale.person(slug, "E1")  # saved last; loaded here, then changed by someone else
    ledger.record_training(
        slug, "E1", completed_on=date(2024, 1, 2), course_title="x", hours=1, actor=ACTOR
    )
    before = (ledger.store.count_events(), _index_count(ledger))
    _trainings(ledger, slug, "E2", INSERT_CHUNK * 2 + 10, stale)  # the first chunks are fine
    _trainings(ledger, slug, "E1", 1, stale)  # the last event collides
    assert stale.pending_count() == INSERT_CHUNK * 2 + 11
    with pytest.raises(ConcurrentWriteError):
        stale.save()
    assert (ledger.store.count_events(), _index_count(ledger)) == before
    assert verify_store(ledger.store).ok
    # The store takes the next save as if nothing had happened.
    ledger.record_training(
        slug, "E2", completed_on=date(2024, 1, 3), course_title="y", hours=1, actor=ACTOR
    )
    assert verify_store(ledger.store).ok


def test_notification_ids_are_the_logs_and_the_indexs(ledger: Ledger) -> None:
    """The ids a save returns are ascending, are the log's ids for those events and are
    the index rows' ids, over several saves and chunks."""
    slug = agency(ledger)
    officer(ledger, slug, "E1")
    returned: dict[tuple[uuid.UUID | str, int], int] = {}
    for size in (3, INSERT_CHUNK + 5):
        uow = ledger.unit_of_work()
        _trainings(ledger, slug, "E1", size, uow)
        saved = uow.save()
        ids = saved.notification_ids
        assert ids == sorted(ids)
        assert len(set(ids)) == size
        returned |= {
            (event.originator_id, event.originator_version): n_id
            for event, n_id in zip(saved.events, ids, strict=True)
        }
    log = {
        (n.originator_id, n.originator_version): n.id
        for n in ledger.recorder.select_notifications(1, 100_000)
    }
    index = {
        (row.originator_id, row.originator_version): row.notification_id
        for row in ledger.store.iter_index()
    }
    assert log == index
    assert all(log[key] == value for key, value in returned.items())


@pytest.fixture
def second_ledger(backend: str, tmp_path: object) -> Iterator[Ledger]:
    """Another fresh store on the same backend."""
    if backend == "sqlite":
        app = Ledger(f"sqlite:///{tmp_path}/second.db")
        yield app
        app.close()
        return
    schema = f"t_{uuid.uuid4().hex[:16]}"
    app = Ledger(create_postgres_store(schema))
    yield app
    app.close()
    drop_postgres_store(schema)


def test_built_events_saved_elsewhere_are_recorded_when_saved(
    ledger: Ledger, second_ledger: Ledger
) -> None:
    """Saving already-built events (what a copy or the ingest benchmark does) records them
    anew: each save gives its events the copy's own commit time (one per save, later for
    the later save); everything else stored is the same bytes, and the copy verifies.
    (Issue 12 §1: this test asserted identical bytes and links while recorded time was
    the staging clock's; a recorded time is now the commit of the unit that appends it.)"""
    slug = agency(ledger)
    officer(ledger, slug, "E1")
    uow = ledger.unit_of_work()
    _trainings(ledger, slug, "E1", 40, uow)
    uow.save()
    notifications = ledger.recorder.select_notifications(1, 1000)
    events = [ledger.mapper.to_domain_event(n) for n in notifications]
    second_ledger.save(*events[:10])
    second_ledger.save(*events[10:])
    copied = second_ledger.recorder.select_notifications(1, 1000)
    transcoder = OrjsonTranscoder()

    def without_time(state: bytes) -> dict[str, object]:
        decoded = dict(transcoder.decode(state))
        decoded.pop("timestamp")
        return decoded

    assert [
        (n.originator_id, n.originator_version, n.topic, without_time(n.state)) for n in copied
    ] == [
        (n.originator_id, n.originator_version, n.topic, without_time(n.state))
        for n in notifications
    ]
    times = [transcoder.decode(n.state)["timestamp"] for n in copied]
    assert len(set(times[:10])) == len(set(times[10:])) == 1
    assert times[0] < times[10]
    rows = list(second_ledger.store.iter_index())
    assert {r.meta.recorded_at for r in rows} == set(times)
    assert verify_store(second_ledger.store).ok


def test_the_collector_runs_again_after_a_save(ledger: Ledger) -> None:
    """Saves pause the cyclic garbage collector and always restore it, also on failure."""
    slug = agency(ledger)
    officer(ledger, slug, "E1")
    assert gc.isenabled()
    stale = ledger.unit_of_work()
    stale.person(slug, "E1")
    ledger.record_training(
        slug, "E1", completed_on=date(2024, 1, 2), course_title="x", hours=1, actor=ACTOR
    )
    assert gc.isenabled()
    _trainings(ledger, slug, "E1", 1, stale)
    with pytest.raises(ConcurrentWriteError):
        stale.save()
    assert gc.isenabled()
    gc.disable()
    try:
        ledger.record_training(
            slug, "E1", completed_on=date(2024, 1, 3), course_title="y", hours=1, actor=ACTOR
        )
        assert not gc.isenabled()  # whoever paused it first resumes it
    finally:
        gc.enable()


def test_stored_state_bytes_are_fixed() -> None:
    """The stored form of an event's state, byte for byte: sorted keys, tagged types."""
    state = {
        "timestamp": datetime(2025, 3, 1, 12, 30, 15, 123456, tzinfo=UTC),
        "effective_on": date(2024, 2, 29),
        "agency_id": uuid.UUID("f143905e-80d0-557c-b5fd-b4999f7df9fc"),
        "hours": Decimal("1.50"),
        "topic_hours": {"use_of_force": Decimal("1.50")},
        "tags": ["b", "a"],
        "valid_until": None,
        "span": (1, date(2024, 1, 1)),
    }
    assert OrjsonTranscoder().encode(state) == (
        b'{"agency_id":{"_data_":"f143905e80d0557cb5fdb4999f7df9fc","_type_":"uuid_hex"},'
        b'"effective_on":{"_data_":"2024-02-29","_type_":"date_iso"},'
        b'"hours":{"_data_":"1.50","_type_":"decimal_str"},'
        b'"span":{"_data_":[1,{"_data_":"2024-01-01","_type_":"date_iso"}],"_type_":"tuple"},'
        b'"tags":["b","a"],'
        b'"timestamp":{"_data_":"2025-03-01T12:30:15.123456+00:00","_type_":"datetime_iso"},'
        b'"topic_hours":{"use_of_force":{"_data_":"1.50","_type_":"decimal_str"}},'
        b'"valid_until":null}'
    )
    with pytest.raises(TypeError, match="cannot serialise"):
        OrjsonTranscoder().encode({"x": [object()]})


def test_content_digest_header_is_fixed(clock: SettableClock) -> None:
    """The hashed header is the JSON array of the hyphenated stream id, position, topic,
    hyphenated agency id, stream type, recorded time in UTC with microseconds, and the ISO
    effective date, length-prefixed, then the stored bytes: stores written before any
    change to this code must keep verifying."""
    stream = uuid.UUID("be46e013-c21f-533a-9205-6ab8871cb8ab")
    agency_id = uuid.UUID("f143905e-80d0-557c-b5fd-b4999f7df9fc")
    recorded = datetime(2016, 11, 19, 10, 10, 6, tzinfo=UTC)
    meta = EventMeta(agency_id, "person", recorded, date(2016, 11, 16))
    header = (
        f'["{stream}",3,"ledger.person:TrainingCompleted","{agency_id}","person",'
        '"2016-11-19T10:10:06.000000+00:00","2016-11-16"]'
    ).encode()
    expected = hashlib.sha256(len(header).to_bytes(4, "big") + header + b"{}").digest()
    assert content_digest(stream, 3, "ledger.person:TrainingCompleted", b"{}", meta) == expected
    # The same instant given in another zone hashes the same.
    elsewhere = recorded.astimezone(timezone(timedelta(hours=-5)))
    moved = EventMeta(agency_id, "person", elsewhere, date(2016, 11, 16))
    assert content_digest(stream, 3, "ledger.person:TrainingCompleted", b"{}", moved) == expected


def test_a_chain_links_each_event_to_its_streams_head() -> None:
    """New events link to the stream's stored head or to the batch's own previous event;
    a stream's first event links to the genesis; a continued stream without a known head
    is refused rather than linked to nothing."""
    one, two = uuid.uuid4(), uuid.uuid4()
    head = hashlib.sha256(b"stored head").digest()
    chain = Chain({one: head})
    first = chain.link(one, 5, b"a" * 32)
    assert first == link_from(head, b"a" * 32)
    assert chain.link(one, 6, b"b" * 32) == link_from(first, b"b" * 32)
    assert chain.link(two, 1, b"c" * 32) == link_from(GENESIS, b"c" * 32)
    with pytest.raises(LookupError, match="no hash link"):
        chain.link(uuid.uuid4(), 2, b"d" * 32)
