"""Reminders of credential expiry and policy acknowledgement (issue 18, point 1, over issue
17's tracks), on both backends against a real SMTP server, one pass per simulated day:
the right people at the right windows, escalation after the deadline, a requalification
or an acknowledgement stopping them, nobody separated or on leave reminded, and the
coordinator's digest listing them; each notice recorded once, a pass run again sending
nothing new."""

from __future__ import annotations

from datetime import date, timedelta
from email.message import EmailMessage

from api.notify.passes import open_items, run_pass
from api.notify.proof import notices_for_person
from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.notice import NoticeDecided, NoticeDelivered
from ledger.notice_cases import record_notice_settings
from projections.notify import Directory, NoticePolicy, notices_due
from replay.notices import notice_rows
from tests.notify import own_scenario as scenario
from tests.notify.servers import smtp_server
from tests.notify.test_year import channels_for


def _body(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None
    return str(part.get_content())


def test_credential_expiry_and_policy_acknowledgement_reminders_over_daily_passes(
    ledger: Ledger, clock: SettableClock
) -> None:
    scenario.build(ledger, clock)
    received: list[tuple[date, str, str]] = []
    digests: dict[date, EmailMessage] = {}
    days_with_notices: set[date] = set()
    with smtp_server() as (mailbox, port):
        channels = channels_for(port)
        day = scenario.START
        while day <= scenario.END:
            clock.set(scenario.noon(day))
            if day in scenario.EVENTS:
                scenario.EVENTS[day](ledger)
            run_pass(ledger, scenario.SLUG, day, channels, lease_timeout=10)
            for recipients, message in mailbox.drain():
                assert isinstance(message, EmailMessage)
                days_with_notices.add(day)
                subject = str(message["Subject"]).strip()
                if " coming up (" in subject:
                    assert recipients == ["coord@pd.example"]
                    digests[day] = message
                    continue
                assert len(recipients) == 1
                received.append((day, recipients[0], subject))
            day += timedelta(days=1)

        expected = scenario.expected_notices()
        assert sorted(set(received) - expected) == []  # nobody told anything unexpected
        assert sorted(expected - set(received)) == []  # and nothing expected missing
        assert len(received) == len(set(received))
        # Nobody separated (C4), and C3 nothing after going on leave on 2025-04-01.
        assert not [r for r in received if r[1] == scenario.email_of("C4")]
        assert [r[0] for r in received if r[1] == scenario.email_of("C3")] == [date(2025, 3, 11)]
        # C2 requalified on 2025-05-01 and acknowledged v2 on 2025-05-20: nothing after.
        c2 = [r for r in received if r[1] == scenario.email_of("C2")]
        assert max(d for d, _, s in c2 if "expires" in s) == date(2025, 4, 10)
        assert max(d for d, _, s in c2 if "acknowledge" in s) == date(2025, 5, 16)

        # The weekly digest (Mondays) from the first reminder on: C1's expired credential
        # and overdue policy are listed as such on 2025-06-16.
        first_monday = date(2025, 3, 17)
        assert sorted(digests) == [
            first_monday + timedelta(weeks=n)
            for n in range(20)
            if first_monday + timedelta(weeks=n) <= scenario.END
        ]
        text = _body(digests[date(2025, 6, 16)], "plain")
        assert (
            f"- Expired: {scenario.name_of('C1')} #C1, Credential: {scenario.title_of('C1')}, "
            "valid through 2025-06-09 (7 days ago)"
        ) in text
        assert (
            f"- Overdue: {scenario.name_of('C1')} #C1, Policy: acknowledge "
            f"{scenario.POLICY_TITLE}, acknowledge by 2025-06-15 (1 day ago)"
        ) in text
        for other in ("#C2", "#C3", "#C4"):
            assert other not in text
        html = _body(digests[date(2025, 6, 16)], "html")
        assert "Valid through: <b>9 June 2025</b>" in html
        assert "Acknowledge by: <b>15 June 2025</b>" in html

        # Exactly once: every day that told anyone, run again, decides and sends nothing.
        clock.set(scenario.noon(scenario.END + timedelta(days=1)))
        for day in sorted(days_with_notices):
            again = run_pass(ledger, scenario.SLUG, day, channels, lease_timeout=10)
            assert (again.decided, again.delivered, again.failed) == (0, 0, 0), day
        assert mailbox.drain() == []

    # Proof of notice: one decision and one delivery each, the history saying what about.
    agency_id = ledger.get_agency(scenario.SLUG).id
    heads = ledger.store.stream_heads("notice", agency_id)
    assert len(heads) == len(received) + len(digests)
    for notice_id in heads:
        events = ledger.stream(notice_id)
        assert isinstance(events[0], NoticeDecided)
        assert [type(e) for e in events[1:]] == [NoticeDelivered]
    rows = notice_rows(ledger, agency_id, None, employee_ids=["C1"])
    about = {(r["kind"], r["recipient_role"], r["about"]) for r in rows}
    assert (
        "reminder",
        "person",
        "Firearms qualification (Glock 17, serial A1) expires 2025-06-09",
    ) in about
    assert ("escalation", "supervisor", "acknowledge Use of force v2 by 2025-06-15") in about
    requirements = {r["requirement"] for r in rows}
    assert requirements == {"credential:firearms[A1]", "policy:use-of-force@v2"}
    lines = [line.text for line in notices_for_person(ledger, scenario.SLUG, "C1")]
    assert any(
        "reminder by email to c1@pd.example (person): acknowledge Use of force v2, "
        "deadline 2025-06-15, 7 days or less before; delivered" in line
        for line in lines
    ), lines
    assert any(
        "overdue by email to c1@pd.example (person): Firearms qualification (Glock 17, "
        "serial A1) expiry, deadline 2025-06-09, overdue; delivered" in line
        for line in lines
    ), lines


def test_people_on_leave_are_reminded_of_their_own_deadlines_when_the_agency_says_so(
    ledger: Ledger, clock: SettableClock
) -> None:
    """C3 is on leave from 2025-04-01: the 60-day expiry reminder on 2025-04-10 goes to
    them only where the agency's setting reminds people on leave; C4 (separated) never."""
    scenario.build(ledger, clock)
    clock.set(scenario.noon(date(2025, 4, 1)))
    scenario.EVENTS[date(2025, 4, 1)](ledger)
    day = date(2025, 4, 10)
    clock.set(scenario.noon(day))
    items = open_items(ledger, scenario.SLUG, day)
    status = {i.employee_id: i.person_status for i in items if i.source == "credential"}
    assert status == {"C1": "active", "C2": "active", "C3": "leave", "C4": "separated"}
    directory = Directory(
        person_email={e: scenario.email_of(e) for e in scenario.PEOPLE},
        unit_of=scenario.PEOPLE,
        supervisors={},
        coordinators=(),
    )

    def told(policy: NoticePolicy) -> set[str]:
        return {
            n.employee_id
            for n in notices_due(scenario.SLUG, items, directory, policy, day)
            if n.kind == "reminder"
        }

    assert told(NoticePolicy()) == {"C1", "C2"}
    assert told(NoticePolicy(remind_on_leave=True)) == {"C1", "C2", "C3"}

    record_notice_settings(
        ledger, scenario.SLUG, actor=scenario.ACTOR, remind_on_leave=True, digest="off"
    )
    with smtp_server() as (mailbox, port):
        run_pass(ledger, scenario.SLUG, day, channels_for(port), lease_timeout=10)
        to = sorted(r[0] for r, _ in mailbox.drain())
    assert to == [scenario.email_of(e) for e in ("C1", "C2", "C3")]


def test_a_credential_never_earned_or_suspended_is_not_announced_as_an_expiry(
    ledger: Ledger, clock: SettableClock
) -> None:
    """No deadline, no reminder: a weapon issued and never qualified with has no expiry to
    count down to, and a suspension within the validity is the coordinator's own act, not
    an expiry (both stay on the person's credential track as non-compliant)."""
    scenario.build(ledger, clock)
    day = date(2025, 3, 11)
    clock.set(scenario.noon(day))
    ledger.issue_weapon(
        scenario.SLUG, "C1", weapon=("handgun", "SIG P320", "B9"), on=day, actor=scenario.ACTOR
    )
    ledger.act_on_credential(
        scenario.SLUG,
        "C2",
        "suspend",
        credential_type="firearms",
        on=day,
        reason="under review",
        actor=scenario.ACTOR,
    )
    items = open_items(ledger, scenario.SLUG, day)
    credentials = {(i.employee_id, i.requirement) for i in items if i.source == "credential"}
    assert credentials == {
        ("C1", "credential:firearms[A1]"),
        ("C3", "credential:firearms[A3]"),
        ("C4", "credential:firearms[A4]"),
    }
