"""The credential type admin page and the range-day qualification roster in-process, on
both backends (issue 17): who reaches them (the coordinator writes; command and the auditor
read the types, no form; an officer neither), a new version changes no earlier day, and a
roster with any error appends nothing and says each error beside its field."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from replay.tracks import person_tracks, programme_at
from tests.credentials.helpers import FIREARMS
from tests.web.conftest import AGENCY, OTHER_AGENCY, WebWorld
from tests.web.test_web_session import login

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_POST_FORM = re.compile(r'<form[^>]*method="post"[^>]*>', re.I)
TYPES = f"/agencies/{AGENCY}/credential-types"
ROSTER = f"/agencies/{AGENCY}/qualifications"
ROLES = [
    "officer1",
    "supervisor",
    "coordinator",
    "command",
    "auditor",
    "admin",
    "other-coordinator",
    "nobody",
]
ACTOR = "user:test"
TYPE_FORM = {
    "name": "TASER user",
    "holders": "kind:sworn",
    "earned_by": "qualification",
    "validity": "months",
    "validity_months": "12",
    "passing_score": "",
    "max_score": "",
    "renewal_days": "0",
    "warning_days": "30",
    "per_weapon": "",
    "weapon_classes": "",
}


def _firearms(world: WebWorld) -> None:
    if "firearms" not in world.facts:
        world.ledger.define_credential_type(
            AGENCY, "firearms", effective_on=date(2020, 1, 1), actor=ACTOR, **FIREARMS
        )
        world.facts["firearms"] = True


def _token(client: TestClient) -> str:
    found = _TOKEN.search(client.get("/inbox").text)
    assert found is not None
    return found.group(1)


def _events(world: WebWorld) -> int:
    return world.ledger.store.count_events()


def _post_forms(text: str) -> list[str]:
    return [f for f in _POST_FORM.findall(text) if 'action="/logout"' not in f]


@pytest.mark.parametrize("role", ROLES)
def test_the_credential_pages_check_the_policies(
    web_world: WebWorld, web_client: TestClient, role: str
) -> None:
    _firearms(web_world)
    login(web_client, web_world, role)
    pages = {
        TYPES: {"coordinator", "command", "auditor"},
        ROSTER: {"coordinator"},
        f"/agencies/{OTHER_AGENCY}/credential-types": {"other-coordinator"},
        f"/agencies/{OTHER_AGENCY}/qualifications": {"other-coordinator"},
    }
    for path, allowed in pages.items():
        page = web_client.get(path, follow_redirects=False)
        assert page.status_code in (200, 403), (role, path, page.status_code)
        assert (page.status_code == 200) == (role in allowed), (role, path)
        if page.status_code == 200 and role != "coordinator" and role != "other-coordinator":
            assert _post_forms(page.text) == [], (role, path)  # command, auditor: no form
    token = _token(web_client) if role != "nobody" else "0" * 64
    before = _events(web_world)
    posts = {
        TYPES: {**TYPE_FORM, "type_id": f"t-{role}", "effective_on": "2025-01-01"},
        f"{TYPES}/firearms": {
            **TYPE_FORM,
            "name": "Firearms",
            "effective_on": "2025-01-01",
            "reason": "matrix",
        },
        f"{TYPES}/firearms/retire": {"effective_on": "2030-01-01", "reason": "matrix"},
        ROSTER: {
            "credential_type": "firearms",
            "on": "2025-03-01",
            "instructor": "Sgt",
            "weapon_class": "handgun",
            "employee": "E1",
            "result": "fail",
            "score": "10",
            "serial": "A1",
        },
    }
    for path, data in posts.items():
        done = web_client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)
        assert done.status_code in (303, 403, 422), (role, path, done.status_code, done.text[:400])
        if role != "coordinator":
            assert done.status_code == 403, (role, path)
    if role != "coordinator":
        assert _events(web_world) == before


def test_a_coordinator_defines_changes_and_retires_a_type(
    web_world: WebWorld, web_client: TestClient
) -> None:
    ledger = web_world.ledger
    login(web_client, web_world, "coordinator")
    token = _token(web_client)
    before = _events(web_world)
    # Each refusal beside its field, nothing appended.
    for data, field in (
        ({"type_id": "Bad Id!"}, "d-type_id-error"),
        ({"validity_months": ""}, "d-validity_months-error"),
        ({"validity_months": "twelve"}, "d-validity_months-error"),
        ({"passing_score": "80"}, "d-max_score-error"),
        ({"holders": "rank"}, "d-holders-error"),
        ({"effective_on": "2025-02-30"}, "d-effective_on-error"),
        ({"per_weapon": "on"}, "d-weapon_classes-error"),
    ):
        body = {
            **TYPE_FORM,
            "type_id": "taser",
            "effective_on": "2025-01-01",
            **data,
            "csrf_token": token,
        }
        refused = web_client.post(TYPES, data=body)
        assert refused.status_code == 422, data
        assert f'id="{field}"' in refused.text, (
            data,
            re.findall(r"field-error[^<]*<", refused.text),
        )
        assert "Nothing was recorded" in refused.text
        assert 'value="TASER user"' in refused.text  # what was typed comes back
    assert _events(web_world) == before
    done = web_client.post(
        TYPES,
        data={**TYPE_FORM, "type_id": "taser", "effective_on": "2024-01-01", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    again = web_client.post(
        TYPES,
        data={**TYPE_FORM, "type_id": "taser", "effective_on": "2024-01-01", "csrf_token": token},
    )
    assert again.status_code == 422
    assert 'id="d-type_id-error"' in again.text
    # A change without a reason is refused; with one, version 2 from 2025-06-01.
    change = {
        **TYPE_FORM,
        "validity_months": "24",
        "effective_on": "2025-06-01",
        "csrf_token": token,
    }
    refused = web_client.post(f"{TYPES}/taser", data=change)
    assert refused.status_code == 422
    assert 'id="c-taser-reason-error"' in refused.text
    done = web_client.post(
        f"{TYPES}/taser", data={**change, "reason": "two-year cycle"}, follow_redirects=False
    )
    assert done.status_code == 303
    programme = programme_at(ledger, AGENCY, ledger.clock() + timedelta(seconds=1))
    assert programme.type_on("taser", date(2025, 5, 31)).validity_months == 12  # type: ignore[union-attr]
    assert programme.type_on("taser", date(2025, 6, 1)).validity_months == 24  # type: ignore[union-attr]
    page = web_client.get(TYPES)
    assert "24 months" in page.text
    assert "12 months" in page.text
    # The page as the records stood before the change: one version, and no write form.
    travelled = web_client.get(TYPES, params={"known_at": "2025-03-01"})
    assert "24 months" not in travelled.text
    assert _post_forms(travelled.text) == []
    retired = web_client.post(
        f"{TYPES}/taser/retire",
        data={"effective_on": "2026-01-01", "reason": "replaced", "csrf_token": token},
        follow_redirects=False,
    )
    assert retired.status_code == 303
    assert "retired from 2026-01-01" in web_client.get(TYPES).text
    unknown = web_client.post(f"{TYPES}/nope", data={**change, "reason": "x"})
    assert unknown.status_code == 422


def test_a_coordinator_defines_a_type_earned_by_training_hours(
    web_world: WebWorld, web_client: TestClient
) -> None:
    """The topics, hours and window: each refusal beside its field with nothing appended;
    the type recorded, its versions' row says the hours, and the change form offers them."""
    login(web_client, web_world, "coordinator")
    token = _token(web_client)
    hours = {
        **TYPE_FORM,
        "name": "Tactics proficiency",
        "earned_by": "training_hours",
        "topics": "firearms, defensive_tactics",
        "hours_required": "16",
        "hours_window_months": "12",
        "type_id": "tactics",
        "effective_on": "2024-01-01",
        "csrf_token": token,
    }
    before = _events(web_world)
    for data, field in (
        ({"topics": ""}, "d-topics-error"),
        ({"topics": "Fire-Arms"}, "d-topics-error"),
        ({"hours_required": "0"}, "d-hours_required-error"),
        ({"hours_required": "many"}, "d-hours_required-error"),
        ({"hours_window_months": ""}, "d-hours_window_months-error"),
        ({"hours_window_months": "a year"}, "d-hours_window_months-error"),
        ({"earned_by": "qualification"}, "d-earned_by-error"),
    ):
        refused = web_client.post(TYPES, data={**hours, **data})
        assert refused.status_code == 422, data
        assert f'id="{field}"' in refused.text, (
            data,
            re.findall(r"field-error[^<]*<", refused.text),
        )
        assert 'value="Tactics proficiency"' in refused.text
    assert _events(web_world) == before
    done = web_client.post(TYPES, data=hours, follow_redirects=False)
    assert done.status_code == 303
    programme = programme_at(web_world.ledger, AGENCY, web_world.ledger.clock() + timedelta(1))
    version = programme.type_on("tactics", date(2024, 6, 1))
    assert version is not None
    assert (version.topics, version.hours_required, version.hours_window_months) == (
        ("defensive_tactics", "firearms"),
        16,
        12,
    )
    page = web_client.get(TYPES).text
    assert "16 hours in defensive_tactics, firearms within 12 months" in page
    assert 'value="defensive_tactics, firearms"' in page  # the change form, filled in


def test_a_range_day_roster_is_all_or_nothing_with_errors_beside_fields(
    web_world: WebWorld, web_client: TestClient
) -> None:
    _firearms(web_world)
    ledger = web_world.ledger
    login(web_client, web_world, "coordinator")
    form = web_client.get(ROSTER)
    assert form.status_code == 200
    assert form.text.count('name="employee"') == 8
    assert web_client.get(ROSTER, params={"rows": "30"}).text.count('name="employee"') == 30
    assert web_client.get(ROSTER, params={"rows": "9999"}).text.count('name="employee"') == 100
    token = _token(web_client)
    shared = {
        "credential_type": "firearms",
        "on": "2025-03-01",
        "instructor": "Sgt. Range",
        "weapon_class": "handgun",
        "make_model": "Glock 17",
        "csrf_token": token,
    }

    def rows(*given: tuple[str, str, str, str]) -> dict[str, list[str]]:
        return {
            "employee": [g[0] for g in given] + [""] * 2,
            "result": [g[1] for g in given] + ["pass"] * 2,
            "score": [g[2] for g in given] + [""] * 2,
            "serial": [g[3] for g in given] + [""] * 2,
        }

    before = _events(web_world)
    bad = rows(
        ("E1", "pass", "50", "A1"),
        ("NOPE", "pass", "90", "Z9"),
        ("E2", "fail", "40", "B2"),
        ("E2", "pass", "90", "B2"),
        ("E3", "pass", "abc", "C3"),
        ("E4", "pass", "90", ""),
    )
    refused = web_client.post(ROSTER, data={**shared, **bad})
    assert refused.status_code == 422
    text = refused.text
    for field in ("row0-score", "row1-employee", "row3-employee", "row4-score", "row5-serial"):
        assert f'id="{field}-error"' in text, field
    assert 'id="row2-' not in text.replace('id="row2-employee"', "").replace(
        'id="row2-result"', ""
    ).replace('id="row2-score"', "").replace('id="row2-serial"', "")
    assert "needs a score of at least 80" in text
    assert 'value="NOPE"' in text  # what was typed comes back
    assert _events(web_world) == before  # E2's valid failure is not recorded either
    for missing, field in (
        ({"credential_type": ""}, "credential_type"),
        ({"on": "2099-01-01"}, "on"),
        ({"instructor": " "}, "instructor"),
        ({"weapon_class": "rifle"}, "weapon_class"),
    ):
        one = rows(("E1", "pass", "95", "A1"))
        refused = web_client.post(ROSTER, data={**shared, **one, **missing})
        assert refused.status_code == 422, missing
        assert f'id="{field}-error"' in refused.text, missing
    empty = web_client.post(ROSTER, data={**shared, **rows()})
    assert empty.status_code == 422
    assert 'id="row0-employee-error"' in empty.text
    assert _events(web_world) == before
    # The whole class at once.
    good = rows(("E1", "pass", "95", "A1"), ("E2", "fail", "60", "B2"), ("E3", "pass", "88", "C3"))
    done = web_client.post(ROSTER, data={**shared, **good}, follow_redirects=False)
    assert done.status_code == 303
    assert _events(web_world) == before + 3
    assert "Recorded 3 attempts (2 passed)." in web_client.get(done.headers["location"]).text
    tracks = person_tracks(ledger, AGENCY, "E2", date(2025, 3, 2), None, ("credential",))
    assert all(i["status"] != "compliant" for i in tracks["items"])  # a failure grants nothing


def test_an_officer_and_an_auditor_reach_no_credential_form(
    web_world: WebWorld, web_client: TestClient
) -> None:
    _firearms(web_world)
    login(web_client, web_world, "auditor")
    page = web_client.get(TYPES)
    assert page.status_code == 200
    assert "Firearms qualification" in page.text
    assert _post_forms(page.text) == []
    assert web_client.get(ROSTER).status_code == 403
    web_client.cookies.clear()
    login(web_client, web_world, "officer1")
    assert web_client.get(TYPES).status_code == 403
    assert web_client.get(ROSTER).status_code == 403
