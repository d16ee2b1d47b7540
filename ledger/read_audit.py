"""The read audit: who read whose record, exported what, logged in or failed to, when,
from where and with what outcome. Kept apart from the compliance events (a side table,
``ledger.side_database``), so reads never take the events' write lock; append-only
(triggers refuse UPDATE and DELETE, the application role may only insert) and
hash-chained: each entry's link is ``sha256(previous link ‖ its canonical bytes)``, so a
changed, removed or reordered entry breaks every link after it (``verify``).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime

import orjson

from ledger.side_database import AUDIT, SideDatabase, utc_text

__all__ = ["GENESIS_LINK", "AuditEntry", "ReadAudit"]

GENESIS_LINK = "0" * 64
_COLUMNS = "position, at, actor, action, object, agency, source, outcome, previous, link"


@dataclass(frozen=True)
class AuditEntry:
    position: int
    at: str
    actor: str
    action: str  # "read.status", "read.history", "export.roster", "login", ...
    object: str  # "person:mpls/1001", "agency:mpls", "account:alice"
    agency: str  # the agency whose record it is ("" for none)
    source: str  # the client's address
    outcome: str  # "allowed", "denied", "success", "failure", "locked"
    previous: str
    link: str

    def canonical(self) -> bytes:
        return orjson.dumps(
            [
                self.position,
                self.at,
                self.actor,
                self.action,
                self.object,
                self.agency,
                self.source,
                self.outcome,
            ]
        )


def link_of(previous: str, entry: AuditEntry) -> str:
    return hashlib.sha256(bytes.fromhex(previous) + entry.canonical()).hexdigest()


@dataclass
class _Ticket:
    """One caller's entry waiting in the queue of appends, and what became of it."""

    fields: tuple[str, str, str, str, str, str, str]  # at .. outcome, as stored
    done: bool = False
    entry: AuditEntry | None = None
    error: BaseException | None = None


class ReadAudit:
    """Appends are committed in groups: callers arriving while another's commit is under
    way queue up, and the next to take the writer's lock writes every queued entry in one
    transaction (one commit, so one fsync for the group). Every caller still returns only
    once its own entry is committed, in chain order; a failed group fails each of its
    callers and writes none of it. On SQLite this also keeps one process's threads off the
    side file's lock (whose busy handler sleeps in steps of milliseconds)."""

    def __init__(self, database: SideDatabase) -> None:
        self.db = database
        self._queue: list[_Ticket] = []
        self._queue_lock = threading.Lock()
        self._writer = threading.Lock()

    def append(
        self,
        *,
        at: datetime,
        actor: str,
        action: str,
        obj: str,
        agency: str,
        source: str,
        outcome: str,
    ) -> AuditEntry:
        ticket = _Ticket((utc_text(at), actor, action, obj, agency, source, outcome))
        with self._queue_lock:
            self._queue.append(ticket)
        with self._writer:
            if not ticket.done:  # nobody wrote it while we waited: write all queued
                with self._queue_lock:
                    group, self._queue = self._queue, []
                try:
                    entries = self._write(group)
                except BaseException as error:
                    for waiting in group:
                        waiting.error = error
                else:
                    for waiting, entry in zip(group, entries, strict=True):
                        waiting.entry = entry
                finally:
                    for waiting in group:
                        waiting.done = True
        if ticket.error is not None:
            raise ticket.error
        assert ticket.entry is not None
        return ticket.entry

    def _write(self, group: list[_Ticket]) -> list[AuditEntry]:
        table = self.db.table(AUDIT)
        written = []
        with self.db.transaction() as cur:
            self.db.lock_chain(cur)
            cur.execute(f"SELECT position, link FROM {table} ORDER BY position DESC LIMIT 1")
            last = cur.fetchall()
            position = int(last[0][0]) + 1 if last else 1
            previous = str(last[0][1]) if last else GENESIS_LINK
            for ticket in group:
                draft = AuditEntry(position, *ticket.fields, previous, "")
                entry = replace(draft, link=link_of(previous, draft))
                cur.execute(
                    f"INSERT INTO {table} ({_COLUMNS}) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (
                        entry.position,
                        entry.at,
                        entry.actor,
                        entry.action,
                        entry.object,
                        entry.agency,
                        entry.source,
                        entry.outcome,
                        entry.previous,
                        entry.link,
                    ),
                )
                written.append(entry)
                position, previous = position + 1, entry.link
        return written

    def entries(
        self, *, agency: str | None = None, after: int = 0, limit: int = 100
    ) -> list[AuditEntry]:
        """Entries in log order after ``after``, of one agency's records if given."""
        table = self.db.table(AUDIT)
        where = "position > %s"
        params: list[object] = [after]
        if agency is not None:
            where += " AND agency = %s"
            params.append(agency)
        with self.db.reading() as cur:
            cur.execute(
                f"SELECT {_COLUMNS} FROM {table} WHERE {where} ORDER BY position LIMIT %s",
                (*params, limit),
            )
            rows = cur.fetchall()
        return [_entry(row) for row in rows]

    def iter_all(self, batch: int = 1000) -> Iterator[AuditEntry]:
        after = 0
        while True:
            page = self.entries(after=after, limit=batch)
            if not page:
                return
            yield from page
            after = page[-1].position

    def verify(self) -> list[str]:
        """Every break in the chain (empty: intact)."""
        problems: list[str] = []
        previous, expected = GENESIS_LINK, 1
        for entry in self.iter_all():
            if entry.position != expected:
                problems.append(f"entry {expected} is missing (found {entry.position})")
            if entry.previous != previous:
                problems.append(f"entry {entry.position} does not follow its predecessor")
            if link_of(entry.previous, entry) != entry.link:
                problems.append(f"entry {entry.position} was changed after it was written")
            previous, expected = entry.link, entry.position + 1
        return problems


def _entry(row: tuple[object, ...]) -> AuditEntry:
    position, *text = row
    return AuditEntry(int(str(position)), *(str(v) for v in text))
