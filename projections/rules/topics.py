"""Canonical training topic ids shared across states.

A record's topic hours are written in these ids whatever the state; each pack maps its own
category codes onto them (``topics:`` in a pack, with ``state_code``). A topic no pack names
still counts toward totals that take any law-enforcement training (MN's 48 hours), so imports
accept every canonical id plus the ids an agency's packs declare.
"""

from __future__ import annotations

__all__ = ["CANONICAL_TOPICS"]

CANONICAL_TOPICS: dict[str, str] = {
    "active_shooter": "Active shooter / active attack response",
    "arrest_search_seizure": "Arrest, search and seizure",
    "autism": "Autism awareness",
    "child_abuse_neglect": "Child abuse and neglect",
    "companion_animal_encounters": "Companion animal encounters",
    "conflict_management_mediation": "Conflict management and mediation",
    "crimes_motivated_by_bias": "Crimes motivated by bias",
    "crisis_intervention_mental_illness": "Crisis intervention and mental illness",
    "crisis_intervention_rape_victims": "Crisis intervention for rape victims",
    "deescalation": "De-escalation",
    "defensive_tactics": "Defensive tactics / arrest and control",
    "diversity_implicit_bias": "Community diversity and implicit bias",
    "domestic_violence": "Domestic violence",
    "emergency_vehicle_operations": "Emergency vehicle operations and pursuit",
    "firearms": "Firearms training",
    "firearms_qualification": "Firearms qualification (proficiency)",
    "first_aid_cpr": "First aid and CPR",
    "human_trafficking": "Human trafficking",
    "leadership": "Leadership, supervision and professional development",
    "legal_update": "Legal and legislative update",
    "mental_health_response": "Mental health response",
    "missing_children": "Missing children",
    "missing_persons": "Missing persons",
    "officer_wellness": "Officer wellness",
    "racial_profiling": "Racial and identity profiling",
    "report_writing": "Report writing",
    "school_resource_officer": "School resource officer",
    "school_threat_safety": "School threat assessment and safety",
    "sexual_assault_response": "Sexual assault response",
    "tactical_communication": "Tactical / strategic communication",
    "use_of_force": "Use of force",
}
