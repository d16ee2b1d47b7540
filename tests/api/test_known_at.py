"""Issue 12 §5: ``--known-at`` of today or later is clamped consistently (never refused for
one form and clamped for another) by status, roster and trend alike, and a bare date means
the same in both ISO forms: the end of that day in the agency's time zone."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from api.cli.timeargs import parse_known_at
from ledger.application import Ledger
from ledger.clock import SettableClock
from replay.asof import KnownAt, roster, status
from replay.export import to_json
from replay.trend import trend
from tests.factories import agency, officer
from tests.replay.test_asof import _cli, _url


def test_a_bare_date_is_that_day_in_either_iso_form() -> None:
    """The CLI keeps a bare date as the date (the read side takes the end of that day in
    the agency's zone: ``tests/replay/test_time_axis.py``) and an instant without an offset
    as local time; one with an offset becomes UTC. (Until issue 12 §5 a bare date was the
    end of the UTC day and a time without an offset UTC: wrong for every US agency.)"""
    assert parse_known_at("2024-08-05") == date(2024, 8, 5)
    assert parse_known_at("20240805") == date(2024, 8, 5)
    assert parse_known_at("2024-08-05T10:30") == datetime(2024, 8, 5, 10, 30)
    assert parse_known_at("2024-08-05T10:30-05:00") == datetime(2024, 8, 5, 15, 30, tzinfo=UTC)
    assert parse_known_at(None) is None


def test_today_and_later_are_kept_for_the_read_side_to_clamp() -> None:
    """The CLI passes the end of today, a later date and a later instant on alike (the
    read side clamps each to the stable horizon): none is refused."""
    today = datetime.now(UTC).date()
    for text in (
        today.isoformat(),
        (today + timedelta(days=1)).isoformat(),
        (datetime.now(UTC) + timedelta(hours=2)).isoformat(),
    ):
        moment = parse_known_at(text)
        assert moment is not None
        if not isinstance(moment, datetime):  # a date: the end of it, in any US zone
            moment = datetime.combine(moment, time.max, UTC) - timedelta(hours=12)
        assert moment > datetime.now(UTC) - timedelta(days=1)


def test_the_cli_answers_a_later_known_at_as_now_and_says_so(ledger: Ledger) -> None:
    """Today, tomorrow and a later instant give answers stating a ``known_at`` at or
    before the moment they were printed; asked again at that ``known_at``, the same bytes."""
    slug = agency(ledger)
    officer(ledger, slug, "E1")
    url = _url(ledger)
    today = datetime.now(UTC).date()
    for text in (today.isoformat(), (today + timedelta(days=1)).isoformat(), "20991231"):
        before = datetime.now(UTC)
        out = _cli(
            url,
            "roster",
            "--agency",
            slug,
            "--as-of",
            "2024-01-05",
            "--known-at",
            text,
            "--format",
            "json",
        )
        used = datetime.fromisoformat(json.loads(out)["known_at"])
        assert before <= used <= datetime.now(UTC)
        again = _cli(
            url,
            "roster",
            "--agency",
            slug,
            "--as-of",
            "2024-01-05",
            "--known-at",
            used.isoformat(),
            "--format",
            "json",
        )
        assert again == out


def test_status_roster_and_trend_clamp_a_later_known_at_alike(
    ledger: Ledger, clock: SettableClock
) -> None:
    """The end of the agency's today, a later day and a later instant give each answer
    the stable horizon as its ``known_at``; asked again at that instant after more is
    recorded, the same bytes."""
    clock.set(datetime(2025, 3, 1, 18, tzinfo=UTC))
    slug = agency(ledger)
    officer(ledger, slug, "E1")
    horizon = ledger.stable_horizon()
    today = horizon.astimezone(ZoneInfo("America/Chicago")).date()
    day = date(2024, 1, 5)
    asked: list[KnownAt] = [today, today + timedelta(days=1), horizon + timedelta(hours=3)]
    for known_at in asked:
        answers = {
            "status": to_json(status(ledger, slug, "E1", day, known_at)),
            "roster": to_json(roster(ledger, slug, day, known_at)),
            "trend": to_json(trend(ledger, slug, day, day, "day", known_at)),
        }
        used = {name: json.loads(a)["known_at"] for name, a in answers.items()}
        assert set(used.values()) == {horizon.isoformat()}, (known_at, used)
        clock.set(clock() + timedelta(minutes=5))
        officer(ledger, slug, f"L{len(ledger.people_ids(slug))}")
        assert to_json(status(ledger, slug, "E1", day, horizon)) == answers["status"]
        assert to_json(roster(ledger, slug, day, horizon)) == answers["roster"]
        assert to_json(trend(ledger, slug, day, day, "day", horizon)) == answers["trend"]
        horizon = ledger.stable_horizon()
        today = horizon.astimezone(ZoneInfo("America/Chicago")).date()
