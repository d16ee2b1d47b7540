"""Form fields on the dashboard's pages: read as text (so a bad value comes back to the
form, beside its field, instead of a generic error page), and the ledger's refusals turned
into a message for the field they are about.

A form that is refused appends nothing: the use case raises before its unit of work is
saved, and the page is rendered again with what was typed and the message."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ledger.errors import (
    CertificateRejectedError,
    FutureEffectiveDateError,
    HoursOutOfRangeError,
    LedgerError,
    NotFoundError,
)

__all__ = ["FormErrors", "field_of", "parse_day", "sentence"]


@dataclass
class FormErrors:
    """Messages by field name ("" for the form as a whole)."""

    messages: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.messages.setdefault(name, message)

    def __bool__(self) -> bool:
        return bool(self.messages)

    def get(self, name: str) -> str:
        return self.messages.get(name, "")


def parse_day(errors: FormErrors, name: str, text: str, label: str) -> date | None:
    value = text.strip()
    if not value:
        errors.add(name, f"Enter {label} (YYYY-MM-DD).")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.add(name, f"{value!r} is not a date: use YYYY-MM-DD, e.g. 2025-02-10.")
        return None


def field_of(error: LedgerError, fields: tuple[str, ...], date_field: str) -> str:
    """Which of ``fields`` a refusal is about ("" for the form as a whole): the field the
    error names, else the one its message starts with."""
    named = {"topic_hours": "topic"}.get(error.field or "", error.field)
    if named in fields:
        return named
    if isinstance(error, CertificateRejectedError):
        return "certificate"
    if isinstance(error, FutureEffectiveDateError):
        return date_field
    if isinstance(error, HoursOutOfRangeError):
        return "topic" if "topic" in str(error) and "topic" in fields else "hours"
    if isinstance(error, NotFoundError) and "employee" in fields:
        return "employee"
    first = str(error).split(" ", 1)[0].rstrip(":")
    if first == "topic_hours" or first == "topic":
        return "topic" if "topic" in fields else ""
    return first if first in fields else ""


_LEAD = re.compile(r"^[a-z_]+: ")


def sentence(message: str) -> str:
    """A ledger message as a sentence beside its field ("certificate: the file is ..."
    becomes "The file is ...")."""
    text = _LEAD.sub("", message, count=1)
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else f"{text}."
