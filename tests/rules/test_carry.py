"""Missed windows stay findings until cured (DESIGN invariant 7; issue 12 §2), and licence
periods come from recorded issue and renewal dates, not the hire date (issue 12 §3)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from projections.evaluate import evaluate
from projections.history import LicensePeriod, PersonHistory, StatusPeriod
from projections.rules import resolve_versions
from projections.rules.loader import load_pack_text
from tests.rules.helpers import D, evaluate_state, person, rec, requirement, results


def _licensed(history: PersonHistory, *periods: LicensePeriod) -> PersonHistory:
    return replace(history, licenses=periods)


def test_a_licence_period_that_closed_short_stays_non_compliant_beside_an_imported_expiry() -> None:
    """Minn. R. 6700.1000 subp. 3: 48 h per three-year licence period. 33 of 48 h in
    2021-07-01..2024-06-30 with an imported licence end of 2027-06-30: on 2024-07-15 the
    period that closed short is non_compliant, and the reason names the conflict and that
    the later end is only an imported expiry date (it used to show on_track alone)."""
    officer = _licensed(
        person(hired_on=date(2021, 7, 1), records=[rec(date(2022, 5, 1), 33)]),
        LicensePeriod("L-1", date(2021, 7, 1), date(2027, 6, 30), source="expiry"),
    )
    status = evaluate_state("MN", officer, date(2024, 7, 15))
    past, current = results(status, "total_ce")
    assert (past.window_start, past.window_end, past.status) == (
        date(2021, 7, 1),
        date(2024, 6, 30),
        "non_compliant",
    )
    assert (past.counted, past.required, past.remaining) == (D(33), D(48), D(15))
    conflict = [r for r in past.reasons if "later period end 2027-06-30 is on record" in r]
    assert conflict
    assert "only an imported expiry date" in conflict[0]
    assert "records are incomplete or the licence record is wrong" in conflict[0]
    assert current.window_start == date(2024, 7, 1)
    assert status.status == "non_compliant"


def test_the_conflict_names_a_recorded_renewal() -> None:
    """Minn. R. 6700.1000 subp. 3 and 5: a renewal recorded for 2027 although the 2024
    period closed short is a conflict in the records, said as such."""
    officer = _licensed(
        person(hired_on=date(2021, 7, 1), records=[rec(date(2022, 5, 1), 33)]),
        LicensePeriod("L-1", date(2021, 7, 1), date(2024, 6, 30)),
        LicensePeriod("L-1", date(2024, 7, 1), date(2027, 6, 30), source="renewal"),
    )
    past = results(evaluate_state("MN", officer, date(2024, 7, 15)), "total_ce")[0]
    assert past.status == "non_compliant"
    assert any("(a recorded renewal)" in r for r in past.reasons), past.reasons


def test_every_unmet_window_since_hire_is_carried_not_only_the_last() -> None:
    """Minn. Stat. 626.8452 subd. 3: use of force every calendar year. Years missed two and
    three years ago are still findings; years before the hire are not the agency's."""
    officer = person(
        hired_on=date(2019, 3, 4),
        period_ends=[date(2024, 6, 30)],
        records=[rec(date(2021, 5, 1), 1, {"use_of_force": 1})],
    )
    found = results(evaluate_state("MN", officer, date(2023, 3, 1)), "use_of_force_annual")
    assert [(r.window_start.year, r.status) for r in found if r.window_start] == [
        (2019, "non_compliant"),
        (2020, "non_compliant"),
        (2022, "non_compliant"),
        (2023, "on_track"),
    ]


def test_a_recorded_lapse_or_separation_ends_the_carry() -> None:
    """Windows missed before a recorded licence lapse (inactive) or separation are not
    carried after it: a reinstatement starts afresh (docs/rule-packs.md, missed windows)."""
    officer = replace(
        person(hired_on=date(2015, 1, 5), period_ends=[date(2024, 6, 30)]),
        statuses=(
            StatusPeriod("active", date(2015, 1, 5)),
            StatusPeriod("inactive", date(2019, 3, 1)),
            StatusPeriod("active", date(2020, 1, 2)),
        ),
    )
    found = results(evaluate_state("MN", officer, date(2021, 2, 1)), "use_of_force_annual")
    starts = [r.window_start for r in found if r.status != "not_applicable"]
    assert starts == [date(2020, 1, 1), date(2021, 1, 1)]


ONE_CYCLE = """
pack: test-one-cycle
title: A one-cycle mandate
jurisdiction: US-MN
credential: peace_officer_license
sources:
  s1: {title: A source}
topics:
  use_of_force: {title: Use of force}
  autism: {title: Autism}
populations:
  officers: {kinds: [sworn]}
calendars:
  calendar_year: {kind: fixed, epoch: 2000-01-01, length_years: 1, source: [s1]}
versions:
  - id: v2020
    effective_from: 2020-01-01
    effective_to: 2020-12-31
    applicability: {mode: calendar_year}
    summary: the 2020 cycle adds a one-time autism course
    source: [s1]
    requirements:
      - {id: uof, kind: hours, title: UoF, window: calendar_year, population: [officers],
         min_hours: 1, topics: [use_of_force], source: [s1]}
      - {id: autism_2020, kind: hours, title: Autism (2020 only), window: calendar_year,
         population: [officers], min_hours: 4, topics: [autism], source: [s1]}
  - id: v2021
    effective_from: 2021-01-01
    applicability: {mode: calendar_year}
    summary: the autism mandate is dropped
    source: [s1]
    requirements:
      - {id: uof, kind: hours, title: UoF, window: calendar_year, population: [officers],
         min_hours: 1, topics: [use_of_force], source: [s1]}
"""


def test_a_missed_window_of_a_dropped_requirement_is_still_reported() -> None:
    """A mandate of one cycle only, missed, stays a finding after the next cycle starts
    under a version that no longer has it."""
    versions = resolve_versions(load_pack_text(ONE_CYCLE, "one-cycle.yaml"))
    records = [
        rec(date(2020, 3, 1), 1, {"use_of_force": 1}),
        rec(date(2021, 3, 1), 1, {"use_of_force": 1}),
        rec(date(2020, 4, 1), 2, {"autism": 2}),
    ]
    officer = person(hired_on=date(2019, 6, 3), records=records)
    status = evaluate(versions, officer, date(2021, 6, 1))
    (missed,) = results(status, "autism_2020")
    assert (missed.version_id, missed.window_start, missed.status, missed.remaining) == (
        "v2020",
        date(2020, 1, 1),
        "non_compliant",
        D(2),
    )
    assert status.status == "non_compliant"
    met = person(
        hired_on=date(2019, 6, 3), records=[*records, rec(date(2020, 5, 1), 2, {"autism": 2})]
    )
    assert results(evaluate(versions, met, date(2021, 6, 1)), "autism_2020") == []


def test_an_imported_expiry_does_not_make_a_stub_first_period() -> None:
    """Minn. R. 6700.1000 subp. 1/3: periods run every three years to June 30. An officer
    hired 2012-03-01 whose record says only 'licence ends 2027-06-30' gets whole periods
    derived from that end, the first one said to be derived, never 2012-03-01..2012-06-30
    owing 48 h."""
    officer = _licensed(
        person(hired_on=date(2012, 3, 1)),
        LicensePeriod("L-1", date(2012, 3, 1), date(2027, 6, 30), source="expiry"),
    )
    found = results(evaluate_state("MN", officer, date(2013, 1, 15)), "total_ce")
    assert date(2012, 3, 1) not in {r.window_start for r in found}
    current = found[-1]
    # The period in progress at hire is a whole one (derived), and judged: it closed unmet.
    assert [(r.window_start, r.status) for r in found[:-1]] == [(date(2009, 7, 1), "non_compliant")]
    assert (current.window_start, current.window_end) == (date(2012, 7, 1), date(2015, 6, 30))
    at_hire = results(evaluate_state("MN", officer, date(2012, 4, 2)), "total_ce")[-1]
    assert (at_hire.window_start, at_hire.window_end) == (date(2009, 7, 1), date(2012, 6, 30))
    assert any("licence issue date not recorded" in r and "derived" in r for r in at_hire.reasons)


def test_a_recorded_issue_date_makes_the_first_period() -> None:
    """Minn. R. 6700.1000: with the issue date recorded, the first period runs from it to
    the first recorded period end (the existing first-period reading, flagged uncertain)."""
    officer = person(
        hired_on=date(2012, 3, 1), licensed_on=date(2011, 9, 1), period_ends=[date(2014, 6, 30)]
    )
    total = requirement(evaluate_state("MN", officer, date(2013, 1, 15)), "total_ce")
    assert (total.window_start, total.window_end) == (date(2011, 9, 1), date(2014, 6, 30))
    assert any("first licence period, from the licence date 2011-09-01" in r for r in total.reasons)


def test_first_complete_unit_keys_on_the_licence_date_not_the_hire() -> None:
    """37 TAC 218.3(n): legislatively required CE begins in the first complete 24-month unit
    after *licensing*. A lateral hire licensed in 2015 and hired in January 2024 owes the
    unit they were hired in; a new licensee hired the same day does not."""
    lateral = person(
        hired_on=date(2024, 1, 15), licensed_on=date(2015, 6, 1), period_ends=[date(2027, 6, 30)]
    )
    unit = requirement(evaluate_state("TX", lateral, date(2025, 3, 1)), "unit_total")
    assert unit.status == "on_track"
    rookie = person(
        hired_on=date(2024, 1, 15), licensed_on=date(2024, 1, 15), period_ends=[date(2027, 6, 30)]
    )
    new = requirement(evaluate_state("TX", rookie, date(2025, 3, 1)), "unit_total")
    assert new.status == "not_applicable"
    assert "before licensing on 2024-01-15" in new.reasons[0]
    unknown = person(hired_on=date(2024, 1, 15))  # no licence issue date on record
    hired = requirement(evaluate_state("TX", unknown, date(2025, 3, 1)), "unit_total")
    assert "licence issue date not recorded" in hired.reasons[0]


def test_a_missed_rolling_deadline_stays_missed_until_a_completion_cures_it() -> None:
    """MN POST in-service page: "an eight hour course in emergency vehicle operations ...
    every five years" (post-rules-mn-or-update.md Q2: rolling or fixed not resolved; the
    pack reads it rolling from the last completion, flagged uncertain). The deadline
    missed on 2024-05-01 is still the finding six years later, not rolled on; a late
    completion ends it and starts the next five years from it (docs/rule-packs.md, missed
    windows: rolling carries by its nature)."""
    first = rec(date(2019, 5, 1), 8, {"emergency_vehicle_operations": 8})
    officer = person(period_ends=[date(2031, 6, 30)], records=[first])
    late = requirement(evaluate_state("MN", officer, date(2030, 7, 1)), "evoc")
    assert (late.status, late.deadline) == ("non_compliant", date(2024, 5, 1))
    cured = person(
        period_ends=[date(2031, 6, 30)],
        records=[first, rec(date(2026, 1, 10), 8, {"emergency_vehicle_operations": 8})],
    )
    again = requirement(evaluate_state("MN", cured, date(2030, 7, 1)), "evoc")
    assert (again.status, again.deadline) == ("compliant", date(2031, 1, 10))


def test_a_missed_one_time_mandate_stays_missed_until_a_late_completion() -> None:
    """post-rules.md, Texas: "All officers must complete ALERRT Level 1 by Aug 31, 2027"
    (37 TAC 218.3, TCOLE page). Missed, it is non_compliant years later still. The rule
    text names no cure: that a late completion ends the finding is the engine's
    complete_once reading (docs/rule-packs.md), not a TCOLE statement."""
    missed = requirement(evaluate_state("TX", person(), date(2030, 2, 1)), "alerrt_level_1")
    assert (missed.status, missed.deadline) == ("non_compliant", date(2027, 8, 31))
    late = person(records=[rec(date(2028, 3, 1), 8, tags=["alerrt_level_1"])])
    cured = requirement(evaluate_state("TX", late, date(2030, 2, 1)), "alerrt_level_1")
    assert cured.status == "compliant"
