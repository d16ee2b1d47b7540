"""Tamper evidence: per-stream SHA-256 hash links and the Merkle root over stream heads.

Each stored event's link is ``sha256(previous link || sha256(header || stored state))``, where the
header fixes the stream, position, topic and the indexed envelope fields (agency, recorded
time, effective date). Changing any stored byte, removing or reordering events inside a
stream, or editing the recorded-time index therefore breaks a link. Removing the newest
events of a stream (with their links) leaves a consistent shorter chain: that is detectable
only by comparing with a previously saved digest, which records every stream head.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, NamedTuple
from uuid import UUID

import orjson

if TYPE_CHECKING:  # annotations only: a reader of the index imports no eventsourcing
    from eventsourcing.persistence import StoredEvent

__all__ = [
    "GENESIS",
    "Chain",
    "EventMeta",
    "IndexRow",
    "StreamHead",
    "as_uuid",
    "chain_links",
    "content_digest",
    "content_digests",
    "instant_text",
    "link_for",
    "link_from",
    "merkle_root",
]

GENESIS = bytes(32)
_sha256 = hashlib.sha256


class EventMeta(NamedTuple):
    """Envelope fields the store indexes beside each stored event (a named tuple: one is
    built for every event appended, and a frozen dataclass took ~3x as long to build)."""

    agency_id: UUID
    stream_type: str
    recorded_at: datetime
    effective_on: date


@dataclass(frozen=True, slots=True)
class IndexRow:
    originator_id: UUID
    originator_version: int
    notification_id: int
    meta: EventMeta
    link: bytes


@dataclass(frozen=True, slots=True)
class StreamHead:
    originator_id: UUID
    version: int
    link: bytes


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def instant_text(moment: datetime) -> str:
    """The one text form of a recorded time: UTC, microseconds, sortable as a string.

    That is ``isoformat(timespec="microseconds")`` of the UTC instant; orjson writes the
    same ISO form in C (~0.3 against ~1.6 µs), leaving out the fraction when it is zero."""
    if moment.tzinfo is not UTC:  # the ledger's clocks give UTC; skip the conversion then
        moment = utc(moment)
    text = orjson.dumps(moment).decode()  # '"YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00"'
    if moment.microsecond:
        return text[1:-1]
    return text[1:20] + ".000000+00:00"


def content_digest(
    originator_id: UUID, originator_version: int, topic: str, state: bytes, meta: EventMeta
) -> bytes:
    """SHA-256 of one event's header (stream, position, topic, indexed envelope) and bytes.

    The header is the JSON array ``[stream, position, topic, agency, stream type, recorded
    time (instant_text), effective date (ISO)]``, ids in their hyphenated form (orjson writes
    a UUID exactly as ``str()`` does, and a date exactly as ``isoformat()`` does, without
    the Python calls)."""
    effective_on = meta.effective_on
    header = orjson.dumps(
        [
            originator_id,
            originator_version,
            topic,
            meta.agency_id,
            meta.stream_type,
            instant_text(meta.recorded_at),
            effective_on if type(effective_on) is date else effective_on.isoformat(),
        ]
    )
    return hashlib.sha256(len(header).to_bytes(4, "big") + header + state).digest()


def link_from(previous: bytes, digest: bytes) -> bytes:
    """The chain step: an event's link is ``sha256(previous link || content digest)``."""
    return hashlib.sha256(previous + digest).digest()


def link_for(
    previous: bytes,
    originator_id: UUID,
    originator_version: int,
    topic: str,
    state: bytes,
    meta: EventMeta,
) -> bytes:
    return link_from(
        previous, content_digest(originator_id, originator_version, topic, state, meta)
    )


def content_digests(
    stored_events: Sequence[StoredEvent], metas: Sequence[EventMeta]
) -> list[bytes]:
    """Digests of a batch, computed before its transaction opens: the work inside the
    transaction (under the table lock) is then one short hash per event."""
    return [
        content_digest(
            as_uuid(stored.originator_id),
            stored.originator_version,
            stored.topic,
            stored.state,
            meta,
        )
        for stored, meta in zip(stored_events, metas, strict=True)
    ]


class Chain:
    """Links new events onto their streams' heads, one event at a time in log order;
    ``previous_links`` holds the current head link of each stream that already had events."""

    def __init__(self, previous_links: dict[UUID, bytes]) -> None:
        # Keyed by the ids' integers: a UUID hashes in Python, an int in C.
        self._heads = {originator_id.int: link for originator_id, link in previous_links.items()}

    def link(self, originator_id: UUID, originator_version: int, digest: bytes) -> bytes:
        key = originator_id.int
        if originator_version == 1:
            previous = GENESIS
        else:
            found = self._heads.get(key)
            if found is None:
                msg = f"no hash link for the predecessor of {originator_id} v{originator_version}"
                raise LookupError(msg)
            previous = found
        link = self._heads[key] = _sha256(previous + digest).digest()
        return link


def chain_links(
    stored_events: Sequence[StoredEvent],
    digests: Sequence[bytes],
    previous_links: dict[UUID, bytes],
) -> list[bytes]:
    """The links of a batch of new events (see ``Chain``)."""
    chain = Chain(previous_links)
    return [
        chain.link(as_uuid(stored.originator_id), stored.originator_version, digest)
        for stored, digest in zip(stored_events, digests, strict=True)
    ]


def as_uuid(value: UUID | str) -> UUID:
    """A stored event's stream id as a UUID (the library allows text ids)."""
    return value if isinstance(value, UUID) else UUID(value)


def merkle_root(heads: Iterable[StreamHead]) -> bytes:
    """Root of a binary Merkle tree whose leaves are the stream heads sorted by stream id."""
    level = [
        hashlib.sha256(
            head.originator_id.bytes + head.version.to_bytes(8, "big") + head.link
        ).digest()
        for head in sorted(heads, key=lambda h: h.originator_id.bytes)
    ]
    if not level:
        return hashlib.sha256(b"muster:empty-ledger").digest()
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [
            hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest()
            for i in range(0, len(level), 2)
        ]
    return level[0]
