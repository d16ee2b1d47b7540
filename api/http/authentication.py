"""Who is logging in: the password, the TOTP second factor and the lockout, checked in one
place (``check_login``) for every way of logging in (the API's ``POST /api/v1/session``,
a browser's login form).

- Five failed logins in a row lock the username for 15 minutes (``ledger.account_store``);
  a wrong TOTP code counts as a failure like a wrong password.
- Unknown usernames and wrong passwords get the same answer in about the same time.
- An account with a TOTP seed always needs a code. An account holding a grant in force of
  a role in ``MUSTER_TOTP_REQUIRED_ROLES`` (default ``admin,coordinator``) needs one too,
  and cannot log in until it is enrolled (``muster account totp NAME``).
- A code is accepted in its 30-second step or the one before or after (clock drift), and
  once only: a code of a step at or before the last accepted one is refused (replay).
- Every attempt is a read-audit entry (``login``: success, failure or locked).

Grants count on the agency-local date (``ledger.time_zones``): an auditor whose grant
expires on 31 December keeps it until midnight in the agency's zone, not UTC's.
"""

from __future__ import annotations

import hmac
from datetime import UTC, date, datetime, timedelta

import pyotp
import structlog

from api.http.errors import ApiError
from api.http.passwords import hash_password, needs_rehash, verify_password
from api.http.services import Services
from ledger.account import Grant, account_id_for
from ledger.account import username as username_of
from ledger.accounts import AccountNotFoundError, AccountView, get_account_by_id
from ledger.errors import InvalidValueError, NotFoundError
from ledger.secret_keys import SecretKeyError
from ledger.time_zones import zone_info

__all__ = [
    "TOTP_ENROLMENT",
    "TOTP_STEP_SECONDS",
    "audit_account",
    "check_login",
    "code_step",
    "grants_in_force",
    "local_day",
    "new_totp_seed",
    "reauthenticate",
    "totp_uri",
]

TOTP_STEP_SECONDS = 30  # RFC 6238's default, what authenticator apps use
_DRIFT_STEPS = 1  # a code of the step before or after is accepted too
TOTP_ENROLMENT = timedelta(minutes=15)  # a staged seed not confirmed by then is void


def local_day(svc: Services, agency: str, now: datetime) -> date:
    """Today in ``agency``'s time zone (UTC for no agency or one the ledger lacks)."""
    if not agency:
        return now.astimezone(UTC).date()
    try:
        zone = svc.ledger.get_agency(agency).time_zone or "UTC"
    except NotFoundError:
        zone = "UTC"
    return now.astimezone(zone_info(zone)).date()


def grants_in_force(svc: Services, account: AccountView, now: datetime) -> tuple[Grant, ...]:
    """Every grant recorded so far and not revoked, in effect on its agency's local date."""
    days: dict[str, date] = {}
    found = []
    for grant in account.grants:
        if grant.agency not in days:
            days[grant.agency] = local_day(svc, grant.agency, now)
        if grant.in_force(None, days[grant.agency]):
            found.append(grant)
    return tuple(found)


def new_totp_seed() -> str:
    return pyotp.random_base32()  # 160 bits, RFC 4226's recommended length


def totp_uri(seed: str, username: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads (as a QR code or typed)."""
    return pyotp.TOTP(seed, interval=TOTP_STEP_SECONDS).provisioning_uri(
        name=username, issuer_name="muster"
    )


def _audit(svc: Services, source: str, name: str, outcome: str) -> None:
    audit_account(svc, source, f"account:{name}", "login", name, outcome)


def audit_account(
    svc: Services, source: str, actor: str, action: str, username: str, outcome: str
) -> None:
    """A read-audit entry for something done to an account's secrets or sessions (never
    the secret itself): ``account.password``, ``account.totp.*``, ``account.token.*``."""
    svc.audit.append(
        at=svc.now(),
        actor=actor,
        action=action,
        obj=f"account:{username}",
        agency="",
        source=source,
        outcome=outcome,
    )


def reauthenticate(
    svc: Services, account: AccountView, password: str, source: str, action: str
) -> None:
    """The caller of a self-service change proves they know the account's password (a
    bearer token alone cannot change the password or the second factor). A wrong one
    counts toward the login lockout, and a locked username is refused: 429 ``locked`` or
    422 ``wrong_password``; either is audited as ``action``."""
    name = account.username
    now = svc.now()
    locked = svc.throttle.locked_until(name, now)
    if locked is not None:
        audit_account(svc, source, f"account:{name}", action, name, "locked")
        seconds = max(1, int((locked - now).total_seconds()))
        raise ApiError(
            429,
            "locked",
            "too many failed attempts; try again later",
            headers={"Retry-After": str(seconds)},
        )
    if not verify_password(svc.accounts.password_hash(account.id), password):
        svc.throttle.login_failed(name, now)
        audit_account(svc, source, f"account:{name}", action, name, "failure")
        raise ApiError(422, "wrong_password", "that is not your current password", "password")


def code_step(seed: str, code: str, now: datetime) -> datetime | None:
    """The start of the time step ``code`` belongs to (within the drift), else None."""
    totp = pyotp.TOTP(seed, interval=TOTP_STEP_SECONDS)
    current = totp.timecode(now)
    for step in range(current - _DRIFT_STEPS, current + _DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return datetime.fromtimestamp(step * TOTP_STEP_SECONDS, UTC)
    return None


def check_login(
    svc: Services, username: str, password: str, totp: str | None, source: str
) -> AccountView:
    """The account logging in with ``password`` (and ``totp``, a 6-digit code, where one
    is needed), or ``ApiError``: 429 ``locked`` (with ``Retry-After``), 401
    ``bad_credentials`` (unknown name, wrong password or wrong/replayed code alike), 401
    ``totp_required`` (the password was right, a code is needed: ask again with one) or
    401 ``totp_not_enrolled`` (the account's roles need a second factor it does not
    have). Audits the attempt; counts failures toward the lockout."""
    name = username.strip().lower()
    bad = ApiError(401, "bad_credentials", "wrong username or password")
    try:
        username_of(name)
    except InvalidValueError:  # no account can have it (nor may a NUL reach PostgreSQL)
        verify_password(None, password)  # as long as a wrong password takes
        _audit(svc, source, name.encode("unicode_escape").decode("ascii")[:200], "failure")
        raise bad from None
    now = svc.now()
    locked = svc.throttle.locked_until(name, now)
    if locked is not None:
        _audit(svc, source, name, "locked")
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
        svc.throttle.login_failed(name, now)
        _audit(svc, source, name, "failure")
        raise bad
    try:
        account = get_account_by_id(svc.ledger, account_id)
    except AccountNotFoundError:  # secrets left for an account never opened
        _audit(svc, source, name, "failure")
        raise bad from None
    assert stored is not None
    try:
        return _second_factor(svc, account, password, totp, source, now, stored)
    except SecretKeyError as error:
        # Fails closed: a seed this server cannot open (a wrong MUSTER_SECRET_KEY_FILE, or
        # a row copied from another account) lets nobody in; the log says why.
        structlog.get_logger("muster.accounts").error("totp_unreadable", reason=str(error))
        _audit(svc, source, name, "failure")
        raise ApiError(
            401,
            "totp_unreadable",
            "this account's second factor cannot be read on this server: ask an admin to reset it",
            "totp",
        ) from None


def _second_factor(
    svc: Services, account: AccountView, password: str, totp: str | None, source: str,
    now: datetime, stored: str,
) -> AccountView:  # fmt: skip
    """``check_login`` once the password was right: the code, where one is needed."""
    name, account_id = account.username, account.id
    seed = svc.accounts.totp_seed(account_id)
    required = svc.settings.totp_roles & {g.role for g in grants_in_force(svc, account, now)}
    pending = None if seed is not None else svc.accounts.pending_totp_seed(account_id, now)
    if pending is not None and (totp or required):
        # A staged enrolment (an admin's, or the holder's own) is confirmed by its first
        # right code at login: the way back in for a role that needs a second factor.
        if not totp:
            _audit(svc, source, name, "failure")
            raise ApiError(401, "totp_required", "a code from your authenticator app", "totp")
        step = code_step(pending, totp, now)
        if step is None or not svc.accounts.confirm_totp(account_id, pending, step, now):
            svc.throttle.login_failed(name, now)
            _audit(svc, source, name, "failure")
            raise ApiError(401, "bad_credentials", "wrong or already used code", "totp")
        audit_account(svc, source, f"account:{name}", "account.totp.confirm", name, "success")
    elif seed is None and required:
        _audit(svc, source, name, "failure")
        raise ApiError(
            401,
            "totp_not_enrolled",
            f"the role {sorted(required)[0]} needs a second factor: ask an admin to start "
            "one (POST /api/v1/accounts/{username}/totp, or muster account totp)",
            "totp",
        )
    if seed is not None:
        if not totp:
            _audit(svc, source, name, "failure")
            raise ApiError(401, "totp_required", "a code from your authenticator app", "totp")
        step = code_step(seed, totp, now)
        if step is None or not svc.accounts.use_totp_step(account_id, step):
            svc.throttle.login_failed(name, now)
            _audit(svc, source, name, "failure")
            raise ApiError(401, "bad_credentials", "wrong or already used code", "totp")
    if needs_rehash(stored):
        svc.accounts.set_password(account_id, hash_password(password), now)
    svc.throttle.login_succeeded(name)
    _audit(svc, source, name, "success")
    return account
