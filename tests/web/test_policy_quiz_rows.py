"""The quiz form takes as many questions as the ledger allows (issue 17 §4 follow-up):
"Add a question" shows the form again with one more empty question, keeping what was
typed and writing nothing; a quiz of more than 5 questions is set through the form and
shown again whole; past the ledger's limit (``MAX_QUESTIONS``) the form says so beside the
questions and appends nothing, and the CLI's and the API's quiz are refused the same way."""

from __future__ import annotations

import hashlib
import re

import pytest
from fastapi.testclient import TestClient

from ledger.errors import InvalidValueError
from ledger.policy_quiz import MAX_QUESTIONS, parse_quiz
from tests.web.conftest import WebWorld
from tests.web.test_policy_forms import DOC, POLICIES, _events, _field_error, _post, _token, _upload
from tests.web.test_web_session import login

QUIZ = f"{POLICIES}/pursuit/quiz"


def _question(n: int) -> dict[str, str]:
    return {f"q{n}_text": f"Question number {n}?", f"q{n}_choices": f"Yes {n}\nNo {n}",
            f"q{n}_correct": "1"}  # fmt: skip


def _rows(text: str) -> int:
    return len(re.findall(r'<fieldset class="question" id="question-\d+">', text))


def _uploaded(client: TestClient, world: WebWorld) -> tuple[str, str]:
    login(client, world, "coordinator")
    token = _token(client, f"{POLICIES}/upload")
    assert _upload(client, token, DOC).status_code == 303
    return token, hashlib.sha256(DOC).hexdigest()


def test_add_a_question_keeps_what_was_typed_and_writes_nothing(
    web_world: WebWorld, web_client: TestClient
) -> None:
    token, digest = _uploaded(web_client, web_world)
    page = web_client.get(f"{POLICIES}/pursuit/manage").text
    assert _rows(page) == 2
    assert 'name="add" value="1"' in page
    assert "Add a question" in page
    before = _events(web_world)
    typed = {"pass_mark": "75", **_question(1), **_question(2)}
    added = _post(web_client, QUIZ, token, version=digest, rows="2", add="1", **typed)
    assert added.status_code == 200
    assert _rows(added.text) == 3
    assert 'id="quiz-q3_text" name="q3_text" type="text" value="" autofocus' in added.text
    assert 'value="Question number 2?"' in added.text
    # A question typed in is part of the quiz; only an empty one is marked optional.
    assert "<legend>Question 2</legend>" in added.text
    assert '<legend>Question 3 <span class="opt">(optional)</span></legend>' in added.text
    assert 'value="75"' in added.text
    assert "Nothing was recorded" not in added.text
    # Seven rows, one at a time, then a quiz of seven questions set and shown again whole.
    for rows in range(3, 7):
        typed |= _question(rows)
        added = _post(web_client, QUIZ, token, version=digest, rows=str(rows), add="1", **typed)
        assert _rows(added.text) == rows + 1
    assert _events(web_world) == before
    typed |= _question(7)
    done = _post(web_client, QUIZ, token, version=digest, rows="7", **typed)
    assert done.status_code == 303, done.text[:2000]
    assert _events(web_world) == before + 1
    quiz = web_world.ledger.policy_quiz("mpls", "pursuit", digest)
    assert quiz is not None
    assert len(quiz.questions) == 7
    assert [q.id for q in quiz.questions] == [f"q{n}" for n in range(1, 8)]
    page = web_client.get(f"{POLICIES}/pursuit/manage?done=quiz").text
    assert _rows(page) == 7
    assert 'value="Question number 7?"' in page
    assert "7 questions, pass 75%" in page


def test_the_ledger_limit_is_said_beside_the_questions_and_nothing_is_written(
    web_world: WebWorld, web_client: TestClient
) -> None:
    token, digest = _uploaded(web_client, web_world)
    before = _events(web_world)
    full: dict[str, str] = {"pass_mark": "50"}
    for n in range(1, MAX_QUESTIONS + 1):
        full |= _question(n)
    # At the limit the form offers no more rows; asking anyway is refused beside the field.
    at_limit = _post(web_client, QUIZ, token, version=digest, rows=str(MAX_QUESTIONS), add="1",
                     **full)  # fmt: skip
    assert at_limit.status_code == 422
    assert f"at most {MAX_QUESTIONS} questions" in _field_error(at_limit.text, "quiz-questions")
    assert _rows(at_limit.text) == MAX_QUESTIONS
    assert 'name="add" value="1"' not in at_limit.text
    # A crafted form with one question past the limit: the ledger's refusal, beside the field.
    over = _post(web_client, QUIZ, token, version=digest, rows=str(MAX_QUESTIONS),
                 **full, **_question(MAX_QUESTIONS + 1))  # fmt: skip
    assert over.status_code == 422
    message = _field_error(over.text, "quiz-questions")
    assert f"at most {MAX_QUESTIONS} questions (this one has {MAX_QUESTIONS + 1})" in message
    assert _rows(over.text) == MAX_QUESTIONS
    # A bad row far down the form is said beside that row.
    bad = _post(web_client, QUIZ, token, version=digest, rows="12",
                **{**full, "q12_choices": "Only one"})  # fmt: skip
    assert "2-8 choices" in _field_error(bad.text, "quiz-q12_choices")
    assert _events(web_world) == before
    # Exactly the limit is accepted.
    assert _post(web_client, QUIZ, token, version=digest, **full).status_code == 303
    assert _events(web_world) == before + 1


def test_the_ledger_names_the_field_past_the_limit() -> None:
    questions = [{"text": f"Q{n}", "choices": ["a", "b"], "correct": 1} for n in range(21)]
    message = "questions: a quiz has at most 20 questions (this one has 21)"
    with pytest.raises(InvalidValueError, match=re.escape(message) + "$"):
        parse_quiz({"pass_mark": 50, "questions": questions})
