"""The officer's policy acknowledgement page (issue 17): the exact text of the version in
force, its SHA-256, the document to download, its comprehension quiz when the coordinator
set one (``api.web.policy_forms``), and an Acknowledge button.

The page is behind the person-read policy (an officer their own record); its button posts
to the API's acknowledgement policy (the officer their own, a coordinator one given on
paper) with the session's CSRF token, and runs the same use case
(``Ledger.acknowledge_policy``) on the version hash the page showed: what is recorded is
what was read. The quiz's answers are posted as ``quiz_<question id>`` fields and scored by
the ledger (never by the page); an acknowledgement below the pass mark is refused there and
nothing is written. The coordinator's coverage report and library are in
``api.web.policy_library_pages``."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from api.http.policy import READERS, Policy, Scope
from api.http.routes.credentials import ACKNOWLEDGE
from api.http.services import services
from api.http.write_route import COORDINATORS, agency_today
from api.web.base import principal_of, render, security_headers, web_route
from api.web.form_errors import FormErrors, sentence
from api.web.policy_versions import document_response, version_text
from api.web.programme import programme_now
from ledger.account import Role
from ledger.agency import agency_id_for
from ledger.application import Ledger
from ledger.errors import LedgerError, NotFoundError, PolicyNotFoundError, QuizFailedError
from ledger.person import person_id_for
from ledger.policy_cases import CHANNELS
from replay.policy_versions import version_of
from replay.tracks import person_policy

__all__ = ["person_name", "router"]

router = APIRouter(tags=["web"])

_ACK = "/agencies/{agency}/people/{employee_id}/policies/{policy_id}"
_READ_OWN = Policy(Scope.PERSON, READERS, audit="read.policy", statuses=(404,))


def _may_acknowledge(request: Request, agency: str, employee_id: str) -> str:
    """'officer' (their own), 'coordinator' (one given on paper), or '' (no form)."""
    grants = principal_of(request).grants
    if any(
        g.role == Role.OFFICER and g.agency == agency and g.employee_id == employee_id
        for g in grants
    ):
        return "officer"
    if any(g.role in COORDINATORS and g.agency == agency for g in grants):
        return "coordinator"
    return ""


def person_name(ledger: Ledger, agency: str, employee_id: str) -> str:
    view = ledger.get_person_by_id(person_id_for(agency_id_for(agency), employee_id))
    return f"{view.first_name} {view.last_name}".strip()


def _ack_page(
    request: Request,
    agency: str,
    employee_id: str,
    policy_id: str,
    *,
    errors: FormErrors | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    ledger = services(request).ledger
    seen = person_policy(ledger, agency, employee_id, policy_id)
    current = seen.current
    shown = None if current is None else version_of(seen.programme, policy_id, current.version_hash)
    mine = [a for a in seen.acknowledgements if current and a.version_hash == current.version_hash]
    numbers = {p.version_hash: p.number for p in seen.programme.publications_of(policy_id)}
    history = [
        {
            "number": numbers.get(a.version_hash),
            "hash": a.version_hash,
            "on": a.on,
            "channel": a.channel.replace("_", " "),
        }
        for a in sorted(seen.acknowledgements, key=lambda a: a.on, reverse=True)
    ]
    who = _may_acknowledge(request, agency, employee_id)
    quiz = None if shown is None else ledger.policy_quiz(agency, policy_id, shown.version_hash)
    base = f"/agencies/{quote(agency, safe='')}/people/{quote(employee_id, safe='')}"
    context: dict[str, Any] = {
        "title": f"Policy: {seen.programme.title_of(policy_id) or policy_id}",
        "hide_travel": True,
        "agency": agency,
        "employee_id": employee_id,
        "name": person_name(ledger, agency, employee_id),
        "policy_id": policy_id,
        "policy_title": seen.programme.title_of(policy_id) or policy_id,
        "as_of": seen.header["as_of"],
        "version": shown,
        "text": None if shown is None else version_text(ledger, shown),
        "item": seen.item,
        "acknowledged_current": mine[0] if mine else None,
        "history": history,
        "who": who,
        "channels": CHANNELS,
        "quiz": quiz,
        "errors": errors or FormErrors(),
        "typed": typed or {},
        "done": request.query_params.get("done", ""),
        "person_href": base,
        "document_href": (
            None
            if shown is None
            else f"{base}/policies/{quote(policy_id, safe='')}/document?"
            + urlencode({"version": shown.version_hash})
        ),
    }
    return render(request, "policy_acknowledge.html", context, status)


@web_route(router, "GET", _ACK, _READ_OWN)
def acknowledgement_page(
    request: Request, agency: str, employee_id: str, policy_id: str
) -> Response:
    return _ack_page(request, agency, employee_id, policy_id)


_ANSWER = "quiz_"


async def _quiz_answers(request: Request) -> dict[str, str]:
    """The quiz's answers: each ``quiz_<question id>`` field of the posted form."""
    form = await request.form()
    return {
        k[len(_ANSWER) :]: v
        for k, v in form.items()
        if k.startswith(_ANSWER) and isinstance(v, str) and len(k) <= 60 and len(v) <= 400
    }


_QUIZ_ANSWERS = Depends(_quiz_answers)


@web_route(router, "POST", _ACK, ACKNOWLEDGE)
def acknowledge(
    request: Request,
    agency: str,
    employee_id: str,
    policy_id: str,
    version_hash: str = Form("", max_length=64),
    channel: str = Form("online", max_length=20),
    on: str = Form("", max_length=40),
    answers: dict[str, str] = _QUIZ_ANSWERS,
) -> Response:
    """Acknowledge the version the page showed (its hash), today (an officer online), or
    on a given day and channel (a coordinator, for one given on paper), with the quiz's
    answers when it has one (scored by the ledger)."""
    ledger = services(request).ledger
    who = _may_acknowledge(request, agency, employee_id)
    typed = {"channel": channel, "on": on, **{_ANSWER + k: v for k, v in answers.items()}}
    errors = FormErrors()
    day = agency_today(ledger, agency)
    if who != "coordinator":
        channel = "online"  # an officer acknowledges on this page, today
    elif on.strip():
        try:
            day = date.fromisoformat(on.strip())
        except ValueError:
            errors.add("on", f"{on.strip()!r} is not a date: use YYYY-MM-DD, e.g. 2025-02-10.")
    if channel not in CHANNELS:
        errors.add("channel", f"Choose how it was acknowledged: {', '.join(CHANNELS)}.")
    if len(version_hash) != 64:
        errors.add("", "This page is out of date: reload it and read the version shown.")
    target = (
        f"/agencies/{quote(agency, safe='')}/people/{quote(employee_id, safe='')}"
        f"/policies/{quote(policy_id, safe='')}?done=1"
    )
    mine = person_policy(ledger, agency, employee_id, policy_id).acknowledgements
    if not errors and any(a.version_hash == version_hash for a in mine):
        # Sent twice (a double click, the back button): recorded once.
        return security_headers(RedirectResponse(target, 303))
    if not errors:
        uow = ledger.unit_of_work()
        try:
            ledger.acknowledge_policy(
                agency,
                employee_id,
                policy_id,
                version_hash,
                on=day,
                channel=channel,
                quiz_answers=answers,
                actor=principal_of(request).actor,
                uow=uow,
            )
        except NotFoundError as missing:
            errors.add("", sentence(str(missing)))
        except LedgerError as refused:
            text = str(refused)
            if text.startswith("quiz_"):  # the ledger scored the answers and refused them
                errors.add("quiz", sentence(text))
                errors.add("", "your answers did not reach the pass mark (see the quiz below)."
                           if isinstance(refused, QuizFailedError)
                           else "answer every question of the quiz below.")  # fmt: skip
            errors.add("on" if "date" in text and who == "coordinator" else "", sentence(text))
        else:
            uow.save()
            return security_headers(RedirectResponse(target, 303))
    return _ack_page(
        request, agency, employee_id, policy_id, errors=errors, typed=typed, status=422
    )


@web_route(router, "GET", f"{_ACK}/document", _READ_OWN)
def own_document(
    request: Request,
    agency: str,
    employee_id: str,
    policy_id: str,
    version: str = Query("", max_length=64),
) -> Response:
    """A published version's exact bytes, for the person the policy is shown to."""
    ledger = services(request).ledger
    programme = programme_now(ledger, agency)
    found = version_of(programme, policy_id, version)
    if found.number is None:  # an officer reads what was published, not a draft
        raise PolicyNotFoundError(f"policy {policy_id!r} has no published version {version[:12]}…")
    return document_response(ledger, policy_id, found)
