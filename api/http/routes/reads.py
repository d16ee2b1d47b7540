"""Read routes: a person's status and history, the roster, the rule packs in force.

Every answer is bitemporal, as the CLI's: ``as_of`` (the day asked about; default the
agency's today) and ``known_at`` (the records as they stood then; default now), both
stated in the answer. Reads of a person's record and roster exports are read-audit
entries (the policy's ``audit`` action, written by its guard).

Read-your-writes: an answer without ``known_at`` is given at the log's stable horizon
(``replay.asof.known_at_used``), which is at or after the recorded time of every write
that has returned, and is evaluated from the person's stream head at that instant (the
tracked model and the memo are used only when they are at that head), so a write that
has returned is in every answer asked for after it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import orjson
import typer
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import AfterValidator, BaseModel, Field

from api.cli.timeargs import LAST_DAY
from api.cli.timeargs import parse_known_at as cli_known_at
from api.http.errors import ApiError
from api.http.policy import AGENCY_WIDE, READERS, Policy, Scope, api_route
from api.http.services import services
from ledger.agency import agency_id_for
from ledger.application import Ledger
from ledger.person import TrainingCorrected, TrainingVoided, person_id_for
from projections.credentials.tracks import Track
from projections.stored_versions import rule_catalogue
from replay.asof import (
    KnownAt,
    RosterFilters,
    known_at_used,
    requested_instant,
    status_json,
)
from replay.notices import notice_rows
from replay.read_side import read_side
from replay.track_answers import parse_tracks, roster_across

__all__ = [
    "TRACK",
    "AnswerableDay",
    "NoticePublic",
    "Timeline",
    "TimelineEntry",
    "parse_known_at",
    "parse_track",
    "router",
    "timeline",
]

router = APIRouter(prefix="/api/v1/agencies/{agency}", tags=["reads"])

AS_OF = Query(None, description="The day asked about (YYYY-MM-DD; default the agency's today)")


def _answerable(day: date) -> date:
    if day > LAST_DAY:  # the engine's windows of years would run past 9999-12-31
        raise ValueError(f"muster answers for days up to {LAST_DAY}")
    return day


# A day a question may name: up to the CLI's ``LAST_DAY`` (``api.cli.timeargs``).
AnswerableDay = Annotated[date, AfterValidator(_answerable)]
KNOWN_AT = Query(
    None,
    description="The records as they stood then: YYYY-MM-DD (the end of that day) or an "
    "ISO instant (without an offset: the agency's local time); default now",
    max_length=40,
)


TRACK = Query(
    [],
    description="Only this track: state, credentials or policies (repeatable; default all)",
    max_length=3,
)


def parse_track(given: list[str]) -> tuple[Track, ...]:
    """The tracks named (``replay.track_answers.parse_tracks``), refused as a 422."""
    try:
        return parse_tracks(given)
    except ValueError as error:
        raise ApiError(422, "invalid_track", str(error), "track") from None


def parse_known_at(text: str | None) -> KnownAt:
    """The CLI's reading of ``known_at`` (``api.cli.timeargs``), refused as a 422."""
    try:
        return cli_known_at(text)
    except typer.BadParameter:
        raise ApiError(
            422, "invalid_known_at", "known_at: use YYYY-MM-DD or an ISO instant", "known_at"
        ) from None


def _json(document: Any) -> Response:
    return Response(
        orjson.dumps(document, option=orjson.OPT_SORT_KEYS), media_type="application/json"
    )


class StatusAnswer(BaseModel):
    as_of: str
    known_at: str
    time_zone: str
    agency: dict[str, Any]
    rule_versions_known: list[str]
    person: dict[str, Any]


@api_route(
    router,
    "GET",
    "/people/{employee_id}/status",
    Policy(Scope.PERSON, READERS, audit="read.status", statuses=(404,)),
    response_model=StatusAnswer,
    summary="One person's compliance on as_of, as the records stood at known_at",
)
def person_status(
    request: Request,
    agency: str,
    employee_id: str,
    as_of: AnswerableDay | None = AS_OF,
    known_at: str | None = KNOWN_AT,
) -> Response:
    ledger = services(request).ledger
    answer = status_json(ledger, agency, employee_id, as_of, parse_known_at(known_at))
    return Response(answer, media_type="application/json")


class TimelineEntry(BaseModel):
    position: int = Field(description="The event's version in the person's stream")
    event: str
    effective_on: str
    recorded_at: str
    actor: str
    record_id: str | None = None
    reason: str | None = None
    corrects: str | None = Field(None, description="The record a correction or void is of")
    facts: dict[str, Any]


class NoticePublic(BaseModel):
    """A notice about the person (proof of notice, ``replay.notices``): the day decided
    and its recorded time, to whom and by what, delivered or failed, acknowledged."""

    notice_id: str
    day: str = Field(description="The day the pass decided it (agency's local date)")
    recorded_at: str
    employee_id: str
    person_name: str
    kind: str = Field(description="reminder, overdue, escalation or digest")
    channel: str
    recipient: str
    recipient_role: str
    requirement: str = Field(
        description="pack/requirement; credential:TYPE[SERIAL] for a credential's expiry; "
        "policy:POLICY@vN for a policy version to acknowledge; empty for a digest"
    )
    title: str
    about: str = Field(
        "",
        description='In words, with the deadline: "Firearms qualification (Glock 17, serial '
        'A1) expires 2025-03-09", "acknowledge Use of force v3 by 2025-01-16"',
    )
    deadline: str | None
    window: str
    days_before_deadline: int | None
    outcome: str = Field(description="delivered, failed or not yet sent (as of known_at)")
    delivered_at: str | None
    attempts: int
    last_error: str | None
    acknowledged_at: str | None
    acknowledged_by: str | None


class Timeline(BaseModel):
    agency: str
    employee_id: str
    known_at: str
    entries: list[TimelineEntry]
    notices: list[NoticePublic] = Field(
        default_factory=list, description="The notices about the person recorded by known_at"
    )


_ENVELOPE = {"originator_id", "originator_version", "timestamp", "actor", "agency_id",
             "effective_on", "originator_topic"}  # fmt: skip


@api_route(
    router,
    "GET",
    "/people/{employee_id}/history",
    Policy(Scope.PERSON, READERS, audit="read.history", statuses=(404,)),
    summary="A person's history: effective date and recorded time side by side",
)
def person_history(
    request: Request, agency: str, employee_id: str, known_at: str | None = KNOWN_AT
) -> Timeline:
    return timeline(services(request).ledger, agency, employee_id, parse_known_at(known_at))


def timeline(ledger: Ledger, agency: str, employee_id: str, known_at: KnownAt) -> Timeline:
    """A person's events recorded by ``known_at`` (clamped to the stable horizon), oldest
    first, or 404 if none was (the history route's answer and the dashboard's timeline)."""
    moment = known_at_used(ledger, requested_instant(ledger, agency, known_at))
    person_id = person_id_for(agency_id_for(agency), employee_id)
    events = [e for e in ledger.stream(person_id) if e.timestamp <= moment]
    if not events:
        raise ApiError(
            404,
            "person_not_found",
            f"no person {employee_id!r} in {agency!r} was known at {moment.isoformat()}",
            "employee_id",
        )
    entries = []
    for event in events:
        facts = {k: v for k, v in event.__dict__.items() if k not in _ENVELOPE}
        record_id = facts.pop("record_id", None)
        reason = facts.pop("reason", None)
        corrects = str(record_id) if isinstance(event, TrainingCorrected | TrainingVoided) else None
        entries.append(
            TimelineEntry(
                position=event.originator_version,
                event=type(event).__name__,
                effective_on=event.effective_on.isoformat(),
                recorded_at=event.timestamp.isoformat(),
                actor=event.actor,
                record_id=None if record_id is None else str(record_id),
                reason=reason,
                corrects=corrects,
                facts=orjson.loads(orjson.dumps(facts, default=str)),
            )
        )
    rows = notice_rows(ledger, agency_id_for(agency), moment, employee_ids=[employee_id])
    return Timeline(
        agency=agency,
        employee_id=employee_id,
        known_at=moment.isoformat(),
        entries=entries,
        notices=[NoticePublic(**row) for row in rows],
    )


@api_route(
    router,
    "GET",
    "/roster",
    Policy(Scope.AGENCY, AGENCY_WIDE, audit="export.roster", statuses=(404,)),
    summary="Everyone in the agency on as_of, as the records stood at known_at",
)
def agency_roster(
    request: Request,
    agency: str,
    as_of: AnswerableDay | None = AS_OF,
    known_at: str | None = KNOWN_AT,
    status_filter: list[str] = Query([], alias="status", max_length=10),
    kind: list[str] = Query([], max_length=10),
    person_status: list[str] = Query([], max_length=10),
    track: list[str] = TRACK,
) -> Response:
    filters = RosterFilters(frozenset(status_filter), frozenset(kind), frozenset(person_status))
    tracks = parse_track(track)
    ledger = services(request).ledger
    answer = roster_across(ledger, agency, as_of, parse_known_at(known_at), filters, tracks)
    return Response(answer.to_json(), media_type="application/json")


class RulesInForce(BaseModel):
    agency: str
    jurisdiction: str
    as_of: str
    known_at: str
    rule_versions: dict[str, Any]


@api_route(
    router,
    "GET",
    "/rules",
    Policy(Scope.MEMBER, READERS, statuses=(404,)),
    summary="The rule versions that bind the agency on as_of, as known at known_at",
)
def rules_in_force(
    request: Request,
    agency: str,
    as_of: AnswerableDay | None = AS_OF,
    known_at: str | None = KNOWN_AT,
) -> RulesInForce:
    ledger = services(request).ledger
    moment = known_at_used(ledger, requested_instant(ledger, agency, parse_known_at(known_at)))
    knowledge = read_side(ledger).knowledge
    found = knowledge.agency_at(agency, moment)
    day = as_of or moment.astimezone(found.zone).date()
    versions = knowledge.stored_versions_for(found, moment, as_of=day)
    return RulesInForce(
        agency=agency,
        jurisdiction=found.jurisdiction_on(day),
        as_of=day.isoformat(),
        known_at=moment.isoformat(),
        rule_versions=rule_catalogue(versions),
    )
