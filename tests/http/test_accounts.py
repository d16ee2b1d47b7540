"""Accounts and roles (issue 15 §4): grants and revocations are ledger events answerable
as of an instant; secrets live in the side table, never in the log; logins are throttled
(5 failures lock the name for 15 minutes) and audited; the read audit is append-only and
hash-chained. Both backends."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.persistence import PersistenceError

from api.http.passwords import hash_password
from ledger.account import GrantNotFoundError
from ledger.accounts import AccountExistsError, get_account, grant_role, revoke_role
from ledger.clock import SettableClock
from ledger.database import parse_database_url
from ledger.errors import AgencyNotFoundError, InvalidValueError, ValidationError
from ledger.side_database import AUDIT
from tests.conftest import owner_url
from tests.http.conftest import AGENCY, OTHER_AGENCY, World

PASSWORD = "correct horse battery staple"


def test_grants_are_events_answerable_as_of_an_instant(world: World) -> None:
    ledger, clock = world.ledger, world.ledger.clock
    assert isinstance(clock, SettableClock)
    grant_id = grant_role(
        ledger, "auditor", "auditor", actor="user:test", agency=OTHER_AGENCY,
        starts_on=date(2025, 1, 1), expires_on=date(2025, 6, 30),
    )  # fmt: skip
    clock.set(clock() + timedelta(hours=1))
    revoke_role(ledger, "auditor", grant_id, actor="user:test", reason="audit done")
    account = get_account(ledger, "auditor")
    first, second = account.grants
    assert second.revoked_at is not None
    moments = [
        second.granted_at - timedelta(microseconds=1),
        second.granted_at,
        second.revoked_at - timedelta(microseconds=1),
        second.revoked_at,
    ]
    agencies_at = [sorted(g.agency for g in account.grants_at(m, m.date())) for m in moments]
    # Multi-agency while both grants were in force, then only the first again.
    assert agencies_at == [[AGENCY], [AGENCY, OTHER_AGENCY], [AGENCY, OTHER_AGENCY], [AGENCY]]
    # The auditor's grant ends with its expiry day.
    assert first.in_force(moments[0], date(2026, 12, 31))
    assert not first.in_force(moments[0], date(2027, 1, 1))
    # Both facts are on the account's stream, with who recorded them.
    kinds = [type(e).__name__ for e in ledger.stream(account.id)]
    assert kinds == ["AccountOpened", "RoleGranted", "RoleGranted", "RoleRevoked"]


@pytest.mark.parametrize(
    ("role", "scope", "error"),
    [
        ("auditor", {"agency": AGENCY}, InvalidValueError),  # no expiry
        ("officer", {"agency": AGENCY}, InvalidValueError),  # no employee
        ("supervisor", {"agency": AGENCY}, InvalidValueError),  # no unit
        ("admin", {"agency": AGENCY}, InvalidValueError),  # admin is no agency's
        ("coordinator", {}, InvalidValueError),  # no agency
        ("coordinator", {"agency": AGENCY, "unit": "Patrol"}, InvalidValueError),
        ("coordinator", {"agency": "nowhere"}, AgencyNotFoundError),
        ("superuser", {"agency": AGENCY}, InvalidValueError),
    ],
)
def test_a_grant_names_exactly_its_scope(
    world: World, role: str, scope: dict[str, Any], error: type[Exception]
) -> None:
    before = len(world.ledger.stream(get_account(world.ledger, "nobody").id))
    with pytest.raises(error):
        grant_role(world.ledger, "nobody", role, actor="user:test", **scope)
    assert len(world.ledger.stream(get_account(world.ledger, "nobody").id)) == before


def test_a_grant_made_after_utc_midnight_is_in_force_on_its_agencys_day(world: World) -> None:
    """Found by CI at 05:30 UTC: a grant defaulted to the UTC date, but is read on its
    agency's local date (Minneapolis, UTC-6), so it was not yet in force for six hours
    (a coordinator logged in without the second factor the role needs)."""
    clock = world.ledger.clock
    assert isinstance(clock, SettableClock)
    clock.set(datetime(2026, 12, 3, 5, 30, tzinfo=UTC))  # 23:30 on 2 December in Minneapolis
    grant_role(world.ledger, "spare", "coordinator", actor="user:test", agency=AGENCY)
    grant_role(world.ledger, "spare", "admin", actor="user:test")
    by_role = {g.role: g for g in get_account(world.ledger, "spare").grants}
    assert by_role["coordinator"].starts_on == date(2026, 12, 2)
    assert by_role["coordinator"].in_force(None, date(2026, 12, 2))
    assert by_role["admin"].starts_on == date(2026, 12, 3)  # no agency: UTC


def test_revoking_twice_or_an_unknown_grant_is_refused(world: World) -> None:
    grant = get_account(world.ledger, "command").grants[0]
    revoke_role(world.ledger, "command", grant.grant_id, actor="user:test", reason="x")
    with pytest.raises(ValidationError):
        revoke_role(world.ledger, "command", grant.grant_id, actor="user:test", reason="x")
    with pytest.raises(GrantNotFoundError):
        revoke_role(world.ledger, "command", uuid4(), actor="user:test", reason="x")
    from ledger.accounts import open_account

    with pytest.raises(AccountExistsError):
        open_account(world.ledger, "command", "Again", actor="user:test")


def test_secrets_are_never_in_the_event_log(world: World) -> None:
    account = get_account(world.ledger, "coordinator")
    stored = hash_password(PASSWORD)
    world.services.accounts.set_password(account.id, stored, world.ledger.clock())
    log = b"".join(e.state for e in world.ledger.store.iter_stored())
    # "<prefix>_<token id>_<secret>": the secret itself may hold "_" (token_urlsafe)
    token_secret = world.tokens["coordinator"].split("_", 2)[2]
    assert stored.encode() not in log
    assert b"argon2" not in log
    assert token_secret.encode() not in log
    assert world.services.accounts.password_hash(account.id) == stored
    # Erasing the secrets leaves the account's facts and ends its token.
    assert world.services.accounts.erase(account.id) == 2
    assert world.client.get("/api/v1/me", headers=world.auth("coordinator")).status_code == 401
    assert get_account(world.ledger, "coordinator").grants


def _login(world: World, username: str, password: str) -> Any:
    return world.client.post("/api/v1/session", json={"username": username, "password": password})


def test_login_issues_a_token_and_five_failures_lock_for_fifteen_minutes(world: World) -> None:
    account = get_account(world.ledger, "supervisor")
    world.services.accounts.set_password(account.id, hash_password(PASSWORD), world.ledger.clock())
    ok = _login(world, "supervisor", PASSWORD)
    assert ok.status_code == 201
    me = world.client.get("/api/v1/me", headers={"Authorization": f"Bearer {ok.json()['token']}"})
    assert me.json()["grants"][0]["unit"] == "Patrol"
    for _ in range(4):
        assert _login(world, "supervisor", "wrong password").status_code == 401
    assert _login(world, "supervisor", PASSWORD).status_code == 201  # a success resets
    for _ in range(5):
        wrong = _login(world, "supervisor", "wrong password")
        assert (wrong.status_code, wrong.json()["code"]) == (401, "bad_credentials")
    locked = _login(world, "supervisor", PASSWORD)  # even the right password
    assert (locked.status_code, locked.json()["code"]) == (429, "locked")
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    clock = world.ledger.clock
    assert isinstance(clock, SettableClock)
    clock.set(clock() + timedelta(minutes=14))
    assert _login(world, "supervisor", PASSWORD).status_code == 429
    clock.set(clock() + timedelta(minutes=2))
    assert _login(world, "supervisor", PASSWORD).status_code == 201
    # Unknown names answer as wrong passwords do.
    unknown = _login(world, "nosuchuser", PASSWORD)
    assert unknown.json() == _login(world, "supervisor", "nope").json()
    outcomes = [e.outcome for e in world.services.audit.iter_all() if e.action == "login"]
    assert outcomes == ["success", *["failure"] * 4, "success", *["failure"] * 5,
                        "locked", "locked", "success", "failure", "failure"]  # fmt: skip


def test_the_read_audit_records_reads_and_is_a_chain(world: World) -> None:
    for role in ("officer1", "auditor"):
        assert world.client.get(
            f"/api/v1/agencies/{AGENCY}/people/E1/history", headers=world.auth(role)
        ).status_code == 200  # fmt: skip
    review = world.client.get(f"/api/v1/agencies/{AGENCY}/audit", headers=world.auth("coordinator"))
    reads = [(e["actor"], e["action"], e["object"], e["outcome"]) for e in review.json()["entries"]]
    assert reads == [
        ("account:officer1", "read.history", f"person:{AGENCY}/E1", "allowed"),
        ("account:auditor", "read.history", f"person:{AGENCY}/E1", "allowed"),
    ]
    assert world.services.audit.verify() == []
    # Another agency's coordinator sees none of it.
    theirs = world.client.get(
        f"/api/v1/agencies/{OTHER_AGENCY}/audit", headers=world.auth("other-coordinator")
    )
    assert theirs.json()["entries"] == []


def test_the_read_audit_refuses_update_and_delete(world: World) -> None:
    world.services.audit.append(
        at=world.ledger.clock(), actor="a", action="read.status", obj="person:x/1",
        agency=AGENCY, source="127.0.0.1", outcome="allowed",
    )  # fmt: skip
    for statement in (
        f"UPDATE {world.services.side.table(AUDIT)} SET outcome = 'denied'",
        f"DELETE FROM {world.services.side.table(AUDIT)}",
    ):
        with pytest.raises(PersistenceError), world.services.side.transaction() as cur:
            cur.execute(statement)
    assert [e.outcome for e in world.services.audit.iter_all()] == ["allowed"]
    assert world.services.audit.verify() == []


def test_the_chain_names_an_entry_changed_behind_the_triggers(world: World) -> None:
    """Someone with the owner's power (triggers off) rewrites an entry: verify says which."""
    for outcome in ("allowed", "denied", "allowed"):
        world.services.audit.append(
            at=world.ledger.clock(), actor="account:x", action="read.status",
            obj="person:mpls/E1", agency=AGENCY, source="10.0.0.1", outcome=outcome,
        )  # fmt: skip
    statement = (
        f"UPDATE {world.services.side.table(AUDIT)} SET outcome = 'allowed' WHERE position = 2"
    )
    side = world.services.side
    if side.path is not None:
        conn = sqlite3.connect(side.path)
        conn.execute(f"DROP TRIGGER {AUDIT}_no_update")
        conn.execute(statement)
        conn.commit()
        conn.close()
    else:
        conninfo = parse_database_url(owner_url(world.ledger.database_url)).postgres_conninfo
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute("SET session_replication_role = replica")
            conn.execute(statement)
    assert world.services.audit.verify() == ["entry 2 was changed after it was written"]


def test_an_admin_manages_accounts_over_http(world: World) -> None:
    admin = world.auth("admin")
    new = {"username": "cora2", "display_name": "C", "password": PASSWORD}
    weak = world.client.post("/api/v1/accounts", headers=admin, json={**new, "password": "short"})
    assert (weak.status_code, weak.json()["field"]) == (422, "password")
    made = world.client.post("/api/v1/accounts", headers=admin, json=new)
    assert made.status_code == 201
    assert made.json()["grants"] == []
    again = world.client.post("/api/v1/accounts", headers=admin, json=new)
    assert (again.status_code, again.json()["code"]) == (409, "account_exists")
    grant = world.client.post("/api/v1/accounts/cora2/grants", headers=admin,
                              json={"role": "command", "agency": AGENCY})  # fmt: skip
    assert grant.status_code == 201
    token = _login(world, "cora2", PASSWORD).json()["token"]  # command: no TOTP by default
    person = f"/api/v1/agencies/{AGENCY}/people/E1/status"
    assert world.client.get(person, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    revoked = world.client.post(
        f"/api/v1/accounts/cora2/grants/{grant.json()['grant_id']}/revocation",
        headers=admin, json={"reason": "left the unit"},
    )  # fmt: skip
    assert revoked.json()["grants"][0]["grant_id"] == grant.json()["grant_id"]
    assert world.client.get(person, headers={"Authorization": f"Bearer {token}"}).status_code == 403
    events = [type(e).__name__ for e in world.ledger.stream(get_account(world.ledger, "cora2").id)]
    assert events == ["AccountOpened", "RoleGranted", "RoleRevoked"]
    assert {e.actor for e in world.ledger.stream(get_account(world.ledger, "cora2").id)} == {
        "account:admin"
    }
    listed = world.client.get("/api/v1/accounts", headers=admin).json()
    assert "cora2" in [a["username"] for a in listed]
