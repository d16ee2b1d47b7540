"""Proof of notice in a person's audit packet: the notices about them are in its events,
hash-linked and proven in the digest, and the packet verifies offline."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import orjson
import pytest
from pypdf import PdfReader

from api.http.routes.reads import timeline
from api.notify.passes import run_pass
from api.notify.proof import notices_for_person
from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.errors import NoticeNotFoundError
from ledger.notice_cases import acknowledge_notice, notices_of
from replay.packet.build import agency_packet, person_packet
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


def _pdf_text(packet: bytes) -> str:
    reader = PdfReader(io.BytesIO(read_members(packet)["report.pdf"]))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_notices_in_the_history_and_packets_on_both_time_axes(
    ledger: Ledger, clock: SettableClock
) -> None:
    """E2's 90-day reminder (decided and delivered on 2025-10-02, acknowledged the next
    day) is in E2's history, person packet (notices.csv/json, the PDF) and the agency
    packet only as the records stood: known_at before the pass shows no notice, between
    the pass and the acknowledgement a delivered, unacknowledged one, after it the
    acknowledgement; as_of before the notice's day leaves it out of the packets."""
    scenario.build(ledger, clock)
    before = datetime(2025, 10, 2, 11, tzinfo=UTC)
    clock.set(scenario.noon(date(2025, 10, 2)))
    with smtp_server() as (_, port):
        run_pass(ledger, scenario.SLUG, date(2025, 10, 2), channels_for(port), lease_timeout=10)
    between = clock() + timedelta(hours=2)
    clock.set(scenario.noon(date(2025, 10, 3)))
    (mine,) = [
        n
        for n in notices_of(ledger, ledger.get_agency(scenario.SLUG).id)
        if n.decided.employee_id == "E2" and n.decided.recipient_role == "person"
    ]
    acknowledge_notice(
        ledger,
        mine.id,
        account="e2",
        mine=lambda d: d.employee_id == "E2",
        actor="account:e2",
    )
    with pytest.raises(NoticeNotFoundError):  # someone else's notice, as if none
        acknowledge_notice(
            ledger, mine.id, account="e1", mine=lambda d: d.employee_id == "E1", actor="x"
        )
    clock.set(clock() + timedelta(hours=1))

    # The history (HTTP route, person page, CLI) as the records stood at each instant.
    assert timeline(ledger, scenario.SLUG, "E2", before).notices == []
    (told,) = [n for n in timeline(ledger, scenario.SLUG, "E2", between).notices
               if n.recipient_role == "person"]  # fmt: skip
    assert (told.day, told.outcome, told.acknowledged_at) == ("2025-10-02", "delivered", None)
    assert told.recipient == scenario.email_of("E2")
    assert told.days_before_deadline == 90
    (now,) = [n for n in timeline(ledger, scenario.SLUG, "E2", None).notices
              if n.recipient_role == "person"]  # fmt: skip
    assert now.acknowledged_by == "e2"
    assert now.acknowledged_at is not None
    assert now.acknowledged_at.startswith("2025-10-03")
    cli = notices_for_person(ledger, scenario.SLUG, "E2", between)
    assert "acknowledged" not in cli[0].text
    assert "delivered 2025-10-02" in cli[0].text
    assert "acknowledged 2025-10-03" in notices_for_person(ledger, scenario.SLUG, "E2")[0].text
    assert notices_for_person(ledger, scenario.SLUG, "E2", before) == []

    for build in (
        lambda day, at: person_packet(ledger, scenario.SLUG, "E2", day, at),
        lambda day, at: agency_packet(ledger, scenario.SLUG, day, at),
    ):
        early = build(date(2025, 10, 2), before)
        assert verify_packet(early) == []
        assert orjson.loads(read_members(early)["notices.json"])["notices"] == []
        assert b"ledger.notice:" not in read_members(early)["events.jsonl"]

        mid = build(date(2025, 10, 2), between)
        assert verify_packet(mid) == []
        rows = list(csv.DictReader(io.StringIO(read_members(mid)["notices.csv"].decode())))
        person_rows = [
            r for r in rows if r["employee_id"] == "E2" and r["recipient_role"] == "person"
        ]
        assert [(r["day"], r["outcome"], r["acknowledged_at"]) for r in person_rows] == [
            ("2025-10-02", "delivered", "")
        ]
        events = read_members(mid)["events.jsonl"]
        assert b"NoticeDelivered" in events
        assert b"NoticeAcknowledged" not in events
        text = _pdf_text(mid)
        assert "Notices" in text, text[-3000:]
        assert scenario.email_of("E2") in text, text[-3000:]

        late = build(date(2025, 10, 3), None)
        assert verify_packet(late) == []
        (row,) = [n for n in orjson.loads(read_members(late)["notices.json"])["notices"]
                  if n["employee_id"] == "E2" and n["recipient_role"] == "person"]  # fmt: skip
        assert row["acknowledged_by"] == "e2"
        assert b"NoticeAcknowledged" in read_members(late)["events.jsonl"]

        # as_of the day before: the notice was not yet decided on that day.
        ahead = build(date(2025, 10, 1), None)
        assert orjson.loads(read_members(ahead)["notices.json"])["notices"] == []
        # Byte-identical when rebuilt for the same query after the acknowledgement.
        assert build(date(2025, 10, 2), between) == mid
