"""Parsing the two time axes at the CLI edge (the only place that reads the clock)."""

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


def parse_known_at(text: str | None) -> datetime:
    """An instant; default now. A bare date means the end of that day (UTC, at most now); a time
    without an offset is UTC. The future is refused: nobody knows it yet."""
    now = datetime.now(UTC)
    if not text:
        return now
    try:
        if len(text) == 10:
            # End of that day, or now if the day is today.
            moment = min(datetime.combine(date.fromisoformat(text), time.max, UTC), now)
        else:
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
    except ValueError:
        raise typer.BadParameter(
            f"--known-at {text!r}: use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+HH:MM]"
        ) from None
    if moment > now:
        raise typer.BadParameter(f"--known-at {text!r} is in the future")
    return moment.astimezone(UTC)
