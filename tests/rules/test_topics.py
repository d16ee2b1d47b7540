"""Every topic a shipped pack names is a canonical id (or a declared state-specific one)."""

from __future__ import annotations

from projections.rules.loader import shipped_packs
from projections.rules.topics import CANONICAL_TOPICS

REQUIRED_BY_THE_ISSUE = {
    "use_of_force",
    "crisis_intervention_mental_illness",
    "autism",
    "conflict_management_mediation",
    "diversity_implicit_bias",
    "crimes_motivated_by_bias",
    "officer_wellness",
    "emergency_vehicle_operations",
    "firearms",
    "defensive_tactics",
    "first_aid_cpr",
    "legal_update",
    "leadership",
    "active_shooter",
}


def test_catalog_holds_the_issue_ids() -> None:
    """The ids imports and reports rely on are all canonical."""
    assert set(CANONICAL_TOPICS) >= REQUIRED_BY_THE_ISSUE


def test_pack_topics_are_canonical_or_state_prefixed() -> None:
    """A pack may add a state-specific category only under its state's prefix."""
    for pack in shipped_packs():
        prefix = pack.jurisdiction.removeprefix("US-").lower() + "_"
        for topic in pack.topics:
            assert topic in CANONICAL_TOPICS or topic.startswith(prefix), (pack.pack, topic)
