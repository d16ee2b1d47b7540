"""The policy library and credential type routes (issue 17 §4) on both backends: a
coordinator uploads a version, sets its quiz, publishes and assigns it; the officer reads
the document and the quiz (never its correct choices) and acknowledges through the
existing route; coverage shows it. A document of another type, one too large, a write by
an officer and a bad quiz are each refused naming the field, with nothing written; a
retry with the same Idempotency-Key appends nothing."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import pytest

from ledger.agency import agency_id_for
from ledger.clock import SettableClock
from ledger.errors import LedgerError
from ledger.policy_cases import MAX_DOCUMENT_BYTES
from replay.asof import known_at_used, requested_instant
from replay.tracks import programme_at
from tests.http.conftest import ACTOR, AGENCY, World

BASE = f"/api/v1/agencies/{AGENCY}"
POLICY = f"{BASE}/policies/use-of-force"
TEXT = b"# Use of force\n\nOfficers use only the force that is objectively reasonable.\n"
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
QUIZ = {
    "pass_mark": 100,
    "questions": [
        {
            "id": "q1",
            "text": "When may force be used?",
            "choices": ["Never", "When objectively reasonable", "Always"],
            "correct": 2,
        }
    ],
}


def _agency_events(world: World) -> int:
    return len(list(world.ledger.events.get(agency_id_for(AGENCY))))


def _upload(
    world: World, content: bytes, *, title: str = "Use of force", who: str = "coordinator",
    name: str = "uof.md", headers: dict[str, str] | None = None,
) -> Any:  # fmt: skip
    return world.client.post(
        f"{POLICY}/versions",
        data={"title": title},
        files={"document": (name, content, "text/markdown")},
        headers={**world.auth(who), **(headers or {})},
    )


def _stored(world: World, digest: str) -> bool:
    try:
        world.ledger.policy_blobs.get(digest)
    except LedgerError:
        return False
    return True


def test_upload_quiz_publish_assign_read_and_acknowledge(world: World) -> None:
    coordinator, officer = world.auth("coordinator"), world.auth("officer1")
    uploaded = _upload(world, TEXT)
    assert uploaded.status_code == 201, uploaded.text
    digest = uploaded.json()["id"]
    assert len(digest) == 64
    assert uploaded.json()["events"] == ["PolicyVersionUploaded"]
    # The same bytes again: the use case records nothing; the same id.
    again = _upload(world, TEXT)
    assert again.status_code == 201, again.text
    assert (again.json()["id"], again.json()["events"]) == (digest, [])

    quiz = world.client.put(f"{POLICY}/versions/{digest[:12]}/quiz", json=QUIZ, headers=coordinator)
    assert quiz.status_code == 200, quiz.text
    assert quiz.json()["id"] == digest
    published = world.client.post(
        f"{POLICY}/publications",
        json={"version": digest, "effective_on": "2025-02-01", "reason": "first issue"},
        headers=coordinator,
    )
    assert published.status_code == 201, published.text
    assert published.json()["id"] == "1"
    assigned = world.client.post(
        f"{POLICY}/assignments",
        json={"audience": ["everyone"], "due_days": 14, "effective_on": "2025-02-01"},
        headers=coordinator,
    )
    assert assigned.status_code == 201, assigned.text

    # The library, as the coordinator reads it: correct choices included.
    listed = world.client.get(f"{BASE}/policies", headers=coordinator)
    assert listed.status_code == 200, listed.text
    [entry] = listed.json()["policies"]
    assert entry["policy_id"] == "use-of-force"
    assert entry["in_force"] == 1
    [version] = entry["versions"]
    assert version["version_hash"] == digest
    assert (version["number"], version["media_type"], version["size"]) == (
        1,
        "text/markdown",
        len(TEXT),
    )
    assert version["has_quiz"] is True
    assert version["recorded_at"]
    [publication] = entry["publications"]
    assert publication["effective_on"] == "2025-02-01"
    assert (publication["editorial"], publication["reason"]) == (False, "first issue")
    assert entry["assignments"][0]["audience"] == ["everyone"]
    detail = world.client.get(POLICY, headers=coordinator).json()
    assert detail["quizzes"][digest]["questions"][0]["correct"] == 2
    # Command reads the library too, but cannot write: no correct choices.
    seen_by_command = world.client.get(POLICY, headers=world.auth("command")).json()
    assert seen_by_command["quizzes"][digest]["questions"][0]["correct"] is None
    assert world.client.get(f"{BASE}/policies", headers=officer).status_code == 403

    # The officer, bound by the assignment, reads the exact bytes and the quiz to answer.
    document = world.client.get(f"{POLICY}/versions/1/document", headers=officer)
    assert document.status_code == 200, document.text
    assert document.content == TEXT
    assert document.headers["content-type"].startswith("text/markdown")
    assert document.headers["x-content-type-options"] == "nosniff"
    shown = world.client.get(f"{POLICY}/versions/{digest}/quiz", headers=officer)
    assert shown.status_code == 200, shown.text
    assert "correct" not in shown.text.replace('"correct":null', "")
    assert shown.json()["questions"][0]["choices"][1] == "When objectively reasonable"
    # The read audit has the officer's reads.
    entries = world.services.audit.entries(agency=AGENCY)
    assert [e.outcome for e in entries if e.actor == "account:officer1"][-2:] == [
        "allowed",
        "allowed",
    ]

    # A wrong answer is refused by the existing route; the right one is recorded.
    ack = f"{BASE}/people/E1/policy-acknowledgements"
    wrong = world.client.post(
        ack,
        json={"policy_id": "use-of-force", "version": "1", "quiz_answers": {"q1": "1"}},
        headers=officer,
    )
    assert (wrong.status_code, wrong.json()["code"]) == (422, "quiz_failed")
    right = world.client.post(
        ack,
        json={"policy_id": "use-of-force", "version": "1", "quiz_answers": {"q1": "2"}},
        headers=officer,
    )
    assert right.status_code == 201, right.text
    coverage = world.client.get(f"{POLICY}/coverage", headers=coordinator)
    rows = {r["employee_id"]: r["status"] for r in coverage.json()["people"]}
    assert rows["E1"] == "compliant"
    assert rows["E2"] != "compliant"


def test_a_pdf_is_served_as_a_pdf_and_an_officer_reads_only_what_binds_them(
    world: World, clock: SettableClock
) -> None:
    coordinator, officer = world.auth("coordinator"), world.auth("officer1")
    first = _upload(world, PDF, name="uof.pdf").json()["id"]
    draft = _upload(world, TEXT).json()["id"]
    world.client.post(
        f"{POLICY}/publications",
        json={"version": first, "effective_on": "2025-02-01"},
        headers=coordinator,
    )
    # Published, not yet assigned to anyone: not the officer's to read.
    assert world.client.get(f"{POLICY}/versions/1/document", headers=officer).status_code == 403
    world.client.post(
        f"{POLICY}/assignments",
        json={"audience": ["unit:Traffic"], "due_days": 14, "effective_on": "2025-02-01"},
        headers=coordinator,
    )
    assert world.client.get(f"{POLICY}/versions/1/document", headers=officer).status_code == 403
    clock.set(clock.now.replace(minute=5))
    world.client.post(
        f"{POLICY}/assignments",
        json={"audience": ["unit:Patrol"], "due_days": 14, "effective_on": "2025-02-01"},
        headers=coordinator,
    )
    pdf = world.client.get(f"{POLICY}/versions/1/document", headers=officer)
    assert pdf.status_code == 200, pdf.text
    assert (pdf.content, pdf.headers["content-type"]) == (PDF, "application/pdf")
    # The unpublished draft, a quiz it does not have, an unknown policy: refused.
    unpublished = world.client.get(f"{POLICY}/versions/{draft}/document", headers=officer)
    assert unpublished.status_code == 403
    assert world.client.get(f"{POLICY}/versions/1/quiz", headers=officer).status_code == 404
    nope = world.client.get(f"{BASE}/policies/nope/versions/1/document", headers=officer)
    assert nope.status_code == 403
    # The coordinator reads the draft, and is told 404 of what does not exist.
    assert (
        world.client.get(f"{POLICY}/versions/{draft}/document", headers=coordinator).content == TEXT
    )
    missing = world.client.get(f"{BASE}/policies/nope/versions/1/document", headers=coordinator)
    assert missing.status_code == 404
    assert world.client.get(f"{BASE}/policies/nope", headers=coordinator).status_code == 404
    denied = [e for e in world.services.audit.entries(agency=AGENCY) if e.outcome == "denied"]
    assert {e.actor for e in denied} == {"account:officer1"}


def test_markup_in_the_title_is_kept_as_data(world: World) -> None:
    title = '<script>alert("x")</script> & <b>Force</b>'
    uploaded = _upload(world, TEXT, title=title)
    assert uploaded.status_code == 201, uploaded.text
    listed = world.client.get(f"{BASE}/policies", headers=world.auth("auditor"))
    assert listed.headers["content-type"] == "application/json"
    assert listed.json()["policies"][0]["title"] == title


def test_refusals_name_the_field_and_write_nothing(world: World) -> None:
    coordinator, officer = world.auth("coordinator"), world.auth("officer1")
    digest = _upload(world, TEXT).json()["id"]
    before = _agency_events(world)
    # Another type by content (whatever the name and the part's type say): 422 document.
    png = _upload(world, PNG, name="policy.md")
    assert png.status_code == 422, png.text
    assert (png.json()["code"], png.json()["field"]) == ("invalid_value", "document")
    empty = _upload(world, b"")
    assert (empty.status_code, empty.json()["field"]) == (422, "document")
    # One byte over the limit: 413, before anything is stored.
    big = b"a" * (MAX_DOCUMENT_BYTES + 1)
    too_big = _upload(world, big)
    assert too_big.status_code == 413, too_big.text
    assert (too_big.json()["code"], too_big.json()["field"]) == ("document_too_large", "document")
    no_title = world.client.post(
        f"{POLICY}/versions", files={"document": ("a.md", TEXT)}, headers=coordinator
    )
    assert (no_title.status_code, no_title.json()["field"]) == (422, "title")
    # An officer may write none of it.
    assert _upload(world, b"# Mine\n", who="officer1").status_code == 403
    writes = [
        ("POST", f"{POLICY}/publications", {"version": digest}),
        ("PUT", f"{POLICY}/versions/{digest}/quiz", QUIZ),
        ("POST", f"{POLICY}/assignments", {"audience": ["everyone"], "due_days": 1}),
        ("POST", f"{BASE}/credential-types/k9/retirement", {"reason": "x"}),
    ]
    for method, path, body in writes:
        refused = world.client.request(method, path, json=body, headers=officer)
        assert refused.status_code == 403, (path, refused.text)
    # Bad quizzes: by the body's schema, and by the ledger's own checks.
    bad_quizzes: list[tuple[dict[str, Any], str | None]] = [
        ({**QUIZ, "pass_mark": 101}, "pass_mark"),
        ({"pass_mark": 50, "questions": []}, "questions"),
        ({"pass_mark": 50, "questions": [{**QUIZ["questions"][0], "correct": 0}]},  # type: ignore[dict-item]
         "questions.0.correct"),
        ({"pass_mark": 50, "questions": [{**QUIZ["questions"][0], "correct": 4}]},
         "questions"),  # type: ignore[dict-item]
        ({**QUIZ, "answers": {}}, "answers"),
    ]  # fmt: skip
    for quiz, field in bad_quizzes:
        refused = world.client.put(
            f"{POLICY}/versions/{digest}/quiz", json=quiz, headers=coordinator
        )
        assert refused.status_code == 422, (quiz, refused.text)
        assert refused.json()["field"] == field, refused.json()
    # Publishing what was never uploaded, a day that is none, a long reason; an unknown
    # policy's quiz. (A publication may be in force from a later day: published ahead.)
    for body, status, field in (
        ({"version": "0" * 64}, 404, None),
        ({"version": digest, "effective_on": "2025-02-30"}, 422, "effective_on"),
        ({"version": digest, "reason": "x" * 501}, 422, "reason"),
    ):
        refused = world.client.post(f"{POLICY}/publications", json=body, headers=coordinator)
        assert refused.status_code == status, refused.text
        assert refused.json()["field"] == field
    unknown = world.client.put(
        f"{BASE}/policies/nope/versions/1/quiz", json=QUIZ, headers=coordinator
    )
    assert unknown.status_code == 404
    assert _agency_events(world) == before
    for content in (PNG, big):
        assert not _stored(world, hashlib.sha256(content).hexdigest())


def test_an_idempotency_key_retry_appends_nothing(world: World) -> None:
    key = {"Idempotency-Key": "publish-uof-1"}
    first_upload = _upload(world, TEXT, headers={"Idempotency-Key": "upload-1"})
    assert first_upload.status_code == 201
    retried_upload = _upload(world, TEXT, headers={"Idempotency-Key": "upload-1"})
    assert retried_upload.headers.get("idempotent-replayed") == "true"
    assert retried_upload.json() == first_upload.json()
    digest = first_upload.json()["id"]
    # Other bytes under the same key: refused.
    reused = _upload(world, b"# Other\n", headers={"Idempotency-Key": "upload-1"})
    assert (reused.status_code, reused.json()["code"]) == (422, "idempotency_key_reused")

    headers = {**world.auth("coordinator"), **key}
    body = {"version": digest, "effective_on": "2025-02-01"}
    first = world.client.post(f"{POLICY}/publications", json=body, headers=headers)
    assert first.status_code == 201, first.text
    count = _agency_events(world)
    retry = world.client.post(f"{POLICY}/publications", json=body, headers=headers)
    assert retry.status_code == 201
    assert retry.headers.get("idempotent-replayed") == "true"
    assert retry.json() == first.json()
    assert _agency_events(world) == count
    quiz_headers = {**world.auth("coordinator"), "Idempotency-Key": "quiz-1"}
    put = world.client.put(f"{POLICY}/versions/1/quiz", json=QUIZ, headers=quiz_headers)
    again = world.client.put(f"{POLICY}/versions/1/quiz", json=QUIZ, headers=quiz_headers)
    assert (put.status_code, again.status_code) == (200, 200)
    assert again.headers.get("idempotent-replayed") == "true"
    assert _agency_events(world) == count + 1


FIREARMS = {
    "name": "Firearms qualification",
    "holders": ["kind:sworn"],
    "earned_by": "qualification",
    "validity": "months",
    "validity_months": 12,
    "passing_score": 80,
    "max_score": 100,
    "per_weapon": True,
    "weapon_classes": ["handgun"],
}


def test_a_credential_type_is_retired_once_and_earlier_days_keep_it(world: World) -> None:
    world.ledger.define_credential_type(
        AGENCY, "firearms", effective_on=date(2020, 1, 1), actor=ACTOR, **FIREARMS
    )
    retirement = f"{BASE}/credential-types/firearms/retirement"
    coordinator = world.auth("coordinator")
    count = _agency_events(world)
    for body, status, field in (
        ({"effective_on": "2025-02-01"}, 422, "reason"),
        ({"effective_on": "2025-02-30", "reason": "r"}, 422, "effective_on"),
        ({"reason": "r", "actor": "x"}, 422, "actor"),
    ):
        refused = world.client.post(retirement, json=body, headers=coordinator)
        assert refused.status_code == status, refused.text
        assert refused.json()["field"] == field
    missing = world.client.post(
        f"{BASE}/credential-types/k9/retirement", json={"reason": "r"}, headers=coordinator
    )
    assert missing.status_code == 404, missing.text
    assert _agency_events(world) == count

    headers = {**coordinator, "Idempotency-Key": "retire-firearms"}
    body = {"effective_on": "2025-02-01", "reason": "replaced"}
    retired = world.client.post(retirement, json=body, headers=headers)
    assert retired.status_code == 201, retired.text
    assert retired.json()["events"] == ["CredentialTypeRetired"]
    again = world.client.post(retirement, json=body, headers=headers)
    assert again.headers.get("idempotent-replayed") == "true"
    assert _agency_events(world) == count + 1
    now = known_at_used(world.ledger, requested_instant(world.ledger, AGENCY, None))
    programme = programme_at(world.ledger, AGENCY, now)
    before, after = (
        programme.type_on("firearms", d) for d in (date(2025, 1, 31), date(2025, 2, 1))
    )
    assert before is not None
    assert not before.retired
    assert after is not None
    assert after.retired


@pytest.mark.parametrize("path", ["/policies", "/credential-types/{type_id}/retirement"])
def test_the_new_routes_are_documented(world: World, path: str) -> None:
    document = world.client.get("/api/v1/openapi.json").json()
    for template, operations in document["paths"].items():
        if not template.startswith(f"/api/v1/agencies/{{agency}}{path}"):
            continue
        for method, operation in operations.items():
            assert operation.get("summary"), (method, template)
            assert "x-muster-policy" in operation
            assert {"401", "403", "404", "422"} <= set(operation["responses"]), template
            if method in ("post", "put"):
                names = {p["name"] for p in operation.get("parameters", [])}
                assert "Idempotency-Key" in names or "idempotency-key" in names, template
    upload = document["paths"]["/api/v1/agencies/{agency}/policies/{policy_id}/versions"]
    assert "413" in upload["post"]["responses"]
    assert "multipart/form-data" in upload["post"]["requestBody"]["content"]
