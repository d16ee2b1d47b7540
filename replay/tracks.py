"""Answers across the three tracks, as of a day and as the records stood at an instant:
one person's status (``person_tracks``), everyone's (``roster_tracks``), who had
acknowledged a policy version (``policy_acknowledgements``) and a policy's coverage
(``policy_coverage``).

The state track is the existing answer (``replay.asof.status`` / ``roster``: tracked
model, memo or evaluation); the credential and policy tracks are evaluated here, purely
(``projections.credentials``), from the agency's stream and the people's streams read up
to their heads at ``known_at``. They are not kept in the tracked read models or the memo
yet: each answer reads the streams afresh.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from ledger.agency import agency_id_for
from ledger.errors import PersonNotFoundError, PolicyNotFoundError
from ledger.ledger_core import LedgerCore
from ledger.person import person_id_for
from ledger.person_events import TrainingCompleted, TrainingCorrected, TrainingVoided
from projections.credentials.credentials import evaluate_credentials
from projections.credentials.facts import Acknowledgement, CredentialFacts, facts_from_events
from projections.credentials.policies import acknowledged, evaluate_policies
from projections.credentials.programme import Programme, Publication, programme_from_events
from projections.credentials.tracks import TRACKS, Track, TrackItem, combine
from projections.history import PersonHistory, history_from_events
from replay.asof import KnownAt, known_at_used, local_day, requested_instant, roster, status
from replay.checkpointed import checkpointed_histories
from replay.knowledge import AgencyKnowledge, person_streams
from replay.read_side import read_side

__all__ = [
    "TRAINING_TOPICS",
    "PersonPolicy",
    "everyone_own_items",
    "person_policy",
    "person_tracks",
    "policy_acknowledgements",
    "policy_coverage",
    "programme_at",
    "publication_named",
    "roster_tracks",
    "unread_topics",
]


def programme_at(ledger: LedgerCore, slug: str, known_at: datetime) -> Programme:
    """The agency's credential types and policies as recorded by ``known_at``."""
    agency_id = agency_id_for(slug)
    head = ledger.store.heads_of([agency_id], recorded_by=known_at).get(agency_id)
    if head is None:
        return Programme()
    return programme_from_events(ledger.events.get(agency_id, lte=head))


def _axes(
    ledger: LedgerCore, slug: str, as_of: date | None, known_at: KnownAt
) -> tuple[AgencyKnowledge, date, datetime]:
    used = known_at_used(ledger, requested_instant(ledger, slug, known_at))
    agency = read_side(ledger).knowledge.agency_at(slug, used)
    return agency, (local_day(agency, used) if as_of is None else as_of), used


def _inactive(history: PersonHistory, as_of: date) -> str | None:
    person_status = history.status_on(as_of)
    if person_status == "not_hired":
        return "not yet hired on this date"
    if person_status in {"separated", "inactive"}:
        return f"person is {person_status} on {as_of.isoformat()}"
    return None


def _state_item(compliance: dict[str, Any]) -> TrackItem:
    return TrackItem(
        "state",
        "rules",
        "State-mandated training",
        compliance["status"],
        None,
        ", ".join(compliance.get("rule_versions", [])),
        tuple(compliance.get("reasons", [])),
    )


def _own_items(
    programme: Programme,
    history: PersonHistory,
    facts: CredentialFacts,
    as_of: date,
    tracks: Sequence[Track],
) -> list[TrackItem]:
    items: list[TrackItem] = []
    if "credential" in tracks:
        items += evaluate_credentials(programme, history, facts, as_of)
    if "policy" in tracks:
        items += evaluate_policies(programme, history, facts, as_of)
    return items


def _header(agency: AgencyKnowledge, as_of: date, known_at: datetime) -> dict[str, Any]:
    return {
        "agency": {"slug": agency.slug, "name": agency.name},
        "as_of": as_of.isoformat(),
        "known_at": known_at.isoformat(),
    }


def person_tracks(
    ledger: LedgerCore,
    slug: str,
    employee_id: str,
    as_of: date | None = None,
    known_at: KnownAt = None,
    tracks: Sequence[Track] = TRACKS,
    *,
    programme: Programme | None = None,
) -> dict[str, Any]:
    """One person's status across ``tracks`` on ``as_of`` as recorded at ``known_at``;
    ``programme``: the agency's as recorded by then, if the caller has read it already."""
    agency, as_of, used = _axes(ledger, slug, as_of, known_at)
    person_id = person_id_for(agency.agency_id, employee_id)
    streams = list(person_streams(ledger, agency.agency_id, used, person_id=person_id))
    if not streams:
        raise PersonNotFoundError(
            f"no person {employee_id!r} in {slug!r} was known at {used.isoformat()}"
        )
    events = streams[0]
    history, facts = history_from_events(events, used), facts_from_events(events)
    if programme is None:
        programme = programme_at(ledger, slug, used)
    items = _own_items(programme, history, facts, as_of, tracks)
    if "state" in tracks:
        state = status(ledger, slug, employee_id, as_of, used)
        items.append(_state_item(state["person"]["compliance"]))
    answer = combine(items, inactive_reason=_inactive(history, as_of), tracks=tracks)
    return {**_header(agency, as_of, used), "employee_id": facts.employee_id, **answer}


# What the credential and policy tracks fold only for a type earned by training hours
# (audiences and statuses come from the person's kind, hire date, statuses and
# assignments): left unread by ``everyone_own_items`` unless ``Programme.counts_training``.
TRAINING_TOPICS = (TrainingCompleted.TOPIC, TrainingCorrected.TOPIC, TrainingVoided.TOPIC)


def unread_topics(programme: Programme) -> tuple[str, ...]:
    """The topics the own tracks may leave unread for ``programme``: the training events,
    unless a credential type is earned by training hours."""
    return () if programme.counts_training else TRAINING_TOPICS


def _everyone(
    ledger: LedgerCore, agency: AgencyKnowledge, known_at: datetime, without: Sequence[str] = ()
) -> Iterable[tuple[PersonHistory, CredentialFacts]]:
    """Each person's history and credential facts as known at ``known_at``. When the
    training events are wanted (``without`` empty) and everyone has a history checkpoint
    at their stream head, the histories are those (``replay.checkpointed``) and only the
    other events are read and decoded, for the facts: the same answers, without decoding
    the training events again."""
    shared: dict[UUID, PersonHistory] = {}
    if not without:
        heads = ledger.store.stream_heads("person", agency.agency_id, recorded_by=known_at)
        shared = checkpointed_histories(ledger, heads)
        if heads and len(shared) == len(heads):
            without = TRAINING_TOPICS
        else:
            shared = {}  # someone has none: fold everyone's events, as before
    for events in person_streams(ledger, agency.agency_id, known_at, without_topics=without):
        found = shared.get(events[0].originator_id) if shared else None
        history = found if found is not None else history_from_events(events, known_at)
        yield history, facts_from_events(events)


def roster_tracks(
    ledger: LedgerCore,
    slug: str,
    as_of: date | None = None,
    known_at: KnownAt = None,
    tracks: Sequence[Track] = TRACKS,
    statuses: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Everyone's status across ``tracks`` (filtered to ``statuses`` if given), ordered by
    employee id; people not yet hired on ``as_of`` are left out."""
    agency, as_of, used = _axes(ledger, slug, as_of, known_at)
    programme = programme_at(ledger, slug, used)
    state: dict[str, dict[str, Any]] = {}
    if "state" in tracks:
        answer = roster(ledger, slug, as_of, used)
        state = {row["employee_id"]: row["compliance"] for row in answer["people"]}
    people = []
    for history, facts in _everyone(ledger, agency, used):
        if history.status_on(as_of) == "not_hired":
            continue
        items = _own_items(programme, history, facts, as_of, tracks)
        if facts.employee_id in state:
            items.append(_state_item(state[facts.employee_id]))
        row = combine(items, inactive_reason=_inactive(history, as_of), tracks=tracks)
        if not statuses or row["status"] in statuses:
            people.append({"employee_id": facts.employee_id, **row})
    people.sort(key=lambda p: str(p["employee_id"]))
    return {**_header(agency, as_of, used), "tracks_shown": list(tracks), "people": people}


def everyone_own_items(
    ledger: LedgerCore, slug: str, as_of: date, known_at: KnownAt = None
) -> tuple[Programme, Iterator[tuple[PersonHistory, CredentialFacts, list[TrackItem]]]]:
    """The agency's programme as recorded at ``known_at`` and, for each person hired by
    ``as_of``, their credential and policy items on ``as_of``: the streams read in one
    query without their training events, which these tracks fold only for a type earned by
    training hours (``unread_topics``; the histories yielded then hold no training
    records), decoded and judged one person at a time. Nobody's stream is read when the
    agency has no credential type or policy assignment."""
    agency, as_of, used = _axes(ledger, slug, as_of, known_at)
    programme = programme_at(ledger, slug, used)

    def rows() -> Iterator[tuple[PersonHistory, CredentialFacts, list[TrackItem]]]:
        if not programme.type_versions and not programme.assignments:
            return
        for history, facts in _everyone(ledger, agency, used, unread_topics(programme)):
            if history.status_on(as_of) == "not_hired":
                continue
            yield history, facts, _own_items(programme, history, facts, as_of, TRACKS)

    return programme, rows()


def publication_named(programme: Programme, policy_id: str, version: str | int) -> Publication:
    """A published version by number (``3``) or by its hash (or a prefix of 8+ digits)."""
    published = programme.publications_of(policy_id)
    text = str(version).strip().lower()
    found = [
        p
        for p in published
        if (text.isdigit() and p.number == int(text))
        or (len(text) >= 8 and p.version_hash.startswith(text))
    ]
    if len(found) != 1:
        numbers = ", ".join(str(p.number) for p in published) or "none"
        raise PolicyNotFoundError(
            f"policy {policy_id!r} has no single published version {text!r} (published: {numbers})"
        )
    return found[0]


def policy_acknowledgements(
    ledger: LedgerCore,
    slug: str,
    policy_id: str,
    version: str | int,
    on: date | None = None,
    known_at: KnownAt = None,
) -> dict[str, Any]:
    """Who had acknowledged exactly this version of the policy by ``on``, as recorded at
    ``known_at`` (acknowledgements recorded after it are not known to the answer)."""
    agency, on, used = _axes(ledger, slug, on, known_at)
    publication = publication_named(programme_at(ledger, slug, used), policy_id, version)
    facts = [f for _, f in _everyone(ledger, agency, used)]
    found = acknowledged(facts, policy_id, publication.version_hash, on, used)
    return {
        **_header(agency, on, used),
        "policy_id": policy_id,
        "version": publication.number,
        "version_hash": publication.version_hash,
        "acknowledged": [
            {
                "acknowledged_on": a.on.isoformat(),
                "channel": a.channel,
                "employee_id": a.employee_id,
                "quiz_score": None if a.quiz_score is None else str(a.quiz_score),
                "recorded_at": None if a.recorded_at is None else a.recorded_at.isoformat(),
            }
            for a in found
        ],
    }


def policy_coverage(
    ledger: LedgerCore,
    slug: str,
    policy_id: str,
    as_of: date | None = None,
    known_at: KnownAt = None,
) -> dict[str, Any]:
    """Everyone the policy binds on ``as_of``: whether the version in force is acknowledged
    (or overdue, or due), with counts."""
    agency, as_of, used = _axes(ledger, slug, as_of, known_at)
    programme = programme_at(ledger, slug, used)
    if policy_id not in programme.policy_ids:
        raise PolicyNotFoundError(f"agency {slug!r} had no policy {policy_id!r} at {used}")
    current = programme.publication_on(policy_id, as_of)
    rows = []
    for history, facts in _everyone(ledger, agency, used):
        if _inactive(history, as_of) is not None:
            continue
        for item in evaluate_policies(programme, history, facts, as_of):
            if item.item_id == policy_id:
                rows.append({"employee_id": facts.employee_id, **item.to_dict()})
    rows.sort(key=lambda r: str(r["employee_id"]))
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return {
        **_header(agency, as_of, used),
        "policy_id": policy_id,
        "title": programme.title_of(policy_id),
        "version": None if current is None else current.number,
        "version_hash": None if current is None else current.version_hash,
        "counts": dict(sorted(counts.items())),
        "people": rows,
    }


@dataclass(frozen=True)
class PersonPolicy:
    """One policy as one person sees it on ``as_of`` as recorded at ``known_at``: the
    version in force (None before the first publication), the person's item on the
    policy track (None when no assignment binds them) and their acknowledgements of it."""

    header: dict[str, Any]
    programme: Programme
    current: Publication | None
    item: TrackItem | None
    acknowledgements: tuple[Acknowledgement, ...]


def person_policy(
    ledger: LedgerCore,
    slug: str,
    employee_id: str,
    policy_id: str,
    as_of: date | None = None,
    known_at: KnownAt = None,
) -> PersonPolicy:
    agency, as_of, used = _axes(ledger, slug, as_of, known_at)
    programme = programme_at(ledger, slug, used)
    if policy_id not in programme.policy_ids:
        raise PolicyNotFoundError(f"agency {slug!r} had no policy {policy_id!r} at {used}")
    person_id = person_id_for(agency.agency_id, employee_id)
    streams = list(person_streams(ledger, agency.agency_id, used, person_id=person_id))
    if not streams:
        raise PersonNotFoundError(
            f"no person {employee_id!r} in {slug!r} was known at {used.isoformat()}"
        )
    history, facts = history_from_events(streams[0], used), facts_from_events(streams[0])
    items = [
        i for i in evaluate_policies(programme, history, facts, as_of) if i.item_id == policy_id
    ]
    mine = tuple(a for a in facts.acknowledgements if a.policy_id == policy_id and a.on <= as_of)
    return PersonPolicy(
        _header(agency, as_of, used),
        programme,
        programme.publication_on(policy_id, as_of),
        items[0] if items else None,
        mine,
    )
