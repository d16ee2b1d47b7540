"""The coordinator's forms on one person: correct and void with a reason; leave, return,
separation, reinstatement (issue 16 §1 coordinator forms; "Every form's unhappy paths
... show a clear message beside the field and append nothing"). In process, both
backends."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from tests.http.conftest import ACTOR, AGENCY, World
from tests.http.test_request_pages import events, log_in

MANAGE = f"/agencies/{AGENCY}/people/E1/manage"


def _record(world: World) -> str:
    record_id = world.ledger.record_training(
        AGENCY,
        "E1",
        completed_on=date(2025, 1, 15),
        course_title="First aid",
        hours="4",
        actor=ACTOR,
    )
    return str(record_id)


def _post(world: World, path: str, token: str, **data: str) -> Any:
    return world.client.post(
        f"{MANAGE}{path}", data={**data, "csrf_token": token}, follow_redirects=False
    )


def _timeline(world: World) -> list[dict[str, Any]]:
    answer = world.client.get(
        f"/api/v1/agencies/{AGENCY}/people/E1/history", headers=world.auth("coordinator")
    )
    entries: list[dict[str, Any]] = answer.json()["entries"]
    return entries


def _beside(html: str, error_id: str) -> str:
    match = re.search(rf'<p class="field-error" id="{error_id}-error">([^<]*)</p>', html)
    assert match, f"no message {error_id}"
    assert f'aria-describedby="{error_id}-error"' in html
    return match.group(1)


def test_a_correction_keeps_the_original_and_links_it(world: World) -> None:
    record_id = _record(world)
    token = log_in(world, "coordinator")
    page = world.client.get(MANAGE)
    assert page.status_code == 200
    assert f'id="record-{record_id}"' in page.text
    before = events(world)
    fields = {"course_title": "First aid", "completed_on": "2025-01-15"}
    done = _post(world, f"/records/{record_id}/correct", token, **fields, hours="6",
                 reason="certificate says 6 hours")  # fmt: skip
    assert done.status_code == 303, done.text
    assert "Corrected" in world.client.get(done.headers["location"]).text
    assert events(world) == before + 1
    both = [e for e in _timeline(world) if e.get("record_id") == record_id]
    assert [e["event"] for e in both] == ["TrainingCompleted", "TrainingCorrected"]
    assert both[1]["corrects"] == record_id
    assert both[1]["reason"] == "certificate says 6 hours"


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"reason": ""}, "reason", "Say why"),
        ({"completed_on": "2025-03-09"}, "completed_on", "after today"),
        ({"hours": "-3"}, "hours", "must be more than 0"),
        ({"hours": "many"}, "hours", "is not a number"),
        ({"hours": "4"}, "form", "changes nothing"),
    ],
)
def test_a_refused_correction_says_why_and_appends_nothing(
    world: World, change: dict[str, str], field: str, says: str
) -> None:
    record_id = _record(world)
    token = log_in(world, "coordinator")
    before = events(world)
    data = {"course_title": "First aid", "completed_on": "2025-01-15", "hours": "5",
            "reason": "typo", **change}  # fmt: skip
    answer = _post(world, f"/records/{record_id}/correct", token, **data)
    assert answer.status_code == 422, answer.text
    key = f"correct-{record_id}-{field}"
    if field == "form":
        assert says in re.search(rf'id="{key}-error">([^<]*)<', answer.text).group(1)  # type: ignore[union-attr]
    else:
        assert says in _beside(answer.text, key)
    assert events(world) == before


def test_a_void_needs_a_reason_and_is_once(world: World) -> None:
    record_id = _record(world)
    token = log_in(world, "coordinator")
    before = events(world)
    empty = _post(world, f"/records/{record_id}/void", token, reason=" ")
    assert empty.status_code == 422
    assert "Say why" in _beside(empty.text, f"void-{record_id}-reason")
    assert events(world) == before
    done = _post(world, f"/records/{record_id}/void", token, reason="entered twice")
    assert done.status_code == 303
    assert events(world) == before + 1
    again = _post(world, f"/records/{record_id}/void", token, reason="again")
    assert again.status_code == 422
    assert events(world) == before + 1
    assert [e["event"] for e in _timeline(world)][-1] == "TrainingVoided"


def test_leave_return_separation_and_reinstatement(world: World) -> None:
    token = log_in(world, "coordinator")
    before = events(world)
    steps = [
        {"action": "leave", "effective_on": "2025-01-02", "reason": "medical",
         "expected_return": "2025-06-01"},
        {"action": "return", "effective_on": "2025-02-01"},
        {"action": "separation", "effective_on": "2025-02-10", "reason": "resigned"},
        {"action": "reinstatement", "effective_on": "2025-02-20"},
    ]  # fmt: skip
    for step in steps:
        answer = _post(world, "/status", token, **step)
        assert answer.status_code == 303, (step, answer.text)
    assert events(world) == before + 4
    statuses = [e["facts"]["status"] for e in _timeline(world) if e["event"] == "StatusChanged"]
    assert statuses == ["leave", "active", "separated", "active"]


@pytest.mark.parametrize(
    ("data", "field", "says"),
    [
        ({"action": "leave", "effective_on": "2025-01-02"}, "reason", "needs a reason"),
        ({"action": "leave", "effective_on": "2025-03-05", "reason": "x"}, "effective_on",
         "after today"),
        ({"action": "leave", "effective_on": "2019-01-01", "reason": "x"}, "effective_on",
         "before E1 was hired"),
        ({"action": "return", "effective_on": "2025-01-02"}, "action", "already active"),
        ({"action": "", "effective_on": "2025-01-02"}, "action", "Choose what happens"),
        ({"action": "leave", "effective_on": ""}, "effective_on", "Enter the day"),
        ({"action": "leave", "effective_on": "2025-01-02", "reason": "x",
          "expected_return": "2024-12-01"}, "expected_return", "must be after"),
    ],
)  # fmt: skip
def test_a_refused_status_change_says_why_and_appends_nothing(
    world: World, data: dict[str, str], field: str, says: str
) -> None:
    token = log_in(world, "coordinator")
    before = events(world)
    answer = _post(world, "/status", token, **data)
    assert answer.status_code == 422, answer.text
    assert says in _beside(answer.text, f"status-{field}")
    assert events(world) == before


def test_only_coordinators_manage_and_every_post_needs_the_token(world: World) -> None:
    record_id = _record(world)
    before = events(world)
    for who in ("officer1", "supervisor", "command", "auditor", "admin", "other-coordinator"):
        token = log_in(world, who)
        assert world.client.get(MANAGE).status_code == 403, who
        assert _post(world, f"/records/{record_id}/void", token, reason="x").status_code == 403
        assert _post(world, "/status", token, action="leave").status_code == 403
    log_in(world, "coordinator")
    assert _post(world, f"/records/{record_id}/void", "forged", reason="x").status_code == 403
    assert events(world) == before
