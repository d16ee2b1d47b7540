"""In the browser (issue 16, acceptance): "an officer on a 390-px viewport ... uploads a
certificate, which the coordinator approves"; refused uploads show their message beside
the field; axe-core reports 0 serious or critical violations on these pages. Debian's
chromium driven by Playwright, headless, against ``muster serve`` on a free port of
127.0.0.1 (the embedded SQLite store: the pages' PostgreSQL behaviour is the same use
cases, tested in process on both backends in tests/http/test_request_pages.py).
Screenshots go to tests/web/artifacts/."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = "/usr/bin/chromium"
MUSTER = str(Path(sys.executable).with_name("muster"))
ARTIFACTS = Path(__file__).parent / "artifacts"
PASSWORD = "a long enough password"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _muster(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [MUSTER, *args], input=PASSWORD + "\n", capture_output=True, text=True, env=env,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, (args, done.stdout, done.stderr)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """``muster serve`` over a store with agency mpls, officer E1 (account ``olive``)
    and a coordinator (``cora``)."""
    env = {
        **os.environ,
        "MUSTER_DATABASE_URL": f"sqlite:///{tmp_path}/muster.db",
        "MUSTER_ACTOR": "setup",
        "MUSTER_LOG_FORMAT": "json",
        "MUSTER_UPLOAD_MAX_BYTES": "200000",
        "MUSTER_TOTP_REQUIRED_ROLES": "",
    }  # fmt: skip (second factor: test_web_session)
    for args in (
        ("agency", "add", "mpls", "--name", "Minneapolis PD", "--state", "MN"),
        ("person", "enrol", "E1", "--agency", "mpls", "--first-name", "Pat",
         "--last-name", "Okafor", "--hired-on", "2020-01-06", "--unit", "Patrol"),
        ("person", "enrol", "E2", "--agency", "mpls", "--first-name", "Sam",
         "--last-name", "Lind", "--hired-on", "2020-01-06", "--unit", "Patrol"),
        ("person", "enrol", "E3", "--agency", "mpls", "--first-name", "Ana",
         "--last-name", "Ruiz", "--hired-on", "2020-01-06", "--unit", "Traffic"),
        ("account", "add", "olive", "--name", "Pat Okafor", "--password-stdin"),
        ("account", "grant", "olive", "--role", "officer", "--agency", "mpls",
         "--employee", "E1", "--from", "2020-01-06"),
        ("account", "add", "aude", "--name", "Aude Auditor", "--password-stdin"),
        ("account", "grant", "aude", "--role", "auditor", "--agency", "mpls",
         "--from", "2020-01-06", "--expires", "2099-12-31"),
        ("account", "add", "adam", "--name", "Adam Admin", "--password-stdin"),
        ("account", "grant", "adam", "--role", "admin"),
        ("account", "add", "cora", "--name", "Cora Coordinator", "--password-stdin"),
        ("account", "grant", "cora", "--role", "coordinator", "--agency", "mpls",
         "--from", "2020-01-06"),
    ):  # fmt: skip
        _muster(env, *args)
    port = _free_port()
    process = subprocess.Popen(
        [MUSTER, "serve"],
        env={**env, "MUSTER_HTTP_PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
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
            if process.poll() is not None or time.monotonic() > deadline:
                process.terminate()
                pytest.fail(f"muster serve did not start: {process.communicate(timeout=20)[1]}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def _certificate(tmp_path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=18)
    pdf.cell(0, 12, "Certificate of completion: Crisis intervention, 4 hours")
    path = tmp_path / "crisis-intervention.pdf"
    pdf.output(str(path))
    return path


def _log_in(page: Any, base: str, username: str, target: str) -> None:
    page.goto(f"{base}/login?next={target}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}{target}")


def _serious(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [v["id"] for v in violations if v.get("impact") in ("serious", "critical")]


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_an_officer_on_a_phone_uploads_and_the_coordinator_approves(
    server: str, tmp_path: Path, chromium: Any
) -> None:
    certificate = _certificate(tmp_path)
    png_named_pdf = tmp_path / "scan.pdf"
    png_named_pdf.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    mine = "/agencies/mpls/people/E1/requests"
    # The session's one Playwright (tests/web/conftest.py): a second sync_playwright in
    # the same process refuses to start inside the first one's event loop.
    browser = chromium
    if browser is not None:
        phone = browser.new_context(viewport={"width": 390, "height": 844})
        page = phone.new_page()
        _log_in(page, server, "olive", mine)
        assert _serious(page) == []
        _shot(page, "requests-officer-390")

        # A future date and a PNG named .pdf: both refused, beside their fields.
        page.get_by_label("Course title").fill("Crisis intervention")
        page.get_by_label("Completed on").fill("2999-01-01")
        page.get_by_label("Credit hours").fill("4")
        page.get_by_label("Certificate").set_input_files(str(png_named_pdf))
        page.get_by_role("button", name="Send for approval").click()
        page.wait_for_selector("#completed_on-error")
        assert "after today" in page.locator("#completed_on-error").inner_text()
        error = page.locator("#certificate-error").inner_text()
        assert "named .pdf but its content is a PNG image" in error
        assert page.get_by_label("Course title").input_value() == "Crisis intervention"
        assert _serious(page) == []
        _shot(page, "requests-officer-390-refused")

        page.get_by_label("Completed on").fill("2025-02-10")
        page.get_by_label("Topic").fill("crisis_intervention")
        page.get_by_label("Certificate").set_input_files(str(certificate))
        page.get_by_role("button", name="Send for approval").click()
        page.wait_for_selector("text=Your request was sent")
        assert page.locator("td[data-label=Decision]").inner_text().strip() == "pending"
        _shot(page, "requests-officer-390-sent")

        desk = browser.new_context(viewport={"width": 1280, "height": 900})
        coordinator = desk.new_page()
        _log_in(coordinator, server, "cora", "/agencies/mpls/requests")
        assert coordinator.locator(".queue > li").count() == 1
        assert "Crisis intervention" in coordinator.locator(".queue").inner_text()
        assert _serious(coordinator) == []
        _shot(coordinator, "requests-queue")
        with coordinator.expect_download() as download:
            coordinator.get_by_role("link", name="Open the PDF document").click()
        assert Path(download.value.path()).read_bytes() == certificate.read_bytes()
        coordinator.get_by_role("button", name="Approve Crisis intervention for Pat Okafor").click()
        coordinator.wait_for_selector("text=Approved: the training is now")
        assert "No requests are waiting" in coordinator.content()
        _shot(coordinator, "requests-queue-approved")

        page.reload()
        assert page.locator("td[data-label=Decision]").inner_text().strip() == "approved"
        _shot(page, "requests-officer-390-approved")


def _evoc(base: str, token: str, employee_id: str) -> str:
    answer = httpx.get(
        f"{base}/api/v1/agencies/mpls/people/{employee_id}/status",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    requirements = answer.json()["person"]["compliance"]["requirements"]
    [evoc] = [r for r in requirements if r["requirement_id"] == "evoc"]
    return str(evoc["status"])


def test_a_coordinator_records_a_class_roster_and_statuses_change(
    server: str, chromium: Any
) -> None:
    """MN's "Emergency vehicle operations and pursuit, 8 hours every five years": the
    three officers, never trained, are non-compliant; one class of 8 hours for E1 and E2
    makes those two compliant and leaves E3 as it was."""
    login = httpx.post(
        f"{server}/api/v1/session", json={"username": "cora", "password": PASSWORD}, timeout=30
    )
    token = login.json()["token"]
    assert [_evoc(server, token, e) for e in ("E1", "E2", "E3")] == ["non_compliant"] * 3
    # The session's one Playwright (tests/web/conftest.py): a second sync_playwright in
    # the same process refuses to start inside the first one's event loop.
    browser = chromium
    if browser is not None:
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        _log_in(page, server, "cora", "/agencies/mpls/record")
        assert _serious(page) == []
        _shot(page, "record-class")
        page.get_by_label("Employee ids").fill("E1\nE2\nE404")
        page.get_by_label("Course title").fill("EVOC refresher")
        recent = (datetime.now(UTC).date() - timedelta(days=30)).isoformat()
        page.get_by_label("Completed on").fill(recent)
        page.get_by_label("Credit hours").fill("8")
        page.get_by_label("Topic").fill("emergency_vehicle_operations")
        page.get_by_role("button", name="Record").click()
        page.wait_for_selector("#employees-error")
        assert "E404" in page.locator("#employees-error").inner_text()
        assert _serious(page) == []
        _shot(page, "record-class-refused")
        assert [_evoc(server, token, e) for e in ("E1", "E2")] == ["non_compliant"] * 2

        page.get_by_label("Employee ids").fill("E1\nE2")
        page.get_by_role("button", name="Record").click()
        page.wait_for_selector("text=Recorded EVOC refresher for 2 people")
        _shot(page, "record-class-recorded")

        # Correct E1's record from the person's manage page: the history has both.
        page.goto(f"{server}/agencies/mpls/people/E1/manage")
        assert _serious(page) == []
        page.get_by_text("Correct or void this record").click()
        record = page.locator(".queue > li").first
        record.get_by_label("Hours").fill("10")
        record.get_by_label("Reason for the correction").fill("the roster said 10 hours")
        record.get_by_role("button", name="Correct").click()
        page.wait_for_selector("text=Corrected: the original stays")
        assert _serious(page) == []
        _shot(page, "manage-corrected")
        page.goto(f"{server}/agencies/mpls/audit")
        assert "read.status" in page.content()
        assert _serious(page) == []
        _shot(page, "audit-review")
    history = httpx.get(
        f"{server}/api/v1/agencies/mpls/people/E1/history",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    ).json()["entries"]
    linked = [e["event"] for e in history if e["event"].startswith("Training")]
    assert linked == ["TrainingCompleted", "TrainingCorrected"]
    assert [_evoc(server, token, e) for e in ("E1", "E2", "E3")] == [
        "compliant",
        "compliant",
        "non_compliant",
    ]


WRITE_PAGES = [
    "/agencies/mpls/record",
    "/agencies/mpls/requests",
    "/agencies/mpls/import",
    "/agencies/mpls/audit",
    "/agencies/mpls/people/E1/manage",
    "/admin/accounts",
]


def test_the_other_pages_pass_axe_and_an_auditor_reaches_no_write_form(
    server: str, tmp_path: Path, chromium: Any
) -> None:
    roster = tmp_path / "training.csv"
    roster.write_text(
        "employee_id,completed_on,course_title,hours,topics\n"
        "E1,2025-01-05,Use of force update,4,use_of_force=4\n"
        "E9,2025-01-05,Use of force update,-4,\n"
    )
    # The session's one Playwright (tests/web/conftest.py): a second sync_playwright in
    # the same process refuses to start inside the first one's event loop.
    browser = chromium
    if browser is not None:
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        _log_in(page, server, "cora", "/agencies/mpls/import")
        page.get_by_label("What the file holds").select_option("training")
        page.get_by_label("CSV or XLSX file").set_input_files(str(roster))
        page.get_by_role("button", name="Dry run").click()
        page.wait_for_selector("text=Problems by row")
        assert "Nothing can be imported until the errors are fixed" in page.content()
        assert _serious(page) == []
        _shot(page, "import-dry-run")

        admin = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        _log_in(admin, server, "adam", "/admin/accounts")
        assert _serious(admin) == []
        _shot(admin, "accounts-390")

        auditor = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        _log_in(auditor, server, "aude", "/agencies/mpls/people/E1/requests")
        nav = auditor.locator("header nav").inner_text()
        for label in ("Record training", "Requests", "Import", "Who viewed what", "Accounts"):
            assert label not in nav
        assert auditor.locator("form.request-form").count() == 0
        for path in WRITE_PAGES:
            answer = auditor.goto(f"{server}{path}")
            assert answer is not None
            assert answer.status == 403, path
            assert auditor.locator("form.request-form, form[enctype]").count() == 0
            assert "Not allowed" in auditor.content()
        _shot(auditor, "auditor-refused")
