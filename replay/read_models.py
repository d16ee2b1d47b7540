"""Keeping the tracked model current: full rebuilds and incremental catch-up, both batched.

SQLite has no subscriptions in eventsourcing 9.5, so catch-up is a pull over the
notification log in batches; it works the same on PostgreSQL. Each batch recomputes the
people it touches from their whole stream (rules change what old records count for) and
commits their rows, and the checkpoints of their folded histories, together with the new
tracking position.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from uuid import UUID

from eventsourcing.utils import resolve_topic

from ledger.account import AccountEvent
from ledger.gc_pause import paused_gc
from ledger.imports import ImportCompleted
from ledger.ledger_core import LedgerCore
from ledger.streams import (
    AgencyProgrammeEvent,
    NoticeEvent,
    NoticePreferencesEvent,
    NoticeSettingsEvent,
    PersonEvent,
)
from projections.answer_keys import rules_key
from projections.current import TRACKED_FORM, person_rows
from projections.evaluate import Plan
from projections.history_codec import Identity, encode_history, fold_key
from projections.read_store import PersonRow, ReadStore, RequirementRow
from projections.rules.schema import RuleVersion
from replay.read_side import read_side
from replay.stored_streams import FoldedStream, fold_streams
from replay.workers import worker_pool

__all__ = ["CatchUpReport", "catch_up", "rebuild"]

Progress = Callable[[int, int], None]
Rows = list[tuple[PersonRow, Sequence[RequirementRow]]]
# (person, stream head, encoded history): the history checkpoints beside the rows.
Checkpoints = list[tuple[UUID, int, str]]


@dataclass
class _Rules:
    """Rule versions per agency, looked up once per batch (they change rarely)."""

    ledger: LedgerCore
    as_of: date
    versions: dict[UUID, tuple[list[RuleVersion], str, Plan]] = field(default_factory=dict)

    def for_agency(self, agency_id: UUID) -> tuple[list[RuleVersion], str, Plan]:
        """The agency's rule versions known now, the rules key naming them, and their
        evaluation plan for the day (the same for every person of the agency)."""
        if agency_id not in self.versions:
            knowledge = read_side(self.ledger).knowledge
            agency = knowledge.agency_by_id(agency_id, None)
            versions = knowledge.rule_versions_for(agency, None, as_of=self.as_of)
            self.versions[agency_id] = (
                versions,
                rules_key(versions, TRACKED_FORM),
                Plan.of(versions, self.as_of),
            )
        return self.versions[agency_id]


def _rows_for(
    streams: Iterable[FoldedStream], rules: _Rules, as_of: date, stored: set[UUID]
) -> tuple[Rows, Checkpoints]:
    """Each person's rows, and the checkpoint of the history they were evaluated from
    (unless one of the same head and fold code is ``stored`` already)."""
    rows: Rows = []
    checkpoints: Checkpoints = []
    for stream in streams:
        enrolled, history = stream.enrolled, stream.history
        versions, key, plan = rules.for_agency(enrolled.agency_id)
        rows.append(person_rows(enrolled, history, stream.events, versions, key, as_of, plan=plan))
        if enrolled.originator_id not in stored:
            body = encode_history(Identity.of(enrolled), history).decode()
            checkpoints.append((enrolled.originator_id, stream.events, body))
    return rows, checkpoints


def rebuild(
    ledger: LedgerCore,
    store: ReadStore,
    as_of: date,
    *,
    chunk: int = 250,
    progress: Progress | None = None,
    stop_after_chunks: int | None = None,
    workers: int = 1,
) -> int:
    """Build a new generation from the whole log up to the current head, in chunks of
    people, resuming an interrupted rebuild; swap it in atomically when complete.
    Returns the generation number (or -1 if stopped early on purpose).

    With ``workers`` > 1, chunks are read, evaluated and written by that many worker
    processes (each with its own connection, all reading the log up to the same head);
    this process moves the resume point over the chunks in order, so resuming works
    exactly as with one (a chunk written but not yet passed is simply written again)."""
    tracked = store.tracked
    building = tracked.building_generation()
    if building is None or building.as_of != as_of.isoformat():
        head = ledger.recorder.max_notification_id() or 0
        building = tracked.start_generation(head, as_of.isoformat())
    people = sorted(str(p) for p in ledger.store.streams("person"))
    todo = [p for p in people if p > building.resume_after]
    done = len(people) - len(todo)
    chunks = [
        [UUID(p) for p in todo[start : start + chunk]] for start in range(0, len(todo), chunk)
    ]
    if stop_after_chunks is not None:
        chunks = chunks[:stop_after_chunks]
    calls = [(ids, building.head, as_of, building.generation) for ids in chunks]
    with worker_pool(ledger, workers if len(chunks) > 1 else 1) as pool:
        # Each chunk's rows are written where they are computed (this process writing them
        # all was a third of a two-worker rebuild); the resume point moves here, in order.
        for ids, _ in zip(chunks, pool.map_in_order(_write_chunk, calls), strict=True):
            tracked.rebuilt_up_to(building.generation, str(ids[-1]))
            done += len(ids)
            if progress is not None:
                progress(done, len(people))
    if stop_after_chunks is not None and done < len(people):
        return -1
    tracked.finish_generation(building.generation)
    return building.generation


def _write_chunk(
    ledger: LedgerCore, ids: list[UUID], head: int, as_of: date, generation: int
) -> int:
    """Compute one chunk of a rebuild and write its rows and checkpoints (in a worker
    process, or here); returns how many people it wrote."""
    rows, checkpoints = _chunk_rows(ledger, ids, head, as_of)
    read_side(ledger).store.tracked.write_rebuild_rows(generation, rows, checkpoints)
    return len(rows)


def _chunk_rows(
    ledger: LedgerCore, ids: list[UUID], head: int, as_of: date
) -> tuple[Rows, Checkpoints]:
    """Read, fold and evaluate one chunk of people, their log cut at ``head``."""
    with paused_gc():
        streams = fold_streams(ledger.mapper, ledger.store.select_streams_until(ids, head))
        heads = {s.enrolled.originator_id: s.events for s in streams}
        # Folded from the events all the same; only the cached text is not sent again.
        current = read_side(ledger).store.checkpoints.current(heads, fold_key())
        return _rows_for(streams, _Rules(ledger, as_of), as_of, current)


@dataclass
class CatchUpReport:
    batches: int = 0
    events: int = 0
    people_updated: int = 0
    rebuilt: bool = False
    position: int = 0


@cache
def _touches(topic: str) -> str:
    """Whose answers an event of this topic can change: its person's ("person"), nobody's
    (an import marker: the imported facts are on the people's own streams), or everyone's
    (a jurisdiction or rule change). Read off the event class's declared stream type, never
    off module names."""
    event_class = resolve_topic(topic)
    if issubclass(event_class, ImportCompleted) or issubclass(event_class, AccountEvent):
        return "nobody"  # accounts' role grants judge no one
    if issubclass(event_class, AgencyProgrammeEvent):
        return "nobody"  # credential types and policies: the state track never reads them
    if issubclass(event_class, NoticeEvent | NoticeSettingsEvent | NoticePreferencesEvent):
        return "nobody"  # notices are told of answers, they change none
    if issubclass(event_class, PersonEvent):
        return "person"
    return "everyone"


def catch_up(
    ledger: LedgerCore,
    store: ReadStore,
    as_of: date,
    *,
    batch: int = 1000,
    max_batches: int | None = None,
) -> CatchUpReport:
    """Bring the live generation up to the head of the log. A different ``as_of`` (a new
    day) changes every answer, so it triggers a full rebuild instead."""
    report = CatchUpReport()
    tracking = store.tracked.live()
    if tracking is None or tracking.as_of != as_of.isoformat():
        tracking = store.tracked.tracking(rebuild(ledger, store, as_of))
        report.rebuilt = True
    assert tracking is not None
    generation = tracking.generation
    position = tracking.notification_id
    while max_batches is None or report.batches < max_batches:
        notifications = ledger.recorder.select_notifications(
            position + 1, batch, inclusive_of_start=True
        )
        if not notifications:
            break
        people: set[UUID] = set()
        everyone = False
        for notification in notifications:
            touches = _touches(notification.topic)
            if touches == "person":
                people.add(UUID(str(notification.originator_id)))
            elif touches == "everyone":
                everyone = True
        if everyone:
            people = set(ledger.store.streams("person"))
        last = notifications[-1].id
        rows, checkpoints = _chunk_rows(ledger, sorted(people), last, as_of)
        if not store.tracked.apply_batch(
            generation,
            from_position=position,
            to_position=last,
            as_of=as_of.isoformat(),
            rows=rows,
            histories=checkpoints,
        ):
            break  # another runner advanced the position first; it owns this batch
        position = last
        report.batches += 1
        report.events += len(notifications)
        report.people_updated += len(rows)
    report.position = position
    return report
