"""``projections.stored_versions``: a stored rule version read without the schema says what
the schema says of it, for every shipped pack version and for versions drawn around them
(explicit defaults, revisions, agency packs, consequences, source urls), and the read side
hands the same versions either way (issue 14 §6)."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.rulebook import publish_shipped_packs
from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.rule_pack import RuleVersionPublished, content_hash
from projections.answer_keys import TRACKED_FORM, rules_key
from projections.evaluate import evaluate
from projections.history import history_from_events
from projections.rules import resolve_versions, shipped_packs
from projections.rules.from_ledger import rule_versions_from_events
from projections.rules.loader import rule_version_from_content, version_content
from projections.rules.schema import RuleVersion
from projections.stored_versions import (
    StoredVersion,
    StoredVersionMismatchError,
    rule_catalogue,
    stored_versions_from_events,
    versions_for_agency,
)
from replay.asof import status
from replay.knowledge import person_streams
from replay.read_side import read_side

SHIPPED = [v for pack in shipped_packs() for v in resolve_versions(pack)]


def _schema_catalogue(versions: Iterable[RuleVersion]) -> dict[str, Any]:
    """The roster catalogue as read from the schema's models (what ``rule_catalogue``
    computed before it read stored content): the reference it must equal."""
    return {
        f"{v.pack}@{v.id}": {
            "revision": v.version.revision,
            "requirements": {
                r.id: {
                    "title": r.title,
                    "kind": r.kind,
                    "consequence": r.consequence or v.consequence,
                }
                for r in sorted(v.version.requirements, key=lambda r: r.id)
            },
            "sources": {
                source_id: {"title": source.title, "url": source.url}
                for source_id, source in sorted(v.sources.items())
            },
        }
        for v in versions
    }


def _same(stored: StoredVersion, model: RuleVersion) -> None:
    assert (stored.pack, stored.id, stored.revision, stored.label) == (
        model.pack,
        model.id,
        model.version.revision,
        model.label,
    )
    assert (stored.owner, stored.jurisdiction, stored.agency, stored.consequence) == (
        model.owner,
        model.jurisdiction,
        model.agency,
        model.consequence,
    )
    assert rule_catalogue([stored]) == _schema_catalogue([model])
    assert stored.rule_version() == model


def test_every_shipped_version_reads_as_the_schema_reads_it() -> None:
    assert len(SHIPPED) > 10
    for model in SHIPPED:
        _same(StoredVersion(version_content(model)), model)
    stored = [StoredVersion(version_content(v)) for v in SHIPPED]
    assert rule_catalogue(stored) == _schema_catalogue(SHIPPED)


def test_the_schema_validates_once_per_stored_version() -> None:
    stored = StoredVersion(version_content(SHIPPED[0]))
    assert stored.rule_version() is stored.rule_version()


@st.composite
def _drawn_content(draw: st.DrawFn) -> dict[str, Any]:
    """A shipped version's content, changed where the light reading applies defaults or
    reads a field: defaults written out or left out, a revision, an agency pack, pack and
    requirement consequences, source urls."""
    content = copy.deepcopy(version_content(draw(st.sampled_from(SHIPPED))))
    version = content["version"]
    text = st.text(alphabet="abc xyz-", min_size=1, max_size=12)
    if draw(st.booleans()):
        content["owner"] = "state"  # a default written out
    elif draw(st.booleans()):
        content["owner"], content["agency"] = "agency", draw(st.sampled_from(["mpls", "x-pd"]))
    if draw(st.booleans()):
        content["consequence"] = draw(st.none() | text)
    revision = draw(st.integers(1, 4))
    if revision > 1 or draw(st.booleans()):
        version["revision"] = revision
        if revision > 1:
            version["revision_note"] = "corrected"
    for requirement in version.get("requirements", []):
        if draw(st.booleans()):
            requirement["consequence"] = draw(st.none() | text)
    for source in content["sources"].values():
        if draw(st.booleans()):
            source["url"] = draw(st.none() | st.just("https://example.org/r"))
    return content


@settings(max_examples=300, deadline=None)
@given(_drawn_content())
def test_drawn_versions_read_as_the_schema_reads_them(content: dict[str, Any]) -> None:
    model = rule_version_from_content(content)
    stored = StoredVersion(content)
    _same(stored, model)
    for jurisdiction in (model.jurisdiction, "US-ZZ"):
        for slug in ("mpls", "x-pd"):  # whom it binds: the same either way
            assert bool(versions_for_agency([stored], jurisdiction, slug)) == bool(
                versions_for_agency([model], jurisdiction, slug)
            )


def _published(model: RuleVersion, *, tampered: bool = False) -> RuleVersionPublished:
    content = version_content(model)
    stored = copy.deepcopy(content)
    if tampered:
        stored["version"]["summary"] += " (edited)"
    return RuleVersionPublished(
        originator_id=uuid.uuid4(),
        originator_version=1,
        timestamp=datetime(2026, 1, 1, tzinfo=UTC),
        effective_on=date(2020, 1, 1),
        actor="user:test",
        agency_id=uuid.uuid4(),
        pack_id=model.pack,
        version_id=model.id,
        content_hash=content_hash(content),
        content=stored,
    )


def test_a_stored_content_that_does_not_match_its_hash_is_refused_either_way() -> None:
    events = [_published(SHIPPED[0], tampered=True)]
    with pytest.raises(StoredVersionMismatchError):
        stored_versions_from_events(events)
    with pytest.raises(StoredVersionMismatchError):
        rule_versions_from_events(events)


def test_the_read_side_hands_the_same_versions_read_either_way(tmp_path: object) -> None:
    """Every agency of a store with every shipped pack published: the versions read
    without the schema are, validated, the very versions the engine is given."""
    ledger = Ledger(f"sqlite:///{tmp_path}/x.db")
    try:
        for state in ("MN", "OH", "TX"):
            ledger.register_agency(f"a-{state.lower()}", "A", state, actor="user:test")
        publish_shipped_packs(ledger, "user:test")
        knowledge = read_side(ledger).knowledge
        for state in ("MN", "OH", "TX"):
            agency = knowledge.agency_at(f"a-{state.lower()}", None)
            for day in (date(2010, 1, 1), date(2026, 6, 30)):
                stored = knowledge.stored_versions_for(agency, None, as_of=day)
                models = knowledge.rule_versions_for(agency, None, as_of=day)
                assert stored, (state, day)
                assert [s.label for s in stored] == [m.label for m in models]
                assert all(s.rule_version() is m for s, m in zip(stored, models, strict=True))
                assert rule_catalogue(stored) == _schema_catalogue(models)
    finally:
        ledger.close()


def test_both_paths_bind_the_days_each_jurisdiction_was_followed(
    ledger: Ledger, clock: SettableClock
) -> None:
    """Issue 12 §3a: an agency registered under MN rules that followed OH from 2024-01-01
    and MN again from 2025-07-01. On every day asked, the versions read without the schema
    and those the engine is given name the same versions bound to the same days
    (``followed``), the validated ones are the very models the engine gets, the rules keys
    of both are equal (a stored answer found either way is the same entry), and the stored
    path's answer is an evaluation of the person's events under the schema's versions."""
    clock.set(datetime(2026, 7, 2, 12, tzinfo=UTC))
    slug = "moved-pd"
    ledger.register_agency(slug, "Moved PD", "MN", actor="user:test")
    ledger.enrol_person(
        slug,
        "E1",
        first_name="Pat",
        last_name="Officer",
        kind="sworn",
        hired_on=date(2019, 3, 4),
        rank="Officer",
        unit_name="Patrol",
        actor="user:test",
    )
    publish_shipped_packs(ledger, "user:test")
    ledger.adopt_jurisdiction(slug, "US-OH", date(2024, 1, 1), actor="user:test")
    ledger.adopt_jurisdiction(slug, "US-MN", date(2025, 7, 1), actor="user:test")
    knowledge = read_side(ledger).knowledge
    agency = knowledge.agency_at(slug, None)
    mn = ((None, date(2024, 1, 1)), (date(2025, 7, 1), None))
    oh = ((date(2024, 1, 1), date(2025, 7, 1)),)
    keys = set()
    for day in (date(2023, 6, 1), date(2024, 6, 1), date(2025, 6, 30), date(2026, 6, 1)):
        stored = knowledge.stored_versions_for(agency, None, as_of=day)
        models = knowledge.rule_versions_for(agency, None, as_of=day)
        assert [s.label for s in stored] == [m.label for m in models]
        assert [s.followed for s in stored] == [m.followed for m in models]
        assert all(s.rule_version() is m for s, m in zip(stored, models, strict=True))
        assert models == knowledge.rule_versions_for(agency, None, as_of=day)  # made once
        expected = {"US-MN": mn, "US-OH": oh} if day >= date(2024, 1, 1) else {"US-MN": None}
        assert {s.jurisdiction: s.followed for s in stored} == expected, day
        for form in ("answer", "roster", "status", TRACKED_FORM):
            assert rules_key(stored, form) == rules_key(models, form)
        keys.add(rules_key(stored, "answer"))
        assert rule_catalogue(stored) == _schema_catalogue(models)

        (events,) = person_streams(ledger, agency.agency_id, None)
        evaluated = evaluate(models, history_from_events(events), day).to_dict()
        answer = status(ledger, slug, "E1", day, memo=False)["person"]["compliance"]
        assert answer == evaluated, day
        assert status(ledger, slug, "E1", day)["person"]["compliance"] == evaluated, day
    # Before the first move the versions are unbound (an agency that never moved keeps its
    # keys); after it, bound; on every later day the same versions bound to the same days.
    assert len(keys) == 2
    # Bound copies are not the stored versions themselves: those stay unbound.
    unbound = knowledge.stored_versions_for(agency, None, as_of=date(2023, 6, 1))
    assert all(s.followed is None and s.rule_version().followed is None for s in unbound)


def test_the_rules_key_names_the_days_a_version_binds() -> None:
    """The same versions bound to other days judge other windows: another key; bound to
    the same days, the same key whichever way they were read."""
    stored = [StoredVersion(version_content(v)) for v in SHIPPED[:3]]
    unbound = rules_key(stored, "answer")
    assert rules_key([s.rule_version() for s in stored], "answer") == unbound
    early = [s.followed_during(((None, date(2024, 1, 1)),)) for s in stored]
    late = [s.followed_during(((None, date(2023, 1, 1)),)) for s in stored]
    keys = {unbound, rules_key(early, "answer"), rules_key(late, "answer")}
    assert len(keys) == 3
    assert rules_key([s.rule_version() for s in early], "answer") == rules_key(early, "answer")
    assert all(e.rule_version().followed == ((None, date(2024, 1, 1)),) for e in early)
    # The bound copy's model is the stored version's model, bound: validated once.
    assert early[0].rule_version() == stored[0].rule_version().followed_during(
        ((None, date(2024, 1, 1)),)
    )
