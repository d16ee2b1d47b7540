"""A simulated year of daily notification passes against a real SMTP server: the right
people are told at the right windows, once each (issue 18, "the right recipients at the
right windows for a generated agency over a simulated year (one pass per simulated day)").
"""

from __future__ import annotations

from datetime import date, timedelta

from api.notify.channels import Channels, SmtpChannel, WebhookChannel
from api.notify.passes import run_pass
from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.notice import NoticeDecided, NoticeDelivered
from tests.notify import scenario
from tests.notify.servers import smtp_server


def channels_for(port: int) -> Channels:
    return Channels(
        SmtpChannel("127.0.0.1", port, "none", "muster@pd.example", timeout=10),
        WebhookChannel(None),
    )


def test_a_year_of_daily_passes_tells_the_right_people_on_the_right_days(
    ledger: Ledger, clock: SettableClock
) -> None:
    """Reminders 90, 60, 30 and 7 days before the deadline (rule: "default 90, 60, 30 and
    7 days before, and on the day it becomes overdue"), none after the hours are met, none
    to a separated person or one on leave, escalation to the unit's supervisor and the
    coordinator on the day it is overdue, a weekly digest to the coordinator on Mondays
    while anything is due; every notice recorded as decided and delivered, none twice."""
    scenario.build(ledger, clock)
    received: list[tuple[date, str, str]] = []
    digests: list[date] = []
    with smtp_server() as (mailbox, port):
        channels = channels_for(port)
        day = scenario.START
        while day <= scenario.END:
            clock.set(scenario.noon(day))
            if day in scenario.EVENTS:
                scenario.EVENTS[day](ledger)
            run_pass(ledger, scenario.SLUG, day, channels, lease_timeout=10)
            for recipients, message in mailbox.drain():
                assert message["Message-ID"].startswith("<notice-")
                assert message.is_multipart()  # plain text and HTML
                if " coming up (" in str(message["Subject"]):
                    assert recipients == ["coord@pd.example"]
                    digests.append(day)
                    continue
                received.append((day, recipients[0], str(message["Subject"]).strip()))
            day += timedelta(days=1)

    assert sorted(received) == sorted(scenario.expected_person_notices())
    assert len(received) == len(set(received))
    # Mondays from the first reminder (2025-10-02) on, while E2's deadline stays missed.
    mondays = [
        date(2025, 10, 6) + timedelta(weeks=n)
        for n in range(30)
        if date(2025, 10, 6) + timedelta(weeks=n) <= scenario.END
    ]
    assert digests == mondays

    # Proof of notice: one decision and one delivery per message, in the ledger.
    agency_id = ledger.get_agency(scenario.SLUG).id
    heads = ledger.store.stream_heads("notice", agency_id)
    assert len(heads) == len(received) + len(digests)
    for notice_id in heads:
        events = ledger.stream(notice_id)
        assert isinstance(events[0], NoticeDecided)
        assert [type(e) for e in events[1:]] == [NoticeDelivered]
        assert events[1].message_id == f"<notice-{notice_id}@muster>"
