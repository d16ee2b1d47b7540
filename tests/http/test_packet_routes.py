"""Audit packets over HTTP (issue 19 §1-§3 "and the same from the API"), both backends: the
person and agency packets are the library's bytes for the same as_of and known_at and
verify offline; each export is a read-audit entry; an uploaded packet is checked as
``muster verify-packet`` checks it, a flipped byte found and named, with or without a held
digest from ``GET .../digest``; bad uploads are refused, never a 500."""

from __future__ import annotations

import base64
import dataclasses
import json
from datetime import date, datetime

from replay.packet import agency_packet, person_packet
from replay.packet_verifier import verify_packet
from replay.verify import verify_store
from tests.http.conftest import AGENCY, World
from tests.packets.helpers import members

AS_OF = "2025-02-28"


def _known_at(data: bytes) -> datetime:
    """The known_at a packet states (the API's default: the log's stable horizon now)."""
    return datetime.fromisoformat(json.loads(members(data)["packet.json"])["known_at"])


def test_person_packet_is_the_librarys_and_verifies(world: World) -> None:
    answer = world.client.get(
        f"/api/v1/agencies/{AGENCY}/people/E1/packet",
        params={"as_of": AS_OF},
        headers=world.auth("auditor"),
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    assert answer.headers["content-disposition"] == f'attachment; filename="{AGENCY}-E1-packet.zip"'
    data = answer.content
    assert verify_packet(data) == []
    packet = members(data)
    assert b'"employee_id": "E1"' in packet["packet.json"]
    # Rebuilt by the library at the known_at the packet states: the same bytes.
    known_at = packet["digest.json"].split(b'"known_at": "')[1].split(b'"')[0].decode()
    from datetime import datetime

    again = person_packet(
        world.ledger, AGENCY, "E1", date(2025, 2, 28), datetime.fromisoformat(known_at)
    )
    assert again == data
    entry = world.services.audit.entries(agency=AGENCY)[-1]
    assert (entry.actor, entry.action, entry.object, entry.outcome) == (
        "account:auditor",
        "export.packet",
        f"person:{AGENCY}/E1",
        "allowed",
    )


def test_agency_packet_and_the_digest(world: World) -> None:
    answer = world.client.get(
        f"/api/v1/agencies/{AGENCY}/packet",
        params={"as_of": AS_OF},
        headers=world.auth("coordinator"),
    )
    assert answer.status_code == 200, answer.text
    assert verify_packet(answer.content) == []
    built = agency_packet(world.ledger, AGENCY, date(2025, 2, 28), _known_at(answer.content))
    assert built == answer.content
    people = json.loads(members(answer.content)["answer.json"])["people"]
    assert sorted(p["employee_id"] for p in people) == ["E1", "E2", "E3"]  # not stp's S1
    digest = world.client.get(f"/api/v1/agencies/{AGENCY}/digest", headers=world.auth("auditor"))
    assert digest.status_code == 200, digest.text
    held = digest.json()
    assert held["root"] == verify_store(world.ledger.store).root
    assert held["published_at"]
    actions = [(e.action, e.object) for e in world.services.audit.entries(agency=AGENCY)[-2:]]
    assert actions == [("export.packet", f"agency:{AGENCY}"), ("export.digest", f"agency:{AGENCY}")]


def test_uploaded_packets_are_checked(world: World) -> None:
    data = world.client.get(
        f"/api/v1/agencies/{AGENCY}/people/E2/packet", headers=world.auth("coordinator")
    ).content
    held = world.client.get(
        f"/api/v1/agencies/{AGENCY}/digest", headers=world.auth("auditor")
    ).json()

    def check(body: bytes | None = None, json: object = None, role: str = "officer1") -> dict:
        headers = {**world.auth(role)}
        if body is not None:
            headers["Content-Type"] = "application/zip"
        answer = world.client.post(
            "/api/v1/packets/verification", content=body, json=json, headers=headers
        )
        assert answer.status_code == 200, answer.text
        result: dict = answer.json()
        return result

    assert check(data) == {"verified": True, "against_held_digest": False, "problems": []}
    wrapped = {"packet": base64.b64encode(data).decode(), "against": held}
    assert check(json=wrapped) == {"verified": True, "against_held_digest": True, "problems": []}
    # One byte flipped inside events.jsonl: found, and the file named.
    events = members(data)["events.jsonl"]
    at = data.index(events) + len(events) // 2
    flipped = data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]
    found = check(flipped)
    assert found["verified"] is False
    assert "events.jsonl" in found["problems"][0], found  # the zip's CRC names it first
    other = {**wrapped, "against": {**held, "root": "0" * 64}}
    assert check(json=other)["verified"] is False
    junk = check(b"not a zip at all")
    assert junk["verified"] is False
    assert "not a readable zip file" in junk["problems"][0]


def test_bad_uploads_are_refused(world: World) -> None:
    path = "/api/v1/packets/verification"
    headers = world.auth("nobody")  # signed in, no grant: verification reads no record
    for body, field in (({"packet": "***"}, "packet"), ({"against": {}}, "packet"),
                        ({"packet": "", "against": [1]}, "against")):  # fmt: skip
        answer = world.client.post(path, json=body, headers=headers)
        assert answer.status_code == 422, answer.text
        assert answer.json()["field"] == field
    assert world.client.post(path, content=b"x").status_code == 401
    settings = world.services.settings
    world.services.settings = dataclasses.replace(settings, http_packet_max_bytes=100)
    try:
        big = world.client.post(path, content=b"x" * 101, headers=headers)
        assert big.status_code == 413
        assert big.json()["code"] == "packet_too_large"
        assert world.client.post(path, content=b"x" * 100, headers=headers).status_code == 200
    finally:
        world.services.settings = settings
    missing = world.client.get(
        f"/api/v1/agencies/{AGENCY}/people/NOPE/packet", headers=world.auth("coordinator")
    )
    assert missing.status_code == 404
    assert missing.json()["code"] == "person_not_found"
