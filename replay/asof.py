"""Bitemporal answers: a person's or an agency's compliance on ``as_of`` as the records
stood at ``known_at``, with the rule versions and every counted record named.

A question the tracked model is at (its day, each person's stream head at ``known_at``,
the rule versions known then) is read from it; any other is read from the answer memo, or
computed and memoised.

Every answer is for a ``known_at`` at or before the log's stable horizon
(``known_at_used``): an answer given once is the answer for that ``known_at`` forever, and
the ``known_at`` used is stated in the answer.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any, Literal
from uuid import UUID

import orjson

from ledger.errors import PersonNotFoundError
from ledger.gc_pause import paused_gc
from ledger.ids import agency_id_for, person_id_for
from projections.answer_keys import EXPORT_OPTIONS, TRACKED_FORM, Labelled, rules_key
from projections.read_store import AnswerRow, ReadStore
from projections.stored_versions import StoredVersion, rule_catalogue
from replay.knowledge import AgencyKnowledge
from replay.read_side import read_side

if TYPE_CHECKING:
    from ledger.ledger_core import LedgerCore
    from replay.chunks import Checkpoint

__all__ = [
    "NOT_HIRED",
    "KnownAt",
    "Progress",
    "RosterAnswer",
    "RosterFilters",
    "answers_for",
    "header",
    "known_at_used",
    "local_day",
    "requested_instant",
    "roster",
    "status",
    "status_json",
]

# A person's status on a day before their hire date: listed, but in no status count.
NOT_HIRED = "not_hired"

# How a long answer reports the people evaluated so far, of how many (never called for
# answers the tracked model or the memo already holds).
Progress = Callable[[int, int | None], None]

# A ``known_at`` as asked: an instant (without an offset: the agency's local time), a bare
# date (the end of that local day), or None (the stable horizon).
KnownAt = datetime | date | None


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


def known_at_used(ledger: LedgerCore, requested: datetime | None) -> datetime:
    """The ``known_at`` an answer is given for: the one asked for, clamped to the log's
    stable horizon (``LedgerCore.stable_horizon``); none asked for means the horizon.

    Clamped rather than waited for: while a unit is being written (an import holds the
    write lock for seconds) the horizon is the last committed unit's recorded time, so a
    reader is answered at once, as the records stood before the unit in flight, and
    says so in the answer's ``known_at``. A ``known_at`` in the future, or the end of
    today, is clamped the same way, to now."""
    horizon = ledger.stable_horizon()
    if requested is None or requested > horizon:
        return horizon
    return requested


def requested_instant(ledger: LedgerCore, slug: str, requested: KnownAt) -> datetime | None:
    """The instant a ``known_at`` as asked names, in UTC: a bare date is the end of that day
    in the agency's time zone, an instant without an offset is the agency's local time.
    The zone is the one recorded now (an answer states the instant it used, which means
    the same whatever the zone is later)."""
    if requested is None:
        return None
    if isinstance(requested, datetime) and requested.tzinfo is not None:
        return requested.astimezone(UTC)
    zone = read_side(ledger).knowledge.agency_at(slug, None).zone
    if isinstance(requested, datetime):
        return requested.replace(tzinfo=zone).astimezone(UTC)
    return datetime.combine(requested, time.max, zone).astimezone(UTC)


def local_day(agency: AgencyKnowledge, moment: datetime) -> date:
    """The agency's date at ``moment``: the default ``as_of`` is its day at ``known_at``."""
    return moment.astimezone(agency.zone).date()


def header(
    agency: AgencyKnowledge, versions: Iterable[Labelled], as_of: date, known_at: datetime
) -> dict[str, Any]:
    jurisdiction = agency.jurisdiction_on(as_of)  # the one followed on ``as_of``
    return {
        "agency": {"slug": agency.slug, "name": agency.name, "jurisdiction": jurisdiction},
        "as_of": as_of.isoformat(),
        "known_at": known_at.isoformat(),
        "rule_versions_known": sorted(v.label for v in versions),
        "time_zone": agency.time_zone,
    }


def answers_for(
    ledger: LedgerCore,
    agency: AgencyKnowledge,
    versions: list[StoredVersion],
    as_of: date,
    known_at: datetime,
    heads: dict[UUID, int] | None = None,
    *,
    form: Literal["answer", "roster", "overview"] = "answer",
    memo: bool = True,
    workers: int = 1,
    progress: Progress | None = None,
) -> dict[UUID, AnswerRow]:
    """Each person's answer (or roster row), for the given people's stream heads at T or
    everyone's: from the tracked model where it is at that head, day and rules; else
    memoised by (person's stream head at T, rules, day, form, code). People in neither
    are evaluated from their history checkpoint at that head, or from their events where
    there is none (and the checkpoint is stored). ``memo=False`` computes everything
    afresh from the events and stores nothing (for verification). Many answers to compute
    are spread over ``workers`` processes.

    The engine, the schema that validates the rule versions and the worker pool are
    imported only when some answer is to be computed: a read the tracked model or the
    memo answers does without them (issue 14 §6)."""
    store = read_side(ledger).store
    with paused_gc():
        if heads is None:  # everyone in the agency
            heads = ledger.store.stream_heads("person", agency.agency_id, recorded_by=known_at)
        answers = _tracked(store, agency, versions, as_of, heads, form) if memo else {}
        if len(answers) == len(heads):
            return answers
        key, day = rules_key(versions, form), as_of.isoformat()
        if memo:
            rest = {p: head for p, head in heads.items() if p not in answers}
            answers.update(store.memo.get(agency.agency_id, key, day, rest))
            if len(answers) == len(heads):
                return answers
        from replay.chunks import Work, answer_rows
        from replay.workers import worker_pool

        missing = sorted(set(heads) - set(answers))
        models = [v.rule_version() for v in versions]
        work = Work.plan(store, heads, missing, models, memo, workers)
        fresh: list[tuple[UUID, int, AnswerRow]] = []
        folded: list[Checkpoint] = []
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
        total = sum(len(chunk) for chunk in work.chunks)
        with worker_pool(ledger, work.workers) as pool:
            for computed, new_checkpoints in pool.map_in_order(answer_rows, calls):
                for person_id, row in computed:
                    answers[person_id] = row
                    fresh.append((person_id, heads[person_id], row))
                folded.extend(new_checkpoints)
                if progress is not None:
                    progress(len(fresh), total)
        if memo:
            store.memo.put(agency.agency_id, key, day, fresh, histories=folded)
        return answers


def _tracked(
    store: ReadStore,
    agency: AgencyKnowledge,
    versions: list[StoredVersion],
    as_of: date,
    heads: dict[UUID, int],
    form: str,
    *,
    fresh: bool = False,
) -> dict[UUID, AnswerRow]:
    """The answers the tracked model holds for these people at these heads, on its day and
    under these rules (none when it is at another day: a row of yesterday is not today's)."""
    live = store.tracked.recently_live(fresh=fresh)
    if live is None or live.as_of != as_of.isoformat():
        return {}
    key = rules_key(versions, TRACKED_FORM)
    try:
        # The overview's narrow rows are a subset of a roster row: the tracked rows serve it.
        roster = form in ("roster", "overview")
        return store.queries.answers(live, agency.agency_id, key, heads, roster=roster)
    except Exception as error:
        # The library's error class, imported only when something failed (a read that
        # opened the store without the library has not imported it: ``ledger.reader``).
        from eventsourcing.persistence import PersistenceError

        if not isinstance(error, PersistenceError):
            raise
        swapped = store.tracked.recently_live(fresh=True)
        if swapped is None or swapped.generation == live.generation:
            raise
        # A rebuild swapped another generation in and dropped this one meanwhile.
        return _tracked(store, agency, versions, as_of, heads, form, fresh=True)


def status(
    ledger: LedgerCore,
    slug: str,
    employee_id: str,
    as_of: date | None,
    known_at: KnownAt = None,
    *,
    memo: bool = True,
) -> dict[str, Any]:
    """One person's answer, or PersonNotFoundError if the person was not known at T (the
    ``known_at`` asked for, clamped to the stable horizon: ``known_at_used``); no
    ``as_of`` means the agency's local date at T."""
    head, body = _status_parts(ledger, slug, employee_id, as_of, known_at, memo=memo)
    return {**head, "person": orjson.loads(body)}


def status_json(
    ledger: LedgerCore, slug: str, employee_id: str, as_of: date | None, known_at: KnownAt = None
) -> bytes:
    """``status``'s answer as JSON, the person's part the stored answer's own bytes (not
    parsed and written again: for a person with years of records that was most of what
    an HTTP status answer cost). The header's keys are sorted, the person's in the order
    the answer is stored in."""
    head, body = _status_parts(ledger, slug, employee_id, as_of, known_at, memo=True)
    document = orjson.dumps({**head, "person": _PLACEHOLDER}, option=orjson.OPT_SORT_KEYS)
    before, after = document.split(orjson.dumps(_PLACEHOLDER), 1)
    return b"".join((before, body, after))


def _status_parts(
    ledger: LedgerCore,
    slug: str,
    employee_id: str,
    as_of: date | None,
    known_at: KnownAt,
    *,
    memo: bool,
) -> tuple[dict[str, Any], bytes]:
    known_at = known_at_used(ledger, requested_instant(ledger, slug, known_at))
    agency_id = agency_id_for(slug)
    person_id = person_id_for(agency_id, employee_id)
    # The agency's and the person's heads at T and the rule-pack positions: one round trip.
    heads, rule_positions = ledger.store.heads_and_positions(
        [agency_id, person_id], "rule_pack", recorded_by=known_at
    )
    knowledge = read_side(ledger).knowledge
    agency = knowledge.agency_at_head(agency_id, heads.get(agency_id), known_at, slug)
    as_of = local_day(agency, known_at) if as_of is None else as_of
    versions = knowledge.stored_versions_for(agency, known_at, rule_positions, as_of=as_of)
    person_heads = {person_id: heads[person_id]} if person_id in heads else {}
    answers = answers_for(ledger, agency, versions, as_of, known_at, person_heads, memo=memo)
    if not answers:
        raise PersonNotFoundError(
            f"no person {employee_id!r} in {slug!r} was known at {known_at.isoformat()}"
        )
    return header(agency, versions, as_of, known_at), answers[person_id].body


def roster(
    ledger: LedgerCore,
    slug: str,
    as_of: date | None,
    known_at: KnownAt = None,
    filters: RosterFilters = RosterFilters(),
    *,
    memo: bool = True,
    workers: int = 1,
    progress: Progress | None = None,
    heads: dict[UUID, int] | None = None,
    form: Literal["roster", "overview"] = "roster",
) -> RosterAnswer:
    """Every person known at T (clamped to the stable horizon: ``known_at_used``),
    evaluated on ``as_of`` (none: the agency's local date at T), filtered, ordered by
    employee id (people not answered before are evaluated in up to ``workers``
    processes). ``counts`` leave out the people not yet hired on ``as_of``, as
    ``trend``'s do (``not_yet_hired`` counts them). ``heads``: everyone's stream heads at
    T, if the caller has read them already. ``form="overview"``: rows with only what the
    dashboard's overview shows (``projections.answers.overview_document``; a person the
    tracked model holds keeps their full roster row), never exported."""
    known_at = known_at_used(ledger, requested_instant(ledger, slug, known_at))
    knowledge = read_side(ledger).knowledge
    agency = knowledge.agency_at(slug, known_at)
    as_of = local_day(agency, known_at) if as_of is None else as_of
    versions = knowledge.stored_versions_for(agency, known_at, as_of=as_of)
    answers = answers_for(
        ledger,
        agency,
        versions,
        as_of,
        known_at,
        heads,
        form=form,
        memo=memo,
        workers=workers,
        progress=progress,
    )
    kept = sorted((a for a in answers.values() if filters.keep(a)), key=lambda a: a.employee_id)
    counts = Counter(a.status for a in kept if a.person_status != NOT_HIRED)
    head = {
        **header(agency, versions, as_of, known_at),
        "filters": filters.to_dict(),
        "counts": dict(sorted(counts.items())),
        "not_yet_hired": sum(a.person_status == NOT_HIRED for a in kept),
        "rule_versions": rule_catalogue(versions),
    }
    return RosterAnswer(head, [a.body for a in kept], kept)


class RosterAnswer(Mapping[str, Any]):
    """A roster: its header, and each person's row kept as the JSON it is exported as.

    Read like the document it is (``answer["people"]`` parses the rows, once); ``to_json``
    puts the export together from the stored rows without parsing them, which for a
    statewide roster is most of the time an answer takes."""

    def __init__(
        self, header: dict[str, Any], rows: list[bytes], facets: Sequence[AnswerRow] = ()
    ) -> None:
        self._header = header
        self._rows = rows
        self._people: list[dict[str, Any]] | None = None
        # Each row's status, person status and employee id, where the roster kept them.
        self.facets = facets

    @property
    def rows(self) -> list[bytes]:
        """Each person's row as exported (indented at its depth in the document)."""
        return self._rows

    def __getitem__(self, key: str) -> Any:
        if key != "people":
            return self._header[key]
        if self._people is None:
            self._people = [orjson.loads(row) for row in self._rows]
        return self._people

    def __iter__(self) -> Iterator[str]:
        return iter(sorted([*self._header, "people"]))

    def digest(self) -> bytes:
        """A digest of the rows (not the header): equal rows, equal digest, so what is
        derived from the rows alone may be kept by it."""
        hasher = hashlib.blake2b(digest_size=20)
        for row in self._rows:
            hasher.update(len(row).to_bytes(8, "big"))
            hasher.update(row)
        return hasher.digest()

    def __len__(self) -> int:
        return len(self._header) + 1

    def to_json(self) -> bytes:
        """Byte for byte what ``replay.export.to_json`` makes of the parsed document."""
        head = orjson.dumps({**self._header, "people": _PLACEHOLDER}, option=EXPORT_OPTIONS)
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
