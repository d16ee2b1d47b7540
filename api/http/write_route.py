"""The write path every write route shares (training, people, relief, requests, imports):
``write_route`` registers a coordinator's (or officer's) POST behind its policy with the
``Idempotency-Key`` header (and ``If-Match`` where the route names a person) documented;
``run_write`` runs the route's command in one unit of work and answers with the recorded
time the ledger gave it, the events appended, the new id and the person's version.

``If-Match: <version>`` (the person's stream version, as the history's last position
and every write's answer state it) refuses a write to a person changed since (409
``stale_version``); two writes to one person at once never lose an event either way:
the later append fails on the stream version and answers 409 ``concurrent_write``.
``Idempotency-Key`` makes a retry safe (``api.http.idempotency``). Request bodies are
``Strict``: they refuse any field not declared (so no client sets an agency id, a role,
a recorded time or an actor).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from api.http.errors import ApiError
from api.http.idempotency import idempotent
from api.http.policy import Access, Policy, Scope, api_route
from api.http.services import services
from ledger.account import Role
from ledger.application import Ledger
from ledger.time_zones import local_date
from ledger.unit_of_work import UnitOfWork

__all__ = [
    "AGENCY_WRITE",
    "COORDINATORS",
    "PERSON_WRITE",
    "Command",
    "Strict",
    "WriteResult",
    "agency_today",
    "run_write",
    "write_route",
]

COORDINATORS = frozenset({Role.COORDINATOR})
PERSON_WRITE = Policy(Scope.PERSON, COORDINATORS, statuses=(404, 409))
AGENCY_WRITE = Policy(Scope.AGENCY, COORDINATORS, statuses=(404, 409))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WriteResult(BaseModel):
    recorded_at: str = Field(description="The recorded time the ledger gave this write")
    events: list[str]
    id: str | None = Field(None, description="The new record's id, where there is one")
    version: int | None = Field(None, description="The person's stream version after it")


# A route's write: given the ledger, the unit of work and the actor, stage its events;
# what it returns (a new record's id, or None) is the answer's ``id``.
Command = Callable[[Ledger, UnitOfWork, str], Any]


def agency_today(ledger: Ledger, agency: str) -> date:
    """Today where ``agency`` keeps its days (the default of an omitted effective date)."""
    return local_date(ledger.clock(), ledger.get_agency(agency).time_zone)


def _idempotency_key(
    idempotency_key: str | None = Header(
        None, description="Makes a retry safe: same key, same answer"
    ),
) -> None:
    """Documents the header; ``api.http.idempotency`` reads it from the request."""


def _if_match(
    request: Request,
    if_match: str | None = Header(
        None, description="The person's stream version this write expects"
    ),
) -> None:
    request.state.if_match = if_match


def write_route(
    router: APIRouter,
    path: str,
    policy: Policy,
    summary: str,
    *,
    response_model: type[BaseModel] = WriteResult,
    if_match: bool = True,
    method: str = "POST",
    **options: Any,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A POST (201; or ``method``, a PUT answering 200) behind ``policy`` taking
    ``Idempotency-Key``, and ``If-Match`` where the route names a person (``{employee_id}``
    in the router's prefix or the path) and ``if_match`` is not turned off."""
    headers = [Depends(_idempotency_key)]
    if if_match and "{employee_id}" in router.prefix + path:
        headers.append(Depends(_if_match))
    return api_route(
        router,
        method,
        path,
        policy,
        status_code=201 if method == "POST" else 200,
        response_model=response_model,
        summary=summary,
        dependencies=[*headers, *options.pop("dependencies", [])],
        **options,
    )


def _expect_version(uow: UnitOfWork, found: Access, if_match: str | None) -> None:
    if if_match is None or not found.employee_id:
        return
    expected = if_match.strip().strip('"')
    if not expected.isdigit():
        raise ApiError(422, "invalid_if_match", "If-Match: a stream version", "If-Match")
    current = uow.person(found.agency, found.employee_id).version
    if int(expected) != current:
        raise ApiError(
            409,
            "stale_version",
            f"the person is at version {current}, not {expected}: reload and retry",
            "If-Match",
        )


def run_write(
    request: Request,
    found: Access,
    body: BaseModel,
    command: Command,
    *,
    date_field: str,
    status_code: int = 201,
) -> Response:
    """Run ``command`` once per Idempotency-Key in one unit of work; the recorded time,
    the events, the new id and the person's version as the answer. ``date_field`` names
    the field a domain error about a date is put on. A command that stages nothing (the
    same policy document again) answers with no events and the save's instant."""
    request.state.date_field = date_field
    if_match: str | None = getattr(request.state, "if_match", None)

    def run() -> WriteResult:
        ledger = services(request).ledger
        uow = ledger.unit_of_work()
        _expect_version(uow, found, if_match)
        result = command(ledger, uow, found.actor)
        events = [type(e).__name__ for e in uow.pending()]
        saved = uow.save()
        version = None
        if found.employee_id:
            version = uow.person(found.agency, found.employee_id).version
        return WriteResult(
            recorded_at=saved.recorded_at.isoformat(),
            events=events,
            id=None if result is None else str(result),
            version=version,
        )

    return idempotent(request, found, body, run, status_code)
