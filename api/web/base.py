"""The dashboard's base: its templates (package data, autoescaped), the page layout, the
browser session's principal and the CSRF check. Pages build on these four:

- ``render(request, template, context, status=200)``: a page in the layout, with the
  caller's role-aware navigation, the time-travel controls and banner (``api.web.timetravel``)
  and the CSRF token for its forms;
- ``web_route(router, method, path, policy)``: ``api_route`` with the session cookie as the
  authenticator (every page declares the same ``Policy`` as the matching API route);
- ``principal_of(request)``: who is logged in (the guard has checked the policy);
- ``{{ csrf_field() }}`` in every form: ``web_route`` checks it on every POST, after the
  guard and before the route (a POST without the right token is 403 and appends nothing).

The session cookie is ``Secure; HttpOnly; SameSite=Strict``; its value is a secret kept
only as a SHA-256 row of the secrets table (``AccountStore.issue_session``). The CSRF
token of a session is derived from it (``sha256("csrf:" ‖ cookie)``): a page can put it
in a form, another site can neither read the cookie nor compute the token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Generic, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from api.http.errors import ApiError
from api.http.policy import Access, Policy, Principal, Scope, api_route
from api.http.services import Services
from api.web.navigation import navigation
from api.web.timetravel import TimeTravel, time_travel
from ledger.accounts import AccountNotFoundError, get_account_by_id

__all__ = [
    "CSRF_FIELD",
    "LOGIN_CSRF_COOKIE",
    "SESSION_COOKIE",
    "LoginRequiredError",
    "check_csrf",
    "csrf_token",
    "html_error",
    "principal_of",
    "render",
    "security_headers",
    "web_principal",
    "web_route",
]

SESSION_COOKIE = "muster_session"
LOGIN_CSRF_COOKIE = "muster_login_csrf"  # double-submit token of the login form
CSRF_FIELD = "csrf_token"


class LoginRequiredError(ApiError):
    """No live session: a page answers with a redirect to the login page."""

    def __init__(self) -> None:
        super().__init__(401, "login_required", "log in to see this page")


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("api.web", "templates"),
        autoescape=select_autoescape(["html", "svg"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["qty"] = quantity
    return env


def quantity(amount: object, unit: str) -> str:
    """``1 hour``, ``2.5 hours``, ``1 completion``: an amount with its unit, in words."""
    text = str(amount)
    singular = unit[:-1] if unit.endswith("s") else unit
    return f"{text} {singular if text in ('1', '1.0', '1.00') else unit}"


def web_principal(request: Request, svc: Services) -> Principal:
    """The principal of the request's session cookie (the dashboard's authenticator)."""
    cookie = request.cookies.get(SESSION_COOKIE, "")
    now = svc.now()
    account_id = svc.accounts.session_account(cookie, now) if cookie else None
    if account_id is None:
        raise LoginRequiredError
    try:
        account = get_account_by_id(svc.ledger, account_id)
    except AccountNotFoundError:
        raise LoginRequiredError from None
    from api.http.authentication import grants_in_force

    return Principal(account.id, account.username, grants_in_force(svc, account, now))


def csrf_token(request: Request) -> str:
    """The token forms of this session carry ('' without a session)."""
    cookie = request.cookies.get(SESSION_COOKIE, "")
    if not cookie:
        return ""
    return hashlib.sha256(f"csrf:{cookie}".encode()).hexdigest()


def check_csrf(request: Request, sent: str, expected: str) -> None:
    """403 unless ``sent`` is the ``expected`` token."""
    if not expected or not hmac.compare_digest(expected.encode(), (sent or "").encode()):
        raise ApiError(403, "csrf_failed", "this form has expired: reload the page and retry")


async def _session_csrf(request: Request) -> None:
    """Every POST of a logged-in page: the form carries this session's token."""
    form = await request.form()
    check_csrf(request, str(form.get(CSRF_FIELD, "")), csrf_token(request))


async def _login_csrf(request: Request) -> None:
    """The login form (no session yet): double submit, the form's token equal to the
    ``muster_login_csrf`` cookie the login page set (SameSite=Strict, HttpOnly)."""
    form = await request.form()
    check_csrf(request, str(form.get(CSRF_FIELD, "")), request.cookies.get(LOGIN_CSRF_COOKIE, ""))


def principal_of(request: Request) -> Principal:
    found: Access = request.state.access
    assert found.principal is not None
    return found.principal


def web_route(
    router: APIRouter, method: str, path: str, policy: Policy, **options: Any
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A page behind ``policy``, the caller known by the session cookie; not in the API's
    OpenAPI document (pages answer HTML)."""
    public = policy.scope == Scope.PUBLIC
    if method == "POST":  # the guard first (who calls), then the form's token
        options["dependencies"] = [Depends(_login_csrf if public else _session_csrf)]
    options.setdefault("response_class", HTMLResponse)
    return api_route(
        router,
        method,
        path,
        policy,
        authenticator=None if public else web_principal,
        include_in_schema=False,
        **options,
    )


def security_headers(response: Response, nonce: str = "") -> Response:
    style = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src {style}; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status: int = 200,
    *,
    travel: TimeTravel | None = None,
) -> HTMLResponse:
    """``template`` in the layout: navigation for the caller's grants, the time-travel
    controls (``travel``, default read from the query) and ``csrf_field()``."""
    found: Access | None = getattr(request.state, "access", None)
    principal = None if found is None else found.principal
    travel = travel or time_travel(request)
    nonce = secrets.token_urlsafe(12)
    token = csrf_token(request)
    page = {
        "request": request,
        "principal": principal,
        "nav": navigation(principal, travel, request.url.path),
        "travel": travel,
        "link": travel.link,
        "style_nonce": nonce,
        "csrf_field": lambda: Markup('<input type="hidden" name="{}" value="{}">').format(
            CSRF_FIELD, token
        ),
        "csrf_token": token,
        **(context or {}),
    }
    html = environment().get_template(template).render(page)
    return security_headers(HTMLResponse(html, status_code=status), nonce)  # type: ignore[return-value]


_TITLES = {
    401: "Please log in",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict",
    422: "That request could not be read",
    429: "Too many attempts",
    503: "The database is unavailable",
}


def html_error(
    request: Request, status: int, code: str, message: str, headers: dict[str, str] | None
) -> Response:
    """Errors on pages (``api.http.errors``' hook): a redirect to the login page for want
    of a session, else a page saying what went wrong in one line."""
    if code == "login_required":
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        response: Response = RedirectResponse(
            f"/login?{_next_query(target)}" if request.method == "GET" else "/login", 303
        )
        return security_headers(response)
    title = _TITLES.get(status, "Something went wrong")
    try:
        travel = time_travel(request)
    except ApiError:  # the time-travel input is what is wrong: the form starts afresh
        travel = TimeTravel("", "", None, None)
    page = render(
        request, "error.html", {"title": title, "message": message}, status, travel=travel
    )
    for name, value in (headers or {}).items():
        page.headers[name] = value
    return page


def _next_query(target: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"next": target})


K = TypeVar("K")
V = TypeVar("V")


class Recent(Generic[K, V]):
    """The last few values computed from keys that name all they are derived from (a
    digest of the rows a picture is drawn from, the numbers a chart draws): a repeated
    page skips the work. Thread-safe; first in, first dropped past ``size``."""

    def __init__(self, size: int = 8) -> None:
        self._size = size
        self._values: dict[K, V] = {}
        self._lock = threading.Lock()

    def get(self, key: K, compute: Callable[[], V]) -> V:
        with self._lock:
            if key in self._values:
                return self._values[key]
        value = compute()
        with self._lock:
            self._values[key] = value
            while len(self._values) > self._size:
                del self._values[next(iter(self._values))]
        return value
