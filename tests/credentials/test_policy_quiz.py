"""A policy version's comprehension quiz on both backends: the coordinator sets it on the
agency stream; the ledger scores an acknowledgement's answers itself, refuses one below the
pass mark or with a score that disagrees (nothing written), and records the chosen texts and
its own score; an older publication (no reason, no quiz) still decodes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ledger.agency import agency_id_for
from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.errors import InvalidValueError, QuizFailedError
from ledger.person import person_id_for
from ledger.person_credential_events import PolicyAcknowledged
from ledger.program_events import PolicyPublished, PolicyQuizSet
from tests.credentials.helpers import ACTOR, SLUG, agency, at

POLICY = b"# Pursuit\n\nA pursuit ends when the risk outweighs the need to catch.\n"
QUIZ: dict[str, Any] = {
    "pass_mark": 60,
    "questions": [
        {"id": "ends", "text": "When does a pursuit end?",
         "choices": ["Never", "When the risk outweighs the need", "At the county line"],
         "correct": 2},
        {"text": "Who may call it off?", "choices": ["Any supervisor", "Only the chief"],
         "correct": 1},
        {"text": "Is a report required?", "choices": ["Yes", "No"], "correct": 1},
    ],
}  # fmt: skip


def _events(ledger: Ledger, stream_type: str, stream: Any) -> list[object]:
    stored = ledger.store.select_stream_events(stream_type, originator_ids=[stream])
    return [ledger.mapper.to_domain_event(e) for e in stored]


def _world(ledger: Ledger, clock: SettableClock) -> str:
    clock.set(at(2024, 6, 1))
    agency(ledger, "E1", "E2")
    digest, _ = ledger.upload_policy(SLUG, "pursuit", POLICY, title="Pursuit", actor=ACTOR)
    ledger.publish_policy(
        SLUG, "pursuit", digest, effective_on=date(2024, 6, 1), actor=ACTOR, reason="New policy"
    )
    assert ledger.set_policy_quiz(SLUG, "pursuit", 1, QUIZ, actor=ACTOR) == (digest, True)
    assert ledger.set_policy_quiz(SLUG, "pursuit", digest, QUIZ, actor=ACTOR) == (digest, False)
    return digest


def _ack(ledger: Ledger, who: str, answers: dict[str, str], score: str | None = None) -> str:
    return ledger.acknowledge_policy(
        SLUG, who, "pursuit", 1, on=date(2024, 6, 1), channel="online", actor=ACTOR,
        quiz_answers=answers, quiz_score=score,
    )  # fmt: skip


def test_the_ledger_scores_the_quiz_and_refuses_a_fail(
    ledger: Ledger, clock: SettableClock
) -> None:
    digest = _world(ledger, clock)
    quiz = ledger.policy_quiz(SLUG, "pursuit", digest)
    assert quiz is not None
    assert [q.id for q in quiz.questions] == ["ends", "q2", "q3"]
    before = ledger.store.count_events()
    with pytest.raises(QuizFailedError, match=r"33\.33% correct, below the pass mark of 60%"):
        _ack(ledger, "E1", {"ends": "1", "q2": "2", "q3": "Yes"})
    with pytest.raises(InvalidValueError, match="answer question q3"):
        _ack(ledger, "E1", {"ends": "2", "q2": "1"})
    with pytest.raises(InvalidValueError, match="not a choice of question q2"):
        _ack(ledger, "E1", {"ends": "2", "q2": "Maybe", "q3": "1"})
    with pytest.raises(InvalidValueError, match=r"quiz_score 100: the answers score 66\.67"):
        _ack(ledger, "E1", {"ends": "2", "q2": "2", "q3": "1"}, score="100")
    assert ledger.store.count_events() == before  # nothing written by a refusal

    assert _ack(ledger, "E1", {"ends": "2", "q2": "2", "q3": "1"}) == digest
    assert _ack(ledger, "E2", {"ends": "2", "q2": "1", "q3": "1"}, score="100") == digest
    acks = [
        e
        for e in _events(ledger, "person", person_id_for(agency_id_for(SLUG), "E1"))
        if isinstance(e, PolicyAcknowledged)
    ]
    assert acks[-1].quiz_answers == {
        "ends": "When the risk outweighs the need",
        "q2": "Only the chief",
        "q3": "Yes",
    }
    assert acks[-1].quiz_score == Decimal("66.67")


def test_the_quiz_and_the_publication_reason_are_events_and_old_ones_decode(
    ledger: Ledger, clock: SettableClock
) -> None:
    digest = _world(ledger, clock)
    events = _events(ledger, "agency", agency_id_for(SLUG))
    published = [e for e in events if isinstance(e, PolicyPublished)]
    assert published[-1].reason == "New policy"
    quizzes = [e for e in events if isinstance(e, PolicyQuizSet)]
    assert len(quizzes) == 1
    assert quizzes[0].version_hash == digest
    assert quizzes[0].quiz["pass_mark"] == "60"
    # A publication stored before ``reason`` existed decodes with reason "".
    state = published[-1].__dict__ | {}
    state.pop("reason")
    assert PolicyPublished(**state).reason == ""


@pytest.mark.parametrize(
    ("quiz", "message"),
    [
        ({"questions": QUIZ["questions"]}, "pass_mark is required"),
        ({"pass_mark": 101, "questions": QUIZ["questions"]}, "pass_mark 101: out of range"),
        ({"pass_mark": 50, "questions": []}, "questions: expected a list"),
        ({"pass_mark": 50, "questions": [{"text": "A?", "choices": ["x"], "correct": 1}]},
         "give 2-8 choices"),
        ({"pass_mark": 50, "questions": [{"text": "A?", "choices": ["x", "y"], "correct": 3}]},
         "correct 3: no such choice"),
        ({"pass_mark": 50, "questions": [{"text": "", "choices": ["x", "y"], "correct": 1}]},
         "question 1 is required"),
        ({"pass_mark": 50, "questions": [{"text": "A", "choices": ["x", "x"], "correct": 1}]},
         "two choices are the same"),
    ],
)  # fmt: skip
def test_a_malformed_quiz_is_refused(
    ledger: Ledger, clock: SettableClock, quiz: dict[str, Any], message: str
) -> None:
    _world(ledger, clock)
    before = ledger.store.count_events()
    with pytest.raises(InvalidValueError, match=message):
        ledger.set_policy_quiz(SLUG, "pursuit", 1, quiz, actor=ACTOR)
    assert ledger.store.count_events() == before
