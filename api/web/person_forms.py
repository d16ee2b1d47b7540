"""The coordinator's forms on one person's record: correct or void a training record
(with a reason; the original stays, linked), and record a leave, a return, a separation
or a reinstatement from a date. The same use cases as the API's routes
(``Ledger.correct_training``, ``void_training``, ``change_status``); every POST carries
the session's CSRF token; a refused form is shown again with the message beside its
field and appends nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote, urlencode
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.http.policy import Policy, Scope
from api.http.services import services
from api.http.write_route import COORDINATORS
from api.web.base import principal_of, render, security_headers, web_route
from api.web.form_errors import FormErrors, field_of, parse_day, sentence
from ledger.errors import LedgerError
from ledger.unit_of_work import UnitOfWork
from ledger.vocabulary import PersonStatus

__all__ = ["ACTIONS", "manage_page", "router"]

router = APIRouter(tags=["web"])

_PATH = "/agencies/{agency}/people/{employee_id}/manage"
_WRITE = Policy(Scope.PERSON, COORDINATORS, statuses=(404, 409))
# action -> (status it records, label)
ACTIONS = {
    "leave": (PersonStatus.LEAVE, "Leave starts"),
    "return": (PersonStatus.ACTIVE, "Returns from leave"),
    "separation": (PersonStatus.SEPARATED, "Separates"),
    "reinstatement": (PersonStatus.ACTIVE, "Is reinstated"),
}


def manage_page(
    request: Request,
    agency: str,
    employee_id: str,
    *,
    errors: FormErrors | None = None,
    form: str = "",
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    person = UnitOfWork(services(request).ledger).person(agency, employee_id)
    records = sorted(
        ((rid, r) for rid, r in person.records.items() if not r.voided),
        key=lambda item: item[1].completed_on,
        reverse=True,
    )
    done = request.query_params.get("done", "")
    notices = {
        "corrected": "Corrected: the original stays in the history, linked to the correction.",
        "voided": "Voided: the record no longer counts; it stays in the history, marked void.",
        "status": "Recorded.",
    }
    context: dict[str, Any] = {
        "title": f"Manage {person.first_name} {person.last_name}",
        "hide_travel": True,
        "agency": agency,
        "employee_id": employee_id,
        "person": person,
        "records": records,
        "errors": errors or FormErrors(),
        "form": form,  # which form the errors are about
        "typed": typed or {},
        "notice": notices.get(done, ""),
        "actions": ACTIONS,
        "relief": _relief_choices(),
    }
    return render(request, "person_manage.html", context, status)


@web_route(router, "GET", _PATH, Policy(Scope.PERSON, COORDINATORS))
def manage(request: Request, agency: str, employee_id: str) -> Response:
    return manage_page(request, agency, employee_id)


def _done(agency: str, employee_id: str, what: str) -> Response:
    path = f"/agencies/{quote(agency, safe='')}/people/{quote(employee_id, safe='')}/manage"
    return security_headers(RedirectResponse(f"{path}?{urlencode({'done': what})}", 303))


@web_route(router, "POST", f"{_PATH}/records/{{record_id}}/correct", _WRITE)
def correct(
    request: Request,
    agency: str,
    employee_id: str,
    record_id: UUID,
    reason: str = Form("", max_length=500),
    completed_on: str = Form("", max_length=40),
    course_title: str = Form("", max_length=500),
    hours: str = Form("", max_length=40),
) -> Response:
    ledger = services(request).ledger
    key = f"correct-{record_id}"
    typed = {"reason": reason, "completed_on": completed_on, "course_title": course_title,
             "hours": hours}  # fmt: skip
    errors = FormErrors()
    if not reason.strip():
        errors.add("reason", "Say why the record is corrected.")
    day = parse_day(errors, "completed_on", completed_on, "the completion date")
    try:
        total = Decimal(hours.strip())
    except InvalidOperation:
        errors.add("hours", f"{hours!r} is not a number of hours, e.g. 4 or 1.5.")
        total = None
    if not course_title.strip():
        errors.add("course_title", "Enter the course title.")
    if not errors and day is not None and total is not None:
        try:
            record = UnitOfWork(ledger).person(agency, employee_id).live_record(record_id)
            changes: dict[str, Any] = {}
            if day != record.completed_on:
                changes["completed_on"] = day
            if course_title.strip() != record.course_title:
                changes["course_title"] = course_title.strip()
            if total != record.hours:
                changes["hours"] = hours.strip()
            if not changes:
                errors.add("", "The correction changes nothing: change a field, or leave it.")
            else:
                ledger.correct_training(
                    agency, employee_id, record_id, reason=reason,
                    actor=principal_of(request).actor, **changes,
                )  # fmt: skip
                return _done(agency, employee_id, "corrected")
        except LedgerError as refused:
            fields = ("reason", "completed_on", "course_title", "hours")
            errors.add(field_of(refused, fields, "completed_on"), sentence(str(refused)))
    return manage_page(
        request, agency, employee_id, errors=errors, form=key, typed=typed, status=422
    )


@web_route(router, "POST", f"{_PATH}/records/{{record_id}}/void", _WRITE)
def void(
    request: Request,
    agency: str,
    employee_id: str,
    record_id: UUID,
    reason: str = Form("", max_length=500),
) -> Response:
    ledger = services(request).ledger
    key = f"void-{record_id}"
    errors = FormErrors()
    if not reason.strip():
        errors.add("reason", "Say why the record is voided.")
    else:
        try:
            ledger.void_training(
                agency, employee_id, record_id, reason=reason, actor=principal_of(request).actor
            )
            return _done(agency, employee_id, "voided")
        except LedgerError as refused:
            errors.add("", sentence(str(refused)))
    typed = {"reason": reason}
    return manage_page(
        request, agency, employee_id, errors=errors, form=key, typed=typed, status=422
    )


@web_route(router, "POST", f"{_PATH}/status", _WRITE)
def change_status(
    request: Request,
    agency: str,
    employee_id: str,
    action: str = Form("", max_length=40),
    effective_on: str = Form("", max_length=40),
    reason: str = Form("", max_length=500),
    expected_return: str = Form("", max_length=40),
) -> Response:
    ledger = services(request).ledger
    typed = {"action": action, "effective_on": effective_on, "reason": reason,
             "expected_return": expected_return}  # fmt: skip
    errors = FormErrors()
    if action not in ACTIONS:
        errors.add("action", "Choose what happens.")
    day = parse_day(errors, "effective_on", effective_on, "the day it takes effect")
    back: date | None = None
    if expected_return.strip():
        back = parse_day(errors, "expected_return", expected_return, "the expected return")
    if not errors and day is not None:
        try:
            ledger.change_status(
                agency,
                employee_id,
                status=ACTIONS[action][0],
                effective_on=day,
                reason=reason,
                expected_return=back,
                actor=principal_of(request).actor,
            )
            return _done(agency, employee_id, "status")
        except LedgerError as refused:
            message = str(refused)
            where = field_of(refused, ("reason", "effective_on", "expected_return"), "effective_on")
            if "expected return" in message:
                where = "expected_return"
            elif "leave needs a reason" in message:
                where = "reason"
            elif not where and ("already" in message or "hired" in message):
                where = "effective_on" if "hired" in message else "action"
            errors.add(where, sentence(message))
    return manage_page(request, agency, employee_id, errors=errors, form="status", typed=typed,
                 status=422)  # fmt: skip


def _relief_choices() -> dict[str, str]:
    from api.web.relief_forms import RELIEF

    return RELIEF
