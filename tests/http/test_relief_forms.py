"""The licence-renewal and relief forms on a person's manage page (issue 16 §1:
"licence renewal, exemption/waiver/extension"; unhappy paths said beside the field,
nothing appended). In process, both backends."""

from __future__ import annotations

from typing import Any

import pytest

from tests.http.conftest import World
from tests.http.test_person_forms import MANAGE, _beside, _post, _timeline
from tests.http.test_request_pages import events, log_in

RELIEF = {"starts_on": "2025-01-10", "ends_on": "2025-02-10", "reason": "deployment",
          "approver": "Chief Ruiz"}  # fmt: skip


@pytest.mark.parametrize(
    ("what", "event"),
    [
        ("exemption:military_leave", "ExemptionGranted"),
        ("waiver", "WaiverGranted"),
        ("extension", "ExtensionGranted"),
    ],
)
def test_relief_is_granted_from_the_page(world: World, what: str, event: str) -> None:
    token = log_in(world, "coordinator")
    assert "Exemption: military leave" in world.client.get(MANAGE).text
    before = events(world)
    data = {**RELIEF, "what": what}
    if what == "extension":
        data["ends_on"] = "2026-12-31"
    answer = _post(world, "/relief", token, **data)
    assert answer.status_code == 303, answer.text
    assert events(world) == before + 1
    assert _timeline(world)[-1]["event"] == event


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"what": ""}, "what", "Choose an exemption"),
        ({"what": "exemption:sabbatical"}, "what", "Choose an exemption"),
        ({"starts_on": "2025-03-09"}, "starts_on", "after today"),
        ({"reason": ""}, "reason", "Say why"),
        ({"approver": " "}, "approver", "Say who approved"),
        ({"what": "waiver", "ends_on": ""}, "ends_on", "Enter the day it ends"),
    ],
)
def test_a_refused_relief_says_why_and_appends_nothing(
    world: World, change: dict[str, str], field: str, says: str
) -> None:
    token = log_in(world, "coordinator")
    before = events(world)
    answer = _post(world, "/relief", token, **{**RELIEF, "what": "exemption:medical_leave",
                                                 **change})  # fmt: skip
    assert answer.status_code == 422, answer.text
    assert says in _beside(answer.text, f"relief-{field}")
    assert events(world) == before


def test_a_licence_renewal_and_its_refusals(world: World) -> None:
    token = log_in(world, "coordinator")
    before = events(world)
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"renewed_on": "2025-03-05", "period_end": "2029-06-30"}, "renewed_on", "after today"),
        ({"renewed_on": "2025-02-01", "period_end": "2026-01-01"}, "period_end", "must be after"),
        ({"renewed_on": "", "period_end": "2029-06-30"}, "renewed_on", "Enter the renewal date"),
    ]
    for data, field, says in cases:
        answer = _post(world, "/licence", token, **data)
        assert answer.status_code == 422, (data, answer.text)
        assert says in _beside(answer.text, f"licence-{field}")
    assert events(world) == before
    done = _post(world, "/licence", token, renewed_on="2025-02-01", period_end="2029-06-30")
    assert done.status_code == 303, done.text
    assert _timeline(world)[-1]["event"] == "LicenseRenewed"
    assert events(world) == before + 1


def test_only_coordinators_grant(world: World) -> None:
    before = events(world)
    for who in ("officer1", "supervisor", "auditor", "other-coordinator"):
        token = log_in(world, who)
        data = {**RELIEF, "what": "waiver"}
        assert _post(world, "/relief", token, **data).status_code == 403
        assert _post(world, "/licence", token, renewed_on="2025-02-01").status_code == 403
    assert events(world) == before
