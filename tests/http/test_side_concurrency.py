"""What the status route's tail rests on (issue 15's p99, ``ledger.side_database``):

- through a real server (two worker processes), concurrent status reads each have their
  read-audit entry committed before their answer is sent: another connection already reads
  it when the answer arrives; none is lost or doubled, and the chain is unbroken (both
  backends);
- on SQLite a read of the side tables (a bearer token's lookup) neither waits for nor takes
  the side file's write lock, and cannot write;
- on SQLite one process's side writers queue on one lock (not SQLite's sleeping busy
  handler), in order, still time out like a busy file, and still wait for a writer of
  another connection (another process) as before.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from api.http.services import open_side_database
from ledger.application import Ledger
from ledger.read_audit import ReadAudit
from ledger.side_database import AUDIT, SECRETS, SideDatabase
from tests.http.conftest import World
from tests.http.test_server import Relay, served

__all__ = ["served"]  # the real server's fixture, used here too

AT = datetime(2026, 12, 7, 23, 0, tzinfo=UTC)
STATUS = "/api/v1/agencies/mpls/people/E1/status"


@pytest.fixture
def audit_reader(database_url: str) -> Iterator[ReadAudit]:
    """The read audit through a connection of the test's own, not the server's."""
    ledger = Ledger(database_url)
    side = open_side_database(ledger)
    try:
        yield ReadAudit(side)
    finally:
        side.close()
        ledger.close()


def _count_status_reads(audit: ReadAudit) -> int:
    with audit.db.reading() as cur:
        cur.execute(
            f"SELECT count(*) FROM {audit.db.table(AUDIT)} WHERE action = %s", ("read.status",)
        )
        return int(cur.fetchall()[0][0])


def test_concurrent_reads_each_commit_their_audit_entry_before_the_answer(
    served: tuple[str, str, Relay | None], audit_reader: ReadAudit
) -> None:
    base, token, _ = served
    clients, each = 8, 12
    before = _count_status_reads(audit_reader)
    answered = [0]  # answers received so far, all clients
    lock = threading.Lock()
    problems: list[str] = []
    start = threading.Barrier(clients)

    def client() -> None:
        auth = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=auth, timeout=60) as http:
            start.wait()
            for _ in range(each):
                answer = http.get(STATUS)
                if answer.status_code != 200:
                    problems.append(f"{answer.status_code}: {answer.text[:200]}")
                    return
                with lock:
                    answered[0] += 1
                    seen_by_now = answered[0]
                # Every answer received so far (this one too) was sent only after its entry
                # was committed, so a connection of the test's own already counts them all.
                stored = _count_status_reads(audit_reader) - before
                if stored < seen_by_now:
                    problems.append(f"{seen_by_now} answers received, {stored} entries committed")

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert problems == []
    assert answered[0] == clients * each
    assert _count_status_reads(audit_reader) - before == clients * each  # none lost, none doubled
    entries = list(audit_reader.iter_all())
    assert [e.position for e in entries] == list(range(1, len(entries) + 1))
    assert audit_reader.verify() == []  # two processes' groups make one unbroken chain


def _holding_the_write_lock(side: SideDatabase) -> sqlite3.Connection:
    """Another connection (as another process would) holding the side file's write lock."""
    assert side.path is not None
    other = sqlite3.connect(side.path, timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute(f"INSERT INTO {SECRETS} VALUES ('x', 'y', 'z', 'h', '', '', NULL, NULL, NULL)")
    return other


def _sqlite_only(world: World) -> SideDatabase:
    side = world.services.side
    if side.backend != "sqlite":
        pytest.skip("the side file's locks are SQLite's")
    return side


def test_a_token_lookup_neither_waits_for_nor_takes_the_write_lock(world: World) -> None:
    side = _sqlite_only(world)
    other = _holding_the_write_lock(side)
    try:
        began = time.perf_counter()
        me = world.client.get("/api/v1/me", headers=world.auth("command"))
        assert me.status_code == 200, me.text
        listed = world.client.get("/api/v1/session/tokens", headers=world.auth("command"))
        assert listed.status_code == 200, listed.text
        # Not after the busy handler's 10 s: reads never wait for the writer.
        assert time.perf_counter() - began < 5
        # The uncommitted row is not seen by a read.
        with side.reading() as cur:
            cur.execute(f"SELECT count(*) FROM {SECRETS} WHERE secret_id = 'x'")
            assert cur.fetchall() == [(0,)]
    finally:
        other.rollback()
        other.close()
    # And a read holds no write lock: a writer elsewhere gets it while a read is open.
    with side.reading() as cur:
        cur.execute(f"SELECT count(*) FROM {SECRETS}")
        elsewhere = _holding_the_write_lock(side)
        elsewhere.rollback()
        elsewhere.close()


def test_a_read_cannot_write(world: World) -> None:
    side = _sqlite_only(world)
    with pytest.raises(Exception, match="readonly"), side.reading() as cur:
        cur.execute(f"DELETE FROM {SECRETS}")
    assert world.client.get("/api/v1/me", headers=world.auth("command")).status_code == 200


def test_one_process_writers_queue_in_order_and_time_out_like_a_busy_file(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    side = _sqlite_only(world)
    audit = world.services.audit
    holding, release = threading.Event(), threading.Event()
    order: list[str] = []

    def first() -> None:
        with side.transaction() as cur:
            cur.execute(f"SELECT count(*) FROM {AUDIT}")
            holding.set()
            release.wait(10)
            order.append("first")

    def second() -> None:
        audit.append(at=AT, actor="account:second", action="read.status",
                     obj="person:mpls/E1", agency="mpls", source="127.0.0.1",
                     outcome="allowed")  # fmt: skip
        order.append("second")

    a = threading.Thread(target=first)
    a.start()
    assert holding.wait(10)
    b = threading.Thread(target=second)
    b.start()
    time.sleep(0.2)
    assert order == []  # the second waits for the first's transaction
    release.set()
    a.join()
    b.join()
    assert order == ["first", "second"]
    assert audit.verify() == []

    # Held longer than the lock timeout: the waiting write fails as a busy file would.
    monkeypatch.setattr(side, "lock_timeout", 0.3)
    holding.clear()
    release.clear()
    a = threading.Thread(target=first)
    a.start()
    assert holding.wait(10)
    errors: list[BaseException] = []

    def waiting() -> None:
        try:
            with side.transaction() as cur:
                cur.execute(f"SELECT count(*) FROM {AUDIT}")
        except Exception as error:
            errors.append(error)

    c = threading.Thread(target=waiting)
    c.start()
    c.join(10)
    release.set()
    a.join()
    assert len(errors) == 1
    assert "locked" in str(errors[0])
    with side.transaction() as cur:  # and the lock is free again after both
        cur.execute(f"SELECT count(*) FROM {AUDIT}")


def test_a_writer_of_another_connection_is_still_waited_for(world: World) -> None:
    side = _sqlite_only(world)
    audit = world.services.audit
    other = _holding_the_write_lock(side)
    appended: list[int] = []

    def append() -> None:
        entry = audit.append(at=AT, actor="account:late", action="read.status",
                             obj="person:mpls/E1", agency="mpls", source="127.0.0.1",
                             outcome="allowed")  # fmt: skip
        appended.append(entry.position)

    t = threading.Thread(target=append)
    t.start()
    time.sleep(0.3)
    assert appended == []  # waiting in SQLite's busy handler for the other connection
    other.rollback()
    other.close()
    t.join(10)
    assert len(appended) == 1
    assert audit.verify() == []
