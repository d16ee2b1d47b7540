"""Oregon DPSST worked examples (post-rules.md §5, post-rules-mn-or-update.md Oregon)."""

from __future__ import annotations

from datetime import date

from projections.rules.calendars import window_containing
from projections.rules.schema import CohortCalendar
from tests.rules.helpers import D, evaluate_state, person, rec, requirement, results, versions

UOF = {"use_of_force": 8}


def _cohort() -> CohortCalendar:
    calendar = versions("OR")[0].calendars["maintenance_cycle"]
    assert isinstance(calendar, CohortCalendar)
    return calendar


def test_half_year_rule_matches_the_dpsst_examples() -> None:
    """OAR 259-008-0065(5) and the 2008 DPSST page: certified Apr 15, 2005 → cycle due
    Dec 31, 2007; certified Oct 15, 2005 → due Dec 31, 2008."""
    spring = window_containing(_cohort(), person(certified_on=date(2005, 4, 15)), date(2006, 1, 1))
    autumn = window_containing(_cohort(), person(certified_on=date(2005, 10, 15)), date(2006, 1, 1))
    assert spring is not None
    assert autumn is not None
    assert (spring.start, spring.end) == (date(2005, 1, 1), date(2007, 12, 31))
    assert (autumn.start, autumn.end) == (date(2006, 1, 1), date(2008, 12, 31))


def test_maintenance_cycle_window_follows_the_certification_cohort() -> None:
    """OAR 259-008-0065(5)(a)-(c): 84 h per 3-year cycle from January 1 of the certification
    year (certified January-June) or of the next year (July-December)."""
    status = evaluate_state("OR", person(certified_on=date(2019, 10, 15)), date(2021, 3, 1))
    total = requirement(status, "maintenance_total")
    assert (total.window_start, total.deadline, total.required) == (
        date(2020, 1, 1),
        date(2022, 12, 31),
        D(84),
    )
    assert total.confidence == "uncertain"  # 84 h rests on the 2008 page


def test_annual_eight_hours_firearms_or_use_of_force() -> None:
    """2008 DPSST page: 8 h annual firearms or use of force training (24 h over the cycle)."""
    officer = person(
        certified_on=date(2018, 3, 1),
        records=[rec(date(2023, 5, 1), 8, UOF), rec(date(2024, 2, 1), 6, {"firearms": 6})],
    )
    status = evaluate_state("OR", officer, date(2024, 1, 10))
    # Issue 12 §2: the unmet years 2019-2022 are carried; the met 2023 is not reported.
    found = results(status, "annual_firearms_use_of_force")
    assert found[-1].status == "on_track"
    assert date(2023, 1, 1) not in {r.window_start for r in found}
    status = evaluate_state("OR", officer, date(2025, 1, 10))
    past = results(status, "annual_firearms_use_of_force")[-2]
    assert (past.window_start, past.status, past.remaining) == (
        date(2024, 1, 1),
        "non_compliant",
        D(2),
    )


def test_annual_hours_start_with_the_first_maintenance_cycle() -> None:
    """OAR 259-008-0065(5)(c) (derived): certified in October, the first cycle and its annual
    requirement start the next January."""
    status = evaluate_state("OR", person(certified_on=date(2019, 10, 15)), date(2019, 11, 1))
    assert requirement(status, "annual_firearms_use_of_force").status == "not_applicable"


def test_supervisors_owe_24_leadership_hours() -> None:
    """2008 DPSST page: certified at supervisory level or above, 24 of the 84 h in
    leadership/professional training."""
    sergeant = person(certified_on=date(2016, 2, 1), certificates=["supervisory"])
    lead = requirement(evaluate_state("OR", sergeant, date(2023, 5, 1)), "supervisor_leadership")
    assert (lead.status, lead.required) == ("on_track", D(24))
    officer = person(certified_on=date(2016, 2, 1))
    other = requirement(evaluate_state("OR", officer, date(2023, 5, 1)), "supervisor_leadership")
    assert other.status == "not_applicable"


def test_first_aid_cpr_must_be_current_at_all_times() -> None:
    """DPSST Maintenance page: First Aid and Adult/Child CPR required at all times."""
    card = rec(
        date(2023, 1, 10), 4, {"first_aid_cpr": 4}, valid_until=date(2025, 1, 31), rid="card"
    )
    officer = person(certified_on=date(2016, 2, 1), records=[card])
    current = requirement(evaluate_state("OR", officer, date(2024, 6, 1)), "first_aid_cpr")
    soon = requirement(evaluate_state("OR", officer, date(2025, 1, 2)), "first_aid_cpr")
    lapsed = requirement(evaluate_state("OR", officer, date(2025, 2, 1)), "first_aid_cpr")
    assert (current.status, current.records, current.deadline) == (
        "compliant",
        ("card",),
        date(2025, 1, 31),
    )
    assert soon.status == "due_soon"
    assert lapsed.status == "non_compliant"
    undated = person(
        certified_on=date(2016, 2, 1), records=[rec(date(2024, 1, 5), 4, {"first_aid_cpr": 4})]
    )
    unknown = requirement(evaluate_state("OR", undated, date(2024, 6, 1)), "first_aid_cpr")
    # Issue 12 §4: a card without a recorded expiry is not a missed deadline; it is said.
    assert unknown.status == "due_soon"
    assert any("expiry" in r for r in unknown.reasons)


def test_a_card_earned_six_months_ago_counts_when_its_expiry_is_recorded() -> None:
    """DPSST Maintenance page: First Aid and Adult/Child CPR "at all times". A card earned
    six months before the day asked, recorded with its expiry, shows the officer current;
    the same card recorded without one is not a missed deadline: the status says the expiry
    is not recorded and how to record it, and names the card."""
    earned = date(2024, 1, 5)
    with_expiry = rec(earned, 4, {"first_aid_cpr": 4}, valid_until=date(2026, 1, 31), rid="cpr")
    officer = person(certified_on=date(2016, 2, 1), records=[with_expiry])
    current = requirement(evaluate_state("OR", officer, date(2024, 7, 5)), "first_aid_cpr")
    assert (current.status, current.records, current.deadline) == (
        "compliant",
        ("cpr",),
        date(2026, 1, 31),
    )
    without = rec(earned, 4, {"first_aid_cpr": 4}, rid="cpr-undated")
    imported = person(certified_on=date(2016, 2, 1), records=[without])
    unknown = requirement(evaluate_state("OR", imported, date(2024, 7, 5)), "first_aid_cpr")
    assert unknown.status != "non_compliant"
    assert (unknown.status, unknown.deadline, unknown.records) == ("due_soon", None, ())
    reason = next(r for r in unknown.reasons if "cpr-undated" in r)
    assert "2024-01-05" in reason
    assert "valid_until" in reason
    # A later card that has expired is a missed deadline again, whatever older cards say.
    expired = rec(date(2024, 2, 1), 4, {"first_aid_cpr": 4}, valid_until=date(2024, 6, 30))
    lapsed = person(certified_on=date(2016, 2, 1), records=[without, expired])
    gone = requirement(evaluate_state("OR", lapsed, date(2024, 7, 5)), "first_aid_cpr")
    assert (gone.status, gone.deadline) == ("non_compliant", date(2024, 6, 30))
    assert any("expired on 2024-06-30" in r for r in gone.reasons), gone.reasons


def test_2020_2021_misses_are_recorded_but_not_suspended() -> None:
    """OAR 259-008-0001 and the DPSST Maintenance page: 2020-2021 maintenance still required,
    certifications not suspended; suspensions resumed in 2022."""
    officer = person(certified_on=date(2016, 2, 1))
    covid = results(
        evaluate_state("OR", officer, date(2021, 1, 15)), "annual_firearms_use_of_force"
    )[-2]
    assert covid.status == "non_compliant"
    assert "not suspended" in (covid.consequence or "")
    resumed = results(
        evaluate_state("OR", officer, date(2023, 1, 15)), "annual_firearms_use_of_force"
    )[-2]
    assert "suspended" in (resumed.consequence or "")
    assert "not suspended" not in (resumed.consequence or "")


def test_cycles_before_the_archive_date_are_judged_and_flagged_uncertain() -> None:
    """The 2008 DPSST page (archived 2008-09-22) states the 84-hour cycle with the example
    "certified Apr 15 2005 -> due Dec 31 2007" (post-rules.md §5.1); the rule's legal
    effective date was not found (post-rules-mn-or-update.md, amendment history "<= 2008").
    A cycle that ended before the archive date is therefore judged under that reading and
    flagged uncertain, never left owing nothing."""
    officer = person(hired_on=date(2005, 3, 1), certified_on=date(2005, 4, 15))
    # During the 2005-2007 cycle itself, months before the archive date.
    during = requirement(evaluate_state("OR", officer, date(2007, 6, 1)), "maintenance_total")
    assert (during.window_start, during.deadline, during.status) == (
        date(2005, 1, 1),
        date(2007, 12, 31),
        "on_track",
    )
    assert during.confidence == "uncertain"
    assert any("2008-09-22" in r for r in during.reasons), during.reasons
    # After it closed short: the missed 2005-2007 cycle is a finding beside the current one.
    later = evaluate_state("OR", officer, date(2009, 3, 1))
    missed, current = results(later, "maintenance_total")
    assert (missed.window_start, missed.window_end, missed.status) == (
        date(2005, 1, 1),
        date(2007, 12, 31),
        "non_compliant",
    )
    assert (missed.counted, missed.remaining) == (D(0), D(84))
    assert missed.confidence == "uncertain"
    assert any("2008-09-22" in r and "uncertain" in r for r in missed.reasons), missed.reasons
    assert current.window_start == date(2008, 1, 1)
    # The same cycle met is not reported again.
    met = person(
        hired_on=date(2005, 3, 1),
        certified_on=date(2005, 4, 15),
        records=[rec(date(2006, 5, 1), 84, rid="cycle-hours")],
    )
    assert len(results(evaluate_state("OR", met, date(2009, 3, 1)), "maintenance_total")) == 1
