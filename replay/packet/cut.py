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
from typing import Any
from uuid import UUID

from ledger.chain import GENESIS, IndexRow, StreamHead, instant_text, merkle_root
from ledger.store import ChainedRecorder
from replay.verify_log import log_step

__all__ = ["PACKET_DIGEST_FORMAT", "LedgerCut", "cut_at", "leaf", "merkle_paths"]

PACKET_DIGEST_FORMAT = "muster-packet-digest/1"


@dataclass(frozen=True)
class LedgerCut:
    known_at: datetime
    heads: dict[UUID, StreamHead]
    rows: dict[tuple[UUID, int], IndexRow]  # the wanted streams' rows, by (stream, position)
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
    of the ``wanted`` streams."""
    heads: dict[UUID, StreamHead] = {}
    rows: dict[tuple[UUID, int], IndexRow] = {}
    log_hash, position, events = GENESIS, 0, 0
    recorded_at: datetime | None = None
    wanted = set(wanted)
    for row in store.iter_log(batch=20_000):
        if row.meta.recorded_at > known_at:
            break  # the rest of the log was recorded later (a prefix: see above)
        events += 1
        position, recorded_at = row.notification_id, row.meta.recorded_at
        log_hash = log_step(log_hash, row)
        heads[row.originator_id] = StreamHead(row.originator_id, row.originator_version, row.link)
        if row.originator_id in wanted:
            rows[(row.originator_id, row.originator_version)] = row
    return LedgerCut(known_at, heads, rows, position, recorded_at, log_hash, events)


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
