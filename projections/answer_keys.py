"""What a stored answer is keyed by besides a person's events and the day, and how answers
are serialised: what a read answered from the tracked model or the memo needs, kept apart
from the engine so that such a read imports none of it (issue 14 §6)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol

import orjson

from projections.fingerprint import documents_fingerprint, engine_fingerprint
from projections.stored_versions import Followed

__all__ = [
    "DEFAULT_WARNING_DAYS",
    "EXPORT_OPTIONS",
    "TRACKED_FORM",
    "Labelled",
    "rules_key",
]

# How exports are serialised: sorted keys, indented.
EXPORT_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2
# How many days before a deadline a requirement is "due soon".
DEFAULT_WARNING_DAYS = 90
# The form the tracked model's rows are stored in (in their rules key): a status document
# and a roster row of the same answer.
TRACKED_FORM = "tracked"


class Labelled(Protocol):
    """A rule version as an answer names it (``RuleVersion`` or ``StoredVersion``), and
    the days it binds for an agency that changed jurisdiction (None: every day it claims)."""

    @property
    def label(self) -> str: ...
    @property
    def followed(self) -> Followed | None: ...


def _followed_text(followed: Followed | None) -> str:
    """The days a version binds, for an agency that changed jurisdiction ("" otherwise)."""
    if followed is None:
        return ""
    spans = (f"{start or ''}..{end or ''}" for start, end in followed)
    return " followed " + ",".join(spans)


def rules_key(
    versions: Sequence[Labelled], form: str, warning_days: int = DEFAULT_WARNING_DAYS
) -> str:
    """What, besides a person's events and the day, a stored answer depends on (and its
    form: a full answer, a roster row, a status only, or the tracked model's pair). The
    days each version binds (``followed``) are part of it: the same versions under other
    followed spans judge other windows, so they never share a stored answer. A version
    with none adds nothing, so an agency that never changed jurisdiction keeps its keys."""
    parts = [
        engine_fingerprint(),
        documents_fingerprint(),
        form,
        str(warning_days),
        *sorted(v.label + _followed_text(v.followed) for v in versions),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
