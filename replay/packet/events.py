"""``events.jsonl``: a packet's events as stored, one JSON object a line, with each one's
hash link, in (stream, position) order.

``state`` is the stored bytes as text (the ledger stores UTF-8 JSON), so the verifier hashes
exactly what the ledger hashed; the other fields are the header ``ledger.chain`` hashes with
it. The builder recomputes every link before writing: a ledger whose links do not verify
gives no packet (``BrokenChainError``; ``muster verify`` says more)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from uuid import UUID

import orjson
from eventsourcing.persistence import StoredEvent

from ledger.chain import GENESIS, IndexRow, instant_text, link_for

__all__ = ["BrokenChainError", "events_jsonl"]


class BrokenChainError(Exception):
    """The stored events do not match their hash links: the ledger fails ``muster verify``."""


def events_jsonl(stored: Sequence[StoredEvent], rows: Mapping[tuple[UUID, int], IndexRow]) -> bytes:
    """The events' lines; ``stored`` in (stream, position) order, each with its index row."""
    lines: list[bytes] = []
    previous, stream = GENESIS, UUID(int=0)
    for event in stored:
        originator = UUID(str(event.originator_id))
        position = event.originator_version
        row = rows.get((originator, position))
        if originator != stream:
            previous, stream = GENESIS, originator
        if (
            row is None
            or link_for(previous, originator, position, event.topic, event.state, row.meta)
            != row.link
        ):
            msg = (
                f"stream {originator} position {position} does not match its hash link; "
                "run muster verify"
            )
            raise BrokenChainError(msg)
        previous = row.link
        lines.append(
            orjson.dumps(
                {
                    "agency_id": row.meta.agency_id,
                    "effective_on": row.meta.effective_on,
                    "link": row.link.hex(),
                    "log_position": row.notification_id,
                    "position": position,
                    "recorded_at": instant_text(row.meta.recorded_at),
                    "state": event.state.decode("utf-8"),
                    "stream": originator,
                    "stream_type": row.meta.stream_type,
                    "topic": event.topic,
                },
                option=orjson.OPT_SORT_KEYS,
            )
        )
    return b"".join(line + b"\n" for line in lines)
