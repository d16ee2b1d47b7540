"""``muster account``: open accounts, set passwords, grant and revoke roles, issue and
revoke API tokens, erase an account's secrets. The first admin is made here (no route can
make an account without one). Grants and revocations are ledger events; passwords
(argon2id) and token hashes live in the secrets table (``ledger.account_store``), never in
the log."""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import typer
from rich.table import Table

from api.cli.context import configured_secret_keys, console, err_console, open_ledger
from api.cli.errors import refuse
from api.cli.output import styled
from api.cli.timeargs import parse_day
from api.cli.writes import actor
from api.http.passwords import check_new_password, hash_password
from api.http.services import open_side_database
from ledger.account_store import AccountStore
from ledger.accounts import (
    get_account,
    grant_role,
    list_accounts,
    open_account,
    record_email,
    revoke_role,
)

__all__ = ["app"]

app = typer.Typer(help="Accounts, roles and API tokens.", no_args_is_help=True)

PASSWORD_STDIN = typer.Option(
    False, "--password-stdin", help="Read the password from standard input (one line)"
)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    problem = check_new_password(password)
    if problem is not None:
        err_console.print(styled(("error:", "red"), f" {problem}"))
        raise typer.Exit(2)
    return password


@app.command("add")
def add(
    username: str = typer.Argument(..., help="Login name (lower-case letters, digits, . _ @ -)"),
    name: str = typer.Option(..., "--name", help="The person's full name"),
    set_password: bool = typer.Option(True, "--password/--no-password", help="Set a password"),
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Open an account (and set its password)."""
    who = actor()
    password = _password(password_stdin) if set_password else None
    with open_ledger(create=True) as ledger:  # the first admin may come before any agency
        account = open_account(ledger, username, name, actor=who)
        if password is not None:
            side = open_side_database(ledger)
            AccountStore(side).set_password(account.id, hash_password(password), ledger.clock())
            side.close()
    console.print(styled("opened account ", (account.username, "bold"), f" id={account.id}"))


@app.command("password")
def password(username: str = typer.Argument(...), password_stdin: bool = PASSWORD_STDIN) -> None:
    """Set or rotate an account's password (the old hash is replaced, not kept)."""
    new = _password(password_stdin)
    with open_ledger() as ledger:
        account = get_account(ledger, username)
        side = open_side_database(ledger)
        AccountStore(side).set_password(account.id, hash_password(new), ledger.clock())
        side.close()
    console.print(f"password of {account.username} set")


@app.command("email")
def email(
    username: str = typer.Argument(..., help="The account's login name"),
    address: str = typer.Argument(..., help="Where its notices go (empty: none)"),
) -> None:
    """Record the address the account's notices are sent to (muster notify)."""
    who = actor()
    with open_ledger() as ledger:
        record_email(ledger, username, address, actor=who)
    console.print(f"{username}: notices go to {address or 'no address'}", markup=False)


@app.command("grant")
def grant(
    username: str = typer.Argument(...),
    role: str = typer.Option(
        ..., "--role", help="officer, supervisor, coordinator, command, auditor or admin"
    ),
    agency: str = typer.Option("", "--agency", help="Agency slug (every role but admin)"),
    unit: str = typer.Option("", "--unit", help="supervisor: the unit"),
    employee_id: str = typer.Option("", "--employee", help="officer: their employee id"),
    starts: str | None = typer.Option(None, "--from", help="YYYY-MM-DD (default today)"),
    expires: str | None = typer.Option(None, "--expires", help="YYYY-MM-DD (auditor: required)"),
) -> None:
    """Grant a role (a ledger event: who could see what, when, stays answerable)."""
    who = actor()
    starts_on = None if starts is None else parse_day(starts, "--from")
    expires_on = None if expires is None else parse_day(expires, "--expires")
    with open_ledger() as ledger:
        grant_id = grant_role(
            ledger,
            username,
            role,
            actor=who,
            agency=agency,
            unit=unit,
            employee_id=employee_id,
            starts_on=starts_on,
            expires_on=expires_on,
        )
    console.print(f"granted {role} to {username}: grant {grant_id}")


@app.command("revoke")
def revoke(
    username: str = typer.Argument(...),
    grant_id: UUID = typer.Argument(..., help="The grant's id (muster account show)"),
    reason: str = typer.Option(..., "--reason", help="Why (kept with the event)"),
) -> None:
    """Revoke a grant from now on (the grant and its revocation both stay in the log)."""
    who = actor()
    with open_ledger() as ledger:
        revoke_role(ledger, username, grant_id, actor=who, reason=reason)
    console.print(f"revoked grant {grant_id} of {username}")


@app.command("show")
def show(username: str = typer.Argument(...)) -> None:
    """An account's grants, revoked ones too."""
    with open_ledger() as ledger:
        account = get_account(ledger, username)
    table = Table("grant", "role", "agency", "unit", "employee", "from", "expires", "revoked")
    for g in account.grants:
        table.add_row(
            str(g.grant_id),
            g.role,
            g.agency,
            g.unit,
            g.employee_id,
            g.starts_on.isoformat(),
            "" if g.expires_on is None else g.expires_on.isoformat(),
            "" if g.revoked_at is None else g.revoked_at.isoformat(),
        )
    console.print(styled((account.username, "bold"), f" ({account.display_name})"))
    console.print(table)


@app.command("list")
def list_command() -> None:
    """Every account."""
    with open_ledger() as ledger:
        accounts = list_accounts(ledger)
    for account in accounts:
        console.print(f"{account.username}\t{account.display_name}")


@app.command("token")
def token(
    username: str = typer.Argument(...),
    label: str = typer.Option("", "--label", help="What the token is for"),
    days: int = typer.Option(90, "--days", min=1, max=3660, help="Valid for this many days"),
) -> None:
    """Issue an API bearer token; it is printed once and only its hash is kept."""
    with open_ledger() as ledger:
        account = get_account(ledger, username)
        side = open_side_database(ledger)
        now = ledger.clock()
        token_id, secret = AccountStore(side).issue_token(
            account.id, label, now, now + timedelta(days=days)
        )
        side.close()
    err_console.print(f"token {token_id} for {account.username} (shown once):")
    typer.echo(secret)


@app.command("totp")
def totp(username: str = typer.Argument(...)) -> None:
    """Enrol a TOTP second factor (replacing any earlier one): prints the otpauth URI and
    the seed once, for an authenticator app; only the secrets table keeps the seed."""
    from api.http.authentication import new_totp_seed, totp_uri

    with open_ledger() as ledger:
        account = get_account(ledger, username)
        side = open_side_database(ledger)
        seed = new_totp_seed()
        try:
            AccountStore(side, configured_secret_keys()).set_totp_seed(
                account.id, seed, ledger.clock()
            )
        finally:
            side.close()
    err_console.print(f"TOTP enrolled for {account.username} (shown once; scan or type it):")
    typer.echo(totp_uri(seed, account.username))
    typer.echo(seed)


@app.command("tokens")
def tokens(username: str = typer.Argument(...)) -> None:
    """An account's API tokens (never the tokens themselves)."""
    with open_ledger() as ledger:
        account = get_account(ledger, username)
        side = open_side_database(ledger)
        found = AccountStore(side).tokens(account.id)
        side.close()
    table = Table("token", "label", "created", "expires", "revoked")
    for t in found:
        table.add_row(t.token_id, t.label, t.created_at, t.expires_at or "", t.revoked_at or "")
    console.print(table)


@app.command("revoke-token")
def revoke_token(username: str = typer.Argument(...), token_id: str = typer.Argument(...)) -> None:
    """Revoke an API token at once."""
    with open_ledger() as ledger:
        account = get_account(ledger, username)
        side = open_side_database(ledger)
        done = AccountStore(side).revoke_token(account.id, token_id, ledger.clock())
        side.close()
    if not done:
        err_console.print(styled(("error:", "red"), f" {username} has no live token {token_id}"))
        raise typer.Exit(2)
    console.print(f"revoked token {token_id} of {username}")


@app.command("erase")
def erase(
    username: str = typer.Argument(...),
    yes: bool = typer.Option(False, "--yes", help="Erase without asking"),
) -> None:
    """Erase every secret of an account (password, second factor, tokens, sessions): it
    can no longer sign in. The account and its grants are events and stay; `muster
    account password` opens it again."""
    with open_ledger() as ledger:
        account = get_account(ledger, username)
        if not yes and not typer.confirm(f"erase every secret of {account.username}?"):
            err_console.print("nothing erased")
            raise typer.Exit(1)
        side = open_side_database(ledger)
        erased = AccountStore(side).erase(account.id)
        side.close()
    console.print(f"erased {erased} secret(s) of {account.username}")


@app.command("rotate-secrets")
def rotate_secrets(
    seal_plaintext: bool = typer.Option(
        False,
        "--seal-plaintext",
        help="Also seal the seeds kept in plain text (stored before encryption): only if "
        "you know them to be this store's own, not written into its table by someone else",
    ),
) -> None:
    """Re-encrypt every TOTP seed under the current secret key (the last of
    MUSTER_SECRET_KEY_FILE); then the earlier keys can be dropped from the file. A seed
    that cannot be read, or one kept in plain text without --seal-plaintext, is named and
    left as it is (exit status 1); nothing is lost."""
    from ledger.secret_keys import SecretKeyError

    with open_ledger() as ledger:
        side = open_side_database(ledger)
        store = AccountStore(side, configured_secret_keys())
        try:
            done = store.rotate(seal_plaintext=seal_plaintext)
        except SecretKeyError as error:
            err_console.print(styled(("error:", "red"), f" {error}"))
            raise typer.Exit(2) from None
        finally:
            side.close()
    console.print(
        f"re-encrypted {done.rewritten} second factor(s) under key {store.keys.current}; "
        f"{done.current} already were"
    )
    for problem in done.unreadable:
        err_console.print(styled(("unreadable:", "red"), f" {problem}"))
    if done.unreadable:
        err_console.print(
            f"{len(done.unreadable)} left as they were: keep the keys that opened them, or "
            "reset those second factors (muster account totp)"
        )
        raise typer.Exit(1)


@app.command("new-secret-key")
def new_secret_key(
    key_file: Path = typer.Argument(..., help="The key file (created, or a key appended)"),
    key_id: str = typer.Option(..., "--id", help="The new key's id, e.g. 2026-12"),
) -> None:
    """Add a fresh secret key to KEY_FILE (MUSTER_SECRET_KEY_FILE's form, owner-only): it
    encrypts the TOTP seeds from now on; the earlier keys still open the older ones until
    `muster account rotate-secrets`."""
    from ledger.secret_keys import SecretKeyError, load_secret_keys, new_secret_key_line

    if not key_id.isascii() or not key_id.replace("-", "").replace("_", "").isalnum():
        refuse("a key id is letters, digits, '-' and '_'")
    if key_file.exists():
        try:
            known = load_secret_keys(key_file).keys
        except SecretKeyError as error:
            refuse(str(error))
        if key_id in known:
            refuse(f"key id {key_id!r} is already in {key_file}")
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as out:
        out.write(new_secret_key_line(key_id))
    console.print(f"secret key {key_id} added to {key_file}; new second factors use it")
