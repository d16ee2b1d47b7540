"""The coordinator's licence-renewal and relief forms on one person's manage page
(``api.web.person_forms``): a licence renewal, and an exemption (military or medical
leave, administrative), a waiver or an extension, each with its reason and approver.
The same use cases as the CLI's (``Ledger.renew_license``, ``grant_exemption``,
``grant_waiver``, ``grant_extension``); a refused form is shown again with the message
beside its field and appends nothing."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.http.policy import Policy, Scope
from api.http.services import services
from api.http.write_route import COORDINATORS
from api.web.base import principal_of, security_headers, web_route
from api.web.form_errors import FormErrors, parse_day, sentence
from api.web.person_forms import manage_page
from ledger.errors import LedgerError
from ledger.vocabulary import ExemptionKind

__all__ = ["RELIEF", "router"]

router = APIRouter(tags=["web"])

_PATH = "/agencies/{agency}/people/{employee_id}/manage"
_WRITE = Policy(Scope.PERSON, COORDINATORS, statuses=(404, 409))
RELIEF = {
    **{f"exemption:{k.value}": f"Exemption: {k.value.replace('_', ' ')}" for k in ExemptionKind},
    "waiver": "Waiver",
    "extension": "Extension of a deadline",
}


def _done(agency: str, employee_id: str) -> Response:
    path = f"/agencies/{quote(agency, safe='')}/people/{quote(employee_id, safe='')}/manage"
    return security_headers(RedirectResponse(f"{path}?{urlencode({'done': 'status'})}", 303))


@web_route(router, "POST", f"{_PATH}/licence", _WRITE)
def renew_licence(
    request: Request,
    agency: str,
    employee_id: str,
    renewed_on: str = Form("", max_length=40),
    period_end: str = Form("", max_length=40),
    license_number: str = Form("", max_length=100),
) -> Response:
    ledger = services(request).ledger
    typed = {"renewed_on": renewed_on, "period_end": period_end, "license_number": license_number}
    errors = FormErrors()
    day = parse_day(errors, "renewed_on", renewed_on, "the renewal date")
    end = parse_day(errors, "period_end", period_end, "the new period end")
    if not errors and day is not None and end is not None:
        try:
            ledger.renew_license(
                agency, employee_id, renewed_on=day, period_end=end,
                license_number=license_number.strip() or None,
                actor=principal_of(request).actor,
            )  # fmt: skip
            return _done(agency, employee_id)
        except LedgerError as refused:
            message = str(refused)
            where = "renewed_on" if "renewal date" in message else "period_end"
            errors.add(where if "licence" not in message else "", sentence(message))
    return manage_page(request, agency, employee_id, errors=errors, form="licence",
                       typed=typed, status=422)  # fmt: skip


@web_route(router, "POST", f"{_PATH}/relief", _WRITE)
def grant_relief(
    request: Request,
    agency: str,
    employee_id: str,
    what: str = Form("", max_length=60),
    starts_on: str = Form("", max_length=40),
    ends_on: str = Form("", max_length=40),
    reason: str = Form("", max_length=500),
    approver: str = Form("", max_length=200),
) -> Response:
    ledger = services(request).ledger
    typed = {"what": what, "starts_on": starts_on, "ends_on": ends_on, "reason": reason,
             "approver": approver}  # fmt: skip
    errors = FormErrors()
    if what not in RELIEF:
        errors.add("what", "Choose an exemption, a waiver or an extension.")
    start = parse_day(errors, "starts_on", starts_on, "the day it starts (or is granted)")
    end: date | None = None
    if ends_on.strip() or what in ("waiver", "extension"):
        label = "the new deadline" if what == "extension" else "the day it ends"
        end = parse_day(errors, "ends_on", ends_on, label)
    if not reason.strip():
        errors.add("reason", "Say why it is granted.")
    if not approver.strip():
        errors.add("approver", "Say who approved it.")
    if not errors and start is not None:
        actor = principal_of(request).actor
        try:
            if what == "waiver" and end is not None:
                ledger.grant_waiver(agency, employee_id, starts_on=start, ends_on=end,
                                    reason=reason, approver=approver, actor=actor)  # fmt: skip
            elif what == "extension" and end is not None:
                ledger.grant_extension(agency, employee_id, granted_on=start, new_deadline=end,
                                       reason=reason, approver=approver, actor=actor)  # fmt: skip
            else:
                ledger.grant_exemption(agency, employee_id, kind=what.partition(":")[2],
                                       starts_on=start, ends_on=end, reason=reason,
                                       approver=approver, actor=actor)  # fmt: skip
            return _done(agency, employee_id)
        except LedgerError as refused:
            message = str(refused)
            if "start" in message or "grant date" in message:
                where = "starts_on"
            elif "end" in message or "deadline" in message:
                where = "ends_on"
            else:
                where = ""
            errors.add(where, sentence(message))
    return manage_page(request, agency, employee_id, errors=errors, form="relief", typed=typed,
                       status=422)  # fmt: skip
