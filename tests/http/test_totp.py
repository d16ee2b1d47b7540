"""The TOTP second factor and grants on the agency's local date (issue 15 §4: "optional TOTP
second factor, required for admin and coordinator by default"; "secrets (password hashes,
TOTP seeds, API token hashes) live in a separate table ..., never in the event log").
Through ``POST /api/v1/session`` on both backends; ``check_login`` is the one function
that decides."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyotp

from api.http.authentication import TOTP_STEP_SECONDS, new_totp_seed, totp_uri
from api.http.passwords import hash_password
from api.settings import Settings
from ledger.accounts import get_account, grant_role
from ledger.clock import SettableClock
from tests.http.conftest import AGENCY, World

PASSWORD = "correct horse battery staple"


def _login(world: World, username: str, totp: str | None = None) -> Any:
    body: dict[str, str] = {"username": username, "password": PASSWORD}
    if totp is not None:
        body["totp"] = totp
    return world.client.post("/api/v1/session", json=body)


def _with_password(world: World, username: str) -> None:
    account = get_account(world.ledger, username)
    world.services.accounts.set_password(account.id, hash_password(PASSWORD), world.ledger.clock())


def _enrol(world: World, username: str) -> pyotp.TOTP:
    seed = new_totp_seed()
    account = get_account(world.ledger, username)
    world.services.accounts.set_totp_seed(account.id, seed, world.ledger.clock())
    return pyotp.TOTP(seed, interval=TOTP_STEP_SECONDS)


def _code(world: World, totp: pyotp.TOTP, steps: int = 0) -> str:
    return totp.generate_otp(totp.timecode(world.ledger.clock()) + steps)


def _clock(world: World) -> SettableClock:
    clock = world.ledger.clock
    assert isinstance(clock, SettableClock)
    return clock


def test_a_coordinator_needs_an_enrolled_second_factor(world: World) -> None:
    _with_password(world, "coordinator")
    missing = _login(world, "coordinator")
    assert (missing.status_code, missing.json()["code"]) == (401, "totp_not_enrolled")
    assert missing.json()["field"] == "totp"
    totp = _enrol(world, "coordinator")
    asked = _login(world, "coordinator")
    assert (asked.status_code, asked.json()["code"]) == (401, "totp_required")
    wrong = _login(world, "coordinator", "000000" if _code(world, totp) != "000000" else "111111")
    assert (wrong.status_code, wrong.json()["code"]) == (401, "bad_credentials")
    ok = _login(world, "coordinator", _code(world, totp))
    assert ok.status_code == 201, ok.text
    me = world.client.get("/api/v1/me", headers={"Authorization": f"Bearer {ok.json()['token']}"})
    assert me.json()["grants"][0]["role"] == "coordinator"


def test_a_code_is_accepted_once_within_its_window(world: World) -> None:
    _with_password(world, "admin")
    totp = _enrol(world, "admin")
    code = _code(world, totp)
    assert _login(world, "admin", code).status_code == 201
    replay = _login(world, "admin", code)  # the same code again, same step
    assert (replay.status_code, replay.json()["code"]) == (401, "bad_credentials")
    # Next step: the old code would still be inside the drift window, but it was used.
    _clock(world).set(_clock(world)() + timedelta(seconds=TOTP_STEP_SECONDS))
    assert _login(world, "admin", code).status_code == 401
    assert _login(world, "admin", _code(world, totp)).status_code == 201
    # A code of the step before the last accepted one is refused too (no going back).
    _clock(world).set(_clock(world)() + timedelta(seconds=TOTP_STEP_SECONDS))
    assert _login(world, "admin", _code(world, totp, -2)).status_code == 401
    # One step of drift either way is allowed; two are not.
    assert _login(world, "admin", _code(world, totp, 2)).status_code == 401
    assert _login(world, "admin", _code(world, totp, 1)).status_code == 201


def test_wrong_codes_count_toward_the_lockout(world: World) -> None:
    _with_password(world, "coordinator")
    totp = _enrol(world, "coordinator")
    right = _code(world, totp)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert _login(world, "coordinator", wrong).status_code == 401
    locked = _login(world, "coordinator", right)
    assert (locked.status_code, locked.json()["code"]) == (429, "locked")
    outcomes = [e.outcome for e in world.services.audit.iter_all() if e.action == "login"]
    assert outcomes == ["failure"] * 5 + ["locked"]


def test_roles_outside_the_setting_need_no_code_until_enrolled(world: World) -> None:
    _with_password(world, "supervisor")
    assert _login(world, "supervisor").status_code == 201
    totp = _enrol(world, "supervisor")  # an officer or supervisor may opt in
    assert _login(world, "supervisor").json()["code"] == "totp_required"
    assert _login(world, "supervisor", _code(world, totp)).status_code == 201


def test_the_setting_names_the_roles(world: World) -> None:
    _with_password(world, "coordinator")
    _with_password(world, "supervisor")
    url = world.ledger.database_url
    world.services.settings = Settings(database_url=url, totp_required_roles="")
    assert _login(world, "coordinator").status_code == 201
    world.services.settings = Settings(database_url=url, totp_required_roles="supervisor")
    assert _login(world, "supervisor").json()["code"] == "totp_not_enrolled"
    assert Settings(database_url=url).totp_roles == {"admin", "coordinator"}


def test_malformed_codes_are_refused_as_bad_input(world: World) -> None:
    _with_password(world, "admin")
    for bad in ("12345", "1234567", "abcdef", "12 456", "١٢٣٤٥٦"):
        refused = _login(world, "admin", bad)
        assert refused.status_code == 422, bad
        assert "Traceback" not in refused.text


def test_the_seed_is_a_secret_never_an_event(world: World) -> None:
    totp = _enrol(world, "coordinator")
    log = b"".join(e.state for e in world.ledger.store.iter_stored())
    assert totp.secret.encode() not in log
    uri = totp_uri(totp.secret, "coordinator")
    assert uri.startswith("otpauth://totp/muster:coordinator?secret=")
    # Erasing the account's secrets ends the second factor with the rest.
    account = get_account(world.ledger, "coordinator")
    assert world.services.accounts.totp_seed(account.id) == totp.secret
    world.services.accounts.erase(account.id)
    assert world.services.accounts.totp_seed(account.id) is None


def test_an_auditor_grant_ends_at_the_agencys_local_midnight(world: World) -> None:
    """Issue 15 §4: "auditor (read-only, with an expiry ...)"; the expiry day is the
    agency's (mpls keeps America/Chicago): its grant to 2026-12-31 still holds at 23:00 on
    the 31st in Minneapolis (05:00 UTC on 1 January) and is gone at local midnight."""
    grant_role(world.ledger, "nobody", "auditor", actor="user:test", agency=AGENCY,
               starts_on=date(2024, 1, 1), expires_on=date(2026, 12, 31))  # fmt: skip
    path = f"/api/v1/agencies/{AGENCY}/people/E1/history"
    clock = _clock(world)
    for name in ("nobody", "spare"):  # tokens that outlast the clock's jumps
        account = get_account(world.ledger, name)
        _, world.tokens[name] = world.services.accounts.issue_token(account.id, "t", clock(), None)
    answers = []
    for instant in (
        datetime(2027, 1, 1, 5, 59, 59, tzinfo=UTC),
        datetime(2027, 1, 1, 6, tzinfo=UTC),
    ):
        clock.set(instant)
        answers.append(world.client.get(path, headers=world.auth("nobody")).status_code)
    assert answers == [200, 403]
    # And it starts at local midnight too: a grant from 2027-01-02 is not yet in force at
    # 01:00 UTC on the 2nd (19:00 on the 1st in Minneapolis).
    grant_role(world.ledger, "spare", "command", actor="user:test", agency=AGENCY,
               starts_on=date(2027, 1, 2))  # fmt: skip
    clock.set(datetime(2027, 1, 2, 1, 0, tzinfo=UTC))
    assert world.client.get(path, headers=world.auth("spare")).status_code == 403
    clock.set(datetime(2027, 1, 2, 6, 0, tzinfo=UTC))
    assert world.client.get(path, headers=world.auth("spare")).status_code == 200


def test_a_name_no_account_can_have_is_bad_credentials_on_both_backends(world: World) -> None:
    """Found by schemathesis on PostgreSQL: a NUL in the name reached the throttle and the
    read audit (PostgreSQL text refuses NUL) and answered 503."""
    for name in ("a\x00b", "x", "Bad Name!"):
        refused = world.client.post("/api/v1/session", json={"username": name, "password": "p"})
        assert (refused.status_code, refused.json()["code"]) == (401, "bad_credentials"), name
    entries = [e for e in world.services.audit.iter_all() if e.action == "login"]
    assert [e.actor for e in entries] == ["account:a\\x00b", "account:x", "account:bad name!"]
    assert world.services.audit.verify() == []
    nul = world.client.delete("/api/v1/session/tokens/a%00b", headers=world.auth("command"))
    assert nul.status_code == 404
