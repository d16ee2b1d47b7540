"""People's stored events folded into their histories, training completions made into
records straight from their stored state: the one place the fold is fed without events.

Completions are nine in ten stored events, and decoding only the fields a record keeps is
much cheaper than building the event first. Every other event, and any completion the
mapper cannot read that way (compressed, encrypted, or stored by an older class version),
goes through ``to_domain_event`` into the plain fold.
``tests/replay/test_stored_streams.py`` proves both give the histories of the events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import groupby
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic

from ledger.person import PersonEnrolled, TrainingCompleted
from ledger.serialisation import LedgerMapper, untag, uuid_text_of
from projections.history import HistoryFold, PersonHistory, TrainingRecord

__all__ = ["FoldedStream", "fold_streams", "record_from_state"]

_COMPLETED = get_topic(TrainingCompleted)


@dataclass(frozen=True)
class FoldedStream:
    enrolled: PersonEnrolled
    events: int  # the stream's length: its head
    history: PersonHistory


def fold_streams(mapper: Mapper[UUID], stored: Iterable[StoredEvent]) -> list[FoldedStream]:
    """Each person's stream (stored events grouped by stream, in stream order) folded."""
    tagged_state = mapper.tagged_state if isinstance(mapper, LedgerMapper) else None
    folded = []
    for _, group in groupby(stored, key=lambda s: s.originator_id):
        stream = list(group)
        enrolled = mapper.to_domain_event(stream[0])
        assert isinstance(enrolled, PersonEnrolled)
        fold = HistoryFold()
        fold.apply(enrolled)
        for event in stream[1:]:
            state = tagged_state(event) if tagged_state and event.topic == _COMPLETED else None
            if state is None:
                fold.apply(mapper.to_domain_event(event))
            else:
                fold.add_record(record_from_state(state))
        folded.append(FoldedStream(enrolled, len(stream), fold.history()))
    return folded


def record_from_state(state: Mapping[str, Any]) -> TrainingRecord:
    """``training_record`` of the completion whose stored state (its values still tagged)
    this is, without building the event."""
    valid_until = state["valid_until"]
    return TrainingRecord(
        record_id=uuid_text_of(state["record_id"]),
        completed_on=untag(state["effective_on"]),
        hours=untag(state["hours"]),
        topic_hours={topic: untag(hours) for topic, hours in state["topic_hours"].items()},
        recorded_at=untag(state["timestamp"]),
        post_course_number=state["post_course_number"],
        course_title=state["course_title"],
        provider=state["provider"],
        delivery=state["delivery"],
        tags=frozenset(state["tags"]),
        valid_until=None if valid_until is None else untag(valid_until),
    )
