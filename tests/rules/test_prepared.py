"""A rule version's preparation is made once per version object, belongs to that object
alone (a copy with other content gets its own), and goes when the version goes."""

from __future__ import annotations

import gc
import weakref
from dataclasses import replace
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from projections.evaluate import evaluate
from projections.history import Exemption, PersonHistory
from projections.rules.prepared import prepare
from tests.rules.helpers import person, rec, versions
from tests.rules.test_properties import STATES, days, people


def test_one_preparation_per_version_object() -> None:
    version = versions("MN")[0]
    assert prepare(version) is prepare(version)
    assert set(prepare(version).requirements) == {r.id for r in version.version.requirements}


def test_a_copy_with_other_requirements_is_prepared_afresh() -> None:
    version = versions("MN")[-1]
    history = person(records=[rec(date(2024, 3, 1), 16)])
    before = evaluate([version], history, date(2025, 1, 1))
    kept = version.version.requirements[:1]
    copy = version.model_copy(
        update={"version": version.version.model_copy(update={"requirements": kept})}
    )
    assert set(prepare(copy).requirements) == {kept[0].id}
    after = evaluate([copy], history, date(2025, 1, 1))
    assert {r.requirement_id for r in after.requirements} <= {kept[0].id}
    assert len(before.requirements) > len(after.requirements)


def test_a_collected_version_leaves_nothing_behind() -> None:
    version = versions("MN")[0].model_copy()
    prepared = weakref.ref(prepare(version))
    del version
    gc.collect()
    assert prepared() is None


# One set of version objects per state for the whole run, so their preparations (and the
# citations kept in them) are reused from example to example.
_SHARED = {state: versions(state) for state in STATES}


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(STATES),
    people(),
    st.lists(
        st.builds(
            Exemption,
            exemption_id=st.sampled_from(["x1", "x2"]),
            kind=st.sampled_from(["administrative", "medical"]),
            starts_on=days,
            ends_on=st.none() | days,
        ),
        max_size=2,
        unique_by=lambda e: e.exemption_id,
    ),
    days,
)
def test_answers_from_reused_preparations_are_those_from_fresh_ones(
    state: str, history: PersonHistory, exemptions: list[Exemption], as_of: date
) -> None:
    """Kept citations and conditions answer as a version prepared for the first time."""
    history = replace(history, exemptions=tuple(exemptions))
    reused = evaluate(_SHARED[state], history, as_of)
    fresh = evaluate([v.model_copy(deep=True) for v in _SHARED[state]], history, as_of)
    assert reused.to_dict() == fresh.to_dict()
