"""Texas TCOLE worked examples (post-rules.md §7, post-rules-in-oh-ca-tx-update.md §4)."""

from __future__ import annotations

from datetime import date

from tests.rules.helpers import D, evaluate_state, person, rec, requirement, results

ALERRT = rec(date(2024, 2, 1), 16, course="3381", rid="alerrt")


def test_unit_2023_25_with_40_hours_legislative_update_and_alerrt() -> None:
    """37 TAC 218.3 and the TCOLE 2023-25 page: 40 h per unit including legislative update
    #3188 and 16 h ALERRT."""
    records = [
        rec(date(2023, 10, 1), 4, course="3188", rid="leg"),
        ALERRT,
        rec(date(2024, 5, 1), 20),
    ]
    status = evaluate_state("TX", person(records=records), date(2024, 6, 1))
    assert requirement(status, "unit_total").counted == D(40)
    assert requirement(status, "unit_total").status == "compliant"
    assert requirement(status, "legislative_update").status == "compliant"
    assert requirement(status, "active_shooter").status == "compliant"


def test_last_units_legislative_update_does_not_satisfy_this_unit() -> None:
    """TCOLE page: the legislative update course number changes each unit (3186 for 2019-21,
    3188 for 2023-25)."""
    status = evaluate_state(
        "TX", person(records=[rec(date(2023, 10, 1), 4, course="3186")]), date(2024, 6, 1)
    )
    update = requirement(status, "legislative_update")
    assert (update.version_id, update.remaining) == ("tx-2023-09", D(1))


def test_new_licensees_start_with_the_first_complete_unit() -> None:
    """37 TAC 218.3(n): legislatively required CE begins in the first complete 24-month unit
    after licensing."""
    rookie = person(hired_on=date(2024, 1, 15))
    status = evaluate_state("TX", rookie, date(2025, 3, 1))
    assert requirement(status, "unit_total").status == "not_applicable"
    later = evaluate_state("TX", rookie, date(2025, 10, 1))
    assert requirement(later, "unit_total").status == "on_track"


def test_cycle_courses_bind_only_officers_below_intermediate_proficiency() -> None:
    """37 TAC 218.3(c): each cycle, officers without intermediate proficiency complete 3939,
    3232, 3843 (or 1850) and 1849."""
    records = [rec(date(2022, 1, 10), 4, course=c) for c in ("3939", "3232", "1850", "1849")]
    basic = evaluate_state("TX", person(records=records), date(2024, 6, 1))
    courses = requirement(basic, "cycle_courses")
    assert (courses.status, courses.counted, courses.window_end) == (
        "compliant",
        D(4),
        date(2025, 8, 31),
    )
    intermediate = evaluate_state("TX", person(certificates=["intermediate"]), date(2024, 6, 1))
    assert requirement(intermediate, "cycle_courses").status == "not_applicable"


def test_alerrt_level_1_is_due_once_by_august_2027() -> None:
    """37 TAC 218.3 and the TCOLE page: all officers complete ALERRT Level 1 by Aug 31, 2027."""
    status = evaluate_state("TX", person(), date(2027, 7, 1))
    level_1 = requirement(status, "alerrt_level_1")
    assert (level_1.status, level_1.deadline) == ("due_soon", date(2027, 8, 31))
    done = person(records=[rec(date(2025, 1, 5), 8, tags=["alerrt_level_1"])])
    assert (
        requirement(evaluate_state("TX", done, date(2027, 7, 1)), "alerrt_level_1").status
        == "compliant"
    )


def test_firearms_proficiency_is_annual_and_not_ce_credit() -> None:
    """Occ. Code 1701.355 (at least annually) and 37 TAC 218.1(c) (TCOLE may refuse credit
    for the annual firearms proficiency)."""
    qual = rec(
        date(2024, 3, 1), 4, {"firearms_qualification": 4}, tags=["firearms_qualification"], rid="q"
    )
    status = evaluate_state("TX", person(records=[qual]), date(2024, 6, 1))
    assert requirement(status, "firearms_proficiency").status == "compliant"
    assert "q" not in requirement(status, "unit_total").records
    missed = evaluate_state("TX", person(records=[qual]), date(2025, 1, 15))
    assert results(missed, "firearms_proficiency")[-1].status == "on_track"


def test_only_the_named_course_may_have_been_completed_in_the_previous_unit() -> None:
    """TCOLE Training Requirements page (2023-25), post-rules.md §7 "Unit-specific mandates":
    2023-25 requires Finding Wellness #4202, and Trauma-Informed Approach to Sexual Assault
    Investigations #470/#4070 "if not completed in the 09/01/2021-08/31/2023 unit". The
    allowance names #470/#4070 only: #4202 taken in 2022 does not count for 2023-25."""
    in_2021_23 = [
        rec(date(2022, 3, 1), 8, course="4070", rid="trauma-2022"),
        rec(date(2022, 4, 1), 4, course="4202", rid="wellness-2022"),
    ]
    status = evaluate_state("TX", person(records=in_2021_23), date(2025, 7, 1))
    mandates = requirement(status, "unit_mandates")
    assert (mandates.window_start, mandates.window_end) == (date(2023, 9, 1), date(2025, 8, 31))
    by_label = {t.topic: t.counted for t in mandates.topics}
    assert by_label == {
        "Finding Wellness #4202": D(0),
        "Trauma-Informed Sexual Assault #470/#4070": D(1),
    }
    assert (mandates.status, mandates.remaining) == ("due_soon", D(1))
    assert mandates.records == ("trauma-2022",)
    assert any("trauma-2022" in r and "2021-09-01" in r for r in mandates.reasons), mandates.reasons
    both_now = [
        *in_2021_23,
        rec(date(2024, 1, 10), 4, course="4202", rid="wellness-2024"),
    ]
    met = requirement(
        evaluate_state("TX", person(records=both_now), date(2025, 6, 1)), "unit_mandates"
    )
    assert (met.status, met.records) == ("compliant", ("wellness-2024", "trauma-2022"))
