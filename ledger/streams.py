"""The kinds of stream: each aggregate's base event class, with the stream-type literal that
goes into the hash header of every event on such a stream (so these strings never change,
wherever the classes move)."""

from __future__ import annotations

from typing import ClassVar

from ledger.envelope import LedgerEvent

__all__ = [
    "AgencyEvent",
    "AgencyProgrammeEvent",
    "NoticeEvent",
    "NoticePreferencesEvent",
    "NoticeSettingsEvent",
    "PersonEvent",
    "RulePackEvent",
]


class PersonEvent(LedgerEvent):
    """Base of the facts on a person's stream (``ledger.person``)."""

    stream_type: ClassVar[str] = "person"


class AgencyEvent(LedgerEvent):
    """Base of the facts on an agency's stream (``ledger.agency``; ``ledger.imports``
    records its markers there too)."""

    stream_type: ClassVar[str] = "agency"


class AgencyProgrammeEvent(AgencyEvent):
    """Base of the agency's own programme facts on its stream (``ledger.program_events``:
    credential types, policies). The state rule track never reads them, so catching the
    tracked read models up re-evaluates nobody for them (``replay.read_models``); the
    credential and policy tracks read them afresh for each answer (``replay.tracks``)."""


class RulePackEvent(LedgerEvent):
    """Base of the facts on a rule pack's stream (``ledger.rule_pack``)."""

    stream_type: ClassVar[str] = "rule_pack"


class NoticeEvent(LedgerEvent):
    """Base of the facts on a notice's stream (``ledger.notice``)."""

    stream_type: ClassVar[str] = "notice"


class NoticeSettingsEvent(LedgerEvent):
    """Base of the facts on an agency's notice-settings stream (``ledger.notice``)."""

    stream_type: ClassVar[str] = "notice_settings"


class NoticePreferencesEvent(LedgerEvent):
    """Base of the facts on a person's notice-preferences stream (``ledger.notice``): kept
    off the person's own stream, so a preference never changes a compliance answer."""

    stream_type: ClassVar[str] = "notice_preferences"
