"""Naming the spreadsheet column behind a ledger error.

The import lets the ledger's own use cases validate each row (one set of rules for every
edge); their typed errors carry a message that starts with the field or the fact concerned.
This maps that start to the column the coordinator must fix.
"""

from __future__ import annotations

from ledger.errors import LedgerError

__all__ = ["column_for"]

# Message starts (ledger wording) → spreadsheet column; the longest match wins.
_PREFIXES: dict[str, str] = {
    "hire date": "hired_on",
    "licence issue date": "hired_on",  # the import records the licence as held since hire
    "licence period end": "license_expires_on",
    "completion date": "completed_on",
    "certification date": "certified_on",
    "certified_on": "certified_on",
    "hours for": "topics",
    "topic": "topics",
    "assignment": "assignments",
    "source_record_id": "record_id",
    "unit": "unit",
    "training record": "record_id",
    "a credential cannot expire": "valid_until",
    "tag ": "tags",
    "certificate ": "certificates",
    "employment": "employment",
    "status date": "status_on",
    "overlaps the leave": "status_on",
}


def column_for(error: LedgerError, columns: set[str], default: str) -> str:
    message = str(error)
    if "civilian staff" in message:
        return "license_number"
    for prefix in sorted(_PREFIXES, key=len, reverse=True):
        if message.startswith(prefix):
            return _PREFIXES[prefix]
    first = message.split(" ", 1)[0].rstrip(":")
    return first if first in columns else default
