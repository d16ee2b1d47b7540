"""The coordinator's form to record a training for one person or a whole class (issue 16
§1 coordinator forms; acceptance: "Every form's unhappy paths (future date, negative
hours, unknown employee ...) show a clear message beside the field and append
nothing"). In process, on both backends."""

from __future__ import annotations

from typing import Any

import pytest

from tests.http.conftest import AGENCY, World
from tests.http.test_request_pages import beside, events, log_in

PAGE = f"/agencies/{AGENCY}/record"
FORM = {"employees": "E1\nE2, E3", "course_title": "Defensive tactics",
        "completed_on": "2025-02-10", "hours": "8"}  # fmt: skip


def post(world: World, token: str, **change: str) -> Any:
    return world.client.post(
        PAGE, data={**FORM, **change, "csrf_token": token}, follow_redirects=False
    )


def completions(world: World, employee_id: str) -> list[dict[str, Any]]:
    history = world.client.get(
        f"/api/v1/agencies/{AGENCY}/people/{employee_id}/history",
        headers=world.auth("coordinator"),
    )
    return [e for e in history.json()["entries"] if e["event"] == "TrainingCompleted"]


def test_a_class_is_recorded_at_once(world: World) -> None:
    token = log_in(world, "coordinator")
    assert world.client.get(PAGE).status_code == 200
    before = events(world)
    answer = post(world, token, topic="use_of_force")
    assert answer.status_code == 303, answer.text
    assert events(world) == before + 3
    shown = world.client.get(answer.headers["location"]).text
    assert "Recorded Defensive tactics for 3 people" in shown
    for employee_id in ("E1", "E2", "E3"):
        [done] = completions(world, employee_id)
        assert done["effective_on"] == "2025-02-10"
        assert done["actor"] == "account:coordinator"
        assert done["facts"]["topic_hours"] == {"use_of_force": "8.00"}
    # All recorded at one instant: one unit.
    assert len({completions(world, e)[0]["recorded_at"] for e in ("E1", "E2", "E3")}) == 1


def test_one_person_is_a_class_of_one(world: World) -> None:
    token = log_in(world, "coordinator")
    before = events(world)
    assert post(world, token, employees="E2").status_code == 303
    assert events(world) == before + 1
    assert completions(world, "E1") == []


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"completed_on": "2025-03-02"}, "completed_on", "is after today"),
        ({"completed_on": "03/02/2025"}, "completed_on", "is not a date"),
        ({"hours": "-2"}, "hours", "must be more than 0"),
        ({"hours": "200"}, "hours", "at most 120"),
        ({"employees": "E1, E9, NOPE"}, "employees", "employee id E9, NOPE"),
        ({"employees": "S1"}, "employees", "employee id S1"),  # another agency's officer
        ({"employees": "E1 E2 E1"}, "employees", "Listed twice: E1"),
        ({"employees": " "}, "employees", "Enter at least one employee id"),
        ({"course_title": ""}, "course_title", "Enter the course title"),
        ({"topic": "Use of force"}, "topic", "canonical topic id"),
    ],
)
def test_a_refused_form_says_why_beside_the_field_and_appends_nothing(
    world: World, change: dict[str, str], field: str, says: str
) -> None:
    token = log_in(world, "coordinator")
    before = events(world)
    answer = post(world, token, **change)
    assert answer.status_code == 422, answer.text
    assert says in beside(answer.text, field)
    assert "Nothing was recorded" in answer.text
    assert events(world) == before


def test_an_unknown_employee_and_a_future_date_are_both_said(world: World) -> None:
    token = log_in(world, "coordinator")
    answer = post(world, token, employees="E1 E404", completed_on="2026-01-01", hours="-1")
    assert "E404" in beside(answer.text, "employees")
    assert "after today" in beside(answer.text, "completed_on")
    assert "more than 0" in beside(answer.text, "hours")


def test_only_the_agencys_coordinators_reach_the_form(world: World) -> None:
    before = events(world)
    for who in ("officer1", "supervisor", "command", "auditor", "admin", "other-coordinator"):
        token = log_in(world, who)
        assert world.client.get(PAGE).status_code == 403, who
        assert post(world, token).status_code == 403, who
    token = log_in(world, "coordinator")
    assert post(world, "not the token").status_code == 403  # CSRF
    assert events(world) == before
