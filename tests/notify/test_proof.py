"""Proof of notice in a person's audit packet: the notices about them are in its events,
hash-linked and proven in the digest, and the packet verifies offline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import orjson

from api.notify.passes import run_pass
from api.notify.proof import notices_for_person
from ledger.application import Ledger
from ledger.clock import SettableClock
from replay.packet.build import person_packet
from replay.packet_verifier import read_members, verify_packet
from tests.notify import scenario
from tests.notify.servers import smtp_server
from tests.notify.test_year import channels_for


def test_a_person_packet_holds_their_notices_and_verifies(
    ledger: Ledger, clock: SettableClock
) -> None:
    """After E2's 90-day reminder was sent, E2's packet lists its NoticeDecided and
    NoticeDelivered (E1's notice is not in it); a packet known before the pass has none;
    ``verify_packet`` finds no problem in either."""
    scenario.build(ledger, clock)
    before = datetime(2025, 10, 2, 11, tzinfo=UTC)
    clock.set(scenario.noon(date(2025, 10, 2)))
    with smtp_server() as (_, port):
        run_pass(ledger, scenario.SLUG, date(2025, 10, 2), channels_for(port), lease_timeout=10)
    clock.set(clock() + timedelta(hours=1))

    packet = person_packet(ledger, scenario.SLUG, "E2", date(2025, 10, 2), None)
    assert verify_packet(packet) == []
    events = [orjson.loads(line) for line in read_members(packet)["events.jsonl"].splitlines()]
    topics = [e["topic"] for e in events]
    assert topics.count("ledger.notice:NoticeDecided") == 1
    assert topics.count("ledger.notice:NoticeDelivered") == 1
    assert "e2@pd.example" in read_members(packet)["events.jsonl"].decode()
    assert "e1@pd.example" not in read_members(packet)["events.jsonl"].decode()

    earlier = person_packet(ledger, scenario.SLUG, "E2", date(2025, 10, 2), before)
    assert verify_packet(earlier) == []
    assert b"ledger.notice:" not in read_members(earlier)["events.jsonl"]

    told = notices_for_person(ledger, scenario.SLUG, "E2")
    assert [(t.day, t.text.split(":")[0]) for t in told] == [
        ("2025-10-02", "reminder by email to e2@pd.example (person)")
    ]
    assert "; delivered 2025-10-02T12:00:00" in told[0].text
