"""The range-day qualification roster (issue 17): one credential type, one date, one
instructor and weapon model, many officers each with pass or fail, score and serial,
saved as one unit (all or none) through ``Ledger.record_qualification``, the CLI's and
the API's use case. A refused roster is shown again with each message beside its row's
field and appends nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from api.http.policy import Policy, Scope
from api.http.services import services
from api.http.write_route import COORDINATORS, agency_today
from api.web.base import principal_of, render, security_headers, web_route
from api.web.form_errors import FormErrors, parse_day, sentence
from api.web.programme import programme_of
from ledger.errors import FutureEffectiveDateError, LedgerError, NotFoundError
from projections.credentials.programme import CredentialTypeVersion, Programme

__all__ = ["MAX_ROSTER_ROWS", "router"]

router = APIRouter(tags=["web"])

_ROSTER = "/agencies/{agency}/qualifications"
MAX_ROSTER_ROWS = 100
_DEFAULT_ROWS = 8


def _qualification_types(programme: Programme, day: date) -> list[CredentialTypeVersion]:
    found = []
    for type_id in programme.type_ids:
        version = programme.type_on(type_id, day)
        if version is not None and not version.retired and version.earned_by == "qualification":
            found.append(version)
    return found


def _roster_page(
    request: Request,
    agency: str,
    *,
    errors: FormErrors | None = None,
    typed: dict[str, str] | None = None,
    rows: list[dict[str, str]] | None = None,
    status: int = 200,
) -> Response:
    ledger = services(request).ledger
    today = agency_today(ledger, agency)
    programme, _ = programme_of(request, agency)
    wanted = request.query_params.get("rows", "")
    count = min(int(wanted), MAX_ROSTER_ROWS) if wanted.isdigit() and int(wanted) > 0 else 0
    shown = rows or []
    count = max(count, len(shown), _DEFAULT_ROWS)
    shown = shown + [{"employee": "", "result": "pass", "score": "", "serial": ""}] * (
        count - len(shown)
    )
    more = min(count + _DEFAULT_ROWS, MAX_ROSTER_ROWS)
    return render(
        request,
        "qualification_roster.html",
        {
            "title": "Range day: record qualifications",
            "hide_travel": True,
            "agency": agency,
            "types": _qualification_types(programme, today),
            "errors": errors or FormErrors(),
            "typed": typed or {"on": today.isoformat()},
            "rows": shown,
            "more_href": f"?{urlencode({'rows': more})}" if count < MAX_ROSTER_ROWS else "",
            "recorded": request.query_params.get("recorded", ""),
            "passed": request.query_params.get("passed", ""),
            "max_rows": MAX_ROSTER_ROWS,
        },
        status,
    )


@web_route(router, "GET", _ROSTER, Policy(Scope.AGENCY, COORDINATORS))
def roster_form(request: Request, agency: str, rows: str = Query("", max_length=4)) -> Response:
    return _roster_page(request, agency)


# The ledger's name of a refused input, as the roster form names its field.
_ROW_FIELDS = {
    "weapon": "weapon_class",
    "weapon_class": "weapon_class",
    "score": "score",
    "serial": "serial",
    "on": "on",
    "instructor": "instructor",
    "credential_type": "credential_type",
    "result": "result",
}


def _row_field(refused: LedgerError) -> str:
    """Which field of a roster row (or the shared fields) a refusal is about."""
    if isinstance(refused, FutureEffectiveDateError):
        return "on"
    return _ROW_FIELDS.get(refused.field or "", "")


_SHARED = frozenset({"credential_type", "on", "instructor", "weapon_class"})


def _rows_of(
    employee: Sequence[str], result: Sequence[str], score: Sequence[str], serial: Sequence[str]
) -> list[dict[str, str]]:
    count = max(len(employee), len(result), len(score), len(serial))

    def at(values: Sequence[str], i: int, default: str = "") -> str:
        return values[i] if i < len(values) else default

    return [
        {
            "employee": at(employee, i).strip(),
            "result": at(result, i, "pass"),
            "score": at(score, i).strip(),
            "serial": at(serial, i).strip(),
        }
        for i in range(min(count, MAX_ROSTER_ROWS + 1))
    ]


@web_route(router, "POST", _ROSTER, Policy(Scope.AGENCY, COORDINATORS, statuses=(404, 409)))
def record_roster(
    request: Request,
    agency: str,
    credential_type: str = Form("", max_length=80),
    on: str = Form("", max_length=40),
    instructor: str = Form("", max_length=200),
    weapon_class: str = Form("", max_length=80),
    make_model: str = Form("", max_length=200),
    employee: list[str] = Form([]),
    result: list[str] = Form([]),
    score: list[str] = Form([]),
    serial: list[str] = Form([]),
) -> Response:
    """Every row's attempt, or none: each refusal is said beside its row's field."""
    ledger = services(request).ledger
    typed = {
        "credential_type": credential_type,
        "on": on,
        "instructor": instructor,
        "weapon_class": weapon_class,
        "make_model": make_model,
    }
    rows = _rows_of(employee, result, score, serial)
    errors = FormErrors()
    if not credential_type.strip():
        errors.add("credential_type", "Choose the credential type qualified for.")
    day = parse_day(errors, "on", on, "the range day")
    if not instructor.strip():
        errors.add("instructor", "Enter the instructor's name.")
    if len(rows) > MAX_ROSTER_ROWS:
        errors.add("", f"At most {MAX_ROSTER_ROWS} officers at once.")
        rows = rows[:MAX_ROSTER_ROWS]
    filled = [(i, r) for i, r in enumerate(rows) if r["employee"] or r["score"] or r["serial"]]
    if not filled:
        errors.add("row0-employee", "Enter at least one officer's employee id.")
    seen: dict[str, int] = {}
    for i, row in filled:
        if not row["employee"]:
            errors.add(f"row{i}-employee", "Enter the employee id (or clear the row).")
        elif row["employee"] in seen:
            errors.add(f"row{i}-employee", f"Listed twice (also row {seen[row['employee']] + 1}).")
        else:
            seen[row["employee"]] = i
        if row["result"] not in ("pass", "fail"):
            errors.add(f"row{i}-result", "Choose pass or fail.")
    if day is not None and credential_type.strip() and instructor.strip():
        uow = ledger.unit_of_work()
        actor = principal_of(request).actor
        for i, row in filled:
            if not row["employee"] or errors.get(f"row{i}-employee"):
                continue
            try:
                ledger.record_qualification(
                    agency,
                    row["employee"],
                    credential_type=credential_type.strip(),
                    on=day,
                    result=row["result"],
                    instructor=instructor,
                    actor=actor,
                    score_value=row["score"] or None,
                    weapon=(weapon_class.strip(), make_model.strip(), row["serial"])
                    if weapon_class.strip() or row["serial"]
                    else ("", "", ""),
                    uow=uow,
                )
            except NotFoundError as missing:
                if "credential type" in str(missing):
                    errors.add("credential_type", sentence(str(missing)))
                else:
                    errors.add(f"row{i}-employee", "No one in this agency has this employee id.")
            except LedgerError as refused:
                where = _row_field(refused)
                name = where if where in _SHARED else f"row{i}-{where or 'employee'}"
                errors.add(name, sentence(str(refused)))
        if not errors:
            uow.save()
            passed = sum(1 for _, r in filled if r["result"] == "pass")
            query = urlencode({"recorded": len(filled), "passed": passed})
            target = f"/agencies/{quote(agency, safe='')}/qualifications?{query}"
            return security_headers(RedirectResponse(target, 303))
    return _roster_page(request, agency, errors=errors, typed=typed, rows=rows, status=422)
