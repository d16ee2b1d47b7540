"""``ledger.agency_facts``: an agency's stream read from its stored state without the
aggregate (issue 14 §6) gives what the Agency aggregate gives, on both backends, and
gives nothing (the caller then folds with the aggregate) for anything it does not know."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import date, timedelta
from uuid import UUID

import orjson
import pytest

import ledger as ledger_package
from ledger import streams
from ledger.agency import Agency
from ledger.agency_facts import AGENCY_STREAM, IGNORED, READ, AgencyFacts, fold_agency
from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.ids import agency_id_for
from ledger.views import agency_view
from replay.knowledge import Knowledge

ACTOR = "user:test"
TACTICS = {  # a credential type (tests/credentials/test_hours_credential.py's)
    "name": "Tactics proficiency",
    "holders": ["kind:sworn"],
    "earned_by": "training_hours",
    "topics": ["firearms", "defensive_tactics"],
    "hours_required": 16,
    "hours_window_months": 12,
    "validity": "months",
    "validity_months": 12,
    "warning_days": 30,
}


def _subclasses(cls: type) -> set[type]:
    found: set[type] = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


def _stored_classes(base: type) -> dict[str, type]:
    """Every concrete event class of ``base``'s streams, by stored topic, with every module
    of the ledger imported (a class nobody imported is a class nobody stores)."""
    for module in pkgutil.iter_modules(ledger_package.__path__):
        importlib.import_module(f"ledger.{module.name}")
    return {
        cls.TOPIC: cls
        for cls in _subclasses(base)
        if cls not in {streams.AgencyProgrammeEvent} and cls.__module__.startswith("ledger.")
    }


def test_every_event_of_an_agency_stream_is_read_or_ignored() -> None:
    """A new event class on an agency's stream fails here until it is placed: read by the
    fold, or named as changing none of its facts (and the fold taught if it does)."""
    topics = _stored_classes(streams.AgencyEvent)
    assert set(topics) == READ | IGNORED
    assert READ.isdisjoint(IGNORED)
    for topic in READ:  # a class version above 1 would upcast what the fold reads raw
        assert getattr(topics[topic], "class_version", 1) == 1, topic
    assert streams.AgencyEvent.stream_type == AGENCY_STREAM == Agency.stream_type


def _aggregate_facts(ledger: Ledger, agency_id: UUID, head: int) -> AgencyFacts:
    return Knowledge(ledger)._folded_by_aggregate(agency_id, head)


def _history(ledger: Ledger, clock: SettableClock, slug: str, seed: int) -> None:
    """An agency's stream with every kind of event on it, in an order drawn from ``seed``."""
    import random

    draw = random.Random(seed)
    ledger.register_agency(
        slug,
        f"Agency {seed}",
        draw.choice(["MN", "WI"]),
        actor=ACTOR,
        time_zone=draw.choice([None, "America/Denver"]),
    )
    steps = ["zone", "adopt", "adopt", "type", "policy", "zone", "adopt"]
    draw.shuffle(steps)
    for n, step in enumerate(steps):
        clock.set(clock() + timedelta(hours=1))
        if step == "zone":
            ledger.set_time_zone(slug, draw.choice(["America/Chicago", "UTC"]), actor=ACTOR)
        elif step == "adopt":
            on = date(2020 + draw.randrange(5), draw.randrange(1, 13), 1)
            ledger.adopt_jurisdiction(slug, draw.choice(["US-MN", "US-WI"]), on, actor=ACTOR)
        elif step == "type":
            ledger.define_credential_type(
                slug,
                f"type-{n}",
                effective_on=date(2024, 1, 1),
                actor=ACTOR,
                **TACTICS,
            )
        else:
            ledger.upload_policy(slug, f"policy-{n}", b"text %d" % n, title="Use", actor=ACTOR)


@pytest.mark.parametrize("seed", range(6))
def test_the_fold_equals_the_aggregate_s_at_every_head(
    ledger: Ledger, clock: SettableClock, seed: int
) -> None:
    slug = f"agency-{seed}"
    _history(ledger, clock, slug, seed)
    agency_id = agency_id_for(slug)
    rows = ledger.store.stream_rows(agency_id, None)
    assert len(rows) >= 8
    for head in range(1, len(rows) + 1):
        folded = fold_agency(agency_id, ledger.store.stream_rows(agency_id, head))
        assert folded == _aggregate_facts(ledger, agency_id, head), head
    (listed,) = [v for v in ledger.list_agencies() if v.slug == slug]
    assert listed == agency_view(ledger.repository.get(agency_id))


def test_what_the_fold_does_not_know_gives_nothing(ledger: Ledger) -> None:
    ledger.register_agency("mpls", "Minneapolis PD", "MN", actor=ACTOR)
    agency_id = agency_id_for("mpls")
    rows = ledger.store.stream_rows(agency_id, None)
    assert fold_agency(agency_id, rows) is not None
    assert fold_agency(agency_id, [*rows, ("ledger.agency:SomethingNew", b"{}")]) is None
    assert fold_agency(agency_id, rows[1:]) is None  # not from the registration
    topic, state = rows[0]
    upcast = orjson.dumps({**orjson.loads(state), "class_version": 2})
    assert fold_agency(agency_id, [(topic, upcast), *rows[1:]]) is None
    other = orjson.dumps({**orjson.loads(state), "originator_topic": "ledger.x:Other"})
    assert fold_agency(agency_id, [(topic, other)]) is None
    assert fold_agency(agency_id, [*rows, rows[0]]) is None  # registered twice
    assert fold_agency(agency_id, []) is None
