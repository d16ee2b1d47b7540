"""The dashboard over a real store (both backends, ``tests/conftest.py``): agency ``mpls``
with people in two units, a late entry, a correction, a void, a leave and an exemption;
one account per role with a password; and, for the browser tests, the dashboard served
by ``muster dashboard`` (uvicorn) on a free port of 127.0.0.1, driven by Debian's
Chromium through Playwright."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.http.passwords import hash_password
from api.http.services import Services
from api.rulebook import publish_shipped_packs
from api.settings import Settings
from ledger.accounts import grant_role, open_account
from ledger.application import Ledger
from ledger.clock import SettableClock
from tests.conftest import TEST_SECRET_KEY_FILE

ACTOR = "user:test"
AGENCY, OTHER_AGENCY = "mpls", "stp"
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
MUSTER = str(Path(sys.executable).with_name("muster"))
# A name full of markup: the pages must show it as text.
MARKUP_NAME = '<script>alert("x")</script><b>Bold</b> & <img src=x onerror=alert(1)>'
# employee id -> (last name, unit)
PEOPLE = {
    "E1": ("Adams", "Patrol"),
    "E2": ("Baker", "Patrol"),
    "E3": ("Chen", "Traffic"),
    "E4": (MARKUP_NAME, "Traffic"),
}
# The late entry: a completion on 2024-05-01 recorded on 2025-03-20 (late by ~11 months).
LATE_RECORDED = datetime(2025, 3, 20, 15, 0, tzinfo=UTC)
BEFORE_LATE = "2025-03-10"  # a known_at before it
LATE_COURSE = "Late Entry Firearms"
EARLY_COURSE = "Crisis Intervention Basics"


@dataclass
class WebWorld:
    ledger: Ledger
    database_url: str
    passwords: dict[str, str] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)


# username -> (role, agency, unit, employee_id)
ACCOUNTS: dict[str, tuple[str, str, str, str]] = {
    "officer1": ("officer", AGENCY, "", "E1"),
    "supervisor": ("supervisor", AGENCY, "Patrol", ""),
    "coordinator": ("coordinator", AGENCY, "", ""),
    "command": ("command", AGENCY, "", ""),
    "auditor": ("auditor", AGENCY, "", ""),
    "admin": ("admin", "", "", ""),
    "other-coordinator": ("coordinator", OTHER_AGENCY, "", ""),
    "nobody": ("", "", "", ""),
}


def _build(ledger: Ledger, clock: SettableClock) -> dict[str, Any]:
    clock.set(datetime(2024, 1, 2, 9, 0, tzinfo=UTC))
    ledger.register_agency(AGENCY, "Minneapolis PD", "MN", actor=ACTOR)
    ledger.register_agency(OTHER_AGENCY, "St Paul PD", "MN", actor=ACTOR)
    publish_shipped_packs(ledger, ACTOR, jurisdiction="US-MN")
    for employee_id, (last, unit) in PEOPLE.items():
        ledger.enrol_person(
            AGENCY,
            employee_id,
            first_name="Pat",
            last_name=last,
            kind="sworn",
            hired_on=date(2020, 1, 6),
            rank="Officer",
            unit_name=unit,
            actor=ACTOR,
        )
        ledger.record_license(
            AGENCY,
            employee_id,
            license_number=f"L-{employee_id}",
            issued_on=date(2020, 1, 6),
            period_end=date(2027, 6, 30),
            actor=ACTOR,
        )
    ledger.enrol_person(
        OTHER_AGENCY, "S1", first_name="Sam", last_name="Stp", kind="sworn",
        hired_on=date(2020, 1, 6), rank="Officer", unit_name="Patrol", actor=ACTOR,
    )  # fmt: skip
    clock.set(datetime(2024, 6, 3, 10, 0, tzinfo=UTC))
    early = ledger.record_training(
        AGENCY, "E2", completed_on=date(2024, 6, 1), course_title=EARLY_COURSE, hours="8",
        actor=ACTOR,
    )  # fmt: skip
    typo = ledger.record_training(
        AGENCY, "E2", completed_on=date(2024, 6, 2), course_title="Ethics", hours="2",
        actor=ACTOR,
    )  # fmt: skip
    twice = ledger.record_training(
        AGENCY, "E2", completed_on=date(2024, 6, 2), course_title="Ethics again", hours="2",
        actor=ACTOR,
    )  # fmt: skip
    clock.set(datetime(2024, 7, 1, 10, 0, tzinfo=UTC))
    ledger.correct_training(AGENCY, "E2", typo, reason="hours were 3, not 2", actor=ACTOR,
                            hours="3")  # fmt: skip
    ledger.void_training(AGENCY, "E2", twice, reason="entered twice", actor=ACTOR)
    clock.set(datetime(2024, 8, 2, 10, 0, tzinfo=UTC))
    ledger.change_status(
        AGENCY, "E3", status="leave", effective_on=date(2024, 8, 1), reason="medical",
        actor=ACTOR,
    )  # fmt: skip
    ledger.grant_exemption(
        AGENCY, "E3", kind="medical_leave", starts_on=date(2024, 8, 1), ends_on=None,
        reason="surgery", approver="Chief", actor=ACTOR,
    )  # fmt: skip
    clock.set(LATE_RECORDED)
    late = ledger.record_training(
        AGENCY, "E2", completed_on=date(2024, 5, 1), course_title=LATE_COURSE, hours="4",
        actor=ACTOR,
    )  # fmt: skip
    clock.set(datetime(2025, 4, 1, 9, 0, tzinfo=UTC))
    return {"early": str(early), "typo": str(typo), "twice": str(twice), "late": str(late)}


def _accounts(ledger: Ledger, services: Services) -> dict[str, str]:
    passwords = {}
    expires = datetime.now(UTC).date() + timedelta(days=365)
    for name, (role, agency, unit, employee) in ACCOUNTS.items():
        account = open_account(ledger, name, name.title(), actor=ACTOR)
        if role:
            grant_role(
                ledger, name, role, actor=ACTOR, agency=agency, unit=unit, employee_id=employee,
                starts_on=date(2024, 1, 1), expires_on=expires if role == "auditor" else None,
            )  # fmt: skip
        password = secrets.token_urlsafe(16)
        services.accounts.set_password(account.id, hash_password(password), ledger.clock())
        passwords[name] = password
    return passwords


def _settings(database_url: str) -> Settings:
    """The pages' tests log in with passwords alone (MUSTER_TOTP_REQUIRED_ROLES empty):
    the second factor is tested on its own (test_web_session's TOTP tests, and
    tests/http/test_totp.py for the API's login the form shares)."""
    return Settings(
        database_url=database_url, totp_required_roles="", secret_key_file=TEST_SECRET_KEY_FILE
    )


@pytest.fixture
def web_world(ledger: Ledger, clock: SettableClock) -> Iterator[WebWorld]:
    facts = _build(ledger, clock)
    services = Services.for_ledger(ledger, _settings(ledger.database_url))
    try:
        passwords = _accounts(ledger, services)
    finally:
        services.side.close()
    return WebWorld(ledger, ledger.database_url, passwords, facts)


@pytest.fixture
def web_client(web_world: WebWorld) -> Iterator[TestClient]:
    """The app in-process; https, so the Secure session cookie is sent back."""
    services = Services.for_ledger(web_world.ledger, _settings(web_world.database_url))
    app = create_app(services)
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as client:
        yield client
    services.side.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(web_world: WebWorld) -> Iterator[str]:
    """``muster dashboard`` (uvicorn) over the world's store on a free port: its base URL."""
    port = _free_port()
    env = {
        **os.environ,
        "MUSTER_DATABASE_URL": web_world.database_url,
        "MUSTER_HTTP_PORT": str(port),
        "MUSTER_LOG_FORMAT": "json",
        "MUSTER_TOTP_REQUIRED_ROLES": "",  # as _settings: the pages' tests log in with passwords
    }
    server = subprocess.Popen(
        [MUSTER, "dashboard"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                server.terminate()
                _, errors = server.communicate(timeout=20)
                pytest.fail(f"muster dashboard did not become ready: {errors[-2000:]}")
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium under Playwright, headless (no browser is downloaded)."""
    if shutil.which(CHROMIUM) is None and not os.path.exists(CHROMIUM):
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"{CHROMIUM} is missing (.ci/run installs it)")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser
        browser.close()
