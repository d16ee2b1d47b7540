"""Stored event state back to the values it was written from: the tagged envelope
``ledger.serialisation``'s transcoder writes for every non-JSON type (``{"_type_": ...,
"_data_": ...}``) undone. Apart from the transcoder, so that a reader that decodes stored
state itself (``ledger.light_reader``) imports neither the library nor its mapper."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from ledger.fast_uuid import uuid_from_hex, uuid_text

__all__ = ["scalar_decoder", "untag", "uuid_text_of"]

_TYPE, _DATA = "_type_", "_data_"


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
