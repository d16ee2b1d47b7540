"""Issue 12 §5: ``--known-at`` of today or later is clamped consistently (never refused for
one form and clamped for another), and a bare date means the same in both ISO forms."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

from api.cli.timeargs import parse_known_at
from ledger.application import Ledger
from tests.factories import agency, officer
from tests.replay.test_asof import _cli, _url


def test_a_bare_date_is_the_end_of_that_day_in_either_iso_form() -> None:
    end = datetime.combine(date(2024, 8, 5), time.max, UTC)
    assert parse_known_at("2024-08-05") == end
    assert parse_known_at("20240805") == end
    assert parse_known_at("2024-08-05T10:30") == datetime(2024, 8, 5, 10, 30, tzinfo=UTC)
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
        assert moment > datetime.now(UTC)


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
