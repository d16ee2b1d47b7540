"""Proof of notice, as people read it: the notices recorded for one person ("told on
2025-10-02 by email to e2@pd.example: reminder, 90 days before … — delivered")."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.application import Ledger
from ledger.notice import NoticeDecided
from ledger.notice_cases import NoticeRecord, notice_ids_about, notice_record

__all__ = ["ToldLine", "notices_for_person", "told_text"]


@dataclass(frozen=True)
class ToldLine:
    day: str
    text: str


def told_text(decided: NoticeDecided, record: NoticeRecord) -> str:
    what = decided.title or decided.requirement
    window = "overdue" if decided.window == "overdue" else f"{decided.window} days or less before"
    deadline = decided.deadline.isoformat() if decided.deadline else ""
    delivered = record.delivered
    if delivered is not None:
        outcome = f"delivered {delivered.timestamp.isoformat(timespec='seconds')}"
    elif record.attempts:
        outcome = f"not delivered after {len(record.attempts)} attempt(s)"
    else:
        outcome = "decided, not yet sent"
    return (
        f"{decided.kind} by {decided.channel} to {decided.recipient} "
        f"({decided.recipient_role}): {what}, deadline {deadline}, {window}; {outcome}"
    )


def notices_for_person(ledger: Ledger, slug: str, employee_id: str) -> list[ToldLine]:
    agency_id = ledger.get_agency(slug).id
    records = [notice_record(ledger, i) for i in notice_ids_about(ledger, agency_id, employee_id)]
    records.sort(key=lambda r: (r.decided.timestamp, r.decided.notice_key))
    return [ToldLine(r.decided.effective_on.isoformat(), told_text(r.decided, r)) for r in records]
