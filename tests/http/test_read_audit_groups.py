"""The read audit's group commit (``ledger.read_audit.ReadAudit.append``): appends racing
from many threads are each committed before their caller returns, in one unbroken chain,
none lost nor doubled; a group whose transaction fails fails each of its callers and
leaves no entry of it behind. Both backends."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from ledger.read_audit import AuditEntry, ReadAudit
from tests.http.conftest import World

AT = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)


def _append(audit: ReadAudit, n: int, outcome: str = "allowed") -> AuditEntry:
    return audit.append(at=AT, actor=f"account:t{n}", action="read.status",
                        obj=f"person:mpls/{n}", agency="mpls", source="127.0.0.1",
                        outcome=outcome)  # fmt: skip


def test_racing_appends_make_one_unbroken_chain(world: World) -> None:
    audit = world.services.audit
    before = len(list(audit.iter_all()))
    returned: list[AuditEntry] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def client(i: int) -> None:
        start.wait()
        for n in range(25):
            entry = _append(audit, i * 100 + n)
            # Committed before it returned: another connection already reads it.
            with lock:
                returned.append(entry)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stored = list(audit.iter_all())[before:]
    assert audit.verify() == []
    assert len(stored) == len(returned) == 200
    assert sorted(returned, key=lambda e: e.position) == stored
    assert [e.position for e in stored] == list(range(before + 1, before + 201))
    assert sorted(e.actor for e in stored) == sorted(
        f"account:t{i * 100 + n}" for i in range(8) for n in range(25)
    )


def test_a_failed_group_fails_its_callers_and_writes_none_of_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit = world.services.audit
    _append(audit, 1)
    before = list(audit.iter_all())
    real = audit.db.transaction
    entered, release = threading.Event(), threading.Event()
    calls = [0]

    def slow_then_failing(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == 1:  # the first group: hold it while others queue
            entered.set()
            release.wait(10)
        elif calls[0] == 2:  # the second group (the queued ones): its commit fails
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(audit.db, "transaction", slow_then_failing)
    errors: list[BaseException] = []

    def client(n: int) -> None:
        try:
            _append(audit, n)
        except OSError as error:
            errors.append(error)

    first = threading.Thread(target=client, args=(10,))
    first.start()
    assert entered.wait(10)
    queued = [threading.Thread(target=client, args=(20 + i,)) for i in range(3)]
    for t in queued:
        t.start()
    while len(audit._queue) < 3:  # all three waiting behind the first group
        threading.Event().wait(0.01)
    release.set()
    for t in [first, *queued]:
        t.join()
    monkeypatch.undo()
    assert len(errors) == 3  # every caller of the failed group was told
    after = list(audit.iter_all())
    assert after[: len(before)] == before
    assert [e.actor for e in after[len(before) :]] == ["account:t10"]
    assert audit.verify() == []
    assert _append(audit, 99).position == after[-1].position + 1
