"""``verify`` finds every kind of tampering with stored history (invariant 6)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from ledger.application import Ledger
from replay.verify import verify_store
from tests.factories import ACTOR, agency, officer
from tests.tamper import privileged


def _history(ledger: Ledger) -> UUID:
    slug = agency(ledger)
    officer(ledger, slug, "E1")
    officer(ledger, slug, "E2")
    for month in range(1, 6):
        ledger.record_training(
            slug,
            "E1",
            completed_on=date(2024, month, 10),
            course_title=f"Course {month}",
            hours=2,
            actor=ACTOR,
        )
    return ledger.get_person(slug, "E1").id


def test_untouched_store_verifies(ledger: Ledger) -> None:
    """A store written only by the ledger verifies, and its digest is stable."""
    _history(ledger)
    first, second = verify_store(ledger.store), verify_store(ledger.store)
    assert first.ok, first.breaks
    assert first.events == ledger.store.count_events() == 10
    assert len(first.heads) == 3
    assert first.root == second.root


def test_changed_byte_is_found(ledger: Ledger) -> None:
    """Flipping one byte of a stored event breaks the link at that position."""
    person = _history(ledger)
    with privileged(ledger) as raw:
        (state,) = raw.execute(
            f"SELECT state FROM {raw.events} WHERE originator_id = %s AND originator_version = 4",
            (raw.key(person),),
        )[0]
        tampered = bytes(state).replace(b"Course 2", b"Course 9")
        assert tampered != bytes(state)
        raw.execute(
            f"UPDATE {raw.events} SET state = %s WHERE originator_id = %s AND "
            "originator_version = 4",
            (tampered, raw.key(person)),
        )
    report = verify_store(ledger.store)
    assert not report.ok
    first = report.breaks[0]
    assert (first.originator_id, first.position) == (person, 4)
    assert "mismatch" in first.problem


def test_deleted_middle_event_is_found(ledger: Ledger) -> None:
    """Deleting an event and its link from the middle of a stream leaves a gap."""
    person = _history(ledger)
    with privileged(ledger) as raw:
        for table in (raw.events, raw.index):
            raw.execute(
                f"DELETE FROM {table} WHERE originator_id = %s AND originator_version = 3",
                (raw.key(person),),
            )
    report = verify_store(ledger.store)
    assert not report.ok
    assert (report.breaks[0].originator_id, report.breaks[0].position) == (person, 3)
    assert "gap" in report.breaks[0].problem


def test_swapped_events_are_found(ledger: Ledger) -> None:
    """Swapping the contents of two events of a stream breaks both links."""
    person = _history(ledger)
    with privileged(ledger) as raw:
        rows = raw.execute(
            f"SELECT originator_version, state FROM {raw.events} WHERE originator_id = %s "
            "AND originator_version IN (4, 5) ORDER BY originator_version",
            (raw.key(person),),
        )
        (_, four), (_, five) = rows
        for version, state in ((4, five), (5, four)):
            raw.execute(
                f"UPDATE {raw.events} SET state = %s WHERE originator_id = %s AND "
                "originator_version = %s",
                (state, raw.key(person), version),
            )
    report = verify_store(ledger.store)
    positions = [(b.originator_id, b.position) for b in report.breaks]
    assert (person, 4) in positions
    assert (person, 5) in positions
    assert report.breaks[0].position == 4


@pytest.mark.parametrize("with_forged_link", [False, True])
def test_forged_event_is_found(ledger: Ledger, with_forged_link: bool) -> None:
    """An event inserted behind the ledger's back has no valid link."""
    person = _history(ledger)
    with privileged(ledger) as raw:
        topic, state = raw.execute(
            f"SELECT topic, state FROM {raw.events} WHERE originator_id = %s AND "
            "originator_version = 7",
            (raw.key(person),),
        )[0]
        raw.execute(
            f"INSERT INTO {raw.events} (originator_id, originator_version, topic, state)"
            " VALUES (%s, 8, %s, %s)",
            (raw.key(person), topic, state),
        )
        if with_forged_link:
            row = raw.execute(
                f"SELECT * FROM {raw.index} WHERE originator_id = %s AND originator_version = 7",
                (raw.key(person),),
            )[0]
            forged = list(row)
            forged[1], forged[2], forged[-1] = 8, 10_000, bytes(32)
            raw.execute(f"INSERT INTO {raw.index} VALUES (%s,%s,%s,%s,%s,%s,%s,%s)", tuple(forged))
    report = verify_store(ledger.store)
    assert not report.ok
    assert (report.breaks[0].originator_id, report.breaks[0].position) == (person, 8)


def test_removed_newest_events_need_a_saved_digest(ledger: Ledger) -> None:
    """Cutting the newest events (with their links) leaves a consistent chain: only a digest
    saved before the cut reveals it."""
    person = _history(ledger)
    saved = verify_store(ledger.store).digest()
    with privileged(ledger) as raw:
        for table in (raw.events, raw.index):
            raw.execute(
                f"DELETE FROM {table} WHERE originator_id = %s AND originator_version >= 6",
                (raw.key(person),),
            )
    alone = verify_store(ledger.store)
    assert alone.ok, "truncation alone is undetectable, as documented"
    assert alone.root != saved["root"]
    against = verify_store(ledger.store, against=saved)
    assert not against.ok
    assert (against.breaks[0].originator_id, against.breaks[0].position) == (person, 6)
    assert "gone" in against.breaks[0].problem


def test_saved_digest_of_untouched_store_matches(ledger: Ledger) -> None:
    """New events after a digest was saved are fine: history only grows."""
    _history(ledger)
    saved = verify_store(ledger.store).digest()
    ledger.record_training(
        "test-pd", "E2", completed_on=date(2025, 1, 2), course_title="x", hours=1, actor=ACTOR
    )
    assert verify_store(ledger.store, against=saved).ok
