"""orjson transcoder that brings dates, datetimes, Decimals and UUIDs back as the same types."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, StoredEvent, Transcoder
from eventsourcing.utils import get_topic, resolve_topic

from ledger.fast_uuid import uuid_from_hex, uuid_hex, uuid_text

__all__ = [
    "LedgerMapper",
    "OrjsonTranscoder",
    "scalar_decoder",
    "untag",
    "uuid_hex",
    "uuid_text_of",
]

_TYPE, _DATA = "_type_", "_data_"


def _tag(value: Any) -> Any:
    # orjson writes UUIDs and dates as bare strings and has no decode hook, so every
    # non-JSON type is wrapped in the library's {"_type_", "_data_"} envelope first.
    kind = type(value)
    if kind is dict:
        return _tag_dict(value)
    if kind is list:
        return [item if type(item) in _PLAIN else _tag(item) for item in value]
    if kind is tuple:
        return {_TYPE: "tuple", _DATA: [_tag(item) for item in value]}
    return _tag_dict({_DATA: value})[_DATA]


def _tag_dict(value: dict[Any, Any], skip: frozenset[str] = frozenset()) -> dict[Any, Any]:
    # Runs for every event written; an event's state is a flat dict of scalars, so they
    # are tagged inline (one call per event rather than one per field), dispatching on
    # the exact type; containers recurse. Dates and UTC or naive datetimes stay objects
    # inside their tag: orjson writes them in C exactly as ``isoformat()`` does, much
    # faster than an aware datetime's ``isoformat``; datetimes in other zones keep
    # ``isoformat()``, whose offset forms orjson need not match. ``skip`` leaves out keys
    # (an event's stream and position, stored in their own columns).
    out = {}
    for key, item in value.items():
        kind = type(item)
        if kind in _PLAIN:
            out[key] = item
        elif kind is datetime:
            zone = item.tzinfo
            data = item if zone is UTC or zone is None else item.isoformat()
            out[key] = {_TYPE: "datetime_iso", _DATA: data}
        elif kind is date:
            out[key] = {_TYPE: "date_iso", _DATA: item}
        elif kind is UUID:
            out[key] = {_TYPE: "uuid_hex", _DATA: uuid_hex(item)}
        elif kind is Decimal:
            out[key] = {_TYPE: "decimal_str", _DATA: str(item)}
        elif kind is dict:
            out[key] = _tag_dict(item)
        elif kind is list:
            # orjson writes a list as it is: copy only one that holds something to tag.
            for element in item:
                if type(element) not in _PLAIN:
                    out[key] = _tag(item)
                    break
            else:
                out[key] = item
        elif kind is tuple:
            out[key] = _tag(item)
        elif key in skip:
            continue
        else:
            msg = f"cannot serialise {kind.__name__} in an event"
            raise TypeError(msg)
    for key in skip:
        out.pop(key, None)
    return out


_PLAIN = frozenset({str, int, float, bool, type(None)})
_STREAM_KEYS = frozenset({"originator_id", "originator_version"})


# The same agency id, hours and dates recur across thousands of events, and these values
# are immutable, so one object can stand for every occurrence of a text.
_recurring = lru_cache(maxsize=4096)


_DECODERS: dict[str, Any] = {
    "datetime_iso": datetime.fromisoformat,
    "date_iso": _recurring(date.fromisoformat),
    "decimal_str": _recurring(Decimal),
    "uuid_hex": _recurring(uuid_from_hex),
}


def scalar_decoder(tag: str) -> Any:
    """What ``untag`` decodes a tagged scalar of this tag with (``date_iso``,
    ``datetime_iso``, ``decimal_str``, ``uuid_hex``): for a reader that knows a field's tag."""
    return _DECODERS[tag]


def untag(value: Any) -> Any:
    """A stored value as it was before encoding (a tagged scalar, or a container of them)."""
    kind = type(value)
    if kind is dict:
        # Most values asked for alone are tagged scalars: decoded without the dict walk.
        tag = value.get(_TYPE)
        if type(tag) is str and len(value) == 2 and _DATA in value:
            decode = _DECODERS.get(tag)
            if decode is not None:
                return decode(value[_DATA])
        return _untag_dict(value)
    if kind is list:
        return _untag_list(value)
    return value


def uuid_text_of(value: Any) -> str:
    """``str(untag(value))`` of a stored UUID: its text made from the stored hex, without
    the UUID (any other value is untagged and made text)."""
    if type(value) is dict and len(value) == 2 and value.get(_TYPE) == "uuid_hex":
        data = value.get(_DATA)
        if type(data) is str:
            return uuid_text(data)
    return str(untag(value))


def _untag_dict(value: dict[str, Any]) -> Any:
    # Runs for every stored event on every read, so the common shapes (a tagged scalar, a
    # flat dict of tagged scalars) are handled inline rather than by recursive calls.
    tag = value.get(_TYPE)
    # Only a text tag beside data is a tag: a dict of the event's own may hold these keys.
    if type(tag) is str and len(value) == 2 and _DATA in value:
        decode = _DECODERS.get(tag)
        if decode is not None:
            return decode(value[_DATA])
        if tag == "tuple":
            return tuple(_untag_list(value[_DATA]))
        msg = f"unknown type tag {tag!r} in a stored event"
        raise ValueError(msg)
    out = {}
    for key, item in value.items():
        kind = type(item)
        if kind is dict:
            inner = item.get(_TYPE)
            if type(inner) is str and len(item) == 2 and _DATA in item:
                decode = _DECODERS.get(inner)
                out[key] = decode(item[_DATA]) if decode is not None else _untag_dict(item)
            else:
                out[key] = _untag_dict(item)
        elif kind is list:
            out[key] = _untag_list(item)
        else:
            out[key] = item
    return out


def _untag_list(value: list[Any]) -> list[Any]:
    return [untag(item) if type(item) in _CONTAINERS else item for item in value]


_CONTAINERS = (dict, list)


def _exact(encoded: bytes) -> bytes:
    """The same bytes in an object of their own size. orjson (3.13) returns each result in
    a buffer of 4-8 KB whatever its length: a unit of 20,000 events of ~500 bytes held
    ~160 MB until saved (a 200,000-row import, 1.6 GB). The copy is a few hundred bytes."""
    return bytes(memoryview(encoded))


class OrjsonTranscoder(Transcoder):
    """Compact, key-sorted JSON: the same event always encodes to the same bytes."""

    def encode(self, obj: Any) -> bytes:
        return _exact(orjson.dumps(_tag(obj), option=orjson.OPT_SORT_KEYS))

    def encode_event_state(self, state: dict[str, Any], class_version: int = 1) -> bytes:
        """``encode`` of an event's ``vars()`` without its stream and position (and with
        ``class_version`` when above 1), as the library's mapper stores it, without
        copying the dict first."""
        tagged = _tag_dict(state, _STREAM_KEYS)
        if class_version > 1:
            tagged["class_version"] = class_version
        return _exact(orjson.dumps(tagged, option=orjson.OPT_SORT_KEYS))

    def decode(self, data: bytes) -> Any:
        return untag(orjson.loads(data))


class LedgerMapper(Mapper[UUID]):
    """The library's mapper, with events encoded straight from their ``vars()`` when the
    transcoder is ours and nothing compresses or encrypts (the same bytes, without the
    copy of each event's dict and the transcoder's generic entry)."""

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        transcoder = self.transcoder
        if type(transcoder) is not OrjsonTranscoder or self.compressor or self.cipher:
            return super().to_stored_event(domain_event)
        kind = type(domain_event)
        state = vars(domain_event)
        return StoredEvent(
            state["originator_id"],
            state["originator_version"],
            get_topic(kind),
            transcoder.encode_event_state(state, getattr(kind, "class_version", 1)),
        )

    def tagged_state(self, stored: StoredEvent) -> dict[str, Any] | None:
        """The event's stored state parsed, its values still tagged (``untag`` decodes one),
        when this mapper stores plain JSON and the event's class reads it as stored (no
        upcasting); else None: use ``to_domain_event``. For reads that want a few fields
        of many events."""
        if type(self.transcoder) is not OrjsonTranscoder or self.compressor or self.cipher:
            return None
        state: dict[str, Any] = orjson.loads(stored.state)
        return state if state.get("class_version", 1) == _class_version(stored.topic) else None


def _class_version(topic: str) -> int:
    version: int = getattr(resolve_topic(topic), "class_version", 1)
    return version
