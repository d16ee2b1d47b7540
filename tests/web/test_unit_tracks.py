"""The dashboard's unit, overview and command pages across the three tracks (issue 17 §3),
on both backends: by default each person's status is across the tracks, with each track's
and the credential's reason, the credential and requirements named by their titles;
``?track=state`` shows the state page as before; an unknown track is refused."""

from __future__ import annotations

import html
import re
from datetime import date

from fastapi.testclient import TestClient

from ledger.application import Ledger
from replay.track_answers import roster_across
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
    assert "<strong>Firearms qualification (A1)</strong> (credential)" in page.text
    state = web_client.get(f"/agencies/{AGENCY}/units/Patrol", params={"track": "state"})
    assert state.status_code == 200
    assert "tracks:" not in state.text
    assert "Firearms qualification" not in state.text
    refused = web_client.get(f"/agencies/{AGENCY}/units/Patrol", params={"track": "k9"})
    assert refused.status_code == 422


def _firearms_due(ledger: Ledger) -> None:
    """E1 (sworn, Patrol) carries a Glock and has never qualified: short on the credential."""
    ledger.define_credential_type(
        AGENCY, "firearms", effective_on=date(2020, 1, 1), actor=ACTOR, **FIREARMS
    )
    ledger.issue_weapon(AGENCY, "E1", weapon=GLOCK, on=date(2024, 1, 2), actor=ACTOR)


def _tile(page: str, label: str) -> int | None:
    found = re.search(rf'<span class="n">(\d+)</span><span class="l">{label}</span>', page)
    return None if found is None else int(found.group(1))


def test_the_overview_counts_and_lists_across_the_tracks_by_title(
    web_world: WebWorld, web_client: TestClient
) -> None:
    login(web_client, web_world, "coordinator")
    state_before = web_client.get(f"/agencies/{AGENCY}")
    assert state_before.status_code == 200, state_before.text
    _firearms_due(web_world.ledger)
    roster = roster_across(web_world.ledger, AGENCY, None)  # what the page reads
    e1 = next(p for p in roster["people"] if p["employee_id"] == "E1")
    assert e1["tracks"]["credential"] == "non_compliant"
    page = web_client.get(f"/agencies/{AGENCY}")
    assert page.status_code == 200, page.text
    text = page.text
    assert "tracks: state, credential, policy" in text
    # The tiles count the status across the tracks, as the API's roster does.
    for status, n in roster["counts"].items():
        assert _tile(text, status.replace("_", " ")) == n, status
    overdue = text.split('id="overdue-h"', 1)[1].split("</section>", 1)[0]
    assert ">E1</a>" in overdue
    assert "<strong>Firearms qualification (A1)</strong> (credential)" in overdue
    gaps = text.split('id="gaps-h"', 1)[1].split("</section>", 1)[0]
    assert "<td>Firearms qualification (A1) (credential)</td>" in gaps
    # Requirements are named by their titles from the rule catalogue, never by bare ids.
    titles = {
        rid: r["title"]
        for version in roster["rule_versions"].values()
        for rid, r in version["requirements"].items()
    }
    shown = re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">", gaps)
    assert shown, gaps
    for cell in shown:
        cell = html.unescape(cell)
        assert cell not in titles, f"a bare requirement id in the gaps: {cell}"
    state = web_client.get(f"/agencies/{AGENCY}", params={"track": "state"})
    assert state.status_code == 200
    assert "tracks:" not in state.text
    assert "Firearms qualification" not in state.text
    # The state track alone is the page as it was before any credential was defined.
    for status in roster["counts"]:
        label = status.replace("_", " ")
        assert _tile(state.text, label) == _tile(state_before.text, label), status
    refused = web_client.get(f"/agencies/{AGENCY}", params={"track": "k9"})
    assert refused.status_code == 422


def test_the_command_view_counts_each_unit_across_the_tracks(
    web_world: WebWorld, web_client: TestClient
) -> None:
    _firearms_due(web_world.ledger)
    login(web_client, web_world, "command")
    page = web_client.get(f"/agencies/{AGENCY}/command")
    assert page.status_code == 200, page.text
    assert "tracks: state, credential, policy" in page.text
    row = page.text.split('<a href="/agencies/mpls/units/Patrol', 1)[1].split("</tr>", 1)[0]
    assert re.search(r'data-label="non compliant" class="num">[1-9]', row), row
    state = web_client.get(f"/agencies/{AGENCY}/command", params={"track": "state"})
    assert state.status_code == 200
    assert "tracks:" not in state.text
