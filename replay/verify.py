"""Recomputes every hash chain in the store and the ledger digest, checks the log's order
and seals (``replay.verify_log``), and reports what broke."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import StoredEvent

from ledger.chain import GENESIS, IndexRow, StreamHead, instant_text, link_for, merkle_root
from ledger.seal import SealKeys
from ledger.store import ChainedRecorder
from replay.verify_log import LogFacts, SavedLog, check_log

__all__ = ["DIGEST_FORMAT", "Break", "VerifyReport", "check_digest", "dumps_digest", "verify_store"]

DIGEST_FORMAT = "muster-ledger-digest/2"
_OLD_FORMAT = "muster-ledger-digest/1"  # heads only: still accepted


@dataclass(frozen=True)
class Break:
    originator_id: UUID
    position: int
    problem: str
    log_position: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "stream": str(self.originator_id),
            "position": self.position,
            "log_position": self.log_position,
            "problem": self.problem,
        }


@dataclass
class VerifyReport:
    events: int = 0
    heads: list[StreamHead] = field(default_factory=list)
    breaks: list[Break] = field(default_factory=list)
    log: LogFacts = field(default_factory=LogFacts)
    # Whether seals were checked (a key was given); without one nothing stops a
    # database-only insider from appending events whose links verify.
    seals_checked: bool = False

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def root(self) -> str:
        return merkle_root(self.heads).hex()

    def digest(self) -> dict[str, Any]:
        """The exportable digest: keep it somewhere the database's administrators cannot
        write, and pass it back with ``against`` to detect removal of the newest events."""
        recorded_at = self.log.recorded_at
        return {
            "format": DIGEST_FORMAT,
            "root": self.root,
            "events": self.events,
            "streams": len(self.heads),
            "position": self.log.position,
            "recorded_at": None if recorded_at is None else instant_text(recorded_at),
            "log": self.log.log_hash.hex(),
            "heads": {
                str(head.originator_id): {"version": head.version, "link": head.link.hex()}
                for head in sorted(self.heads, key=lambda h: h.originator_id.bytes)
            },
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "streams": len(self.heads),
            "root": self.root,
            "position": self.log.position,
            "seals": self.seals_dict(),
            "first_break": self.breaks[0].to_dict() if self.breaks else None,
            "breaks": [b.to_dict() for b in self.breaks],
        }

    def seals_dict(self) -> dict[str, Any]:
        return {
            "checked": self.seals_checked,
            "units_sealed": self.log.units_sealed,
            "events_unsealed": self.log.events_unsealed,
            "key_ids": sorted(self.log.key_ids),
        }


def _merged(store: ChainedRecorder) -> Iterator[tuple[StoredEvent | None, IndexRow | None]]:
    """Pairs stored events with their index rows by (stream, position), either side missing."""
    events, index = store.iter_stored(), store.iter_index()
    event, row = next(events, None), next(index, None)
    while event is not None or row is not None:
        event_key = (_uuid(event.originator_id).bytes, event.originator_version) if event else None
        row_key = (row.originator_id.bytes, row.originator_version) if row else None
        if row_key is None or (event_key is not None and event_key < row_key):
            yield event, None
            event = next(events, None)
        elif event_key is None or row_key < event_key:
            yield None, row
            row = next(index, None)
        else:
            yield event, row
            event, row = next(events, None), next(index, None)


def verify_store(
    store: ChainedRecorder,
    against: dict[str, Any] | None = None,
    keys: SealKeys | None = None,
) -> VerifyReport:
    """Walk every stream in position order, recompute each link from the stored bytes and
    the previous link, and compare with the stored chain (and with a saved digest); then
    walk the log in order for recorded time, seals (with ``keys``) and what the saved
    digest says of the log."""
    saved = _saved_heads(against)
    saved_log = _saved_log(against, saved)
    report = VerifyReport(seals_checked=bool(keys))
    report.log = check_log(store, keys if keys else None, saved_log)
    for problem in report.log.problems:
        report.breaks.append(
            Break(problem.originator_id, problem.position, problem.problem, problem.log_position)
        )
    seen: set[UUID] = set()
    current: UUID | None = None
    expected, previous, last_link = 1, GENESIS, GENESIS
    before: IndexRow | None = None

    def close_stream() -> None:
        if current is not None and expected > 1:
            report.heads.append(StreamHead(current, expected - 1, last_link))

    for event, row in _merged(store):
        stream = _uuid(event.originator_id) if event else row.originator_id  # type: ignore[union-attr]
        position = event.originator_version if event else row.originator_version  # type: ignore[union-attr]
        if stream != current:
            close_stream()
            current, expected, previous, last_link = stream, 1, GENESIS, GENESIS
            before = None
            seen.add(stream)
        if event is None:
            report.breaks.append(Break(stream, position, "event missing: its hash link remains"))
            continue
        report.events += 1
        if position != expected:
            report.breaks.append(
                Break(stream, expected, f"gap: position {expected} missing before {position}")
            )
        if row is None:
            report.breaks.append(
                Break(stream, position, "event has no hash link: written outside the ledger")
            )
        else:
            recomputed = link_for(previous, stream, position, event.topic, event.state, row.meta)
            if recomputed != row.link:
                report.breaks.append(
                    Break(stream, position, "hash link mismatch: stored bytes or index changed")
                )
            previous = last_link = row.link
            if before is not None:
                _stream_order(report, before, row)
            before = row
            want = saved.get(stream)
            if want is not None and want[0] == position and want[1] != row.link:
                report.breaks.append(
                    Break(stream, position, "differs from the saved digest at this position")
                )
        expected = position + 1
    close_stream()

    heads = {head.originator_id: head.version for head in report.heads}
    for stream, (version, _link) in sorted(saved.items(), key=lambda item: item[0].bytes):
        have = heads.get(stream, 0)
        if stream not in seen:
            report.breaks.append(Break(stream, 1, "stream in the saved digest is gone"))
        elif have < version:
            report.breaks.append(
                Break(
                    stream,
                    have + 1,
                    f"events {have + 1}..{version} recorded in the saved digest are gone",
                )
            )
    # Problems of the log as a whole (no stream) come after every located one.
    report.breaks.sort(
        key=lambda b: (b.originator_id.int == 0, b.originator_id.bytes, b.position, b.problem)
    )
    return report


def _stream_order(report: VerifyReport, before: IndexRow, row: IndexRow) -> None:
    """A stream's events are logged, and recorded, in their stream order."""
    if row.notification_id < before.notification_id:
        report.breaks.append(
            Break(
                before.originator_id,
                before.originator_version,
                "logged after the event that follows it in its stream",
                before.notification_id,
            )
        )
    elif row.meta.recorded_at < before.meta.recorded_at:
        report.breaks.append(
            Break(
                row.originator_id,
                row.originator_version,
                "recorded before the event that precedes it in its stream",
                row.notification_id,
            )
        )


def _saved_log(
    digest: dict[str, Any] | None, heads: dict[UUID, tuple[int, bytes]]
) -> SavedLog | None:
    if digest is None or digest.get("format") != DIGEST_FORMAT:
        return None
    recorded = digest.get("recorded_at")
    if recorded is None:  # a digest of an empty log
        return None
    return SavedLog(
        int(digest["position"]),
        datetime.fromisoformat(str(recorded)),
        bytes.fromhex(str(digest["log"])),
        {stream: version for stream, (version, _link) in heads.items()},
    )


def check_digest(digest: Any) -> dict[str, Any]:
    """A saved digest as ``verify_store`` reads it, or ValueError naming what is wrong
    with it (another JSON document, a digest cut short, a field of the wrong shape)."""

    def wrong(what: str) -> ValueError:
        return ValueError(f"not a muster ledger digest ({what}; expected format {DIGEST_FORMAT})")

    if not isinstance(digest, dict):
        raise wrong(f"a JSON {type(digest).__name__}, not an object")
    if digest.get("format") not in (DIGEST_FORMAT, _OLD_FORMAT):
        raise wrong(f"format {digest.get('format')!r}")
    heads = digest.get("heads")
    if not isinstance(heads, dict):
        raise wrong("no stream heads")
    try:
        _heads(heads)
        if digest["format"] == DIGEST_FORMAT and digest.get("recorded_at") is not None:
            int(digest["position"])
            datetime.fromisoformat(str(digest["recorded_at"]))
            bytes.fromhex(str(digest["log"]))
    except (KeyError, TypeError, ValueError) as error:
        raise wrong(f"a field is missing or malformed: {error}") from None
    return digest


def _heads(heads: dict[str, Any]) -> dict[UUID, tuple[int, bytes]]:
    return {
        UUID(stream): (int(head["version"]), bytes.fromhex(head["link"]))
        for stream, head in heads.items()
    }


def _saved_heads(digest: dict[str, Any] | None) -> dict[UUID, tuple[int, bytes]]:
    if digest is None:
        return {}
    check_digest(digest)
    return _heads(digest["heads"])


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def dumps_digest(report: VerifyReport) -> bytes:
    return orjson.dumps(report.digest(), option=orjson.OPT_INDENT_2)
