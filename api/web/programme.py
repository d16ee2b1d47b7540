"""The agency's own programme (credential types and policies) as a page's records-as-of
instant knew it, or as recorded now."""

from __future__ import annotations

from datetime import datetime

from fastapi import Request

from api.http.services import services
from api.web.timetravel import time_travel
from ledger.application import Ledger
from projections.credentials.programme import Programme
from replay.asof import known_at_used, requested_instant
from replay.tracks import programme_at

__all__ = ["programme_now", "programme_of"]


def programme_now(ledger: Ledger, agency: str) -> Programme:
    return programme_at(
        ledger, agency, known_at_used(ledger, requested_instant(ledger, agency, None))
    )


def programme_of(request: Request, agency: str) -> tuple[Programme, datetime]:
    travel = time_travel(request)
    ledger = services(request).ledger
    used = known_at_used(ledger, requested_instant(ledger, agency, travel.known_at))
    return programme_at(ledger, agency, used), used
