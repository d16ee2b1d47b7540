"""Issue 17's policy forms in the browser: a coordinator uploads a Markdown policy,
publishes it and sets its comprehension quiz through the forms, and assigns it; an officer
at 360 px opens the acknowledgement page, fails the quiz (refused, nothing recorded), then
passes and acknowledges; the coordinator's coverage report shows it. Served by ``muster
dashboard``, driven by Chromium; axe 0 serious or critical; every new page screenshot at
360 and 1280 px into tests/web/artifacts and SHOTS."""

from __future__ import annotations

import hashlib
import os
from datetime import date
from pathlib import Path
from typing import Any

from ledger.agency import agency_id_for
from ledger.person import person_id_for
from ledger.person_credential_events import PolicyAcknowledged
from tests.web.conftest import ARTIFACTS, WebWorld
from tests.web.test_policy_browser import _axe

PHONE = {"width": 360, "height": 780}
DESK = {"width": 1280, "height": 900}
SHOTS = Path(os.environ.get("MUSTER_SHOTS", str(ARTIFACTS)))
DOC = (
    b"# Vehicle pursuit\n\nA pursuit ends when the risk to the public outweighs the need to "
    b"catch the driver.\n\n## Who decides\n\nAny supervisor may call a pursuit off, and "
    b"every officer stops at once when told.\n"
)


def _login(chromium: Any, served: str, world: WebWorld, name: str, viewport: Any) -> Any:
    context = chromium.new_context(viewport=viewport, bypass_csp=True)  # bypass: axe's script
    page = context.new_page()
    page.goto(f"{served}/login")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(world.passwords[name])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    return page


def _check(page: Any, backend: str, name: str) -> None:
    """Nothing wider than the viewport, axe clean, and a screenshot at both widths."""
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert _axe(page) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size in (PHONE, DESK):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{backend}-{name}-{size['width']}.png"), full_page=True)
    page.set_viewport_size({"width": width, "height": PHONE["height"]})


def test_a_coordinator_publishes_with_a_quiz_and_an_officer_passes_it_at_360_px(
    chromium: Any, served: str, web_world: WebWorld, backend: str, tmp_path: Path
) -> None:
    document = tmp_path / "vehicle-pursuit.md"
    document.write_bytes(DOC)
    page = _login(chromium, served, web_world, "coordinator", PHONE)
    page.get_by_role("link", name="Policies").first.click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Upload a policy version").click()
    page.wait_for_load_state()
    page.get_by_label("Policy id").fill("pursuit")
    page.get_by_label("Title").fill("Vehicle pursuit")
    wrong = tmp_path / "pursuit.md"
    wrong.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    page.get_by_label("Document").set_input_files(str(wrong))
    page.get_by_role("button", name="Upload").click()
    page.wait_for_load_state()
    assert "PDF or UTF-8 Markdown" in page.locator("#document-error").inner_text()
    _check(page, backend, "policy-upload-error")
    page.get_by_label("Document").set_input_files(str(document))
    page.get_by_role("button", name="Upload").click()
    page.wait_for_load_state()
    assert page.url.endswith("&version=" + hashlib.sha256(DOC).hexdigest())
    assert "Uploaded" in page.get_by_role("status").inner_text()

    publish = page.locator("section[aria-labelledby=publish-h]")
    publish.get_by_label("Reason").fill("First issue of the pursuit policy")
    publish.get_by_role("button", name="Publish").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == "Published."

    quiz = page.locator("section[aria-labelledby=quiz-h]")
    quiz.get_by_label("Pass mark (% correct)").fill("100")
    first = quiz.locator("fieldset.question").nth(0)
    first.get_by_label("Question", exact=True).fill("When does a pursuit end?")
    first.get_by_label("Choices, one per line").fill(
        "When the driver is caught\nWhen the risk outweighs the need\nAt the county line"
    )
    first.get_by_label("Correct choice (its line number)").fill("2")
    second = quiz.locator("fieldset.question").nth(1)
    second.get_by_label("Question", exact=True).fill("Who may call a pursuit off?")
    second.get_by_label("Choices, one per line").fill("Any supervisor\nOnly the chief")
    second.get_by_label("Correct choice (its line number)").fill("3")
    quiz.get_by_role("button", name="Set the quiz").click()
    page.wait_for_load_state()
    assert "no such choice" in page.locator("#quiz-q2_correct-error").inner_text()
    _check(page, backend, "policy-manage-error")
    quiz = page.locator("section[aria-labelledby=quiz-h]")
    quiz.locator("fieldset.question").nth(1).get_by_label("Correct choice (its line number)").fill(
        "1"
    )
    quiz.get_by_role("button", name="Set the quiz").click()
    page.wait_for_load_state()
    assert "The quiz is set" in page.get_by_role("status").inner_text()
    assign = page.locator("section[aria-labelledby=assign-h]")
    assign.get_by_role("button", name="Assign").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == "Assigned."
    assert "2 questions, pass 100%" in page.locator("table").inner_text()
    _check(page, backend, "policy-manage")
    page.context.close()

    page = _login(chromium, served, web_world, "officer1", PHONE)
    page.goto(f"{served}/agencies/mpls/people/E1/policies/pursuit")
    page.wait_for_load_state()
    assert "the risk to the public outweighs" in page.locator("article.policy-text").inner_text()
    assert page.get_by_role("heading", name="Comprehension quiz").is_visible()
    _check(page, backend, "policy-quiz")
    page.get_by_label("When the driver is caught").check()
    page.get_by_label("Any supervisor").check()
    page.get_by_role("button", name="Acknowledge version 1").click()
    page.wait_for_load_state()
    assert "below the pass mark of 100%" in page.locator("#quiz-error").inner_text()
    assert page.get_by_role("alert").is_visible()
    _check(page, backend, "policy-quiz-failed")
    page.get_by_label("When the risk outweighs the need").check()
    page.get_by_role("button", name="Acknowledge version 1").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").filter(has_text="Acknowledged").is_visible()
    assert page.get_by_role("heading", name="You acknowledged this version").is_visible()
    _check(page, backend, "policy-quiz-passed")
    page.context.close()

    page = _login(chromium, served, web_world, "coordinator", DESK)
    page.goto(f"{served}/agencies/mpls/policies/pursuit/coverage")
    page.wait_for_load_state()
    assert "E1" in page.locator("section[aria-labelledby=has-h]").inner_text()
    assert "E1" in page.locator("section[aria-labelledby=exact-h]").inner_text()
    assert "E1" not in page.locator("section[aria-labelledby=not-h]").inner_text()
    page.goto(f"{served}/agencies/mpls/policies")
    page.wait_for_load_state()
    _check(page, backend, "policy-library-coordinator")
    page.context.close()


def test_a_coordinator_sets_a_seven_question_quiz_and_an_officer_takes_it(
    chromium: Any, served: str, web_world: WebWorld, backend: str
) -> None:
    """More than the old form's 5 questions: "Add a question" (no script) one at a time,
    what was typed kept; the officer answers all seven at 360 px and acknowledges."""
    ledger = web_world.ledger
    digest, _ = ledger.upload_policy("mpls", "pursuit", DOC, title="Vehicle pursuit", actor="t")
    ledger.publish_policy("mpls", "pursuit", digest, effective_on=date(2025, 1, 2), actor="t")
    ledger.assign_policy("mpls", "pursuit", audience=["everyone"], due_days=30,
                         effective_on=date(2025, 1, 2), actor="t")  # fmt: skip
    page = _login(chromium, served, web_world, "coordinator", DESK)
    page.goto(f"{served}/agencies/mpls/policies/pursuit/manage")
    page.wait_for_load_state()
    quiz = page.locator("section[aria-labelledby=quiz-h]")
    quiz.get_by_label("Pass mark (% correct)").fill("100")
    for n in range(1, 8):
        questions = page.locator("section[aria-labelledby=quiz-h] fieldset.question")
        if n > questions.count():
            page.get_by_role("button", name="Add a question").click()
            page.wait_for_load_state()
            questions = page.locator("section[aria-labelledby=quiz-h] fieldset.question")
            assert questions.count() == n
            # The new question has the focus, and what was typed above is still there.
            assert page.evaluate("document.activeElement.id") == f"quiz-q{n}_text"
            assert questions.nth(n - 2).get_by_label("Question", exact=True).input_value() == (
                f"Rule {n - 1}: when does it apply?"
            )
        row = questions.nth(n - 1)
        row.get_by_label("Question", exact=True).fill(f"Rule {n}: when does it apply?")
        row.get_by_label("Choices, one per line").fill(f"Always (rule {n})\nNever (rule {n})")
        row.get_by_label("Correct choice (its line number)").fill("1")
        if n == 6:
            _check(page, backend, "policy-quiz-rows")
    page.get_by_role("button", name="Set the quiz").click()
    page.wait_for_load_state()
    assert "The quiz is set" in page.get_by_role("status").inner_text()
    assert "7 questions, pass 100%" in page.locator("table").inner_text()
    assert page.locator("section[aria-labelledby=quiz-h] fieldset.question").count() == 7
    page.context.close()

    page = _login(chromium, served, web_world, "officer1", PHONE)
    page.goto(f"{served}/agencies/mpls/people/E1/policies/pursuit")
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Comprehension quiz").is_visible()
    for n in range(1, 8):
        page.get_by_label(f"Always (rule {n})").check()
    _check(page, backend, "policy-quiz-seven")
    page.get_by_role("button", name="Acknowledge version 1").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").filter(has_text="Acknowledged").is_visible()
    stored = ledger.store.select_stream_events(
        "person", originator_ids=[person_id_for(agency_id_for("mpls"), "E1")]
    )
    acks = [ledger.mapper.to_domain_event(e) for e in stored]
    last = [e for e in acks if isinstance(e, PolicyAcknowledged)][-1]
    assert last.quiz_score == 100
    assert len(last.quiz_answers) == 7
    page.context.close()
