"""``muster rules update``: a store created with an older pack set receives exactly the
newer versions and revisions, as events; a second run appends nothing; an answer at a
``known_at`` before the update is unchanged; the report names whose status changes."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.rule_pack import RuleVersionPublished, RuleVersionRevised
from ledger.rule_service import publish_pack, published_versions
from projections.rules import shipped_packs
from projections.rules.from_ledger import pack_contents
from tests import factories
from tests.api.test_cli import run

AS_OF = "2026-11-01"


def _older_store(database_url: str) -> datetime:
    """The MN pack as the first release shipped it: no mn-2024-07, and mn-2000-01 before
    its revision; one agency and one officer. Returns the instant it was complete."""
    clock = SettableClock(datetime(2025, 1, 6, 9, tzinfo=UTC))
    ledger = Ledger(database_url, clock=clock)
    try:
        (mn,) = [p for p in shipped_packs() if p.state == "MN"]
        contents = [c for c in pack_contents(mn) if c["version"]["id"] != "mn-2024-07"]
        for content in contents:
            if content["version"]["id"] == "mn-2000-01":
                version = copy.deepcopy(content["version"])
                for key in ("revision", "revision_note", "earlier_windows"):
                    version.pop(key, None)
                content["version"] = version
        publish_pack(ledger, contents, "system:old-release")
        slug = factories.agency(ledger, "old-pd")
        factories.officer(ledger, slug)
        last = ledger.store.last_recorded()  # units one clock reading apart are 1 µs apart
        assert last is not None
        return last
    finally:
        ledger.close()


def _count(database_url: str) -> tuple[int, list[str]]:
    ledger = Ledger(database_url)
    try:
        events = published_versions(ledger)
        return ledger.store.count_events(), [type(e).__name__ + ":" + e.version_id for e in events]
    finally:
        ledger.close()


def test_rules_update_publishes_exactly_the_newer_versions(database_url: str) -> None:
    before = _older_store(database_url)
    count, _ = _count(database_url)
    status_before = run(
        database_url, "status", "E1", "--agency", "old-pd", "--as-of", AS_OF, "--json"
    ).stdout
    dry = run(database_url, "rules", "update", "--dry-run", "--as-of", AS_OF).stdout
    assert "would publish 2 rule version(s)" in dry
    assert "new: us-mn-post-peace-officer@mn-2024-07, in force from 2024-07-01" in dry
    assert "revised: us-mn-post-peace-officer@mn-2000-01 (revision 2)" in dry
    assert "earlier_windows" in dry  # the revision note says what changed
    assert _count(database_url)[0] == count  # a dry run appends nothing

    report = run(database_url, "rules", "update", "--as-of", AS_OF).stdout
    assert "published 2 rule version(s)" in report
    assert "source: Minn. Stat. § 626.8478" in report or "source:" in report
    assert "old-pd: 1 people's status changes" in report
    assert "officer_wellness" in report  # the requirement mn-2024-07 adds, named
    after, kinds = _count(database_url)
    assert after == count + 2
    assert kinds[-2:] in (
        [
            f"{RuleVersionPublished.__name__}:mn-2024-07",
            f"{RuleVersionRevised.__name__}:mn-2000-01",
        ],
        [
            f"{RuleVersionRevised.__name__}:mn-2000-01",
            f"{RuleVersionPublished.__name__}:mn-2024-07",
        ],
    )

    again = run(database_url, "rules", "update", "--as-of", AS_OF).stdout
    assert "up to date" in again
    assert _count(database_url)[0] == after
    # As the records stood before the update, the answer is byte for byte what it was.
    known_then = run(
        database_url,
        "status",
        "E1",
        "--agency",
        "old-pd",
        "--as-of",
        AS_OF,
        "--known-at",
        before.isoformat(),
        "--json",
    ).stdout
    then = run(
        database_url,
        "status",
        "E1",
        "--agency",
        "old-pd",
        "--as-of",
        AS_OF,
        "--json",
    ).stdout
    assert "mn-2024-07" in then
    assert "mn-2024-07" not in known_then
    assert (
        known_then
        == run(
            database_url,
            "status",
            "E1",
            "--agency",
            "old-pd",
            "--as-of",
            AS_OF,
            "--known-at",
            before.isoformat(),
            "--json",
        ).stdout
    )
    assert status_before != then


def test_rules_update_records_who_ran_it(database_url: str) -> None:
    """Issue 14 §1: "The actor of a CLI write is a real identity (from `MUSTER_ACTOR` or the
    operating-system user, validated), never the constant `cli`." An invalid name is
    refused with nothing appended."""
    _older_store(database_url)
    count, _ = _count(database_url)
    bad = run(database_url, "rules", "update", "--actor", "pat lead", ok=False)
    assert bad.returncode == 2
    assert "not a valid name" in bad.stdout + bad.stderr
    assert _count(database_url)[0] == count
    run(database_url, "rules", "update", env={"MUSTER_ACTOR": "pat.lead"})
    ledger = Ledger(database_url)
    try:
        actors = {e.actor for e in published_versions(ledger)}
    finally:
        ledger.close()
    assert actors == {"system:old-release", "user:pat.lead"}
