"""``muster account`` through the real console script, both backends: the first admin is
made from the command line; refusals are one line, exit status 2, nothing written."""

from __future__ import annotations

from ledger.accounts import get_account
from ledger.application import Ledger
from tests.http.test_server import PASSWORD, muster


def test_bootstrap_grant_token_and_refusals(database_url: str) -> None:
    run = muster(database_url, "account", "add", "root", "--name", "Root", "--password-stdin",
                 stdin=PASSWORD + "\n")  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert muster(database_url, "account", "grant", "root", "--role", "admin").returncode == 0
    refusals = [
        (("account", "add", "root", "--name", "Again", "--no-password"), "already exists"),
        (("account", "add", "shorty", "--name", "S", "--password-stdin"), "at least 12"),
        (("account", "add", "Bad Name!", "--name", "B", "--no-password"), "username"),
        (("account", "grant", "root", "--role", "emperor"), "role"),
        (("account", "grant", "root", "--role", "auditor", "--agency", "nowhere",
          "--expires", "2030-01-01"), "nowhere"),
        (("account", "grant", "ghost", "--role", "admin"), "no account"),
        (("account", "revoke-token", "root", "feedface"), "no live token"),
        (("account", "totp", "ghost"), "no account"),
    ]  # fmt: skip
    for args, words in refusals:
        refused = muster(database_url, *args, stdin="short\n")
        assert refused.returncode == 2, (args, refused.stdout, refused.stderr)
        lines = (refused.stdout + refused.stderr).strip().splitlines()
        assert len(lines) == 1, lines
        assert words in lines[0]
        assert "Traceback" not in refused.stderr
    issued = muster(database_url, "account", "token", "root", "--label", "ci")
    assert issued.returncode == 0
    token = issued.stdout.strip()
    token_id = token.split("_")[1]
    listed = muster(database_url, "account", "tokens", "root")
    assert token_id in listed.stdout
    assert token not in listed.stdout
    assert muster(database_url, "account", "revoke-token", "root", token_id).returncode == 0
    ledger = Ledger(database_url)
    try:
        account = get_account(ledger, "root")
        assert [(g.role, g.agency) for g in account.grants] == [("admin", "")]
        assert [type(e).__name__ for e in ledger.stream(account.id)] == [
            "AccountOpened",
            "RoleGranted",
        ]
        assert all(e.actor == "user:setup" for e in ledger.stream(account.id))
    finally:
        ledger.close()


def test_erasing_an_accounts_secrets_from_the_command_line(database_url: str) -> None:
    """``muster account erase``: the password and tokens go, the account and its grants
    stay; without ``--yes`` it asks, and a "no" erases nothing (exit 1); an unknown account
    is one line, exit 2."""
    opened = muster(database_url, "account", "add", "gone", "--name", "Gone", "--password-stdin",
                    stdin=PASSWORD + "\n")  # fmt: skip
    assert opened.returncode == 0, opened.stderr
    token_id = muster(database_url, "account", "token", "gone", "--label", "x").stdout.split("_")[1]
    assert token_id in muster(database_url, "account", "tokens", "gone").stdout
    declined = muster(database_url, "account", "erase", "gone", stdin="n\n")
    assert declined.returncode == 1
    assert "nothing erased" in declined.stdout + declined.stderr
    unknown = muster(database_url, "account", "erase", "ghost", "--yes")
    assert unknown.returncode == 2
    assert len((unknown.stdout + unknown.stderr).strip().splitlines()) == 1
    erased = muster(database_url, "account", "erase", "gone", "--yes")
    assert erased.returncode == 0, erased.stderr
    assert "erased 2 secret(s) of gone" in erased.stdout
    assert token_id not in muster(database_url, "account", "tokens", "gone").stdout
    ledger = Ledger(database_url)
    try:
        account = get_account(ledger, "gone")
        assert [type(e).__name__ for e in ledger.stream(account.id)] == ["AccountOpened"]
    finally:
        ledger.close()
