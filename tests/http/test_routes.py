"""The API's routes on both backends, unhappy paths first (issue 15, acceptance 1): bad
dates, unknown ids, future completion dates, negative hours, a reused idempotency key
with a different body, a stale or concurrent write; nothing a client sends sets the
agency, a role, the recorded time or the actor; read-your-writes."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

import pytest

from ledger.agency import agency_id_for
from ledger.person import person_id_for
from tests.http.conftest import AGENCY, World

PERSON = f"/api/v1/agencies/{AGENCY}/people/E1"
GOOD = {"course_title": "Use of force", "hours": "4", "completed_on": "2025-02-10"}


def _events(world: World, employee_id: str = "E1") -> int:
    return len(world.ledger.stream(person_id_for(agency_id_for(AGENCY), employee_id)))


def _post(world: World, path: str, body: Any, **headers: str) -> Any:
    return world.client.post(path, json=body, headers={**world.auth("coordinator"), **headers})


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({**GOOD, "completed_on": "2025-02-30"}, "completed_on", "invalid_request"),
        ({**GOOD, "completed_on": "yesterday"}, "completed_on", "invalid_request"),
        ({**GOOD, "completed_on": "2025-03-02"}, "completed_on", "future_effective_date"),
        ({**GOOD, "hours": "-1"}, "hours", "hours_out_of_range"),
        ({**GOOD, "hours": "0"}, "hours", "hours_out_of_range"),
        ({**GOOD, "hours": "NaN"}, "hours", "invalid_request"),
        ({**GOOD, "hours": "1e9"}, "hours", "hours_out_of_range"),
        ({**GOOD, "course_title": ""}, "course_title", "invalid_request"),
        ({**GOOD, "delivery": "telepathy"}, "delivery", "invalid_value"),
        ({**GOOD, "actor": "user:mallory"}, "actor", "invalid_request"),
        ({**GOOD, "agency_id": str(agency_id_for("stp"))}, "agency_id", "invalid_request"),
        ({**GOOD, "recorded_at": "2020-01-01T00:00:00Z"}, "recorded_at", "invalid_request"),
        ({**GOOD, "role": "admin"}, "role", "invalid_request"),
        # Fields the ledger's refusal names itself (its message starts with other words).
        ({**GOOD, "valid_until": "2025-01-01"}, "valid_until", "invalid_value"),
        ({**GOOD, "tags": ["Not A Tag!"]}, "tags", "invalid_value"),
        ({**GOOD, "topic_hours": {"use_of_force": "-2"}}, "topic_hours", "hours_out_of_range"),
        ({**GOOD, "topic_hours": {"Use Of Force": "2"}}, "topic_hours", "invalid_value"),
        ({**GOOD, "topic_hours": {"use_of_force": "99"}}, "topic_hours", "hours_out_of_range"),
        ([1, 2], None, "invalid_request"),
    ],
)
def test_bad_completions_are_a_4xx_naming_the_field_and_append_nothing(
    world: World, body: Any, field: str | None, code: str
) -> None:
    before = _events(world)
    response = _post(world, f"{PERSON}/training", body)
    assert response.status_code == 422, response.text
    error = response.json()
    assert (error["code"], error["field"]) == (code, field)
    assert set(error) == {"code", "message", "field"}
    assert "Traceback" not in response.text
    assert "SELECT" not in response.text
    assert _events(world) == before


def test_unknown_ids_are_404(world: World) -> None:
    auth = world.auth("coordinator")
    unknown_person = world.client.get(f"/api/v1/agencies/{AGENCY}/people/NOPE/status", headers=auth)
    assert unknown_person.status_code == 404
    assert unknown_person.json()["code"] == "person_not_found"
    record = "6f1c1f8e-0000-4000-8000-000000000000"
    void = _post(world, f"{PERSON}/training/{record}/void", {"reason": "x"})
    assert (void.status_code, void.json()["code"]) == (404, "training_record_not_found")
    bad_uuid = _post(world, f"{PERSON}/training/not-a-uuid/void", {"reason": "x"})
    assert (bad_uuid.status_code, bad_uuid.json()["field"]) == (422, "record_id")
    no_route = world.client.get("/api/v1/nothing", headers=auth)
    assert (no_route.status_code, no_route.json()["code"]) == (404, "not_found")


def test_a_write_returns_its_recorded_time_and_is_read_back_at_once(world: World) -> None:
    """Read-your-writes: the status asked for right after the write counts it."""
    before = world.client.get(f"{PERSON}/status", headers=world.auth("coordinator")).json()
    response = _post(world, f"{PERSON}/training", GOOD)
    assert response.status_code == 201, response.text
    result = response.json()
    recorded = datetime.fromisoformat(result["recorded_at"])
    assert recorded.tzinfo is not None
    assert result["events"] == ["TrainingCompleted"]
    assert result["version"] == _events(world)
    after = world.client.get(f"{PERSON}/status", headers=world.auth("officer1")).json()
    assert datetime.fromisoformat(after["known_at"]) >= recorded
    counted = [c["record_id"] for c in after["person"]["counted_records"]]
    assert result["id"] in counted
    assert result["id"] not in [c["record_id"] for c in before["person"]["counted_records"]]
    # The event's actor is the token's account, whatever the client sent.
    event = world.ledger.stream(person_id_for(agency_id_for(AGENCY), "E1"))[-1]
    assert event.actor == "account:coordinator"
    assert event.timestamp == recorded


def test_idempotency_key_retry_appends_nothing_and_reuse_is_refused(world: World) -> None:
    first = _post(world, f"{PERSON}/training", GOOD, **{"Idempotency-Key": "k-1"})
    count = _events(world)
    retry = _post(world, f"{PERSON}/training", GOOD, **{"Idempotency-Key": "k-1"})
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert _events(world) == count
    other = _post(world, f"{PERSON}/training", {**GOOD, "hours": "5"}, **{"Idempotency-Key": "k-1"})
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    elsewhere = _post(
        world, f"/api/v1/agencies/{AGENCY}/people/E2/training", GOOD, **{"Idempotency-Key": "k-1"}
    )
    assert elsewhere.status_code == 422
    assert _events(world) == count
    # A refused request releases its key: the same key then runs a good request once.
    bad = _post(world, f"{PERSON}/training", {**GOOD, "hours": "-1"}, **{"Idempotency-Key": "k-2"})
    assert bad.status_code == 422
    fixed = _post(
        world, f"{PERSON}/training", {**GOOD, "hours": "-1"}, **{"Idempotency-Key": "k-2"}
    )
    assert fixed.status_code == 422
    assert _events(world) == count
    # Keys are per account: another coordinator's same key is its own.
    assert (
        world.client.post(
            "/api/v1/agencies/stp/people/S1/training",
            json=GOOD,
            headers={**world.auth("other-coordinator"), "Idempotency-Key": "k-1"},
        ).status_code
        == 201
    )


def test_a_stale_if_match_is_409_and_appends_nothing(world: World) -> None:
    version = _events(world)
    ok = _post(world, f"{PERSON}/training", GOOD, **{"If-Match": str(version)})
    assert ok.status_code == 201
    assert ok.json()["version"] == version + 1
    stale = _post(world, f"{PERSON}/leave", {"reason": "x"}, **{"If-Match": str(version)})
    assert (stale.status_code, stale.json()["code"]) == (409, "stale_version")
    assert _events(world) == version + 1
    bad = _post(world, f"{PERSON}/leave", {}, **{"If-Match": "W/abc"})
    assert (bad.status_code, bad.json()["field"]) == (422, "If-Match")


def test_concurrent_writes_to_one_person_lose_no_event(world: World) -> None:
    """Eight writers at once: each gets 201 or 409 (retryable), and every 201 is in the log."""
    before = _events(world)
    statuses: list[int] = []
    barrier = threading.Barrier(8)

    def write(n: int) -> None:
        barrier.wait()
        response = _post(world, f"{PERSON}/training", {**GOOD, "course_title": f"C{n}"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(statuses) <= {201, 409}, statuses
    assert _events(world) == before + statuses.count(201)


def test_class_is_all_or_nothing(world: World) -> None:
    path = f"/api/v1/agencies/{AGENCY}/training/classes"
    before = [_events(world, e) for e in ("E1", "E2")]
    refused = _post(world, path, {**GOOD, "employee_ids": ["E1", "E2", "NOPE"]})
    assert refused.status_code == 404
    assert [_events(world, e) for e in ("E1", "E2")] == before
    twice = _post(world, path, {**GOOD, "employee_ids": ["E1", "E1"]})
    assert (twice.status_code, twice.json()["field"]) == (422, "employee_ids")
    done = _post(world, path, {**GOOD, "employee_ids": ["E1", "E2"]})
    assert done.status_code == 201
    assert done.json()["events"] == ["TrainingCompleted"] * 2
    assert [_events(world, e) for e in ("E1", "E2")] == [n + 1 for n in before]


def test_correct_and_void_are_linked_in_the_history(world: World) -> None:
    record = _post(world, f"{PERSON}/training", GOOD).json()["id"]
    corrected = _post(
        world, f"{PERSON}/training/{record}/corrections", {"reason": "typo", "hours": "3"}
    )
    assert corrected.status_code == 201, corrected.text
    empty = _post(world, f"{PERSON}/training/{record}/corrections", {"reason": "typo"})
    assert (empty.status_code, empty.json()["code"]) == (422, "nothing_to_correct")
    voided = _post(world, f"{PERSON}/training/{record}/void", {"reason": "entered twice"})
    assert voided.status_code == 201
    again = _post(world, f"{PERSON}/training/{record}/void", {"reason": "entered twice"})
    assert (again.status_code, again.json()["code"]) == (409, "record_already_voided")
    history = world.client.get(f"{PERSON}/history", headers=world.auth("officer1")).json()
    linked = [(e["event"], e["corrects"], e["reason"]) for e in history["entries"][-3:]]
    assert linked == [
        ("TrainingCompleted", None, None),
        ("TrainingCorrected", record, "typo"),
        ("TrainingVoided", record, "entered twice"),
    ]
    assert all(e["actor"] == "account:coordinator" for e in history["entries"][-3:])
    # As known before the correction, the history stops at the completion.
    then = history["entries"][-3]["recorded_at"]
    earlier = world.client.get(
        f"{PERSON}/history", params={"known_at": then}, headers=world.auth("officer1")
    ).json()
    assert earlier["entries"][-1]["record_id"] == record
    assert earlier["entries"][-1]["event"] == "TrainingCompleted"


def test_leave_return_separation_reinstatement(world: World) -> None:
    for path, on in [("leave", "2025-01-01"), ("return", "2025-02-01"),
                     ("separation", "2025-02-10"), ("reinstatement", "2025-02-20")]:  # fmt: skip
        response = _post(world, f"{PERSON}/{path}", {"effective_on": on, "reason": path})
        assert response.status_code == 201, response.text
    statuses = [
        e["facts"]["status"]
        for e in world.client.get(f"{PERSON}/history", headers=world.auth("command")).json()[
            "entries"
        ]
        if e["event"] == "StatusChanged"
    ]
    assert statuses == ["leave", "active", "separated", "active"]
    future = _post(world, f"{PERSON}/leave", {"effective_on": "2031-01-01"})
    assert (future.status_code, future.json()["field"]) == (422, "effective_on")


def test_time_axes_and_bad_values(world: World) -> None:
    auth = world.auth("auditor")
    bad_day = world.client.get(f"{PERSON}/status", params={"as_of": "2025-13-01"}, headers=auth)
    assert (bad_day.status_code, bad_day.json()["field"]) == (422, "as_of")
    bad_moment = world.client.get(f"{PERSON}/status", params={"known_at": "noon"}, headers=auth)
    assert (bad_moment.status_code, bad_moment.json()["field"]) == (422, "known_at")
    history = world.client.get(f"{PERSON}/history", headers=auth).json()
    enrolled = history["entries"][0]["recorded_at"]
    answer = world.client.get(
        f"{PERSON}/status", params={"as_of": "2024-06-30", "known_at": enrolled}, headers=auth
    ).json()
    assert answer["as_of"] == "2024-06-30"
    assert answer["known_at"] == enrolled
    # Before the enrolment was recorded the person was not known: 404, not an empty answer.
    earlier = (datetime.fromisoformat(enrolled) - timedelta(microseconds=1)).isoformat()
    before = world.client.get(f"{PERSON}/status", params={"known_at": earlier}, headers=auth)
    assert (before.status_code, before.json()["code"]) == (404, "person_not_found")
    roster = world.client.get(
        f"/api/v1/agencies/{AGENCY}/roster", params={"status": "compliant"}, headers=auth
    )
    assert roster.status_code == 200
    assert roster.json()["filters"]["status"] == ["compliant"]
    rules = world.client.get(f"/api/v1/agencies/{AGENCY}/rules", headers=world.auth("officer1"))
    assert rules.status_code == 200
    assert rules.json()["jurisdiction"] == "US-MN"
    assert rules.json()["rule_versions"]


def test_tokens_are_listed_and_revoked_and_expire(world: World) -> None:
    auth = world.auth("command")
    listed = world.client.get("/api/v1/session/tokens", headers=auth).json()
    assert len(listed) == 1
    assert "token" not in listed[0]
    token_id = listed[0]["token_id"]
    assert world.tokens["command"].split("_")[1] == token_id
    revoked = world.client.delete(f"/api/v1/session/tokens/{token_id}", headers=auth)
    assert revoked.status_code == 204
    after = world.client.get("/api/v1/me", headers=auth)
    assert (after.status_code, after.json()["code"]) == (401, "unauthenticated")
    # A token past its expiry is refused like an unknown one.
    clock = world.ledger.clock
    clock.set(clock() + timedelta(days=2))  # type: ignore[attr-defined]
    assert world.client.get("/api/v1/me", headers=world.auth("coordinator")).status_code == 401
    for forged in ("mst_x_y", world.tokens["auditor"] + "x", "Basic abc", ""):
        headers = {"Authorization": forged if " " in forged else f"Bearer {forged}"}
        assert world.client.get("/api/v1/me", headers=headers).status_code == 401


def test_an_expired_or_revoked_grant_stops_at_once(world: World) -> None:
    from ledger.accounts import get_account, revoke_role

    path = f"{PERSON}/status"
    assert world.client.get(path, headers=world.auth("command")).status_code == 200
    grant = get_account(world.ledger, "command").grants[0]
    revoke_role(world.ledger, "command", grant.grant_id, actor="user:test", reason="moved")
    assert world.client.get(path, headers=world.auth("command")).status_code == 403
    assert world.client.get("/api/v1/me", headers=world.auth("command")).json()["grants"] == []
