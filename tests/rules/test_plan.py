"""The evaluation plan (``projections.engine.plan``) is made from the rule versions and the
day alone: one plan shared by many people answers for each of them exactly as
``evaluate`` does, whatever the state, the day and the order the people come in."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from projections.answers import documents, person_answer
from projections.evaluate import Plan, evaluate, evaluate_planned
from projections.history import PersonHistory
from projections.history_codec import Identity
from tests.rules.helpers import versions
from tests.rules.test_properties import STATES, days, people


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(STATES), st.lists(people(), min_size=1, max_size=4), days)
def test_one_plan_answers_every_person_as_evaluate_does(
    state: str, histories: list[PersonHistory], as_of: date
) -> None:
    rule_versions = versions(state)
    plan = Plan.of(rule_versions, as_of)
    for history in [*histories, *reversed(histories)]:
        assert evaluate_planned(plan, history) == evaluate(rule_versions, history, as_of)


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(STATES), st.lists(people(), min_size=1, max_size=3), days)
def test_documents_made_with_a_plan_are_the_same_bytes(
    state: str, histories: list[PersonHistory], as_of: date
) -> None:
    rule_versions = list(versions(state))
    plan = Plan.of(rule_versions, as_of)
    identity = Identity("E1", "Doe, Jane", "sworn")
    for history in histories:
        planned = person_answer(identity, history, rule_versions, as_of, plan=plan)
        plain = person_answer(identity, history, rule_versions, as_of)
        assert documents(planned) == documents(plain)
