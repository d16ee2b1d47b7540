"""Rule versions in the ledger: publishing is idempotent, immutable and time-aware."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.person import person_id_for
from ledger.rule_pack import RuleVersionConflictError, RuleVersionPublished
from ledger.rule_service import publish_pack, published_versions
from projections.evaluate import evaluate
from projections.history import history_from_events
from projections.rules import load_pack_text, shipped_packs
from projections.rules.from_ledger import (
    pack_contents,
    rule_versions_from_events,
    versions_for_agency,
)
from tests import factories

ACTOR = "system:test"


def _mn_contents() -> list[dict[str, Any]]:
    (mn,) = [p for p in shipped_packs() if p.state == "MN"]
    return pack_contents(mn)


def test_publishing_a_pack_appends_one_event_per_version_once(ledger: Ledger) -> None:
    """Loading the same pack twice appends nothing the second time."""
    contents = _mn_contents()
    first = publish_pack(ledger, contents, ACTOR)
    assert first == [c["version"]["id"] for c in contents]
    assert publish_pack(ledger, contents, ACTOR) == []
    events = published_versions(ledger)
    assert [e.version_id for e in events] == first
    assert all(isinstance(e, RuleVersionPublished) for e in events)


def test_a_new_version_is_appended_beside_the_published_ones(ledger: Ledger) -> None:
    """Adding a version to a pack file publishes just that version."""
    contents = _mn_contents()
    publish_pack(ledger, contents[:-1], ACTOR)
    assert publish_pack(ledger, contents, ACTOR) == [contents[-1]["version"]["id"]]


def test_changed_content_under_a_published_version_id_is_refused(ledger: Ledger) -> None:
    """A changed file with the same version id is a typed error and appends nothing."""
    contents = _mn_contents()
    publish_pack(ledger, contents[:2], ACTOR)
    changed = [dict(c) for c in contents]
    changed[1] = {**changed[1], "title": "edited after publication"}
    with pytest.raises(RuleVersionConflictError, match="mn-2018-07"):
        publish_pack(ledger, changed, ACTOR)
    assert len(published_versions(ledger)) == 2


def test_stored_versions_evaluate_like_the_shipped_files(ledger: Ledger) -> None:
    """Versions read back from the ledger are the same versions, and give the same answer."""
    (mn,) = [p for p in shipped_packs() if p.state == "MN"]
    publish_pack(ledger, pack_contents(mn), ACTOR)
    stored = rule_versions_from_events(published_versions(ledger))
    slug = factories.agency(ledger)
    factories.officer(ledger, slug)
    person_id = person_id_for(ledger.get_agency(slug).id, "E1")
    history = history_from_events(ledger.stream(person_id))
    from projections.rules import resolve_versions

    shipped = resolve_versions(mn)
    assert stored == shipped
    as_of = date(2022, 9, 1)
    assert evaluate(stored, history, as_of).to_dict() == evaluate(shipped, history, as_of).to_dict()


def test_versions_recorded_after_known_at_do_not_count(
    ledger: Ledger, clock: SettableClock
) -> None:
    """Only rule versions recorded by known_at take part (DESIGN.md, invariant 4)."""
    contents = _mn_contents()
    publish_pack(ledger, contents[:3], ACTOR)
    before = clock()
    clock.set(before + timedelta(days=1))
    publish_pack(ledger, contents, ACTOR)
    known_then = rule_versions_from_events(published_versions(ledger, known_at=before))
    assert [v.id for v in known_then] == [c["version"]["id"] for c in contents[:3]]
    assert len(rule_versions_from_events(published_versions(ledger))) == len(contents)


AGENCY_PACK = """
pack: test-pd-local
title: Test PD local requirements
jurisdiction: US-MN
credential: peace_officer_license
owner: agency
agency: test-pd
sources:
  policy: {title: "Test PD General Order 4.1 (firearms: 8 h a year)"}
topics:
  firearms: {title: Firearms}
populations:
  sworn: {kinds: [sworn], statuses: [active, leave]}
calendars:
  calendar_year: {kind: fixed, epoch: 2020-01-01, length_years: 1, source: [policy]}
versions:
  - id: local-2024
    effective_from: 2024-01-01
    applicability: {mode: calendar_year}
    summary: Stricter annual firearms hours than the state pack.
    source: [policy]
    requirements:
      - {id: firearms_annual, kind: hours, title: 8 h firearms a year, window: calendar_year,
         population: [sworn], min_hours: 8, topics: [firearms], source: [policy]}
"""


def test_an_agency_adds_local_requirements_as_its_own_pack(ledger: Ledger) -> None:
    """An agency adopts its state's pack and adds a stricter local pack; both bind its officers."""
    slug = factories.agency(ledger)
    local = load_pack_text(AGENCY_PACK, "test-pd-local.yaml")
    agency_id = ledger.get_agency(slug).id
    publish_pack(ledger, _mn_contents(), ACTOR)
    assert publish_pack(ledger, pack_contents(local), ACTOR, agency_id=agency_id) == ["local-2024"]
    stored = rule_versions_from_events(published_versions(ledger))
    mine = versions_for_agency(stored, "US-MN", slug)
    assert {v.pack for v in mine} == {"us-mn-post-peace-officer", "test-pd-local"}
    assert versions_for_agency(stored, "US-MN", "other-pd") == [
        v for v in stored if v.pack == "us-mn-post-peace-officer"
    ]
    factories.officer(ledger, slug)
    ledger.record_training(
        slug,
        "E1",
        completed_on=date(2024, 3, 1),
        course_title="Range day",
        hours="4",
        topic_hours={"firearms": "4"},
        actor="user:test",
    )
    history = history_from_events(ledger.stream(person_id_for(agency_id, "E1")))
    status = evaluate(mine, history, date(2024, 6, 1))
    local_result = next(r for r in status.requirements if r.pack_id == "test-pd-local")
    assert (local_result.counted, local_result.remaining) == (Decimal(4), Decimal(4))


def test_history_fold_follows_corrections_voids_and_known_at(
    ledger: Ledger, clock: SettableClock
) -> None:
    """Corrections replace a record, voids remove it, and known_at hides later facts."""
    slug = factories.agency(ledger)
    factories.officer(ledger, slug)
    record_id = ledger.record_training(
        slug,
        "E1",
        completed_on=date(2024, 2, 1),
        course_title="CIT",
        hours="6",
        topic_hours={"crisis_intervention_mental_illness": "6"},
        actor="user:test",
    )
    # The set-up's units share one clock reading, so they are a microsecond apart.
    recorded = ledger.store.last_recorded()
    assert recorded is not None
    clock.set(recorded + timedelta(hours=1))
    ledger.correct_training(
        slug, "E1", record_id, reason="8 h course", actor="user:test", hours="8"
    )
    corrected = clock()
    clock.set(corrected + timedelta(hours=1))
    ledger.void_training(slug, "E1", record_id, reason="duplicate", actor="user:test")
    events = ledger.stream(person_id_for(ledger.get_agency(slug).id, "E1"))
    assert history_from_events(events, known_at=recorded).records[0].hours == Decimal(6)
    assert history_from_events(events, known_at=corrected).records[0].hours == Decimal(8)
    assert history_from_events(events).records == ()
    assert history_from_events(events, known_at=datetime(2000, 1, 1, tzinfo=UTC)).hired_on is None
