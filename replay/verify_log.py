"""The checks ``verify`` makes along the log (notification order) rather than per stream:
recorded time never goes back, every unit is sealed by a known key, and nothing appeared
at or before a saved digest's position or instant."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from ledger.chain import GENESIS, IndexRow
from ledger.seal import SealedEvent, SealKeys, SealRow
from ledger.store import ChainedRecorder

__all__ = ["LogFacts", "Problem", "SavedLog", "check_log", "log_step", "log_step_of"]


class Problem(NamedTuple):
    originator_id: UUID
    position: int
    log_position: int
    problem: str


class SavedLog(NamedTuple):
    """What a saved digest says of the log: its last position, instant, and log hash."""

    position: int
    recorded_at: datetime
    log_hash: bytes
    heads: dict[UUID, int]


@dataclass
class LogFacts:
    """What the log walk found: the last position and instant, the log hash, seals."""

    position: int = 0
    recorded_at: datetime | None = None
    log_hash: bytes = GENESIS
    units_sealed: int = 0
    events_unsealed: int = 0
    key_ids: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)


def log_step(previous: bytes, row: IndexRow) -> bytes:
    """One step of the log hash: every event's position, stream, version and link in log
    order, so a digest pins the whole log up to its position."""
    return log_step_of(
        previous, row.notification_id, row.originator_id.bytes, row.originator_version, row.link
    )


def log_step_of(
    previous: bytes, notification_id: int, stream: bytes, version: int, link: bytes
) -> bytes:
    """``log_step`` of a row given as its values (``stream``: the id's 16 bytes)."""
    return hashlib.sha256(
        previous + notification_id.to_bytes(8, "big") + stream + version.to_bytes(8, "big") + link
    ).digest()


def check_log(store: ChainedRecorder, keys: SealKeys | None, saved: SavedLog | None) -> LogFacts:
    facts = LogFacts()
    seals = _Seals(store.iter_seals(), keys, facts)
    latest: datetime | None = None
    saved_hash = GENESIS
    counted: dict[UUID, int] = {}
    for row in store.iter_log():
        at = row.meta.recorded_at
        if latest is not None and at < latest:
            facts.problems.append(
                _problem(row, f"recorded time {at.isoformat()} goes back along the log")
            )
        latest = at if latest is None or at > latest else latest
        facts.position = row.notification_id
        facts.log_hash = log_step(facts.log_hash, row)
        seals.add(row)
        if saved is not None:
            saved_hash = _against(row, saved, saved_hash, counted, facts)
    seals.finish()
    facts.recorded_at = latest
    if saved is not None and saved_hash != saved.log_hash and saved.log_hash != GENESIS:
        facts.problems.append(
            Problem(
                UUID(int=0),
                0,
                saved.position,
                "the log up to the saved digest's position differs from it: an event at "
                "or before it was inserted, removed or changed",
            )
        )
    return facts


def _against(
    row: IndexRow,
    saved: SavedLog,
    saved_hash: bytes,
    counted: dict[UUID, int],
    facts: LogFacts,
) -> bytes:
    if row.notification_id > saved.position:
        if row.meta.recorded_at <= saved.recorded_at:
            facts.problems.append(
                _problem(
                    row,
                    "logged after the saved digest's position but recorded at or before its "
                    f"instant ({saved.recorded_at.isoformat()}): back-dated",
                )
            )
        return saved_hash
    stream = row.originator_id
    head = saved.heads.get(stream)
    if head is None:
        facts.problems.append(
            _problem(row, "not in the saved digest, though logged at or before its position")
        )
    else:
        counted[stream] = counted.get(stream, 0) + 1
        if counted[stream] > head:
            facts.problems.append(
                _problem(
                    row,
                    f"logged at or before the saved digest's position, beyond its head {head}",
                )
            )
    return log_step(saved_hash, row)


def _problem(row: IndexRow, text: str) -> Problem:
    return Problem(row.originator_id, row.originator_version, row.notification_id, text)


class _Seals:
    """Walks the seals beside the log: each unit's events checked against its seal, runs
    of events outside every seal reported once per run."""

    def __init__(self, seals: Iterator[SealRow], keys: SealKeys | None, facts: LogFacts) -> None:
        self._seals = seals
        self._keys = keys
        self._facts = facts
        self._seal = next(seals, None)
        self._events: list[SealedEvent] = []
        self._first_row: IndexRow | None = None
        self._previous = GENESIS
        self._run: list[IndexRow] = []

    def add(self, row: IndexRow) -> None:
        while self._seal is not None and self._seal.last_notification < row.notification_id:
            self._close_seal()
        seal = self._seal
        if seal is not None and seal.first_notification <= row.notification_id:
            self._close_run()
            if not self._events:
                self._first_row = row
            self._events.append(
                SealedEvent(
                    row.notification_id, row.originator_id, row.originator_version, row.link
                )
            )
            if row.meta.recorded_at != seal.recorded_at:
                self._report(row, "recorded time differs from its unit's seal")
        else:
            self._run.append(row)

    def finish(self) -> None:
        while self._seal is not None:
            self._close_seal()
        self._close_run()

    def _close_seal(self) -> None:
        seal = self._seal
        assert seal is not None
        self._seal = next(self._seals, None)
        events, first = self._events, self._first_row
        self._events, self._first_row = [], None
        if self._keys is None:
            self._previous = seal.mac
            return
        self._facts.units_sealed += 1
        self._facts.key_ids.add(seal.key_id)
        where = (
            Problem(first.originator_id, first.originator_version, seal.first_notification, "")
            if first is not None
            else Problem(UUID(int=0), 0, seal.first_notification, "")
        )
        if not events:
            self._facts.problems.append(where._replace(problem="a sealed unit's events are gone"))
        else:
            wrong = self._keys.check(seal, events)
            if wrong is not None:
                self._facts.problems.append(where._replace(problem=wrong))
        if seal.previous != self._previous:
            self._facts.problems.append(
                where._replace(problem="the sealed unit before this one is missing or changed")
            )
        self._previous = seal.mac

    def _close_run(self) -> None:
        run, self._run = self._run, []
        if not run:
            return
        self._facts.events_unsealed += len(run)
        if self._keys is None:
            return
        first, last = run[0].notification_id, run[-1].notification_id
        span = f"log position {first}" if first == last else f"log positions {first}..{last}"
        self._report(run[0], f"{len(run)} event(s) at {span} not sealed by a known key")

    def _report(self, row: IndexRow, text: str) -> None:
        if self._keys is not None:
            self._facts.problems.append(_problem(row, text))
