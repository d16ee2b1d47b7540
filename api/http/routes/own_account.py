"""The caller's own account: change the password (with the current one), enrol a TOTP
second factor (start: the ``otpauth://`` URI once; confirm with a code before it counts).

Each needs the bearer token *and* proof the caller is the account's holder: the current
password for a change of password or the start of an enrolment (a wrong one counts toward
the login lockout), a code of the new seed for its confirmation. Every attempt is a
read-audit entry (``account.password``, ``account.totp.start``, ``account.totp.confirm``);
the secrets themselves are rows of the secrets table, never events nor audit entries.

Sessions and tokens after a change of password: every other browser session of the
account ends; its other API tokens are revoked too unless ``revoke_other_tokens`` is
false (an integration's token the holder means to keep); the token in use stays live.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from api.http.authentication import (
    TOTP_ENROLMENT,
    audit_account,
    code_step,
    new_totp_seed,
    reauthenticate,
    totp_uri,
)
from api.http.errors import ApiError
from api.http.passwords import check_new_password, hash_password
from api.http.policy import Access, Policy, Scope, access, api_route
from api.http.services import Services, services
from ledger.accounts import AccountView, get_account_by_id
from ledger.secret_keys import SecretKeyError

__all__ = ["TotpEnrolment", "router", "source_of", "start_enrolment"]

router = APIRouter(prefix="/api/v1/me", tags=["session"])
NO_STORE = {"Cache-Control": "no-store"}


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256, description="12 to 256 characters")
    revoke_other_tokens: bool = Field(
        True, description="Also revoke the account's other API tokens (other browser "
        "sessions end either way; the token in use stays live)",
    )  # fmt: skip


class PasswordChanged(BaseModel):
    changed_at: str
    revoked: int = Field(description="How many other sessions and tokens were ended")


class Reauthentication(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str = Field(min_length=1, max_length=256, description="Your current password")


class TotpEnrolment(BaseModel):
    otpauth_uri: str = Field(description="Shown once: for an authenticator app (QR code)")
    seed: str = Field(description="Shown once: the base32 seed, to type in by hand")
    expires_at: str = Field(description="Confirm with a code before then, or start again")


class TotpCode(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[0-9]{6}$", examples=["123456"])


class TotpConfirmed(BaseModel):
    enrolled_at: str


def source_of(request: Request) -> str:
    return request.client.host if request.client else ""


def token_in_use(request: Request) -> str:
    """The id of the bearer token of this request (``mst_<id>_<secret>``)."""
    token = request.headers.get("authorization", "").partition(" ")[2].strip()
    return token.partition("_")[2].partition("_")[0]


def _caller(request: Request, found: Access) -> tuple[Services, AccountView]:
    svc = services(request)
    assert found.principal is not None
    return svc, get_account_by_id(svc.ledger, found.principal.account_id)


def start_enrolment(svc: Services, account: AccountView, now: datetime) -> TotpEnrolment:
    seed = new_totp_seed()
    expires = now + TOTP_ENROLMENT
    svc.accounts.start_totp(account.id, seed, now, expires)
    return TotpEnrolment(
        otpauth_uri=totp_uri(seed, account.username), seed=seed, expires_at=expires.isoformat()
    )


@api_route(
    router,
    "POST",
    "/password",
    Policy(Scope.SELF, statuses=(429,)),
    summary="Change your password (with the current one); other sessions and tokens end",
)
def change_password(
    request: Request, body: PasswordChange, found: Access = Depends(access)
) -> PasswordChanged:
    svc, account = _caller(request, found)
    problem = check_new_password(body.new_password)
    if problem is not None:
        raise ApiError(422, "weak_password", problem, "new_password")
    if body.new_password == body.current_password:
        raise ApiError(422, "same_password", "the new password is the current one", "new_password")
    source = source_of(request)
    try:
        reauthenticate(svc, account, body.current_password, source, "account.password")
    except ApiError as refused:
        refused.field = "current_password" if refused.code == "wrong_password" else None
        raise
    now = svc.now()
    svc.accounts.set_password(account.id, hash_password(body.new_password), now)
    revoked = svc.accounts.revoke_all(
        account.id, now, keep=token_in_use(request), tokens=body.revoke_other_tokens
    )
    svc.throttle.login_succeeded(account.username)
    audit_account(svc, source, found.actor, "account.password", account.username, "success")
    return PasswordChanged(changed_at=now.isoformat(), revoked=revoked)


@api_route(
    router,
    "POST",
    "/totp",
    Policy(Scope.SELF, statuses=(429,)),
    status_code=201,
    response_model=TotpEnrolment,
    summary="Start enrolling a TOTP second factor: the otpauth URI, shown once",
)
def start_totp(
    request: Request, body: Reauthentication, found: Access = Depends(access)
) -> Response:
    svc, account = _caller(request, found)
    source = source_of(request)
    reauthenticate(svc, account, body.password, source, "account.totp.start")
    enrolment = start_enrolment(svc, account, svc.now())
    audit_account(svc, source, found.actor, "account.totp.start", account.username, "success")
    return Response(
        enrolment.model_dump_json(), 201, headers=NO_STORE, media_type="application/json"
    )


@api_route(
    router,
    "POST",
    "/totp/confirmation",
    Policy(Scope.SELF, statuses=(409,)),
    summary="Confirm the enrolment started with a code from the app; then it counts",
)
def confirm_totp(
    request: Request, body: TotpCode, found: Access = Depends(access)
) -> TotpConfirmed:
    svc, account = _caller(request, found)
    source, now = source_of(request), svc.now()
    try:
        pending = svc.accounts.pending_totp_seed(account.id, now)
    except SecretKeyError:  # staged under a key this server no longer has: start anew
        pending = None
    if pending is None:
        audit_account(svc, source, found.actor, "account.totp.confirm", account.username,
                      "failure")  # fmt: skip
        raise ApiError(409, "no_enrolment", "no enrolment is waiting (or it expired): start one")
    step = code_step(pending, body.code, now)
    if step is None or not svc.accounts.confirm_totp(account.id, pending, step, now):
        audit_account(svc, source, found.actor, "account.totp.confirm", account.username,
                      "failure")  # fmt: skip
        raise ApiError(422, "bad_totp_code", "wrong code for the seed being enrolled", "code")
    audit_account(svc, source, found.actor, "account.totp.confirm", account.username, "success")
    return TotpConfirmed(enrolled_at=now.isoformat())
