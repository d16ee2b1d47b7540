"""Proof of notice as an answer: the notices about a person (or everyone in an agency) as
the records stood at ``known_at`` and, when asked, decided on or before ``as_of`` — what,
when, to whom, by which channel, delivered or failed, acknowledged — one row each.

The person's history (``GET .../history``, the person page, ``muster notify history``)
and the audit packets (``notices.csv``, ``notices.json``, the PDF's section) read these
rows, so each says the same. Only attempts and acknowledgements recorded by ``known_at``
count: what was not yet known then is not shown, whatever happened later."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any
from uuid import UUID

from ledger.application import Ledger
from ledger.notice_cases import NoticeRecord, notices_of
from projections.notify import notice_about, notice_label

__all__ = ["NOTICE_COLUMNS", "notice_row", "notice_rows", "notice_text"]

NOTICE_COLUMNS = [
    "notice_id",
    "day",
    "recorded_at",
    "employee_id",
    "person_name",
    "kind",
    "channel",
    "recipient",
    "recipient_role",
    "requirement",
    "title",
    "about",
    "deadline",
    "window",
    "days_before_deadline",
    "outcome",
    "delivered_at",
    "attempts",
    "last_error",
    "acknowledged_at",
    "acknowledged_by",
]


def notice_row(record: NoticeRecord) -> dict[str, Any]:
    """One notice as a flat row (``NOTICE_COLUMNS``; strings, integers and None)."""
    decided = record.decided
    delivered = record.delivered
    last = record.attempts[-1] if record.attempts else None
    if delivered is not None:
        outcome = "delivered"
    elif last is not None:
        outcome = "failed"
    else:
        outcome = "not yet sent"
    ack = record.acknowledged
    deadline = decided.deadline
    return {
        "notice_id": str(record.id),
        "day": decided.effective_on.isoformat(),
        "recorded_at": decided.timestamp.isoformat(),
        "employee_id": decided.employee_id,
        "person_name": decided.person_name,
        "kind": decided.kind,
        "channel": decided.channel,
        "recipient": decided.recipient,
        "recipient_role": decided.recipient_role,
        "requirement": decided.requirement,
        "title": decided.title,
        "about": notice_about(decided.requirement, decided.title, deadline),
        "deadline": deadline.isoformat() if deadline else None,
        "window": decided.window,
        "days_before_deadline": (deadline - decided.effective_on).days if deadline else None,
        "outcome": outcome,
        "delivered_at": delivered.timestamp.isoformat() if delivered else None,
        "attempts": len(record.attempts),
        "last_error": getattr(last, "error", None) if delivered is None else None,
        "acknowledged_at": ack.timestamp.isoformat() if ack else None,
        "acknowledged_by": ack.account if ack else None,
    }


def notice_rows(
    ledger: Ledger,
    agency_id: UUID,
    known_at: datetime | None,
    *,
    as_of: date | None = None,
    employee_ids: Iterable[str] | None = None,
) -> list[dict[str, Any]]:
    """The notices recorded by ``known_at`` (None: all) (decided on or before ``as_of`` when given),
    about ``employee_ids`` when given (else every notice, digests included), oldest first."""
    wanted = None if employee_ids is None else set(employee_ids)

    def keep(decided: Mapping[str, Any]) -> bool:
        return wanted is None or decided.get("employee_id") in wanted

    records = notices_of(ledger, agency_id, recorded_by=known_at, where=keep)
    return [notice_row(r) for r in records if as_of is None or r.decided.effective_on <= as_of]


def notice_text(row: Mapping[str, Any]) -> str:
    """A row as people read it: "reminder by email to e2@pd.example (person): Use of
    force, deadline 2025-12-31, 90 days or less before; delivered 2025-10-02T12:00:00"; a
    credential's "Firearms qualification (Glock 17, serial A1) expiry, deadline ...", a
    policy's "acknowledge Use of force v3, deadline ..."."""
    what = notice_label(row["requirement"] or "", row["title"] or "")
    window = row["window"]
    when = {"overdue": "overdue", "digest": "digest"}.get(window, f"{window} days or less before")
    if row["outcome"] == "delivered":
        outcome = f"delivered {row['delivered_at'][:19]}"
    elif row["outcome"] == "failed":
        outcome = f"not delivered after {row['attempts']} attempt(s)"
    else:
        outcome = "decided, not yet sent"
    if row["acknowledged_at"]:
        outcome += f"; acknowledged {row['acknowledged_at'][:19]} by {row['acknowledged_by']}"
    deadline = f", deadline {row['deadline']}" if row["deadline"] else ""
    return (
        f"{row['kind']} by {row['channel']} to {row['recipient']} ({row['recipient_role']}): "
        f"{what}{deadline}, {when}; {outcome}"
    )
