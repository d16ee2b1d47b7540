"""``events.jsonl``: a packet's events as stored, one JSON object a line, with each one's
hash link, in (stream, position) order.

``state`` is the stored bytes as text (the ledger stores UTF-8 JSON), so the verifier hashes
exactly what the ledger hashed; the other fields are the header ``ledger.chain`` hashes with
it. The builder recomputes every link before writing: a ledger whose links do not verify
gives no packet (``BrokenChainError``; ``muster verify`` says more)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

import orjson
from eventsourcing.persistence import StoredEvent

from ledger.chain import GENESIS, as_uuid
from replay.packet.cut import IndexFields

__all__ = ["BrokenChainError", "events_jsonl"]

# One line, its keys in sorted order (the verifier reads it as JSON; the bytes are the
# same as ``orjson.dumps`` of the object with sorted keys, ``tests/packets`` shows it).
_LINE = (
    b'{"agency_id":%b,"effective_on":%b,"link":"%b","log_position":%d,"position":%d,'
    b'"recorded_at":%b,"state":%b,"stream":%b,"stream_type":%b,"topic":%b}\n'
)
# ``ledger.chain.content_digest``'s header: the compact JSON array of the same values.
_HEADER = b"[%b,%d,%b,%b,%b,%b,%b]"


class BrokenChainError(Exception):
    """The stored events do not match their hash links: the ledger fails ``muster verify``."""


def events_jsonl(
    stored: Sequence[StoredEvent], rows: Mapping[tuple[int, int], IndexFields]
) -> bytes:
    """The events' lines; ``stored`` in (stream, position) order, each with its index row
    (``replay.packet.cut``, its values already JSON). Each link is recomputed as
    ``ledger.chain.link_for`` does, from the header built of the same JSON values."""
    dumps = orjson.dumps
    lines: list[bytes] = []
    topics: dict[str, bytes] = {}
    previous, stream, stream_json = GENESIS, None, b""
    for event in stored:
        originator = as_uuid(event.originator_id)
        position = event.originator_version
        if originator is not stream and originator != stream:
            previous, stream, stream_json = GENESIS, originator, dumps(originator)
        row = rows.get((originator.int, position))
        topic = topics.get(event.topic)
        if topic is None:
            topic = topics[event.topic] = dumps(event.topic)
        state = event.state
        if row is None or _link(previous, stream_json, position, topic, row, state) != row.link:
            msg = (
                f"stream {originator} position {position} does not match its hash link; "
                "run muster verify"
            )
            raise BrokenChainError(msg)
        previous = row.link
        fields = (row.agency_id, row.effective_on, row.link.hex().encode(), row.log_position,
                  position, row.recorded_at, dumps(state.decode("utf-8")), stream_json,
                  row.stream_type, topic)  # fmt: skip
        lines.append(_LINE % fields)
    return b"".join(lines)


def _link(
    previous: bytes, stream: bytes, position: int, topic: bytes, row: IndexFields, state: bytes
) -> bytes:
    """``ledger.chain.link_for`` of the event, its header written from the JSON values."""
    header = _HEADER % (
        stream,
        position,
        topic,
        row.agency_id,
        row.stream_type,
        row.recorded_at,
        row.effective_on,
    )
    digest = hashlib.sha256(len(header).to_bytes(4, "big") + header + state).digest()
    return hashlib.sha256(previous + digest).digest()
