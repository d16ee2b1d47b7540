"""Logging in (a bearer token for a username and password) and the caller's own tokens.

Five failed logins in a row lock the username for 15 minutes (``ledger.account_store``);
unknown usernames and wrong passwords get the same answer in about the same time; every
attempt is a read-audit entry (``login``: success, failure or locked)."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from api.http.errors import ApiError
from api.http.passwords import hash_password, needs_rehash, verify_password
from api.http.policy import Access, Policy, Scope, access, api_route
from api.http.services import Services, services
from ledger.account import Grant, account_id_for
from ledger.accounts import AccountNotFoundError, get_account_by_id

__all__ = ["GrantOut", "check_password", "grant_out", "router"]

router = APIRouter(prefix="/api/v1", tags=["session"])


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64, examples=["alice"])
    password: str = Field(min_length=1, max_length=256)
    label: str = Field(default="", max_length=100, description="What the token is for")


class IssuedToken(BaseModel):
    token: str = Field(description="Shown once; send as 'Authorization: Bearer <token>'")
    token_id: str
    expires_at: str


class TokenOut(BaseModel):
    token_id: str
    label: str
    created_at: str
    expires_at: str | None
    revoked_at: str | None


class GrantOut(BaseModel):
    grant_id: str
    role: str
    agency: str
    unit: str
    employee_id: str
    starts_on: str
    expires_on: str | None


class Me(BaseModel):
    username: str
    display_name: str
    grants: list[GrantOut] = Field(description="The grants in force now")


def grant_out(g: Grant) -> GrantOut:
    return GrantOut(
        grant_id=str(g.grant_id),
        role=g.role,
        agency=g.agency,
        unit=g.unit,
        employee_id=g.employee_id,
        starts_on=g.starts_on.isoformat(),
        expires_on=None if g.expires_on is None else g.expires_on.isoformat(),
    )


def _audit(svc: Services, request: Request, name: str, outcome: str) -> None:
    svc.audit.append(
        at=svc.now(),
        actor=f"account:{name}",
        action="login",
        obj=f"account:{name}",
        agency="",
        source=request.client.host if request.client else "",
        outcome=outcome,
    )


def check_password(svc: Services, request: Request, name: str, password: str) -> UUID:
    """The account ``name`` logs in to with ``password``, or 401 (wrong or unknown, alike)
    or 429 (locked: five failures in a row lock the name for 15 minutes). Every attempt
    is a read-audit entry. The API's login and the dashboard's both come through here."""
    now = svc.now()
    locked = svc.accounts.locked_until(name, now)
    if locked is not None:
        _audit(svc, request, name, "locked")
        seconds = max(1, int((locked - now).total_seconds()))
        raise ApiError(
            429,
            "locked",
            "too many failed logins; try again later",
            headers={"Retry-After": str(seconds)},
        )
    account_id = account_id_for(name)
    stored = svc.accounts.password_hash(account_id)
    if not verify_password(stored, password):
        svc.accounts.login_failed(name, now)
        _audit(svc, request, name, "failure")
        raise ApiError(401, "bad_credentials", "wrong username or password")
    try:
        get_account_by_id(svc.ledger, account_id)
    except AccountNotFoundError:  # secrets left for an account never opened
        _audit(svc, request, name, "failure")
        raise ApiError(401, "bad_credentials", "wrong username or password") from None
    assert stored is not None
    if needs_rehash(stored):
        svc.accounts.set_password(account_id, hash_password(password), now)
    svc.accounts.login_succeeded(name)
    _audit(svc, request, name, "success")
    return account_id


@api_route(
    router,
    "POST",
    "/session",
    Policy(Scope.PUBLIC, statuses=(401, 429)),
    status_code=201,
    summary="Log in: a bearer token for a username and password",
)
def login(request: Request, body: Credentials) -> IssuedToken:
    svc = services(request)
    name = body.username.strip().lower()
    account_id = check_password(svc, request, name, body.password)
    now = svc.now()
    expires = now + timedelta(days=svc.settings.token_days)
    token_id, token = svc.accounts.issue_token(account_id, body.label, now, expires)
    return IssuedToken(token=token, token_id=token_id, expires_at=expires.isoformat())


@api_route(router, "GET", "/me", Policy(Scope.SELF), summary="The caller and their grants in force")
def me(request: Request, found: Access = Depends(access)) -> Me:
    svc = services(request)
    assert found.principal is not None
    account = get_account_by_id(svc.ledger, found.principal.account_id)
    return Me(
        username=account.username,
        display_name=account.display_name,
        grants=[grant_out(g) for g in found.principal.grants],
    )


@api_route(router, "GET", "/session/tokens", Policy(Scope.SELF), summary="The caller's tokens")
def list_tokens(request: Request, found: Access = Depends(access)) -> list[TokenOut]:
    assert found.principal is not None
    return [
        TokenOut(
            token_id=t.token_id,
            label=t.label,
            created_at=t.created_at,
            expires_at=t.expires_at,
            revoked_at=t.revoked_at,
        )
        for t in services(request).accounts.tokens(found.principal.account_id)
    ]


@api_route(
    router,
    "DELETE",
    "/session/tokens/{token_id}",
    Policy(Scope.SELF, statuses=(404,)),
    status_code=204,
    summary="Revoke one of the caller's tokens (the one in use too)",
)
def revoke_token(request: Request, token_id: str, found: Access = Depends(access)) -> None:
    svc = services(request)
    assert found.principal is not None
    if not svc.accounts.revoke_token(found.principal.account_id, token_id, svc.now()):
        raise ApiError(404, "token_not_found", f"you have no live token {token_id!r}", "token_id")
