"""Use cases of the agency's policies: upload a document version (its id the SHA-256 of its
bytes, stored content-addressed by ``ledger.blob_store``), publish it from a date, assign the
policy to an audience with a due period, and record a person's acknowledgement of one exact
version."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any
from uuid import UUID

from ledger import fields
from ledger.blob_store import POLICY_DOCUMENTS, Blob, BlobStore, open_blob_store
from ledger.credential_cases import score, selectors, slug_id
from ledger.errors import InvalidValueError, PolicyNotFoundError, QuizFailedError
from ledger.ledger_core import LedgerCore
from ledger.policy_quiz import Quiz, parse_quiz
from ledger.program_events import PolicyState
from ledger.unit_of_work import UnitOfWork

__all__ = [
    "CHANNELS",
    "DUE_FROM",
    "MAX_DOCUMENT_BYTES",
    "PolicyCases",
    "media_type_of",
    "version_of",
]

CHANNELS = ("in_person", "online", "paper")
DUE_FROM = ("publication", "assignment")
_QUIZ_ITEMS = 50
MAX_DOCUMENT_BYTES = POLICY_DOCUMENTS.max_bytes
_NOT_A_DOCUMENT = "a policy document must be a PDF or UTF-8 Markdown"


def media_type_of(content: bytes) -> str:
    """``application/pdf`` for a PDF (by its signature), ``text/markdown`` for UTF-8 text;
    an empty, oversized or other document is refused."""
    if not content:
        raise InvalidValueError("a policy document cannot be empty", field="document")
    if len(content) > MAX_DOCUMENT_BYTES:
        raise InvalidValueError(
            f"a policy document is at most {MAX_DOCUMENT_BYTES} bytes", field="document"
        )
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidValueError(_NOT_A_DOCUMENT, field="document") from None
    if "\x00" in text:
        raise InvalidValueError(_NOT_A_DOCUMENT, field="document")
    return "text/markdown"


def version_of(policy_id: str, policy: PolicyState, version: str | int) -> str:
    """The version hash a reference names: a published number (``3``), or a hash (or its
    unambiguous prefix of at least 8 digits) of an uploaded version."""
    text = str(version).strip().lower()
    if text.isdigit():
        number = int(text)
        if not 1 <= number <= len(policy.published):
            raise PolicyNotFoundError(
                f"policy {policy_id!r} has {len(policy.published)} published versions, no "
                f"{number} (an unpublished version is named by the hash upload printed)"
            )
        return policy.published[number - 1]
    matches = [h for h in policy.uploaded if len(text) >= 8 and h.startswith(text)]
    if len(matches) != 1:
        raise PolicyNotFoundError(f"policy {policy_id!r} has no single version {text!r}")
    return matches[0]


class PolicyCases(LedgerCore):
    """Policy use cases of ``Ledger``, in primitives, with typed errors."""

    @cached_property
    def policy_blobs(self) -> BlobStore:
        datastore = getattr(self.recorder, "datastore", None)
        return open_blob_store(POLICY_DOCUMENTS, self.database, datastore)

    def upload_policy(
        self,
        agency: str,
        policy_id: str,
        content: bytes,
        *,
        title: str,
        actor: str,
        uow: UnitOfWork | None = None,
    ) -> tuple[str, bool]:
        """Store the document and record its upload; its version hash, and False when these
        exact bytes were already uploaded for the policy (nothing recorded)."""
        policy_id = slug_id("policy", policy_id, field="policy_id")
        title = fields.text("title", title, required=True)
        now = self.clock()
        with self._using(uow) as u:
            owner = u.agency(agency)
            blob = Blob.of(content, media_type_of(content))
            self.policy_blobs.put(blob)
            digest, media_type = blob.sha256, blob.media_type
            new = owner.upload_policy_version(
                at=now,
                actor=actor,
                policy_id=policy_id,
                title=title,
                version_hash=digest,
                media_type=media_type,
                size=len(content),
            )
        return digest, new

    def publish_policy(
        self,
        agency: str,
        policy_id: str,
        version: str,
        *,
        effective_on: date,
        actor: str,
        editorial: bool = False,
        reason: str = "",
        uow: UnitOfWork | None = None,
    ) -> int:
        """Publish an uploaded version from ``effective_on``; its number. ``reason``: an
        optional note kept with the publication (why it changed, why it is editorial)."""
        reason = fields.text("reason", reason, limit=500)
        now = self.clock()
        with self._using(uow) as u:
            owner = u.agency(agency)
            digest = version_of(policy_id, owner.policy(policy_id), version)
            self.policy_blobs.get(digest)  # refuses a document altered since its upload
            return owner.publish_policy(
                at=now,
                actor=actor,
                policy_id=policy_id,
                version_hash=digest,
                effective_on=effective_on,
                editorial=editorial,
                reason=reason,
            )

    def set_policy_quiz(
        self,
        agency: str,
        policy_id: str,
        version: str | int,
        quiz: Mapping[str, Any],
        *,
        actor: str,
        uow: UnitOfWork | None = None,
    ) -> tuple[str, bool]:
        """Attach a comprehension quiz (``ledger.policy_quiz``) to an uploaded version;
        acknowledgements of it from now on are scored by the ledger and refused below the
        pass mark. Its hash, and False when this very quiz was already set."""
        parsed = parse_quiz(quiz)
        now = self.clock()
        with self._using(uow) as u:
            owner = u.agency(agency)
            digest = version_of(policy_id, owner.policy(policy_id), version)
            new = owner.set_policy_quiz(
                at=now, actor=actor, policy_id=policy_id, version_hash=digest,
                quiz=parsed.as_data(),
            )  # fmt: skip
        return digest, new

    def policy_quiz(self, agency: str, policy_id: str, version: str | int) -> Quiz | None:
        """The quiz set on the version now (None: acknowledged without one)."""
        policy = UnitOfWork(self).agency(agency).policy(policy_id)
        data = policy.quizzes.get(version_of(policy_id, policy, version))
        return None if data is None else parse_quiz(data)

    def policy_quizzes(self, agency: str, policy_id: str) -> dict[str, Quiz]:
        """The quiz of each version that has one now, by version hash."""
        policy = UnitOfWork(self).agency(agency).policy(policy_id)
        return {digest: parse_quiz(data) for digest, data in policy.quizzes.items()}

    def assign_policy(
        self,
        agency: str,
        policy_id: str,
        *,
        audience: Sequence[str],
        due_days: int,
        effective_on: date,
        actor: str,
        due_from: str = "publication",
        uow: UnitOfWork | None = None,
    ) -> UUID:
        if isinstance(due_days, bool) or not isinstance(due_days, int) or not 0 <= due_days <= 3660:
            raise InvalidValueError(
                f"due_days {due_days!r}: expected a whole number 0-3660", field="due_days"
            )
        if due_from not in DUE_FROM:
            raise InvalidValueError(
                f"due_from {due_from!r}: expected one of {', '.join(DUE_FROM)}", field="due_from"
            )
        parsed = selectors("audience", audience)
        now = self.clock()
        assignment_id = uuid.uuid4()
        with self._using(uow) as u:
            u.agency(agency).assign_policy(
                at=now,
                actor=actor,
                policy_id=policy_id,
                assignment_id=assignment_id,
                audience=parsed,
                due_days=due_days,
                due_from=due_from,
                effective_on=effective_on,
            )
        return assignment_id

    def acknowledge_policy(
        self,
        agency: str,
        employee_id: str,
        policy_id: str,
        version: str | int,
        *,
        on: date,
        channel: str,
        actor: str,
        quiz_answers: Mapping[str, str] | None = None,
        quiz_score: Decimal | str | int | None = None,
        uow: UnitOfWork | None = None,
    ) -> str:
        """Record that the person acknowledged this exact published version on ``on``; its
        hash. The document is read (and its hash checked) first: nobody acknowledges bytes
        the ledger can no longer show. ``on`` may be before the upload (an acknowledgement
        on paper entered later); the event's recorded time says when the ledger learned it.

        When the version has a quiz (``set_policy_quiz``) the ledger scores the answers
        itself: every question must be answered, a ``quiz_score`` given that differs from
        the ledger's is refused, and so is a score below the pass mark (``QuizFailedError``;
        nothing is recorded). Without a quiz, answers and score are stored as given."""
        if channel not in CHANNELS:
            raise InvalidValueError(f"channel {channel!r}: expected one of {', '.join(CHANNELS)}")
        answers = {
            fields.text("quiz question", str(q), required=True, limit=80): fields.text(
                "quiz answer", str(a), limit=500
            )
            for q, a in (quiz_answers or {}).items()
        }
        if len(answers) > _QUIZ_ITEMS:
            raise InvalidValueError(f"a quiz has at most {_QUIZ_ITEMS} answers")
        parsed_score = score("quiz_score", quiz_score, Decimal(100))
        now = self._now_and_check(on, "acknowledgement date")
        with self._using(uow) as u:
            policy = u.agency(agency).policy(policy_id)
            digest = version_of(policy_id, policy, version)
            if digest not in policy.published:
                raise InvalidValueError(f"version {digest[:12]}… of {policy_id!r} is not published")
            quiz_data = policy.quizzes.get(digest)
            if quiz_data is not None:
                answers, parsed_score = _scored(parse_quiz(quiz_data), answers, parsed_score)
            self.policy_blobs.get(digest)
            u.person(agency, employee_id).acknowledge_policy(
                at=now,
                actor=actor,
                policy_id=policy_id,
                version_hash=digest,
                on=on,
                channel=channel,
                quiz_answers=dict(sorted(answers.items())),
                quiz_score=parsed_score,
            )
        return digest


def _scored(
    quiz: Quiz, answers: dict[str, str], given: Decimal | None
) -> tuple[dict[str, str], Decimal]:
    chosen, marked = quiz.mark(answers)
    if given is not None and given != marked:
        raise InvalidValueError(
            f"quiz_score {given}: the answers score {marked}; the ledger scores the quiz "
            "itself (leave the score out)"
        )
    if marked < quiz.pass_mark:
        raise QuizFailedError(
            f"quiz_answers: {marked}% correct, below the pass mark of {quiz.pass_mark}%: "
            "nothing was recorded; read the policy again and retry"
        )
    return chosen, marked
