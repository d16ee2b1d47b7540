"""``units_on``: each person's unit on a day, as the records stood at an instant (the
supervisor's unit view and the command view group people by it)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING
from uuid import UUID

from ledger.gc_pause import paused_gc
from ledger.ledger_core import LedgerCore
from projections.read_store.unit_periods import UnitPeriod
from replay.read_side import read_side

if TYPE_CHECKING:
    from projections.history import PersonHistory

__all__ = ["unit_on", "unit_periods", "units_on"]


def unit_periods(history: PersonHistory) -> list[UnitPeriod]:
    """The person's units by the day each assignment starts, ordered as
    ``assignment_on`` orders them (stable: of periods starting the same day, the one
    recorded last is last)."""
    ordered = sorted(history.assignments, key=lambda period: period.starts_on)
    return [(period.starts_on, period.unit) for period in ordered]


def unit_on(periods: Sequence[UnitPeriod], day: date) -> str:
    """``history.assignment_on(day).unit`` from its ``unit_periods`` ('' for none)."""
    if not periods:
        return ""
    found = bisect_right([start for start, _ in periods], day)
    return periods[max(found - 1, 0)][1]


def units_on(
    ledger: LedgerCore, agency_id: UUID, as_of: date, known_at: datetime
) -> dict[UUID, str]:
    """By person known at ``known_at``: their unit on ``as_of`` ('' for none) from what was
    recorded by then. Read from the unit periods stored at each person's head then; the
    others' histories are read (checkpoint, else events) and their periods stored."""
    store = read_side(ledger).store
    with paused_gc():
        heads = ledger.store.stream_heads("person", agency_id, recorded_by=known_at)
        periods = store.units.get(agency_id, heads)
        others = {p: head for p, head in heads.items() if p not in periods}
        if others:
            # Imported only when a history is to be read: a view whose people's unit
            # periods are all stored imports no fold (``projections.history``).
            from projections.history_codec import fold_key
            from replay.chunks import histories_at

            histories, _ = histories_at(ledger, others, store.checkpoints.get(others, fold_key()))
            fresh = []
            for _, history in histories:
                person = UUID(history.person_id)
                periods[person] = unit_periods(history)
                fresh.append((person, others[person], periods[person]))
            store.units.put(agency_id, fresh)
        return {person: unit_on(found, as_of) for person, found in periods.items()}
