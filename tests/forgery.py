"""Forgeries an insider can build with the project's own code: events staged through the
ledger's use cases at a back-dated clock, encoded by its mapper, linked with its link
function, and inserted straight into the tables."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from ledger.application import Ledger
from ledger.chain import GENESIS, EventMeta, instant_text, link_for
from ledger.clock import SettableClock
from ledger.envelope import LedgerEvent
from ledger.unit_of_work import UnitOfWork


def staged(
    ledger: Ledger, clock: SettableClock, at: datetime, stage: Callable[[UnitOfWork], object]
) -> list[LedgerEvent]:
    """The events ``stage`` would append, staged with the clock at ``at`` and not saved."""
    now = clock()
    clock.set(at)
    try:
        uow = ledger.unit_of_work()
        stage(uow)
    finally:
        clock.set(now)
    events: list[LedgerEvent] = []
    for aggregate in [*uow.agencies.values(), *uow.people.values()]:
        events += aggregate.collect_events()  # type: ignore[arg-type]
    return events


def link_of(raw: Any, stream: UUID, version: int) -> bytes:
    if version == 0:
        return GENESIS
    rows = raw.execute(
        f"SELECT link FROM {raw.index} WHERE originator_id = %s AND originator_version = %s",
        (raw.key(stream), version),
    )
    return bytes(rows[0][0])


def insert_forged(
    raw: Any,
    ledger: Ledger,
    event: LedgerEvent,
    *,
    version: int | None = None,
    notification_id: int | None = None,
    previous: bytes | None = None,
) -> tuple[int, bytes]:
    """Insert one event and its index row with a correctly computed link; returns its log
    position and link."""
    stored = ledger.mapper.to_stored_event(event)
    stream = UUID(str(stored.originator_id))
    position = version if version is not None else stored.originator_version
    meta = EventMeta(event.agency_id, event.stream_type, event.timestamp, event.effective_on)
    if previous is None:
        previous = link_of(raw, stream, position - 1)
    link = link_for(previous, stream, position, stored.topic, stored.state, meta)
    sqlite = raw.events == "stored_events"
    columns = "originator_id, originator_version, topic, state"
    params: tuple[Any, ...] = (raw.key(stream), position, stored.topic, stored.state)
    if notification_id is not None:
        columns += ", rowid" if sqlite else ", notification_id"
        params += (notification_id,)
    marks = ", ".join(["%s"] * len(params))
    if sqlite:
        raw.execute(f"INSERT INTO {raw.events} ({columns}) VALUES ({marks})", params)
        nid = int(raw.execute("SELECT last_insert_rowid()")[0][0])
        recorded: Any = instant_text(meta.recorded_at)
        effective: Any = meta.effective_on.isoformat()
    else:
        nid = int(
            raw.execute(
                f"INSERT INTO {raw.events} ({columns}) VALUES ({marks}) RETURNING notification_id",
                params,
            )[0][0]
        )
        recorded, effective = meta.recorded_at, meta.effective_on
    raw.execute(
        f"INSERT INTO {raw.index} (originator_id, originator_version, notification_id, "
        "agency_id, stream_type, recorded_at, effective_on, link) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        (
            raw.key(stream),
            position,
            nid,
            raw.key(meta.agency_id),
            meta.stream_type,
            recorded,
            effective,
            link,
        ),
    )
    return nid, link


def shift_and_relink(raw: Any, ledger: Ledger, stream: UUID, from_version: int) -> None:
    """Move a stream's events from ``from_version`` on one position up (making room for an
    insert) and recompute every link of the stream from there: what the owner, triggers
    off, can do."""
    for table in (raw.events, raw.index):
        for step in (1000, -999):  # in two steps: unique keys are checked row by row
            raw.execute(
                f"UPDATE {table} SET originator_version = originator_version + %s "
                "WHERE originator_id = %s AND originator_version >= %s",
                (step, raw.key(stream), from_version + (0 if step > 0 else 1000)),
            )


def relink(raw: Any, ledger: Ledger, stream: UUID, from_version: int) -> None:
    """Recompute the stream's links from ``from_version`` on, from its stored rows."""
    rows = {
        row.originator_version: row
        for row in ledger.store.iter_index()
        if row.originator_id == stream
    }
    events = {
        e.originator_version: e
        for e in ledger.store.iter_stored()
        if UUID(str(e.originator_id)) == stream
    }
    previous = rows[from_version - 1].link if from_version > 1 else GENESIS
    for version in sorted(v for v in rows if v >= from_version):
        event = events[version]
        link = link_for(previous, stream, version, event.topic, event.state, rows[version].meta)
        raw.execute(
            f"UPDATE {raw.index} SET link = %s "
            "WHERE originator_id = %s AND originator_version = %s",
            (link, raw.key(stream), version),
        )
        previous = link
