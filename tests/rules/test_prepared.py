"""A rule version's preparation is made once per version object, belongs to that object
alone (a copy with other content gets its own), and goes when the version goes."""

from __future__ import annotations

import gc
import weakref
from datetime import date

from projections.evaluate import evaluate
from projections.rules.prepared import prepare
from tests.rules.helpers import person, rec, versions


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
