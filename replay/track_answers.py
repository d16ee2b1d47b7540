"""The roster and the trend across the three tracks (issue 17 §3): the state answer
(``replay.asof.roster``, ``replay.trend``) with the credential and policy tracks beside it,
one status per person across the tracks shown, each track also asked for alone.

The credential and policy items are judged from the agency's programme (as recorded at
``known_at``) and each person's stream without its training events, read in one query for
everyone not memoised; each person's items on a day are memoised like a state answer,
keyed by their stream head at ``known_at``, the agency's stream head (the programme) and
the code that judges them, so a roster or a trend asked again reads them back.

An agency with no credential type and no policy assignment, or an answer asked for the
state track alone, is the state answer, byte for byte."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import cache
from itertools import groupby
from typing import Any, cast
from uuid import UUID

import orjson

from ledger.agency import agency_id_for
from ledger.application import Ledger
from ledger.gc_pause import paused_gc
from projections.credentials.facts import facts_from_events
from projections.credentials.programme import Programme, programme_from_events
from projections.credentials.tracks import TRACKS, Track, TrackItem, combine
from projections.fingerprint import code_fingerprint
from projections.history import history_from_events
from projections.read_store import AnswerRow
from projections.status import STATUS_SEVERITY
from replay.asof import (
    NOT_HIRED,
    KnownAt,
    Progress,
    RosterAnswer,
    RosterFilters,
    known_at_used,
    requested_instant,
    roster,
)
from replay.knowledge import decode_stored
from replay.read_side import read_side
from replay.tracks import TRAINING_TOPICS, _inactive, _own_items
from replay.trend import statuses_by_day, trend

__all__ = ["TRACK_NAMES", "parse_tracks", "roster_across", "trend_across"]

# What a track may be asked for by (the CLI's ``--track``, the API's ``track=``).
TRACK_NAMES: dict[str, Track] = {
    "state": "state",
    "credential": "credential",
    "credentials": "credential",
    "policy": "policy",
    "policies": "policy",
}

# The code the credential and policy items are judged by (a memoised item set is keyed by it).
_OWN_MODULES = (
    "projections.credentials.credentials",
    "projections.credentials.facts",
    "projections.credentials.policies",
    "projections.credentials.programme",
    "projections.credentials.tracks",
    "projections.history",
    "replay.tracks",
    "replay.track_answers",
)


def parse_tracks(values: Iterable[str]) -> tuple[Track, ...]:
    """The tracks named (none: all three), in their fixed order; ValueError naming the
    accepted names for anything else."""
    chosen: set[Track] = set()
    for value in values:
        track = TRACK_NAMES.get(value.strip().lower())
        if track is None:
            raise ValueError(f"track {value!r}: use state, credentials or policies")
        chosen.add(track)
    return tuple(t for t in TRACKS if t in chosen) if chosen else TRACKS


@cache
def _own_code() -> str:
    return code_fingerprint(*_OWN_MODULES)


def _programme(ledger: Ledger, slug: str, known_at: datetime) -> tuple[Programme, int | None]:
    agency_id = agency_id_for(slug)
    head = ledger.store.heads_of([agency_id], recorded_by=known_at).get(agency_id)
    if head is None:
        return Programme(), None
    return programme_from_events(ledger.events.get(agency_id, lte=head)), head


def _empty(programme: Programme) -> bool:
    return not programme.type_versions and not programme.assignments


def _own_key(agency_head: int) -> str:
    text = "\n".join((_own_code(), "own-tracks", str(agency_head)))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _item(d: dict[str, Any]) -> TrackItem:
    until = d["until"]
    return TrackItem(
        d["track"],
        d["item_id"],
        d["title"],
        d["status"],
        None if until is None else date.fromisoformat(until),
        d["version"],
        tuple(d["reasons"]),
    )


def _own_rows(
    ledger: Ledger,
    agency_id: UUID,
    programme: Programme,
    agency_head: int,
    heads: dict[UUID, int],
    days: Sequence[date],
    known_at: datetime,
) -> dict[date, dict[UUID, AnswerRow]]:
    """Each person's credential and policy items on each day (the row's body: the items
    and the inactive reason, if any): memoised, else judged from one read of the streams
    of everyone missing, without their training events."""
    memo = read_side(ledger).store.memo
    key = _own_key(agency_head)
    known = {day: memo.get(agency_id, key, day.isoformat(), heads) for day in days}
    missing = sorted(p for p in heads if any(p not in known[d] for d in days))
    if not missing:
        return known
    stored = ledger.store.select_stream_events(
        "person",
        agency_id=agency_id,
        originator_ids=None if len(missing) == len(heads) else missing,
        recorded_by=known_at,
        without_topics=TRAINING_TOPICS,
    )
    fresh: dict[date, list[tuple[UUID, int, AnswerRow]]] = {day: [] for day in days}
    wanted = set(missing)
    for person_id, group in groupby(stored, key=lambda s: s.originator_id):
        if person_id not in wanted:
            continue
        events = decode_stored(ledger, list(group))
        history, facts = history_from_events(events, known_at), facts_from_events(events)
        for day in days:
            if person_id in known[day]:
                continue
            items = _own_items(programme, history, facts, day, TRACKS)
            body = orjson.dumps(
                {"inactive": _inactive(history, day), "items": [i.to_dict() for i in items]}
            )
            worst = combine(items, inactive_reason=None)["status"]
            row = AnswerRow(facts.employee_id, worst, history.kind, history.status_on(day), body)
            known[day][person_id] = row
            fresh[day].append((person_id, heads[person_id], row))
    for day in days:
        memo.put(agency_id, key, day.isoformat(), fresh[day])
    return known


def _person_heads(ledger: Ledger, agency_id: UUID, known_at: datetime) -> dict[UUID, int]:
    return ledger.store.stream_heads("person", agency_id, recorded_by=known_at)


def _across(
    state: dict[str, Any], own: AnswerRow | None, tracks: Sequence[Track]
) -> dict[str, Any]:
    """The roster row with the tracks shown: ``status`` and ``reasons`` across them,
    ``tracks`` (each one's status) and ``items`` (the credential and policy items)."""
    compliance = state["compliance"]
    items = [
        TrackItem(
            "state",
            "rules",
            "State-mandated training",
            compliance["status"],
            None,
            ", ".join(compliance.get("rule_versions", [])),
            tuple(compliance.get("reasons", [])),
        )
    ]
    inactive = None
    if own is not None:
        body = orjson.loads(own.body)
        inactive = body["inactive"]
        items += [_item(d) for d in body["items"]]
    answer = combine(items, inactive_reason=inactive, tracks=tracks)
    return {
        **state,
        "items": [i for i in answer["items"] if i["track"] != "state"],
        "reasons": answer["reasons"],
        "status": answer["status"],
        "tracks": answer["tracks"],
    }


def roster_across(
    ledger: Ledger,
    slug: str,
    as_of: date | None,
    known_at: KnownAt = None,
    filters: RosterFilters = RosterFilters(),
    tracks: Sequence[Track] = TRACKS,
    *,
    workers: int = 1,
    progress: Progress | None = None,
) -> RosterAnswer:
    """``replay.asof.roster`` across ``tracks``: each row's ``status`` is across them (the
    status filter and ``counts`` are on it), ``counts_by_track`` counts each track's. The
    state roster itself when only the state track is asked for or the agency has no
    credential type or policy assignment."""
    used = known_at_used(ledger, requested_instant(ledger, slug, known_at))
    programme, agency_head = _programme(ledger, slug, used)
    if tuple(tracks) == ("state",) or agency_head is None or _empty(programme):
        return roster(ledger, slug, as_of, used, filters, workers=workers, progress=progress)
    with paused_gc():
        state = roster(
            ledger,
            slug,
            as_of,
            used,
            RosterFilters(kinds=filters.kinds, person_statuses=filters.person_statuses),
            workers=workers,
            progress=progress,
        )
        day = date.fromisoformat(state["as_of"])
        agency_id = agency_id_for(slug)
        heads = _person_heads(ledger, agency_id, used)
        own = _own_rows(ledger, agency_id, programme, agency_head, heads, [day], used)[day]
        by_employee = {row.employee_id: row for row in own.values()}
        rows, counts, not_hired = [], Counter[str](), 0
        by_track: dict[str, Counter[str]] = {t: Counter() for t in tracks}
        for person in state["people"]:
            row = _across(person, by_employee.get(person["employee_id"]), tracks)
            if filters.statuses and row["status"] not in filters.statuses:
                continue
            rows.append(_row_bytes(row))
            if row["person_status"] == NOT_HIRED:
                not_hired += 1
            else:
                counts[row["status"]] += 1
                for track, status in row["tracks"].items():
                    by_track[track][status] += 1
    head = {key: state[key] for key in state if key != "people"}
    head["filters"] = filters.to_dict()
    head["counts"] = dict(sorted(counts.items()))
    head["counts_by_track"] = {t: dict(sorted(c.items())) for t, c in by_track.items()}
    head["not_yet_hired"] = not_hired
    head["tracks_shown"] = list(tracks)
    return RosterAnswer(head, rows)


def _row_bytes(row: dict[str, Any]) -> bytes:
    indent = b"    "
    document = orjson.dumps(row, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2)
    return indent + document.replace(b"\n", b"\n" + indent)


def _overall(statuses: Iterable[str], inactive: bool) -> str:
    """``combine``'s overall status from each track's status alone."""
    if inactive:
        return "inactive"
    applicable = [s for s in statuses if s not in {"not_applicable", "inactive"}]
    if not applicable:
        return "not_applicable"
    return min(applicable, key=STATUS_SEVERITY.index)


def trend_across(
    ledger: Ledger,
    slug: str,
    start: date,
    end: date,
    every: str,
    known_at: KnownAt = None,
    tracks: Sequence[Track] = TRACKS,
    *,
    workers: int = 1,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """``replay.trend.trend`` across ``tracks``: each point's ``counts`` are of the status
    across them, ``counts_by_track`` of each track's. The state trend itself when only the
    state track is asked for or the agency has no credential type or policy assignment."""
    used = known_at_used(ledger, requested_instant(ledger, slug, known_at))
    programme, agency_head = _programme(ledger, slug, used)
    if tuple(tracks) == ("state",) or agency_head is None or _empty(programme):
        return trend(ledger, slug, start, end, every, used, workers=workers, progress=progress)
    with paused_gc():
        answer, days, state = statuses_by_day(
            ledger, slug, start, end, every, used, workers=workers, progress=progress
        )
        agency_id = agency_id_for(slug)
        heads = _person_heads(ledger, agency_id, used)
        own = _own_rows(ledger, agency_id, programme, agency_head, heads, days, used)
        points = []
        for day in days:
            counts = Counter[str]()
            by_track: dict[str, Counter[str]] = {t: Counter() for t in tracks}
            mine = own[day]
            for person_id, row in state[day].items():
                if row.person_status == NOT_HIRED:
                    continue
                body = None if person_id not in mine else orjson.loads(mine[person_id].body)
                statuses = _track_statuses(row.status, body, tracks)
                inactive = body is not None and body["inactive"] is not None
                counts[_overall(statuses.values(), inactive)] += 1
                for track, status in statuses.items():
                    by_track[track][status] += 1
            points.append(
                {
                    "as_of": day.isoformat(),
                    "counts": dict(sorted(counts.items())),
                    "counts_by_track": {t: dict(sorted(c.items())) for t, c in by_track.items()},
                }
            )
    return {**answer, "points": points, "tracks_shown": list(tracks)}


def _track_statuses(
    state: str, own: dict[str, Any] | None, tracks: Sequence[Track]
) -> dict[str, str]:
    """Each shown track's status: the state answer's, and the worst of each own track's
    items (``combine``'s ``tracks``)."""
    found: dict[str, list[str]] = {t: [] for t in tracks}
    if "state" in found:
        found["state"].append(state)
    if own is not None:
        for item in cast(list[dict[str, Any]], own["items"]):
            if item["track"] in found:
                found[item["track"]].append(item["status"])
    return {t: _overall(s, False) for t, s in found.items()}
