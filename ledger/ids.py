"""The deterministic stream ids of agencies and people, apart from their aggregates: a read
that only names a stream (``replay.asof``) does not import the aggregate and its events
(``ledger.agency`` and ``ledger.person`` export them as before)."""

from __future__ import annotations

import unicodedata
from uuid import NAMESPACE_URL, UUID, uuid5

__all__ = ["agency_id_for", "person_id_for"]


def agency_id_for(slug: str) -> UUID:
    """Deterministic stream id: registering the same slug twice collides in the store."""
    return uuid5(NAMESPACE_URL, f"muster:agency:{slug}")


def person_id_for(agency_id: UUID, employee_id: str) -> UUID:
    """Deterministic stream id: a second enrolment of the same employee id collides.

    NFC first, as ``fields.text`` stores ids, so an id typed with a decomposed accent finds
    the person (ids already in NFC, and every ASCII id, map exactly as before)."""
    key = unicodedata.normalize("NFC", employee_id.strip()).casefold()
    return uuid5(NAMESPACE_URL, f"muster:person:{agency_id}:{key}")
