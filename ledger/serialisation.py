"""orjson transcoder that brings dates, datetimes, Decimals and UUIDs back as the same types."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import Transcoder

__all__ = ["OrjsonTranscoder"]

_TYPE, _DATA = "_type_", "_data_"


def _tag(value: Any) -> Any:
    # orjson writes UUIDs and dates as bare strings and has no decode hook, so every
    # non-JSON type is wrapped in the library's {"_type_", "_data_"} envelope first.
    # Dispatch on the exact type: this runs for every value of every event written.
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict:
        return {key: item if type(item) in _PLAIN else _tag(item) for key, item in value.items()}
    if kind is list:
        return [item if type(item) in _PLAIN else _tag(item) for item in value]
    encode = _ENCODERS.get(kind)
    if encode is not None:
        return encode(value)
    msg = f"cannot serialise {kind.__name__} in an event"
    raise TypeError(msg)


_PLAIN = frozenset({str, int, float, bool, type(None)})
_ENCODERS: dict[type, Any] = {
    datetime: lambda v: {_TYPE: "datetime_iso", _DATA: v.isoformat()},
    date: lambda v: {_TYPE: "date_iso", _DATA: v.isoformat()},
    Decimal: lambda v: {_TYPE: "decimal_str", _DATA: str(v)},
    UUID: lambda v: {_TYPE: "uuid_hex", _DATA: v.hex},
    tuple: lambda v: {_TYPE: "tuple", _DATA: [_tag(item) for item in v]},
}


_DECODERS: dict[str, Any] = {
    "datetime_iso": datetime.fromisoformat,
    "date_iso": date.fromisoformat,
    "decimal_str": Decimal,
    "uuid_hex": UUID,
}


def _untag(value: Any) -> Any:
    # Called once per stored event on every read: scalars are returned without a call.
    kind = type(value)
    if kind is dict:
        if len(value) == 2 and _TYPE in value and _DATA in value:
            tag = value[_TYPE]
            if tag == "tuple":
                return tuple(_untag(item) for item in value[_DATA])
            return _DECODERS[tag](value[_DATA])
        return {
            key: _untag(item) if type(item) in _CONTAINERS else item for key, item in value.items()
        }
    if kind is list:
        return [_untag(item) if type(item) in _CONTAINERS else item for item in value]
    return value


_CONTAINERS = (dict, list)


class OrjsonTranscoder(Transcoder):
    """Compact, key-sorted JSON: the same event always encodes to the same bytes."""

    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(_tag(obj), option=orjson.OPT_SORT_KEYS)

    def decode(self, data: bytes) -> Any:
        return _untag(orjson.loads(data))
