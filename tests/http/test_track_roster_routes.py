"""The roster, the unit roster and the trend routes across the three tracks (issue 17 §3),
on both backends: by default every track, ``track=`` one (``state``, ``credentials``,
``policies``); ``track=state`` is the state roster byte for byte; an unknown track is a
422."""

from __future__ import annotations

from datetime import date, datetime

from replay.asof import roster
from tests.credentials.helpers import FIREARMS, GLOCK
from tests.http.conftest import ACTOR, AGENCY, World

BASE = f"/api/v1/agencies/{AGENCY}"
# The known_at is after every write (the test clock stands still): clamped to the horizon.
DAY = {"as_of": "2025-03-01", "known_at": "2025-03-01T13:00:00+00:00"}


def _programme(world: World) -> None:
    """Firearms bind the sworn (E1 and E2 hold a Glock and never qualified)."""
    world.ledger.define_credential_type(
        AGENCY, "firearms", effective_on=date(2020, 1, 1), actor=ACTOR, **FIREARMS
    )
    for employee_id in ("E1", "E2"):
        world.ledger.issue_weapon(
            AGENCY, employee_id, weapon=GLOCK, on=date(2023, 6, 1), actor=ACTOR
        )


def test_the_roster_answers_across_the_tracks_and_each_alone(world: World) -> None:
    _programme(world)
    coordinator = world.auth("coordinator")
    everything = world.client.get(f"{BASE}/roster", params=DAY, headers=coordinator)
    assert everything.status_code == 200, everything.text
    answer = everything.json()
    assert answer["tracks_shown"] == ["state", "credential", "policy"]
    e1 = next(p for p in answer["people"] if p["employee_id"] == "E1")
    assert e1["tracks"]["credential"] == "non_compliant"
    assert e1["status"] == "non_compliant"
    assert any(r.startswith("credential firearms[A1]:") for r in e1["reasons"])
    assert answer["counts_by_track"]["credential"]["non_compliant"] >= 2
    credentials = world.client.get(
        f"{BASE}/roster", params={**DAY, "track": "credentials"}, headers=coordinator
    ).json()
    assert list(credentials["counts_by_track"]) == ["credential"]
    assert {p["tracks"]["credential"] for p in credentials["people"]} >= {"non_compliant"}
    state = world.client.get(
        f"{BASE}/roster", params={**DAY, "track": "state"}, headers=coordinator
    )
    moment = datetime.fromisoformat(DAY["known_at"])
    assert state.content == roster(world.ledger, AGENCY, date(2025, 3, 1), moment).to_json()
    assert "tracks" not in state.json()["people"][0]
    bad = world.client.get(f"{BASE}/roster", params={"track": "k9"}, headers=coordinator)
    assert bad.status_code == 422
    assert "credentials or policies" in bad.text


def test_the_unit_roster_and_the_trend_answer_across_the_tracks(world: World) -> None:
    _programme(world)
    supervisor, coordinator = world.auth("supervisor"), world.auth("coordinator")
    unit = world.client.get(
        f"{BASE}/units/Patrol/roster", params={**DAY, "track": "credentials"}, headers=supervisor
    )
    assert unit.status_code == 200, unit.text
    document = unit.json()
    assert "counts_by_track" not in document  # the agency's counts, as ``counts``
    assert {p["employee_id"] for p in document["people"]} <= {"E1", "E2"}
    assert all(list(p["tracks"]) == ["credential"] for p in document["people"])
    trend = world.client.get(
        f"{BASE}/trend",
        params={"start": "2025-01-01", "end": "2025-03-01", "every": "month", "track": "state"},
        headers=coordinator,
    )
    assert trend.status_code == 200, trend.text
    assert "tracks_shown" not in trend.json()
    across = world.client.get(
        f"{BASE}/trend",
        params={"start": "2025-01-01", "end": "2025-03-01", "every": "month"},
        headers=coordinator,
    ).json()
    assert across["tracks_shown"] == ["state", "credential", "policy"]
    assert all(p["counts_by_track"]["credential"].get("non_compliant") for p in across["points"])
    assert (
        world.client.get(
            f"{BASE}/trend",
            params={"start": "2025-01-01", "end": "2025-03-01", "track": "nope"},
            headers=coordinator,
        ).status_code
        == 422
    )
