"""``make run``'s demo logins (issue 16 §5: "a demo login for each role (generated
passwords, shown once, never the same on two machines)"), on both backends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.cli.demo_logins import rekey_demo_logins
from api.http.passwords import verify_password
from api.http.services import open_side_database
from api.settings import get_settings
from ledger.account_store import AccountStore
from ledger.accounts import get_account
from ledger.secret_keys import load_secret_keys
from tests.conftest import TEST_SECRET_KEY_FILE
from tests.web.conftest import AGENCY, WebWorld


@pytest.fixture
def configured(web_world: WebWorld, monkeypatch: pytest.MonkeyPatch) -> Iterator[WebWorld]:
    monkeypatch.setenv("MUSTER_DATABASE_URL", web_world.database_url)
    get_settings.cache_clear()
    yield web_world
    get_settings.cache_clear()


def test_one_login_per_role_with_a_fresh_password_each_run(configured: WebWorld) -> None:
    first = rekey_demo_logins(AGENCY, frozenset())
    second = rekey_demo_logins(AGENCY, frozenset())
    roles = {login.role for login in first}
    assert roles == {"coordinator", "command", "auditor", "supervisor", "officer", "admin"}
    assert [login.username for login in first] == [login.username for login in second]
    # New every run, and unlike each other (16 characters drawn by ``secrets``).
    assert all(a.password != b.password for a, b in zip(first, second, strict=True))
    assert len({login.password for login in first}) == len(first)
    assert all(len(login.password) == 16 for login in first)
    ledger = configured.ledger
    store = AccountStore(open_side_database(ledger))
    try:
        for login in second:
            account = get_account(ledger, login.username)
            # One grant of its role, not one per run.
            assert [g.role for g in account.grants] == [login.role]
            assert verify_password(store.password_hash(account.id), login.password)
            assert not any(
                verify_password(store.password_hash(account.id), old.password) for old in first
            )
    finally:
        store.db.close()
    # The passwords are nowhere in the event log.
    logged = b"".join(n.state for n in ledger.recorder.select_notifications(1, 100_000))
    assert not any(login.password.encode() in logged for login in first + second)
    officer = next(login for login in second if login.role == "officer")
    assert officer.scope == "employee E1"  # the first active sworn officer with a unit
    assert not any(login.totp_seed for login in first + second)


def test_roles_that_need_a_second_factor_get_a_fresh_seed_kept_out_of_the_log(
    configured: WebWorld,
) -> None:
    """Where the server requires TOTP for a role, the demo login of that role comes with
    a new seed (stored in the secrets table, never an event), and no other does."""
    needed = frozenset({"admin", "coordinator"})
    first = rekey_demo_logins(AGENCY, needed)
    second = rekey_demo_logins(AGENCY, needed)
    assert {login.role for login in second if login.totp_seed} == needed
    ledger = configured.ledger
    store = AccountStore(open_side_database(ledger), load_secret_keys(TEST_SECRET_KEY_FILE))
    try:
        for old, new in zip(first, second, strict=True):
            account = get_account(ledger, new.username)
            assert store.totp_seed(account.id) == (new.totp_seed or None)
            if new.totp_seed:
                assert new.totp_seed != old.totp_seed
    finally:
        store.db.close()
    logged = b"".join(n.state for n in ledger.recorder.select_notifications(1, 100_000))
    assert not any(
        login.totp_seed.encode() in logged for login in first + second if login.totp_seed
    )
