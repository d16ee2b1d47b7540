"""Minnesota POST worked examples (shared/rules/post-rules.md §2, post-rules-mn-or-update.md)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.rules.helpers import D, evaluate_state, person, rec, requirement, results

MLO_FULL = {
    "crisis_intervention_mental_illness": 6,
    "autism": 4,
    "conflict_management_mediation": 1,
    "diversity_implicit_bias": 1,
    "crimes_motivated_by_bias": 1,
}


def mn(as_of: date, **kwargs: object) -> object:
    return evaluate_state("MN", person(**kwargs), as_of)  # type: ignore[arg-type]


def test_2018_mlo_waits_for_the_next_full_cycle() -> None:
    """Laws 2017 c 95 art 3 s 26: an officer with a renewal date after June 30, 2018 owes the
    16 credits only from the next full three-year cycle; a cycle starting July 1, 2018 owes
    them with no per-topic split."""
    before = evaluate_state("MN", person(period_ends=[date(2019, 6, 30)]), date(2019, 3, 1))
    mlo = requirement(before, "mlo")
    assert mlo.status == "not_applicable"
    assert "cycle start on or after 2018-07-01" in mlo.reasons[0]

    after = evaluate_state("MN", person(period_ends=[date(2021, 6, 30)]), date(2020, 1, 15))
    mlo = requirement(after, "mlo")
    assert (mlo.status, mlo.version_id, mlo.required) == ("on_track", "mn-2018-07", D(16))
    assert mlo.topics == ()  # no per-topic minimum in the 2017 law


def test_2021_autism_applies_from_the_next_full_cycle_only() -> None:
    """Minn. Stat. 626.8474 subd. 3: autism ≥4 of the 16 credits from the next full cycle
    after June 30, 2021; a cycle that started July 1, 2019 stays under the 2018 rule."""
    running = evaluate_state("MN", person(period_ends=[date(2022, 6, 30)]), date(2022, 1, 10))
    assert requirement(running, "mlo").version_id == "mn-2018-07"

    new_cycle = evaluate_state("MN", person(period_ends=[date(2024, 6, 30)]), date(2022, 1, 10))
    mlo = requirement(new_cycle, "mlo")
    assert mlo.version_id == "mn-2021-07"
    assert {t.topic: t.required for t in mlo.topics}["autism"] == D(4)


def test_2024_bias_crimes_applies_mid_cycle_to_2024_renewals() -> None:
    """GovDelivery bulletin 36a1ddc: officers renewing in 2024 complete crimes motivated by
    bias before July 1, 2024 — applied to the cycle in progress, unlike the phase-ins."""
    officer = person(period_ends=[date(2024, 6, 30)])
    before = requirement(evaluate_state("MN", officer, date(2023, 6, 1)), "mlo")
    after = requirement(evaluate_state("MN", officer, date(2023, 9, 1)), "mlo")
    assert before.version_id == "mn-2021-07"
    assert "crimes_motivated_by_bias" not in {t.topic for t in before.topics}
    assert after.version_id == "mn-2023-07-bias"
    minimums = {t.topic: t.required for t in after.topics}
    assert minimums["crimes_motivated_by_bias"] == D(1)
    assert minimums["elective"] == D(3)
    assert after.deadline == date(2024, 6, 30)


def test_2024_wellness_waits_for_the_next_full_cycle_while_bias_crimes_does_not() -> None:
    """Minn. Stat. 626.8478 subd. 3 ('next full three-year licensing cycle'; POST: required
    for renewal in 2027) vs the 2024 bias-crimes rule: a cycle of July 2022-June 2025 owes
    bias crimes but not wellness."""
    status = evaluate_state("MN", person(period_ends=[date(2025, 6, 30)]), date(2024, 9, 1))
    assert requirement(status, "officer_wellness").status == "not_applicable"
    assert "crimes_motivated_by_bias" in {t.topic for t in requirement(status, "mlo").topics}

    first = evaluate_state("MN", person(period_ends=[date(2027, 6, 30)]), date(2024, 9, 1))
    wellness = requirement(first, "officer_wellness")
    assert (wellness.status, wellness.deadline) == ("on_track", date(2027, 6, 30))
    assert wellness.confidence == "uncertain"  # 1 credit outside the 16 is inferred


def test_sixteen_credits_all_in_crisis_intervention_still_owe_the_named_minimums() -> None:
    """MN POST MLO page: 16 = CIT 6 + autism 4 + conflict 1 + diversity 1 + bias 1 + 3
    elective; 16 credits in one category leave 7 owed in the other named ones."""
    cit_only = [rec(date(2022, 3, 1), 16, {"crisis_intervention_mental_illness": 16})]
    status = evaluate_state(
        "MN", person(period_ends=[date(2024, 6, 30)], records=cit_only), date(2024, 1, 10)
    )
    mlo = requirement(status, "mlo")
    assert (mlo.counted, mlo.remaining) == (D(16), D(7))

    full = [rec(date(2022, 3, 1), 16, {**MLO_FULL, "crisis_intervention_mental_illness": 9})]
    done = evaluate_state(
        "MN", person(period_ends=[date(2024, 6, 30)], records=full), date(2024, 1, 10)
    )
    assert requirement(done, "mlo").status == "compliant"


def test_use_of_force_is_owed_every_calendar_year() -> None:
    """Minn. Stat. 626.8452 subd. 3 and the 2018 UoF learning objectives: 'annually' means at
    least once per calendar year; a December course does not cover the next January."""
    records = [rec(date(2022, 12, 15), 2, {"use_of_force": 2})]
    status = evaluate_state(
        "MN", person(period_ends=[date(2024, 6, 30)], records=records), date(2023, 3, 1)
    )
    uof = results(status, "use_of_force_annual")[-1]
    assert (uof.window_start, uof.status, uof.counted) == (date(2023, 1, 1), "on_track", D(0))

    missed = evaluate_state(
        "MN",
        person(
            period_ends=[date(2024, 6, 30)], records=[rec(date(2021, 5, 1), 1, {"use_of_force": 1})]
        ),
        date(2023, 3, 1),
    )
    past, current = results(missed, "use_of_force_annual")[-2:]
    assert (past.window_start, past.status) == (date(2022, 1, 1), "non_compliant")
    assert current.status == "on_track"
    assert missed.status == "non_compliant"


def test_evoc_is_a_rolling_five_year_window() -> None:
    """MN POST in-service page: 8 h EVOC every five years; read as rolling from the last
    completion (stricter reading, flagged uncertain in the reasons)."""
    records = [rec(date(2019, 5, 1), 8, {"emergency_vehicle_operations": 8})]
    officer = person(period_ends=[date(2025, 6, 30)], records=records)
    ok = requirement(evaluate_state("MN", officer, date(2022, 5, 1)), "evoc")
    soon = requirement(evaluate_state("MN", officer, date(2024, 3, 1)), "evoc")
    late = requirement(evaluate_state("MN", officer, date(2024, 6, 1)), "evoc")
    assert (ok.status, ok.deadline) == ("compliant", date(2024, 5, 1))
    assert soon.status == "due_soon"
    assert late.status == "non_compliant"
    assert ok.confidence == "uncertain"
    assert any("rolling" in reason for reason in ok.reasons)


def test_inactive_officers_owe_48_hours_but_no_mandated_training() -> None:
    """MN POST CE page: inactive officers need 48 h of CE but are not required to complete
    the mandated training."""
    officer = person(period_ends=[date(2026, 6, 30)], statuses=[("inactive", date(2024, 1, 1))])
    status = evaluate_state("MN", officer, date(2025, 1, 15))
    assert status.status == "inactive"
    total = requirement(status, "total_ce")
    assert (total.status, total.required) == ("on_track", D(48))
    for mandated in ("mlo", "use_of_force_annual", "evoc"):
        assert requirement(status, mandated).status == "not_applicable"


def test_officer_first_licensed_mid_cycle_owes_the_full_amounts_flagged_uncertain() -> None:
    """Minn. R. 6700.1000 subp. 1/3 and the 2022 renewal notice ('48 CE credits' for all): no
    proration found, so a first period from March 2022 to June 30, 2024 owes 48 h and the
    MLO pool; the reasons flag the uncertain first period."""
    officer = person(
        hired_on=date(2022, 3, 1), licensed_on=date(2022, 3, 1), period_ends=[date(2024, 6, 30)]
    )
    status = evaluate_state("MN", officer, date(2023, 10, 1))
    total = requirement(status, "total_ce")
    assert (total.window_start, total.window_end, total.required) == (
        date(2022, 3, 1),
        date(2024, 6, 30),
        D(48),
    )
    assert total.confidence == "uncertain"
    assert any("first licence period" in r for r in total.reasons)
    assert requirement(status, "mlo").required == D(16)


def test_unmet_hours_at_period_end_without_a_renewal_are_non_compliant() -> None:
    """Minn. R. 6700.1000 subp. 3 and 5: 48 h by June 30 or the licence expires; a recorded
    renewal shows POST accepted the period (the system refuses renewal with CE unmet)."""
    records = [rec(date(2021, 1, 10), 40)]
    lapsed = evaluate_state(
        "MN", person(period_ends=[date(2023, 6, 30)], records=records), date(2023, 8, 1)
    )
    past = results(lapsed, "total_ce")[-2]  # the period just before the current one
    assert (past.status, past.deadline, past.remaining) == (
        "non_compliant",
        date(2023, 6, 30),
        D(8),
    )
    assert "expires July 1" in (past.consequence or "")
    assert any("projected" in r for r in requirement(lapsed, "total_ce").reasons)

    renewed = evaluate_state(
        "MN",
        person(period_ends=[date(2023, 6, 30), date(2026, 6, 30)], records=records),
        date(2023, 8, 1),
    )
    # Issue 12 §2: a later period end on record no longer hides the period that closed
    # short (it was read as "POST renewed, so the hours were met"); the conflict is said.
    closed_short = results(renewed, "total_ce")[-2]
    assert (closed_short.status, closed_short.deadline, closed_short.remaining) == (
        "non_compliant",
        date(2023, 6, 30),
        D(8),
    )
    assert any("later period end 2026-06-30 is on record" in r for r in closed_short.reasons)


def test_warrior_style_training_is_never_credited_after_august_2020() -> None:
    """Minn. Stat. 626.8434: POST may not give CE credit for warrior-style training
    (effective Aug 1, 2020)."""
    records = [
        rec(date(2021, 3, 1), 8, tags=["warrior_style"], rid="warrior"),
        rec(date(2020, 7, 15), 4, tags=["warrior_style"], rid="before-law"),
    ]
    status = evaluate_state(
        "MN", person(period_ends=[date(2023, 6, 30)], records=records), date(2022, 1, 1)
    )
    total = requirement(status, "total_ce")
    assert total.records == ("before-law",)
    assert total.counted == D(4)
    assert any("warrior" in r for r in total.reasons)


def test_school_resource_officers_owe_the_sro_course_by_september_2025() -> None:
    """MN POST MLO page: an SRO who never completed a basic SRO course completes one by
    Sept 1, 2025; officers not assigned as SRO are not bound."""
    sro = person(period_ends=[date(2026, 6, 30)], assignments=["school_resource_officer"])
    status = evaluate_state("MN", sro, date(2025, 7, 1))
    basic = requirement(status, "sro_basic")
    assert (basic.status, basic.deadline) == ("due_soon", date(2025, 9, 1))
    other = evaluate_state("MN", person(period_ends=[date(2026, 6, 30)]), date(2025, 7, 1))
    assert requirement(other, "sro_basic").status == "not_applicable"


def test_warning_window_is_a_parameter() -> None:
    """DESIGN.md statuses: due_soon means the deadline is within the warning window."""
    officer = person(period_ends=[date(2024, 6, 30)])
    assert requirement(evaluate_state("MN", officer, date(2024, 5, 1)), "mlo").status == "due_soon"
    relaxed = evaluate_state("MN", officer, date(2024, 5, 1), warning_days=30)
    assert requirement(relaxed, "mlo").status == "on_track"


def test_every_result_carries_rule_version_citation_and_records() -> None:
    """DESIGN.md: every requirement reports required, counted, records, deadline, the rule
    version and its citation."""
    records = [rec(date(2022, 2, 1), 6, {"crisis_intervention_mental_illness": 6}, rid="cit")]
    status = evaluate_state(
        "MN", person(period_ends=[date(2024, 6, 30)], records=records), date(2023, 9, 1)
    )
    mlo = requirement(status, "mlo").to_dict()
    assert mlo["records"] == ["cit"]
    assert mlo["version_id"] == "mn-2023-07-bias"
    assert {"mn_mlo_page", "mn_bulletin_2023"} <= {c["source_id"] for c in mlo["citations"]}
    assert mlo["deadline"] == "2024-06-30"
    assert (mlo["required"], mlo["counted"], mlo["remaining"]) == ("16", "6", "10")


@pytest.mark.parametrize("recorded", ["sro", "SRO", "School Resource Officer"])
def test_an_sro_recorded_under_an_alias_is_still_bound(recorded: str) -> None:
    """MN POST MLO page (SRO course by Sept 1, 2025): the pack binds the canonical
    assignment school_resource_officer; a history recorded before aliases were normalised
    ("sro") is read through the same vocabulary (ledger/vocabulary.py), so the person is
    not silently missed."""
    sro = person(period_ends=[date(2026, 6, 30)], assignments=[recorded])
    basic = requirement(evaluate_state("MN", sro, date(2025, 7, 1)), "sro_basic")
    assert (basic.status, basic.deadline) == ("due_soon", date(2025, 9, 1))


def test_every_assignment_the_packs_bind_is_in_the_vocabulary() -> None:
    """A pack population that names an assignment outside ledger/vocabulary.py would bind
    nobody the import and the ledger record (they canonicalise names)."""
    from ledger.vocabulary import Assignment, assignment_id
    from projections.rules import shipped_packs

    bound = {
        (pack.pack, name)
        for pack in shipped_packs()
        for population in pack.populations.values()
        for name in (*population.assignments_any, *population.assignments_none)
    }
    assert bound
    known = {a.value for a in Assignment}
    assert sorted(b for b in bound if assignment_id(b[1]) not in known) == []
    # ...and every canonical id is bound by some shipped pack (the vocabulary's source).
    assert {assignment_id(name) for _, name in bound} == known


def test_use_of_force_before_2000_is_judged_from_1992_and_flagged() -> None:
    """Minn. Stat. 626.8452 subd. 3 (2006 text): use-of-force instruction at least once a
    year starting January 1, 1992 (post-rules.md §2.4). The pack's first version starts with
    EVOC on 2000-01-01, so 1992-1999 are judged under its reading, flagged; EVOC,
    whose start (2000-01-01) is its legal start, is not owed before it; 1991 owes nothing."""
    veteran = person(hired_on=date(1985, 1, 7), period_ends=[date(y, 6, 30) for y in (1996, 1999)])
    status = evaluate_state("MN", veteran, date(1998, 6, 1))
    uof = requirement(status, "use_of_force_annual")
    assert (uof.window_start, uof.status) == (date(1998, 1, 1), "on_track")
    assert uof.confidence == "uncertain"  # the version itself rests on an uncertain start
    assert any("626.8452" in r and "before 2000-01-01" in r for r in uof.reasons)
    assert [r.status for r in results(status, "evoc")] == ["not_applicable"]
    assert "not yet in force" in results(status, "evoc")[0].reasons[0]
    total = requirement(status, "total_ce")
    assert (total.window_start, total.window_end, total.required) == (
        date(1996, 7, 1),
        date(1999, 6, 30),
        D(48),
    )
    assert total.confidence == "uncertain"
    early = evaluate_state("MN", veteran, date(1991, 6, 1))
    assert [r.status for r in results(early, "use_of_force_annual")] == ["not_applicable"]
