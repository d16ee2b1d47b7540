"""Catch-up decides whose answers an event can change from the event class, not its module."""

from __future__ import annotations

from eventsourcing.utils import get_topic

from ledger import agency, imports, person_credential_events, program_events, rule_pack
from ledger import person_events as person
from ledger.envelope import LedgerEvent
from replay.read_models import _touches


def _events(module: object) -> list[type[LedgerEvent]]:
    return [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, LedgerEvent)
        and value.__module__ == getattr(module, "__name__", "")
    ]


def test_every_stored_event_class_has_a_reach() -> None:
    """Person facts touch their person, import markers nobody, agency and rule facts all."""
    reach = {
        cls.__name__: _touches(get_topic(cls))
        for m in (person, agency, rule_pack, imports)
        for cls in _events(m)
    }
    assert reach["TrainingCompleted"] == reach["PersonEnrolled"] == "person"
    assert reach["ImportCompleted"] == "nobody"
    assert reach["JurisdictionAdopted"] == reach["RuleVersionPublished"] == "everyone"
    assert set(reach.values()) == {"person", "nobody", "everyone"}
    person_events = {cls.__name__ for cls in _events(person)}
    # The agency's own programme: the state track never reads it; its people's credential
    # and policy facts are person facts.
    assert {_touches(get_topic(c)) for c in _events(program_events)} == {"nobody"}
    own = _events(person_credential_events)
    assert {_touches(get_topic(c)) for c in own} == {"person"}
    assert {name for name, where in reach.items() if where == "person"} == person_events


def test_notices_and_their_settings_touch_no_one() -> None:
    """Recording a notice, its delivery, an agency's notice settings or a person's
    preferences changes no compliance answer: catch-up re-evaluates nobody for them (else
    every pass would mark the whole agency)."""
    from ledger import notice

    reach = {cls.__name__: _touches(get_topic(cls)) for cls in _events(notice)}
    assert set(reach) >= {"NoticeDecided", "NoticeDelivered", "NoticeSettingsRecorded"}
    assert set(reach.values()) == {"nobody"}
