"""The in-app inbox: the notices told to the signed-in account, newest first, and their
acknowledgement (``NoticeAcknowledged`` on the notice's stream, by the account).

A notice is the account's when it was told to the person an officer grant of theirs
names (in that grant's agency), or sent to the account's own address in an agency they
hold a grant in (a supervisor's escalations, a coordinator's digest). Anyone else's
notice is answered as if it did not exist."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any
from uuid import UUID

from api.http.policy import Principal
from ledger.account import Role
from ledger.accounts import get_account_by_id
from ledger.agency import agency_id_for
from ledger.application import Ledger
from ledger.notice import NoticeDecided
from ledger.notice_cases import NoticeRecord, acknowledge_notice, notices_of
from projections.notify import notice_label
from replay.notices import notice_row

__all__ = ["acknowledge", "inbox"]


class _Mine:
    """Whether a decision (``NoticeDecided``'s fields) was told to the account."""

    def __init__(self, ledger: Ledger, principal: Principal) -> None:
        self.email = get_account_by_id(ledger, principal.account_id).email
        self.agencies = sorted({g.agency for g in principal.grants if g.agency})
        self.officer_of = {
            (agency_id_for(g.agency), g.employee_id)
            for g in principal.grants
            if g.role == Role.OFFICER and g.employee_id
        }
        self.agency_ids = {agency_id_for(a): a for a in self.agencies}

    def fields(self, agency_id: UUID, decided: Mapping[str, Any]) -> bool:
        if decided.get("recipient_role") == "person" and (
            (agency_id, decided.get("employee_id")) in self.officer_of
        ):
            return True
        return bool(self.email) and decided.get("recipient") == self.email

    def decision(self, decided: NoticeDecided) -> bool:
        return decided.agency_id in self.agency_ids and self.fields(
            decided.agency_id, vars(decided)
        )


def inbox(ledger: Ledger, principal: Principal) -> list[dict[str, Any]]:
    """The account's notices, newest first: ``replay.notices`` rows with their agency."""
    mine = _Mine(ledger, principal)
    rows: list[dict[str, Any]] = []
    for agency_id, slug in mine.agency_ids.items():
        told = partial(mine.fields, agency_id)
        rows += [_row(r, slug) for r in notices_of(ledger, agency_id, where=told)]
    rows.sort(key=lambda r: (r["recorded_at"], r["notice_id"]), reverse=True)
    return rows


def acknowledge(ledger: Ledger, principal: Principal, notice_id: UUID) -> dict[str, Any]:
    """Record that the account acknowledged one of its notices (once; again: unchanged);
    NoticeNotFoundError for a notice that is not theirs."""
    mine = _Mine(ledger, principal)
    record = acknowledge_notice(
        ledger,
        notice_id,
        account=principal.username,
        mine=mine.decision,
        actor=principal.actor,
    )
    return _row(record, mine.agency_ids[record.decided.agency_id])


def _row(record: NoticeRecord, slug: str) -> dict[str, Any]:
    """A ``replay.notices`` row with its agency and what it is about in words (``label``:
    "Firearms qualification (Glock 17, serial A1) expiry", "acknowledge Use of force v3")."""
    decided = record.decided
    return {
        **notice_row(record),
        "agency": slug,
        "label": notice_label(decided.requirement, decided.title),
    }
