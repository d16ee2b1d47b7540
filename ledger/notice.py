"""Proof of notice: every notice muster decides to send is a stream of its own, started by
``NoticeDecided`` and followed by each delivery attempt (``NoticeDelivered``,
``NoticeDeliveryFailed``); an agency's notice settings are a stream of their own too.

A notice's stream id is derived from its idempotency key (``notice_id_for``): deciding the
same notice twice — a second pass on the same day, a pass restarted after a crash — would
start the same stream twice, which the store refuses, so a notice is decided at most once.
Its topics are declared literally, like the person events' (``ledger.person_events``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from ledger.aggregate import LedgerAggregate
from ledger.streams import NoticeEvent, NoticePreferencesEvent, NoticeSettingsEvent

__all__ = [
    "Notice",
    "NoticeAcknowledged",
    "NoticeDecided",
    "NoticeDelivered",
    "NoticeDeliveryFailed",
    "NoticeEvent",
    "NoticePreferences",
    "NoticePreferencesRecorded",
    "NoticePreferencesStarted",
    "NoticeSettings",
    "NoticeSettingsEvent",
    "NoticeSettingsRecorded",
    "notice_id_for",
    "notice_preferences_id_for",
    "notice_settings_id_for",
]


def notice_id_for(key: str) -> UUID:
    """The notice's stream id: the same key, the same stream."""
    return uuid5(NAMESPACE_URL, f"muster:notice:{key}")


def notice_preferences_id_for(agency_id: UUID, employee_id: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"muster:notice-preferences:{agency_id}:{employee_id}")


def notice_settings_id_for(agency_id: UUID) -> UUID:
    return uuid5(NAMESPACE_URL, f"muster:notice-settings:{agency_id}")


class NoticeDecided(NoticeEvent, Aggregate.Created):
    """muster decided to tell ``recipient`` (by ``channel``) of ``requirement`` (a pack's
    requirement id; empty for a digest) of ``employee_id`` due on ``deadline``, in
    ``window`` (days before it, ``overdue`` or ``digest``). ``lines`` are what the message
    lists (a digest's items), ``message_digest`` the SHA-256 of the message rendered from
    these fields: a message can be rendered again, identically, after a restart."""

    TOPIC: ClassVar[str] = "ledger.notice:NoticeDecided"

    notice_key: str
    kind: str  # reminder, overdue, escalation, digest
    channel: str  # email, webhook
    recipient: str
    recipient_role: str  # person, supervisor, coordinator, webhook
    employee_id: str
    person_name: str
    requirement: str
    title: str
    deadline: date | None
    window: str
    mandatory: bool
    lines: list[str]
    message_digest: str


class NoticeDelivered(NoticeEvent):
    """The channel accepted the message (SMTP: the server queued it; webhook: a 2xx)."""

    TOPIC: ClassVar[str] = "ledger.notice:NoticeDelivered"

    attempt: int
    message_id: str

    def apply(self, aggregate: Notice) -> None:
        aggregate.attempts = self.attempt
        aggregate.delivered = True
        aggregate.next_attempt_at = None


class NoticeDeliveryFailed(NoticeEvent):
    """An attempt failed; ``next_attempt_at`` is when the next pass may retry (None: the
    attempts are exhausted and a person must look)."""

    TOPIC: ClassVar[str] = "ledger.notice:NoticeDeliveryFailed"

    attempt: int
    error: str
    next_attempt_at: datetime | None

    def apply(self, aggregate: Notice) -> None:
        aggregate.attempts = self.attempt
        aggregate.next_attempt_at = self.next_attempt_at


class NoticeAcknowledged(NoticeEvent):
    """The person told read the notice and said so in muster's inbox (``account``: whose
    account; ``actor`` says the same as the recorder). A notice is acknowledged once."""

    TOPIC: ClassVar[str] = "ledger.notice:NoticeAcknowledged"

    account: str

    def apply(self, aggregate: Notice) -> None:
        aggregate.acknowledged = True


class Notice(LedgerAggregate):
    stream_type = NoticeEvent.stream_type

    def __init__(self, agency_id: UUID, notice_key: str) -> None:
        self.agency_id = agency_id
        self.notice_key = notice_key
        self.attempts = 0
        self.delivered = False
        self.next_attempt_at: datetime | None = None
        self.acknowledged = False

    @classmethod
    def decide(
        cls, *, at: datetime, actor: str, agency_id: UUID, effective_on: date, **fields: Any
    ) -> Notice:
        """Start the notice's stream; ``fields`` are ``NoticeDecided``'s own."""
        key = str(fields["notice_key"])
        return cls._start(
            NoticeDecided(
                **cls._start_envelope(notice_id_for(key), at, actor, agency_id),
                effective_on=effective_on,
                **fields,
            )
        )


class NoticeSettingsRecorded(NoticeSettingsEvent):
    """An agency's notice settings from ``effective_on``: reminder windows (days before a
    deadline), whether people on leave are reminded, the coordinators' digest (``daily``,
    ``weekly`` on ``digest_weekday``, 0 = Monday, or ``off``), a webhook to tell too,
    and whether people may add recipients of their own."""

    TOPIC: ClassVar[str] = "ledger.notice:NoticeSettingsRecorded"

    windows: list[int]
    remind_on_leave: bool
    digest: str
    digest_weekday: int
    webhook_url: str
    allow_extra_recipients: bool

    def apply(self, aggregate: NoticeSettings) -> None:
        aggregate.current = self


class NoticeSettingsStarted(NoticeSettingsEvent, Aggregate.Created):
    TOPIC: ClassVar[str] = "ledger.notice:NoticeSettingsStarted"


class NoticeSettings(LedgerAggregate):
    stream_type = NoticeSettingsEvent.stream_type

    def __init__(self, agency_id: UUID) -> None:
        self.agency_id = agency_id
        self.current: NoticeSettingsRecorded | None = None

    @classmethod
    def start(cls, *, at: datetime, actor: str, agency_id: UUID) -> NoticeSettings:
        return cls._start(
            NoticeSettingsStarted(
                **cls._start_envelope(notice_settings_id_for(agency_id), at, actor, agency_id),
                effective_on=at.date(),
            )
        )

    def record(self, *, at: datetime, actor: str, effective_on: date, **values: Any) -> None:
        """``values``: ``NoticeSettingsRecorded``'s own fields."""
        self._record(
            NoticeSettingsRecorded(**self._envelope(at, actor), effective_on=effective_on, **values)
        )


class NoticePreferencesStarted(NoticePreferencesEvent, Aggregate.Created):
    TOPIC: ClassVar[str] = "ledger.notice:NoticePreferencesStarted"

    employee_id: str


class NoticePreferencesRecorded(NoticePreferencesEvent):
    """A person's own choices from now on: more addresses told with them (where the
    agency allows) and whether the agency's digest comes to them too. Mandatory notices
    to the person are not a preference: nothing here turns them off."""

    TOPIC: ClassVar[str] = "ledger.notice:NoticePreferencesRecorded"

    extra_recipients: list[str]
    digest_opt_in: bool

    def apply(self, aggregate: NoticePreferences) -> None:
        aggregate.extra_recipients = list(self.extra_recipients)
        aggregate.digest_opt_in = self.digest_opt_in


class NoticePreferences(LedgerAggregate):
    stream_type = NoticePreferencesEvent.stream_type

    def __init__(self, agency_id: UUID, employee_id: str) -> None:
        self.agency_id = agency_id
        self.employee_id = employee_id
        self.extra_recipients: list[str] = []
        self.digest_opt_in = False

    @classmethod
    def start(
        cls, *, at: datetime, actor: str, agency_id: UUID, employee_id: str
    ) -> NoticePreferences:
        stream = notice_preferences_id_for(agency_id, employee_id)
        return cls._start(
            NoticePreferencesStarted(
                **cls._start_envelope(stream, at, actor, agency_id),
                effective_on=at.date(),
                employee_id=employee_id,
            )
        )

    def record(
        self, *, at: datetime, actor: str, extra_recipients: list[str], digest_opt_in: bool
    ) -> None:
        self._record(
            NoticePreferencesRecorded(
                **self._envelope(at, actor),
                effective_on=at.date(),
                extra_recipients=extra_recipients,
                digest_opt_in=digest_opt_in,
            )
        )
