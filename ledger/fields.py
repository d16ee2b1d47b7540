"""Field validation: turns a command's primitive values into the canonical values events hold,
raising the typed errors in ``ledger.errors``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from ledger.errors import HoursOutOfRangeError, InvalidValueError
from ledger.vocabulary import assignment_id

__all__ = [
    "MAX_HOURS_PER_RECORD",
    "agency_slug",
    "assignments",
    "choice",
    "hours",
    "jurisdiction",
    "state_code",
    "tags",
    "text",
    "topic_hours",
    "valid_until",
]

MAX_HOURS_PER_RECORD = Decimal(120)  # a three-week full-time course on one certificate
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
_STATE = re.compile(r"^[A-Z]{2}$")
_JURISDICTION = re.compile(r"^US-[A-Z]{2}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TOPIC = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


def agency_slug(slug: str) -> str:
    if not _SLUG.match(slug):
        raise InvalidValueError(
            f"agency slug {slug!r}: use 2-63 lowercase letters, digits and hyphens"
        )
    return slug


def state_code(state: str) -> str:
    """A two-letter state code, upper case."""
    if not _STATE.match(state.upper()):
        raise InvalidValueError(f"state {state!r}: use a two-letter code such as MN")
    return state.upper()


def jurisdiction(value: str) -> str:
    if not _JURISDICTION.match(value):
        raise InvalidValueError(f"jurisdiction {value!r}: use a code such as US-MN")
    return value


def text(field: str, value: str, *, required: bool = False, limit: int = 200) -> str:
    if not isinstance(value, str):
        raise InvalidValueError(f"{field}: expected text")
    value = value.strip()
    if required and not value:
        raise InvalidValueError(f"{field} is required")
    if len(value) > limit or _CONTROL.search(value):
        raise InvalidValueError(f"{field}: at most {limit} printable characters")
    return value


def choice(field: str, value: str, allowed: type[StrEnum]) -> str:
    try:
        return str(allowed(value).value)
    except ValueError:
        options = ", ".join(member.value for member in allowed)
        raise InvalidValueError(f"{field} {value!r}: expected one of {options}") from None


def hours(field: str, value: Decimal | str | int) -> Decimal:
    try:
        parsed = Decimal(str(value).strip())
    except InvalidOperation:
        raise HoursOutOfRangeError(f"{field} {value!r} is not a number") from None
    if not parsed.is_finite() or parsed <= 0 or parsed > MAX_HOURS_PER_RECORD:
        raise HoursOutOfRangeError(
            f"{field} {value} must be more than 0 and at most {MAX_HOURS_PER_RECORD}"
        )
    if parsed != parsed.quantize(Decimal("0.01")):
        raise HoursOutOfRangeError(f"{field} {value}: at most two decimal places")
    # One canonical form, so the same hours from CSV ("2") and XLSX (2.0) store identically.
    return parsed.quantize(Decimal("0.01"))


def topic_hours(values: dict[str, Decimal | str | int], total: Decimal) -> dict[str, Decimal]:
    cleaned: dict[str, Decimal] = {}
    for topic, value in values.items():
        if not _TOPIC.match(topic):
            raise InvalidValueError(
                f"topic {topic!r}: use a canonical topic id such as use_of_force"
            )
        cleaned[topic] = hours(f"hours for {topic}", value)
    if sum(cleaned.values(), Decimal(0)) > total:
        raise HoursOutOfRangeError(
            f"topic hours {sum(cleaned.values())} exceed the record's total {total}"
        )
    return dict(sorted(cleaned.items()))


def tags(values: Sequence[str], kind: str = "tag") -> list[str]:
    """A set of identifiers (tags, certificates, assignments): lower case, sorted, unique."""
    cleaned = sorted({value.strip().lower() for value in values if value.strip()})
    for value in cleaned:
        if not _TOPIC.match(value):
            raise InvalidValueError(f"{kind} {value!r}: use lowercase letters, digits and _")
    return cleaned


def assignments(values: Sequence[str]) -> list[str]:
    """Assignment names as canonical ids (``ledger.vocabulary``: "SRO" and "School Resource
    Officer" are ``school_resource_officer``), sorted and unique; a name outside the
    vocabulary is kept, lower case, for the agency's own use."""
    return tags([assignment_id(value) for value in values if value.strip()], "assignment")


def valid_until(value: date | None, completed_on: date) -> date | None:
    if value is not None and value < completed_on:
        raise InvalidValueError("a credential cannot expire before it was earned")
    return value
