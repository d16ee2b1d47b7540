"""Demo logins for ``make run``: one account per role in the demo agency, each given a
password made here by ``secrets`` every time (so shown once, and never the same on two
machines or two runs). Accounts and grants are ledger events; passwords live only as
argon2id hashes in the secrets table, never in the event log."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from rich.table import Table

from api.cli.context import configured_secret_keys, console, open_ledger
from api.cli.output import styled
from api.http.passwords import hash_password
from api.http.services import open_side_database
from ledger.account_store import AccountStore
from ledger.accounts import AccountNotFoundError, get_account, grant_role, open_account
from ledger.application import Ledger
from ledger.errors import LedgerError

__all__ = ["DemoLogin", "print_logins", "rekey_demo_logins"]

ACTOR = "system:demo"
# Letters and digits without look-alikes (0/O, 1/l/I): easy to type from the terminal.
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    scope: str
    totp_seed: str = ""  # base32, where the server needs a second factor for the role


def _demo_officer(ledger: Ledger, agency: str) -> tuple[str, str]:
    """An active sworn officer with a unit (the first by employee id): (employee, unit)."""
    people = [ledger.get_person_by_id(p) for p in ledger.people_ids(agency)]
    people.sort(key=lambda p: p.employee_id)
    for person in people:
        if person.status == "active" and person.kind == "sworn" and person.unit:
            return person.employee_id, person.unit
    if not people:
        raise LedgerError(f"agency {agency!r} has nobody enrolled: run `muster demo` first")
    return people[0].employee_id, people[0].unit


def rekey_demo_logins(agency: str, totp_roles: frozenset[str]) -> list[DemoLogin]:
    """Open (or re-key) the demo accounts: a new password each, and a new TOTP seed for
    each whose role is in ``totp_roles`` (the server's ``MUSTER_TOTP_REQUIRED_ROLES``)."""
    from api.http.authentication import new_totp_seed

    with open_ledger() as ledger:
        ledger.get_agency(agency)
        employee, unit = _demo_officer(ledger, agency)
        today = ledger.clock().date()
        wanted: list[tuple[str, str, str, dict[str, Any], str]] = [
            ("demo-coordinator", "Demo Coordinator", "coordinator", {}, agency),
            ("demo-command", "Demo Command", "command", {}, agency),
            (
                "demo-auditor",
                "Demo Auditor",
                "auditor",
                {"expires_on": today + timedelta(days=365)},
                agency,
            ),
            ("demo-supervisor", "Demo Supervisor", "supervisor", {"unit": unit}, f"unit {unit}"),
            (
                "demo-officer",
                "Demo Officer",
                "officer",
                {"employee_id": employee},
                f"employee {employee}",
            ),
            ("demo-admin", "Demo Admin", "admin", {}, "accounts"),
        ]
        keys = configured_secret_keys()
        side = open_side_database(ledger)
        store = AccountStore(side, keys)
        logins = []
        try:
            for username, name, role, extra, scope in wanted:
                try:
                    account = get_account(ledger, username)
                except AccountNotFoundError:
                    account = open_account(ledger, username, name, actor=ACTOR)
                live = [g for g in account.grants_at(None, today) if g.role == role]
                if not live:
                    grant_role(
                        ledger,
                        username,
                        role,
                        actor=ACTOR,
                        agency="" if role == "admin" else agency,
                        **extra,
                    )
                password = "".join(secrets.choice(_ALPHABET) for _ in range(16))
                store.set_password(account.id, hash_password(password), ledger.clock())
                seed = ""
                if role in totp_roles:
                    seed = new_totp_seed()
                    store.set_totp_seed(account.id, seed, ledger.clock())
                logins.append(DemoLogin(username, password, role, scope, seed))
        finally:
            side.close()
    return logins


def print_logins(logins: list[DemoLogin]) -> None:
    table = Table("username", "password", "role", "sees", title="demo logins (shown once)")
    for login in logins:
        table.add_row(login.username, login.password, login.role, login.scope)
    console.print(table)
    seeded = [login for login in logins if login.totp_seed]
    for login in seeded:
        console.print(
            styled(
                (login.username, "bold"),
                " also needs a code: add the key ",
                (login.totp_seed, "bold"),
                " to an authenticator app (TOTP, 6 digits, 30 s)",
            )
        )
    if not seeded:
        console.print(
            "no second factor on this server (MUSTER_TOTP_REQUIRED_ROLES is empty; "
            "without it admin and coordinator need one)"
        )
    console.print(
        styled(
            "new passwords were generated just now; the next ",
            ("make run", "bold"),
            " replaces them",
        )
    )
