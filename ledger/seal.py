"""Unit seals: an HMAC-SHA256 over each committed unit's hash links, with a key the database
does not hold.

The hash chain proves that stored bytes match their links, but anyone who can INSERT can
compute links with the project's own link function. A seal is what such an insider cannot
compute: ``HMAC(key, previous seal || recorded time || (log position, stream, version,
link) of every event of the unit)``. Each seal includes the one before it, so the seals
form one chain along the whole log: a unit removed from the middle breaks the next seal.
The key id is stored beside the MAC, so old units keep verifying after a key is rotated.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import NamedTuple
from uuid import UUID

from ledger.chain import instant_text
from ledger.secret_files import read_secret_file, require_owner_only

__all__ = [
    "SealKeys",
    "SealRow",
    "SealedEvent",
    "load_seal_keys",
    "new_seal_key_line",
    "parse_seal_keys",
    "seal_message",
]

_FORMAT = b"muster-unit-seal/1"


class SealedEvent(NamedTuple):
    """What a seal covers of one event: its log position, stream, version and link."""

    notification_id: int
    originator_id: UUID
    originator_version: int
    link: bytes


class SealRow(NamedTuple):
    """One stored seal: the unit's log positions, its recorded time and the MAC."""

    first_notification: int
    last_notification: int
    events: int
    recorded_at: datetime
    key_id: str
    previous: bytes
    mac: bytes


def seal_message(previous: bytes, recorded_at: datetime, events: Sequence[SealedEvent]) -> bytes:
    """The bytes a unit's MAC is computed over (events in log order)."""
    parts = [_FORMAT, previous, instant_text(recorded_at).encode(), len(events).to_bytes(8, "big")]
    for event in events:
        parts.append(
            event.notification_id.to_bytes(8, "big")
            + event.originator_id.bytes
            + event.originator_version.to_bytes(8, "big")
            + event.link
        )
    return b"".join(parts)


@dataclass(frozen=True)
class SealKeys:
    """Seal keys by id; ``current`` is the one new units are sealed with (the last listed),
    the others only verify units sealed before a rotation."""

    keys: Mapping[str, bytes] = field(default_factory=dict)
    current: str = ""

    def __post_init__(self) -> None:
        if self.current and self.current not in self.keys:
            msg = f"seal key {self.current!r} is not among the keys"
            raise ValueError(msg)

    def __bool__(self) -> bool:
        return bool(self.current)

    def seal(
        self,
        previous: bytes,
        recorded_at: datetime,
        events: Sequence[SealedEvent],
    ) -> SealRow:
        mac = hmac.new(
            self.keys[self.current], seal_message(previous, recorded_at, events), hashlib.sha256
        ).digest()
        return SealRow(
            events[0].notification_id,
            events[-1].notification_id,
            len(events),
            recorded_at,
            self.current,
            previous,
            mac,
        )

    def check(self, row: SealRow, events: Sequence[SealedEvent]) -> str | None:
        """None if ``row`` is a valid seal of exactly ``events``, else what is wrong."""
        key = self.keys.get(row.key_id)
        if key is None:
            return f"sealed with key {row.key_id!r}, which is not a known seal key"
        if len(events) != row.events:
            return f"the unit sealed {row.events} event(s), {len(events)} are stored there"
        expected = hmac.new(
            key, seal_message(row.previous, row.recorded_at, events), hashlib.sha256
        ).digest()
        if not hmac.compare_digest(expected, row.mac):
            return "seal does not match the unit's events (forged, changed or inserted)"
        return None


def load_seal_keys(path: Path) -> SealKeys:
    """Keys from a file of ``<key id> <64 hex digits>`` lines (``#`` comments allowed);
    the last line is the current key. Raises ValueError with a one-line reason, also when
    the file may be read or written by anyone but its owner (``ledger.secret_files``)."""
    content = read_secret_file(path, "seal key", owner_only=False)
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"the seal key file {path} is not UTF-8 text") from None
    keys = parse_seal_keys(text.splitlines(), str(path))
    require_owner_only(path, "seal key")
    return keys


def parse_seal_keys(lines: Iterable[str], source: str) -> SealKeys:
    keys: dict[str, bytes] = {}
    current = ""
    for number, raw in enumerate(lines, 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2:
            msg = f"{source} line {number}: expected '<key id> <hex secret>'"
            raise ValueError(msg)
        key_id, secret = parts
        try:
            key = bytes.fromhex(secret)
        except ValueError:
            msg = f"{source} line {number}: the secret is not hexadecimal"
            raise ValueError(msg) from None
        if len(key) < 32:
            msg = f"{source} line {number}: the secret must be at least 32 bytes (64 hex digits)"
            raise ValueError(msg)
        if key_id in keys:
            msg = f"{source} line {number}: key id {key_id!r} is listed twice"
            raise ValueError(msg)
        keys[key_id] = key
        current = key_id
    if not keys:
        msg = f"{source}: no seal key in the file"
        raise ValueError(msg)
    return SealKeys(keys, current)


def new_seal_key_line(key_id: str) -> str:
    """A fresh key line for the key file (32 random bytes from ``secrets``)."""
    return f"{key_id} {secrets.token_hex(32)}\n"
