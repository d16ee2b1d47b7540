"""Account administration for admins in the browser: every account and its grants; open
an account with a password; grant a role; revoke a grant with a reason; set a forgotten
password; erase every secret of an account (after a confirm step; never one's own). The
same use cases as ``muster account`` and the API's ``/api/v1/accounts`` (grants and
revocations are ledger events; password hashes and the other secrets are rows of the
secrets table, never events; the password and erase forms call ``api.http.account_admin``,
as the API's routes do)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.http.account_admin import erase_secrets, set_forgotten_password
from api.http.errors import ApiError
from api.http.passwords import check_new_password, hash_password
from api.http.policy import Policy, Scope
from api.http.routes.own_account import source_of
from api.http.services import services
from api.web.base import principal_of, render, security_headers, web_route
from api.web.form_errors import FormErrors, parse_day, sentence
from ledger.account import Role
from ledger.accounts import get_account, grant_role, list_accounts, open_account, revoke_role
from ledger.errors import LedgerError

__all__ = ["router"]

router = APIRouter(tags=["web"])

ADMIN = Policy(Scope.ACCOUNTS, frozenset({Role.ADMIN}))
_PATH = "/admin/accounts"


def _page(
    request: Request,
    errors: FormErrors | None = None,
    form: str = "",
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "title": "Accounts",
        "hide_travel": True,
        "accounts": list_accounts(services(request).ledger),
        "roles": [r.value for r in Role],
        "errors": errors or FormErrors(),
        "form": form,
        "typed": typed or {},
        "done": _DONE.get(request.query_params.get("done", ""), ""),
        "me": principal_of(request).username,
    }
    return render(request, "accounts.html", context, status)


# A message shown after a reset, not a password (bandit reads the name as one).
_PASSWORD_SET = "the new password is set; that account's browser sessions have ended"  # nosec B105

# What the notice after a change says (the query names one of these, nothing else shows).
_DONE = {
    "opened": "opened",
    "granted": "granted",
    "revoked": "revoked",
    "password": _PASSWORD_SET,
    "erased": "every secret of that account is erased; it can no longer sign in",
}


def _done(what: str) -> Response:
    return security_headers(RedirectResponse(f"{_PATH}?done={what}", 303))


@web_route(router, "GET", _PATH, ADMIN)
def accounts_page(request: Request) -> Response:
    return _page(request)


@web_route(router, "POST", _PATH, ADMIN)
def open_new(
    request: Request,
    username: str = Form("", max_length=64),
    display_name: str = Form("", max_length=200),
    password: str = Form("", max_length=256),
) -> Response:
    svc = services(request)
    typed = {"username": username, "display_name": display_name}
    errors = FormErrors()
    problem = check_new_password(password)
    if problem is not None:
        errors.add("password", sentence(problem))
    if not errors:
        try:
            account = open_account(svc.ledger, username, display_name,
                                   actor=principal_of(request).actor)  # fmt: skip
        except LedgerError as refused:
            message = str(refused)
            where = "display_name" if message.startswith("display_name") else "username"
            errors.add(where, sentence(message))
        else:
            svc.accounts.set_password(account.id, hash_password(password), svc.now())
            return _done("opened")
    return _page(request, errors, "open", typed, 422)


@web_route(router, "POST", f"{_PATH}/{{username}}/grants", ADMIN)
def grant(
    request: Request,
    username: str,
    role: str = Form("", max_length=40),
    agency: str = Form("", max_length=100),
    unit: str = Form("", max_length=200),
    employee_id: str = Form("", max_length=100),
    expires_on: str = Form("", max_length=40),
) -> Response:
    typed = {"role": role, "agency": agency, "unit": unit, "employee_id": employee_id,
             "expires_on": expires_on}  # fmt: skip
    errors = FormErrors()
    expires: date | None = None
    if expires_on.strip():
        expires = parse_day(errors, "expires_on", expires_on, "the expiry")
    if not errors:
        try:
            grant_role(services(request).ledger, username, role,
                       actor=principal_of(request).actor, agency=agency.strip(),
                       unit=unit.strip(), employee_id=employee_id.strip(),
                       expires_on=expires)  # fmt: skip
            return _done("granted")
        except LedgerError as refused:
            message = str(refused)
            first = message.split(" ", 1)[0].rstrip(":")
            where = first if first in typed else ("agency" if "agency" in message else "")
            if "expir" in message:
                where = "expires_on"
            errors.add(where, sentence(message))
    return _page(request, errors, f"grant-{username}", typed, 422)


@web_route(router, "POST", f"{_PATH}/{{username}}/grants/{{grant_id}}/revoke", ADMIN)
def revoke(
    request: Request, username: str, grant_id: UUID, reason: str = Form("", max_length=500)
) -> Response:
    errors = FormErrors()
    if not reason.strip():
        errors.add("reason", "Say why the grant is revoked.")
    else:
        try:
            revoke_role(services(request).ledger, username, grant_id,
                        actor=principal_of(request).actor, reason=reason)  # fmt: skip
            return _done("revoked")
        except LedgerError as refused:
            errors.add("", sentence(str(refused)))
    return _page(request, errors, f"revoke-{grant_id}", {"reason": reason}, 422)


@web_route(router, "POST", f"{_PATH}/{{username}}/password", ADMIN)
def set_password(
    request: Request, username: str, password: str = Form("", max_length=256)
) -> Response:
    """Set a forgotten password (``account_admin.set_forgotten_password``)."""
    svc = services(request)
    account = get_account(svc.ledger, username)
    try:
        set_forgotten_password(svc, account, password, actor=principal_of(request).actor,
                               source=source_of(request))  # fmt: skip
    except ApiError as refused:
        errors = FormErrors()
        errors.add(refused.field or "", sentence(refused.message))
        return _page(request, errors, f"password-{account.username}", {}, refused.status)
    return _done("password")


@web_route(router, "POST", f"{_PATH}/{{username}}/erase", ADMIN)
def erase(request: Request, username: str, confirmed: str = Form("", max_length=10)) -> Response:
    """Erase every secret of an account: the first post shows what will go and asks;
    the confirming one (``confirmed=yes``) erases (``account_admin.erase_secrets``)."""
    svc = services(request)
    account = get_account(svc.ledger, username)
    principal = principal_of(request)
    if confirmed != "yes":
        context: dict[str, Any] = {
            "title": f"Erase the secrets of {account.username}",
            "hide_travel": True,
            "account": account,
            "tokens": [t for t in svc.accounts.tokens(account.id) if t.revoked_at is None],
            "own": account.id == principal.account_id,
        }
        return render(request, "account_erase.html", context)
    try:
        erase_secrets(svc, account, principal.account_id, actor=principal.actor,
                      source=source_of(request))  # fmt: skip
    except ApiError as refused:
        errors = FormErrors()
        errors.add("", sentence(refused.message))
        return _page(request, errors, f"erase-{account.username}", {}, refused.status)
    return _done("erased")
