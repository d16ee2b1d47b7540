"""The coordinator's policy forms and the comprehension quiz over HTTP, on both backends
(issue 17): upload (type checked by content, size-limited), publish (editorial, reason),
set a quiz, assign; each refusal beside its field with nothing appended; markup in a title
shown escaped; only a coordinator of the agency reaches them, with the session's CSRF
token; the officer's acknowledgement scored by the ledger, a fail refused."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledger.agency import agency_id_for
from ledger.person import person_id_for
from ledger.person_credential_events import PolicyAcknowledged
from ledger.policy_cases import MAX_DOCUMENT_BYTES
from tests.web.conftest import AGENCY, WebWorld
from tests.web.test_web_session import login

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
POLICIES = f"/agencies/{AGENCY}/policies"
MARKUP = "Pursuit <script>alert('t')</script> & <b>bold</b>"
DOC = b"# Pursuit\n\nEnd a pursuit when the risk outweighs the need to catch.\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
QUIZ_FORM = {
    "pass_mark": "50",
    "q1_text": "When does a pursuit end?",
    "q1_choices": "Never\nWhen the risk outweighs the need\nAt the county line",
    "q1_correct": "2",
    "q2_text": "Who may call it off?",
    "q2_choices": "Any supervisor\nOnly the chief",
    "q2_correct": "1",
}


def _token(client: TestClient, path: str = "/inbox") -> str:
    found = _TOKEN.search(client.get(path).text)
    assert found is not None
    return found.group(1)


def _events(world: WebWorld) -> int:
    return world.ledger.store.count_events()


def _field_error(text: str, field_id: str) -> str:
    found = re.search(rf'<p class="field-error" id="{re.escape(field_id)}-error">([^<]*)</p>', text)
    assert found is not None, (field_id, text[:3000])
    return found.group(1)


def _upload(
    client: TestClient, token: str, content: bytes, name: str = "pursuit.md", **fields: str
) -> Any:
    data = {"csrf_token": token, "policy_id": "pursuit", "title": MARKUP, **fields}
    return client.post(
        f"{POLICIES}/upload",
        data=data,
        files={"document": (name, content, "text/markdown")},
        follow_redirects=False,
    )


def _post(client: TestClient, path: str, token: str, **fields: str) -> Any:
    return client.post(path, data={"csrf_token": token, **fields}, follow_redirects=False)


def test_upload_refuses_by_content_and_shows_markup_escaped(
    web_world: WebWorld, web_client: TestClient
) -> None:
    login(web_client, web_world, "coordinator")
    token = _token(web_client, f"{POLICIES}/upload")
    before = _events(web_world)
    # A PNG named .md is refused by its content, beside the file field; nothing written.
    refused = _upload(web_client, token, PNG, "policy.md")
    assert refused.status_code == 422
    assert "PDF or UTF-8 Markdown" in _field_error(refused.text, "document")
    assert 'value="pursuit"' in refused.text  # what was typed comes back
    empty = _upload(web_client, token, b"", "empty.md")
    assert empty.status_code == 422
    assert "cannot be empty" in _field_error(empty.text, "document")
    big = _upload(web_client, token, b"a" * (MAX_DOCUMENT_BYTES + 1), "big.md")
    assert big.status_code == 413
    assert "at most" in _field_error(big.text, "document")
    bad_id = _upload(web_client, token, DOC, policy_id="Bad Id!")
    assert bad_id.status_code == 422
    assert "lowercase letters" in _field_error(bad_id.text, "policy_id")
    no_title = _upload(web_client, token, DOC, title=" ")
    assert "title" in _field_error(no_title.text, "title")
    assert _events(web_world) == before

    done = _upload(web_client, token, DOC)
    assert done.status_code == 303
    digest = hashlib.sha256(DOC).hexdigest()
    assert done.headers["location"].endswith(f"/pursuit/manage?done=uploaded&version={digest}")
    assert _events(web_world) == before + 1
    page = web_client.get(done.headers["location"])
    assert page.status_code == 200
    assert "Uploaded" in page.text
    assert digest in page.text
    for text in (page.text, web_client.get(POLICIES).text):
        assert "<script>alert('t')</script>" not in text
        assert (
            "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in text
        )
    again = _upload(web_client, token, DOC)
    assert again.headers["location"].endswith(f"done=unchanged&version={digest}")
    assert _events(web_world) == before + 1
    # A PDF is accepted by its signature, whatever its name.
    pdf = _upload(web_client, token, b"%PDF-1.4\n%%EOF\n", "scan.bin", policy_id="pursuit-pdf")
    assert pdf.status_code == 303


def test_publish_quiz_and_assign_forms_refuse_beside_the_field_and_write_nothing(
    web_world: WebWorld, web_client: TestClient
) -> None:
    login(web_client, web_world, "coordinator")
    token = _token(web_client, f"{POLICIES}/upload")
    assert _upload(web_client, token, DOC).status_code == 303
    digest = hashlib.sha256(DOC).hexdigest()
    publish, quiz, assign = (f"{POLICIES}/pursuit/{f}" for f in ("publish", "quiz", "assign"))
    before = _events(web_world)
    bad_day = _post(web_client, publish, token, version=digest, effective_on="2025-13-01")
    assert bad_day.status_code == 422
    assert "is not a date" in _field_error(bad_day.text, "publish-effective_on")
    editorial = _post(web_client, publish, token, version=digest, effective_on="2025-04-01",
                      editorial="on", reason="typo")  # fmt: skip
    assert "first published version cannot be editorial" in _field_error(
        editorial.text, "publish-editorial"
    )
    no_reason = _post(web_client, publish, token, version=digest, effective_on="2025-04-01",
                      editorial="on")  # fmt: skip
    assert "editorial" in _field_error(no_reason.text, "publish-reason")
    one_choice = _post(web_client, quiz, token, version=digest,
                       **{**QUIZ_FORM, "q2_choices": "Only one"})  # fmt: skip
    assert one_choice.status_code == 422
    assert "2-8 choices" in _field_error(one_choice.text, "quiz-q2_choices")
    assert "Only one" in one_choice.text  # the rows come back as typed
    no_correct = _post(web_client, quiz, token, version=digest,
                       **{**QUIZ_FORM, "q1_correct": ""})  # fmt: skip
    assert "number of the correct choice" in _field_error(no_correct.text, "quiz-q1_correct")
    bad_mark = _post(web_client, quiz, token, version=digest, **{**QUIZ_FORM, "pass_mark": "120"})
    assert "out of range" in _field_error(bad_mark.text, "quiz-pass_mark")
    empty_quiz = _post(web_client, quiz, token, version=digest, pass_mark="50")
    assert "at least one question" in _field_error(empty_quiz.text, "quiz-q1_text")
    bad_days = _post(web_client, assign, token, audience="everyone", due_days="-3",
                     effective_on="2025-04-01")  # fmt: skip
    assert "whole number" in _field_error(bad_days.text, "assign-due_days")
    bad_who = _post(web_client, assign, token, audience="galaxy:far", due_days="30",
                    effective_on="2025-04-01")  # fmt: skip
    assert bad_who.status_code == 422
    assert "galaxy" in _field_error(bad_who.text, "assign-audience")
    assert _events(web_world) == before

    done = _post(web_client, publish, token, version=digest, effective_on="2025-04-01",
                 reason="First issue")  # fmt: skip
    assert done.status_code == 303
    assert "Published." in web_client.get(done.headers["location"]).text
    assert "First issue" in web_client.get(POLICIES).text  # the reason, in the library
    assert _post(web_client, quiz, token, version=digest, **QUIZ_FORM).status_code == 303
    page = web_client.get(f"{POLICIES}/pursuit/manage?done=quiz").text
    assert "2 questions, pass 50%" in page
    assert _post(web_client, assign, token, audience="everyone", due_days="30",
                 due_from="publication", effective_on="2025-04-01").status_code == 303  # fmt: skip
    assert _events(web_world) == before + 3
    quiz_set = web_world.ledger.policy_quiz(AGENCY, "pursuit", 1)
    assert quiz_set is not None
    assert quiz_set.pass_mark == Decimal(50)
    assert quiz_set.questions[0].choices[1] == "When the risk outweighs the need"

    # The officer's page shows the quiz; a fail is refused (nothing written), a pass recorded
    # with the ledger's score and the chosen texts.
    web_client.cookies.clear()
    login(web_client, web_world, "officer1")
    ack = f"/agencies/{AGENCY}/people/E1/policies/pursuit"
    shown = web_client.get(ack).text
    assert "Comprehension quiz" in shown
    assert 'name="quiz_q1" value="2"' in shown
    assert "End a pursuit when the risk outweighs the need to catch." in shown
    officer_token = _token(web_client, ack)
    before = _events(web_world)
    failed = _post(web_client, ack, officer_token, version_hash=digest, quiz_q1="1", quiz_q2="2")
    assert failed.status_code == 422
    assert "0% correct, below the pass mark of 50%" in _field_error(failed.text, "quiz")
    assert 'value="1" checked' in failed.text  # the answers given are kept
    missing = _post(web_client, ack, officer_token, version_hash=digest, quiz_q1="2")
    assert "Answer question q2" in _field_error(missing.text, "quiz")
    assert _events(web_world) == before
    passed = _post(web_client, ack, officer_token, version_hash=digest, quiz_q1="2", quiz_q2="2")
    assert passed.status_code == 303
    assert _events(web_world) == before + 1
    stored = web_world.ledger.store.select_stream_events(
        "person", originator_ids=[person_id_for(agency_id_for(AGENCY), "E1")]
    )
    acks = [web_world.ledger.mapper.to_domain_event(e) for e in stored]
    last = [e for e in acks if isinstance(e, PolicyAcknowledged)][-1]
    assert last.quiz_score == Decimal(50)
    assert last.quiz_answers == {"q1": "When the risk outweighs the need", "q2": "Only the chief"}
    assert last.effective_on == date(2025, 4, 1)


@pytest.mark.parametrize("role", ["officer1", "supervisor", "command", "auditor",
                                  "other-coordinator"])  # fmt: skip
def test_only_the_agency_coordinator_reaches_the_forms(
    web_world: WebWorld, web_client: TestClient, role: str
) -> None:
    login(web_client, web_world, role)
    for path in (f"{POLICIES}/upload", f"{POLICIES}/use-of-force/manage"):
        assert web_client.get(path, follow_redirects=False).status_code == 403
    token = hashlib.sha256(f"csrf:{web_client.cookies['muster_session']}".encode()).hexdigest()
    before = _events(web_world)
    assert _upload(web_client, token, DOC).status_code == 403
    for form in ("publish", "quiz", "assign"):
        refused = _post(web_client, f"{POLICIES}/pursuit/{form}", token, version="1")
        assert refused.status_code == 403
    assert _events(web_world) == before
    if role in ("command", "auditor"):
        library = web_client.get(POLICIES).text
        assert "Upload a policy version" not in library


def test_a_form_without_the_session_token_is_refused(
    web_world: WebWorld, web_client: TestClient
) -> None:
    login(web_client, web_world, "coordinator")
    before = _events(web_world)
    refused = _upload(web_client, "not-the-token", DOC)
    assert refused.status_code in (403, 400)
    assert _events(web_world) == before
