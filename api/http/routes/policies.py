"""The policy library over HTTP (issue 17 §4): upload a policy document version, publish
one, set a version's comprehension quiz, and read the library, a version's document and
its quiz.

Each write runs the ledger's use case the CLI's ``muster policy`` and the dashboard's forms
run (``Ledger.upload_policy``, ``publish_policy``, ``set_policy_quiz``), through the shared
write path of ``api.http.write_route`` (``Idempotency-Key``, the recorded time in the
answer). The document is a multipart ``document`` part; its type is decided by its content
(``ledger.policy_cases.media_type_of``: a PDF or UTF-8 Markdown), never by its name or the
part's ``Content-Type``; one byte over ``MAX_DOCUMENT_BYTES`` is read and refused with 413
before anything is stored.

Reading: the library (every policy, its versions, publications, assignments, whether each
version has a quiz) is the agency-wide read (coordinator, command, auditor). A version's
document and its quiz are also for the people the policy binds: an officer (their own
grant's person) may read the published versions of a policy that binds them, and nobody
but a coordinator is ever shown a quiz's correct choices.

Every read is bitemporal, as the other reads (``api.http.routes.reads``): ``as_of`` (the
day asked about; default the agency's day at ``known_at``) and ``known_at`` (the records as
they stood then; default now, clamped to the stable horizon), both stated in the answer
(the document's in its ``Muster-As-Of`` and ``Muster-Known-At`` headers). The library is
``replay.policy_versions.library_at``: a version uploaded or published after ``known_at``,
or a quiz set after it, is not in the answer, nor can a reference (a number, a hash or a
prefix) name it; an officer is let through to a version published by ``known_at`` of a
policy that bound them on ``as_of`` as known then.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.http.errors import ApiError
from api.http.policy import AGENCY_WIDE, READERS, Access, Policy, Scope, access, api_route
from api.http.routes.reads import AS_OF, KNOWN_AT, AnswerableDay, parse_known_at
from api.http.services import services
from api.http.write_route import (
    AGENCY_WRITE,
    COORDINATORS,
    Strict,
    agency_today,
    run_write,
    write_route,
)
from ledger.application import Ledger
from ledger.errors import NotFoundError, PolicyNotFoundError
from ledger.policy_cases import MAX_DOCUMENT_BYTES
from ledger.policy_quiz import MAX_CHOICES, MAX_QUESTIONS, Quiz
from ledger.unit_of_work import UnitOfWork
from replay.policy_versions import Library as PolicyLibrary
from replay.policy_versions import Version, library_at, resolve, version_document, versions_of
from replay.tracks import person_policy

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/agencies/{agency}", tags=["policies"])

_POLICY = "/policies/{policy_id}"
_VERSION = _POLICY + "/versions/{version}"
UPLOAD = Policy(Scope.AGENCY, COORDINATORS, statuses=(404, 409, 413))
LIBRARY = Policy(Scope.AGENCY, AGENCY_WIDE, audit="read.policy", statuses=(404,))
# Anyone with a grant in the agency passes the guard; the route then lets through the
# agency-wide readers, and an officer only to what binds them (its own audit entry).
BOUND = Policy(Scope.MEMBER, READERS, statuses=(404,))
_DOCUMENT_TYPES = ("application/pdf", "text/markdown")
_VERSION_REF = "The version's published number, its SHA-256, or a prefix of 8+ hex digits"


# -- writes ------------------------------------------------------------------------------


class UploadForm(Strict):
    """What an Idempotency-Key is checked against: the title and the document's hash."""

    title: str
    document_sha256: str


@write_route(
    router,
    f"{_POLICY}/versions",
    UPLOAD,
    "Upload a policy document version (PDF or Markdown, by content); its id is the "
    "SHA-256 of its bytes, and the same bytes again record nothing",
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "encoding": {"document": {"contentType": ", ".join(_DOCUMENT_TYPES)}}
                }
            }
        }
    },
)
def upload_version(
    request: Request,
    policy_id: str,
    document: UploadFile = File(description="The document: a PDF or a UTF-8 Markdown file"),
    title: str = Form(min_length=1, max_length=500, examples=["Use of force"]),
    found: Access = Depends(access),
) -> Response:
    content = document.file.read(MAX_DOCUMENT_BYTES + 1)  # one byte past the limit is refused
    if len(content) > MAX_DOCUMENT_BYTES:
        raise ApiError(
            413, "document_too_large",
            f"document: a policy document is at most {MAX_DOCUMENT_BYTES} bytes", "document",
        )  # fmt: skip
    form = UploadForm(title=title, document_sha256=hashlib.sha256(content).hexdigest())

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> str:
        digest, _ = ledger.upload_policy(
            found.agency, policy_id, content, title=title, actor=who, uow=uow
        )
        return digest

    return run_write(request, found, form, command, date_field="document")


class PublicationIn(Strict):
    version: str = Field(
        min_length=1, max_length=64, examples=["3f2a9c1e"],
        description="The uploaded version's SHA-256 (or a prefix of 8+ hex digits)",
    )  # fmt: skip
    effective_on: date | None = Field(None, description="In force from; default today")
    editorial: bool = Field(False, description="No re-acknowledgement needed")
    reason: str = Field("", max_length=500, examples=["Annual review: section 4 rewritten"])


@write_route(
    router,
    f"{_POLICY}/publications",
    AGENCY_WRITE,
    "Publish an uploaded version from effective_on (editorial: no new acknowledgement); "
    "the answer's id is its number",
)
def publish_version(
    request: Request, policy_id: str, body: PublicationIn, found: Access = Depends(access)
) -> Response:
    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> int:
        return ledger.publish_policy(
            found.agency,
            policy_id,
            body.version,
            effective_on=body.effective_on or agency_today(ledger, found.agency),
            editorial=body.editorial,
            reason=body.reason,
            actor=who,
            uow=uow,
        )

    return run_write(request, found, body, command, date_field="effective_on")


class QuestionIn(Strict):
    id: str | None = Field(
        None, pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$", examples=["q1"],
        description="Default q1, q2, ... by position",
    )  # fmt: skip
    text: str = Field(min_length=1, max_length=500, examples=["When may force be used?"])
    choices: list[str] = Field(
        min_length=2, max_length=MAX_CHOICES,
        examples=[["Never", "When objectively reasonable", "Always"]],
    )  # fmt: skip
    correct: int = Field(ge=1, le=MAX_CHOICES, examples=[2], description="1-based")


class QuizIn(Strict):
    pass_mark: Decimal = Field(ge=0, le=100, examples=[80], description="Percent correct")
    questions: list[QuestionIn] = Field(min_length=1, max_length=MAX_QUESTIONS)


@write_route(
    router,
    f"{_VERSION}/quiz",
    AGENCY_WRITE,
    "Set the comprehension quiz of an uploaded version (acknowledgements of it are then "
    "scored by the ledger); the answer's id is the version's SHA-256",
    method="PUT",
)
def set_quiz(
    request: Request, policy_id: str, version: str, body: QuizIn, found: Access = Depends(access)
) -> Response:
    quiz: dict[str, Any] = {
        "pass_mark": str(body.pass_mark),
        "questions": [q.model_dump(exclude_none=True) for q in body.questions],
    }

    def command(ledger: Ledger, uow: UnitOfWork, who: str) -> str:
        digest, _ = ledger.set_policy_quiz(
            found.agency, policy_id, _reference(version), quiz, actor=who, uow=uow
        )
        return digest

    return run_write(request, found, body, command, date_field="pass_mark", status_code=200)


# -- reads -------------------------------------------------------------------------------


class QuestionOut(BaseModel):
    id: str
    text: str
    choices: list[str]
    correct: int | None = Field(None, description="Shown to a coordinator only")


class QuizOut(BaseModel):
    pass_mark: str
    questions: list[QuestionOut]


class VersionOut(BaseModel):
    version_hash: str = Field(description="The SHA-256 of the document's exact bytes")
    number: int | None = Field(None, description="Its publication's number (None: unpublished)")
    media_type: str
    size: int
    recorded_at: str | None = Field(None, description="When its upload was recorded")
    has_quiz: bool
    document_href: str


class PublicationOut(BaseModel):
    number: int
    version_hash: str
    effective_on: str
    editorial: bool
    reason: str
    recorded_at: str | None


class AssignmentOut(BaseModel):
    assignment_id: str
    audience: list[str]
    due_days: int
    due_from: str
    effective_on: str


class PolicyOut(BaseModel):
    policy_id: str
    title: str
    in_force: int | None = Field(None, description="The version in force today, by number")
    versions: list[VersionOut]
    publications: list[PublicationOut]
    assignments: list[AssignmentOut]


class Library(BaseModel):
    agency: str
    as_of: str = Field(description="The day asked about: in_force is the version in force then")
    known_at: str = Field(description="The records as they stood at this instant")
    policies: list[PolicyOut]


class PolicyDetail(PolicyOut):
    agency: str
    as_of: str
    known_at: str
    quizzes: dict[str, QuizOut] = Field(
        description="Each version's quiz as set by known_at, by version hash"
    )


class QuizAnswer(QuizOut):
    policy_id: str
    version_hash: str
    number: int | None = Field(None, description="Its publication's number, as known then")
    as_of: str
    known_at: str


def _reference(version: str) -> str | int:
    return int(version) if version.isdigit() else version


def _is_coordinator(found: Access) -> bool:
    assert found.principal is not None
    return any(g.role in COORDINATORS and g.agency == found.agency for g in found.principal.grants)


def _quiz_out(quiz: Quiz, with_answers: bool) -> QuizOut:
    return QuizOut(
        pass_mark=str(quiz.pass_mark),
        questions=[
            QuestionOut(
                id=q.id,
                text=q.text,
                choices=list(q.choices),
                correct=q.correct if with_answers else None,
            )
            for q in quiz.questions
        ],
    )


def _policy_out(agency: str, library: PolicyLibrary, policy_id: str) -> dict[str, Any]:
    base = f"/api/v1/agencies/{agency}/policies/{policy_id}/versions"
    programme = library.programme
    quizzed = set(library.quizzes_of(policy_id))
    current = programme.publication_on(policy_id, library.as_of)
    return {
        "policy_id": policy_id,
        "title": programme.title_of(policy_id),
        "in_force": None if current is None else current.number,
        "versions": [
            VersionOut(
                version_hash=v.version_hash,
                number=v.number,
                media_type=v.media_type,
                size=v.size,
                recorded_at=None if v.uploaded_at is None else v.uploaded_at.isoformat(),
                has_quiz=v.version_hash in quizzed,
                document_href=f"{base}/{v.version_hash}/document",
            )
            for v in versions_of(programme, policy_id)
        ],
        "publications": [
            PublicationOut(
                number=p.number,
                version_hash=p.version_hash,
                effective_on=p.effective_on.isoformat(),
                editorial=p.editorial,
                reason=p.reason,
                recorded_at=None if p.recorded_at is None else p.recorded_at.isoformat(),
            )
            for p in programme.publications_of(policy_id)
        ],
        "assignments": [
            AssignmentOut(
                assignment_id=a.assignment_id,
                audience=list(a.audience),
                due_days=a.due_days,
                due_from=a.due_from,
                effective_on=a.effective_on.isoformat(),
            )
            for a in programme.assignments
            if a.policy_id == policy_id
        ],
    }


# Every read answers on both axes, as the other reads do (``api.http.routes.reads``): a
# version uploaded or published after known_at, or a quiz set after it, is not in the
# answer, and an officer is let through to what bound them on as_of as known then.
_AXES = (
    " Bitemporal: as_of (the day asked about; default the agency's day at known_at) and "
    "known_at (only what was recorded by then; default now); both stated in the answer."
)


def _library(
    request: Request, agency: str, as_of: date | None, known_at: str | None
) -> PolicyLibrary:
    return library_at(services(request).ledger, agency, as_of, parse_known_at(known_at))


@api_route(
    router,
    "GET",
    "/policies",
    LIBRARY,
    summary="The policy library: every policy with its versions, publications and "
    "assignments, and which versions have a quiz, as recorded at known_at",
    description=_AXES,
)
def library(
    request: Request,
    agency: str,
    as_of: AnswerableDay | None = AS_OF,
    known_at: str | None = KNOWN_AT,
) -> Library:
    found = _library(request, agency, as_of, known_at)
    return Library(
        agency=agency,
        as_of=found.as_of.isoformat(),
        known_at=found.known_at.isoformat(),
        policies=[PolicyOut(**_policy_out(agency, found, p)) for p in found.programme.policy_ids],
    )


@api_route(
    router,
    "GET",
    _POLICY,
    LIBRARY,
    summary="One policy: its versions, publications, assignments and each version's quiz "
    "(its correct choices shown to a coordinator only), as recorded at known_at",
    description=_AXES,
)
def policy_detail(
    request: Request,
    agency: str,
    policy_id: str,
    as_of: AnswerableDay | None = AS_OF,
    known_at: str | None = KNOWN_AT,
    found: Access = Depends(access),
) -> PolicyDetail:
    shown = _library(request, agency, as_of, known_at)
    if policy_id not in shown.programme.policy_ids:
        raise PolicyNotFoundError(
            f"agency {agency!r} had no policy {policy_id!r} at {shown.known_at.isoformat()}"
        )
    answers = _is_coordinator(found)
    return PolicyDetail(
        **_policy_out(agency, shown, policy_id),
        agency=agency,
        as_of=shown.as_of.isoformat(),
        known_at=shown.known_at.isoformat(),
        quizzes={h: _quiz_out(q, answers) for h, q in shown.quizzes_of(policy_id).items()},
    )


@dataclass(frozen=True)
class Readable:
    """A version the caller may read, in the library as it stood at ``known_at``."""

    shown: PolicyLibrary
    chosen: Version
    policy_id: str


def readable(
    request: Request,
    agency: str,
    policy_id: str,
    version: str,
    as_of: AnswerableDay | None = AS_OF,
    known_at: str | None = KNOWN_AT,
    found: Access = Depends(access),
) -> Readable:
    """The version a document or quiz route reads (its parameters are theirs)."""
    shown = _library(request, agency, as_of, known_at)
    return Readable(shown, _readable_version(request, found, policy_id, version, shown), policy_id)


def _readable_version(
    request: Request, found: Access, policy_id: str, version: str, shown: PolicyLibrary
) -> Version:
    """The version the caller may read in the library as known at ``known_at``, or 403
    (audited either way): any version then recorded for the agency-wide readers; for an
    officer, a version published by then of a policy that bound them on ``as_of`` as known
    then (an unknown policy, or one not yet recorded, is refused the same way, saying
    nothing of it)."""
    svc = services(request)
    ledger = svc.ledger
    assert found.principal is not None
    grants = [g for g in found.principal.grants if g.agency == found.agency]
    wide = any(g.role in AGENCY_WIDE for g in grants)
    chosen: Version | None = None
    try:
        chosen = resolve(shown, policy_id, version)
        if not wide:
            people = {g.employee_id for g in grants if g.employee_id}
            bound = any(
                person_policy(
                    ledger, found.agency, e, policy_id, as_of=shown.as_of, known_at=shown.known_at
                ).item
                is not None
                for e in people
            )
            chosen = chosen if bound and chosen.number is not None else None
    except NotFoundError:
        if wide:
            raise
        chosen = None
    svc.audit.append(
        at=svc.now(),
        actor=found.actor,
        action="read.policy",
        obj=f"agency:{found.agency}",
        agency=found.agency,
        source=request.client.host if request.client else "",
        outcome="denied" if chosen is None else "allowed",
    )
    if chosen is None:
        raise ApiError(403, "forbidden", "your roles do not allow this")
    return chosen


@api_route(
    router,
    "GET",
    f"{_VERSION}/document",
    BOUND,
    response_class=Response,
    responses={
        200: {
            "content": {t: {} for t in _DOCUMENT_TYPES},
            "description": "The version's exact bytes (checked against its SHA-256)",
        },
    },
    summary="Download a version's document as uploaded (an officer: the published versions "
    "of a policy that binds them), as recorded at known_at",
    description=_VERSION_REF + "." + _AXES + " The axes used are in the Muster-As-Of and "
    "Muster-Known-At headers.",
)
def document(request: Request, read: Readable = Depends(readable)) -> Response:
    shown, chosen = read.shown, read.chosen
    download = version_document(services(request).ledger, read.policy_id, chosen)
    headers = {**download.headers, "Muster-As-Of": shown.as_of.isoformat(),
               "Muster-Known-At": shown.known_at.isoformat()}  # fmt: skip
    return Response(download.content, media_type=download.media_type, headers=headers)


@api_route(
    router,
    "GET",
    f"{_VERSION}/quiz",
    BOUND,
    summary="A version's comprehension quiz to answer (its correct choices shown to a "
    "coordinator only), as set by known_at; 404 when it had none",
    description=_VERSION_REF + "." + _AXES,
)
def quiz(read: Readable = Depends(readable), found: Access = Depends(access)) -> QuizAnswer:
    shown, chosen, policy_id = read.shown, read.chosen, read.policy_id
    found_quiz = shown.quizzes_of(policy_id).get(chosen.version_hash)
    if found_quiz is None:
        raise PolicyNotFoundError(
            f"version {chosen.version_hash[:12]}… had no quiz at {shown.known_at.isoformat()}"
        )
    out = _quiz_out(found_quiz, _is_coordinator(found))
    return QuizAnswer(
        **out.model_dump(),
        policy_id=policy_id,
        version_hash=chosen.version_hash,
        number=chosen.number,
        as_of=shown.as_of.isoformat(),
        known_at=shown.known_at.isoformat(),
    )
