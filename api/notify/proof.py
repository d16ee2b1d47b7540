"""Proof of notice, as people read it: the notices recorded for one person ("told on
2025-10-02 by email to e2@pd.example: reminder, 90 days or less before … — delivered"),
from the rows the history and the packets read (``replay.notices``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ledger.application import Ledger
from replay.notices import notice_rows, notice_text

__all__ = ["ToldLine", "notices_for_person"]


@dataclass(frozen=True)
class ToldLine:
    day: str
    text: str


def notices_for_person(
    ledger: Ledger, slug: str, employee_id: str, known_at: datetime | None = None
) -> list[ToldLine]:
    """The notices about a person recorded by ``known_at`` (None: all), oldest first."""
    agency_id = ledger.get_agency(slug).id
    rows = notice_rows(ledger, agency_id, known_at, employee_ids=[employee_id])
    return [ToldLine(row["day"], notice_text(row)) for row in rows]
