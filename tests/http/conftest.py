"""An API over a real store (both backends, ``tests/conftest.py``): two agencies, officers
in two units, an account for every role with a bearer token, and a client."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.http.services import Services
from api.rulebook import publish_shipped_packs
from api.settings import Settings
from ledger.accounts import grant_role, open_account
from ledger.application import Ledger
from tests.conftest import TEST_SECRET_KEY_FILE

ACTOR = "user:test"
AGENCY, OTHER_AGENCY = "mpls", "stp"
# employee id -> unit, in AGENCY; OTHER_AGENCY holds "S1" in "Patrol".
PEOPLE = {"E1": "Patrol", "E2": "Patrol", "E3": "Traffic"}


@dataclass
class World:
    ledger: Ledger
    services: Services
    client: TestClient
    tokens: dict[str, str] = field(default_factory=dict)  # username -> bearer token

    def auth(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}


def enrol(ledger: Ledger, agency: str, employee_id: str, unit: str) -> None:
    ledger.enrol_person(
        agency,
        employee_id,
        first_name="Pat",
        last_name=f"Officer {employee_id}",
        kind="sworn",
        hired_on=date(2020, 1, 6),
        rank="Officer",
        unit_name=unit,
        actor=ACTOR,
    )
    ledger.record_license(
        agency,
        employee_id,
        license_number=f"L-{employee_id}",
        issued_on=date(2020, 1, 6),
        period_end=date(2026, 6, 30),
        actor=ACTOR,
    )


# username -> (role, agency, unit, employee_id, expires_on)
ACCOUNTS: dict[str, tuple[str, str, str, str, date | None]] = {
    "officer1": ("officer", AGENCY, "", "E1", None),
    "supervisor": ("supervisor", AGENCY, "Patrol", "", None),
    "coordinator": ("coordinator", AGENCY, "", "", None),
    "command": ("command", AGENCY, "", "", None),
    "auditor": ("auditor", AGENCY, "", "", date(2026, 12, 31)),
    "admin": ("admin", "", "", "", None),
    "other-coordinator": ("coordinator", OTHER_AGENCY, "", "", None),
}


def add_account(world: World, name: str, role: str, agency: str, unit: str, employee: str,
                expires_on: date | None) -> None:  # fmt: skip
    ledger = world.ledger
    account = open_account(ledger, name, name.title(), actor=ACTOR)
    if role:
        grant_role(
            ledger,
            name,
            role,
            actor=ACTOR,
            agency=agency,
            unit=unit,
            employee_id=employee,
            starts_on=date(2024, 1, 1),
            expires_on=expires_on,
        )
    now = ledger.clock()
    _, token = world.services.accounts.issue_token(account.id, "test", now, now + timedelta(days=1))
    world.tokens[name] = token


@pytest.fixture
def world(ledger: Ledger) -> Iterator[World]:
    ledger.register_agency(AGENCY, "Minneapolis PD", "MN", actor=ACTOR)
    ledger.register_agency(OTHER_AGENCY, "St Paul PD", "MN", actor=ACTOR)
    publish_shipped_packs(ledger, ACTOR, jurisdiction="US-MN")
    for employee_id, unit in PEOPLE.items():
        enrol(ledger, AGENCY, employee_id, unit)
    enrol(ledger, OTHER_AGENCY, "S1", "Patrol")
    services = Services.for_ledger(
        ledger, Settings(database_url=ledger.database_url, secret_key_file=TEST_SECRET_KEY_FILE)
    )
    with TestClient(create_app(services), raise_server_exceptions=False) as client:
        world = World(ledger, services, client)
        for name, grant in ACCOUNTS.items():
            add_account(world, name, *grant)
        add_account(world, "nobody", "", "", "", "", None)
        add_account(world, "spare", "", "", "", "", None)  # what admins change
        yield world
    services.side.close()
