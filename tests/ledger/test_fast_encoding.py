"""The append path's shortcuts give exactly the bytes of the plain formulations they
replace (stores written before them must keep verifying): tagged state encoding, the
mapper's encoding from an event's ``vars()``, the recorded-time text and UUID hex text both
ways."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import orjson
from eventsourcing.compressor import ZlibCompressor
from eventsourcing.persistence import Mapper
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ledger.chain import instant_text
from ledger.fast_uuid import uuid_from_hex, uuid_hex, uuid_text
from ledger.person import StatusChanged
from ledger.serialisation import LedgerMapper, OrjsonTranscoder, untag, uuid_text_of
from tests.ledger.test_serialisation import SAMPLES

ZONES = st.sampled_from(
    [
        None,
        UTC,
        timezone(timedelta(0)),  # UTC, but not the UTC object
        timezone(timedelta(hours=-5)),
        timezone(timedelta(hours=5, minutes=30)),
        timezone(timedelta(hours=1, seconds=15)),
        timezone(timedelta(hours=-3, minutes=-7, seconds=-1, microseconds=-5)),
    ]
)
DATETIMES = st.builds(
    lambda moment, zone: moment.replace(tzinfo=zone),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    ZONES,
)
# Microseconds of zero are common (synthetic and imported times) and take a branch.
WHOLE_SECONDS = DATETIMES.map(lambda moment: moment.replace(microsecond=0))
SCALARS = st.one_of(
    st.text(max_size=8),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    DATETIMES,
    WHOLE_SECONDS,
    st.dates(),
    st.uuids(),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(st.text(max_size=6), inner, max_size=4),
    ),
    max_leaves=12,
)


def _reference_tag(value: Any) -> Any:
    """The tagging as first written: every type formatted by its own Python method."""
    kind = type(value)
    if kind is dict:
        return {key: _reference_tag(item) for key, item in value.items()}
    if kind is list:
        return [_reference_tag(item) for item in value]
    if kind is tuple:
        return {"_type_": "tuple", "_data_": [_reference_tag(item) for item in value]}
    if kind is datetime:
        return {"_type_": "datetime_iso", "_data_": value.isoformat()}
    if kind is date:
        return {"_type_": "date_iso", "_data_": value.isoformat()}
    if kind is uuid.UUID:
        return {"_type_": "uuid_hex", "_data_": value.hex}
    if kind is Decimal:
        return {"_type_": "decimal_str", "_data_": str(value)}
    return value


def _reference_encode(value: Any) -> bytes:
    return orjson.dumps(_reference_tag(value), option=orjson.OPT_SORT_KEYS)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.text(max_size=6), VALUES, max_size=8))
# An event's own dicts may hold a "_type_" key that is no tag (hypothesis found the first).
@example({"": {"": None, "_type_": []}})
@example({"_type_": [1], "_data_": 2})
def test_tagged_encoding_is_the_plain_one(state: dict[str, Any]) -> None:
    assert OrjsonTranscoder().encode(state) == _reference_encode(state)
    assert OrjsonTranscoder().decode(OrjsonTranscoder().encode(state)) == state


@settings(max_examples=300, deadline=None)
@given(st.one_of(DATETIMES, WHOLE_SECONDS).filter(lambda moment: moment.tzinfo is not None))
def test_instant_text_is_the_utc_isoformat(moment: datetime) -> None:
    assert instant_text(moment) == moment.astimezone(UTC).isoformat(timespec="microseconds")


@given(st.uuids())
def test_uuid_hex_is_the_property(value: uuid.UUID) -> None:
    assert uuid_hex(value) == value.hex


@given(st.uuids(), st.booleans())
def test_uuid_text_is_the_text_of_the_constructed_uuid(value: uuid.UUID, upper: bool) -> None:
    """``uuid_text`` (a record id's text straight from the stored hex) is ``str(UUID(hex))``,
    also for hex in capitals; ``uuid_text_of`` a stored tagged UUID is ``str(untag(...))``,
    and of anything else too."""
    text = value.hex.upper() if upper else uuid_hex(value)
    assert uuid_text(text) == str(uuid.UUID(text)) == str(value)
    tagged = {"_type_": "uuid_hex", "_data_": text}
    assert uuid_text_of(tagged) == str(untag(tagged)) == str(value)
    assert uuid_text_of(str(value)) == str(value)
    assert uuid_text_of({"_type_": "uuid_hex", "_data_": text, "x": 1}) == str(
        untag({"_type_": "uuid_hex", "_data_": text, "x": 1})
    )


@given(st.uuids())
def test_uuid_from_hex_is_the_constructor(value: uuid.UUID) -> None:
    """Equal, the same text, hash, fields and safety as ``UUID(hex)`` gives."""
    built, plain = uuid_from_hex(value.hex), uuid.UUID(value.hex)
    assert type(built) is uuid.UUID
    assert built == plain
    assert (str(built), hash(built), built.fields, built.is_safe) == (
        str(plain),
        hash(plain),
        plain.fields,
        plain.is_safe,
    )


class _StatusChangedV2(StatusChanged):
    class_version = 2


def _events() -> list[Any]:
    sample = next(event for event in SAMPLES if type(event) is StatusChanged)
    return [*SAMPLES, _StatusChangedV2(**{**vars(sample), "status": "active"})]


def test_the_mapper_stores_what_the_librarys_mapper_stores() -> None:
    """Events encoded from their ``vars()`` (with ``class_version`` when above 1) are the
    library mapper's stored events, byte for byte; with a compressor the library's own
    path is taken."""
    ours = LedgerMapper(transcoder=OrjsonTranscoder())
    library: Mapper[uuid.UUID] = Mapper(transcoder=OrjsonTranscoder())
    for event in _events():
        assert ours.to_stored_event(event) == library.to_stored_event(event)
        assert vars(event)["originator_id"] == event.originator_id  # vars() left alone
    squeezed = LedgerMapper(transcoder=OrjsonTranscoder(), compressor=ZlibCompressor())
    for event in _events():
        stored = squeezed.to_stored_event(event)
        assert squeezed.to_domain_event(stored) == event
        assert ZlibCompressor().decompress(stored.state) == library.to_stored_event(event).state
