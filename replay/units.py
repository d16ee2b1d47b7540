"""``units_on``: each person's unit on a day, as the records stood at an instant (the
supervisor's unit view and the command view group people by it)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from ledger.application import Ledger
from projections.history_codec import fold_key
from projections.intervals import unit_on, unit_periods
from projections.read_store.rows import by_text
from replay.chunks import histories_at
from replay.read_side import read_side

__all__ = ["units_on"]


def units_on(ledger: Ledger, agency_id: UUID, as_of: date, known_at: datetime) -> dict[UUID, str]:
    """By person: their unit on ``as_of`` ('' for none) from what was recorded by
    ``known_at``. Read from the unit periods the read models keep beside the status
    intervals (``rm_unit_periods``) for people whose periods are at their head then; the
    others' histories are read (checkpoint, else events) and asked directly."""
    store = read_side(ledger).store
    heads = ledger.store.stream_heads("person", agency_id, recorded_by=known_at)
    stored = store.intervals.units_of(agency_id)
    found: dict[UUID, str] = {}
    others: dict[UUID, int] = {}
    for text, (person, head) in by_text(heads).items():
        entry = stored.get(text)
        if entry is not None and entry[0] == head:
            found[person] = unit_on(entry[1], as_of)
        else:
            others[person] = head
    if others:
        checkpoints = store.checkpoints.get(others, fold_key())
        histories, _ = histories_at(ledger, others, checkpoints)
        for _, history in histories:
            found[UUID(history.person_id)] = unit_on(unit_periods(history), as_of)
    return found
