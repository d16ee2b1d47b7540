"""The person page: status per requirement with progress (counted / required with its
unit, deadline, reasons), the records counted, and the history timeline (effective date
beside recorded time; late entries, corrections and voids with their reasons, exemptions,
leave), on ``as_of`` as the records stood at ``known_at``.

Behind the status route's policy (an officer their own record, a supervisor their
unit's, the agency-wide roles anyone's); read-audited as the API's status and history
reads are (``read.status`` by the guard, ``read.history`` here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.http.policy import READERS, Policy, Scope, access
from api.http.routes.reads import TimelineEntry, timeline
from api.http.services import services
from api.web.base import render, web_route
from api.web.overview import OVERDUE, SOON, needs
from api.web.packet_downloads import person_packet_link
from api.web.timetravel import time_travel
from ledger.errors import PersonNotFoundError
from projections.credentials.tracks import Track
from replay.asof import status
from replay.tracks import person_tracks

# The agency's own tracks shown beside the state's requirements (credentials, weapons,
# policy acknowledgements), as of the page's axes.
OWN_TRACKS: tuple[Track, ...] = ("credential", "policy")

__all__ = ["LATE_DAYS", "router"]

router = APIRouter(tags=["web"])

LATE_DAYS = 7  # an entry recorded more than this many days after its effective date is late

_LABELS = {
    "PersonEnrolled": "Enrolled",
    "LicenseRecorded": "Licence recorded",
    "LicenseRenewed": "Licence renewed",
    "StatusChanged": "Status changed",
    "AssignmentChanged": "Assignment changed",
    "TrainingCompleted": "Training completed",
    "TrainingCorrected": "Training record corrected",
    "TrainingVoided": "Training record voided",
    "CertificationRecorded": "Certification recorded",
    "ExemptionGranted": "Exemption granted",
    "ExemptionEnded": "Exemption ended",
    "WaiverGranted": "Waiver granted",
    "WaiverEnded": "Waiver ended",
    "ExtensionGranted": "Extension granted",
    "ExtensionEnded": "Extension ended",
}
# Facts whose lateness matters (a correction or void is dated by the record it is of, so
# it is always "late"; an enrolment is back-dated to the hire date as a rule).
_LATE_KINDS = {"TrainingCompleted", "StatusChanged", "ExemptionGranted", "WaiverGranted",
               "ExtensionGranted", "LicenseRenewed"}  # fmt: skip
_SUMMARY_FIELDS = (
    "course_title",
    "hours",
    "status",
    "kind",
    "unit",
    "rank",
    "starts_on",
    "ends_on",
    "ended_on",
    "expected_return",
    "license_number",
    "period_end",
    "new_deadline",
    "changed",
)


@dataclass
class Event:
    label: str
    css: str
    effective_on: str
    recorded_on: str
    recorded_at: str
    late_days: int
    actor: str
    record_id: str | None
    reason: str | None
    corrects: str | None
    summary: list[tuple[str, str]]


def _event(entry: TimelineEntry) -> Event:
    recorded = datetime.fromisoformat(entry.recorded_at)
    effective = date.fromisoformat(entry.effective_on)
    late = (recorded.date() - effective).days if entry.event in _LATE_KINDS else 0
    css = {"TrainingCorrected": "correction", "TrainingVoided": "void"}.get(entry.event, "")
    if late > LATE_DAYS:
        css = f"{css} late".strip()
    summary = []
    for name in _SUMMARY_FIELDS:
        value = entry.facts.get(name)
        if value in (None, "", [], {}):
            continue
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        summary.append((name.replace("_", " "), str(value)))
    return Event(
        label=_LABELS.get(entry.event, entry.event),
        css=css,
        effective_on=entry.effective_on,
        recorded_on=recorded.date().isoformat(),
        recorded_at=recorded.strftime("%Y-%m-%d %H:%M UTC"),
        late_days=late if late > LATE_DAYS else 0,
        actor=entry.actor,
        record_id=entry.record_id,
        reason=entry.reason,
        corrects=entry.corrects,
        summary=summary,
    )


def _share(counted: str, required: str) -> int:
    """Percent of the requirement met, 0-100, for the progress bar."""
    try:
        need = Decimal(required)
        have = Decimal(counted)
    except (InvalidOperation, TypeError):
        return 0
    if need <= 0:
        return 100
    share = have * 100 / need
    return 100 if share >= 100 else max(0, int(share))


def _requirements(person: dict[str, Any], as_of: str) -> tuple[list[Any], list[Any]]:
    """The requirements' windows: (current and later ones, earlier ones). A window is
    earlier when it ended before ``as_of``."""
    current: list[dict[str, Any]] = []
    earlier: list[dict[str, Any]] = []
    for req in person["compliance"]["requirements"]:
        row = {**req, "share": _share(req["counted"], req["required"])}
        ended = req.get("window_end") and req["window_end"] < as_of
        (earlier if ended else current).append(row)
    return current, earlier


@web_route(
    router,
    "GET",
    "/agencies/{agency}/people/{employee_id}",
    Policy(Scope.PERSON, READERS, audit="read.status", statuses=(404,)),
)
def person_page(request: Request, agency: str, employee_id: str) -> Response:
    travel = time_travel(request)
    svc = services(request)
    try:
        answer = status(svc.ledger, agency, employee_id, travel.as_of, travel.known_at)
    except PersonNotFoundError as missing:
        return render(
            request,
            "error.html",
            {"title": "Not found", "message": str(missing)},
            404,
            travel=travel,
        )
    history = timeline(svc.ledger, agency, employee_id, datetime.fromisoformat(answer["known_at"]))
    found = access(request)
    svc.audit.append(
        at=svc.now(),
        actor=found.actor,
        action="read.history",
        obj=f"person:{agency}/{employee_id}",
        agency=agency,
        source=request.client.host if request.client else "",
        outcome="allowed",
    )
    person = answer["person"]
    current, earlier = _requirements(person, answer["as_of"])
    events = [_event(e) for e in history.entries]
    events.reverse()  # newest first
    records = sorted(person["counted_records"], key=lambda r: r["effective_on"], reverse=True)
    own = person_tracks(
        svc.ledger,
        agency,
        employee_id,
        date.fromisoformat(answer["as_of"]),
        datetime.fromisoformat(answer["known_at"]),
        OWN_TRACKS,
    )
    return render(
        request,
        "person.html",
        {
            "title": f"{person['name']} ({person['employee_id']})",
            "agency": answer["agency"],
            "person": person,
            "compliance": person["compliance"],
            "requirements": current,
            "earlier": earlier,
            "needs": needs(person, {OVERDUE, SOON}),
            "records": records,
            "events": events,
            "notices": [n.model_dump() for n in reversed(history.notices)],
            "late_days": LATE_DAYS,
            "own_items": own["items"],
            "packet_href": person_packet_link(found.principal, travel, agency, employee_id),
        },
        travel=travel.showing(answer),
    )
