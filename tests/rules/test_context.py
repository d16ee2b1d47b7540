"""The evaluation context (``projections.engine.context``) is the engine's one speed adapter:
what it keeps for the rest of an evaluation must answer exactly as the plain functions it
stands for, asked in any order, with calendars and exclusion rules that are equal but not
the same objects, or that differ in any detail the credit reads."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from projections.engine.context import Context
from projections.history import PersonHistory, TrainingRecord
from projections.rules.calendars import previous_window, window_containing
from projections.rules.crediting import credited_records
from projections.rules.schema import CreditExclusion, RuleVersion
from tests.rules.helpers import versions
from tests.rules.test_properties import COURSES, STATES, TOPICS, days, people

TAGS = ["warrior_style", "alerrt_level_1", "firearms_requalification", "online"]


@st.composite
def tagged_records(draw: st.DrawFn) -> list[TrainingRecord]:
    """Records whose tags, courses and topics meet the exclusion rules often, with dates
    that repeat (records of one day are ordered by id)."""
    out = []
    for index in range(draw(st.integers(min_value=0, max_value=14))):
        topics = draw(st.lists(st.sampled_from(TOPICS), max_size=3, unique=True))
        out.append(
            TrainingRecord(
                record_id=f"t{draw(st.integers(0, 40))}-{index}",
                completed_on=draw(st.sampled_from([date(2020, 8, 1), date(2023, 1, 1)]) | days),
                hours=Decimal(draw(st.integers(min_value=0, max_value=16))),
                topic_hours={t: Decimal(draw(st.integers(0, 8))) / 2 for t in topics},
                post_course_number=draw(st.sampled_from(COURSES)),
                tags=frozenset(draw(st.lists(st.sampled_from(TAGS), max_size=2))),
            )
        )
    return out


exclusions = st.lists(
    st.builds(
        CreditExclusion,
        id=st.sampled_from(["warrior_style", "requal", "online_only"]),
        source=st.just(["s"]),
        tags=st.lists(st.sampled_from(TAGS), max_size=2),
        topics=st.lists(st.sampled_from(TOPICS), max_size=2),
        courses=st.lists(st.sampled_from(COURSES[1:]), max_size=2),
        effective_from=st.none() | st.sampled_from([date(2020, 8, 1), date(2023, 1, 1)]),
        requirements=st.lists(st.sampled_from(["a", "b"]), max_size=1),
    ),
    max_size=3,
)


def _with_exclusions(version: RuleVersion, rules: list[CreditExclusion]) -> RuleVersion:
    spec = version.version.model_copy(update={"credit_exclusions": rules})
    return version.model_copy(update={"version": spec})


@settings(max_examples=120, deadline=None)
@given(
    people(),
    tagged_records(),
    st.lists(exclusions, min_size=1, max_size=3),
    st.lists(
        st.tuples(st.integers(0, 2), st.sampled_from(["a", "b", "c"]), st.none() | days, days)
    ),
)
def test_credited_ranges_are_the_credit_of_the_range(
    history: PersonHistory,
    records: list[TrainingRecord],
    rule_sets: list[list[CreditExclusion]],
    asked: list[tuple[int, str, date | None, date]],
) -> None:
    """Versions with their own exclusion rules (some equal, some not), asked about
    requirements and ranges in any order: each answer is ``credited_records`` of that
    range, reasons included, as if nothing had been asked before."""
    history = replace(history, records=tuple(records))
    base = versions("MN")[0]
    own = [_with_exclusions(base, rules) for rules in rule_sets]
    ctx = Context(history, date(2026, 1, 1), timedelta(days=90))
    for which, requirement_id, start, end in asked:
        version = own[which % len(own)]
        expected = credited_records(
            history.records_between(start, end), version.version.credit_exclusions, requirement_id
        )
        assert ctx.credited(version, requirement_id, start, end) == expected


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(STATES), people(), st.lists(days, min_size=1, max_size=8))
def test_windows_are_those_of_the_calendars(
    state: str, history: PersonHistory, asked: list[date]
) -> None:
    """Every calendar of a state's versions (each version holds its own copies, equal but
    not the same objects), asked about days in any order, and the window before each."""
    ctx = Context(history, date(2026, 1, 1), timedelta(days=90))
    calendars = [c for v in versions(state) for c in v.calendars.values()]
    copies = [c.model_copy() for c in calendars]
    for day in asked:
        for calendar in (*calendars, *copies):
            window = window_containing(calendar, history, day)
            assert ctx.window(calendar, day) == window
            if window is not None:
                assert ctx.previous_window(calendar, window) == previous_window(
                    calendar, history, window
                )


_VARIANTS = {
    "id": "other_rule",
    "effective_from": date(2021, 6, 1),
    "tags": ["online"],
    "courses": ["3188"],
    "topics": ["firearms"],
}


@settings(max_examples=80, deadline=None)
@given(people(), tagged_records(), exclusions.filter(bool), st.data())
def test_rules_that_differ_in_one_detail_are_credited_apart(
    history: PersonHistory,
    records: list[TrainingRecord],
    rules: list[CreditExclusion],
    data: st.DataObject,
) -> None:
    """Two versions whose exclusion rules differ only in one field the credit reads (the
    rule's id names it in the reasons): asked one after the other over the same range, each
    is credited under its own rules."""
    history = replace(history, records=tuple(records))
    which = data.draw(st.integers(0, len(rules) - 1))
    field = data.draw(st.sampled_from(sorted(_VARIANTS)))
    changed = list(rules)
    changed[which] = rules[which].model_copy(update={field: _VARIANTS[field]})
    base = versions("MN")[0]
    first, second = _with_exclusions(base, rules), _with_exclusions(base, changed)
    start, end = data.draw(st.none() | days), data.draw(days)
    ctx = Context(history, date(2026, 1, 1), timedelta(days=90))
    for version in (first, second, first):
        expected = credited_records(
            history.records_between(start, end), version.version.credit_exclusions, "a"
        )
        assert ctx.credited(version, "a", start, end) == expected
