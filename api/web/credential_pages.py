"""The credential type admin page (issue 17): every type with its versions as known at
``known_at``; a coordinator defines a type, changes it by a new full version with a
reason, or retires it. The same use cases as the CLI and the API
(``Ledger.define_credential_type``, ``change_credential_type``,
``retire_credential_type``). Every POST carries the session's CSRF token; a refused form
is shown again with each message beside its field and appends nothing. The range-day
roster is ``api.web.qualification_pages``."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.http.policy import AGENCY_WIDE, Policy, Scope
from api.http.services import services
from api.http.write_route import COORDINATORS, agency_today
from api.web.base import principal_of, render, security_headers, web_route
from api.web.form_errors import FormErrors, field_of, parse_day, sentence
from api.web.programme import programme_of
from api.web.timetravel import time_travel
from ledger.application import Ledger
from ledger.credential_cases import EARNED_BY, VALIDITY, spec_field
from ledger.errors import LedgerError, NotFoundError
from projections.credentials.programme import CredentialTypeVersion, Programme

__all__ = ["router"]

router = APIRouter(tags=["web"])

_TYPES = "/agencies/{agency}/credential-types"
_READ = Policy(Scope.AGENCY, AGENCY_WIDE, audit="read.credential_types")
_WRITE = Policy(Scope.AGENCY, COORDINATORS, statuses=(404, 409))
_SPLIT = re.compile(r"[\s,;]+")
# The form's fields other than the type version's (``ledger.credential_cases.SPEC_FIELDS``),
# in the order a ledger message is searched for them.
_OTHER_FIELDS = ("weapon_class", "reason", "effective_on")


def _types(programme: Programme) -> list[dict[str, Any]]:
    found = []
    for type_id in programme.type_ids:
        versions = sorted(
            (v for v in programme.type_versions if v.type_id == type_id), key=lambda v: v.version
        )
        found.append({"type_id": type_id, "latest": versions[-1], "versions": versions})
    return found


def _is_coordinator(request: Request, agency: str) -> bool:
    return any(g.role in COORDINATORS and g.agency == agency for g in principal_of(request).grants)


def _typed_from(version: CredentialTypeVersion) -> dict[str, str]:
    def number(value: object) -> str:
        return "" if value is None else str(value)

    return {
        "type_id": version.type_id,
        "name": version.name,
        "holders": ", ".join(version.holders),
        "earned_by": version.earned_by,
        "validity": version.validity,
        "validity_months": str(version.validity_months or ""),
        "passing_score": number(version.passing_score),
        "max_score": number(version.max_score),
        "renewal_days": str(version.renewal_days),
        "warning_days": str(version.warning_days),
        "per_weapon": "on" if version.per_weapon else "",
        "weapon_classes": ", ".join(version.weapon_classes),
        "topics": ", ".join(version.topics),
        "hours_required": number(version.hours_required),
        "hours_window_months": str(version.hours_window_months or ""),
    }


def _types_page(
    request: Request,
    agency: str,
    *,
    errors: FormErrors | None = None,
    form: str = "",
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    travel = time_travel(request)
    programme, used = programme_of(request, agency)
    as_of = travel.as_of or agency_today(services(request).ledger, agency)
    types = _types(programme)
    for t in types:
        t["in_force"] = programme.type_on(t["type_id"], as_of)
    done = request.query_params.get("done", "")
    context: dict[str, Any] = {
        "title": "Credential types",
        "agency": agency,
        "types": types,
        "can_write": _is_coordinator(request, agency) and not travel.travelling,
        "errors": errors or FormErrors(),
        "form": form,
        "error_prefix": _prefix(form),
        "typed": typed or {},
        "earned_by": EARNED_BY,
        "validity": VALIDITY,
        "notice": {
            "defined": "Defined.",
            "changed": "A new version is recorded.",
            "retired": "Retired.",
        }.get(done, ""),
        "change_of": request.query_params.get("change", ""),
        "latest_typed": {t["type_id"]: _typed_from(t["latest"]) for t in types},
    }
    return render(
        request,
        "credential_types.html",
        context,
        status,
        travel=travel.showing(as_of.isoformat(), used.isoformat()),
    )


def _prefix(form: str) -> str:
    """The id prefix of the form a refusal is shown in (each type has its own forms)."""
    kind, _, type_id = form.partition(":")
    return {"define": "d-", "change": f"c-{type_id}-", "retire": f"r-{type_id}-"}.get(kind, "")


@web_route(router, "GET", _TYPES, _READ)
def types_page(request: Request, agency: str) -> Response:
    return _types_page(request, agency)


def _whole(errors: FormErrors, name: str, text: str, default: int) -> int:
    value = text.strip()
    if not value:
        return default
    if not value.isdigit():
        errors.add(name, f"{value!r} is not a whole number of days or months.")
        return default
    return int(value)


def _type_field(refused: LedgerError) -> str:
    found = spec_field(refused)
    if found is not None:
        return found
    return field_of(refused, ("type_id", *_OTHER_FIELDS), "effective_on")


def _spec(errors: FormErrors, fields: dict[str, str]) -> dict[str, Any]:
    return {
        "name": fields["name"],
        "holders": [h for h in _SPLIT.split(fields["holders"]) if h],
        "earned_by": fields["earned_by"],
        "validity": fields["validity"],
        "validity_months": _whole(errors, "validity_months", fields["validity_months"], 0),
        "passing_score": fields["passing_score"].strip() or None,
        "max_score": fields["max_score"].strip() or None,
        "renewal_days": _whole(errors, "renewal_days", fields["renewal_days"], 0),
        "warning_days": _whole(errors, "warning_days", fields["warning_days"], 30),
        "per_weapon": bool(fields["per_weapon"]),
        "weapon_classes": [c for c in _SPLIT.split(fields["weapon_classes"]) if c],
        "topics": [t for t in _SPLIT.split(fields["topics"]) if t],
        "hours_required": fields["hours_required"].strip() or None,
        "hours_window_months": _whole(
            errors, "hours_window_months", fields["hours_window_months"], 0
        ),
    }


def _type_form(
    name: str = Form("", max_length=200),
    holders: str = Form("", max_length=2000),
    earned_by: str = Form("", max_length=40),
    validity: str = Form("", max_length=40),
    validity_months: str = Form("", max_length=20),
    passing_score: str = Form("", max_length=20),
    max_score: str = Form("", max_length=20),
    renewal_days: str = Form("", max_length=20),
    warning_days: str = Form("", max_length=20),
    per_weapon: str = Form("", max_length=10),
    weapon_classes: str = Form("", max_length=500),
    topics: str = Form("", max_length=2000),
    hours_required: str = Form("", max_length=20),
    hours_window_months: str = Form("", max_length=20),
) -> dict[str, str]:
    """The fields of a type version's form (define and change share them), as typed."""
    return {
        "name": name,
        "holders": holders,
        "earned_by": earned_by,
        "validity": validity,
        "validity_months": validity_months,
        "passing_score": passing_score,
        "max_score": max_score,
        "renewal_days": renewal_days,
        "warning_days": warning_days,
        "per_weapon": per_weapon,
        "weapon_classes": weapon_classes,
        "topics": topics,
        "hours_required": hours_required,
        "hours_window_months": hours_window_months,
    }


_TYPE_FORM = Depends(_type_form)


def _back(agency: str, done: str) -> Response:
    target = f"/agencies/{quote(agency, safe='')}/credential-types?{urlencode({'done': done})}"
    return security_headers(RedirectResponse(target, 303))


def _run(ledger: Ledger, errors: FormErrors, action: Any) -> bool:
    """Run one write; a refusal is said beside its field. True when it was recorded."""
    try:
        action()
    except NotFoundError as missing:
        errors.add("type_id", sentence(str(missing)))
    except LedgerError as refused:
        errors.add(_type_field(refused), sentence(str(refused)))
    return not errors


@web_route(router, "POST", _TYPES, _WRITE)
def define_type(
    request: Request,
    agency: str,
    type_id: str = Form("", max_length=80),
    effective_on: str = Form("", max_length=40),
    fields: dict[str, str] = _TYPE_FORM,
) -> Response:
    typed = {**fields, "type_id": type_id, "effective_on": effective_on}
    errors = FormErrors()
    day = parse_day(errors, "effective_on", effective_on, "the day it takes effect")
    spec = _spec(errors, fields)
    ledger = services(request).ledger
    if not errors and day is not None:
        actor = principal_of(request).actor
        if _run(
            ledger,
            errors,
            lambda: ledger.define_credential_type(
                agency, type_id, effective_on=day, actor=actor, **spec
            ),
        ):
            return _back(agency, "defined")
    return _types_page(request, agency, errors=errors, form="define", typed=typed, status=422)


@web_route(router, "POST", f"{_TYPES}/{{type_id}}", _WRITE)
def change_type(
    request: Request,
    agency: str,
    type_id: str,
    effective_on: str = Form("", max_length=40),
    reason: str = Form("", max_length=500),
    fields: dict[str, str] = _TYPE_FORM,
) -> Response:
    typed = {**fields, "type_id": type_id, "effective_on": effective_on, "reason": reason}
    errors = FormErrors()
    day = parse_day(errors, "effective_on", effective_on, "the day the new version takes effect")
    if not reason.strip():
        errors.add("reason", "Say why the type changes (kept with the new version).")
    spec = _spec(errors, fields)
    ledger = services(request).ledger
    if not errors and day is not None:
        actor = principal_of(request).actor
        if _run(
            ledger,
            errors,
            lambda: ledger.change_credential_type(
                agency, type_id, effective_on=day, reason=reason, actor=actor, **spec
            ),
        ):
            return _back(agency, "changed")
    return _types_page(
        request, agency, errors=errors, form=f"change:{type_id}", typed=typed, status=422
    )


@web_route(router, "POST", f"{_TYPES}/{{type_id}}/retire", _WRITE)
def retire_type(
    request: Request,
    agency: str,
    type_id: str,
    effective_on: str = Form("", max_length=500),
    reason: str = Form("", max_length=500),
) -> Response:
    typed = {"effective_on": effective_on, "reason": reason}
    errors = FormErrors()
    day = parse_day(errors, "effective_on", effective_on, "the day it is retired from")
    if not reason.strip():
        errors.add("reason", "Say why the type is retired.")
    ledger = services(request).ledger
    if not errors and day is not None:
        actor = principal_of(request).actor
        if _run(
            ledger,
            errors,
            lambda: ledger.retire_credential_type(
                agency, type_id, effective_on=day, reason=reason, actor=actor
            ),
        ):
            return _back(agency, "retired")
    return _types_page(
        request, agency, errors=errors, form=f"retire:{type_id}", typed=typed, status=422
    )
