"""Parsing one cell: dates, hours, topic lists and lists of names.

Each parser returns the typed value or raises ``CellError`` whose message is the reason a
coordinator reads in the report. Parsing is forgiving about form (US or ISO dates, spacing,
letter case) and strict about meaning (an impossible date is never guessed into a real one).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from datetime import date
from decimal import Decimal, InvalidOperation

__all__ = [
    "CellError",
    "normalise_token",
    "parse_date",
    "parse_hours",
    "parse_list",
    "parse_topics",
    "row_key_text",
]

# ASCII digits only: ``\d`` alone would read Arabic-Indic or full-width digits as a date.
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", re.ASCII)
_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2,4})$", re.ASCII)
# Digits 0-9 with at most one point (a sign only so "-2" is told hours must be more than 0);
# Decimal() alone also reads "1_0" and "1e1" as ten.
_HOURS = re.compile(r"^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")
_TOKEN_SEPARATORS = re.compile(r"[\s\-/]+")
_EARLIEST = date(1900, 1, 1)


class CellError(ValueError):
    """The cell's text cannot be read as the column's type; the message says why."""


def parse_date(text: str) -> date:
    """``YYYY-MM-DD`` or US ``M/D/YYYY``; two-digit years are refused, not guessed."""
    value = text.strip()
    iso, us = _ISO.match(value), _US.match(value)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    elif us:
        month, day, year = (int(part) for part in us.groups())
        if len(us.group(3)) != 4:
            raise CellError(f"{value!r}: write the year with four digits (M/D/YYYY)")
    else:
        raise CellError(f"{value!r} is not a date: use YYYY-MM-DD or M/D/YYYY")
    try:
        parsed = date(year, month, day)
    except ValueError as error:
        raise CellError(f"{value!r} is not a real date ({error})") from None
    if parsed < _EARLIEST:
        raise CellError(f"{value!r} is before 1900")
    return parsed


def parse_hours(text: str) -> Decimal:
    """A positive decimal number of hours with a decimal point (``2``, ``2.5``)."""
    value = text.strip()
    if "," in value:
        raise CellError(f"{value!r}: use a decimal point, not a comma")
    if not _HOURS.match(value):
        raise CellError(
            f"{value!r} is not a number of hours: write digits 0-9 with a decimal point (2.5)"
        )
    try:
        hours = Decimal(value)
    except InvalidOperation:
        raise CellError(f"{value!r} is not a number of hours") from None
    if not hours.is_finite():
        raise CellError(f"{value!r} is not a number of hours")
    if hours <= 0:
        raise CellError(f"hours must be more than 0 (got {value})")
    return hours


def normalise_token(text: str) -> str:
    """Case and spacing of an id: "Use of Force" and "use-of-force" are ``use_of_force``."""
    return _TOKEN_SEPARATORS.sub("_", text.strip().casefold()).strip("_")


def parse_list(text: str) -> list[str]:
    """``;``-separated names (commas accepted too), normalised, duplicates dropped."""
    parts = [normalise_token(part) for part in re.split(r"[;,]", text)]
    return sorted({part for part in parts if part})


def parse_topics(
    text: str, total: Decimal | None, known: Collection[str] | None
) -> dict[str, Decimal]:
    """``topic=hours;topic=hours`` (or ``,``); a single topic without ``=`` takes all hours.

    ``known`` is the agency's canonical topic set (``None`` when it could not be loaded,
    which the caller reports once for the file). ``total`` is ``None`` when the row's own
    hours are unreadable, in which case a bare topic cannot be given hours.
    """
    # Commas separate too, so a semicolon-separated CSV can list topics without quoting.
    parts = [part.strip() for part in re.split(r"[;,]", text) if part.strip()]
    if not parts:
        return {}
    problems: list[str] = []
    topics: dict[str, Decimal] = {}
    bare = [part for part in parts if "=" not in part]
    if bare and len(parts) > 1:
        raise CellError(
            f"give hours for every topic when listing several (e.g. use_of_force=2;autism=4): "
            f"{', '.join(bare)}"
        )
    for part in parts:
        name, _, hours_text = part.partition("=")
        topic = normalise_token(name)
        if not topic:
            problems.append(f"{part!r} names no topic")
            continue
        if topic in topics:
            problems.append(f"topic {topic} is listed twice")
            continue
        if known is not None and topic not in known:
            problems.append(_unknown_topic(topic, known))
            continue
        if "=" in part:
            try:
                topics[topic] = parse_hours(hours_text)
            except CellError as error:
                problems.append(f"{topic}: {error}")
        elif total is not None:
            topics[topic] = total
    if problems:
        raise CellError("; ".join(problems))
    if total is not None:
        spent = sum(topics.values(), Decimal(0))
        if spent > total:
            raise CellError(f"topic hours add up to {spent}, more than the record's {total} hours")
    return dict(sorted(topics.items()))


def _unknown_topic(topic: str, known: Collection[str]) -> str:
    close = difflib.get_close_matches(topic, sorted(known), n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"topic {topic!r} is not in the agency's rule pack{hint}"


def row_key_text(text: str) -> str:
    """Text as compared for duplicates: case and runs of spaces do not make rows differ."""
    return " ".join(text.split()).casefold()
