"""Indiana LETB worked examples (post-rules.md §3, post-rules-in-oh-ca-tx-update.md §1)."""

from __future__ import annotations

from datetime import date

from tests.rules.helpers import D, evaluate_state, exemption, person, rec, requirement, results

FULL_2015 = [
    rec(date(2015, 3, 1), 2, {"firearms": 2}),
    rec(date(2015, 4, 1), 2, {"emergency_vehicle_operations": 2}),
    rec(date(2015, 5, 1), 2, {"defensive_tactics": 2}),
    rec(date(2015, 6, 1), 18),
]


def test_24_hours_with_2_2_2_topics_is_compliant() -> None:
    """LSA #08-288 (2009 training year): 24 h each calendar year incl. 2 h firearms, 2 h
    physical tactics/use of force and 2 h police vehicle operations."""
    status = evaluate_state(
        "IN", person(hired_on=date(2015, 1, 5), records=FULL_2015), date(2015, 12, 1)
    )
    assert status.status == "compliant"
    assert requirement(status, "in_service_total").counted == D(24)


def test_a_missed_firearms_minimum_is_non_compliant_after_year_end() -> None:
    """250 IAC 2-7-1 and the ILEA 2021 letter: hours must be completed January 1-December 31;
    the grace period into the next year ended with the 2020 hours."""
    records = [r for r in FULL_2015 if "firearms" not in r.topic_hours]
    records.append(rec(date(2015, 7, 1), 2))
    status = evaluate_state("IN", person(records=records), date(2016, 1, 20))
    past = results(status, "firearms")[-2]  # the window just before the current one
    assert (past.window_start, past.status, past.remaining) == (
        date(2015, 1, 1),
        "non_compliant",
        D(2),
    )
    assert status.status == "non_compliant"
    assert "suspend" in (past.consequence or "")


def test_2024_defensive_tactics_rises_to_4_hours_once_published() -> None:
    """LSA #23-732, posted March 6, 2024: DT/UoF 2 → 4 h of active participation; read as
    covering the whole 2024 training year once in effect (uncertain)."""
    officer = person(records=[rec(date(2024, 1, 20), 2, {"defensive_tactics": 2})])
    early = requirement(evaluate_state("IN", officer, date(2024, 2, 1)), "defensive_tactics")
    later = requirement(evaluate_state("IN", officer, date(2024, 6, 1)), "defensive_tactics")
    assert (early.version_id, early.required, early.status) == ("in-2009", D(2), "compliant")
    assert (later.version_id, later.required, later.remaining) == ("in-2024", D(4), D(2))
    assert later.confidence == "uncertain"
    assert any("2024-03-06" in reason for reason in later.reasons)


def test_2024_defensive_tactics_must_be_hands_on() -> None:
    """ILEA Mandated In-Service Training: '4 hours Defensive Tactics that must be hands-on'
    (online hours are not counted; derived reading)."""
    officer = person(
        records=[
            rec(date(2025, 2, 1), 4, {"defensive_tactics": 4}, delivery="online", rid="online"),
            rec(date(2025, 3, 1), 2, {"defensive_tactics": 2}, rid="mat"),
        ]
    )
    dt = requirement(evaluate_state("IN", officer, date(2025, 4, 1)), "defensive_tactics")
    assert (dt.counted, dt.records) == (D(2), ("mat",))


def test_mid_year_appointee_owes_the_full_24_hours_flagged_uncertain() -> None:
    """250 IAC 2-7-1 ('each calendar year'); no proration rule was found (update §1 Q3), so
    an officer appointed in October owes 24 h that year and the reasons say it is uncertain."""
    officer = person(hired_on=date(2023, 10, 2))
    total = requirement(evaluate_state("IN", officer, date(2023, 11, 1)), "in_service_total")
    assert (total.required, total.status) == (D(24), "due_soon")
    assert total.confidence == "uncertain"
    assert any("proration" in r for r in total.reasons)


def test_officers_still_in_basic_training_are_not_yet_bound() -> None:
    """250 IAC 2-7-1 binds a person 'who has successfully completed basic training and has
    been appointed'."""
    recruit = person(hired_on=date(2023, 2, 1), basic_completed_on=date(2023, 9, 1))
    status = evaluate_state("IN", recruit, date(2023, 5, 1))
    assert requirement(status, "in_service_total").status == "not_applicable"


def test_reserve_officers_are_bound_and_civilians_are_not() -> None:
    """ILEA FAQ (LETB order 6/8/15) and LSA #23-732: reserves have the same in-service."""
    reserve = evaluate_state("IN", person(employment="reserve"), date(2024, 5, 1))
    assert requirement(reserve, "in_service_total").status == "on_track"
    civilian = evaluate_state("IN", person(kind="civilian"), date(2024, 5, 1))
    assert civilian.status == "not_applicable"


def test_a_board_waiver_waives_that_year() -> None:
    """250 IAC 2-7-4: the board may waive the requirement for a year missed because of an
    emergency or course unavailability (recorded as an administrative exemption)."""
    waived = person(exemptions=[exemption("administrative", date(2022, 3, 1), date(2022, 12, 31))])
    status = evaluate_state("IN", waived, date(2023, 1, 15))
    # Issue 12 §2: earlier years (no records since the 2010 hire) are carried unmet; the
    # waived year is not among them.
    found = results(status, "in_service_total")
    assert found[-1].status == "on_track"
    assert date(2022, 1, 1) not in {r.window_start for r in found}
    medical = person(exemptions=[exemption("medical_leave", date(2022, 3, 1), date(2022, 12, 31))])
    past = results(evaluate_state("IN", medical, date(2023, 1, 15)), "in_service_total")[-2]
    assert past.status == "non_compliant"
    assert any("grants no tolling" in r for r in past.reasons)
