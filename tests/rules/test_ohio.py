"""Ohio OPOTC worked examples (post-rules.md §4, post-rules-in-oh-ca-tx-update.md §2)."""

from __future__ import annotations

from datetime import date

from tests.rules.helpers import D, evaluate_state, exemption, person, rec, requirement, results

QUAL = "firearms_qualification"


def test_a_zero_hour_year_owes_no_cpt_but_still_requalification() -> None:
    """OPOTA News Oct 2017 ('2018 CPT - 0 hours'), CJU May 2022 (unfunded 2019-2021), and
    R.C. 109.801 (annual firearms requalification regardless)."""
    status = evaluate_state("OH", person(), date(2020, 6, 1))
    cpt = requirement(status, "cpt")
    assert (cpt.status, cpt.required, cpt.version_id) == ("compliant", D(0), "oh-2019")
    assert requirement(status, "firearms_requalification").status == "on_track"


def test_year_of_basic_training_is_exempt() -> None:
    """OAC 109:2-18-02(C): newly certified officers are exempt for the calendar year in which
    they completed basic training (2023 CPT: officers who graduated in 2023 or earlier owe 2024)."""
    rookie = person(hired_on=date(2023, 1, 9), basic_completed_on=date(2023, 6, 30))
    exempt = requirement(evaluate_state("OH", rookie, date(2023, 10, 1)), "cpt")
    assert exempt.status == "not_applicable"
    assert "basic training completed" in exempt.reasons[0]
    owed = requirement(evaluate_state("OH", rookie, date(2024, 10, 1)), "cpt")
    assert (owed.status, owed.required) == ("on_track", D(24))


def test_2023_excess_mandated_hours_spill_into_the_general_16() -> None:
    """OAG 2023 CPT FAQ: School Threat 3, Legal Updates 3, Arrest/Search/Seizure 2, 16
    agency-chosen; excess hours in the mandated topics count toward the 16."""
    records = [
        rec(date(2023, 2, 1), 3, {"school_threat_safety": 3}),
        rec(date(2023, 3, 1), 9, {"legal_update": 9}),
        rec(date(2023, 4, 1), 2, {"arrest_search_seizure": 2}),
        rec(date(2023, 5, 1), 10),
    ]
    cpt = requirement(evaluate_state("OH", person(records=records), date(2023, 6, 1)), "cpt")
    assert (cpt.status, cpt.counted) == ("compliant", D(24))


def test_2025_excess_does_not_cross_between_prescribed_and_priority() -> None:
    """OAG 2025 CPT page: 24 h = 8 prescribed + 16 priority; hours above one group's minimum do
    not count toward the other."""
    records = [
        rec(date(2025, 2, 1), 10, {"oh_cpt_prescribed": 10}),
        rec(date(2025, 3, 1), 14, {"oh_cpt_priority": 14}),
    ]
    cpt = requirement(evaluate_state("OH", person(records=records), date(2025, 6, 1)), "cpt")
    assert (cpt.counted, cpt.remaining, cpt.status) == (D(24), D(2), "on_track")


def test_firearms_requalification_is_not_cpt() -> None:
    """OPOTA News Dec 14, 2016: annual requalification cannot be counted toward CPT hours;
    it satisfies the separate requalification requirement (R.C. 109.801)."""
    records = [
        rec(date(2024, 4, 1), 4, {QUAL: 4}, tags=[QUAL], rid="range"),
        rec(date(2024, 5, 1), 20),
    ]
    status = evaluate_state("OH", person(records=records), date(2024, 6, 1))
    cpt = requirement(status, "cpt")
    assert (cpt.counted, "range" in cpt.records) == (D(20), False)
    assert requirement(status, "firearms_requalification").status == "compliant"


def test_2018_backlog_must_be_completed_once_by_december_31() -> None:
    """OAG CJU Fall 2017: existing officers complete the statutorily mandated topics by
    Dec 31, 2018; non-completers are in cease-function status from Jan 1, 2019."""
    topics = [
        "missing_children",
        "child_abuse_neglect",
        "missing_persons",
        "domestic_violence",
        "human_trafficking",
        "crisis_intervention_rape_victims",
        "companion_animal_encounters",
    ]
    done = [rec(date(2017, 5, 1), 7, dict.fromkeys(topics, 1))]
    ok = requirement(
        evaluate_state("OH", person(records=done), date(2019, 2, 1)), "mandated_topics_backlog"
    )
    assert ok.status == "compliant"
    partial = [rec(date(2017, 5, 1), 6, dict.fromkeys(topics[:-1], 1))]
    late = requirement(
        evaluate_state("OH", person(records=partial), date(2019, 2, 1)), "mandated_topics_backlog"
    )
    assert (late.status, late.remaining) == ("non_compliant", D(1))
    assert "cease" in (late.consequence or "")


def test_2022_choose_three_of_six_categories() -> None:
    """OAG 2022 CPT page: Diversity 4 h mandatory plus 3 of 6 categories at 4 h each."""
    good = [
        rec(date(2022, 2, 1), 4, {"diversity_implicit_bias": 4}),
        rec(
            date(2022, 3, 1),
            12,
            {"mental_health_response": 4, "use_of_force": 4, "legal_update": 4},
        ),
        rec(date(2022, 4, 1), 8, {"oh_collaborative_standards": 8}),
    ]
    assert (
        requirement(evaluate_state("OH", person(records=good), date(2022, 6, 1)), "cpt").remaining
        == 0
    )
    two_only = [
        rec(date(2022, 2, 1), 4, {"diversity_implicit_bias": 4}),
        rec(date(2022, 3, 1), 8, {"mental_health_response": 4, "use_of_force": 4}),
        rec(date(2022, 4, 1), 12, {"oh_collaborative_standards": 12}),
    ]
    cpt = requirement(evaluate_state("OH", person(records=two_only), date(2022, 6, 1)), "cpt")
    assert (cpt.counted, cpt.remaining) == (D(24), D(4))


def test_an_extension_moves_the_deadline_to_its_end() -> None:
    """R.C. 109.803(A)(2): the appointing authority may get a per-officer extension for
    emergency circumstances (recorded as an administrative exemption)."""
    extended = person(
        records=[rec(date(2024, 2, 1), 24, rid="late")],
        exemptions=[exemption("administrative", date(2023, 12, 1), date(2024, 3, 31))],
    )
    status = evaluate_state("OH", extended, date(2024, 2, 15))
    # Issue 12 §2: the extended 2023 window stays visible against its extended deadline
    # (earlier years, with no records since the 2010 hire, are carried unmet).
    (extended_2023,) = [r for r in results(status, "cpt") if r.window_end == date(2023, 12, 31)]
    assert extended_2023.status != "non_compliant"
    assert extended_2023.deadline == date(2024, 3, 31)
    plain = evaluate_state("OH", person(), date(2024, 2, 15))
    assert results(plain, "cpt")[-2].status == "non_compliant"
