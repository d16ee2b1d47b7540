"""A shipped rule version corrected after release reaches the stores that hold its older
content as a revision, never by rewriting what they hold, and never silently."""

from __future__ import annotations

import copy
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from api.rulebook import publish_shipped_packs
from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.rule_pack import (
    RuleVersionConflictError,
    RuleVersionPublished,
    RuleVersionRevised,
    content_hash,
    revision_of,
)
from ledger.rule_service import publish_pack, published_versions
from projections.rules import RulePackError, load_pack_text, shipped_packs
from projections.rules.from_ledger import pack_contents, rule_versions_from_events
from replay.knowledge import Knowledge
from tests import factories

ACTOR = "system:test"
LOCK = Path(__file__).parents[2] / "ledger" / "rule_packs" / "CONTENT.lock"
PACKS = LOCK.parent


def _locked() -> set[tuple[str, int, str]]:
    lines = [line.split() for line in LOCK.read_text().splitlines()]
    return {
        (name, int(revision), digest)
        for name, revision, digest in (row for row in lines if row and not row[0].startswith("#"))
    }


def _shipped(state: str) -> list[dict[str, Any]]:
    (pack,) = [p for p in shipped_packs() if p.state == state]
    return pack_contents(pack)


def _as_released_before_revisions(content: dict[str, Any]) -> dict[str, Any]:
    """The MN mn-2000-01 content as the 2026-11-29 release shipped it: no revision fields,
    and no earlier_windows (revision 2 added them)."""
    old = copy.deepcopy(content)
    for key in ("revision", "revision_note", "earlier_windows"):
        old["version"].pop(key, None)
    return old


def test_every_shipped_version_content_is_in_the_lock() -> None:
    """Editing a shipped version without a new revision fails here, before any store
    refuses the new content (RuleVersionConflictError at an agency's registration)."""
    locked = _locked()
    for pack in shipped_packs():
        for content in pack_contents(pack):
            name = f"{content['pack']}@{content['version']['id']}"
            entry = (name, revision_of(content), content_hash(content))
            assert entry in locked, (
                f"{name}: content {entry[2][:12]}… is not in {LOCK.name} as revision "
                f"{entry[1]}: give it the next revision and a revision_note, and add its line"
            )
            newest = max(r for n, r, _ in locked if n == name)
            assert entry[1] == newest, (
                f"{name}: the lock has revision {newest}, the pack {entry[1]}"
            )


def test_a_store_holding_an_older_release_takes_the_revision(
    ledger: Ledger, clock: SettableClock
) -> None:
    """The upgrade path itself (publish_shipped_packs, as registering an agency runs it):
    the older content stays, the revision is appended with its reason and the hash it
    supersedes, answers known before it keep the old content and later ones the new."""
    shipped = _shipped("MN")
    index = next(i for i, c in enumerate(shipped) if c["version"]["id"] == "mn-2000-01")
    released = [
        *shipped[:index],
        _as_released_before_revisions(shipped[index]),
        *shipped[index + 1 :],
    ]
    publish_pack(ledger, released, ACTOR)
    before = clock()
    clock.set(before + timedelta(hours=1))
    assert publish_shipped_packs(ledger, ACTOR, jurisdiction="US-MN") == [
        "us-mn-post-peace-officer@mn-2000-01"
    ]
    events = published_versions(ledger)
    assert len(events) == len(shipped) + 1  # nothing rewritten: the old content is still there
    (revised,) = [e for e in events if isinstance(e, RuleVersionRevised)]
    assert revised.revision == 2
    assert revised.supersedes == content_hash(released[index])
    assert "earlier_windows" in revised.reason
    assert revised.content == shipped[index]
    then = {v.id: v for v in rule_versions_from_events(events, known_at=before)}
    now = {v.id: v for v in rule_versions_from_events(events)}
    assert then["mn-2000-01"].version.earlier_windows == []
    assert now["mn-2000-01"].version.earlier_windows
    assert now["mn-2000-01"].label == "us-mn-post-peace-officer@mn-2000-01 (revision 2)"
    # The path answers take (stream positions, decoded once each) agrees.
    slug = factories.agency(ledger)
    knowledge = Knowledge(ledger)
    agency = knowledge.agency_by_id(ledger.get_agency(slug).id, None)
    by_id = {v.id: v for v in knowledge.rule_versions_for(agency, None)}
    assert by_id["mn-2000-01"] == now["mn-2000-01"]
    assert {v.id: v for v in knowledge.rule_versions_for(agency, before)}.get("mn-2000-01") in (
        None,  # the agency did not exist yet at ``before``: its jurisdiction is unknown then
        then["mn-2000-01"],
    )
    # Publishing again appends nothing.
    assert publish_shipped_packs(ledger, ACTOR, jurisdiction="US-MN") == []


def test_changed_content_without_a_higher_revision_is_refused(ledger: Ledger) -> None:
    """The same revision with other content, or an older revision than the store holds,
    is a typed error naming what to do, and appends nothing."""
    shipped = _shipped("MN")
    publish_pack(ledger, shipped, ACTOR)
    count = len(published_versions(ledger))
    index = next(i for i, c in enumerate(shipped) if c["version"]["id"] == "mn-2000-01")
    same_revision = copy.deepcopy(shipped)
    same_revision[index]["version"]["summary"] += " (edited)"
    with pytest.raises(RuleVersionConflictError, match="declare revision 3 with a revision_note"):
        publish_pack(ledger, same_revision, ACTOR)
    older = copy.deepcopy(shipped)
    older[index] = _as_released_before_revisions(older[index])
    with pytest.raises(RuleVersionConflictError, match="holds a later revision"):
        publish_pack(ledger, older, ACTOR)
    assert len(published_versions(ledger)) == count
    assert all(type(e) is RuleVersionPublished for e in published_versions(ledger))


def test_a_revision_needs_a_note() -> None:
    """A pack file declaring a later revision without saying what changed is refused."""
    path = PACKS / "us-mn-post-peace-officer.yaml"
    text = path.read_text()
    marker = "    revision: 2\n"
    assert marker in text
    start = text.index(marker) + len(marker)
    end = text.index("\n", start) + 1  # the revision_note line after it
    assert text[start:end].startswith("    revision_note:")
    with pytest.raises(RulePackError, match="revision_note"):
        load_pack_text(text[:start] + text[end:], path.name)
