"""``PUT …/versions/{v}/quiz`` takes up to the ledger's ``MAX_QUESTIONS`` questions, as the
dashboard's form and the CLI do: one more is a 422 naming ``questions``, nothing written
(both backends)."""

from __future__ import annotations

from ledger.policy_quiz import MAX_QUESTIONS
from tests.http.conftest import World
from tests.http.test_policy_api import POLICY, TEXT, _agency_events, _upload


def _quiz(count: int) -> dict[str, object]:
    return {
        "pass_mark": 50,
        "questions": [
            {"text": f"Question {n}?", "choices": [f"Yes {n}", f"No {n}"], "correct": 1}
            for n in range(1, count + 1)
        ],
    }


def test_a_quiz_past_the_limit_is_refused_naming_the_field(world: World) -> None:
    digest = _upload(world, TEXT).json()["id"]
    coordinator = world.auth("coordinator")
    before = _agency_events(world)
    path = f"{POLICY}/versions/{digest}/quiz"
    refused = world.client.put(path, json=_quiz(MAX_QUESTIONS + 1), headers=coordinator)
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == "questions"
    assert _agency_events(world) == before
    done = world.client.put(path, json=_quiz(MAX_QUESTIONS), headers=coordinator)
    assert done.status_code == 200, done.text
    assert _agency_events(world) == before + 1
