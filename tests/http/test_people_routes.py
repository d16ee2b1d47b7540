"""The people, relief and agency routes on both backends (issue 15 §1: "people (enrol, ...,
assignment, licence, certification facts — each as events); ... exemptions, waivers and
extensions; ... trend; ... ledger verify"), unhappy paths first: bad dates, future dates,
unknown ids, a reused idempotency key with a different body, a stale If-Match. The
fixture's clock stands at 2025-03-01 12:00 UTC."""

from __future__ import annotations

from typing import Any

import pytest

from ledger.agency import agency_id_for
from ledger.person import person_id_for
from tests.http.conftest import AGENCY, OTHER_AGENCY, World

BASE = f"/api/v1/agencies/{AGENCY}"
PERSON = f"{BASE}/people/E1"
NEW = {"employee_id": "E9", "first_name": "Nia", "last_name": "New", "hired_on": "2025-02-03",
       "unit": "Traffic"}  # fmt: skip
EXEMPT = {"kind": "medical_leave", "starts_on": "2025-01-06", "reason": "surgery",
          "approver": "Chief"}  # fmt: skip


def _events(world: World, employee_id: str = "E1") -> list[str]:
    stream = world.ledger.stream(person_id_for(agency_id_for(AGENCY), employee_id))
    return [type(e).__name__ for e in stream]


def _post(world: World, path: str, body: Any, **headers: str) -> Any:
    return world.client.post(path, json=body, headers={**world.auth("coordinator"), **headers})


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        (f"{BASE}/people", {**NEW, "hired_on": "2025-02-30"}, 422, "hired_on"),
        (f"{BASE}/people", {**NEW, "hired_on": "2025-03-02"}, 422, "hired_on"),  # future
        (f"{BASE}/people", {**NEW, "kind": "wizard"}, 422, "kind"),
        (f"{BASE}/people", {**NEW, "employee_id": ""}, 422, "employee_id"),
        (f"{BASE}/people", {**NEW, "agency_id": "stp"}, 422, "agency_id"),
        (f"{BASE}/people", {**NEW, "employee_id": "E1"}, 409, None),  # already enrolled
        (f"{PERSON}/assignment", {"effective_on": "2025-13-01"}, 422, "effective_on"),
        (f"{PERSON}/assignment", {"effective_on": "2026-01-01"}, 422, "effective_on"),
        (f"{PERSON}/assignment", {"unit": "Traffic", "actor": "x"}, 422, "actor"),
        (f"{PERSON}/licence", {"license_number": "L", "period_end": "soon"}, 422, "period_end"),
        (f"{PERSON}/licence",
         {"license_number": "L", "issued_on": "2025-04-01", "period_end": "2027-06-30"},
         422, "issued_on"),  # future issue date
        (f"{PERSON}/certification", {"employment": "sometimes"}, 422, "employment"),
        (f"{PERSON}/certification", {"certified_on": "2030-01-01"}, 422, "certified_on"),
        (f"{PERSON}/exemptions", {**EXEMPT, "kind": "vacation"}, 422, "kind"),
        (f"{PERSON}/exemptions", {**EXEMPT, "ends_on": "2024-01-01"}, 422, None),  # before start
        (f"{PERSON}/exemptions", {**EXEMPT, "reason": ""}, 422, "reason"),
        (f"{PERSON}/exemptions", {**EXEMPT, "recorded_at": "2020-01-01"}, 422, "recorded_at"),
        (f"{PERSON}/waivers", {"starts_on": "2025-01-01", "reason": "r", "approver": "a"},
         422, "ends_on"),
        (f"{PERSON}/extensions", {"new_deadline": "x", "reason": "r", "approver": "a"},
         422, "new_deadline"),
        (f"{PERSON}/exemptions/00000000-0000-0000-0000-000000000000/end", {"reason": "r"},
         404, "relief_id"),
        (f"{PERSON}/waivers/not-a-uuid/end", {"reason": "r"}, 422, "relief_id"),
        (f"{BASE}/people/NOPE/licence", {"license_number": "L", "period_end": "2027-06-30"},
         404, None),
        (f"{BASE}/people/NOPE/exemptions", EXEMPT, 404, None),
    ],
)  # fmt: skip
def test_bad_writes_are_a_4xx_naming_the_field_and_append_nothing(
    world: World, path: str, body: dict[str, Any], status: int, field: str | None
) -> None:
    before = _events(world)
    refused = _post(world, path, body)
    assert refused.status_code == status, refused.text
    assert set(refused.json()) == {"code", "message", "field"}
    if field is not None:
        assert refused.json()["field"] == field, refused.json()
    assert "Traceback" not in refused.text
    assert _events(world) == before
    assert _events(world, "E9") == []


def test_enrol_then_assign_licence_certify_each_an_event(world: World) -> None:
    made = _post(world, f"{BASE}/people", NEW)
    assert made.status_code == 201, made.text
    answer = made.json()
    assert answer["events"] == ["PersonEnrolled"]
    assert answer["recorded_at"].startswith("2025-03-01T12:00")
    assert answer["id"] == str(person_id_for(agency_id_for(AGENCY), "E9"))
    path = f"{BASE}/people/E9"
    moved = _post(world, f"{path}/assignment", {"effective_on": "2025-02-20", "unit": "Patrol"})
    assert moved.status_code == 201, moved.text
    assert world.ledger.get_person(AGENCY, "E9").unit == "Patrol"
    licence = {"license_number": "L-9", "issued_on": "2025-02-03", "period_end": "2028-06-30"}
    licensed = _post(world, f"{path}/licence", licence)
    assert licensed.status_code == 201, licensed.text
    certified = _post(world, f"{path}/certification",
                      {"certified_on": "2025-02-03", "certificates": ["basic"]})  # fmt: skip
    assert certified.status_code == 201, certified.text
    assert certified.json()["version"] == 4
    kinds = _events(world, "E9")
    assert kinds[0] == "PersonEnrolled"
    assert len(kinds) == 4
    # Each fact is in the person's history, recorded by the coordinator's account.
    history = world.client.get(f"{path}/history", headers=world.auth("command")).json()
    assert {e["actor"] for e in history["entries"]} == {"account:coordinator"}


def test_relief_is_granted_and_ended_never_deleted(world: World) -> None:
    granted = _post(world, f"{PERSON}/exemptions", EXEMPT)
    assert granted.status_code == 201, granted.text
    exemption = granted.json()["id"]
    ended = _post(world, f"{PERSON}/exemptions/{exemption}/end",
                  {"ended_on": "2025-02-15", "reason": "back at work"})  # fmt: skip
    assert ended.status_code == 201, ended.text
    again = _post(world, f"{PERSON}/exemptions/{exemption}/end", {"reason": "twice"})
    assert again.status_code in (409, 422), again.text
    waiver = _post(world, f"{PERSON}/waivers",
                   {"starts_on": "2025-01-01", "ends_on": "2025-12-31", "reason": "r",
                    "approver": "Chief"})  # fmt: skip
    assert waiver.status_code in (201, 409, 422), waiver.text
    assert "Traceback" not in waiver.text
    kinds = _events(world)
    assert kinds.count("ExemptionGranted") == 1
    assert kinds.count("ExemptionEnded") == 1


def test_idempotency_and_if_match_on_the_new_writes(world: World) -> None:
    key = {"Idempotency-Key": "enrol-e9"}
    first = _post(world, f"{BASE}/people", NEW, **key)
    assert first.status_code == 201
    retry = _post(world, f"{BASE}/people", NEW, **key)
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    reused = _post(world, f"{BASE}/people", {**NEW, "employee_id": "E10"}, **key)
    assert (reused.status_code, reused.json()["code"]) == (422, "idempotency_key_reused")
    assert _events(world, "E10") == []
    version = first.json()["version"]
    assert version is None  # an agency-wide write: no one person's version
    person_version = len(_events(world))
    moved = _post(world, f"{PERSON}/assignment", {"unit": "Traffic"},
                  **{"If-Match": str(person_version)})  # fmt: skip
    assert moved.status_code == 201, moved.text
    stale = _post(world, f"{PERSON}/licence",
                  {"license_number": "L-2", "period_end": "2028-06-30"},
                  **{"If-Match": str(person_version)})  # fmt: skip
    assert (stale.status_code, stale.json()["code"]) == (409, "stale_version")


def test_agencies_are_the_callers_own(world: World) -> None:
    mine = world.client.get("/api/v1/agencies", headers=world.auth("coordinator"))
    assert [a["slug"] for a in mine.json()] == [AGENCY]
    assert mine.json()[0]["time_zone"] == "America/Chicago"
    assert world.client.get("/api/v1/agencies", headers=world.auth("admin")).json() == []
    one = world.client.get(f"/api/v1/agencies/{OTHER_AGENCY}", headers=world.auth("coordinator"))
    assert one.status_code == 403
    missing = world.client.get("/api/v1/agencies/nowhere", headers=world.auth("coordinator"))
    assert missing.status_code == 403  # no grant there: the same answer as any other agency


def test_a_supervisor_sees_their_unit_only(world: World) -> None:
    patrol = world.client.get(f"{BASE}/units/Patrol/roster", headers=world.auth("supervisor"))
    assert patrol.status_code == 200, patrol.text
    assert [p["employee_id"] for p in patrol.json()["people"]] == ["E1", "E2"]
    assert patrol.json()["unit"] == "Patrol"
    traffic = world.client.get(f"{BASE}/units/Traffic/roster", headers=world.auth("supervisor"))
    assert traffic.status_code == 403
    wide = world.client.get(f"{BASE}/units/Traffic/roster", headers=world.auth("command"))
    assert [p["employee_id"] for p in wide.json()["people"]] == ["E3"]
    actions = [e.action for e in world.services.audit.entries(agency=AGENCY)]
    assert actions.count("export.unit_roster") == 3


def test_trend_and_its_refusals(world: World) -> None:
    auth = world.auth("auditor")
    ok = world.client.get(f"{BASE}/trend?start=2025-01-01&end=2025-03-01&every=month", headers=auth)
    assert ok.status_code == 200, ok.text
    assert [p["as_of"] for p in ok.json()["points"]] == ["2025-01-01", "2025-02-01", "2025-03-01"]
    for query, field in (
        ("start=2025-03-01&end=2025-01-01", "end"),
        ("start=2025-01-01&end=2025-02-01&every=fortnight", "every"),
        ("start=2025-01-01&end=2025-02-30", "end"),
        ("start=1900-01-01&end=2025-01-01&every=day", "every"),
        ("start=2025-01-01&end=2025-02-01&known_at=whenever", "known_at"),
    ):
        refused = world.client.get(f"{BASE}/trend?{query}", headers=auth)
        assert (refused.status_code, refused.json()["field"]) == (422, field), query


def test_ledger_verify_answers_the_digest(world: World) -> None:
    answer = world.client.get(f"{BASE}/ledger/verify", headers=world.auth("auditor"))
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["ok"] is True
    assert report["breaks"] == 0
    assert len(report["root"]) == 64
    assert report["events"] > 0
    _post(world, f"{PERSON}/assignment", {"unit": "Traffic"})
    after = world.client.get(f"{BASE}/ledger/verify", headers=world.auth("auditor")).json()
    assert after["events"] == report["events"] + 1
    assert after["root"] != report["root"]
