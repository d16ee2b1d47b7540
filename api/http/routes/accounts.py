"""Account administration (admin): list accounts, open one, grant and revoke roles; list
and revoke any account's API tokens; start a TOTP enrolment for an account or reset its
second factor; set a forgotten password; erase every secret of an account. The same use
cases as ``muster account`` (``ledger.accounts``); grants and revocations are ledger
events recorded with the admin's account as actor; passwords, tokens and second factors
are rows of the secrets table, each change a read-audit entry (``account.token.revoke``,
``account.totp.start``, ``account.totp.reset``, ``account.password.reset``,
``account.secrets.erase``)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from api.http.account_admin import erase_secrets, set_forgotten_password
from api.http.authentication import audit_account
from api.http.errors import ApiError
from api.http.passwords import check_new_password, hash_password
from api.http.policy import Access, Policy, Scope, access, api_route
from api.http.routes.own_account import NO_STORE, TotpEnrolment, source_of, start_enrolment
from api.http.routes.session import GrantOut, TokenOut, grant_out, token_out
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


@api_route(
    router, "GET", "/{username}/tokens", ADMIN,
    summary="An account's API tokens (never the tokens themselves), revoked ones included",
)  # fmt: skip
def account_tokens(request: Request, username: str) -> list[TokenOut]:
    svc = services(request)
    account = get_account(svc.ledger, username)
    return [token_out(t) for t in svc.accounts.tokens(account.id)]


@api_route(
    router,
    "DELETE",
    "/{username}/tokens/{token_id}",
    ADMIN,
    status_code=204,
    summary="Revoke one of an account's API tokens at once",
)
def revoke_account_token(
    request: Request, username: str, token_id: str, found: Access = Depends(access)
) -> None:
    svc = services(request)
    account = get_account(svc.ledger, username)
    done = svc.accounts.revoke_token(account.id, token_id, svc.now())
    audit_account(svc, source_of(request), found.actor, "account.token.revoke",
                  account.username, "success" if done else "failure")  # fmt: skip
    if not done:
        raise ApiError(
            404, "token_not_found", f"{account.username} has no live token {token_id!r}",
            "token_id",
        )  # fmt: skip


@api_route(
    router,
    "POST",
    "/{username}/totp",
    ADMIN,
    status_code=201,
    response_model=TotpEnrolment,
    summary="Start a TOTP enrolment for an account (the URI once, to hand over); its "
    "holder's first right code at login confirms it",
)
def start_account_totp(
    request: Request, username: str, found: Access = Depends(access)
) -> Response:
    svc = services(request)
    account = get_account(svc.ledger, username)
    enrolment = start_enrolment(svc, account, svc.now())
    audit_account(svc, source_of(request), found.actor, "account.totp.start",
                  account.username, "success")  # fmt: skip
    return Response(
        enrolment.model_dump_json(), 201, headers=NO_STORE, media_type="application/json"
    )


@api_route(
    router,
    "DELETE",
    "/{username}/totp",
    ADMIN,
    status_code=204,
    summary="Reset an account's second factor (active and staged); its tokens stay live",
)
def reset_account_totp(request: Request, username: str, found: Access = Depends(access)) -> None:
    svc = services(request)
    account = get_account(svc.ledger, username)
    removed = svc.accounts.reset_totp(account.id)
    audit_account(svc, source_of(request), found.actor, "account.totp.reset",
                  account.username, "success" if removed else "none")  # fmt: skip


class PasswordReset(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str = Field(min_length=1, max_length=256, description="12 to 256 characters")


class SecretsErased(BaseModel):
    erased: int = Field(description="How many secret rows were erased (password, second "
                        "factor, tokens, sessions)")  # fmt: skip


@api_route(
    router,
    "PUT",
    "/{username}/password",
    ADMIN,
    status_code=204,
    summary="Set a new password for an account (its holder forgot it); its browser "
    "sessions end and a login lockout is lifted; its API tokens stay live",
)
def reset_account_password(
    request: Request, username: str, body: PasswordReset, found: Access = Depends(access)
) -> None:
    svc = services(request)
    account = get_account(svc.ledger, username)
    set_forgotten_password(svc, account, body.password, actor=found.actor,
                           source=source_of(request))  # fmt: skip


@api_route(
    router,
    "DELETE",
    "/{username}/secrets",
    ADMIN,
    response_model=SecretsErased,
    summary="Erase every secret of an account (password hash, second factor, API tokens, "
    "browser sessions): it can no longer sign in. The account and its grants are events "
    "and stay; a new password opens it again. Not your own account",
)
def erase_account_secrets(
    request: Request, username: str, found: Access = Depends(access)
) -> SecretsErased:
    svc = services(request)
    account = get_account(svc.ledger, username)
    assert found.principal is not None
    erased = erase_secrets(svc, account, found.principal.account_id, actor=found.actor,
                           source=source_of(request))  # fmt: skip
    return SecretsErased(erased=erased)
