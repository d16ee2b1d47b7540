"""Account administration (admin): list accounts, open one, grant and revoke roles. The
same use cases as ``muster account`` (``ledger.accounts``); grants and revocations are
ledger events recorded with the admin's account as actor."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from api.http.errors import ApiError
from api.http.passwords import check_new_password, hash_password
from api.http.policy import Access, Policy, Scope, access, api_route
from api.http.routes.session import GrantOut, grant_out
from api.http.services import services
from ledger.account import Role
from ledger.accounts import get_account, grant_role, list_accounts, open_account, revoke_role

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/accounts", tags=["accounts"])
ADMIN = Policy(Scope.ACCOUNTS, frozenset({Role.ADMIN}), statuses=(404, 409))


class AccountOut(BaseModel):
    username: str
    display_name: str
    grants: list[GrantOut] = Field(description="Every grant, revoked ones included")


class NewAccount(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=2, max_length=64, examples=["cora"])
    display_name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=256)


class NewGrant(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: str = Field(examples=["coordinator"])
    agency: str = Field("", max_length=64)
    unit: str = Field("", max_length=200)
    employee_id: str = Field("", max_length=64)
    starts_on: date | None = None
    expires_on: date | None = None


class Revocation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=200)


class GrantMade(BaseModel):
    grant_id: str


def _out(request: Request, username: str) -> AccountOut:
    account = get_account(services(request).ledger, username)
    return AccountOut(
        username=account.username,
        display_name=account.display_name,
        grants=[grant_out(g) for g in account.grants],
    )


@api_route(router, "GET", "", ADMIN, summary="Every account and its grants")
def accounts(request: Request) -> list[AccountOut]:
    return [_out(request, a.username) for a in list_accounts(services(request).ledger)]


@api_route(router, "POST", "", ADMIN, status_code=201, summary="Open an account with a password")
def new_account(request: Request, body: NewAccount, found: Access = Depends(access)) -> AccountOut:
    problem = check_new_password(body.password)
    if problem is not None:
        raise ApiError(422, "weak_password", problem, "password")
    svc = services(request)
    account = open_account(svc.ledger, body.username, body.display_name, actor=found.actor)
    svc.accounts.set_password(account.id, hash_password(body.password), svc.now())
    return _out(request, account.username)


@api_route(router, "POST", "/{username}/grants", ADMIN, status_code=201, summary="Grant a role")
def new_grant(
    request: Request, username: str, body: NewGrant, found: Access = Depends(access)
) -> GrantMade:
    grant_id = grant_role(
        services(request).ledger,
        username,
        body.role,
        actor=found.actor,
        agency=body.agency,
        unit=body.unit,
        employee_id=body.employee_id,
        starts_on=body.starts_on,
        expires_on=body.expires_on,
    )
    return GrantMade(grant_id=str(grant_id))


@api_route(
    router,
    "POST",
    "/{username}/grants/{grant_id}/revocation",
    ADMIN,
    status_code=201,
    summary="Revoke a grant from now on (both stay in the log)",
)
def revoke_grant(
    request: Request, username: str, grant_id: UUID, body: Revocation,
    found: Access = Depends(access),
) -> AccountOut:  # fmt: skip
    revoke_role(services(request).ledger, username, grant_id, actor=found.actor, reason=body.reason)
    return _out(request, username)
