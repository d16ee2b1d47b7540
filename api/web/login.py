"""Logging in and out in the browser, the landing redirect, the account page and the
stylesheet.

The login form is the API's login (``check_login``: the same lockout, 5 failures → 15
minutes, the same second factor where the account's roles need one, and the same
read-audit entries); a success opens a session whose cookie is
``Secure; HttpOnly; SameSite=Strict`` and whose secret is kept only hashed. The form is
protected by a double-submit token; logout is a POST with the session's token.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from importlib import resources
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.http.authentication import check_login, grants_in_force
from api.http.errors import ApiError
from api.http.policy import Policy, Scope
from api.http.services import services
from api.web.base import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    principal_of,
    render,
    security_headers,
    web_route,
)
from api.web.navigation import home_path
from ledger.accounts import get_account_by_id

__all__ = ["SESSION_HOURS", "router"]

router = APIRouter(tags=["web"])

SESSION_HOURS = 12  # a browser session lasts one shift


def _safe_next(target: str) -> str:
    """Only a path of this site (no scheme, no host, no ``//``): no open redirect."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return ""
    if "\\" in target:
        return ""
    return target


def _login_page(
    request: Request,
    status: int = 200,
    error: str = "",
    username: str = "",
    ask_code: bool = False,
) -> Response:
    token = secrets.token_urlsafe(24)
    page = render(
        request,
        "login.html",
        {
            "title": "Log in",
            "login_token": token,
            "csrf_name": CSRF_FIELD,
            "error": error,
            "username": username,
            "ask_code": ask_code,
            "next": _safe_next(request.query_params.get("next", "")),
        },
        status,
    )
    page.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        path="/login",
        secure=True,
        httponly=True,
        samesite="strict",
    )
    return page


@web_route(router, "GET", "/login", Policy(Scope.PUBLIC))
def login_form(request: Request) -> Response:
    return _login_page(request)


@web_route(router, "POST", "/login", Policy(Scope.PUBLIC, statuses=(401, 429)))
def login(
    request: Request,
    username: str = Form("", max_length=64),
    password: str = Form("", max_length=256),
    totp: str = Form("", max_length=16),
    next_path: str = Form("", alias="next", max_length=500),
) -> Response:
    svc = services(request)
    name = username.strip().lower()
    if not name or not password:
        return _login_page(request, 422, "Enter your username and password.", name)
    try:
        source = request.client.host if request.client else ""
        account = check_login(svc, name, password, totp.strip() or None, source)
    except ApiError as refused:
        ask_code = refused.code in ("totp_required", "bad_credentials") and bool(totp)
        if refused.status == 429:
            message = "Too many failed logins: this username is locked for 15 minutes."
        elif refused.code == "totp_required":
            message = "Enter the 6-digit code from your authenticator app."
            ask_code = True
        elif refused.code == "totp_not_enrolled":
            message = (
                "Your role needs a second factor: ask an administrator to run "
                "muster account totp for your account."
            )
        elif refused.code == "totp_unreadable":
            message = (
                "Your second factor cannot be read on this server: ask an administrator "
                "to reset it."
            )
        elif ask_code:
            message = "Wrong username, password or code."
        else:
            message = "Wrong username or password."
        page = _login_page(request, refused.status, message, name, ask_code)
        for header, value in (refused.headers or {}).items():
            page.headers[header] = value
        return page
    now = svc.now()
    _, cookie = svc.accounts.issue_session(account.id, now, now + timedelta(hours=SESSION_HOURS))
    from api.http.policy import Principal

    principal = Principal(account.id, account.username, grants_in_force(svc, account, now))
    target = _safe_next(next_path) or home_path(principal)
    response = security_headers(RedirectResponse(target, 303))
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=SESSION_HOURS * 3600,
        path="/",
        secure=True,
        httponly=True,
        samesite="strict",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@web_route(router, "POST", "/logout", Policy(Scope.SELF))
def logout(request: Request) -> Response:
    svc = services(request)
    svc.accounts.end_session(request.cookies.get(SESSION_COOKIE, ""), svc.now())
    response = security_headers(RedirectResponse("/login", 303))
    response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True, samesite="strict")
    return response


@web_route(router, "GET", "/", Policy(Scope.SELF))
def home(request: Request) -> Response:
    return security_headers(RedirectResponse(home_path(principal_of(request)), 303))


@web_route(router, "GET", "/account", Policy(Scope.SELF))
def account_page(request: Request) -> Response:
    principal = principal_of(request)
    account = get_account_by_id(services(request).ledger, principal.account_id)
    return render(
        request,
        "account.html",
        {"title": "Your account", "account": account, "grants": principal.grants},
    )


_CSS: dict[str, bytes] = {}


@web_route(router, "GET", "/static/muster.css", Policy(Scope.PUBLIC))
def stylesheet(request: Request) -> Response:
    """The one stylesheet, written for muster (no third-party CSS, nothing fetched)."""
    if not _CSS:
        _CSS["muster"] = resources.files("api.web").joinpath("static/muster.css").read_bytes()
    response = Response(_CSS["muster"], media_type="text/css")
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
