"""The dashboard's unit page across the three tracks (issue 17 §3), on both backends: by
default each person's status is across the tracks, with each track's and the credential's
reason; ``?track=state`` shows the state page as before; an unknown track is refused."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from tests.credentials.helpers import FIREARMS, GLOCK
from tests.web.conftest import ACTOR, AGENCY, WebWorld
from tests.web.test_web_session import login


def test_the_unit_page_shows_the_status_across_the_tracks(
    web_world: WebWorld, web_client: TestClient
) -> None:
    ledger = web_world.ledger
    ledger.define_credential_type(
        AGENCY, "firearms", effective_on=date(2020, 1, 1), actor=ACTOR, **FIREARMS
    )
    ledger.issue_weapon(AGENCY, "E1", weapon=GLOCK, on=date(2024, 1, 2), actor=ACTOR)
    login(web_client, web_world, "supervisor")
    page = web_client.get(f"/agencies/{AGENCY}/units/Patrol")
    assert page.status_code == 200, page.text
    assert "tracks: state, credential, policy" in page.text
    assert "credential non compliant" in page.text
    assert "<strong>credential firearms[A1]</strong>" in page.text
    state = web_client.get(f"/agencies/{AGENCY}/units/Patrol", params={"track": "state"})
    assert state.status_code == 200
    assert "tracks:" not in state.text
    assert "firearms[A1]" not in state.text
    refused = web_client.get(f"/agencies/{AGENCY}/units/Patrol", params={"track": "k9"})
    assert refused.status_code == 422
