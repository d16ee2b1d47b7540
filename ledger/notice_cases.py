"""Notice use cases over a ``Ledger``: an agency's notice settings, deciding notices once,
recording each delivery attempt, and the notices still to be sent.

Like ``ledger.accounts``: primitives in, typed errors out, the clock read once per unit."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from ledger.aggregate import Envelope
from ledger.errors import ConcurrentWriteError, InvalidValueError, NoticeNotFoundError
from ledger.notice import (
    Notice,
    NoticeAcknowledged,
    NoticeDecided,
    NoticeDelivered,
    NoticeDeliveryFailed,
    NoticePreferences,
    NoticeSettings,
    NoticeSettingsRecorded,
    notice_id_for,
    notice_preferences_id_for,
    notice_settings_id_for,
)
from ledger.serialisation import LedgerMapper
from ledger.time_zones import zone_info

if TYPE_CHECKING:
    from ledger.application import Ledger

__all__ = [
    "MAX_ATTEMPTS",
    "NoticeRecord",
    "acknowledge_notice",
    "attempt_event",
    "decide_notices",
    "notice_ids_about",
    "notice_preferences",
    "notice_record",
    "notice_settings",
    "notices_of",
    "notices_to_send",
    "record_attempts",
    "record_notice_preferences",
    "record_notice_settings",
    "recorded_notices",
]

MAX_ATTEMPTS = 8
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_FIRST_RETRY = timedelta(minutes=5)


@dataclass(frozen=True)
class NoticeRecord:
    """A notice as recorded: its decision and every delivery attempt, oldest first."""

    id: UUID
    decided: NoticeDecided
    attempts: list[NoticeDelivered | NoticeDeliveryFailed]
    acknowledged: NoticeAcknowledged | None = None
    head: int = 0  # the stream's last position (0: the decision and its attempts alone)

    @property
    def delivered(self) -> NoticeDelivered | None:
        return next((a for a in self.attempts if isinstance(a, NoticeDelivered)), None)

    @property
    def version(self) -> int:
        """The stream's last position, which the next event on it follows."""
        return self.head or 1 + len(self.attempts) + (self.acknowledged is not None)

    @classmethod
    def of(cls, notice_id: UUID, events: Sequence[Any]) -> NoticeRecord:
        """A record from its stream's events (the decision first)."""
        return cls(
            notice_id,
            cast(NoticeDecided, events[0]),
            [e for e in events[1:] if isinstance(e, NoticeDelivered | NoticeDeliveryFailed)],
            next((e for e in events if isinstance(e, NoticeAcknowledged)), None),
            events[-1].originator_version,
        )


def record_notice_settings(
    ledger: Ledger,
    slug: str,
    *,
    actor: str,
    windows: Sequence[int] = (90, 60, 30, 7),
    remind_on_leave: bool = False,
    digest: str = "weekly",
    digest_weekday: int = 0,
    webhook_url: str = "",
    allow_extra_recipients: bool = False,
    effective_on: date | None = None,
) -> None:
    if any(not 0 < w <= 730 for w in windows) or len(set(windows)) != len(windows):
        raise InvalidValueError("windows: distinct days between 1 and 730")
    if digest not in {"daily", "weekly", "off"}:
        raise InvalidValueError("digest: daily, weekly or off")
    if not 0 <= digest_weekday <= 6:
        raise InvalidValueError("digest_weekday: 0 (Monday) to 6 (Sunday)")
    if webhook_url and not webhook_url.startswith(("https://", "http://")):
        raise InvalidValueError("webhook_url: an http(s) URL")
    agency = ledger.get_agency(slug)
    now = ledger.clock()
    try:
        settings = cast(NoticeSettings, ledger.repository.get(notice_settings_id_for(agency.id)))
    except AggregateNotFoundError:
        settings = NoticeSettings.start(at=now, actor=actor, agency_id=agency.id)
    settings.record(
        at=now,
        actor=actor,
        effective_on=effective_on or now.astimezone(zone_info(agency.time_zone or "UTC")).date(),
        windows=sorted(windows, reverse=True),
        remind_on_leave=remind_on_leave,
        digest=digest,
        digest_weekday=digest_weekday,
        webhook_url=webhook_url,
        allow_extra_recipients=allow_extra_recipients,
    )
    ledger.save(settings)


def notice_settings(ledger: Ledger, agency_id: UUID) -> NoticeSettingsRecorded | None:
    """The agency's latest notice settings (None: the defaults)."""
    try:
        settings = cast(NoticeSettings, ledger.repository.get(notice_settings_id_for(agency_id)))
    except AggregateNotFoundError:
        return None
    return settings.current


def record_notice_preferences(
    ledger: Ledger,
    slug: str,
    employee_id: str,
    *,
    actor: str,
    extra_recipients: Sequence[str] = (),
    digest_opt_in: bool = False,
) -> None:
    """A person's preferences (``NoticePreferencesRecorded``); the person must exist."""
    person = ledger.get_person(slug, employee_id)
    for address in extra_recipients:
        if not _EMAIL.fullmatch(address):
            raise InvalidValueError(f"extra recipient {address!r} is not an email address")
    now = ledger.clock()
    stream = notice_preferences_id_for(person.agency_id, person.employee_id)
    try:
        preferences = cast(NoticePreferences, ledger.repository.get(stream))
    except AggregateNotFoundError:
        preferences = NoticePreferences.start(
            at=now, actor=actor, agency_id=person.agency_id, employee_id=person.employee_id
        )
    preferences.record(
        at=now,
        actor=actor,
        extra_recipients=sorted(set(extra_recipients)),
        digest_opt_in=digest_opt_in,
    )
    try:
        ledger.save(preferences)
    except IntegrityError:
        raise ConcurrentWriteError("another writer changed these preferences; retry") from None


def notice_preferences(ledger: Ledger, agency_id: UUID) -> list[NoticePreferences]:
    """Every person's preferences in the agency (streams of their own, few)."""
    heads = ledger.store.stream_heads(NoticePreferences.stream_type, agency_id)
    return [cast(NoticePreferences, ledger.repository.get(i)) for i in sorted(heads)]


def recorded_notices(ledger: Ledger, ids: Sequence[UUID]) -> set[UUID]:
    """Those of the notice ids already decided (recorded)."""
    known = set[UUID]()
    for chunk in _chunks(list(ids), 500):  # within every backend's parameter limit
        known |= set(ledger.store.heads_of(chunk))
    return known


def decide_notices(
    ledger: Ledger,
    agency_id: UUID,
    today: date,
    decisions: Sequence[dict[str, Any]],
    *,
    actor: str,
) -> list[UUID]:
    """Record each decision (``NoticeDecided``'s own fields) not recorded before, all in one
    unit; the ids of those recorded now. A decision whose key was recorded before (another
    pass, an earlier day in the same window) is left out, so each is recorded once."""
    ids = {notice_id_for(d["notice_key"]): d for d in decisions}
    known = recorded_notices(ledger, list(ids))
    now = ledger.clock()
    fresh = [
        Notice.decide(at=now, actor=actor, agency_id=agency_id, effective_on=today, **d)
        for i, d in ids.items()
        if i not in known
    ]
    if not fresh:
        return []
    try:
        ledger.append(*fresh)
    except IntegrityError:
        raise ConcurrentWriteError("another pass decided the same notices; run it again") from None
    return [n.id for n in fresh]


def notice_record(ledger: Ledger, notice_id: UUID) -> NoticeRecord:
    return NoticeRecord.of(notice_id, ledger.stream(notice_id))


def notices_of(
    ledger: Ledger,
    agency_id: UUID,
    *,
    recorded_by: datetime | None = None,
    where: Callable[[Mapping[str, Any]], bool] | None = None,
) -> list[NoticeRecord]:
    """The agency's notices as recorded by an instant (each with only the attempts and
    acknowledgement recorded by then), oldest decision first; ``where`` keeps those whose
    decision's fields (``NoticeDecided``'s, as stored) it accepts. One bulk read of the
    agency's notice events; only the kept notices are decoded."""
    stored = ledger.store.select_stream_events(
        Notice.stream_type, agency_id=agency_id, recorded_by=recorded_by
    )
    streams: dict[UUID, list[Any]] = {}
    for s in stored:
        streams.setdefault(cast(UUID, s.originator_id), []).append(s)
    records = []
    for notice_id, events in streams.items():
        if events[0].originator_version != 1:
            continue  # cannot happen: a stream is recorded from its start
        if where is not None:
            mapper = ledger.mapper
            state = mapper.tagged_state(events[0]) if isinstance(mapper, LedgerMapper) else None
            if state is None:
                state = vars(ledger.mapper.to_domain_event(events[0]))
            if not where(state):
                continue
        records.append(
            NoticeRecord.of(notice_id, [ledger.mapper.to_domain_event(e) for e in events])
        )
    return sorted(records, key=lambda r: (r.decided.timestamp, r.decided.notice_key))


def notice_ids_about(
    ledger: Ledger, agency_id: UUID, employee_id: str, *, recorded_by: datetime | None = None
) -> list[UUID]:
    """The notices about a person recorded by an instant (told to them, or about them to a
    supervisor or coordinator), in stream-id order."""
    found = notices_of(
        ledger,
        agency_id,
        recorded_by=recorded_by,
        where=lambda d: d.get("employee_id") == employee_id,
    )
    return sorted(r.id for r in found)


def acknowledge_notice(
    ledger: Ledger,
    notice_id: UUID,
    *,
    account: str,
    mine: Callable[[NoticeDecided], bool],
    actor: str,
) -> NoticeRecord:
    """Record that ``account`` acknowledged a notice told to them (``mine`` says whether
    it was: otherwise, as for a notice that does not exist, NoticeNotFoundError). A
    notice already acknowledged stays as it was: the first acknowledgement is the fact."""
    events = ledger.stream(notice_id)
    if not events or not isinstance(events[0], NoticeDecided) or not mine(events[0]):
        raise NoticeNotFoundError(f"no notice {notice_id} was told to you")
    record = NoticeRecord.of(notice_id, events)
    if record.acknowledged is not None:
        return record
    at = ledger.clock()
    event = NoticeAcknowledged(
        **Envelope(
            originator_id=notice_id,
            originator_version=record.version + 1,
            timestamp=at,
            actor=actor,
            agency_id=record.decided.agency_id,
        ),
        effective_on=at.date(),
        account=account,
    )
    try:
        ledger.append(event)
    except IntegrityError:
        raise ConcurrentWriteError("the notice changed meanwhile; acknowledge it again") from None
    return notice_record(ledger, notice_id)


def _chunks(ids: Sequence[UUID], size: int = 2000) -> list[Sequence[UUID]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def notices_to_send(ledger: Ledger, agency_id: UUID, now: datetime) -> list[NoticeRecord]:
    """Notices decided and not delivered whose next attempt is due by ``now`` (a failed one
    with its attempts exhausted waits for a person), oldest decision first. Only the
    notices not yet delivered are read (``heads_without``: a key probe per notice in the
    database, nothing of a delivered one read or decoded), in bulk."""
    heads = ledger.store.heads_without(Notice.stream_type, agency_id, NoticeDelivered.TOPIC)
    stored = []
    for chunk in _chunks(sorted(heads)):
        stored += ledger.store.select_streams_up_to({i: heads[i] for i in chunk})
    by_stream: dict[UUID, list[Any]] = {}
    for s in stored:
        by_stream.setdefault(cast(UUID, s.originator_id), []).append(s)
    due = []
    for notice_id, events in by_stream.items():
        record = NoticeRecord.of(notice_id, [ledger.mapper.to_domain_event(e) for e in events])
        last = record.attempts[-1] if record.attempts else None
        retry = last.next_attempt_at if isinstance(last, NoticeDeliveryFailed) else None
        if last is None or (retry is not None and retry <= now):
            due.append(record)
    return sorted(due, key=lambda r: (r.decided.timestamp, r.decided.notice_key))


def attempt_event(
    record: NoticeRecord, *, at: datetime, actor: str, message_id: str = "", error: str = ""
) -> NoticeDelivered | NoticeDeliveryFailed:
    """The event recording one attempt at a notice: delivered (``message_id``) or failed
    (``error``), the next try after 5, 10, 20… minutes, none after ``MAX_ATTEMPTS``."""
    attempt = len(record.attempts) + 1
    envelope = Envelope(
        originator_id=record.id,
        originator_version=record.version + 1,
        timestamp=at,
        actor=actor,
        agency_id=record.decided.agency_id,
    )
    if not error:
        return NoticeDelivered(
            **envelope, effective_on=at.date(), attempt=attempt, message_id=message_id
        )
    retry = at + _FIRST_RETRY * 2 ** (attempt - 1) if attempt < MAX_ATTEMPTS else None
    return NoticeDeliveryFailed(
        **envelope,
        effective_on=at.date(),
        attempt=attempt,
        error=error[:500],
        next_attempt_at=retry,
    )


def record_attempts(
    ledger: Ledger, events: Sequence[NoticeDelivered | NoticeDeliveryFailed]
) -> None:
    """Append attempts (``attempt_event``) as one unit."""
    if not events:
        return
    try:
        ledger.append(*events)
    except IntegrityError:
        raise ConcurrentWriteError("another pass recorded these notices first") from None
