"""The policy library's reads on both axes (issue 17 §4 follow-up), on both backends: the
library, one policy, a version's document and its quiz take ``as_of`` and ``known_at`` as
every other read does and state them in the answer. The attack: a version uploaded and
published later, a quiz replaced later, a policy assigned to the officer later, must not
leak into an answer at an earlier ``known_at`` (not listed, not nameable by number, hash or
prefix); an officer still reads only a published version of a policy that bound them
then."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from ledger.clock import SettableClock
from tests.http.conftest import AGENCY, World
from tests.http.test_policy_api import PDF, POLICY, QUIZ, TEXT, _upload

BASE = f"/api/v1/agencies/{AGENCY}"
PURSUIT = f"{BASE}/policies/pursuit"
V2 = b"# Use of force\n\nSecond wording: de-escalate first, then only what is reasonable.\n"
LATER_QUIZ = {**QUIZ, "pass_mark": 50}


def _get(world: World, path: str, who: str, **params: str) -> Any:
    return world.client.get(path, params=params, headers=world.auth(who))


def _write(world: World, method: str, path: str, body: dict[str, Any]) -> None:
    done = world.client.request(method, path, json=body, headers=world.auth("coordinator"))
    assert done.status_code in (200, 201), done.text


def _history(world: World, clock: SettableClock) -> tuple[datetime, str, str, str]:
    """v1 with its quiz, published and assigned to Traffic (not E1's unit) by T1; then, an
    hour later, v2 uploaded, published and quizzed, v1's quiz replaced, a draft uploaded,
    the policy assigned to Patrol (E1's unit) and a second policy for everyone."""
    v1 = _upload(world, TEXT).json()["id"]
    _write(world, "PUT", f"{POLICY}/versions/{v1}/quiz", QUIZ)
    _write(world, "POST", f"{POLICY}/publications", {"version": v1, "effective_on": "2025-02-01"})
    traffic = {"audience": ["unit:Traffic"], "due_days": 14, "effective_on": "2025-02-01"}
    _write(world, "POST", f"{POLICY}/assignments", traffic)
    t1 = clock.now + timedelta(minutes=30)  # after every write above, before any below
    clock.set(t1 + timedelta(minutes=30))
    v2 = _upload(world, V2).json()["id"]
    _write(world, "PUT", f"{POLICY}/versions/{v2}/quiz", QUIZ)
    _write(world, "POST", f"{POLICY}/publications", {"version": v2, "effective_on": "2025-02-20"})
    _write(world, "PUT", f"{POLICY}/versions/{v1}/quiz", LATER_QUIZ)
    draft = _upload(world, b"# Use of force\n\nA draft.\n").json()["id"]
    _write(world, "POST", f"{POLICY}/assignments",
           {"audience": ["unit:Patrol"], "due_days": 14, "effective_on": "2025-02-01"})  # fmt: skip
    world.client.post(
        f"{PURSUIT}/versions",
        data={"title": "Vehicle pursuit"},
        files={"document": ("p.pdf", PDF, "application/pdf")},
        headers=world.auth("coordinator"),
    )
    _write(world, "POST", f"{PURSUIT}/publications", {"version": hashlib.sha256(PDF).hexdigest()})
    _write(world, "POST", f"{PURSUIT}/assignments", {"audience": ["everyone"], "due_days": 14})
    clock.set(t1 + timedelta(hours=2))
    return t1, v1, v2, draft


def test_an_earlier_known_at_sees_nothing_recorded_later(
    world: World, clock: SettableClock
) -> None:
    t1, v1, v2, draft = _history(world, clock)
    then = t1.astimezone(UTC).isoformat()

    # The library now: both policies, v1, v2 and the draft, v2 in force.
    now = _get(world, f"{BASE}/policies", "coordinator")
    assert now.status_code == 200, now.text
    assert {p["policy_id"] for p in now.json()["policies"]} == {"use-of-force", "pursuit"}
    assert now.json()["as_of"] == "2025-03-01"
    # At T1: one policy, one version, one publication, one assignment; v1 in force.
    past = _get(world, f"{BASE}/policies", "coordinator", known_at=then)
    assert past.status_code == 200, past.text
    body = past.json()
    assert (body["known_at"], body["as_of"]) == (then, "2025-03-01")
    [entry] = body["policies"]
    assert [v["version_hash"] for v in entry["versions"]] == [v1]
    assert [p["number"] for p in entry["publications"]] == [1]
    assert [a["audience"] for a in entry["assignments"]] == [["unit:Traffic"]]
    assert entry["in_force"] == 1
    for leaked in (v2, draft):
        assert leaked not in past.text
    # as_of: before v1 was in force, none is.
    early = _get(world, f"{BASE}/policies", "auditor", known_at=then, as_of="2025-01-15")
    assert early.json()["as_of"] == "2025-01-15"
    assert early.json()["policies"][0]["in_force"] is None

    # One policy at T1: only v1's quiz, as it was then (pass mark 100, not the later 50).
    detail = _get(world, POLICY, "coordinator", known_at=then).json()
    assert (detail["known_at"], detail["as_of"]) == (then, "2025-03-01")
    assert list(detail["quizzes"]) == [v1]
    assert detail["quizzes"][v1]["pass_mark"] == "100"
    assert _get(world, POLICY, "coordinator").json()["quizzes"][v1]["pass_mark"] == "50"
    assert _get(world, PURSUIT, "coordinator", known_at=then).status_code == 404

    # A later version cannot be named at T1, by number, hash or prefix, by anyone.
    for ref in ("2", v2, v2[:12], draft, draft[:8]):
        for part in ("document", "quiz"):
            path = f"{POLICY}/versions/{ref}/{part}"
            assert _get(world, path, "coordinator", known_at=then).status_code == 404, ref
            assert _get(world, path, "officer1", known_at=then).status_code == 403, ref
    # ... while now the coordinator reads them.
    assert _get(world, f"{POLICY}/versions/2/document", "coordinator").content == V2
    assert _get(world, f"{POLICY}/versions/{draft[:12]}/document", "coordinator").status_code == 200

    # The quiz as set then, with the axes stated.
    quiz = _get(world, f"{POLICY}/versions/1/quiz", "coordinator", known_at=then).json()
    assert (quiz["pass_mark"], quiz["version_hash"], quiz["number"]) == ("100", v1, 1)
    assert (quiz["known_at"], quiz["as_of"]) == (then, "2025-03-01")
    assert _get(world, f"{POLICY}/versions/1/quiz", "coordinator").json()["pass_mark"] == "50"
    document = _get(world, f"{POLICY}/versions/1/document", "coordinator", known_at=then)
    assert document.content == TEXT
    assert document.headers["muster-known-at"] == then
    assert document.headers["muster-as-of"] == "2025-03-01"


def test_an_officer_at_a_past_known_at_sees_what_bound_them_then(
    world: World, clock: SettableClock
) -> None:
    t1, _, _, draft = _history(world, clock)
    then = t1.astimezone(UTC).isoformat()
    doc, quiz = f"{POLICY}/versions/1/document", f"{POLICY}/versions/1/quiz"
    # At T1 the policy bound Traffic only: E1 (Patrol) may not read it, nor its quiz.
    assert _get(world, doc, "officer1", known_at=then).status_code == 403
    assert _get(world, quiz, "officer1", known_at=then).status_code == 403
    # Now it binds Patrol: v1 and v2 (published), never the draft, never the answers.
    assert _get(world, doc, "officer1").content == TEXT
    assert _get(world, f"{POLICY}/versions/2/document", "officer1").content == V2
    assert _get(world, f"{POLICY}/versions/{draft}/document", "officer1").status_code == 403
    shown = _get(world, quiz, "officer1").json()
    assert [q["correct"] for q in shown["questions"]] == [None]
    # The pursuit policy (everyone, recorded after T1): now yes, at T1 as if it never was.
    assert _get(world, f"{PURSUIT}/versions/1/document", "officer1").status_code == 200
    refused = _get(world, f"{PURSUIT}/versions/1/document", "officer1", known_at=then)
    assert refused.status_code == 403
    # At an as_of before the assignment took effect it bound nobody.
    early = _get(world, doc, "officer1", as_of="2025-01-15")
    assert early.status_code == 403
    # The library itself stays agency-wide, at any known_at.
    assert _get(world, f"{BASE}/policies", "officer1", known_at=then).status_code == 403
    denied = [e for e in world.services.audit.entries(agency=AGENCY) if e.outcome == "denied"]
    assert len(denied) >= 4


def test_a_bad_known_at_or_as_of_is_refused_naming_the_field(world: World) -> None:
    for path in (f"{BASE}/policies", POLICY, f"{POLICY}/versions/1/document"):
        bad = _get(world, path, "coordinator", known_at="yesterday")
        assert (bad.status_code, bad.json()["field"]) == (422, "known_at"), bad.text
        day = _get(world, path, "coordinator", as_of="2025-02-30")
        assert (day.status_code, day.json()["field"]) == (422, "as_of"), day.text


def test_the_openapi_document_states_both_axes_on_every_library_read(world: World) -> None:
    paths = world.client.get("/api/v1/openapi.json").json()["paths"]
    prefix = "/api/v1/agencies/{agency}/policies"
    version = prefix + "/{policy_id}/versions/{version}"
    for path in (prefix, prefix + "/{policy_id}", version + "/document", version + "/quiz"):
        names = {p["name"] for p in paths[path]["get"]["parameters"]}
        assert {"as_of", "known_at"} <= names, path
        assert "known_at" in paths[path]["get"]["description"]
    schemas = world.client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    for name in ("Library", "PolicyDetail", "QuizAnswer"):
        assert {"as_of", "known_at"} <= set(schemas[name]["properties"]), name
