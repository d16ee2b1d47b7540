"""The dashboard's download buttons for audit packets (issue 19 after the dashboard): the
person page and the overview offer the packet to the roles that may export (coordinator,
auditor) and to no other; the download is the library's packet for the page's own as_of
and known_at, verifies offline, and is a read-audit entry; a refused download is audited
as denied and gives no bytes. Both backends."""

from __future__ import annotations

import html
import re
from datetime import date, datetime

import pytest
from fastapi.testclient import TestClient

from api.http.services import open_side_database
from ledger.read_audit import ReadAudit
from replay.packet import person_packet
from replay.packet_verifier import read_members, verify_packet
from tests.web.conftest import AGENCY, OTHER_AGENCY, WebWorld
from tests.web.test_web_session import login

AS_OF = "2025-02-28"


def _link(page: str, label: str) -> str | None:
    found = re.search(r'<a class="button" href="([^"]+)" download>' + re.escape(label), page)
    return None if found is None else html.unescape(found.group(1))


def _audited(world: WebWorld) -> list[tuple[str, str, str, str]]:
    side = open_side_database(world.ledger)
    try:
        return [
            (e.actor, e.action, e.object, e.outcome)
            for e in ReadAudit(side).entries(agency=AGENCY, limit=1000)
        ]
    finally:
        side.close()


def test_the_person_page_offers_the_packet_of_its_own_dates_and_it_verifies(
    web_world: WebWorld, web_client: TestClient
) -> None:
    login(web_client, web_world, "auditor")
    page = web_client.get(f"/agencies/{AGENCY}/people/E2", params={"as_of": AS_OF})
    assert page.status_code == 200
    href = _link(page.text, "Download audit packet")
    assert href is not None
    assert href.startswith(f"/agencies/{AGENCY}/people/E2/packet.zip?")
    assert AS_OF in href
    download = web_client.get(href)
    assert download.status_code == 200, download.text[:300]
    assert download.headers["content-type"] == "application/zip"
    assert download.headers["content-disposition"] == (
        f'attachment; filename="{AGENCY}-E2-packet.zip"'
    )
    data = download.content
    assert verify_packet(data) == []
    digest = read_members(data)["digest.json"]
    known_at = digest.split(b'"known_at": "')[1].split(b'"')[0].decode()
    # The very bytes the library (and so the API and muster export) builds for that query.
    again = person_packet(
        web_world.ledger, AGENCY, "E2", date.fromisoformat(AS_OF), datetime.fromisoformat(known_at)
    )
    assert again == data
    assert ("account:auditor", "export.packet", f"person:{AGENCY}/E2", "allowed") in _audited(
        web_world
    )


def test_the_overview_offers_the_agencys_packet_to_a_coordinator(
    web_world: WebWorld, web_client: TestClient
) -> None:
    login(web_client, web_world, "coordinator")
    page = web_client.get(f"/agencies/{AGENCY}")
    href = _link(page.text, "Download the agency")
    assert href is not None
    download = web_client.get(href)
    assert download.status_code == 200, download.text[:300]
    assert verify_packet(download.content) == []
    assert b'"employee_id": "E1"' in read_members(download.content)["answer.json"]


@pytest.mark.parametrize("role", ["command", "supervisor", "officer1", "other-coordinator"])
def test_no_other_role_is_offered_or_given_a_packet(
    web_world: WebWorld, web_client: TestClient, role: str
) -> None:
    login(web_client, web_world, role)
    person = web_client.get(f"/agencies/{AGENCY}/people/E1")
    if person.status_code == 200:  # the officer's own record, their supervisor, command
        assert _link(person.text, "Download audit packet") is None
    overview = web_client.get(f"/agencies/{AGENCY}")
    if overview.status_code == 200:
        assert _link(overview.text, "Download the agency") is None
    for path in (f"/agencies/{AGENCY}/people/E1/packet.zip", f"/agencies/{AGENCY}/packet.zip"):
        refused = web_client.get(path)
        assert refused.status_code == 403, (role, path, refused.status_code)
        assert not refused.content.startswith(b"PK")
    denied = [e for e in _audited(web_world) if e[1] == "export.packet" and e[3] == "denied"]
    assert len(denied) == 2


def test_a_packet_of_an_unknown_person_or_other_agency_is_not_given(
    web_world: WebWorld, web_client: TestClient
) -> None:
    login(web_client, web_world, "coordinator")
    assert web_client.get(f"/agencies/{AGENCY}/people/NOPE/packet.zip").status_code == 404
    assert web_client.get(f"/agencies/{OTHER_AGENCY}/packet.zip").status_code == 403
    bad = web_client.get(f"/agencies/{AGENCY}/packet.zip", params={"as_of": "yesterday"})
    assert bad.status_code == 422
