"""Exactly once, recorded (issue 18): a crash between deciding and sending, a refused
delivery, and two passes at once — each against a real SMTP server."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from api.notify.passes import run_pass
from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.notice import NoticeDecided, NoticeDelivered, NoticeDeliveryFailed
from tests.notify import scenario
from tests.notify.servers import smtp_server
from tests.notify.test_year import channels_for

ROOT = Path(__file__).resolve().parents[2]
# The day the 90-day reminders are due; without the year's events all four people are
# active then, so four reminders.
DAY = date(2025, 10, 2)
DUE = 4


def _built(ledger: Ledger, clock: SettableClock) -> None:
    scenario.build(ledger, clock)
    clock.set(scenario.noon(DAY))


def _pass_process(url: str, port: int, mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.notify.pass_process",
            url,
            scenario.SLUG,
            DAY.isoformat(),
            str(port),
            mode,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _notices(ledger: Ledger) -> dict[str, list[type]]:
    agency_id = ledger.get_agency(scenario.SLUG).id
    return {
        str(i): [type(e) for e in ledger.stream(i)]
        for i in ledger.store.stream_heads("notice", agency_id)
    }


def test_a_pass_killed_after_deciding_sends_each_notice_once_on_the_next_pass(
    ledger: Ledger, clock: SettableClock, database_url: str
) -> None:
    """SIGKILL between recording the decisions and sending: nothing was sent and every
    decision is recorded; the next pass sends each exactly once, a third sends nothing
    ("a crash or restart never sends the same reminder twice and never silently drops
    one")."""
    _built(ledger, clock)
    with smtp_server() as (mailbox, port):
        killed = _pass_process(database_url, port, "kill")
        _, err = killed.communicate(timeout=120)
        assert killed.returncode == -9, err
        assert mailbox.drain() == []
        decided = _notices(ledger)
        assert len(decided) == DUE
        assert all(kinds == [NoticeDecided] for kinds in decided.values())

        clock.set(datetime.now(UTC) + timedelta(minutes=1))
        report = run_pass(ledger, scenario.SLUG, DAY, channels_for(port), lease_timeout=10)
        assert (report.decided, report.delivered, report.failed) == (0, DUE, 0)
        sent = mailbox.drain()
        assert sorted(m["Message-ID"] for _, m in sent) == sorted(
            f"<notice-{i}@muster>" for i in decided
        )
        again = run_pass(ledger, scenario.SLUG, DAY, channels_for(port), lease_timeout=10)
        assert (again.decided, again.delivered) == (0, 0)
        assert mailbox.drain() == []
    assert all(kinds == [NoticeDecided, NoticeDelivered] for kinds in _notices(ledger).values())


def test_a_refused_delivery_is_recorded_and_retried_after_its_backoff(
    ledger: Ledger, clock: SettableClock
) -> None:
    """The server refuses: the failure is recorded with the error and the next attempt's
    time (5 minutes on); a pass before then tries nothing, one after it delivers
    ("delivery failures are retried with backoff and recorded as events too")."""
    _built(ledger, clock)
    with smtp_server() as (mailbox, port):
        mailbox.refusing = True
        first = run_pass(ledger, scenario.SLUG, DAY, channels_for(port), lease_timeout=10)
        assert (first.decided, first.delivered, first.failed) == (DUE, 0, DUE)
        failed_at = clock()
        for notice_id in ledger.store.stream_heads("notice", ledger.get_agency(scenario.SLUG).id):
            failure = ledger.stream(notice_id)[1]
            assert isinstance(failure, NoticeDeliveryFailed)
            assert failure.attempt == 1
            assert "refused by the test" in failure.error
            assert failure.next_attempt_at == failed_at + timedelta(minutes=5)

        mailbox.refusing = False
        clock.set(failed_at + timedelta(minutes=4))
        early = run_pass(ledger, scenario.SLUG, DAY, channels_for(port), lease_timeout=10)
        assert (early.delivered, early.failed) == (0, 0)
        clock.set(failed_at + timedelta(minutes=5))
        late = run_pass(ledger, scenario.SLUG, DAY, channels_for(port), lease_timeout=10)
        assert (late.decided, late.delivered, late.failed) == (0, DUE, 0)
        assert len(mailbox.drain()) == DUE
    kinds = _notices(ledger).values()
    assert all(k == [NoticeDecided, NoticeDeliveryFailed, NoticeDelivered] for k in kinds)


def test_a_failure_backs_off_longer_each_time_and_stops_after_eight_attempts(
    ledger: Ledger, clock: SettableClock
) -> None:
    """5, 10, 20 … minutes between attempts; the eighth failure names no next attempt, and
    the notice stays recorded as undelivered (never dropped silently)."""
    _built(ledger, clock)
    with smtp_server() as (mailbox, port):
        mailbox.refusing = True
        for _ in range(10):
            run_pass(ledger, scenario.SLUG, DAY, channels_for(port), lease_timeout=10)
            clock.set(clock() + timedelta(days=1))
    for notice_id in ledger.store.stream_heads("notice", ledger.get_agency(scenario.SLUG).id):
        failures = ledger.stream(notice_id)[1:]
        assert [f.attempt for f in failures] == list(range(1, 9))
        gaps = [f.next_attempt_at - f.timestamp for f in failures if f.next_attempt_at is not None]
        # (recorded times sit a few microseconds after the clock's reading)
        assert [round(g.total_seconds()) for g in gaps] == [300 * 2**n for n in range(7)]
        assert failures[-1].next_attempt_at is None


def test_two_passes_at_once_send_each_notice_once(
    ledger: Ledger, clock: SettableClock, database_url: str
) -> None:
    """Two processes run the same day's pass at the same time (the first holds the lease
    a second longer after deciding): each notice is sent once ("two passes running at once
    never both send")."""
    _built(ledger, clock)
    ledger.close()
    with smtp_server() as (mailbox, port):
        passes = [_pass_process(database_url, port, "slow") for _ in range(2)]
        outputs = [p.communicate(timeout=120) for p in passes]
        for p, (_, err) in zip(passes, outputs, strict=True):
            assert p.returncode == 0, err
        counts = sorted(tuple(map(int, out.split())) for out, _ in outputs)
        assert counts == [(0, 0, 0), (DUE, DUE, 0)]
        sent = mailbox.drain()
        ids = [m["Message-ID"] for _, m in sent]
        assert len(ids) == DUE == len(set(ids))
