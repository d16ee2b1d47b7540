"""What the synthetic agency draws from: courses, names, units, ranks and assignments."""

from __future__ import annotations

__all__ = ["ASSIGNMENTS", "COURSES", "FIRST_NAMES", "LAST_NAMES", "RANKS", "UNITS", "Course"]

Course = tuple[str, str, str, str, dict[str, str]]

# (title, provider, POST course number, hours, {canonical topic: hours})
COURSES: list[Course] = [
    ("Use of Force Annual Update", "Agency Training Unit", "UOF-101", "4", {"use_of_force": "4"}),
    (
        "Firearms Qualification and Judgement",
        "Agency Range",
        "FA-220",
        "4",
        {"firearms": "3", "use_of_force": "1"},
    ),
    (
        "Crisis Intervention Team Basic",
        "State CIT Partnership",
        "CIT-40",
        "8",
        {"crisis_intervention_mental_illness": "8"},
    ),
    ("Autism Awareness for First Responders", "Autism Society", "AUT-4", "4", {"autism": "4"}),
    (
        "Conflict Management and Mediation",
        "Regional Academy",
        "CMM-2",
        "2",
        {"conflict_management_mediation": "2"},
    ),
    (
        "Implicit Bias in Policing",
        "Regional Academy",
        "IB-3",
        "3",
        {"diversity_implicit_bias": "3"},
    ),
    (
        "Crimes Motivated by Bias",
        "State POST Online",
        "CMB-1",
        "1",
        {"crimes_motivated_by_bias": "1"},
    ),
    (
        "Officer Wellness and Resilience",
        "Peer Support Network",
        "WEL-2",
        "2",
        {"officer_wellness": "2"},
    ),
    (
        "Emergency Vehicle Operations",
        "State Driving Center",
        "EVOC-8",
        "8",
        {"emergency_vehicle_operations": "8"},
    ),
    (
        "Defensive Tactics Refresher",
        "Agency Training Unit",
        "DT-4",
        "4",
        {"defensive_tactics": "4"},
    ),
    ("First Aid and CPR Recertification", "Red Cross", "FA-CPR", "4", {"first_aid_cpr": "4"}),
    ("Legislative Update", "State POST Online", "LEG-2", "2", {"legal_update": "2"}),
    ("Active Shooter Response", "Regional SWAT", "ASR-8", "8", {"active_shooter": "8"}),
    ("First-Line Supervision", "Command College", "LDR-16", "16", {"leadership": "16"}),
    ("Report Writing", "Regional Academy", "RW-2", "2", {}),
    (
        "De-escalation Scenarios",
        "Agency Training Unit",
        "DE-4",
        "4",
        {"conflict_management_mediation": "2", "use_of_force": "2"},
    ),
]
FIRST_NAMES = [
    "Alex",
    "Sam",
    "Jordan",
    "Taylor",
    "Morgan",
    "Casey",
    "Riley",
    "Jamie",
    "Avery",
    "Quinn",
    "Maria",
    "James",
    "Linh",
    "Ahmed",
    "Fatima",
    "Carlos",
    "Grace",
    "Noah",
]
LAST_NAMES = [
    "Johnson",
    "Nguyen",
    "Garcia",
    "Olson",
    "Anderson",
    "Hassan",
    "Smith",
    "Lee",
    "Martinez",
    "Brown",
    "Larson",
    "Yang",
    "Thompson",
    "Khan",
    "Lopez",
    "Peterson",
]
UNITS = ["Patrol", "Investigations", "Traffic", "Community Engagement", "Records", "Dispatch"]
RANKS = ["Officer", "Officer", "Officer", "Sergeant", "Lieutenant"]
ASSIGNMENTS = ["sro", "k9", "fto", "swat"]
