"""A past day's overview rows are evaluated from checkpoints decoded without the training
records completed after that day (``decode_history(..., records_until=day)``, used by
``replay.chunks.answer_rows`` for the overview's narrow rows). That is sound only if the
engine never looks at a record completed after the day it is asked about: every answer,
whole, must be the same from the cut history as from the full one, on every day, above
all on the days right at a record's date, a window's end, a deadline and its warning
edge. The codec's records, built straight into their instance dictionaries, must be the
values the dataclass builds."""

from __future__ import annotations

import pickle
from dataclasses import fields, replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from projections.answers import overview_document, person_answer
from projections.evaluate import evaluate
from projections.history import Correction, PersonHistory, StatusPeriod, TrainingRecord
from projections.history_codec import Identity, decode_history, encode_history
from tests.rules.helpers import exemption, versions
from tests.rules.test_context import tagged_records
from tests.rules.test_properties import STATES, days, people

IDENTITY = Identity("E1", "Doe, Jane", "sworn")
_DAY = timedelta(days=1)


def _cut(history: PersonHistory, day: date) -> PersonHistory:
    return replace(history, records=tuple(r for r in history.records if r.completed_on <= day))


def _edges(history: PersonHistory, status: object) -> list[date]:
    """The days around every date the answer or the history names: records' dates and
    expiries, windows' bounds, deadlines and their warning edge (30 and 60 days before),
    hire and status changes."""
    named: set[date] = {r.completed_on for r in history.records}
    named |= {r.valid_until for r in history.records if r.valid_until}
    named |= {p.starts_on for p in history.statuses}
    named |= {p.period_end for p in history.licenses}
    if history.hired_on:
        named.add(history.hired_on)
    for result in getattr(status, "requirements", ()):
        for day in (result.window_start, result.window_end, result.deadline):
            if day is not None:
                named |= {day, day - timedelta(days=30), day - timedelta(days=60)}
    return sorted({d + k * _DAY for d in named for k in (-1, 0, 1)})


def _same_answer(state: str, history: PersonHistory, day: date) -> None:
    rules = versions(state)
    body = encode_history(IDENTITY, history)
    identity, cut = decode_history(body, records_until=day)
    assert identity == IDENTITY
    assert cut == _cut(history, day)
    full = evaluate(rules, history, day)
    assert evaluate(rules, cut, day) == full
    assert overview_document(person_answer(IDENTITY, cut, rules, day)) == overview_document(
        person_answer(IDENTITY, history, rules, day)
    )


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(STATES),
    people(),
    tagged_records(),
    st.lists(days, min_size=1, max_size=4),
    st.sampled_from(["none", "separated", "leave", "extension", "waiver", "administrative"]),
    st.none() | st.integers(min_value=1, max_value=400),
)
def test_an_answer_never_depends_on_records_completed_after_its_day(
    state: str,
    history: PersonHistory,
    extra: list[TrainingRecord],
    asked: list[date],
    event: str,
    lasting: int | None,
) -> None:
    """Random careers (with leave, an extension, a waiver or a separation), random days."""
    history = replace(history, records=(*history.records, *extra))
    assert history.hired_on is not None
    start = history.hired_on + timedelta(days=200)
    if event == "separated":
        separated = StatusPeriod("separated", history.hired_on + timedelta(days=900))
        history = replace(history, statuses=(*history.statuses, separated))
    elif event != "none":
        ends = None if lasting is None else start + timedelta(days=lasting)
        history = replace(history, exemptions=(exemption(event, start, ends),))
    for day in asked:
        _same_answer(state, history, day)


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(STATES), people(), tagged_records())
def test_the_cut_answers_alike_on_every_edge_day(
    state: str, history: PersonHistory, extra: list[TrainingRecord]
) -> None:
    """Every day next to a date the history or its answer names: a completion's own day
    and the days either side, windows' ends, deadlines and their warning edges."""
    history = replace(history, records=(*history.records, *extra))
    probe = evaluate(versions(state), history, date(2024, 6, 1))
    for day in _edges(history, probe):
        if date(2000, 1, 1) <= day <= date(2030, 12, 31):
            _same_answer(state, history, day)


def test_every_day_of_a_career_answers_alike_from_the_cut_history() -> None:
    """One seeded career, every day of four years: the plain evaluation of the full
    history and of the history cut at the day agree on each (MN and a rolling pack)."""
    hired = date(2018, 3, 14)
    records = tuple(
        TrainingRecord(
            record_id=f"r{n}",
            completed_on=hired + timedelta(days=97 * n + (n % 5) * 11),
            hours=Decimal(4 + n % 9),
            topic_hours={"use_of_force": Decimal(2)} if n % 3 == 0 else {},
            valid_until=hired + timedelta(days=97 * n + 365) if n % 4 == 0 else None,
        )
        for n in range(18)
    )
    history = replace(
        _person(hired),
        records=records,
        exemptions=(exemption("leave", date(2020, 2, 1), date(2020, 7, 31)),),
    )
    for state in ("MN", "CA"):
        day = date(2019, 1, 1)
        while day <= date(2022, 12, 31):
            _same_answer(state, history, day)
            day += _DAY


def _person(hired: date) -> PersonHistory:
    from tests.rules.helpers import person

    return person(hired_on=hired, period_ends=[date(2020, 6, 30)], certified_on=hired)


def test_a_record_built_into_its_dictionary_is_the_dataclass_value() -> None:
    record = TrainingRecord(
        record_id="r1",
        completed_on=date(2021, 5, 6),
        hours=Decimal("2.5"),
        topic_hours={"use_of_force": Decimal(1)},
        recorded_at=None,
        tags=frozenset({"online"}),
        valid_until=date(2023, 5, 6),
        corrections=(Correction(None, "typo", ("hours",)),),
    )
    history = PersonHistory(person_id="p", hired_on=date(2020, 1, 1), records=(record,))
    _, decoded = decode_history(encode_history(IDENTITY, history))
    (again,) = decoded.records
    assert again == record
    assert {f.name: getattr(again, f.name) for f in fields(again)} == {
        f.name: getattr(record, f.name) for f in fields(record)
    }
    assert replace(again, hours=Decimal(3)) == replace(record, hours=Decimal(3))
    assert pickle.loads(pickle.dumps(again)) == record
    bare = PersonHistory(
        person_id="p",
        records=(TrainingRecord(record_id="r2", completed_on=date(2021, 1, 1), hours=Decimal(1)),),
    )
    assert decode_history(encode_history(IDENTITY, bare))[1] == bare
