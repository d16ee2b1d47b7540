"""The training-request pages in the browser session (issue 16 §1, officer self-service;
acceptance: "Every form's unhappy paths (future date, negative hours, unknown employee,
oversize or mistyped upload) show a clear message beside the field and append
nothing"). In process, on both backends; the browser itself is in tests/web."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

import pytest

from api.settings import Settings
from ledger.accounts import get_account
from tests.http.conftest import AGENCY, World
from tests.http.test_training_requests import HTML, PDF, PNG

MINE = f"/agencies/{AGENCY}/people/E1/requests"
QUEUE = f"/agencies/{AGENCY}/requests"
FORM = {"course_title": "Crisis intervention", "completed_on": "2025-02-10", "hours": "4"}


def log_in(world: World, username: str) -> str:
    """A browser session for ``username`` (the login form's own tests are h-dash's);
    its CSRF token."""
    account = get_account(world.ledger, username)
    now = world.ledger.clock()
    _, cookie = world.services.accounts.issue_session(account.id, now, now + timedelta(hours=1))
    world.client.cookies.clear()
    world.client.cookies.set("muster_session", cookie)
    return hashlib.sha256(f"csrf:{cookie}".encode()).hexdigest()


def send(
    world: World, token: str, content: bytes = PDF, filename: str = "cert.pdf", **form: str
) -> Any:
    return world.client.post(
        MINE,
        data={**FORM, **form, "csrf_token": token},
        files={"certificate": (filename, content, "application/pdf")},
        follow_redirects=False,
    )


def events(world: World) -> int:
    return world.ledger.store.count_events()


def beside(html: str, field: str) -> str:
    """The message shown beside ``field`` (its ``-error`` element, which the input names
    in ``aria-describedby``)."""
    match = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', html)
    assert match, f"no message beside {field}"
    assert re.search(rf'id="{field}"[^>]*aria-describedby="[^"]*{field}-error', html)
    return match.group(1)


def test_an_officer_sends_a_request_from_the_page(world: World) -> None:
    token = log_in(world, "officer1")
    page = world.client.get(MINE)
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    before = events(world)
    sent = send(world, token)
    assert sent.status_code == 303
    assert sent.headers["location"] == f"{MINE}?sent=1"
    assert events(world) == before + 1
    after = world.client.get(sent.headers["location"])
    assert "Your request was sent" in after.text
    assert "Crisis intervention" in after.text
    assert "pending" in after.text


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"completed_on": "2025-03-02"}, "completed_on", "is after today"),
        ({"completed_on": "2025-02-30"}, "completed_on", "is not a date"),
        ({"completed_on": ""}, "completed_on", "Enter the day"),
        ({"hours": "-1"}, "hours", "must be more than 0"),
        ({"hours": "four"}, "hours", "is not a number of hours"),
        ({"hours": "0"}, "hours", "must be more than 0"),
        ({"hours": ""}, "hours", "Enter the credit hours"),
        ({"course_title": "  "}, "course_title", "Enter the course title"),
        ({"topic": "Use of Force"}, "topic", "canonical topic id"),
        ({"content": PNG}, "certificate", "named .pdf but its content is a PNG image"),
        ({"content": HTML}, "certificate", "not a PDF, JPEG or PNG"),
        ({"content": b""}, "certificate", "Choose the certificate file"),
    ],
)
def test_a_refused_form_says_why_beside_the_field_and_appends_nothing(
    world: World, change: dict[str, Any], field: str, says: str
) -> None:
    token = log_in(world, "officer1")
    before = events(world)
    change = dict(change)  # the parameters are shared by both backends' runs
    content = change.pop("content", PDF)
    filename = "" if content == b"" else "cert.pdf"
    answer = send(world, token, content, filename, **change)
    assert answer.status_code == 422, answer.text
    assert says in beside(answer.text, field)
    assert "Nothing was sent" in answer.text
    assert events(world) == before
    # What was typed comes back (but the file, which a browser never refills).
    assert 'value="Crisis intervention"' in answer.text or field == "course_title"


def test_an_oversize_upload_is_refused_beside_the_field(world: World) -> None:
    world.services.settings = Settings(database_url=world.ledger.database_url, upload_max_bytes=64)
    token = log_in(world, "officer1")
    before = events(world)
    answer = send(world, token, PDF + b" " * 64)
    assert answer.status_code == 413
    assert "larger than the 64 bytes allowed" in beside(answer.text, "certificate")
    assert events(world) == before


def test_the_upload_form_needs_the_sessions_csrf_token(world: World) -> None:
    log_in(world, "officer1")
    before = events(world)
    for token in ("", "0" * 64):
        answer = send(world, token)
        assert answer.status_code == 403
    assert events(world) == before


def test_no_one_else_may_send_or_decide(world: World) -> None:
    before = events(world)
    token = log_in(world, "officer1")
    other = world.client.post(
        f"/agencies/{AGENCY}/people/E2/requests",
        data={**FORM, "csrf_token": token},
        files={"certificate": ("c.pdf", PDF, "application/pdf")},
    )
    assert other.status_code == 403
    assert world.client.get(QUEUE).status_code == 403
    for who in ("auditor", "command", "supervisor"):
        token = log_in(world, who)
        page = world.client.get(MINE)
        if who != "command" or page.status_code == 200:
            assert '<form class="card request-form"' not in page.text  # no upload form
        assert send(world, token).status_code == 403
        assert world.client.get(QUEUE).status_code == 403
    assert events(world) == before


def test_the_coordinator_approves_and_rejects_from_the_queue(world: World) -> None:
    token = log_in(world, "officer1")
    send(world, token, course_title="First aid")
    send(world, token, course_title="Firearms")
    token = log_in(world, "coordinator")
    queue = world.client.get(QUEUE)
    assert queue.status_code == 200
    ids = re.findall(r'id="request-([0-9a-f-]{36})"', queue.text)
    assert len(ids) == 2
    first, second = ids
    before = events(world)

    # An empty reason is refused beside its field; nothing appended.
    empty = world.client.post(
        f"/agencies/{AGENCY}/people/E1/requests/{second}/reject",
        data={"csrf_token": token, "reason": " "},
    )
    assert empty.status_code == 422
    assert "Say why" in empty.text
    assert f'aria-describedby="reason-{second}-error"' in empty.text
    assert events(world) == before

    approved = world.client.post(
        f"/agencies/{AGENCY}/people/E1/requests/{first}/approve",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert approved.status_code == 303
    assert events(world) == before + 2  # the completion and the approval
    rejected = world.client.post(
        f"/agencies/{AGENCY}/people/E1/requests/{second}/reject",
        data={"csrf_token": token, "reason": "certificate is illegible"},
    )
    assert rejected.status_code == 200  # followed to the queue
    assert "Rejected: the officer sees your reason" in rejected.text
    assert "No requests are waiting" in rejected.text
    assert events(world) == before + 3
    # A second decision (a stale page's button) is refused and appends nothing.
    again = world.client.post(
        f"/agencies/{AGENCY}/people/E1/requests/{first}/approve", data={"csrf_token": token}
    )
    assert again.status_code == 409
    assert "already approved" in again.text
    assert events(world) == before + 3

    log_in(world, "officer1")
    mine = world.client.get(MINE).text
    for shown in ("approved", "rejected", "certificate is illegible"):
        assert shown in mine


def test_the_certificate_opens_from_the_page_for_its_readers(world: World) -> None:
    token = log_in(world, "officer1")
    send(world, token)
    [href] = re.findall(r'href="(/agencies/[^"]+/certificate)"', world.client.get(MINE).text)
    own = world.client.get(href)
    assert (own.status_code, own.content) == (200, PDF)
    assert own.headers["content-type"] == "application/pdf"
    log_in(world, "other-coordinator")
    assert world.client.get(href).status_code == 403


def test_an_auditor_reaches_no_write_form(world: World) -> None:
    """Issue 16 acceptance: "an auditor cannot reach any write form" (of these pages):
    none is linked from the auditor's navigation, and each answers 403 to a GET or a
    POST with the auditor's own valid CSRF token; nothing is appended."""
    token = log_in(world, "officer1")
    send(world, token)
    request_id = world.ledger.training_requests_of(AGENCY, "E1")[0].request.request_id
    before = events(world)
    token = log_in(world, "auditor")
    nav = world.client.get(f"/agencies/{AGENCY}/people/E1/requests").text
    for label in ("Record training", "Requests<", "Send for approval", "Approve", "Reject"):
        assert label not in nav
    decide = f"/agencies/{AGENCY}/people/E1/requests/{request_id}"
    for method, path in (
        ("GET", f"/agencies/{AGENCY}/record"),
        ("POST", f"/agencies/{AGENCY}/record"),
        ("GET", QUEUE),
        ("POST", f"{decide}/approve"),
        ("POST", f"{decide}/reject"),
        ("POST", MINE),
    ):
        data = {"csrf_token": token, "reason": "x", "employees": "E1", **FORM}
        answer = world.client.request(method, path, data=data if method == "POST" else None)
        assert answer.status_code == 403, (method, path)
    assert events(world) == before
