"""Bitemporal answers: a person's or an agency's compliance on ``as_of`` as the records
stood at ``known_at``, with the rule versions and every counted record named."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from uuid import UUID

import orjson

from ledger.agency import agency_id_for
from ledger.application import Ledger
from ledger.errors import PersonNotFoundError
from ledger.person import person_id_for
from projections.evaluate import DEFAULT_WARNING_DAYS, evaluate
from projections.fingerprint import engine_fingerprint
from projections.history import PersonHistory, TrainingRecord
from projections.history_codec import Identity, decode_history, encode_history, fold_key
from projections.read_store import AnswerRow, ReadStore
from projections.rules.schema import RuleVersion
from projections.status import Status, hours_text
from replay.gc_pause import paused_gc
from replay.knowledge import (
    AgencyKnowledge,
    agency_at,
    agency_at_head,
    agency_by_id,
    rule_versions_for,
)
from replay.read_models import read_store_of
from replay.stored_streams import fold_streams
from replay.workers import start_method, worker_pool

__all__ = [
    "PersonAnswer",
    "RosterAnswer",
    "RosterFilters",
    "person_answer",
    "roster",
    "rule_catalogue",
    "status",
    "trend",
]


@dataclass(frozen=True)
class RosterFilters:
    statuses: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    person_statuses: frozenset[str] = frozenset()

    def keep(self, row: AnswerRow) -> bool:
        return (
            (not self.statuses or row.status in self.statuses)
            and (not self.kinds or row.kind in self.kinds)
            and (not self.person_statuses or row.person_status in self.person_statuses)
        )

    def to_dict(self) -> dict[str, list[str]]:
        return {
            "kind": sorted(self.kinds),
            "person_status": sorted(self.person_statuses),
            "status": sorted(self.statuses),
        }


@dataclass(frozen=True)
class PersonAnswer:
    employee_id: str
    name: str
    kind: str
    person_status: str
    status: Status
    history: PersonHistory

    def _counted(self) -> list[TrainingRecord]:
        counted = {record for r in self.status.requirements for record in r.records}
        return [r for r in self.history.records_between(None, date.max) if r.record_id in counted]

    def counted_records(self) -> list[dict[str, Any]]:
        """Every record some requirement counted, with its effective date and recorded time."""
        return [
            {
                "record_id": record.record_id,
                "effective_on": record.completed_on.isoformat(),
                "recorded_at": _instant(record.recorded_at),
                "course_title": record.course_title,
                "hours": hours_text(record.hours),
                "topic_hours": {k: hours_text(v) for k, v in sorted(record.topic_hours.items())},
            }
            for record in self._counted()
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "employee_id": self.employee_id,
            "name": self.name,
            "kind": self.kind,
            "person_status": self.person_status,
            "compliance": self.status.to_dict(),
            "counted_records": self.counted_records(),
        }

    def roster_entry(self) -> dict[str, Any]:
        """The roster's row for this person: the same status, windows, deadlines, counts,
        reasons and counted records (effective date, recorded time), without what every
        person shares — requirement titles, kinds, default consequences and source texts
        are stated once in the roster's ``rule_versions`` catalogue, citations by source id.
        A statewide roster is tens of thousands of these, so they are kept small."""
        return {
            "employee_id": self.employee_id,
            "name": self.name,
            "kind": self.kind,
            "person_status": self.person_status,
            "compliance": self.status.to_dict(compact=True),
            "counted_records": [
                {
                    "record_id": record.record_id,
                    "effective_on": record.completed_on.isoformat(),
                    "recorded_at": _instant(record.recorded_at),
                }
                for record in self._counted()
            ],
        }


def _instant(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def rule_catalogue(versions: Iterable[RuleVersion]) -> dict[str, Any]:
    """Per rule version: its requirements' titles, kinds and default consequences, and the
    sources a roster row cites by id."""
    return {
        f"{v.pack}@{v.id}": {
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


def person_answer(
    identity: Identity, history: PersonHistory, versions: Sequence[RuleVersion], as_of: date
) -> PersonAnswer:
    """Pure: the history is already folded at ``known_at``."""
    return PersonAnswer(
        employee_id=identity.employee_id,
        name=identity.name,
        kind=identity.kind,
        person_status=history.status_on(as_of),
        status=evaluate(versions, history, as_of),
        history=history,
    )


def _header(
    agency: AgencyKnowledge, versions: Iterable[RuleVersion], as_of: date, known_at: datetime
) -> dict[str, Any]:
    return {
        "agency": {"slug": agency.slug, "name": agency.name, "jurisdiction": agency.jurisdiction},
        "as_of": as_of.isoformat(),
        "known_at": known_at.isoformat(),
        "rule_versions_known": sorted(f"{v.pack}@{v.id}" for v in versions),
    }


# The documents stored in the memo are built here, outside the engine's fingerprint.
_DOCUMENTS_FINGERPRINT = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def _rules_key(versions: Sequence[RuleVersion], warning_days: int, form: str) -> str:
    """What, besides a person's events and the day, an answer depends on (and its form:
    a full answer or a roster row)."""
    parts = [
        engine_fingerprint(),
        _DOCUMENTS_FINGERPRINT,
        form,
        str(warning_days),
        *sorted(f"{v.pack}@{v.id}" for v in versions),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _answers_for(
    ledger: Ledger,
    agency: AgencyKnowledge,
    versions: Sequence[RuleVersion],
    as_of: date,
    known_at: datetime,
    heads: dict[UUID, int] | None = None,
    *,
    form: Literal["answer", "roster"] = "answer",
    memo: bool = True,
    workers: int = 1,
) -> dict[UUID, AnswerRow]:
    """Each person's answer (or roster row), for the given people's stream heads at T or
    everyone's; memoised by (person's stream head at T, rules, day, form, code).
    People not memoised are evaluated from their history checkpoint at that head, or
    from their events where there is none (and the checkpoint is stored).
    ``memo=False`` computes everything afresh from the events and stores nothing (for
    verification). Many answers to compute are spread over ``workers`` processes."""
    store = read_store_of(ledger)
    with paused_gc():
        if heads is None:  # everyone in the agency
            heads = ledger.store.stream_heads("person", agency.agency_id, recorded_by=known_at)
        rules_key = _rules_key(versions, DEFAULT_WARNING_DAYS, form)
        day = as_of.isoformat()
        answers = store.memo_get(agency.agency_id, rules_key, day, heads) if memo else {}
        work = _Work.plan(store, heads, sorted(set(heads) - set(answers)), versions, memo, workers)
        fresh: list[tuple[UUID, int, AnswerRow]] = []
        folded: list[tuple[UUID, int, str]] = []
        calls = [
            (
                agency.agency_id,
                known_at,
                as_of,
                form,
                {p: heads[p] for p in chunk},
                work.checkpoints_of(chunk),
                work.versions,
            )
            for chunk in work.chunks
        ]
        with worker_pool(ledger, work.workers) as pool:
            for computed, new_checkpoints in pool.map_in_order(_answer_rows, calls):
                for person_id, row in computed:
                    answers[person_id] = row
                    fresh.append((person_id, heads[person_id], row))
                folded.extend(new_checkpoints)
        if memo:
            store.memo_put(agency.agency_id, rules_key, day, fresh, histories=folded)
        return answers


# Starting a worker costs 10-50 ms when forked (a connection) and about half a second when
# spawned (an interpreter and its imports too), against ~0.6 ms per person evaluated.
_SPREAD_FROM = {"fork": 200, "spawn": 1000}


@dataclass(frozen=True)
class _Work:
    """People to evaluate: in chunks, with the checkpoints found for them, over how many
    processes, and the rule versions for work done here (a worker looks them up itself)."""

    chunks: list[list[UUID]]
    checkpoints: dict[UUID, str]
    workers: int
    versions: list[RuleVersion] | None

    @classmethod
    def plan(
        cls,
        store: ReadStore,
        heads: dict[UUID, int],
        people: list[UUID],
        versions: Sequence[RuleVersion],
        memo: bool,
        workers: int,
    ) -> _Work:
        checkpoints = store.histories_get({p: heads[p] for p in people}, fold_key()) if memo else {}
        spread = workers if len(people) >= _SPREAD_FROM[start_method()] else 1
        return cls(
            chunks=[people[start : start + 250] for start in range(0, len(people), 250)],
            checkpoints=checkpoints,
            workers=spread,
            versions=list(versions) if spread == 1 else None,
        )

    def checkpoints_of(self, chunk: list[UUID]) -> dict[UUID, str]:
        return {p: self.checkpoints[p] for p in chunk if p in self.checkpoints}


def _answer_rows(
    ledger: Ledger,
    agency_id: UUID,
    known_at: datetime,
    as_of: date,
    form: str,
    heads: dict[UUID, int],
    checkpoints: dict[UUID, str],
    versions: list[RuleVersion] | None,
) -> tuple[list[tuple[UUID, AnswerRow]], list[tuple[UUID, int, str]]]:
    """The answers of one chunk of people at the given heads, from their history
    checkpoints or else their events cut at those heads (run here or in a worker process,
    which looks the rule versions up for ``known_at``); also the checkpoints of the
    histories folded from events."""
    with paused_gc():
        versions, histories, folded = _chunk(
            ledger, agency_id, known_at, heads, checkpoints, versions
        )
        out = []
        for identity, history in histories:
            answer = person_answer(identity, history, versions, as_of)
            if form == "roster":
                # Stored exactly as it appears in the export (sorted keys, indented at its
                # depth there), so a roster is put together without parsing anything.
                document = orjson.dumps(answer.roster_entry(), option=_EXPORT_OPTIONS)
                document = _ROW_INDENT + document.replace(b"\n", b"\n" + _ROW_INDENT)
            else:
                document = orjson.dumps(answer.to_dict())
            row = AnswerRow(
                answer.employee_id,
                answer.status.status,
                answer.kind,
                answer.person_status,
                document,
            )
            out.append((UUID(history.person_id), row))
        return out, folded


def _chunk(
    ledger: Ledger,
    agency_id: UUID,
    known_at: datetime,
    heads: dict[UUID, int],
    checkpoints: dict[UUID, str],
    versions: list[RuleVersion] | None,
) -> tuple[list[RuleVersion], list[tuple[Identity, PersonHistory]], list[tuple[UUID, int, str]]]:
    """What a chunk of answers starts from: the rule versions (looked up here when a
    worker was not given them) and the people's histories, with the checkpoints folded."""
    if versions is None:
        versions = _versions_by_id(ledger, agency_id, known_at)
    histories, folded = _histories(ledger, heads, checkpoints)
    return versions, histories, folded


def _versions_by_id(ledger: Ledger, agency_id: UUID, known_at: datetime) -> list[RuleVersion]:
    """The rule versions binding the agency at ``known_at`` (a worker process, given only
    the agency's id, looks them up itself)."""
    return rule_versions_for(ledger, agency_by_id(ledger, agency_id, known_at), known_at)


def _histories(
    ledger: Ledger, heads: dict[UUID, int], checkpoints: dict[UUID, str]
) -> tuple[list[tuple[Identity, PersonHistory]], list[tuple[UUID, int, str]]]:
    """People's histories at the given heads: from their checkpoints (which must be at
    those heads), else folded from their events cut there; also the checkpoints of the
    histories folded."""
    histories = [decode_history(body) for body in checkpoints.values()]
    folded = []
    unfolded = {p: head for p, head in heads.items() if p not in checkpoints}
    for stream in fold_streams(ledger.mapper, ledger.store.select_streams_up_to(unfolded)):
        identity, history = Identity.of(stream.enrolled), stream.history
        histories.append((identity, history))
        person_id = stream.enrolled.originator_id
        folded.append((person_id, heads[person_id], encode_history(identity, history).decode()))
    return histories, folded


def status(
    ledger: Ledger,
    slug: str,
    employee_id: str,
    as_of: date,
    known_at: datetime,
    *,
    memo: bool = True,
) -> dict[str, Any]:
    """One person's answer, or PersonNotFoundError if the person was not known at T."""
    agency_id = agency_id_for(slug)
    person_id = person_id_for(agency_id, employee_id)
    # The agency's and the person's heads at T and the rule-pack positions: one round trip.
    heads, rule_positions = ledger.store.heads_and_positions(
        [agency_id, person_id], "rule_pack", recorded_by=known_at
    )
    agency = agency_at_head(ledger, agency_id, heads.get(agency_id), known_at, slug)
    versions = rule_versions_for(ledger, agency, known_at, rule_positions)
    person_heads = {person_id: heads[person_id]} if person_id in heads else {}
    answers = _answers_for(ledger, agency, versions, as_of, known_at, person_heads, memo=memo)
    if not answers:
        raise PersonNotFoundError(
            f"no person {employee_id!r} in {slug!r} was known at {known_at.isoformat()}"
        )
    person = orjson.loads(answers[person_id].body)
    return {**_header(agency, versions, as_of, known_at), "person": person}


def roster(
    ledger: Ledger,
    slug: str,
    as_of: date,
    known_at: datetime,
    filters: RosterFilters = RosterFilters(),
    *,
    memo: bool = True,
    workers: int = 1,
) -> RosterAnswer:
    """Every person known at T, evaluated on ``as_of``, filtered, ordered by employee id
    (people not answered before are evaluated in up to ``workers`` processes)."""
    agency = agency_at(ledger, slug, known_at)
    versions = rule_versions_for(ledger, agency, known_at)
    answers = _answers_for(
        ledger, agency, versions, as_of, known_at, form="roster", memo=memo, workers=workers
    )
    kept = sorted((a for a in answers.values() if filters.keep(a)), key=lambda a: a.employee_id)
    counts = Counter(a.status for a in kept)
    header = {
        **_header(agency, versions, as_of, known_at),
        "filters": filters.to_dict(),
        "counts": dict(sorted(counts.items())),
        "rule_versions": rule_catalogue(versions),
    }
    return RosterAnswer(header, [a.body for a in kept])


_EXPORT_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2
# A row sits at depth two of the exported document (its list of people), four spaces in.
_ROW_INDENT = b"    "


class RosterAnswer(Mapping[str, Any]):
    """A roster: its header, and each person's row kept as the JSON it is exported as.

    Read like the document it is (``answer["people"]`` parses the rows, once); ``to_json``
    puts the export together from the stored rows without parsing them, which for a
    statewide roster is most of the time an answer takes."""

    def __init__(self, header: dict[str, Any], rows: list[bytes]) -> None:
        self._header = header
        self._rows = rows
        self._people: list[dict[str, Any]] | None = None

    def __getitem__(self, key: str) -> Any:
        if key != "people":
            return self._header[key]
        if self._people is None:
            self._people = [orjson.loads(row) for row in self._rows]
        return self._people

    def __iter__(self) -> Iterator[str]:
        return iter(sorted([*self._header, "people"]))

    def __len__(self) -> int:
        return len(self._header) + 1

    def to_json(self) -> bytes:
        """Byte for byte what ``replay.export.to_json`` makes of the parsed document."""
        head = orjson.dumps({**self._header, "people": _PLACEHOLDER}, option=_EXPORT_OPTIONS)
        before, after = head.split(orjson.dumps(_PLACEHOLDER), 1)
        if not self._rows:
            return b"".join((before, b"[]", after, b"\n"))
        # One copy of tens of megabytes, not one per concatenation.
        parts = [before, b"[\n"]
        for row in self._rows:
            parts += (row, b",\n")
        parts[-1] = b"\n  ]"
        parts += (after, b"\n")
        return b"".join(parts)


# Stands for the rows while the header is serialised; no text of an answer contains it
# (a control character, escaped inside any JSON string).
_PLACEHOLDER = "\x00people\x00"


def trend(
    ledger: Ledger,
    slug: str,
    start: date,
    end: date,
    every: str,
    known_at: datetime,
    *,
    memo: bool = True,
    workers: int = 1,
) -> dict[str, Any]:
    """Status counts at each step from ``start`` to ``end`` (of the people hired by then),
    all as known at T.

    Each person's status on each day is memoised like any answer (status only), so a chart
    asked again costs a read per step, and after new events only the people they concern
    are evaluated again. Those not memoised have their history read once (checkpoint, else
    events) and evaluated for every step they miss, in up to ``workers`` processes.
    """
    days = _steps(start, end, every)
    store = read_store_of(ledger)
    with paused_gc():
        agency = agency_at(ledger, slug, known_at)
        versions = rule_versions_for(ledger, agency, known_at)
        heads = ledger.store.stream_heads("person", agency.agency_id, recorded_by=known_at)
        rules_key = _rules_key(versions, DEFAULT_WARNING_DAYS, "status")
        known = {
            day: store.memo_get(agency.agency_id, rules_key, day.isoformat(), heads) if memo else {}
            for day in days
        }
        missing = {p: [d for d in days if p not in known[d]] for p in heads}
        people = sorted(p for p, wanted in missing.items() if wanted)
        work = _Work.plan(store, heads, people, versions, memo, workers)
        calls = [
            (
                agency.agency_id,
                known_at,
                {p: heads[p] for p in chunk},
                work.checkpoints_of(chunk),
                {p: missing[p] for p in chunk},
                work.versions,
            )
            for chunk in work.chunks
        ]
        fresh: dict[date, list[tuple[UUID, int, AnswerRow]]] = {day: [] for day in days}
        folded: list[tuple[UUID, int, str]] = []
        with worker_pool(ledger, work.workers) as pool:
            for computed, new_checkpoints in pool.map_in_order(_status_rows, calls):
                for person_id, day, row in computed:
                    known[day][person_id] = row
                    fresh[day].append((person_id, heads[person_id], row))
                folded.extend(new_checkpoints)
        if memo:
            for day in days:
                # The folded histories' checkpoints go with the first day's answers.
                stored = folded if day == days[0] else []
                store.memo_put(agency.agency_id, rules_key, day.isoformat(), fresh[day], stored)
    points = [
        {
            "as_of": day.isoformat(),
            "counts": dict(
                sorted(
                    Counter(
                        row.status
                        for row in known[day].values()
                        if row.person_status != "not_hired"
                    ).items()
                )
            ),
        }
        for day in days
    ]
    header = _header(agency, versions, end, known_at)
    header.pop("as_of")
    return {
        **header,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "every": every,
        "points": points,
    }


def _status_rows(
    ledger: Ledger,
    agency_id: UUID,
    known_at: datetime,
    heads: dict[UUID, int],
    checkpoints: dict[UUID, str],
    days: dict[UUID, list[date]],
    versions: list[RuleVersion] | None,
) -> tuple[list[tuple[UUID, date, AnswerRow]], list[tuple[UUID, int, str]]]:
    """Each person's overall status on each of their days (a status-only answer, no
    document), their history read once; also the checkpoints of histories folded."""
    with paused_gc():
        versions, histories, folded = _chunk(
            ledger, agency_id, known_at, heads, checkpoints, versions
        )
        out = []
        for identity, history in histories:
            person_id = UUID(history.person_id)
            for day in days[person_id]:
                status = evaluate(versions, history, day).status
                row = AnswerRow(
                    identity.employee_id, status, identity.kind, history.status_on(day), b""
                )
                out.append((person_id, day, row))
        return out, folded


def _steps(start: date, end: date, every: str) -> list[date]:
    if end < start:
        raise ValueError("--to must not be before --from")
    days: list[date] = []
    day = start
    while day <= end:
        days.append(day)
        if every == "day":
            day += timedelta(days=1)
        elif every == "week":
            day += timedelta(weeks=1)
        elif every == "month":
            month = day.month % 12 + 1
            year = day.year + (day.month == 12)
            day = _clamp(year, month, start.day)
        elif every == "year":
            day = _clamp(day.year + 1, start.month, start.day)
        else:
            raise ValueError(f"--every {every!r}: use day, week, month or year")
        if len(days) > 2000:
            raise ValueError("at most 2000 steps")
    return days


def _clamp(year: int, month: int, day: int) -> date:
    for candidate in (day, 30, 29, 28):
        try:
            return date(year, month, min(day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")
