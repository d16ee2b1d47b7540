"""Rule versions read from a rule-pack event's stored state without its class
(``projections.stored_versions.stored_version_from_state``, issue 14 §6): on both
backends, every stored event of every shipped pack (first versions and revisions) reads as
the decoded event reads, a content that does not match its hash is refused alike, and an
event this reading does not know is left to the mapper."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import timedelta

import orjson
import pytest

import ledger as ledger_package
from api.rulebook import publish_shipped_packs
from ledger import streams
from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.rule_service import publish_pack
from projections.stored_versions import (
    NO_VERSION_TOPICS,
    VERSION_TOPICS,
    StoredVersionMismatchError,
    stored_version_from_state,
    stored_versions_from_events,
)
from replay.knowledge import decode_stored
from tests.rules.test_pack_revisions import _as_released_before_revisions, _shipped


def _subclasses(cls: type) -> set[type]:
    found: set[type] = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


def test_every_event_of_a_rule_pack_stream_is_known() -> None:
    for module in pkgutil.iter_modules(ledger_package.__path__):
        importlib.import_module(f"ledger.{module.name}")
    classes = {cls.TOPIC: cls for cls in _subclasses(streams.RulePackEvent)}
    assert set(classes) == VERSION_TOPICS | NO_VERSION_TOPICS
    for cls in classes.values():
        assert getattr(cls, "class_version", 1) == 1, cls


def test_every_stored_version_reads_as_its_decoded_event(
    ledger: Ledger, clock: SettableClock
) -> None:
    """Every shipped pack, MN's mn-2000-01 first as released before its revision and then
    revised (as ``tests/rules/test_pack_revisions.py`` upgrades a store)."""
    ledger.register_agency("mpls", "Minneapolis PD", "MN", actor="user:test")
    shipped = _shipped("MN")
    index = next(i for i, c in enumerate(shipped) if c["version"]["id"] == "mn-2000-01")
    older = _as_released_before_revisions(shipped[index])
    publish_pack(ledger, [*shipped[:index], older, *shipped[index + 1 :]], "user:test")
    clock.set(clock() + timedelta(hours=1))
    publish_shipped_packs(ledger, "user:test")
    rows = ledger.store.select_stream_rows("rule_pack")
    events = ledger.store.select_stream_events("rule_pack")
    assert [(s.originator_id, s.originator_version, s.topic, s.state) for s in events] == rows
    topics = {topic for _, _, topic, _ in rows}
    assert topics == VERSION_TOPICS | NO_VERSION_TOPICS  # revisions among them
    for stored, (_, _, topic, state) in zip(events, rows, strict=True):
        known, version = stored_version_from_state(topic, state)
        assert known
        decoded = stored_versions_from_events(decode_stored(ledger, [stored]))
        if not decoded:
            assert version is None
            continue
        assert version is not None
        assert version.label == decoded[0].label
        assert version.content == decoded[0].content
        assert orjson.dumps(version.content) == orjson.dumps(decoded[0].content)


def test_a_tampered_or_unknown_state_is_refused_or_left_to_the_mapper(ledger: Ledger) -> None:
    ledger.register_agency("mpls", "Minneapolis PD", "MN", actor="user:test")
    publish_shipped_packs(ledger, "user:test", jurisdiction="US-MN")
    rows = ledger.store.select_stream_rows("rule_pack")
    originator_id, version, topic, state = next(r for r in rows if r[2] in VERSION_TOPICS)
    fields = orjson.loads(state)
    fields["content"]["version"]["summary"] = "edited"
    tampered = orjson.dumps(fields)
    with pytest.raises(StoredVersionMismatchError) as plain:
        stored_version_from_state(topic, tampered)
    from eventsourcing.persistence import StoredEvent

    with pytest.raises(StoredVersionMismatchError) as decoded:
        stored_versions_from_events(
            decode_stored(ledger, [StoredEvent(originator_id, version, topic, tampered)])
        )
    assert str(plain.value) == str(decoded.value)
    assert stored_version_from_state("ledger.rule_pack:Other", state) == (False, None)
    upcast = orjson.dumps({**orjson.loads(state), "class_version": 2})
    assert stored_version_from_state(topic, upcast) == (False, None)
