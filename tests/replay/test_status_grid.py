"""The status grid (``projections.read_store.grid``, table ``rm_status_grid``): a trend's
counts on firsts of a month from it are the plain evaluation's, person by person, on
random histories (late entries, corrections, voids, rule changes) at every ``known_at``
asked, on both backends; it is filled only by trends, never by a rebuild or a catch-up;
a write makes the next trend evaluate only the person it touched; a late entry recorded
after T is not in the answer at ``known_at`` = T."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, given, settings

from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.errors import LedgerError
from ledger.vocabulary import PersonStatus
from projections.read_store import ReadStore
from projections.read_store.grid import decode_codes, encode_codes
from replay.asof import RosterFilters, roster
from replay.chunks import status_codes, status_rows
from replay.export import to_json
from replay.read_models import catch_up, rebuild
from replay.read_side import open_read_store
from replay.trend import fill_status_grid, fill_yearly_chart, trend
from replay.units import units_on
from tests.factories import ACTOR
from tests.replay.helpers import synthetic_agency
from tests.replay.test_asof import _OPS, AS_OF, _apply


def _grid_rows(store: ReadStore) -> int:
    with store.db.reading() as cur:
        cur.execute(f"SELECT count(*) FROM {store.db.table('rm_status_grid')}")
        return int(cur.fetchall()[0][0])


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[set[UUID]]:
    """The people each evaluation call of a trend was asked about."""
    calls: list[set[UUID]] = []
    real: Callable[..., Any] = status_codes

    def spy(ledger: Ledger, agency_id: UUID, known_at: datetime, heads: dict[UUID, int],
            *rest: Any) -> Any:  # fmt: skip
        calls.append(set(heads))
        return real(ledger, agency_id, known_at, heads, *rest)

    monkeypatch.setattr("replay.trend.status_codes", spy)
    return calls


def test_codes_round_trip() -> None:
    for codes in ([], ["?"], ["a", "a", "b", "?", "?", "a"], ["not_hired"] * 40 + ["x*y"]):
        assert decode_codes(encode_codes(codes)) == codes


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=_OPS)
def test_grid_trend_equals_the_plain_evaluation(
    ledger: Ledger, clock: SettableClock, ops: list[tuple[object, ...]]
) -> None:
    """Whatever the late entries, corrections, voids and rule changes: at every
    ``known_at`` asked, the monthly trend from the grid (asked over overlapping ranges,
    yearly first so the rows have holes) is byte for byte the trend with nothing read or
    stored, and its counts are the roster's, person by person, on those days."""
    store = open_read_store(ledger)
    slug = f"g{abs(hash(tuple(ops))) % 10**8}"
    with contextlib.suppress(LedgerError):  # a store reused by hypothesis has it
        ledger.register_agency(slug, "Grid PD", "MN", actor=ACTOR)
        from api.rulebook import publish_shipped_packs

        publish_shipped_packs(ledger, "system:test")
        for n, hired in enumerate((date(2017, 1, 1), date(2019, 5, 17), date(2023, 8, 2))):
            ledger.enrol_person(slug, f"P{n}", first_name="P", last_name=str(n), kind="sworn",
                                hired_on=hired, actor=ACTOR)  # fmt: skip
    snapshots: list[tuple[datetime, bytes]] = []
    rule_versions: list[tuple[date, int]] = []
    for op in ops:
        clock.set(clock() + timedelta(minutes=7))
        with contextlib.suppress(LedgerError):
            _apply(ledger, store, slug, op, rule_versions, snapshots, clock)
    now = clock()
    asked = [
        (slug, date(2016, 1, 1), AS_OF, "year"),  # sparse: rows with holes
        (slug, date(2018, 3, 1), date(2021, 3, 1), "month"),
        (slug, date(2016, 1, 1), AS_OF, "month"),  # the holes and both ends filled
        (slug, date(2024, 12, 26), date(2025, 1, 6), "day"),  # one first among other days
    ]
    for known_at in [now, *(t for t, _ in snapshots)]:
        for args in asked:
            exact = to_json(trend(ledger, *args, known_at, memo=False))
            assert to_json(trend(ledger, *args, known_at)) == exact
            assert to_json(trend(ledger, *args, known_at)) == exact  # from the grid alone
    assert _grid_rows(store)
    everyone = RosterFilters(person_statuses=frozenset(PersonStatus))
    answer = trend(ledger, *asked[2], now)
    for point in answer["points"][::17]:  # the roster's counts, each person evaluated
        day = date.fromisoformat(point["as_of"])
        assert point["counts"] == roster(ledger, slug, day, now, everyone, memo=False)["counts"]


def test_only_trends_fill_the_grid_and_a_write_recomputes_one_person(
    ledger: Ledger, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rebuild and catch-up write no grid row; a trend fills it once; after a training is
    recorded for one officer, the same trend evaluates that officer alone, and the answer
    is the plain evaluation's."""
    store = open_read_store(ledger)
    synthetic_agency(ledger, clock, officers=8)
    rebuild(ledger, store, AS_OF)
    catch_up(ledger, store, AS_OF)
    assert _grid_rows(store) == 0
    calls = _spy(monkeypatch)
    chart = ("synth-pd", date(2021, 2, 1), date(2025, 2, 1), "month")
    trend(ledger, *chart)
    first = set().union(*calls)
    assert len(first) > 8
    assert _grid_rows(store) == len(first)
    calls.clear()
    trend(ledger, *chart)
    assert calls == []  # all from the grid
    employee = roster(ledger, "synth-pd", AS_OF)["people"][0]["employee_id"]
    clock.set(clock() + timedelta(minutes=5))
    ledger.record_training("synth-pd", employee, completed_on=date(2022, 6, 1),
                           course_title="use_of_force course", hours=8,
                           topic_hours={"use_of_force": 8}, actor=ACTOR)  # fmt: skip
    catch_up(ledger, store, AS_OF)
    assert _grid_rows(store) == len(first)  # catch-up wrote none
    after = trend(ledger, *chart)
    person = ledger.get_person("synth-pd", employee).id
    assert calls == [{person}]
    assert to_json(after) == to_json(trend(ledger, *chart, memo=False))


def test_a_late_entry_is_not_in_the_grid_answer_before_it_was_recorded(
    ledger: Ledger, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A training recorded after T, effective years before: the trend at ``known_at`` = T
    is the same bytes before and after it was recorded (served from the grid row at the
    officer's head at T), and at now it counts the training, as the plain evaluation does."""
    store = open_read_store(ledger)
    synthetic_agency(ledger, clock, officers=6)
    chart = ("synth-pd", date(2021, 2, 1), date(2025, 2, 1), "month")
    before = clock()
    at_before = to_json(trend(ledger, *chart, before))
    people = roster(ledger, "synth-pd", AS_OF)["people"]
    late = next(p for p in people if p["compliance"]["status"] == "non_compliant")
    clock.set(before + timedelta(days=3))
    for year in range(2020, 2025):  # enough to make up any year's hours
        ledger.record_training("synth-pd", late["employee_id"], completed_on=date(year, 3, 1),
                               course_title="use_of_force course", hours=40,
                               topic_hours={"use_of_force": 40}, actor=ACTOR)  # fmt: skip
    calls = _spy(monkeypatch)
    assert to_json(trend(ledger, *chart, before)) == at_before
    assert calls == []
    now = to_json(trend(ledger, *chart))
    assert calls == [{ledger.get_person("synth-pd", late["employee_id"]).id}]
    assert now == to_json(trend(ledger, *chart, memo=False))
    assert now != at_before
    assert _grid_rows(store) > 0


def _rows_of(store: ReadStore, table: str, person: UUID) -> list[int]:
    with store.db.reading() as cur:
        cur.execute(
            f"SELECT version FROM {store.db.table(table)} WHERE person_id = %s ORDER BY version",
            (str(person),),
        )
        return [int(row[0]) for row in cur.fetchall()]


def test_a_person_keeps_two_grid_and_unit_rows_however_often_written(
    ledger: Ledger, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Five writes to one officer, each followed by a trend and a units read: their rows
    at old heads are dropped as new ones are stored (the head just stored and the one
    before it stay), so neither table grows with every write; the answer at the
    ``known_at`` before the last write is still served from the grid without evaluating,
    and every answer is the plain evaluation's."""
    store = open_read_store(ledger)
    synthetic_agency(ledger, clock, officers=4)
    chart = ("synth-pd", date(2021, 2, 1), date(2025, 2, 1), "month")
    employee = roster(ledger, "synth-pd", AS_OF)["people"][0]["employee_id"]
    person = ledger.get_person("synth-pd", employee)
    agency_id = person.agency_id
    moments = []
    for n in range(5):
        clock.set(clock() + timedelta(minutes=5))
        ledger.record_training("synth-pd", employee, completed_on=date(2022, 6, 1 + n),
                               course_title="use_of_force course", hours=2,
                               topic_hours={"use_of_force": 2}, actor=ACTOR)  # fmt: skip
        moments.append(clock())
        trend(ledger, *chart, clock())
        units_on(ledger, agency_id, AS_OF, clock())
        assert len(_rows_of(store, "rm_status_grid", person.id)) <= 2
        assert len(_rows_of(store, "rm_unit_periods", person.id)) <= 2
    head = len(ledger.stream(person.id))
    assert _rows_of(store, "rm_status_grid", person.id) == [head - 1, head]
    assert _rows_of(store, "rm_unit_periods", person.id) == [head - 1, head]
    calls = _spy(monkeypatch)
    before_last = moments[-2]
    from_grid = to_json(trend(ledger, *chart, before_last))
    assert calls == []  # served from the grid: nobody evaluated
    assert from_grid == to_json(trend(ledger, *chart, before_last, memo=False))
    # An answer at a head older than both kept rows is computed again, and is right.
    oldest = moments[0]
    assert to_json(trend(ledger, *chart, oldest)) == to_json(
        trend(ledger, *chart, oldest, memo=False)
    )
    assert len(_rows_of(store, "rm_status_grid", person.id)) <= 3


def _days_evaluated(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many (person, day) statuses each evaluation call of a trend computed."""
    sizes: list[int] = []
    real: Callable[..., Any] = status_codes

    def spy(ledger: Ledger, agency_id: UUID, known_at: datetime, heads: dict[UUID, int],
            checkpoints: Any, days: dict[UUID, list[date]], *rest: Any) -> Any:  # fmt: skip
        sizes.append(sum(len(d) for d in days.values()))
        return real(ledger, agency_id, known_at, heads, checkpoints, days, *rest)

    monkeypatch.setattr("replay.trend.status_codes", spy)
    return sizes


def test_a_reader_evaluates_only_the_months_it_asks_and_replay_fills_the_rest(
    ledger: Ledger, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A yearly chart on firsts of a month evaluates those months alone (it once
    back-filled ten years of months for everyone: minutes at M); ``fill_status_grid``
    (``muster replay``) fills the last ten years of months ahead of the readers, after
    which a monthly chart of them evaluates nobody, and after a write only that person;
    every answer is the plain evaluation's."""
    synthetic_agency(ledger, clock, officers=6)
    people = len(roster(ledger, "synth-pd", AS_OF)["people"])
    sizes = _days_evaluated(monkeypatch)
    yearly = ("synth-pd", date(2021, 2, 1), date(2025, 2, 1), "year")
    assert to_json(trend(ledger, *yearly)) == to_json(trend(ledger, *yearly, memo=False))
    assert 0 < sum(sizes) <= people * 5  # five firsts of February, no month besides
    sizes.clear()
    assert fill_status_grid(ledger, "synth-pd", 10) == people
    assert sum(sizes) <= people * 121
    sizes.clear()
    monthly = ("synth-pd", date(2015, 3, 1), date(2025, 2, 1), "month")
    from_grid = to_json(trend(ledger, *monthly))
    assert sizes == []  # every month read from the grid
    assert from_grid == to_json(trend(ledger, *monthly, memo=False))
    sizes.clear()
    assert fill_status_grid(ledger, "synth-pd", 10) == 0
    employee = roster(ledger, "synth-pd", AS_OF)["people"][0]["employee_id"]
    clock.set(clock() + timedelta(minutes=5))
    ledger.record_training("synth-pd", employee, completed_on=date(2022, 6, 1),
                           course_title="use_of_force course", hours=8,
                           topic_hours={"use_of_force": 8}, actor=ACTOR)  # fmt: skip
    sizes.clear()
    assert fill_status_grid(ledger, "synth-pd", 10) == 1
    assert to_json(trend(ledger, *monthly)) == to_json(trend(ledger, *monthly, memo=False))


def _past_chart(day: date, years: int = 10) -> tuple[str, date, date, str]:
    """The overview's ``?years=N&every=month`` chart of ``day`` (``api.web.overview``)."""
    return ("synth-pd", date(day.year - years, day.month, 1), day, "month")


def test_the_fill_covers_the_ten_year_chart_of_every_past_day_in_the_filled_decade(
    ledger: Ledger, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``fill_status_grid(years=10, before=10)`` (``muster replay --chart-years 10``) fills
    the months of the last twenty years, so the ten-year monthly chart of any day of the
    last ten years evaluates nobody on its first view, and each chart is the plain
    evaluation's; after a write the next fill evaluates that person alone, and a
    ``known_at`` before the write reads the person's row at their head of then (kept
    beside the new one), never the one filled from the later records: its chart is the
    plain evaluation's at that ``known_at``, the same before and after the fill."""
    synthetic_agency(ledger, clock, officers=6, years=6)
    people = len(roster(ledger, "synth-pd", AS_OF)["people"])
    assert fill_status_grid(ledger, "synth-pd", 10, before=10) == people
    calls = _spy(monkeypatch)
    # Today is 2025-02-28 (its month 2025-02): the decade's first day, and days of each
    # year since (firsts of a month and others), to today.
    days = [date(2015, 2, 28), date(2015, 3, 1), AS_OF] + [
        date(year, m, d)
        for year in range(2015, 2026)
        for m, d in ((3, 1), (9, 17))
        if date(2015, 3, 1) < date(year, m, d) < AS_OF
    ]
    for day in days:
        chart = _past_chart(day)
        fast = to_json(trend(ledger, *chart))
        assert calls == [], day  # every month of the chart from the grid
        assert fast == to_json(trend(ledger, *chart, memo=False)), day
    before = clock()
    employee = roster(ledger, "synth-pd", AS_OF)["people"][0]["employee_id"]
    person = ledger.get_person("synth-pd", employee).id
    clock.set(before + timedelta(minutes=5))
    ledger.record_training("synth-pd", employee, completed_on=date(2016, 6, 1),
                           course_title="use_of_force course", hours=40,
                           topic_hours={"use_of_force": 40}, actor=ACTOR)  # fmt: skip
    chart = _past_chart(date(2019, 5, 17))
    then = to_json(trend(ledger, *chart, before))
    assert calls == []  # the rows at the heads of ``before``
    assert then == to_json(trend(ledger, *chart, before, memo=False))
    assert fill_status_grid(ledger, "synth-pd", 10, before=10) == 1
    assert calls == [{person}]
    calls.clear()
    now = to_json(trend(ledger, *chart))
    assert calls == []
    assert now == to_json(trend(ledger, *chart, memo=False))
    assert now != then
    assert to_json(trend(ledger, *chart, before)) == then
    assert calls == []


def test_replay_memoises_the_default_yearly_chart_of_today(
    ledger: Ledger, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``fill_yearly_chart`` (``muster replay``) memoises everyone on today's day in each
    of the last five years (not firsts of a month: the grid holds none of them), so the
    overview's default chart of today evaluates nobody, and is the plain evaluation's;
    after a write the reader evaluates that person alone."""
    synthetic_agency(ledger, clock, officers=6)
    calls: list[set[UUID]] = []
    real: Callable[..., Any] = status_rows

    def spy(ledger: Ledger, agency_id: UUID, known_at: datetime, heads: dict[UUID, int],
            *rest: Any) -> Any:  # fmt: skip
        calls.append(set(heads))
        return real(ledger, agency_id, known_at, heads, *rest)

    monkeypatch.setattr("replay.trend.status_rows", spy)
    fill_yearly_chart(ledger, "synth-pd")
    assert calls  # everyone evaluated once, ahead of the readers
    calls.clear()
    today = date.fromisoformat(roster(ledger, "synth-pd", None)["as_of"])
    chart = ("synth-pd", today - relativedelta(years=5), today, "year")
    assert today.day != 1
    fast = to_json(trend(ledger, *chart))
    assert calls == []
    assert fast == to_json(trend(ledger, *chart, memo=False))
    employee = roster(ledger, "synth-pd", AS_OF)["people"][0]["employee_id"]
    clock.set(clock() + timedelta(minutes=5))
    ledger.record_training("synth-pd", employee, completed_on=date(2022, 6, 1),
                           course_title="use_of_force course", hours=8,
                           topic_hours={"use_of_force": 8}, actor=ACTOR)  # fmt: skip
    calls.clear()
    after = to_json(trend(ledger, *chart))
    assert calls == [{ledger.get_person("synth-pd", employee).id}]
    assert after == to_json(trend(ledger, *chart, memo=False))
