"""Training requests with certificates (issue 16 §1, officer self-service): "upload a
certificate (PDF/JPEG/PNG, size-limited, type checked by content, stored
content-addressed with its SHA-256 recorded in the ledger) as a training request that a
coordinator approves or rejects — both are events". On both backends, through the API."""

from __future__ import annotations

import hashlib
from typing import Any

import psycopg
import pytest

from api.settings import Settings
from ledger.blob_store import DirectoryBlobs
from tests.http.conftest import AGENCY, World
from tests.tamper import application, privileged

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(20)
HTML = b"<!doctype html><script>alert(1)</script>"

BASE = f"/api/v1/agencies/{AGENCY}"
FORM = {"completed_on": "2025-02-10", "course_title": "Crisis intervention", "hours": "4"}


def upload(
    world: World,
    content: bytes = PDF,
    filename: str = "certificate.pdf",
    *,
    who: str = "officer1",
    employee_id: str = "E1",
    header_type: str = "application/pdf",
    headers: dict[str, str] | None = None,
    **form: str,
) -> Any:
    return world.client.post(
        f"{BASE}/people/{employee_id}/training-requests",
        data={**FORM, **form},
        files={"certificate": (filename, content, header_type)},
        headers={**world.auth(who), **(headers or {})},
    )


def events(world: World) -> int:
    return world.ledger.store.count_events()


def pending(world: World) -> list[dict[str, Any]]:
    answer = world.client.get(f"{BASE}/training-requests", headers=world.auth("coordinator"))
    assert answer.status_code == 200, answer.text
    requests: list[dict[str, Any]] = answer.json()["requests"]
    return requests


def decide(world: World, request_id: str, how: str, body: dict[str, str] | None = None) -> Any:
    return world.client.post(
        f"{BASE}/people/E1/training-requests/{request_id}/{how}",
        json=body or {},
        headers=world.auth("coordinator"),
    )


def test_an_officer_requests_and_a_coordinator_approves_once(world: World) -> None:
    before = events(world)
    asked = upload(world, topic="crisis_intervention", provider="State academy")
    assert asked.status_code == 201, asked.text
    assert asked.json()["events"] == ["TrainingRequested"]
    request_id = asked.json()["id"]
    assert events(world) == before + 1

    [listed] = pending(world)
    assert listed["request_id"] == request_id
    assert listed["employee_id"] == "E1"
    assert listed["certificate"]["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert listed["certificate"]["media_type"] == "application/pdf"
    assert listed["certificate"]["bytes"] == len(PDF)
    assert listed["requested_by"] == "account:officer1"
    assert listed["topic_hours"] == {"crisis_intervention": "4.00"}

    approved = decide(world, request_id, "approval")
    assert approved.status_code == 201, approved.text
    assert approved.json()["events"] == ["TrainingCompleted", "TrainingRequestApproved"]
    record_id = approved.json()["id"]
    assert pending(world) == []
    assert events(world) == before + 3

    # The completion counts, and names the request and the certificate it came from.
    history = world.client.get(f"{BASE}/people/E1/history", headers=world.auth("officer1"))
    completed = [e for e in history.json()["entries"] if e["event"] == "TrainingCompleted"]
    assert completed[-1]["record_id"] == record_id
    assert completed[-1]["effective_on"] == "2025-02-10"
    assert completed[-1]["facts"]["source_record_id"] == f"training-request:{request_id}"
    assert completed[-1]["facts"]["certificate_ref"] == f"sha256:{listed['certificate']['sha256']}"
    mine = world.client.get(f"{BASE}/people/E1/training-requests", headers=world.auth("officer1"))
    [decided] = mine.json()["requests"]
    assert (decided["decision"], decided["record_id"]) == ("approved", record_id)
    assert decided["decided_by"] == "account:coordinator"

    # The decision is made once: a second approval or a rejection now is a 409, no event.
    again = decide(world, request_id, "approval")
    assert again.status_code == 409
    assert again.json()["code"] == "request_already_decided"
    late = decide(world, request_id, "rejection", {"reason": "changed my mind"})
    assert late.status_code == 409
    assert events(world) == before + 3


def test_a_rejection_is_an_event_with_its_reason_and_final(world: World) -> None:
    request_id = upload(world, JPEG, "scan.JPG", header_type="image/jpeg").json()["id"]
    before = events(world)
    empty = decide(world, request_id, "rejection", {"reason": ""})
    assert empty.status_code == 422
    assert empty.json()["field"] == "reason"
    refused = decide(world, request_id, "rejection", {"reason": "certificate is illegible"})
    assert refused.status_code == 201, refused.text
    assert refused.json()["events"] == ["TrainingRequestRejected"]
    assert decide(world, request_id, "approval").status_code == 409
    assert events(world) == before + 1
    mine = world.client.get(f"{BASE}/people/E1/training-requests", headers=world.auth("officer1"))
    [state] = mine.json()["requests"]
    assert (state["decision"], state["reason"]) == ("rejected", "certificate is illegible")
    assert state["certificate"]["media_type"] == "image/jpeg"
    history = world.client.get(f"{BASE}/people/E1/history", headers=world.auth("coordinator"))
    assert "TrainingCompleted" not in [e["event"] for e in history.json()["entries"][-2:]]


def test_an_oversize_certificate_is_refused_and_nothing_is_kept(world: World) -> None:
    world.services.settings = Settings(
        database_url=world.ledger.database_url, upload_max_bytes=len(PDF) + 10
    )
    before = events(world)
    exact = upload(world, PDF + b" " * 10)
    assert exact.status_code == 201, exact.text  # at the limit: accepted
    big = PDF + b" " * 11
    answer = upload(world, big)
    assert answer.status_code == 413
    body = answer.json()
    assert (body["code"], body["field"]) == ("certificate_too_large", "certificate")
    assert events(world) == before + 1
    store = world.services.certificates
    if isinstance(store, DirectoryBlobs):
        assert not store.path(hashlib.sha256(big).hexdigest()).exists()


@pytest.mark.parametrize(
    ("content", "filename", "says"),
    [
        (PNG, "certificate.pdf", "named .pdf but its content is a PNG image"),
        (HTML, "certificate.pdf", "not a PDF, JPEG or PNG"),
        (HTML, "certificate.html", "not a PDF, JPEG or PNG"),
        (PDF, "certificate.txt", "named .txt but its content is a PDF document"),
        (PDF[:4], "certificate.pdf", "not a PDF, JPEG or PNG"),  # "%PDF" without the dash
        (b"", "certificate.pdf", "empty"),
    ],
)
def test_a_mistyped_certificate_is_refused_by_its_content(
    world: World, content: bytes, filename: str, says: str
) -> None:
    before = events(world)
    answer = upload(world, content, filename, header_type="application/pdf")
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["field"] == "certificate"
    assert says in body["message"]
    assert events(world) == before
    assert pending(world) == []


def test_the_type_comes_from_the_content_not_the_header(world: World) -> None:
    """A PDF sent with an image header, and a PNG without an extension, are what their
    bytes are."""
    upload(world, PDF, "certificate.pdf", header_type="image/png")
    upload(world, PNG, "phone-photo", header_type="application/pdf")
    types = [r["certificate"]["media_type"] for r in pending(world)]
    assert types == ["application/pdf", "image/png"]


@pytest.mark.parametrize(
    ("form", "field", "code"),
    [
        ({"completed_on": "2025-03-02"}, "completed_on", "future_effective_date"),
        ({"hours": "-1"}, "hours", "hours_out_of_range"),
        ({"hours": "lots"}, "hours", "invalid_request"),
        ({"completed_on": "2025-02-30"}, "completed_on", "invalid_request"),
        ({"course_title": ""}, "course_title", "invalid_request"),
        ({"topic": "Use of Force!"}, "topic", "invalid_value"),
        ({"delivery": "telepathy"}, "delivery", "invalid_value"),
    ],
)
def test_bad_fields_are_named_and_append_nothing(
    world: World, form: dict[str, str], field: str, code: str
) -> None:
    before = events(world)
    answer = upload(world, **form)
    assert answer.status_code == 422, answer.text
    assert (answer.json()["code"], answer.json()["field"]) == (code, field)
    assert events(world) == before


def test_an_officer_cannot_request_for_someone_else(world: World) -> None:
    before = events(world)
    for employee_id in ("E2", "E3", "NOPE"):
        answer = upload(world, employee_id=employee_id)
        assert answer.status_code == 403
        assert answer.json()["code"] == "forbidden"
    # Nor may a coordinator, a supervisor or an auditor file one in an officer's name.
    for who in ("coordinator", "supervisor", "auditor"):
        assert upload(world, who=who).status_code == 403
    assert events(world) == before


def test_only_coordinators_decide_and_unknown_requests_are_404(world: World) -> None:
    request_id = upload(world).json()["id"]
    for who in ("officer1", "supervisor", "command", "auditor", "other-coordinator"):
        answer = world.client.post(
            f"{BASE}/people/E1/training-requests/{request_id}/approval",
            json={},
            headers=world.auth(who),
        )
        assert answer.status_code == 403, who
    unknown = decide(world, "00000000-0000-4000-8000-000000000000", "approval")
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "training_request_not_found"
    wrong_person = world.client.post(
        f"{BASE}/people/E2/training-requests/{request_id}/approval",
        json={},
        headers=world.auth("coordinator"),
    )
    assert wrong_person.status_code == 404
    assert len(pending(world)) == 1


def test_a_retry_with_the_same_key_appends_once(world: World) -> None:
    key = {"Idempotency-Key": "upload-1"}
    first = upload(world, headers=key)
    before = events(world)
    retry = upload(world, headers=key)
    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    other = upload(world, JPEG, "other.jpg", headers=key)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert events(world) == before


def test_the_certificate_downloads_as_uploaded_and_the_read_is_audited(world: World) -> None:
    request_id = upload(world).json()["id"]
    path = f"{BASE}/people/E1/training-requests/{request_id}/certificate"
    for who in ("officer1", "supervisor", "coordinator", "auditor"):
        answer = world.client.get(path, headers=world.auth(who))
        assert answer.status_code == 200, (who, answer.text)
        assert answer.content == PDF
        assert answer.headers["content-type"] == "application/pdf"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["content-disposition"].startswith("attachment;")
    denied = world.client.get(path, headers=world.auth("other-coordinator"))
    assert denied.status_code == 403
    reads = [
        (e.actor, e.outcome)
        for e in world.services.audit.entries(agency=AGENCY)
        if e.action == "read.certificate"
    ]
    assert reads == [
        ("account:officer1", "allowed"),
        ("account:supervisor", "allowed"),
        ("account:coordinator", "allowed"),
        ("account:auditor", "allowed"),
        ("account:other-coordinator", "denied"),  # another agency's: refused, audited
    ]


def test_a_tampered_certificate_is_detected_on_download(world: World) -> None:
    request_id = upload(world).json()["id"]
    sha = hashlib.sha256(PDF).hexdigest()
    forged = PDF.replace(b"Catalog", b"Catalos")
    store = world.services.certificates
    if isinstance(store, DirectoryBlobs):
        store.path(sha).write_bytes(forged)
    else:
        with privileged(world.ledger) as cur:
            cur.execute(
                "UPDATE muster_certificates SET content = %s WHERE sha256 = %s", (forged, sha)
            )
    path = f"{BASE}/people/E1/training-requests/{request_id}/certificate"
    answer = world.client.get(path, headers=world.auth("coordinator"))
    assert answer.status_code == 500
    assert answer.json()["code"] == "certificate_tampered"
    assert forged not in answer.content
    # Removed altogether: the same.
    if isinstance(store, DirectoryBlobs):
        store.path(sha).unlink()
        assert world.client.get(path, headers=world.auth("coordinator")).status_code == 500


def test_the_application_role_cannot_change_a_stored_certificate(world: World) -> None:
    """PostgreSQL: the application role may only select and insert certificates."""
    if world.ledger.database.backend == "sqlite":
        pytest.skip("the SQLite store keeps certificates as files beside its own")
    upload(world)
    with application(world.ledger) as cur, pytest.raises(psycopg.errors.InsufficientPrivilege):
        cur.execute("UPDATE muster_certificates SET content = %s", (b"x",))


@pytest.mark.parametrize(
    "form",
    [
        {"hours": "NaN"},
        {"hours": "Infinity"},
        {"hours": "1e400"},
        {"hours": "0"},
        {"hours": "-0"},
        {"course_title": "a" * 5000},
        {"course_title": "Use\x00of force"},
        {"topic": "\u202e"},
    ],
)
def test_hostile_fields_are_4xx_and_append_nothing(world: World, form: dict[str, str]) -> None:
    before = events(world)
    answer = upload(world, **form)
    assert 400 <= answer.status_code < 500, answer.text
    assert set(answer.json()) == {"code", "message", "field"}
    assert events(world) == before


@pytest.mark.parametrize("filename", ["../../../etc/passwd.pdf", "a\\..\\b.pdf", "x.pdf\x00.png"])
def test_the_file_name_is_never_a_path(world: World, filename: str) -> None:
    """The stored name is the SHA-256 whatever the upload is called."""
    answer = upload(world, PDF, filename)
    assert answer.status_code in (201, 422), answer.text
    if answer.status_code == 201:
        [listed] = pending(world)
        assert listed["certificate"]["sha256"] == hashlib.sha256(PDF).hexdigest()
