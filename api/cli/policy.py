"""``muster policy``: upload a policy document (PDF or Markdown; its version id is the
SHA-256 of its exact bytes), publish a version from a date, assign the policy to an
audience with a due period, record an acknowledgement of one exact version, and report
coverage and who had acknowledged a version on a day, as recorded at an instant."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import typer

from api.cli.context import open_ledger
from api.cli.timeargs import parse_as_of, parse_known_at
from api.cli.writes import AGENCY, AS_JSON, DRY_RUN, ON, day_of, day_option, effective, write
from ledger.application import Ledger
from ledger.errors import InvalidValueError
from ledger.policy_cases import MAX_DOCUMENT_BYTES
from ledger.unit_of_work import UnitOfWork

__all__ = ["policy_app"]

policy_app = typer.Typer(
    help="Policy documents, versions, assignments, acknowledgements and coverage.",
    no_args_is_help=True,
)
POLICY = typer.Argument(..., help="The policy's id, e.g. use-of-force")
_QUIZ_FILE_BYTES = 64 * 1024
VERSION = typer.Argument(..., help="A published number (3) or a version hash (8+ digits)")


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            raise InvalidValueError(
                f"{path.name}: a policy document is at most {MAX_DOCUMENT_BYTES} bytes"
            )
        return path.read_bytes()
    except OSError as error:
        raise InvalidValueError(f"cannot read {path}: {error.strerror}") from None


@policy_app.command("upload")
def upload(
    policy_id: str = POLICY,
    file: Path = typer.Argument(..., help="The document: a PDF or a Markdown file"),
    agency: str = AGENCY,
    title: str = typer.Option(..., "--title", help="The policy's title"),
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
) -> None:
    """Store a document version; prints its version id (SHA-256 of the exact bytes)."""
    content = _read(file)

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> str:
        digest, _new = ledger.upload_policy(
            agency, policy_id, content, title=title, actor=who, uow=uow
        )
        return digest

    write(f"policy {policy_id} ({file.name})", command, dry_run, as_json)


@policy_app.command("publish")
def publish(
    policy_id: str = POLICY,
    version: str = VERSION,
    agency: str = AGENCY,
    effective_from: str = typer.Option(..., "--from", help="In force from, YYYY-MM-DD"),
    editorial: bool = typer.Option(
        False, "--editorial", help="Wording only: earlier acknowledgements still count"
    ),
    reason: str = typer.Option("", "--reason", help="A note kept with the publication"),
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
) -> None:
    """Publish an uploaded version from a date; prints its number."""
    start = day_of(effective_from, "--from")

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> int:
        return ledger.publish_policy(
            agency, policy_id, version, effective_on=start, editorial=editorial, reason=reason,
            actor=who, uow=uow,
        )  # fmt: skip

    write(f"policy {policy_id}", command, dry_run, as_json)


def _quiz_file(path: Path) -> dict[str, Any]:
    """A quiz from a small JSON (``.json``) or TOML (``.toml``) file."""
    try:
        if path.stat().st_size > _QUIZ_FILE_BYTES:
            raise InvalidValueError(f"{path.name}: a quiz file is at most {_QUIZ_FILE_BYTES} bytes")
        raw = path.read_bytes()
    except OSError as error:
        raise InvalidValueError(f"cannot read {path}: {error.strerror}") from None
    try:
        data = tomllib.loads(raw.decode()) if path.suffix == ".toml" else json.loads(raw)
    except (UnicodeDecodeError, ValueError) as error:  # JSON and TOML errors are ValueErrors
        raise InvalidValueError(f"{path.name}: not valid JSON or TOML ({error})") from None
    if not isinstance(data, dict):
        raise InvalidValueError(f"{path.name}: expected a table with pass_mark and questions")
    return data


@policy_app.command("quiz")
def quiz(
    policy_id: str = POLICY,
    version: str = VERSION,
    file: Path = typer.Argument(..., help="The quiz: a .json or .toml file (see docs)"),
    agency: str = AGENCY,
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
) -> None:
    """Set the version's comprehension quiz; its acknowledgements are then scored by the
    ledger and refused below the pass mark."""
    data = _quiz_file(file)

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> str:
        digest, _new = ledger.set_policy_quiz(agency, policy_id, version, data, actor=who, uow=uow)
        return digest

    write(f"quiz of policy {policy_id} ({file.name})", command, dry_run, as_json)


@policy_app.command("assign")
def assign(
    policy_id: str = POLICY,
    agency: str = AGENCY,
    audience: list[str] = typer.Option(
        ...,
        "--audience",
        help="everyone, kind:K, rank:R, unit:U, assignment:A, person:ID (repeatable)",
    ),
    due_days: int = typer.Option(..., "--due-days", help="Days to acknowledge"),
    due_from: str = typer.Option("publication", "--due-from", help="publication or assignment"),
    on: str | None = typer.Option(None, "--from", help="Assigned from (default today)"),
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
) -> None:
    """Assign the policy to an audience, to acknowledge within --due-days."""
    day = None if on is None else day_of(on, "--from")

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> object:
        return ledger.assign_policy(
            agency,
            policy_id,
            audience=audience,
            due_days=due_days,
            due_from=due_from,
            effective_on=effective(ledger, agency, day),
            actor=who,
            uow=uow,
        )

    write(f"policy {policy_id}", command, dry_run, as_json)


@policy_app.command("acknowledge")
def acknowledge(
    employee_id: str = typer.Argument(..., help="Employee id"),
    policy_id: str = POLICY,
    version: str = VERSION,
    agency: str = AGENCY,
    channel: str = typer.Option("in_person", "--channel", help="in_person, online or paper"),
    quiz: list[str] | None = typer.Option(
        None, "--quiz", help="QUESTION=ANSWER, the answer a choice's number (repeatable)"
    ),
    score: str | None = typer.Option(
        None, "--score", help="Quiz score, 0-100 (with a quiz set, the ledger scores it)"
    ),
    on: str | None = ON,
    dry_run: bool = DRY_RUN,
    as_json: bool = AS_JSON,
) -> None:
    """Record that the person acknowledged this exact version."""
    day = day_option(on)
    answers = {}
    for pair in quiz or []:
        question, sep, answer = pair.partition("=")
        if not sep or not question.strip():
            raise typer.BadParameter(f"--quiz {pair!r}: use QUESTION=ANSWER")
        answers[question.strip()] = answer.strip()

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> str:
        return ledger.acknowledge_policy(
            agency,
            employee_id,
            policy_id,
            version,
            on=effective(ledger, agency, day),
            channel=channel,
            quiz_answers=answers,
            quiz_score=score,
            actor=who,
            uow=uow,
        )

    write(f"acknowledgement by {employee_id}", command, dry_run, as_json)


@policy_app.command("coverage")
def coverage(
    policy_id: str = POLICY,
    agency: str = AGENCY,
    as_of: str | None = typer.Option(None, "--as-of", help="The day asked about"),
    known_at: str | None = typer.Option(None, "--known-at", help="As recorded then"),
    as_json: bool = AS_JSON,
) -> None:
    """Everyone the policy binds: acknowledged, due or overdue, for the version in force."""
    from api.cli.tracks_text import print_coverage, print_json
    from replay.tracks import policy_coverage

    with open_ledger() as ledger:
        answer = policy_coverage(
            ledger, agency, policy_id, parse_as_of(as_of), parse_known_at(known_at)
        )
    print_json(answer) if as_json else print_coverage(answer)


@policy_app.command("acknowledged")
def acknowledged(
    policy_id: str = POLICY,
    version: str = VERSION,
    agency: str = AGENCY,
    on: str | None = typer.Option(None, "--on", help="By this day (default today)"),
    known_at: str | None = typer.Option(None, "--known-at", help="As recorded then"),
    as_json: bool = AS_JSON,
) -> None:
    """Who had acknowledged exactly this version by --on, as recorded at --known-at."""
    from api.cli.tracks_text import print_acknowledged, print_json
    from replay.tracks import policy_acknowledgements

    with open_ledger() as ledger:
        answer = policy_acknowledgements(
            ledger, agency, policy_id, version, parse_as_of(on), parse_known_at(known_at)
        )
    print_json(answer) if as_json else print_acknowledged(answer)
