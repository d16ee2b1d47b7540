"""Who may call what: every route declares a ``Policy`` (roles by scope) through
``api_route``, which puts the policy's guard in front of the route and states the policy
in the OpenAPI document (``x-muster-policy``). ``tests/http/test_policies.py`` fails when
a route has none.

Scopes: ``public`` (no account), ``self`` (the caller's own account), ``person`` (one
person's record: an officer their own, a supervisor their unit's, coordinator, command
and auditor anyone in their agency), ``unit`` (a unit's records: its supervisor, and the
agency-wide roles), ``agency`` (an agency's records as a whole: coordinator, command,
auditor), ``member`` (anyone with a grant in the agency), and
``accounts`` (account administration: admin). Grants are those in force now; the
agency, person and actor come from the path and the token, never from the body.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request

from api.http.authentication import grants_in_force
from api.http.errors import ApiError, error_responses
from api.http.services import Services, services
from ledger.account import Grant, Role
from ledger.accounts import AccountNotFoundError, get_account_by_id
from ledger.agency import agency_id_for
from ledger.errors import NotFoundError
from ledger.person import person_id_for

__all__ = [
    "AGENCY_WIDE",
    "READERS",
    "Access",
    "Authenticator",
    "Policy",
    "Principal",
    "Scope",
    "access",
    "allows",
    "api_route",
    "authenticate",
]

AGENCY_WIDE = frozenset({Role.COORDINATOR, Role.COMMAND, Role.AUDITOR})
READERS = frozenset({Role.OFFICER, Role.SUPERVISOR, *AGENCY_WIDE})


class Scope(StrEnum):
    PUBLIC = "public"
    SELF = "self"
    PERSON = "person"
    AGENCY = "agency"
    MEMBER = "member"
    UNIT = "unit"
    ACCOUNTS = "accounts"


@dataclass(frozen=True)
class Principal:
    account_id: UUID
    username: str
    grants: tuple[Grant, ...]  # in force at the request

    @property
    def actor(self) -> str:
        return f"account:{self.username}"


@dataclass(frozen=True)
class Policy:
    scope: Scope
    roles: frozenset[str] = frozenset()
    audit: str = ""  # the read audit's action for this route ("" for none)
    statuses: tuple[int, ...] = field(default=())

    def describe(self) -> dict[str, Any]:
        return {"scope": str(self.scope), "roles": sorted(self.roles), "audit": self.audit}


@dataclass(frozen=True)
class Access:
    """What a guard established: who calls (None on public routes), on what."""

    principal: Principal | None
    agency: str
    employee_id: str

    @property
    def actor(self) -> str:
        assert self.principal is not None
        return self.principal.actor


def allows(
    policy: Policy,
    grants: tuple[Grant, ...],
    agency: str,
    employee_id: str,
    unit_of: Callable[[], str | None],
) -> bool:
    """Whether any grant in force lets its holder do what ``policy`` guards."""
    if policy.scope == Scope.PUBLIC or policy.scope == Scope.SELF:
        return True
    for grant in grants:
        if grant.role not in policy.roles:
            continue
        if policy.scope == Scope.ACCOUNTS:
            if grant.role == Role.ADMIN:
                return True
            continue
        if grant.agency != agency:
            continue
        if policy.scope == Scope.MEMBER:
            return True
        if grant.role in AGENCY_WIDE:
            return True
        if policy.scope not in (Scope.PERSON, Scope.UNIT):
            continue
        if grant.role == Role.OFFICER and _same_person(agency, grant.employee_id, employee_id):
            return True
        if grant.role == Role.SUPERVISOR and unit_of() == grant.unit:
            return True
    return False


def _same_person(agency: str, a: str, b: str) -> bool:
    agency_id = agency_id_for(agency)
    return person_id_for(agency_id, a) == person_id_for(agency_id, b)


def authenticate(request: Request, svc: Services) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    unauthenticated = ApiError(
        401,
        "unauthenticated",
        "a valid bearer token is required (POST /api/v1/session)",
        headers={"WWW-Authenticate": "Bearer"},
    )
    if scheme.lower() != "bearer" or not token:
        raise unauthenticated
    now = svc.now()
    account_id = svc.accounts.token_account(token.strip(), now)
    if account_id is None:
        raise unauthenticated
    try:
        account = get_account_by_id(svc.ledger, account_id)
    except AccountNotFoundError:
        raise unauthenticated from None
    # Every grant and revocation recorded so far counts, on each agency's local date.
    return Principal(account.id, account.username, grants_in_force(svc, account, now))


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


# Who calls: from the request and the services, or an error (the API: a bearer token).
Authenticator = Callable[[Request, Services], Principal]


def _guard(policy: Policy, authenticator: Authenticator) -> Callable[..., Access]:
    def guard(request: Request) -> Access:
        svc = services(request)
        agency = str(request.path_params.get("agency", ""))
        employee_id = str(request.path_params.get("employee_id", ""))
        unit = str(request.path_params.get("unit", ""))
        for name, value in request.path_params.items():
            # No stored id holds a control character (ledger.fields refuses them), and a
            # NUL cannot even be written to PostgreSQL's text columns (the read audit).
            if _CONTROL.search(str(value)):
                raise ApiError(404, "not_found", f"no such {name}", name)
        if policy.scope == Scope.PUBLIC:
            found = Access(None, agency, employee_id)
            request.state.access = found
            return found
        principal = authenticator(request, svc)

        def unit_of() -> str | None:
            if policy.scope == Scope.UNIT:  # the unit named in the path
                return str(request.path_params.get("unit", ""))
            try:
                return svc.ledger.get_person(agency, employee_id).unit
            except NotFoundError:
                return None

        allowed = allows(policy, principal.grants, agency, employee_id, unit_of)
        if policy.audit or not allowed:
            what = f"person:{agency}/{employee_id}" if employee_id else f"agency:{agency}"
            if unit and not employee_id:
                what = f"unit:{agency}/{unit}"
            svc.audit.append(
                at=svc.now(),
                actor=principal.actor,
                action=policy.audit or f"{request.method.lower()}.{request.url.path}",
                obj=what if agency else f"path:{request.url.path}",
                agency=agency,
                source=request.client.host if request.client else "",
                outcome="allowed" if allowed else "denied",
            )
        if not allowed:
            raise ApiError(403, "forbidden", "your roles do not allow this")
        found = Access(principal, agency, employee_id)
        request.state.access = found
        return found

    return guard


def access(request: Request) -> Access:
    """The guard's finding, for the route (the guard runs first, as a route dependency)."""
    found: Access = request.state.access
    return found


def api_route(
    router: APIRouter,
    method: str,
    path: str,
    policy: Policy,
    *,
    authenticator: Authenticator | None = None,
    **options: Any,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a route behind ``policy``'s guard, with the policy and its error bodies
    in the OpenAPI document. ``authenticator`` says who calls (default: the bearer token;
    the dashboard passes its session cookie's)."""
    statuses = set(policy.statuses) | {422, 503}
    if policy.scope != Scope.PUBLIC:
        statuses |= {401}
    if policy.scope not in (Scope.PUBLIC, Scope.SELF):
        statuses |= {403}
    full = router.prefix + path  # the prefix may hold the path's ids
    if "{" in full:
        statuses |= {404}  # an id that cannot exist (the guard refuses control characters)
    extra = dict(options.pop("openapi_extra", {}))
    extra["x-muster-policy"] = policy.describe()
    return router.api_route(
        path,
        methods=[method],
        # The guard first; then any the route adds (the dashboard's CSRF check).
        dependencies=[
            Depends(_guard(policy, authenticator or authenticate)),
            *options.pop("dependencies", []),
        ],
        openapi_extra=extra,
        responses={**error_responses(*sorted(statuses)), **options.pop("responses", {})},
        **options,
    )
