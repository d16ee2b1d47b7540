"""California POST worked examples (post-rules.md §6, post-rules-in-oh-ca-tx-update.md §3)."""

from __future__ import annotations

from datetime import date

from tests.rules.helpers import D, evaluate_state, person, rec, requirement

PSP_2002 = {
    "defensive_tactics": 4,
    "emergency_vehicle_operations": 4,
    "firearms": 4,
    "tactical_communication": 2,
}


def test_24_hours_per_fixed_statewide_cycle_flagged_uncertain() -> None:
    """Reg. 1005(d) (24 h per two-year CPT cycle) and SFPD notice 24-195 (cycle Jan 1, 2025 -
    Dec 31, 2026); fixed statewide cycles rest on that notice alone."""
    officer = person(records=[rec(date(2025, 3, 1), 24)])
    cpt = requirement(evaluate_state("CA", officer, date(2025, 6, 1)), "cpt")
    assert (cpt.status, cpt.window_start, cpt.deadline) == (
        "compliant",
        date(2025, 1, 1),
        date(2026, 12, 31),
    )
    assert cpt.confidence == "uncertain"


def test_perishable_skills_include_use_of_force_from_2023() -> None:
    """POST PSP page: in 2021 Use of Force became Category V (4 h), PSP = 18 of the 24 h;
    the first cycle is a derived guess (2023-2024)."""
    officer = person(records=[rec(date(2023, 3, 1), 14, PSP_2002)])
    psp = requirement(evaluate_state("CA", officer, date(2023, 6, 1)), "perishable_skills")
    assert (psp.version_id, psp.required, psp.remaining) == ("ca-2023-01", D(18), D(4))
    old = person(records=[rec(date(2021, 3, 1), 14, PSP_2002)])
    earlier = requirement(evaluate_state("CA", old, date(2021, 6, 1)), "perishable_skills")
    assert (earlier.version_id, earlier.status) == ("ca-2002-01", "compliant")


def test_middle_managers_owe_cpt_but_not_perishable_skills() -> None:
    """POST PSP page: PSP binds officers below middle management in patrol-type duty."""
    lieutenant = person(rank="Lieutenant")
    status = evaluate_state("CA", lieutenant, date(2025, 6, 1))
    assert requirement(status, "perishable_skills").status == "not_applicable"
    assert requirement(status, "cpt").status == "on_track"


def test_dispatchers_owe_cpt_though_civilian() -> None:
    """Reg. 1005(d): public safety dispatchers and dispatch supervisors complete 24 h per
    cycle."""
    dispatcher = person(kind="civilian", assignments=["dispatch"])
    status = evaluate_state("CA", dispatcher, date(2025, 6, 1))
    assert requirement(status, "cpt").status == "on_track"
    assert requirement(status, "perishable_skills").status == "not_applicable"


def test_racial_profiling_refresher_every_five_years() -> None:
    """POST May 2020 Report (PC 13519.4(i), Reg. 1081): two-hour refresher every 5 years."""
    officer = person(records=[rec(date(2019, 4, 1), 2, {"racial_profiling": 2})])
    ok = requirement(evaluate_state("CA", officer, date(2023, 1, 1)), "racial_profiling_refresher")
    late = requirement(
        evaluate_state("CA", officer, date(2024, 5, 1)), "racial_profiling_refresher"
    )
    assert (ok.status, ok.deadline) == ("compliant", date(2024, 4, 1))
    assert late.status == "non_compliant"
