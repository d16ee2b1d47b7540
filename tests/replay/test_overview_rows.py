"""The overview's narrow rows (``roster(..., form="overview")``): the dashboard's picture
of them is the picture of the full roster rows, on past days (evaluated) and on the
tracked model's day (its roster rows serve), on both backends."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

import orjson
import pytest

from api.web.overview import picture
from ledger.application import Ledger
from ledger.clock import SettableClock
from projections.answer_keys import DEFAULT_WARNING_DAYS
from replay import chunks
from replay.asof import roster
from replay.read_models import rebuild
from replay.read_side import open_read_store
from tests.factories import ACTOR
from tests.replay.helpers import synthetic_agency


def test_the_overview_rows_picture_the_same_as_the_roster(
    ledger: Ledger, clock: SettableClock
) -> None:
    synthetic_agency(ledger, clock, officers=10)
    rebuild(ledger, open_read_store(ledger), date(2025, 2, 28))
    pictured = 0
    for day in (date(2022, 3, 17), date(2024, 1, 1), date(2024, 11, 30), date(2025, 2, 28)):
        for memo in (False, True, True):
            full = roster(ledger, "synth-pd", day, memo=memo)
            narrow = roster(ledger, "synth-pd", day, memo=memo, form="overview")
            assert narrow["counts"] == full["counts"]
            expected = dataclasses.asdict(picture(full))
            assert dataclasses.asdict(picture(narrow)) == expected
            pictured += len(expected["overdue"]) + len(expected["deadlines"])
            if day != date(2025, 2, 28):  # evaluated: narrower than a roster row
                sizes = [len(orjson.dumps(p)) for p in narrow["people"]]
                assert sum(sizes) < sum(len(orjson.dumps(p)) for p in full["people"]) / 3
    assert pictured  # the days had people overdue or deadlines to list


def _edge_days(rows: list[dict[str, Any]]) -> set[date]:
    """The days either side of and on every date a full roster row names: counted records'
    dates, windows' bounds, deadlines and the first day they are due soon."""
    named: set[date] = set()
    for row in rows:
        for result in row["compliance"]["requirements"]:
            for key in ("window_start", "window_end", "deadline"):
                if result.get(key):
                    named.add(date.fromisoformat(result[key]))
            if result.get("deadline"):
                deadline = date.fromisoformat(result["deadline"])
                named.add(deadline - timedelta(days=DEFAULT_WARNING_DAYS))
            for record in result.get("records", ()):
                if isinstance(record, dict) and record.get("effective_on"):
                    named.add(date.fromisoformat(record["effective_on"]))
    return {day + timedelta(days=k) for day in named for k in (-1, 0, 1)}


def test_the_overview_rows_from_cut_checkpoints_are_those_of_the_events(
    ledger: Ledger, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A past day's narrow rows are evaluated from checkpoints decoded without the records
    completed after the day. Byte for byte they are the rows evaluated from the events
    (``memo=False``: no checkpoint, whole histories), on days every 11 days over four years
    and on the days around every record date, window end, deadline and warning edge the
    full rows name; and at a ``known_at`` before a late entry and after it."""
    synthetic_agency(ledger, clock, officers=6)
    rebuild(ledger, open_read_store(ledger), date(2025, 2, 28))  # checkpoints at the heads
    cut: list[date] = []
    real = chunks.decode_history

    def spy(body: bytes | str, *, records_until: date | None = None) -> Any:
        if records_until is not None:
            cut.append(records_until)
        return real(body, records_until=records_until)

    monkeypatch.setattr(chunks, "decode_history", spy)
    days = {date(2021, 1, 1) + timedelta(days=11 * n) for n in range(134)}
    for asked in (date(2022, 6, 30), date(2024, 6, 30)):
        days |= _edge_days(roster(ledger, "synth-pd", asked, memo=False)["people"])
    days = {d for d in days if date(2020, 1, 1) <= d <= date(2025, 2, 27)}
    for day in sorted(days):
        plain = roster(ledger, "synth-pd", day, memo=False, form="overview")
        fast = roster(ledger, "synth-pd", day, form="overview")
        assert list(fast.rows) == list(plain.rows), day
        assert fast["counts"] == plain["counts"]
    assert set(cut) == days  # every day was answered from cut checkpoints
    # A late entry: at the known_at before it, the rows are as they were; after, they
    # count it; from checkpoints and from the events alike.
    asked = (date(2023, 2, 28), date(2023, 3, 1), date(2023, 3, 2), date(2023, 12, 31))
    before = clock()
    then = {day: list(roster(ledger, "synth-pd", day, memo=False, form="overview").rows)
            for day in asked}  # fmt: skip
    people = roster(ledger, "synth-pd", date(2023, 12, 31))["people"]
    late = next(p for p in people if p["compliance"]["status"] == "non_compliant")
    clock.set(before + timedelta(days=2))
    ledger.record_training("synth-pd", late["employee_id"], completed_on=date(2023, 3, 1),
                           course_title="use_of_force course", hours=40,
                           topic_hours={"use_of_force": 40}, actor=ACTOR)  # fmt: skip
    roster(ledger, "synth-pd", date(2025, 2, 20))  # folds the new head, storing its checkpoint
    changed = 0
    for day in asked:
        assert list(roster(ledger, "synth-pd", day, before, form="overview").rows) == then[day]
        plain = roster(ledger, "synth-pd", day, memo=False, form="overview")
        fast = roster(ledger, "synth-pd", day, form="overview")
        assert list(fast.rows) == list(plain.rows), day
        changed += list(fast.rows) != then[day]
    assert changed  # the late entry shows from its day on
