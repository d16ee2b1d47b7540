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
from ledger.state_codec import scalar_decoder
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
    record = _plain_record(state)
    return record if record is not None else _untagged_record(state)


def _untagged_record(state: Mapping[str, Any]) -> TrainingRecord:
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


_TYPE, _DATA = "_type_", "_data_"
_DAY = scalar_decoder("date_iso")
_INSTANT = scalar_decoder("datetime_iso")
_DECIMAL = scalar_decoder("decimal_str")
_HEX_DIGITS = "0123456789abcdef"


def _data(value: Any, tag: str) -> Any:
    """The text inside ``value`` when it is exactly a tagged scalar of ``tag`` (a dict of
    the tag and its text, nothing else), else None."""
    if type(value) is dict and len(value) == 2 and value.get(_TYPE) == tag:
        data = value.get(_DATA)
        if type(data) is str:
            return data
    return None


def _plain_record(state: Mapping[str, Any]) -> TrainingRecord | None:
    """``_untagged_record(state)`` for a state of the shape this ledger writes (each value
    tagged as its type is, the record id as 32 lowercase hex digits), decoded by field
    without ``untag``'s dispatch; None for any other shape, which ``_untagged_record``
    decodes instead. ``tests/replay/test_stored_streams.py`` proves the two equal."""
    record_id = _data(state["record_id"], "uuid_hex")
    on = _data(state["effective_on"], "date_iso")
    hours = _data(state["hours"], "decimal_str")
    at = _data(state["timestamp"], "datetime_iso")
    if record_id is None or on is None or hours is None or at is None:
        return None
    if len(record_id) != 32 or record_id.strip(_HEX_DIGITS):
        return None
    topic_hours = {}
    for topic, value in state["topic_hours"].items():
        text = _data(value, "decimal_str")
        if text is None:
            return None
        topic_hours[topic] = _DECIMAL(text)
    valid_until = state["valid_until"]
    if valid_until is not None:
        valid_until = _data(valid_until, "date_iso")
        if valid_until is None:
            return None
        valid_until = _DAY(valid_until)
    r = record_id
    return TrainingRecord(
        record_id=f"{r[:8]}-{r[8:12]}-{r[12:16]}-{r[16:20]}-{r[20:]}",
        completed_on=_DAY(on),
        hours=_DECIMAL(hours),
        topic_hours=topic_hours,
        recorded_at=_INSTANT(at),
        post_course_number=state["post_course_number"],
        course_title=state["course_title"],
        provider=state["provider"],
        delivery=state["delivery"],
        tags=frozenset(state["tags"]),
        valid_until=valid_until,
    )
