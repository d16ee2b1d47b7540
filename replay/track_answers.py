"""The roster and the trend across the three tracks (issue 17 §3): the state answer
(``replay.asof.roster``, ``replay.trend``) with the credential and policy tracks beside it,
one status per person across the tracks shown, each track also asked for alone.

The credential and policy items are judged from the agency's programme (as recorded at
``known_at``) and each person's stream without its training events, read in one query for
everyone not memoised; when a credential type is earned by training hours, the training
records come from the history the state side already folded (the read side's checkpoint
at exactly the person's stream head), not from decoding the training events again (a
person without one has theirs read and folded, as before). Each person's items on a day
are memoised like a state answer, keyed by their stream head at ``known_at``, the
agency's stream head (the programme) and the code that judges them, so a roster or a
trend asked again reads them back.

An agency with no credential type and no policy assignment, or an answer asked for the
state track alone, is the state answer, byte for byte."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from itertools import groupby
from typing import Any, Literal, cast
from uuid import UUID

import orjson

from ledger.gc_pause import paused_gc
from ledger.ids import agency_id_for
from ledger.ledger_core import LedgerCore
from projections.credentials.programme import Programme, programme_from_events
from projections.credentials.tracks import TRACKS, Track, TrackItem, combine
from projections.fingerprint import modules_fingerprint
from projections.read_store import AnswerRow
from projections.status import STATUS_SEVERITY, StatusCode
from replay.asof import (
    NOT_HIRED,
    KnownAt,
    Progress,
    RosterAnswer,
    RosterFilters,
    known_at_used,
    local_day,
    requested_instant,
    roster,
)
from replay.knowledge import decode_stored
from replay.read_side import read_side

__all__ = [
    "TRACK_NAMES",
    "fill_own_tracks",
    "own_programme",
    "parse_tracks",
    "roster_across",
    "trend_across",
]

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
    "projections.credentials.hours",
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


def _own_code() -> str:
    return modules_fingerprint("own-tracks", _OWN_MODULES)


def _programme(ledger: LedgerCore, slug: str, known_at: datetime) -> tuple[Programme, int | None]:
    agency_id = agency_id_for(slug)
    head = ledger.store.heads_of([agency_id], recorded_by=known_at).get(agency_id)
    if head is None:
        return Programme(), None
    return programme_from_events(ledger.events.get(agency_id, lte=head)), head


def _empty(programme: Programme) -> bool:
    return not programme.type_versions and not programme.assignments


def own_programme(ledger: LedgerCore, slug: str, known_at: datetime) -> Programme | None:
    """The agency's credential types and policy assignments as recorded by ``known_at``;
    None when it had neither (then every answer across the tracks is the state answer)."""
    programme, head = _programme(ledger, slug, known_at)
    return None if head is None or _empty(programme) else programme


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
    ledger: LedgerCore,
    agency_id: UUID,
    programme: Programme,
    agency_head: int,
    heads: dict[UUID, int],
    days: Sequence[date],
    known_at: datetime,
) -> tuple[dict[date, dict[UUID, AnswerRow]], int]:
    """Each person's credential and policy items on each day (the row's body: the items
    and the inactive reason, if any), and how many people were judged: memoised, else
    judged from one read of the streams of everyone missing, without their training
    events; a credential type earned by training hours takes each person's history,
    training records and all, from their checkpoint at their head
    (``replay.checkpointed``), and only people without one have their training events
    read and folded. Judging stays pure: the same ``PersonHistory`` either way (tested)."""
    # The fold and the judging are imported only when some item is to be judged: a roster
    # the memo answers does without them, as the state roster does (issue 14 §6).
    from projections.credentials.facts import facts_from_events
    from projections.history import history_from_events
    from replay.checkpointed import checkpointed_histories
    from replay.tracks import TRAINING_TOPICS, _inactive, _own_items

    memo = read_side(ledger).store.memo
    key = _own_key(agency_head)
    known = {day: memo.get(agency_id, key, day.isoformat(), heads) for day in days}
    missing = sorted(p for p in heads if any(p not in known[d] for d in days))
    if not missing:
        return known, 0
    # An hours type needs the training records: from the state side's history
    # checkpoints at exactly these heads (already folded), not by decoding the training
    # events again; only the people without one have their training events read.
    counted = checkpointed_histories(ledger, {p: heads[p] for p in missing}) if (
        programme.counts_training
    ) else {}  # fmt: skip
    stored = ledger.store.select_stream_events(
        "person",
        agency_id=agency_id,
        originator_ids=None if len(missing) == len(heads) else missing,
        recorded_by=known_at,
        without_topics=TRAINING_TOPICS
        if not programme.counts_training or len(counted) == len(missing)
        else (),
    )
    fresh: dict[date, list[tuple[UUID, int, AnswerRow]]] = {day: [] for day in days}
    wanted = set(missing)
    for person_id, group in groupby(stored, key=lambda s: s.originator_id):
        if person_id not in wanted:
            continue
        found = counted.get(person_id)
        kept = list(group)
        if found is not None:  # the training events are not decoded again
            kept = [s for s in kept if s.topic not in TRAINING_TOPICS]
        events = decode_stored(ledger, kept)
        history = found if found is not None else history_from_events(events, known_at)
        facts = facts_from_events(events)
        for day in days:
            if person_id in known[day]:
                continue
            items = _own_items(programme, history, facts, day, TRACKS)
            body = orjson.dumps(
                {"inactive": _inactive(history, day), "items": [i.to_dict() for i in items]}
            )
            worst = combine(items, inactive_reason=None)["tracks"]
            status = f"{worst['credential']} {worst['policy']}"  # what a trend counts
            row = AnswerRow(facts.employee_id, status, history.kind, history.status_on(day), body)
            known[day][person_id] = row
            fresh[day].append((person_id, heads[person_id], row))
    for day in days:
        memo.put(agency_id, key, day.isoformat(), fresh[day])
    return known, len(missing)


def fill_own_tracks(ledger: LedgerCore, slug: str, as_of: date | None = None) -> int:
    """Judge and store everyone's credential and policy items on ``as_of`` (none: the
    agency's today) as recorded now, as a roster across the tracks would: what
    ``muster replay`` runs beside the tracked model, so the present picture across the
    tracks is read, not judged, by the first reader. Returns how many people were judged
    (0 for an agency with no credential type or policy assignment, or all stored)."""
    used = known_at_used(ledger, None)
    programme, agency_head = _programme(ledger, slug, used)
    if agency_head is None or _empty(programme):
        return 0
    agency_id = agency_id_for(slug)
    if as_of is None:
        as_of = local_day(read_side(ledger).knowledge.agency_at(slug, used), used)
    with paused_gc():
        heads = _person_heads(ledger, agency_id, used)
        _, judged = _own_rows(ledger, agency_id, programme, agency_head, heads, [as_of], used)
    return judged


def _person_heads(ledger: LedgerCore, agency_id: UUID, known_at: datetime) -> dict[UUID, int]:
    return ledger.store.stream_heads("person", agency_id, recorded_by=known_at)


def _state_reasons(row: bytes) -> list[str] | None:
    """The state answer's ``compliance.reasons`` read from a stored roster row without
    parsing the rest of it (a row is tens of kilobytes of windows and records): its keys
    are sorted and indented at a fixed depth (``projections.answers``), so the reasons are
    the lines from ``reasons`` to ``requirements``. None if the row is not laid out so."""
    start = row.find(_REASONS)
    end = row.find(_REQUIREMENTS, start)
    if start < 0 or end < 0:
        return None
    reasons = orjson.loads(b"{" + row[start:end].rstrip(b",") + b"}")["reasons"]
    return list(reasons)


# The compliance's keys in a stored roster row: at depth 2 of the row, itself at depth 2.
_REASONS = b'\n        "reasons": '
_REQUIREMENTS = b'\n        "requirements": '
# The row's own keys (depth 1 of the row), and the row's end.
_KIND = b'\n      "kind": '
_END = b"\n    }"


def _members(values: dict[str, Any]) -> bytes:
    """``values`` as the members of a row's object, as the row's own serialiser lays them
    out: each on its line at the row's depth (no braces, no trailing comma)."""
    document = orjson.dumps(values, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2)
    return document.replace(b"\n", b"\n    ")[1:-6]


def _across_row(
    state: AnswerRow, row: bytes, own: AnswerRow | None, tracks: Sequence[Track]
) -> tuple[bytes, dict[str, Any]] | None:
    """The roster row with the tracks shown, its bytes spliced from the stored row's (the
    same bytes as the row parsed, extended and serialised again): ``status`` and
    ``reasons`` across them, ``tracks`` (each one's status) and ``items`` (the credential
    and policy items); and the answer across the tracks. None if the row is not laid out
    as ``_state_reasons`` expects."""
    reasons = _state_reasons(row)
    kind_at, end_at = row.find(_KIND), len(row) - len(_END)
    if reasons is None or kind_at < 0 or not row.endswith(_END):
        return None
    status = cast(StatusCode, state.status)
    items = [TrackItem("state", "rules", "", status, None, "", tuple(reasons))]
    inactive = None
    if own is not None:
        body = orjson.loads(own.body)
        inactive = body["inactive"]
        items += [_item(d) for d in body["items"]]
    answer = combine(items, inactive_reason=inactive, tracks=tracks)
    mine = [i for i in answer["items"] if i["track"] != "state"]
    tail = {"reasons": answer["reasons"], "status": answer["status"], "tracks": answer["tracks"]}
    spliced = b"".join(
        (
            row[:kind_at],
            _members({"items": mine}),
            b",",
            row[kind_at:end_at],
            b",",
            _members(tail),
            _END,
        )
    )
    return spliced, answer


def _across(
    state: dict[str, Any], own: AnswerRow | None, tracks: Sequence[Track]
) -> dict[str, Any]:
    """``_across_row`` on a parsed row (for a row not laid out as expected)."""
    compliance = state["compliance"]
    # A narrow overview row carries no reasons (``projections.answers.overview_document``).
    reasons = tuple(compliance.get("reasons", ()))
    items = [TrackItem("state", "rules", "", compliance["status"], None, "", reasons)]
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
    ledger: LedgerCore,
    slug: str,
    as_of: date | None,
    known_at: KnownAt = None,
    filters: RosterFilters = RosterFilters(),
    tracks: Sequence[Track] = TRACKS,
    *,
    workers: int = 1,
    progress: Progress | None = None,
    form: Literal["roster", "overview"] = "roster",
) -> RosterAnswer:
    """``replay.asof.roster`` across ``tracks``: each row's ``status`` is across them (the
    status filter and ``counts`` are on it), ``counts_by_track`` counts each track's. The
    state roster itself when only the state track is asked for or the agency has no
    credential type or policy assignment. ``form="overview"``: the state rows narrow, as
    ``roster`` makes them (their reasons left out), never exported."""
    used = known_at_used(ledger, requested_instant(ledger, slug, known_at))
    programme, agency_head = _programme(ledger, slug, used)
    if tuple(tracks) == ("state",) or agency_head is None or _empty(programme):
        return roster(
            ledger, slug, as_of, used, filters, workers=workers, progress=progress, form=form
        )
    with paused_gc():
        agency_id = agency_id_for(slug)
        heads = _person_heads(ledger, agency_id, used)
        state = roster(
            ledger,
            slug,
            as_of,
            used,
            RosterFilters(kinds=filters.kinds, person_statuses=filters.person_statuses),
            workers=workers,
            progress=progress,
            heads=heads,
            form=form,
        )
        day = date.fromisoformat(state["as_of"])
        own = _own_rows(ledger, agency_id, programme, agency_head, heads, [day], used)[0][day]
        by_employee = {row.employee_id: row for row in own.values()}
        rows, counts, not_hired = [], Counter[str](), 0
        by_track: dict[str, Counter[str]] = {t: Counter() for t in tracks}
        for facet, stored in zip(state.facets, state.rows, strict=True):
            mine = by_employee.get(facet.employee_id)
            found = _across_row(facet, stored, mine, tracks)
            if found is None:
                answer = _across(orjson.loads(stored), mine, tracks)
                row = _row_bytes(answer)
            else:
                row, answer = found
            if filters.statuses and answer["status"] not in filters.statuses:
                continue
            rows.append(row)
            if facet.person_status == NOT_HIRED:
                not_hired += 1
            else:
                counts[answer["status"]] += 1
                for track, status in answer["tracks"].items():
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
    ledger: LedgerCore,
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
    from replay.trend import statuses_by_day, trend

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
        own, _ = _own_rows(ledger, agency_id, programme, agency_head, heads, days, used)
        points = []
        for day in days:
            # People counted by what decides their status: the state track's, each own
            # track's worst (the memoised row's status) and their person status.
            tally = Counter[tuple[str, str, str]]()
            mine = own[day]
            for person_id, code in state[day].items():
                if code == NOT_HIRED:
                    continue
                found = mine.get(person_id)
                if found is None:
                    tally[(code, _NOTHING_OWN, "")] += 1
                else:
                    tally[(code, found.status, found.person_status)] += 1
            points.append({"as_of": day.isoformat(), **_counts(tally, tracks)})
    return {**answer, "points": points, "tracks_shown": list(tracks)}


# The own tracks' statuses of someone neither binds (a row's status: credential, policy).
_NOTHING_OWN = "not_applicable not_applicable"
# The person statuses ``replay.tracks._inactive`` gives a reason for (inactive overall).
_INACTIVE = frozenset({"not_hired", "separated", "inactive"})


def _counts(
    tally: Counter[tuple[str, str, str]], tracks: Sequence[Track]
) -> dict[str, dict[str, Any]]:
    """A trend point's ``counts`` (across ``tracks``) and ``counts_by_track``, as
    ``combine`` would judge each person of the tally."""
    counts = Counter[str]()
    by_track: dict[str, Counter[str]] = {t: Counter() for t in tracks}
    for (state, own, person_status), n in tally.items():
        credential, policy = own.split(" ")
        each = {"state": state, "credential": credential, "policy": policy}
        shown = {t: _overall([each[t]], False) for t in tracks}
        counts[_overall(shown.values(), person_status in _INACTIVE)] += n
        for track, status in shown.items():
            by_track[track][status] += n
    return {
        "counts": dict(sorted(counts.items())),
        "counts_by_track": {t: dict(sorted(c.items())) for t, c in by_track.items()},
    }
