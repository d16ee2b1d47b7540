"""Parsing the two time axes at the CLI edge. What a date or an instant without an offset
means is the agency's local time, so the read side resolves them (``replay.asof``): the
CLI only checks the form."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from ledger.application import Ledger
    from replay.asof import KnownAt

__all__ = ["FIRST_DAY", "LAST_DAY", "model_day", "parse_as_of", "parse_day", "parse_known_at"]

# The days a question may name. Not a rule of any pack: the span the engine's date arithmetic
# (windows of years, grace periods, steps of a trend) stays inside Python's calendar for;
# ``--as-of 9999-12-31`` once overflowed it in the middle of an answer.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


def _in_range(day: date, option: str, text: str) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise typer.BadParameter(
            f"{option} {text!r}: muster answers for days from {FIRST_DAY} to {LAST_DAY}"
        )
    return day


def parse_day(text: str, option: str) -> date:
    """A calendar date, extended or basic ISO form (``2024-08-05``, ``20240805``), between
    ``FIRST_DAY`` and ``LAST_DAY``."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(f"{option} {text!r}: use YYYY-MM-DD") from None
    return _in_range(day, option, text)


def parse_as_of(text: str | None) -> date | None:
    """A calendar date; None (no ``--as-of``) means the agency's local date at the
    ``known_at`` used (``replay.asof.local_day``)."""
    return parse_day(text, "--as-of") if text else None


def parse_known_at(text: str | None) -> KnownAt:
    """None (no ``--known-at``) means now. A bare date, in the extended or the basic ISO
    form (``2024-08-05``, ``20240805``), is kept as a date: the read side takes the end of
    that day in the agency's time zone. An instant without an offset is the agency's local
    time (kept naive for the read side); with one, it is converted to UTC.

    Nothing is refused for being late: the read side clamps every ``known_at`` to the
    log's stable horizon (now, or the last committed unit's recorded time while one is
    being written; ``replay.asof.known_at_used``), so the end of today, tomorrow or a typo
    years ahead are all answered as the records stand now, and the answer states the
    ``known_at`` it used. Asked again with that ``known_at``, the answer is the same, byte
    for byte."""
    if not text:
        return None
    try:
        return _in_range(date.fromisoformat(text.strip()), "--known-at", text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(
            f"--known-at {text!r}: use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+HH:MM]"
        ) from None
    # Checked before any offset is applied: year 1 at +05:00 is before the calendar in UTC.
    _in_range(moment.date(), "--known-at", text)
    return moment if moment.tzinfo is None else moment.astimezone(UTC)


def model_day(ledger: Ledger, text: str | None) -> date:
    """The day the tracked model answers for: the one given, else today where the store's
    agencies keep their days (the tracked model has one day for every agency; agencies in
    several zones take the earliest zone's date, whose day ends last)."""
    if text:
        return parse_day(text, "--as-of")
    from ledger.time_zones import default_time_zone, zone_info

    now = ledger.clock()
    zones = {
        a.time_zone or default_time_zone(a.jurisdiction) or "UTC" for a in ledger.list_agencies()
    }
    return min((now.astimezone(zone_info(z)).date() for z in zones), default=now.date())
