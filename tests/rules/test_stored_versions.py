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
from ledger.rule_pack import RuleVersionPublished, content_hash
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
