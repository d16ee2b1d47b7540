"""Logging in (a bearer token for a username and password) and the caller's own tokens.

The password, TOTP code and lockout are checked by ``api.http.authentication.check_login``
(five failed logins in a row lock the username for 15 minutes; every attempt is a
read-audit entry)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from api.http.authentication import audit_account, check_login
from api.http.errors import ApiError
from api.http.policy import Access, Policy, Scope, access, api_route
from api.http.services import services
from ledger.account import Grant
from ledger.account_store import TokenInfo
from ledger.accounts import get_account_by_id

__all__ = ["GrantOut", "TokenOut", "grant_out", "router", "token_out"]

router = APIRouter(prefix="/api/v1", tags=["session"])


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64, examples=["alice"])
    password: str = Field(min_length=1, max_length=256)
    label: str = Field(default="", max_length=100, description="What the token is for")
    totp: str | None = Field(
        None,
        pattern=r"^[0-9]{6}$",
        examples=["123456"],
        description="The code from an authenticator app; needed where the account has a "
        "TOTP seed (required for admin and coordinator by default)",
    )


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


def token_out(t: TokenInfo) -> TokenOut:
    return TokenOut(
        token_id=t.token_id,
        label=t.label,
        created_at=t.created_at,
        expires_at=t.expires_at,
        revoked_at=t.revoked_at,
    )


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
    source = request.client.host if request.client else ""
    account = check_login(svc, body.username, body.password, body.totp, source)
    now = svc.now()
    expires = now + timedelta(days=svc.settings.token_days)
    token_id, token = svc.accounts.issue_token(account.id, body.label, now, expires)
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
    return [token_out(t) for t in services(request).accounts.tokens(found.principal.account_id)]


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
    done = svc.accounts.revoke_token(found.principal.account_id, token_id, svc.now())
    name = found.principal.username
    source = request.client.host if request.client else ""
    audit_account(svc, source, found.actor, "account.token.revoke", name,
                  "success" if done else "failure")  # fmt: skip
    if not done:
        raise ApiError(404, "token_not_found", f"you have no live token {token_id!r}", "token_id")
