"""A policy version's comprehension quiz: a few multiple-choice questions, each with its
correct choice, and a pass mark (a percentage). The coordinator sets it
(``PolicyQuizSet`` on the agency stream); the ledger scores an acknowledgement's answers
itself, so a score is never taken from the caller (``ledger.policy_cases``).

A quiz is given as plain data (JSON or TOML from the CLI, a form from the dashboard)::

    {"pass_mark": 80,
     "questions": [{"id": "q1", "text": "When may force be used?",
                    "choices": ["Never", "When objectively reasonable", "Always"],
                    "correct": 2}]}

``correct`` is the 1-based number of the correct choice; ``id`` defaults to ``q1``,
``q2``, ... by position. An answer names a choice by its number ("2") or its exact text;
the acknowledgement records the choice's text."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ledger import fields
from ledger.credential_cases import plain, score
from ledger.errors import InvalidValueError

__all__ = ["MAX_CHOICES", "MAX_QUESTIONS", "Question", "Quiz", "parse_quiz"]

MAX_QUESTIONS = 20
MAX_CHOICES = 8
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    choices: tuple[str, ...]
    correct: int  # 1-based

    def choice_of(self, answer: str) -> str | None:
        """The choice an answer names (by number or exact text), or None."""
        given = answer.strip()
        if given.isdigit() and 1 <= int(given) <= len(self.choices):
            return self.choices[int(given) - 1]
        return given if given in self.choices else None


@dataclass(frozen=True)
class Quiz:
    questions: tuple[Question, ...]
    pass_mark: Decimal  # percent, 0-100

    def as_data(self) -> dict[str, Any]:
        """As stored in ``PolicyQuizSet`` (and accepted by ``parse_quiz``)."""
        return {
            "pass_mark": str(self.pass_mark),
            "questions": [
                {"id": q.id, "text": q.text, "choices": list(q.choices), "correct": q.correct}
                for q in self.questions
            ],
        }

    def mark(self, answers: Mapping[str, str]) -> tuple[dict[str, str], Decimal]:
        """Every question's chosen text and the score (percent correct, to 0.01). An
        unanswered question, an unknown question or a choice not offered is refused."""
        by_id = {q.id: q for q in self.questions}
        unknown = sorted(set(answers) - set(by_id))
        if unknown:
            raise InvalidValueError(f"quiz_answers: no question {unknown[0]!r} in this quiz")
        chosen: dict[str, str] = {}
        right = 0
        for question in self.questions:
            given = answers.get(question.id)
            if given is None or not str(given).strip():
                raise InvalidValueError(
                    f"quiz_answers: answer question {question.id} ({question.text})"
                )
            choice = question.choice_of(str(given))
            if choice is None:
                raise InvalidValueError(
                    f"quiz_answers: {given!r} is not a choice of question {question.id}"
                )
            chosen[question.id] = choice
            right += choice == question.choices[question.correct - 1]
        percent = Decimal(100 * right) / Decimal(len(self.questions))
        return chosen, plain(percent.quantize(Decimal("0.01")))


def _text(name: str, value: object, limit: int) -> str:
    return fields.text(name, value if isinstance(value, str) else str(value), required=True,
                       limit=limit)  # fmt: skip


def parse_quiz(data: Mapping[str, Any]) -> Quiz:
    """The quiz in ``data`` (see the module), checked: 1-20 questions, 2-8 distinct
    choices each, the correct choice one of them, the pass mark 0-100."""
    if not isinstance(data, Mapping):
        raise InvalidValueError("quiz: expected a table with pass_mark and questions")
    extra = sorted(set(data) - {"pass_mark", "questions"})
    if extra:
        raise InvalidValueError(f"quiz: unknown key {extra[0]!r} (pass_mark, questions)")
    mark = score("pass_mark", data.get("pass_mark"), Decimal(100))
    if mark is None:
        raise InvalidValueError("pass_mark is required (a percentage, 0-100)")
    raw = data.get("questions")
    if not isinstance(raw, Sequence) or isinstance(raw, str) or not raw:
        raise InvalidValueError("questions: expected a list of 1 or more questions")
    if len(raw) > MAX_QUESTIONS:
        raise InvalidValueError(
            f"questions: a quiz has at most {MAX_QUESTIONS} questions (this one has {len(raw)})"
        )
    questions = []
    for number, item in enumerate(raw, 1):
        if not isinstance(item, Mapping):
            raise InvalidValueError(f"question {number}: expected id, text, choices, correct")
        odd = sorted(set(item) - {"id", "text", "choices", "correct"})
        if odd:
            raise InvalidValueError(f"question {number}: unknown key {odd[0]!r}")
        qid = str(item.get("id") or f"q{number}").strip().lower()
        if not _ID.match(qid):
            raise InvalidValueError(f"question {number}: id {qid!r}: use a-z, 0-9, - or _")
        text = _text(f"question {number}", item.get("text", ""), 500)
        choices = item.get("choices")
        if not isinstance(choices, Sequence) or isinstance(choices, str):
            raise InvalidValueError(f"question {number}: choices: expected a list")
        parsed = tuple(_text(f"question {number} choice", c, 300) for c in choices)
        if not 2 <= len(parsed) <= MAX_CHOICES:
            raise InvalidValueError(f"question {number}: give 2-{MAX_CHOICES} choices")
        if len(set(parsed)) != len(parsed):
            raise InvalidValueError(f"question {number}: two choices are the same")
        if any(c.isdigit() for c in parsed):
            raise InvalidValueError(f"question {number}: a choice cannot be a bare number")
        correct = item.get("correct")
        if isinstance(correct, str) and correct.strip().isdigit():
            correct = int(correct)
        if isinstance(correct, bool) or not isinstance(correct, int):
            raise InvalidValueError(f"question {number}: correct: the number of a choice")
        if not 1 <= correct <= len(parsed):
            raise InvalidValueError(
                f"question {number}: correct {correct}: no such choice (it has {len(parsed)})"
            )
        questions.append(Question(qid, text, parsed, correct))
    if len({q.id for q in questions}) != len(questions):
        raise InvalidValueError("questions: two questions have the same id")
    return Quiz(tuple(questions), mark)
