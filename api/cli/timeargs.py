"""Parsing the two time axes at the CLI edge (``known_at`` is clamped by the read side)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import typer

__all__ = ["parse_as_of", "parse_known_at"]


def parse_as_of(text: str | None) -> date:
    """A calendar date; default today (UTC)."""
    if not text:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"--as-of {text!r}: use YYYY-MM-DD") from None


def parse_known_at(text: str | None) -> datetime | None:
    """An instant; None (no ``--known-at``) means now. A bare date, in the extended or the
    basic ISO form (``2024-08-05``, ``20240805``), means the end of that day (UTC); a time
    without an offset is UTC.

    Nothing is refused for being late: the read side clamps every ``known_at`` to the
    log's stable horizon (now, or just before the last committed unit while one is being
    written; ``replay.asof.known_at_used``), so the end of today, tomorrow or a typo years
    ahead are all answered as the records stand now, and the answer states the ``known_at``
    it used. Asked again with that ``known_at``, the answer is the same, byte for byte."""
    if not text:
        return None
    try:
        return datetime.combine(date.fromisoformat(text), time.max, UTC)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"--known-at {text!r}: use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+HH:MM]"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
