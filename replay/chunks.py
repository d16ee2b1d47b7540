"""Answers nobody stored yet, computed in chunks of people from their history checkpoints
or else their events, here or spread over worker processes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from ledger.gc_pause import paused_gc
from ledger.ledger_core import LedgerCore
from projections.answers import (
    answer_document,
    overview_document,
    person_answer,
    roster_document,
)
from projections.evaluate import Plan, evaluate
from projections.history import PersonHistory
from projections.history_codec import Identity, decode_history, encode_history, fold_key
from projections.read_store import AnswerRow, ReadStore
from projections.rules.schema import RuleVersion
from replay.read_side import read_side
from replay.stored_streams import fold_streams
from replay.workers import start_method

__all__ = ["Checkpoint", "Work", "answer_rows", "histories_at", "status_codes", "status_rows"]

# (person, stream head, encoded history): a history checkpoint to store.
Checkpoint = tuple[UUID, int, str]

NOT_HIRED = "not_hired"  # replay.asof's: a day before the hire, in no status count

# Starting a worker costs 10-50 ms when forked (a connection) and about half a second when
# spawned (an interpreter and its imports too), against ~0.6 ms per person evaluated.
SPREAD_FROM = {"fork": 200, "spawn": 1000}


@dataclass(frozen=True)
class Work:
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
        versions: list[RuleVersion],
        memo: bool,
        workers: int,
    ) -> Work:
        wanted = {p: heads[p] for p in people}
        checkpoints = store.checkpoints.get(wanted, fold_key()) if memo else {}
        spread = workers if len(people) >= SPREAD_FROM[start_method()] else 1
        return cls(
            chunks=[people[start : start + 250] for start in range(0, len(people), 250)],
            checkpoints=checkpoints,
            workers=spread,
            versions=list(versions) if spread == 1 else None,
        )

    def checkpoints_of(self, chunk: list[UUID]) -> dict[UUID, str]:
        return {p: self.checkpoints[p] for p in chunk if p in self.checkpoints}


def answer_rows(
    ledger: LedgerCore,
    agency_id: UUID,
    known_at: datetime,
    as_of: date,
    form: str,
    heads: dict[UUID, int],
    checkpoints: dict[UUID, str],
    versions: list[RuleVersion] | None,
) -> tuple[list[tuple[UUID, AnswerRow]], list[Checkpoint]]:
    """The answers of one chunk of people at the given heads, from their history
    checkpoints or else their events cut at those heads (run here or in a worker process,
    which looks the rule versions up for ``known_at``); also the checkpoints of the
    histories folded from events."""
    with paused_gc():
        # The overview's narrow row is the status alone (no record listed): the records
        # completed after the day, which the engine never credits, are not decoded.
        until = as_of if form == "overview" else None
        versions, histories, folded = _chunk(
            ledger, agency_id, known_at, heads, checkpoints, versions, as_of, until
        )
        out = []
        plan = Plan.of(versions, as_of)  # one for the chunk: the same versions and day
        for identity, history in histories:
            answer = person_answer(identity, history, versions, as_of, plan=plan)
            document = _DOCUMENTS[form](answer)
            row = AnswerRow(
                answer.employee_id,
                answer.status.status,
                answer.kind,
                answer.person_status,
                document,
            )
            out.append((UUID(history.person_id), row))
        return out, folded


_DOCUMENTS = {
    "answer": answer_document,
    "roster": roster_document,
    "overview": overview_document,
}


def status_rows(
    ledger: LedgerCore,
    agency_id: UUID,
    known_at: datetime,
    heads: dict[UUID, int],
    checkpoints: dict[UUID, str],
    days: dict[UUID, list[date]],
    versions: list[RuleVersion] | None,
) -> tuple[list[tuple[UUID, date, AnswerRow]], list[Checkpoint]]:
    """Each person's overall status on each of their days (a status-only answer, no
    document), their history read once; also the checkpoints of histories folded. The
    days of one call are days the agency followed one jurisdiction (``replay.trend``)."""
    with paused_gc():
        first = min((d for wanted in days.values() for d in wanted), default=date.min)
        versions, histories, folded = _chunk(
            ledger, agency_id, known_at, heads, checkpoints, versions, first
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


def status_codes(
    ledger: LedgerCore,
    agency_id: UUID,
    known_at: datetime,
    heads: dict[UUID, int],
    checkpoints: dict[UUID, str],
    days: dict[UUID, list[date]],
    versions: list[RuleVersion] | None,
    rules_day: date,
) -> tuple[list[tuple[UUID, list[str]]], list[Checkpoint]]:
    """Each person's status code on each of their days: the overall status a status-only
    answer states, or ``not_hired`` (not evaluated) on a day their history says they were
    not hired yet, as a trend leaves them out of its counts. The rule versions (looked up
    here when not given) are those binding on ``rules_day``; also the checkpoints of
    histories folded."""
    with paused_gc():
        versions, histories, folded = _chunk(
            ledger, agency_id, known_at, heads, checkpoints, versions, rules_day
        )
        out = []
        for _, history in histories:
            person_id = UUID(history.person_id)
            codes = [
                NOT_HIRED
                if history.status_on(day) == NOT_HIRED
                else str(evaluate(versions, history, day).status)
                for day in days[person_id]
            ]
            out.append((person_id, codes))
        return out, folded


def _chunk(
    ledger: LedgerCore,
    agency_id: UUID,
    known_at: datetime,
    heads: dict[UUID, int],
    checkpoints: dict[UUID, str],
    versions: list[RuleVersion] | None,
    as_of: date,
    records_until: date | None = None,
) -> tuple[list[RuleVersion], list[tuple[Identity, PersonHistory]], list[Checkpoint]]:
    """What a chunk of answers starts from: the rule versions (looked up here when a
    worker was not given them: it has only the agency's id) and the people's histories,
    with the checkpoints folded (``records_until``: as ``histories_at``)."""
    if versions is None:
        knowledge = read_side(ledger).knowledge
        versions = knowledge.rule_versions_for(
            knowledge.agency_by_id(agency_id, known_at), known_at, as_of=as_of
        )
    histories, folded = histories_at(ledger, heads, checkpoints, records_until)
    return versions, histories, folded


def histories_at(
    ledger: LedgerCore,
    heads: dict[UUID, int],
    checkpoints: dict[UUID, str],
    records_until: date | None = None,
) -> tuple[list[tuple[Identity, PersonHistory]], list[Checkpoint]]:
    """People's histories at the given heads: from their checkpoints (which must be at
    those heads), else folded from their events cut there; also the checkpoints of the
    histories folded (always whole). ``records_until``: a checkpoint's training records
    completed after that day are left out (``decode_history``); a history folded from
    events keeps them all."""
    histories = [decode_history(body, records_until=records_until) for body in checkpoints.values()]
    folded = []
    unfolded = {p: head for p, head in heads.items() if p not in checkpoints}
    for stream in fold_streams(ledger.mapper, ledger.store.select_streams_up_to(unfolded)):
        identity, history = Identity.of(stream.enrolled), stream.history
        histories.append((identity, history))
        person_id = stream.enrolled.originator_id
        folded.append((person_id, heads[person_id], encode_history(identity, history).decode()))
    return histories, folded
