"""The credential and policy routes (issue 17) on both backends: a coordinator records a
qualification and assigns a policy, the officer acknowledges it, and the person's tracks
and the policy's coverage answer from the ledger; unknown person, future date, another
agency's person and a failed attempt each answer as documented, with nothing written."""

from __future__ import annotations

from datetime import date
from typing import Any

from ledger.clock import SettableClock
from tests.credentials.helpers import FIREARMS, GLOCK
from tests.http.conftest import ACTOR, AGENCY, OTHER_AGENCY, World

BASE = f"/api/v1/agencies/{AGENCY}"
POLICY = b"# Use of force\n\nOfficers use only the force that is reasonable.\n"
PASS = {
    "credential_type": "firearms",
    "result": "pass",
    "score": "92",
    "instructor": "Sgt. Range",
    "on": "2025-02-20",
    "weapon_class": GLOCK[0],
    "make_model": GLOCK[1],
    "serial": GLOCK[2],
}


def _programme(world: World) -> str:
    ledger = world.ledger
    ledger.define_credential_type(
        AGENCY, "firearms", effective_on=date(2020, 1, 1), actor=ACTOR, **FIREARMS
    )
    for employee_id in ("E1", "E2"):
        ledger.issue_weapon(AGENCY, employee_id, weapon=GLOCK, on=date(2023, 6, 1), actor=ACTOR)
    digest, _ = ledger.upload_policy(AGENCY, "use-of-force", POLICY, title="UoF", actor=ACTOR)
    ledger.publish_policy(
        AGENCY, "use-of-force", digest, effective_on=date(2025, 2, 1), actor=ACTOR
    )
    return digest


def _item(answer: dict[str, Any], item_id: str) -> dict[str, Any]:
    found = [i for i in answer["items"] if i["item_id"] == item_id]
    assert len(found) == 1, answer["items"]
    return found[0]


def _tracks(world: World, employee_id: str = "E1", **query: str) -> dict[str, Any]:
    response = world.client.get(
        f"{BASE}/people/{employee_id}/tracks",
        params={"track": ["credential", "policy"], **query},
        headers=world.auth("coordinator"),
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_qualify_assign_acknowledge_and_read_back(world: World, clock: SettableClock) -> None:
    digest = _programme(world)
    coordinator = world.auth("coordinator")
    before = _tracks(world)
    assert _item(before, "firearms[A1]")["status"] == "non_compliant"

    clock.set(clock.now.replace(minute=5))
    qualified = world.client.post(
        f"{BASE}/people/E1/qualifications", json=PASS, headers=coordinator
    )
    assert qualified.status_code == 201, qualified.text
    assert "QualificationAttempted" in " ".join(qualified.json()["events"])
    assigned = world.client.post(
        f"{BASE}/policies/use-of-force/assignments",
        json={"audience": ["everyone"], "due_days": 14, "effective_on": "2025-02-01"},
        headers=coordinator,
    )
    assert assigned.status_code == 201, assigned.text
    after = _tracks(world)
    assert _item(after, "firearms[A1]")["status"] == "compliant"
    assert _item(after, "use-of-force")["status"] != "compliant"  # not acknowledged yet
    # The answer as recorded before the qualification still says non-compliant.
    earlier = _tracks(world, known_at=before["known_at"])
    assert _item(earlier, "firearms[A1]")["status"] == "non_compliant"

    acked = world.client.post(
        f"{BASE}/people/E1/policy-acknowledgements",
        json={"policy_id": "use-of-force", "version": "1", "on": "2025-03-01"},
        headers=world.auth("officer1"),
    )
    assert acked.status_code == 201, acked.text
    assert acked.json()["id"] == digest
    assert _item(_tracks(world), "use-of-force")["status"] == "compliant"

    coverage = world.client.get(f"{BASE}/policies/use-of-force/coverage", headers=coordinator)
    assert coverage.status_code == 200, coverage.text
    rows = {r["employee_id"]: r["status"] for r in coverage.json()["people"]}
    assert rows["E1"] == "compliant"
    assert rows["E2"] != "compliant"
    who = world.client.get(
        f"{BASE}/policies/use-of-force/versions/{digest}/acknowledgements",
        params={"on": "2025-03-01"},
        headers=coordinator,
    )
    assert who.status_code == 200, who.text
    assert [a["employee_id"] for a in who.json()["acknowledged"]] == ["E1"]
    assert [
        a["employee_id"]
        for a in world.client.get(
            f"{BASE}/policies/use-of-force/versions/1/acknowledgements",
            params={"on": "2025-03-01", "known_at": before["known_at"]},
            headers=coordinator,
        ).json()["acknowledged"]
    ] == []


def test_a_failed_attempt_grants_nothing(world: World) -> None:
    _programme(world)
    failed = world.client.post(
        f"{BASE}/people/E1/qualifications",
        json={**PASS, "result": "fail", "score": "40"},
        headers=world.auth("coordinator"),
    )
    assert failed.status_code == 201, failed.text
    assert _item(_tracks(world), "firearms[A1]")["status"] == "non_compliant"


def test_unhappy_paths_write_nothing(world: World) -> None:
    _programme(world)
    history = world.client.get(f"{BASE}/people/E1/history", headers=world.auth("coordinator"))
    before = len(history.json()["entries"])
    # An unknown person: 404 on the write and on the read.
    unknown = world.client.post(
        f"{BASE}/people/NOPE/qualifications", json=PASS, headers=world.auth("coordinator")
    )
    assert unknown.status_code == 404, unknown.text
    missing = world.client.get(f"{BASE}/people/NOPE/tracks", headers=world.auth("coordinator"))
    assert missing.status_code == 404, missing.text
    # A future date (the clock is at 2025-03-01): refused on the date field.
    future = world.client.post(
        f"{BASE}/people/E1/qualifications",
        json={**PASS, "on": "2025-04-01"},
        headers=world.auth("coordinator"),
    )
    assert future.status_code == 422, future.text
    assert future.json()["field"] == "on"
    ack_future = world.client.post(
        f"{BASE}/people/E1/policy-acknowledgements",
        json={"policy_id": "use-of-force", "version": "1", "on": "2025-04-01"},
        headers=world.auth("officer1"),
    )
    assert ack_future.status_code == 422, ack_future.text
    # Another agency's person: this agency's coordinator may not write there.
    other = world.client.post(
        f"/api/v1/agencies/{OTHER_AGENCY}/people/S1/qualifications",
        json=PASS,
        headers=world.auth("coordinator"),
    )
    assert other.status_code == 403, other.text
    # An officer acknowledges only their own; an unknown version or track is refused.
    colleague = world.client.post(
        f"{BASE}/people/E2/policy-acknowledgements",
        json={"policy_id": "use-of-force", "version": "1"},
        headers=world.auth("officer1"),
    )
    assert colleague.status_code == 403, colleague.text
    no_version = world.client.post(
        f"{BASE}/people/E1/policy-acknowledgements",
        json={"policy_id": "use-of-force", "version": "9"},
        headers=world.auth("officer1"),
    )
    assert 400 <= no_version.status_code < 500
    assert no_version.status_code != 403
    bad_track = world.client.get(
        f"{BASE}/people/E1/tracks", params={"track": "k9"}, headers=world.auth("coordinator")
    )
    assert bad_track.status_code == 422
    assert bad_track.json()["code"] == "invalid_track"
    no_policy = world.client.get(f"{BASE}/policies/nope/coverage", headers=world.auth("command"))
    assert no_policy.status_code == 404, no_policy.text
    # An unknown credential type, a field the body does not declare.
    for body, status in (({**PASS, "credential_type": "k9"}, 404), ({**PASS, "actor": "x"}, 422)):
        refused = world.client.post(
            f"{BASE}/people/E1/qualifications", json=body, headers=world.auth("coordinator")
        )
        assert refused.status_code == status, refused.text
    history = world.client.get(f"{BASE}/people/E1/history", headers=world.auth("coordinator"))
    assert len(history.json()["entries"]) == before


def test_the_acknowledgement_route_scores_a_quiz_itself(world: World) -> None:
    """With a quiz set on the version, the route's answers are scored by the ledger: a
    fail, an unanswered question and a caller's score that disagrees are each 422 naming
    the field, with nothing written; a pass is recorded with the ledger's score."""
    _programme(world)
    world.ledger.set_policy_quiz(
        AGENCY, "use-of-force", 1,
        {"pass_mark": 100, "questions": [
            {"text": "Which force?", "choices": ["Any", "Only reasonable force"], "correct": 2}
        ]},
        actor=ACTOR,
    )  # fmt: skip
    url = f"{BASE}/people/E1/policy-acknowledgements"
    body = {"policy_id": "use-of-force", "version": "1", "on": "2025-03-01"}
    officer = world.auth("officer1")
    before = world.ledger.store.count_events()
    for answers, score, field, text in (
        ({"q1": "1"}, None, "quiz_answers", "below the pass mark of 100%"),
        ({}, None, "quiz_answers", "answer question q1"),
        ({"q1": "1"}, "100", "quiz_score", "the answers score 0"),
    ):
        extra: dict[str, Any] = {"quiz_answers": answers}
        if score is not None:
            extra["quiz_score"] = score
        refused = world.client.post(url, json={**body, **extra}, headers=officer)
        assert refused.status_code == 422, refused.text
        assert refused.json()["field"] == field, refused.text
        assert text in refused.text
    assert world.ledger.store.count_events() == before
    passed = world.client.post(
        url, json={**body, "quiz_answers": {"q1": "Only reasonable force"}}, headers=officer
    )
    assert passed.status_code == 201, passed.text
    who = world.client.get(
        f"{BASE}/policies/use-of-force/versions/1/acknowledgements",
        params={"on": "2025-03-01"},
        headers=world.auth("coordinator"),
    )
    assert [(a["employee_id"], a["quiz_score"]) for a in who.json()["acknowledged"]] == [
        ("E1", "100")
    ]


def test_a_type_earned_by_training_hours_is_defined_changed_and_judged(
    world: World, clock: SettableClock
) -> None:
    """POST the type with its topics, hours and window (a bad one: 422 naming the field,
    nothing written), the person's tracks say the hours counted and the day they are met,
    a new version (hours raised) changes the answer only from when it is known."""
    coordinator = world.auth("coordinator")
    hours = {
        "type_id": "tactics",
        "name": "Tactics proficiency",
        "holders": ["kind:sworn"],
        "earned_by": "training_hours",
        "topics": ["firearms", "defensive_tactics"],
        "hours_required": 16,
        "hours_window_months": 12,
        "validity": "months",
        "validity_months": 12,
        "effective_on": "2024-01-01",
    }
    before = world.ledger.store.count_events()
    for bad, field in (
        ({"topics": []}, "topics"),
        ({"hours_required": 0}, "hours_required"),
        ({"hours_window_months": 0}, "hours_window_months"),
        ({"earned_by": "qualification"}, "earned_by"),
    ):
        refused = world.client.post(
            f"{BASE}/credential-types", json={**hours, **bad}, headers=coordinator
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["field"] == field, refused.text
    assert world.ledger.store.count_events() == before
    defined = world.client.post(f"{BASE}/credential-types", json=hours, headers=coordinator)
    assert defined.status_code == 201, defined.text
    assert defined.json()["events"] == ["CredentialTypeDefined"]
    for on, topic, amount in ((date(2025, 1, 10), "firearms", 10), (date(2025, 3, 1), "ethics", 8)):
        world.ledger.record_training(
            AGENCY,
            "E1",
            completed_on=on,
            course_title=topic,
            hours=amount,
            topic_hours={topic: amount},
            actor=ACTOR,
        )
    short = _item(_tracks(world, as_of="2025-03-01"), "tactics")
    assert short["status"] == "non_compliant"
    assert short["reasons"][0].startswith(
        "never earned: 10 of 16 hours in defensive_tactics, firearms by 2025-03-01"
    )
    trained = world.client.post(
        f"{BASE}/people/E1/training",
        json={
            "course_title": "Defensive tactics",
            "hours": "6",
            "topic_hours": {"defensive_tactics": "6"},
            "completed_on": "2025-03-01",
        },
        headers=coordinator,
    )
    assert trained.status_code == 201, trained.text
    answer = _tracks(world, as_of="2025-03-01")
    met = _item(answer, "tactics")
    assert (met["status"], met["until"]) == ("compliant", "2026-02-28")
    clock.set(clock.now.replace(minute=clock.now.minute + 1))
    changed = world.client.post(
        f"{BASE}/credential-types/tactics/versions",
        json={**{k: v for k, v in hours.items() if k != "type_id"}, "hours_required": 24,
              "reason": "raised to 24 hours"},
        headers=coordinator,
    )  # fmt: skip
    assert changed.status_code == 201, changed.text
    assert changed.json()["id"] == "2"
    raised = _item(_tracks(world, as_of="2025-03-01"), "tactics")
    assert raised["status"] == "non_compliant"
    assert raised["reasons"][0].startswith("never earned: 16 of 24 hours")
    then = _item(_tracks(world, as_of="2025-03-01", known_at=answer["known_at"]), "tactics")
    assert then["status"] == "compliant"
    listed = world.client.get(f"{BASE}/credential-types", headers=coordinator)
    assert listed.status_code == 200, listed.text
    versions = [v for v in listed.json()["credential_types"] if v["type_id"] == "tactics"]
    assert [(v["version"], v["hours_required"], v["topics"]) for v in versions] == [
        (1, "16", ["defensive_tactics", "firearms"]),
        (2, "24", ["defensive_tactics", "firearms"]),
    ]
