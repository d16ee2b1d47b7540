"""The status-interval model (``projections.intervals``, table ``rm_status_intervals``):
its counts and monthly trend are the pure evaluation's, on random histories (late entries,
corrections, voids, rule changes, a hire at any day) and at every ``known_at`` asked, on
both backends; at the present it answers a monthly chart without evaluating anyone."""

from __future__ import annotations

import contextlib
from datetime import date, datetime, timedelta
from itertools import pairwise

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.errors import LedgerError
from ledger.vocabulary import PersonStatus
from projections.evaluate import evaluate
from projections.history import PersonHistory
from projections.intervals import NOT_HIRED, grid, on_grid, status_intervals
from projections.read_store import ReadStore
from replay.asof import RosterFilters, roster
from replay.export import to_json
from replay.read_models import catch_up, rebuild
from replay.read_side import open_read_store
from replay.trend import trend
from replay.units import units_on
from tests.factories import ACTOR
from tests.replay.test_asof import AS_OF, OPS, apply_op, three_officers
from tests.rules.helpers import versions
from tests.rules.test_properties import STATES, people


def _memoised(store: ReadStore) -> int:
    with store.db.reading() as cur:
        cur.execute(f"SELECT count(*) FROM {store.db.table('rm_answers')}")
        return int(cur.fetchall()[0][0])


def _runs(store: ReadStore) -> int:
    with store.db.reading() as cur:
        cur.execute(f"SELECT count(*) FROM {store.db.table('rm_status_intervals')}")
        return int(cur.fetchall()[0][0])


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(STATES), people(), st.dates(date(2012, 1, 1), date(2026, 12, 31)))
def test_runs_state_the_evaluation_on_every_grid_day(
    state: str, history: PersonHistory, as_of: date
) -> None:
    """Each grid day inside a run has the run's code: the evaluation's status, or
    not_hired before the hire; runs are disjoint, ascending and cover the grid; a new
    rules key starts a new run."""
    rules = versions(state)
    days = grid(as_of)
    assert all(on_grid(day) for day in days)
    assert days[-1] <= as_of
    runs = status_intervals(history, days, lambda day: (rules, str(day.year // 5)))
    covered = [day for day in days if any(lo <= day <= hi for lo, hi, _, _ in runs)]
    assert covered == days
    assert all(a[1] < b[0] for a, b in pairwise(runs))
    assert all(lo.year // 5 == hi.year // 5 for lo, hi, _, _ in runs)
    for lo, hi, _, code in runs:
        for day in (d for d in days if lo <= d <= hi):
            expected = (
                NOT_HIRED
                if history.status_on(day) == NOT_HIRED
                else evaluate(rules, history, day).status
            )
            assert code == expected


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS, hired=st.dates(date(2016, 6, 1), date(2025, 2, 1)))
def test_interval_trend_equals_the_pure_evaluation(
    ledger: Ledger, clock: SettableClock, ops: list[tuple[object, ...]], hired: date
) -> None:
    store = open_read_store(ledger)
    slug = f"i{abs(hash((tuple(ops), hired))) % 10**8}"
    three_officers(ledger, clock, slug)
    with contextlib.suppress(LedgerError):  # a store reused by hypothesis has them
        ledger.enrol_person(
            slug, "P3", first_name="P", last_name="3", kind="sworn", hired_on=hired, actor=ACTOR
        )
    rebuild(ledger, store, AS_OF)
    snapshots: list[tuple[datetime, bytes]] = []
    rule_versions: list[tuple[date, int]] = []
    for op in ops:
        clock.set(clock() + timedelta(minutes=7))
        with contextlib.suppress(LedgerError):
            apply_op(ledger, store, slug, op, rule_versions, snapshots, clock)
    catch_up(ledger, store, AS_OF, batch=5)
    assert _runs(store)
    now = clock()
    monthly = (slug, date(2015, 3, 1), AS_OF, "month")
    mixed = (slug, date(2024, 12, 26), date(2025, 1, 6), "day")  # one grid day of twelve
    for known_at in [now, *(t for t, _ in snapshots)]:
        for args in (monthly, mixed):
            store.memo.clear()
            exact = to_json(trend(ledger, *args, known_at, memo=False))
            assert to_json(trend(ledger, *args, known_at)) == exact
    # The present, caught up: the monthly chart is read from the model alone.
    store.memo.clear()
    answer = trend(ledger, *monthly, now)
    assert _memoised(store) == 0
    hired_too = RosterFilters(person_statuses=frozenset(PersonStatus))
    for point in answer["points"][-30::7]:  # and its counts are the roster's on the day
        day = date.fromisoformat(point["as_of"])
        counted = roster(ledger, slug, day, now, hired_too, memo=False)["counts"]
        assert point["counts"] == counted
    assert orjson.loads(to_json(answer))["points"]


def test_units_on_a_day_as_the_records_stood(ledger: Ledger, clock: SettableClock) -> None:
    """The unit on ``as_of`` (not the current one), as recorded by ``known_at``: the same
    from the read models' unit periods as from the history, and a transfer recorded later
    is not seen at an earlier ``known_at``."""
    store = open_read_store(ledger)
    three_officers(ledger, clock, "units-pd")
    agency_id = ledger.get_agency("units-pd").id
    clock.set(clock() + timedelta(minutes=5))
    ledger.enrol_person(
        "units-pd", "T1", first_name="T", last_name="1", kind="sworn",
        hired_on=date(2018, 1, 1), unit_name="Patrol", actor=ACTOR,
    )  # fmt: skip
    person = ledger.get_person("units-pd", "T1").id
    clock.set(clock() + timedelta(minutes=5))
    before = clock()  # the enrolment is recorded by now, the transfer after
    clock.set(before + timedelta(minutes=5))
    ledger.change_assignment(
        "units-pd", "T1", effective_on=date(2022, 6, 1), actor=ACTOR, rank="",
        unit_name="Traffic", assignments=[],
    )  # fmt: skip
    now = clock()
    expected = {
        (date(2021, 1, 1), now): "Patrol",
        (date(2023, 1, 1), now): "Traffic",
        (date(2023, 1, 1), before): "Patrol",
    }
    for served_from_model in (False, True):
        if served_from_model:
            rebuild(ledger, store, AS_OF)
            assert store.intervals.units_of(agency_id)
        for (as_of, known_at), unit in expected.items():
            assert units_on(ledger, agency_id, as_of, known_at)[person] == unit
