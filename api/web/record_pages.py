"""The coordinator's form to record a completed training for one person or a whole class
roster at once: one course, one date, the same hours for every attendee listed, saved as
one unit (all attendees or none), by the use case the API's class route runs
(``Ledger.record_training``). A refused form is shown again with the message beside its
field and appends nothing."""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.http.policy import Policy, Scope
from api.http.services import services
from api.http.write_route import COORDINATORS
from api.web.base import principal_of, render, security_headers, web_route
from api.web.form_errors import FormErrors, field_of, parse_day, sentence
from ledger import fields
from ledger.errors import LedgerError, NotFoundError

__all__ = ["MAX_ATTENDEES", "router"]

router = APIRouter(tags=["web"])

MAX_ATTENDEES = 500  # as the API's class route
_PATH = "/agencies/{agency}/record"
_FIELDS = ("employees", "course_title", "completed_on", "hours", "topic", "provider")
_SPLIT = re.compile(r"[\s,;]+")


def _page(
    request: Request,
    agency: str,
    errors: FormErrors | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    recorded = request.query_params.get("recorded", "")
    ids = [i for i in request.query_params.get("ids", "").split(",") if i]
    return render(
        request,
        "record_training.html",
        {
            "title": "Record a completed training",
            "hide_travel": True,
            "agency": agency,
            "errors": errors or FormErrors(),
            "typed": typed or {},
            "recorded": recorded,
            "recorded_ids": ids,
            "course": request.query_params.get("course", ""),
        },
        status,
    )


@web_route(router, "GET", _PATH, Policy(Scope.AGENCY, COORDINATORS))
def record_form(request: Request, agency: str) -> Response:
    return _page(request, agency)


@web_route(router, "POST", _PATH, Policy(Scope.AGENCY, COORDINATORS, statuses=(404, 409)))
def record(
    request: Request,
    agency: str,
    employees: str = Form("", max_length=20_000),
    course_title: str = Form("", max_length=500),
    completed_on: str = Form("", max_length=40),
    hours: str = Form("", max_length=40),
    topic: str = Form("", max_length=200),
    provider: str = Form("", max_length=500),
) -> Response:
    ledger = services(request).ledger
    typed = {"employees": employees, "course_title": course_title,
             "completed_on": completed_on, "hours": hours, "topic": topic,
             "provider": provider}  # fmt: skip
    errors = FormErrors()
    ids = [i for i in _SPLIT.split(employees) if i]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if not ids:
        errors.add("employees", "Enter at least one employee id.")
    elif len(ids) > MAX_ATTENDEES:
        errors.add("employees", f"At most {MAX_ATTENDEES} attendees at once.")
    elif twice:
        errors.add("employees", f"Listed twice: {', '.join(twice)}.")
    else:
        unknown = []
        for employee_id in ids:
            try:
                ledger.get_person(agency, employee_id)
            except NotFoundError:
                unknown.append(employee_id)
        if unknown:
            errors.add("employees", f"No one in this agency has the employee id "
                       f"{', '.join(unknown)}.")  # fmt: skip
    if not course_title.strip():
        errors.add("course_title", "Enter the course title.")
    if not hours.strip():
        errors.add("hours", "Enter the credit hours, e.g. 4 or 1.5.")
    day = parse_day(errors, "completed_on", completed_on, "the day of the training")
    if hours.strip():
        try:
            fields.hours("hours", hours.strip())  # said even when no attendee is valid
        except LedgerError as refused:
            errors.add("hours", sentence(str(refused)))
    today = ledger.clock().date()
    if day is not None and day > today:
        errors.add("completed_on", f"{day.isoformat()} is after today ({today.isoformat()}).")
    valid = [] if "employees" in errors.messages else ids
    if valid and day is not None and course_title.strip() and hours.strip():
        uow = ledger.unit_of_work()
        actor = principal_of(request).actor
        try:
            for employee_id in valid:
                ledger.record_training(
                    agency,
                    employee_id,
                    completed_on=day,
                    course_title=course_title,
                    hours=hours.strip(),
                    topic_hours={topic.strip(): hours.strip()} if topic.strip() else None,
                    provider=provider,
                    actor=actor,
                    uow=uow,
                )
        except LedgerError as refused:
            where = field_of(refused, _FIELDS, "completed_on")
            errors.add(where if where != "topic_hours" else "topic", sentence(str(refused)))
        if not errors and valid:
            uow.save()
            query = urlencode({"recorded": len(valid), "ids": ",".join(valid[:20]),
                               "course": course_title.strip()})  # fmt: skip
            target = f"/agencies/{quote(agency, safe='')}/record?{query}"
            return security_headers(RedirectResponse(target, 303))
    return _page(request, agency, errors, typed, 422)
