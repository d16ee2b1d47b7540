"""Field validation: turns a command's primitive values into the canonical values events hold,
raising the typed errors in ``ledger.errors``."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache
from importlib import resources

from ledger.errors import HoursOutOfRangeError, InvalidValueError
from ledger.vocabulary import assignment_id

__all__ = [
    "MAX_HOURS_PER_RECORD",
    "agency_slug",
    "assignments",
    "choice",
    "hidden_character",
    "hours",
    "jurisdiction",
    "shipped_states",
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
_PACK_JURISDICTION = re.compile(r"^jurisdiction:\s*US-([A-Z]{2})\s*$", re.MULTILINE)
# Control (Cc), format (Cf: bidi overrides U+202A-202E and U+2066-2069, zero-width
# U+200B-200D, U+2060, U+FEFF), line and paragraph separators, lone surrogates: none belongs
# in a name, an id or a title, and each can make stored text read differently from what it is.
_HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
# Hours are written with ASCII digits and at most one point: Decimal() alone would also take
# "1_0" (ten), "1e1" (ten) and Arabic-Indic digits.
_HOURS = re.compile(r"^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")
_HOUR_VALUES: dict[Decimal, Decimal] = {}
# USPS codes of the states, DC and the inhabited territories.
_US_STATES = frozenset([
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ",
    "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT",
    "VA", "WA", "WV", "WI", "WY", "DC", "PR", "GU", "VI", "AS", "MP",
])  # fmt: skip
_TOPIC = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


def agency_slug(slug: str) -> str:
    if not _SLUG.match(slug):
        raise InvalidValueError(
            f"agency slug {slug!r}: use 2-63 lowercase letters, digits and hyphens"
        )
    return slug


def state_code(state: str) -> str:
    """A two-letter US state, district or territory code, upper case. ``ZZ`` is refused
    naming the states muster ships rule packs for; a real state without a shipped pack
    stays possible (its agency gives its time zone and follows local packs)."""
    if not _STATE.match(state.upper()):
        raise InvalidValueError(f"state {state!r}: use a two-letter code such as MN")
    if state.upper() not in _US_STATES:
        raise InvalidValueError(
            f"state {state.upper()!r} is not a US state code; shipped states: "
            f"{', '.join(sorted(shipped_states()))}"
        )
    return state.upper()


@lru_cache(maxsize=1)
def shipped_states() -> frozenset[str]:
    """The states of the packs in ``ledger/rule_packs``, from each file's top-level
    ``jurisdiction: US-XX`` line (the ledger reads no YAML; a test checks this against the
    rule engine's own loader)."""
    folder = resources.files("ledger").joinpath("rule_packs")
    states = set()
    for entry in folder.iterdir():
        if entry.name.endswith(".yaml"):
            match = _PACK_JURISDICTION.search(entry.read_text(encoding="utf-8"))
            if match:
                states.add(match.group(1))
    return frozenset(states)


def jurisdiction(value: str) -> str:
    if not _JURISDICTION.match(value):
        raise InvalidValueError(f"jurisdiction {value!r}: use a code such as US-MN")
    return value


def hidden_character(value: str) -> tuple[int, str] | None:
    """(position, character) of the first control or invisible format character, if any."""
    if value.isprintable():
        return None  # the common case, in C (isprintable is False for every hidden category)
    for position, char in enumerate(value, start=1):
        if unicodedata.category(char) in _HIDDEN:
            return position, char
    return None


def _name(label: str) -> str | None:
    """The field a refusal names: the label when it is a field's name ("course_title"),
    None for a label in words ("quiz question")."""
    return label if label.isidentifier() else None


def text(field: str, value: str, *, required: bool = False, limit: int = 200) -> str:
    """Stripped, NFC-normalised text (a composed and a decomposed "é" are the same name),
    without control or invisible format characters."""
    name = _name(field)
    if not isinstance(value, str):
        raise InvalidValueError(f"{field}: expected text", field=name)
    value = unicodedata.normalize("NFC", value.strip())
    if required and not value:
        raise InvalidValueError(f"{field} is required", field=name)
    hidden = hidden_character(value)
    if hidden is not None:
        position, char = hidden
        char_name = unicodedata.name(char, "control character")
        raise InvalidValueError(
            f"{field}: character {position} is U+{ord(char):04X} ({char_name}), a control or "
            "invisible formatting character, which is not accepted",
            field=name,
        )
    if len(value) > limit:
        raise InvalidValueError(f"{field}: at most {limit} printable characters", field=name)
    return value


def choice(field: str, value: str, allowed: type[StrEnum]) -> str:
    try:
        return str(allowed(value).value)
    except ValueError:
        options = ", ".join(member.value for member in allowed)
        raise InvalidValueError(
            f"{field} {value!r}: expected one of {options}", field=_name(field)
        ) from None


def hours(field: str, value: Decimal | str | int, *, name: str | None = None) -> Decimal:
    """Hours of one record (``name``: the field refused, if not ``field`` itself)."""
    name = name or _name(field)
    if isinstance(value, str) and not _HOURS.match(value.strip()):
        raise HoursOutOfRangeError(
            f"{field} {value!r} is not a number of hours: write digits 0-9 with a decimal point",
            field=name,
        )
    try:
        parsed = Decimal(str(value).strip())
    except InvalidOperation:
        raise HoursOutOfRangeError(f"{field} {value!r} is not a number", field=name) from None
    if not parsed.is_finite() or parsed <= 0 or parsed > MAX_HOURS_PER_RECORD:
        raise HoursOutOfRangeError(
            f"{field} {value} must be more than 0 and at most {MAX_HOURS_PER_RECORD}",
            field=name,
        )
    if parsed != parsed.quantize(Decimal("0.01")):
        raise HoursOutOfRangeError(f"{field} {value}: at most two decimal places", field=name)
    # One canonical form, so the same hours from CSV ("2") and XLSX (2.0) store identically;
    # one shared object per value (at most 12,000: 0.01 to 120.00), not one per record.
    canonical = parsed.quantize(Decimal("0.01"))
    return _HOUR_VALUES.setdefault(canonical, canonical)


def topic_hours(
    values: dict[str, Decimal | str | int], total: Decimal, *, field: str = "topic_hours"
) -> dict[str, Decimal]:
    """Hours by canonical topic, none above the record's total; ``field``: the input a
    refusal names (``topic`` where a use case takes one topic, not a mapping)."""
    cleaned: dict[str, Decimal] = {}
    for topic, value in values.items():
        if not _TOPIC.match(topic):
            raise InvalidValueError(
                f"topic {topic!r}: use a canonical topic id such as use_of_force",
                field=field,
            )
        cleaned[topic] = hours(f"hours for {topic}", value, name=field)
    if sum(cleaned.values(), Decimal(0)) > total:
        raise HoursOutOfRangeError(
            f"topic hours {sum(cleaned.values())} exceed the record's total {total}",
            field=field,
        )
    return dict(sorted(cleaned.items()))


def tags(values: Sequence[str], kind: str = "tag") -> list[str]:
    """A set of identifiers (tags, certificates, assignments): lower case, sorted, unique."""
    cleaned = sorted({value.strip().lower() for value in values if value.strip()})
    for value in cleaned:
        if not _TOPIC.match(value):
            raise InvalidValueError(
                f"{kind} {value!r}: use lowercase letters, digits and _", field=f"{kind}s"
            )
    return cleaned


def assignments(values: Sequence[str]) -> list[str]:
    """Assignment names as canonical ids (``ledger.vocabulary``: "SRO" and "School Resource
    Officer" are ``school_resource_officer``), sorted and unique; a name outside the
    vocabulary is kept, lower case, for the agency's own use."""
    return tags([assignment_id(value) for value in values if value.strip()], "assignment")


def valid_until(value: date | None, completed_on: date) -> date | None:
    if value is not None and value < completed_on:
        raise InvalidValueError(
            "a credential cannot expire before it was earned", field="valid_until"
        )
    return value
