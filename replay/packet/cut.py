"""The ledger as it stood at a packet's ``known_at``: every stream's head then, the Merkle
root over them (``ledger.chain.merkle_root``, the root ``muster verify`` prints), the log
position and log hash then, and the index rows of the streams a packet carries.

Recorded time never goes back along the log (``muster verify`` checks it), so what was
recorded by ``known_at`` is a prefix of the log: rebuilt later, after more events, the
cut is the same, and so is every byte derived from it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

import orjson

from ledger.chain import GENESIS, StreamHead, instant_text, merkle_root
from ledger.index_dialect import Dialect
from ledger.store import ChainedRecorder
from replay.verify_log import log_step_of

__all__ = ["PACKET_DIGEST_FORMAT", "IndexFields", "LedgerCut", "cut_at", "leaf", "merkle_paths"]

PACKET_DIGEST_FORMAT = "muster-packet-digest/1"


class IndexFields(NamedTuple):
    """A wanted event's index row as ``events.jsonl`` writes it and ``ledger.chain`` hashes
    it: the agency, stream type, recorded time (``instant_text``) and effective date as
    JSON strings, the log position, and the stored link."""

    log_position: int
    agency_id: bytes
    stream_type: bytes
    recorded_at: bytes
    effective_on: bytes
    link: bytes


@dataclass(frozen=True)
class LedgerCut:
    known_at: datetime
    heads: dict[UUID, StreamHead]
    # The wanted streams' index rows, by (stream id as an int, position).
    rows: dict[tuple[int, int], IndexFields]
    position: int
    recorded_at: datetime | None
    log_hash: bytes
    events: int

    def digest(self) -> dict[str, Any]:
        """What ``digest.json`` holds: the root, and where the log stood, at ``known_at``."""
        return {
            "format": PACKET_DIGEST_FORMAT,
            "known_at": instant_text(self.known_at),
            "root": merkle_root(self.heads.values()).hex(),
            "position": self.position,
            "recorded_at": None if self.recorded_at is None else instant_text(self.recorded_at),
            "log": self.log_hash.hex(),
            "events": self.events,
            "streams": len(self.heads),
        }


def cut_at(store: ChainedRecorder, known_at: datetime, wanted: Collection[UUID]) -> LedgerCut:
    """One walk along the log up to ``known_at``: the heads of every stream, and the rows
    of the ``wanted`` streams.

    The walk reads the index as the backend gives it and converts each distinct value
    once (a log has few distinct agencies, stream types, recorded times and days): the
    same values ``store.iter_log`` would give, without building a row object per event."""
    d = store.dialect
    values = _Values(d)
    wanted_ids = {d.id_param(stream) for stream in wanted}
    heads: dict[Any, tuple[int, bytes]] = {}
    rows: dict[tuple[int, int], IndexFields] = {}
    log_hash, position, events = GENESIS, 0, 0
    recorded_at: datetime | None = None
    for row in store.iter_log_raw(batch=20_000):
        raw_id, raw_version, raw_position, agency, kind, recorded, effective, raw_link = row
        at, at_json = values.instant(recorded)
        if at > known_at:
            break  # the rest of the log was recorded later (a prefix: see above)
        version, link = int(raw_version), bytes(raw_link)
        events += 1
        position, recorded_at = int(raw_position), at
        stream, stream_bytes = values.stream(raw_id)
        log_hash = log_step_of(log_hash, position, stream_bytes, version, link)
        heads[raw_id] = (version, link)
        if raw_id in wanted_ids:
            fields = (values.agency(agency), values.kind(kind), at_json, values.day(effective))
            rows[(stream.int, version)] = IndexFields(position, *fields, link)
    by_stream = {values.stream(raw_id)[0]: head for raw_id, head in heads.items()}
    return LedgerCut(
        known_at,
        {stream: StreamHead(stream, v, link) for stream, (v, link) in by_stream.items()},
        rows,
        position,
        recorded_at,
        log_hash,
        events,
    )


class _Values:
    """The index's values as ``Dialect.index_row`` converts them, and as JSON, each
    distinct stored value converted once."""

    def __init__(self, dialect: Dialect) -> None:
        self._d = dialect
        self._streams: dict[Any, tuple[UUID, bytes]] = {}
        self._instants: dict[Any, tuple[datetime, bytes]] = {}
        self._agencies: dict[Any, bytes] = {}
        self._kinds: dict[Any, bytes] = {}
        self._days: dict[Any, bytes] = {}

    def stream(self, raw: Any) -> tuple[UUID, bytes]:
        """The stream id, and its 16 bytes."""
        found = self._streams.get(raw)
        if found is None:
            stream = self._d.to_uuid(raw)
            found = self._streams[raw] = (stream, stream.bytes)
        return found

    def instant(self, raw: Any) -> tuple[datetime, bytes]:
        found = self._instants.get(raw)
        if found is None:
            moment = self._d.to_time(raw)
            found = self._instants[raw] = (moment, orjson.dumps(instant_text(moment)))
        return found

    def agency(self, raw: Any) -> bytes:
        found = self._agencies.get(raw)
        if found is None:
            found = self._agencies[raw] = orjson.dumps(self._d.to_uuid(raw))
        return found

    def kind(self, raw: Any) -> bytes:
        found = self._kinds.get(raw)
        if found is None:
            found = self._kinds[raw] = orjson.dumps(str(raw))
        return found

    def day(self, raw: Any) -> bytes:
        found = self._days.get(raw)
        if found is None:
            found = self._days[raw] = orjson.dumps(self._d.to_date(raw))
        return found


def leaf(head: StreamHead) -> bytes:
    """A leaf of the tree ``merkle_root`` builds."""
    return hashlib.sha256(
        head.originator_id.bytes + head.version.to_bytes(8, "big") + head.link
    ).digest()


def merkle_paths(
    heads: Iterable[StreamHead], wanted: Collection[UUID]
) -> dict[UUID, list[list[str]]]:
    """Each wanted stream's inclusion proof in ``merkle_root``'s tree: the sibling at every
    level, and the side it is on (an odd level's last node is paired with itself)."""
    ordered = sorted(heads, key=lambda h: h.originator_id.bytes)
    wanted = set(wanted)  # a list's ``in`` made this quadratic: 5 s for 1,455 of 3,000 heads
    index = {h.originator_id: i for i, h in enumerate(ordered) if h.originator_id in wanted}
    paths: dict[UUID, list[list[str]]] = {stream: [] for stream in index}
    level = [leaf(h) for h in ordered]
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        for stream, at in index.items():
            sibling = at ^ 1
            paths[stream].append(["left" if sibling < at else "right", level[sibling].hex()])
            index[stream] = at // 2
        level = [
            hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest()
            for i in range(0, len(level), 2)
        ]
    return paths
