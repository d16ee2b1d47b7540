"""Every refusal of a credential type's definition names the field it is about, so the
edges put the message beside that field without reading the message's words."""

from __future__ import annotations

from typing import Any

import pytest

from ledger.credential_cases import SPEC_FIELDS, spec_field, type_spec
from ledger.errors import InvalidValueError

GOOD: dict[str, Any] = {
    "name": "Patrol rifle",
    "holders": ["everyone"],
    "earned_by": "qualification",
    "validity": "months",
    "validity_months": 12,
    "max_score": 100,
    "passing_score": 80,
}

BAD: list[tuple[dict[str, Any], str]] = [
    ({"name": ""}, "name"),
    ({"holders": []}, "holders"),
    ({"holders": ["badge:captain"]}, "holders"),
    ({"earned_by": "luck"}, "earned_by"),
    ({"validity": "forever"}, "validity"),
    ({"validity_months": 0}, "validity_months"),
    ({"validity_months": 121}, "validity_months"),
    ({"validity": "end_of_next_year"}, "validity_months"),
    ({"validity": "certificate", "validity_months": 0}, "earned_by"),
    ({"max_score": 0}, "max_score"),
    ({"max_score": None}, "max_score"),
    ({"passing_score": 101}, "passing_score"),
    ({"passing_score": "eighty"}, "passing_score"),
    ({"renewal_days": -1}, "renewal_days"),
    ({"warning_days": 10**6}, "warning_days"),
    ({"per_weapon": True}, "weapon_classes"),
    ({"weapon_classes": ["rifle"]}, "weapon_classes"),
    ({"topics": ["firearms"]}, "earned_by"),
    ({"earned_by": "training_hours", "max_score": None, "passing_score": None}, "topics"),
    (
        {"earned_by": "training_hours", "max_score": None, "passing_score": None,
         "topics": ["Use Of Force"]},
        "topics",
    ),
    (
        {"earned_by": "training_hours", "max_score": None, "passing_score": None,
         "topics": ["firearms"]},
        "hours_required",
    ),
    (
        {"earned_by": "training_hours", "max_score": None, "passing_score": None,
         "topics": ["firearms"], "hours_required": "1.005"},
        "hours_required",
    ),
    (
        {"earned_by": "training_hours", "max_score": None, "passing_score": None,
         "topics": ["firearms"], "hours_required": 8},
        "hours_window_months",
    ),
    (
        {"earned_by": "training_hours", "topics": ["firearms"], "hours_required": 8,
         "hours_window_months": 12},
        "earned_by",
    ),
]  # fmt: skip


def test_the_good_definition_is_accepted() -> None:
    assert type_spec(**GOOD)["name"] == "Patrol rifle"


@pytest.mark.parametrize(("change", "field"), BAD)
def test_each_refusal_names_its_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidValueError) as refused:
        type_spec(**{**GOOD, **change})
    assert refused.value.field == field, str(refused.value)
    assert spec_field(refused.value) == field
    assert field in SPEC_FIELDS
