"""Account self-service and administration over HTTP (issue 15 §4: "API access by bearer
tokens that can be listed and revoked"; passwords with argon2id; "optional TOTP second
factor"; secrets "never in the event log"): change one's own password with the current
one; enrol a TOTP factor (start, then confirm with a code before it counts); an admin lists
and revokes any account's tokens, starts an enrolment for an account and resets its
second factor. Every change is a read-audit entry; both backends."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pyotp

from api.http.authentication import TOTP_STEP_SECONDS
from api.http.passwords import hash_password
from ledger.accounts import get_account
from ledger.clock import SettableClock
from tests.http.conftest import World

PASSWORD = "correct horse battery staple"
NEW = "a brand new passphrase here"


def _with_password(world: World, username: str, password: str = PASSWORD) -> None:
    account = get_account(world.ledger, username)
    world.services.accounts.set_password(account.id, hash_password(password), world.ledger.clock())


def _login(world: World, username: str, password: str = PASSWORD, totp: str | None = None) -> Any:
    body = {"username": username, "password": password}
    if totp is not None:
        body["totp"] = totp
    return world.client.post("/api/v1/session", json=body)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _clock(world: World) -> SettableClock:
    clock = world.ledger.clock
    assert isinstance(clock, SettableClock)
    return clock


def _code(world: World, seed: str, steps: int = 0) -> str:
    totp = pyotp.TOTP(seed, interval=TOTP_STEP_SECONDS)
    return totp.generate_otp(totp.timecode(world.ledger.clock()) + steps)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _audit(world: World, prefix: str) -> list[tuple[str, str, str, str]]:
    return [
        (e.actor, e.action, e.object, e.outcome)
        for e in world.services.audit.iter_all()
        if e.action.startswith(prefix)
    ]


def _log_and_audit(world: World) -> bytes:
    log = b"".join(e.state for e in world.ledger.store.iter_stored())
    entries = b"".join(e.canonical() for e in world.services.audit.iter_all())
    return log + entries


def test_changing_ones_password_needs_the_current_one_and_ends_other_sessions(
    world: World,
) -> None:
    _with_password(world, "supervisor")
    account = get_account(world.ledger, "supervisor")
    in_use = _login(world, "supervisor").json()["token"]
    other = world.tokens["supervisor"]
    now = world.ledger.clock()
    _, cookie = world.services.accounts.issue_session(account.id, now, now + timedelta(hours=1))
    path = "/api/v1/me/password"

    def change(current: str, new: str, **extra: Any) -> Any:
        body = {"current_password": current, "new_password": new, **extra}
        return world.client.post(path, json=body, headers=_bearer(in_use))

    wrong = change("not my password at all", NEW)
    assert (wrong.status_code, wrong.json()["code"], wrong.json()["field"]) == (
        422, "wrong_password", "current_password",
    )  # fmt: skip
    weak = change(PASSWORD, "short")
    assert (weak.status_code, weak.json()["code"], weak.json()["field"]) == (
        422, "weak_password", "new_password",
    )  # fmt: skip
    assert change(PASSWORD, PASSWORD).json()["code"] == "same_password"
    assert change(PASSWORD, NEW, agency="mpls").status_code == 422  # no other field
    # Nothing changed so far: the old password still logs in, the other token still works.
    assert _login(world, "supervisor").status_code == 201
    assert world.client.get("/api/v1/me", headers=_bearer(other)).status_code == 200

    done = change(PASSWORD, NEW)
    assert done.status_code == 200, done.text
    assert done.json()["revoked"] >= 2  # the other token, the login above, the session
    assert _login(world, "supervisor").json()["code"] == "bad_credentials"
    assert _login(world, "supervisor", NEW).status_code == 201
    assert world.client.get("/api/v1/me", headers=_bearer(in_use)).status_code == 200
    assert world.client.get("/api/v1/me", headers=_bearer(other)).status_code == 401
    assert world.services.accounts.session_account(cookie, world.ledger.clock()) is None
    stored = world.services.accounts.password_hash(account.id)
    assert stored is not None
    assert stored.startswith("$argon2id$")
    assert _audit(world, "account.password") == [
        ("account:supervisor", "account.password", "account:supervisor", "failure"),
        ("account:supervisor", "account.password", "account:supervisor", "success"),
    ]
    secrets = _log_and_audit(world)
    assert NEW.encode() not in secrets
    assert stored.encode() not in secrets
    assert b"argon2" not in secrets


def test_keeping_other_tokens_still_ends_browser_sessions(world: World) -> None:
    _with_password(world, "officer1")
    account = get_account(world.ledger, "officer1")
    now = world.ledger.clock()
    _, cookie = world.services.accounts.issue_session(account.id, now, now + timedelta(hours=1))
    body = {"current_password": PASSWORD, "new_password": NEW, "revoke_other_tokens": False}
    in_use = _login(world, "officer1").json()["token"]
    done = world.client.post("/api/v1/me/password", json=body, headers=_bearer(in_use))
    assert (done.status_code, done.json()["revoked"]) == (200, 1)
    assert world.client.get("/api/v1/me", headers=world.auth("officer1")).status_code == 200
    assert world.services.accounts.session_account(cookie, world.ledger.clock()) is None


def test_wrong_current_passwords_count_toward_the_lockout(world: World) -> None:
    """A stolen token cannot guess the password through the change route faster than
    through the login: five wrong ones lock the name for both."""
    _with_password(world, "officer1")
    body = {"current_password": "guess number one!", "new_password": NEW}
    for _ in range(5):
        refused = world.client.post(
            "/api/v1/me/password", json=body, headers=world.auth("officer1")
        )
        assert refused.json()["code"] == "wrong_password"
    right = {"current_password": PASSWORD, "new_password": NEW}
    locked = world.client.post("/api/v1/me/password", json=right, headers=world.auth("officer1"))
    assert (locked.status_code, locked.json()["code"]) == (429, "locked")
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    assert _login(world, "officer1").status_code == 429
    _clock(world).set(_clock(world)() + timedelta(minutes=16))
    again = world.client.post("/api/v1/me/password", json=right, headers=world.auth("officer1"))
    assert again.status_code == 200
    outcomes = [o for *_, o in _audit(world, "account.password")]
    assert outcomes == ["failure"] * 5 + ["locked", "success"]


def test_enrolling_a_second_factor_counts_only_once_confirmed(world: World) -> None:
    _with_password(world, "officer1")
    auth = world.auth("officer1")
    wrong = world.client.post(
        "/api/v1/me/totp", json={"password": "wrong password!!"}, headers=auth
    )
    assert (wrong.status_code, wrong.json()["code"]) == (422, "wrong_password")
    started = world.client.post("/api/v1/me/totp", json={"password": PASSWORD}, headers=auth)
    assert started.status_code == 201, started.text
    assert started.headers["cache-control"] == "no-store"
    uri = started.json()["otpauth_uri"]
    seed = started.json()["seed"]
    assert uri.startswith("otpauth://totp/muster:officer1?")
    assert parse_qs(urlparse(uri).query)["secret"] == [seed]
    # Not in effect before it is confirmed: the login needs no code.
    assert _login(world, "officer1").status_code == 201
    confirm = "/api/v1/me/totp/confirmation"
    code = _code(world, seed)
    bad = world.client.post(confirm, json={"code": _wrong(code)}, headers=auth)
    assert (bad.status_code, bad.json()["code"], bad.json()["field"]) == (
        422, "bad_totp_code", "code",
    )  # fmt: skip
    assert world.client.post(confirm, json={"code": "12345"}, headers=auth).status_code == 422
    ok = world.client.post(confirm, json={"code": code}, headers=auth)
    assert ok.status_code == 200, ok.text
    assert world.client.post(confirm, json={"code": code}, headers=auth).json()["code"] == (
        "no_enrolment"
    )
    # Now it counts: a code is needed, the one used to confirm is spent.
    assert _login(world, "officer1").json()["code"] == "totp_required"
    assert _login(world, "officer1", totp=code).json()["code"] == "bad_credentials"
    _clock(world).set(_clock(world)() + timedelta(seconds=TOTP_STEP_SECONDS))
    assert _login(world, "officer1", totp=_code(world, seed)).status_code == 201
    assert seed.encode() not in _log_and_audit(world)
    assert [o for *_, o in _audit(world, "account.totp")] == [
        "failure", "success", "failure", "success", "failure",
    ]  # fmt: skip


def test_a_new_enrolment_leaves_the_old_factor_until_confirmed_and_expires(world: World) -> None:
    _with_password(world, "supervisor")
    auth = world.auth("supervisor")
    first = world.client.post("/api/v1/me/totp", json={"password": PASSWORD}, headers=auth)
    old = first.json()["seed"]
    code = {"code": _code(world, old)}
    assert world.client.post("/api/v1/me/totp/confirmation", json=code, headers=auth).is_success
    second = world.client.post("/api/v1/me/totp", json={"password": PASSWORD}, headers=auth)
    new = second.json()["seed"]
    assert new != old
    _clock(world).set(_clock(world)() + timedelta(seconds=TOTP_STEP_SECONDS))
    # The old seed still logs in, the staged one does not yet.
    assert _login(world, "supervisor", totp=_code(world, new)).status_code == 401
    assert _login(world, "supervisor", totp=_code(world, old)).status_code == 201
    _clock(world).set(_clock(world)() + timedelta(minutes=16))  # the staged seed expired
    late = {"code": _code(world, new)}
    expired = world.client.post("/api/v1/me/totp/confirmation", json=late, headers=auth)
    assert (expired.status_code, expired.json()["code"]) == (409, "no_enrolment")


def test_an_admin_resets_a_second_factor_and_starts_a_new_one(world: World) -> None:
    """A coordinator (whose role needs a second factor) loses their phone: the admin resets
    the factor, starts an enrolment and hands over the URI; the coordinator's first right
    code at login confirms it."""
    _with_password(world, "coordinator")
    account = get_account(world.ledger, "coordinator")
    world.services.accounts.set_totp_seed(account.id, pyotp.random_base32(), world.ledger.clock())
    admin = world.auth("admin")
    forbidden = world.client.delete(
        "/api/v1/accounts/officer1/totp", headers=world.auth("coordinator")
    )
    assert forbidden.status_code == 403
    assert (
        world.client.delete("/api/v1/accounts/coordinator/totp", headers=admin).status_code == 204
    )
    assert world.services.accounts.totp_seed(account.id) is None
    assert _login(world, "coordinator").json()["code"] == "totp_not_enrolled"
    unknown = world.client.post("/api/v1/accounts/nosuchone/totp", headers=admin)
    assert unknown.status_code == 404
    started = world.client.post("/api/v1/accounts/coordinator/totp", headers=admin)
    assert started.status_code == 201
    assert started.headers["cache-control"] == "no-store"
    seed = started.json()["seed"]
    assert _login(world, "coordinator").json()["code"] == "totp_required"
    code = _code(world, seed)
    assert _login(world, "coordinator", totp=_wrong(code)).json()["code"] == "bad_credentials"
    assert _login(world, "coordinator", "wrong password!!", code).status_code == 401
    assert _login(world, "coordinator", totp=code).status_code == 201
    assert world.services.accounts.totp_seed(account.id) == seed
    assert _login(world, "coordinator", totp=code).status_code == 401  # spent
    assert _audit(world, "account.totp") == [
        ("account:admin", "account.totp.reset", "account:coordinator", "success"),
        ("account:admin", "account.totp.start", "account:coordinator", "success"),
        ("account:coordinator", "account.totp.confirm", "account:coordinator", "success"),
    ]
    assert seed.encode() not in _log_and_audit(world)


def test_an_admin_lists_and_revokes_any_accounts_tokens(world: World) -> None:
    admin = world.auth("admin")
    listed = world.client.get("/api/v1/accounts/coordinator/tokens", headers=admin)
    assert listed.status_code == 200
    (token,) = listed.json()
    secret = world.tokens["coordinator"]
    assert token["token_id"] in secret
    assert secret not in listed.text
    assert secret.rsplit("_", 1)[1] not in listed.text
    path = f"/api/v1/accounts/coordinator/tokens/{token['token_id']}"
    # Not an admin: refused, the token untouched (the caller's own route says 404).
    assert world.client.delete(path, headers=world.auth("coordinator")).status_code == 403
    own_route = f"/api/v1/session/tokens/{token['token_id']}"
    assert world.client.delete(own_route, headers=world.auth("officer1")).status_code == 404
    assert world.client.get("/api/v1/me", headers=world.auth("coordinator")).status_code == 200
    # Named under another account: not found, untouched.
    elsewhere = f"/api/v1/accounts/officer1/tokens/{token['token_id']}"
    assert world.client.delete(elsewhere, headers=admin).status_code == 404
    assert world.client.delete(path, headers=admin).status_code == 204
    assert world.client.get("/api/v1/me", headers=world.auth("coordinator")).status_code == 401
    again = world.client.delete(path, headers=admin)
    assert (again.status_code, again.json()["code"]) == (404, "token_not_found")
    assert world.client.get("/api/v1/accounts/nosuchone/tokens", headers=admin).status_code == 404
    revoked = world.client.get("/api/v1/accounts/coordinator/tokens", headers=admin).json()
    assert revoked[0]["revoked_at"] is not None
    assert _audit(world, "account.token") == [
        ("account:officer1", "account.token.revoke", "account:officer1", "failure"),
        ("account:admin", "account.token.revoke", "account:officer1", "failure"),
        ("account:admin", "account.token.revoke", "account:coordinator", "success"),
        ("account:admin", "account.token.revoke", "account:coordinator", "failure"),
    ]


def test_one_revokes_ones_own_token_and_it_is_audited(world: World) -> None:
    mine = world.client.get("/api/v1/session/tokens", headers=world.auth("command")).json()
    path = f"/api/v1/session/tokens/{mine[0]['token_id']}"
    assert world.client.delete(path, headers=world.auth("command")).status_code == 204
    assert world.client.get("/api/v1/me", headers=world.auth("command")).status_code == 401
    assert _audit(world, "account.token") == [
        ("account:command", "account.token.revoke", "account:command", "success")
    ]


def test_an_admin_sets_a_forgotten_password_ending_sessions_and_lifting_the_lockout(
    world: World,
) -> None:
    """An officer forgot their password and locked the name with wrong guesses: the admin
    sets a new one; the old no longer works, the lockout is lifted, browser sessions end,
    API tokens stay live. A weak password is refused by name and changes nothing."""
    _with_password(world, "officer1")
    account = get_account(world.ledger, "officer1")
    session = _login(world, "officer1")
    assert session.status_code == 201
    for _ in range(5):
        _login(world, "officer1", "not the password at all")
    assert _login(world, "officer1").json()["code"] == "locked"
    admin, path = world.auth("admin"), "/api/v1/accounts/officer1/password"
    before = world.services.accounts.password_hash(account.id)
    weak = world.client.put(path, json={"password": "short"}, headers=admin)
    assert (weak.status_code, weak.json()["field"]) == (422, "password")
    assert world.services.accounts.password_hash(account.id) == before
    refused = world.client.put(path, json={"password": NEW}, headers=world.auth("coordinator"))
    assert refused.status_code == 403
    assert world.services.accounts.password_hash(account.id) == before
    assert world.client.put(path, json={"password": NEW}, headers=admin).status_code == 204
    assert _login(world, "officer1").status_code == 401
    assert _login(world, "officer1", NEW).status_code == 201
    assert world.client.get("/api/v1/me", headers=world.auth("officer1")).status_code == 200
    assert ("account:admin", "account.password.reset", "account:officer1", "success") in _audit(
        world, "account.password"
    )
    assert NEW.encode() not in _log_and_audit(world)


def test_an_admin_erases_every_secret_of_an_account_but_not_their_own(world: World) -> None:
    """Secrets "can be rotated and erased" (issue 15 §4): erasing an account's secrets
    removes its password, second factor and tokens, so it can no longer sign in; its
    account and grants are events and stay. An admin cannot erase their own (they would
    lock themselves out); another admin must."""
    _with_password(world, "command")
    account = get_account(world.ledger, "command")
    world.services.accounts.set_totp_seed(account.id, pyotp.random_base32(), world.ledger.clock())
    events_before = world.ledger.store.count_events()
    assert world.client.get("/api/v1/me", headers=world.auth("command")).status_code == 200
    path = "/api/v1/accounts/command/secrets"
    assert world.client.delete(path, headers=world.auth("coordinator")).status_code == 403
    assert world.client.get("/api/v1/me", headers=world.auth("command")).status_code == 200
    erased = world.client.delete(path, headers=world.auth("admin"))
    assert erased.status_code == 200
    assert erased.json()["erased"] == 3  # password, TOTP seed, the bearer token
    assert world.client.get("/api/v1/me", headers=world.auth("command")).status_code == 401
    assert _login(world, "command").status_code == 401
    assert world.services.accounts.password_hash(account.id) is None
    assert world.services.accounts.totp_seed(account.id) is None
    assert get_account(world.ledger, "command").grants  # the grants are events: they stay
    assert world.ledger.store.count_events() == events_before  # nothing appended or removed
    again = world.client.delete(path, headers=world.auth("admin"))
    assert (again.status_code, again.json()["erased"]) == (200, 0)
    own = world.client.delete("/api/v1/accounts/admin/secrets", headers=world.auth("admin"))
    assert (own.status_code, own.json()["code"]) == (409, "own_account")
    assert world.client.get("/api/v1/me", headers=world.auth("admin")).status_code == 200
    assert _audit(world, "account.secrets") == [
        ("account:admin", "account.secrets.erase", "account:command", "success"),
        ("account:admin", "account.secrets.erase", "account:command", "none"),
    ]
