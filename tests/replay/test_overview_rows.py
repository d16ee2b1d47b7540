"""The overview's narrow rows (``roster(..., form="overview")``): the dashboard's picture
of them is the picture of the full roster rows, on past days (evaluated) and on the
tracked model's day (its roster rows serve), on both backends."""

from __future__ import annotations

import dataclasses
from datetime import date

import orjson

from api.web.overview import picture
from ledger.application import Ledger
from ledger.clock import SettableClock
from replay.asof import roster
from replay.read_models import rebuild
from replay.read_side import open_read_store
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
