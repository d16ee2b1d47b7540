"""Forgeries built with the project's own link function are found (issue 13 §1): a
back-dated event at a stream's head, a whole back-dated person stream, and an insert in the
middle of a stream with its chain recomputed; each with and without a saved digest, by the
owner and by the application role, on both backends."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest

from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.person import person_id_for
from replay.verify import Break, VerifyReport, verify_store
from tests.conftest import TEST_SEAL_KEYS
from tests.factories import ACTOR, agency, officer
from tests.forgery import insert_forged, link_of, relink, shift_and_relink, staged
from tests.tamper import application, privileged

ATTACKERS: dict[str, Callable[[Ledger], AbstractContextManager[Any]]] = {
    "owner": privileged,
    "application role": application,
}


@pytest.fixture
def sealed(database_url: str, clock: SettableClock) -> Iterator[Ledger]:
    """A ledger that seals every unit with the test key."""
    app = Ledger(database_url, clock=clock, seal_keys=TEST_SEAL_KEYS)
    yield app
    app.close()


def _history(ledger: Ledger, clock: SettableClock) -> tuple[str, UUID]:
    slug = agency(ledger)
    officer(ledger, slug, "E1")
    officer(ledger, slug, "E2")
    for month in range(1, 6):
        clock.set(clock() + timedelta(days=1))
        ledger.record_training(
            slug,
            "E1",
            completed_on=date(2024, month, 10),
            course_title=f"Course {month}",
            hours=2,
            actor=ACTOR,
        )
    return slug, ledger.get_person(slug, "E1").id


def _recorded(ledger: Ledger, stream: UUID, version: int) -> datetime:
    (row,) = [
        r
        for r in ledger.store.iter_index()
        if (r.originator_id, r.originator_version) == (stream, version)
    ]
    return row.meta.recorded_at


def _forged_training(ledger: Ledger, clock: SettableClock, slug: str, at: datetime) -> Any:
    (event,) = staged(
        ledger,
        clock,
        at,
        lambda uow: ledger.record_training(
            slug,
            "E1",
            completed_on=date(2024, 2, 1),
            course_title="Forged 40 hours",
            hours=40,
            actor=ACTOR,
            uow=uow,
        ),
    )
    return event


def _at(report: VerifyReport, stream: UUID, position: int) -> list[Break]:
    return [b for b in report.breaks if (b.originator_id, b.position) == (stream, position)]


def _found(ledger: Ledger, digest: dict[str, Any] | None, stream: UUID, position: int) -> list[str]:
    """The problems verify reports at the forged event, with and without the key."""
    with_key = verify_store(ledger.store, against=digest, keys=TEST_SEAL_KEYS)
    assert not with_key.ok
    problems = [b.problem for b in _at(with_key, stream, position)]
    assert any("not sealed by a known key" in p for p in problems), with_key.breaks
    return problems


@pytest.mark.parametrize("with_digest", [False, True], ids=["alone", "against-digest"])
@pytest.mark.parametrize("attacker", list(ATTACKERS))
def test_back_dated_head_forgery_is_found(
    sealed: Ledger, clock: SettableClock, attacker: str, with_digest: bool
) -> None:
    """An event appended at a stream's head, back-dated into the past, with its link
    computed by the ledger's own function: reported at its position."""
    ledger = sealed
    slug, person = _history(ledger, clock)
    digest = verify_store(ledger.store, keys=TEST_SEAL_KEYS).digest() if with_digest else None
    assert verify_store(ledger.store, against=digest, keys=TEST_SEAL_KEYS).ok
    back = _recorded(ledger, person, 3) + timedelta(minutes=1)
    event = _forged_training(ledger, clock, slug, back)
    with ATTACKERS[attacker](ledger) as raw:
        insert_forged(raw, ledger, event)
    assert ledger.stream(person)[-1].timestamp == back  # the ledger reads it as history
    problems = _found(ledger, digest, person, 8)
    assert any("goes back along the log" in p for p in problems)
    if with_digest:
        assert any("back-dated" in p for p in problems)
    # Without the key, recorded time alone still gives it away.
    alone = verify_store(ledger.store, against=digest)
    assert any("goes back" in b.problem for b in _at(alone, person, 8))


@pytest.mark.parametrize("with_digest", [False, True], ids=["alone", "against-digest"])
@pytest.mark.parametrize("attacker", list(ATTACKERS))
def test_forged_back_dated_person_stream_is_found(
    sealed: Ledger, clock: SettableClock, attacker: str, with_digest: bool
) -> None:
    """A whole person, enrolled, licensed and trained at a back-dated instant, chained
    correctly from the genesis link: reported at the stream's first event."""
    ledger = sealed
    slug, person = _history(ledger, clock)
    digest = verify_store(ledger.store, keys=TEST_SEAL_KEYS).digest() if with_digest else None
    back = _recorded(ledger, person, 2) + timedelta(minutes=1)

    def stage(uow: Any) -> None:
        ledger.enrol_person(
            slug,
            "E9",
            first_name="Ghost",
            last_name="Officer",
            kind="sworn",
            hired_on=date(2020, 1, 6),
            actor=ACTOR,
            uow=uow,
        )
        ledger.record_training(
            slug,
            "E9",
            completed_on=date(2024, 1, 5),
            course_title="Forged",
            hours=8,
            actor=ACTOR,
            uow=uow,
        )

    events = staged(ledger, clock, back, stage)
    ghost = person_id_for(ledger.get_agency(slug).id, "E9")
    assert [e.originator_id for e in events] == [ghost, ghost]
    with ATTACKERS[attacker](ledger) as raw:
        previous = None
        for event in events:
            _, previous = insert_forged(raw, ledger, event, previous=previous)
    assert ghost in ledger.people_ids(slug)
    problems = _found(ledger, digest, ghost, 1)
    assert any("goes back along the log" in p for p in problems)
    if with_digest:
        assert any("back-dated" in p for p in problems)
    assert any("goes back" in b.problem for b in _at(verify_store(ledger.store), ghost, 1))


@pytest.mark.parametrize("with_digest", [False, True], ids=["alone", "against-digest"])
def test_middle_insert_with_recomputed_chain_is_found(
    sealed: Ledger, clock: SettableClock, with_digest: bool
) -> None:
    """The owner (triggers off) makes room in the middle of a stream, inserts a back-dated
    event there and recomputes the rest of the chain, which then verifies link by link:
    the insert is reported at its position. The application role cannot even make room."""
    ledger = sealed
    slug, person = _history(ledger, clock)
    digest = verify_store(ledger.store, keys=TEST_SEAL_KEYS).digest() if with_digest else None
    with application(ledger) as raw, pytest.raises((sqlite3.DatabaseError, psycopg.Error)):
        shift_and_relink(raw, ledger, person, 4)
    back = _recorded(ledger, person, 3) + timedelta(minutes=1)
    event = _forged_training(ledger, clock, slug, back)
    with privileged(ledger) as raw:
        shift_and_relink(raw, ledger, person, 4)
        insert_forged(raw, ledger, event, version=4, previous=link_of(raw, person, 3))
        relink(raw, ledger, person, 5)
    assert [e.timestamp for e in ledger.stream(person)][3] == back
    chains_only = [b for b in verify_store(ledger.store).breaks if "link" in b.problem]
    assert chains_only == [], "the recomputed chain verifies link by link"
    problems = _found(ledger, digest, person, 4)
    assert any("goes back along the log" in p for p in problems)
    assert any("follows it in its stream" in p for p in problems)
    if with_digest:
        assert any("back-dated" in p for p in problems)


@pytest.mark.parametrize("with_digest", [False, True], ids=["alone", "against-digest"])
def test_insert_into_a_log_gap_by_the_application_role_is_found(
    postgres_ledger: Ledger, clock: SettableClock, with_digest: bool
) -> None:
    """PostgreSQL leaves gaps in log positions (a rolled-back write draws positions too).
    The application role fills one with a new person whose recorded time fits between its
    neighbours: time and chains are consistent, and only the seal (or a digest saved
    before) finds it, at its position."""
    ledger = Ledger(postgres_ledger.database_url, clock=clock, seal_keys=TEST_SEAL_KEYS)
    try:
        slug = agency(ledger)
        officer(ledger, slug, "E1")
        with application(ledger) as raw:
            (gap,) = raw.execute(
                f"SELECT nextval(pg_get_serial_sequence('{raw.events}', 'notification_id'))"
            )[0]
        clock.set(clock() + timedelta(days=1))
        officer(ledger, slug, "E2")
        digest = verify_store(ledger.store, keys=TEST_SEAL_KEYS).digest() if with_digest else None
        before = max(r.meta.recorded_at for r in ledger.store.iter_log() if r.notification_id < gap)
        (event,) = staged(
            ledger,
            clock,
            before,
            lambda uow: ledger.enrol_person(
                slug,
                "E9",
                first_name="Ghost",
                last_name="Officer",
                kind="sworn",
                hired_on=date(2020, 1, 6),
                actor=ACTOR,
                uow=uow,
            ),
        )
        with application(ledger) as raw:
            insert_forged(raw, ledger, event, notification_id=gap)
        ghost = event.originator_id
        if not with_digest:
            # What the key buys: without it this forgery is consistent in every way.
            assert verify_store(ledger.store).ok
        problems = _found(ledger, digest, ghost, 1)
        if with_digest:
            assert any("not in the saved digest" in p for p in problems)
    finally:
        ledger.close()
