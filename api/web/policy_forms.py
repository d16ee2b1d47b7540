"""The coordinator's policy forms (issue 17): upload a document version (PDF or
Markdown), publish a version from a date (editorial or not, with a reason), set a version's
comprehension quiz, and assign the policy to an audience with a due period.

Each form runs the use case the CLI and the API run (``Ledger.upload_policy``,
``publish_policy``, ``set_policy_quiz``, ``assign_policy``): the document's type is
checked by its content there, its size limit is the ledger's, a quiz is checked there.
Every POST carries the session's CSRF token; a refused form is shown again with each
message beside its field, and appends nothing (the unit of work is saved only when nothing
was refused). The library and coverage pages are ``api.web.policy_library_pages``."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from api.http.policy import Policy, Scope
from api.http.services import services
from api.http.write_route import COORDINATORS, agency_today
from api.web.base import principal_of, render, security_headers, web_route
from api.web.form_errors import FormErrors, field_of, parse_day, sentence
from api.web.programme import programme_now
from ledger.errors import LedgerError
from ledger.policy_cases import DUE_FROM, MAX_DOCUMENT_BYTES
from ledger.policy_quiz import MAX_CHOICES, MAX_QUESTIONS, Quiz
from replay.policy_versions import versions_of

__all__ = ["QUIZ_ROWS", "router"]

router = APIRouter(tags=["web"])

_POLICIES = "/agencies/{agency}/policies"
_MANAGE = "/agencies/{agency}/policies/{policy_id}/manage"
_PAGE = Policy(Scope.AGENCY, COORDINATORS, statuses=(404,))
_WRITE = Policy(Scope.AGENCY, COORDINATORS, statuses=(404, 409, 413))
# Question rows the quiz form starts with (more for a quiz that has more); "Add a question"
# shows one more, up to the ledger's own limit (MAX_QUESTIONS). An empty row is left out.
QUIZ_ROWS = 2
_ROW_FIELD = re.compile(r"^q([1-9]\d{0,3})_(?:text|choices|correct)$")
_SPLIT = re.compile(r"[\s,;]+")
_QUESTION = re.compile(r"^question (\d+)(?: choice)?\b")
_NOTICES = {
    "uploaded": "Uploaded: the version below is stored by the SHA-256 of its exact bytes.",
    "unchanged": "These exact bytes were already uploaded: nothing new was recorded.",
    "published": "Published.",
    "quiz": "The quiz is set: acknowledgements of that version are now scored by the ledger.",
    "assigned": "Assigned.",
}


def _policies(agency: str) -> str:
    return f"/agencies/{quote(agency, safe='')}/policies"


def _back(agency: str, policy_id: str, done: str, **extra: str) -> Response:
    query = urlencode({"done": done, **extra})
    target = f"{_policies(agency)}/{quote(policy_id, safe='')}/manage?{query}"
    return security_headers(RedirectResponse(target, 303))


def _run(
    errors: FormErrors, name_of: Callable[[LedgerError], str], action: Callable[[], Any]
) -> Any:
    """Run one write; a refusal is said beside its field. None when refused."""
    try:
        return action()
    except LedgerError as refused:
        errors.add(name_of(refused), sentence(str(refused)))
    return None


# -- upload ------------------------------------------------------------------------------


def _upload_page(
    request: Request,
    agency: str,
    *,
    errors: FormErrors | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    programme = programme_now(services(request).ledger, agency)
    query = request.query_params
    context: dict[str, Any] = {
        "title": "Upload a policy version",
        "hide_travel": True,
        "agency": agency,
        "errors": errors or FormErrors(),
        "typed": typed or {"policy_id": query.get("policy", ""), "title": query.get("title", "")},
        "known": [(p, programme.title_of(p)) for p in programme.policy_ids],
        "max_size": f"{MAX_DOCUMENT_BYTES / 1_000_000:g} MB",
        "library_href": _policies(agency),
    }
    return render(request, "policy_upload.html", context, status)


@web_route(router, "GET", f"{_POLICIES}/upload", _PAGE)
def upload_page(request: Request, agency: str) -> Response:
    return _upload_page(request, agency)


def _upload_field(refused: LedgerError) -> str:
    return field_of(refused, ("policy_id", "title", "document"), "") or "document"


@web_route(router, "POST", f"{_POLICIES}/upload", _WRITE)
def upload(
    request: Request,
    agency: str,
    policy_id: str = Form("", max_length=80),
    title: str = Form("", max_length=500),
    document: UploadFile | None = File(None),
) -> Response:
    typed = {"policy_id": policy_id, "title": title}
    errors = FormErrors()
    if not policy_id.strip():
        errors.add("policy_id", "Enter the policy's id, e.g. use-of-force.")
    if not title.strip():
        errors.add("title", "Enter the policy's title, e.g. Use of force.")
    content = b""
    if document is None or not document.filename:
        errors.add("document", "Choose the document: a PDF or a Markdown file.")
    else:
        content = document.file.read(MAX_DOCUMENT_BYTES + 1)  # one past the limit is refused
    if not errors:
        ledger = services(request).ledger
        uow = ledger.unit_of_work()
        actor = principal_of(request).actor
        found = _run(
            errors,
            _upload_field,
            lambda: ledger.upload_policy(
                agency, policy_id.strip(), content, title=title, actor=actor, uow=uow
            ),
        )
        if found is not None:
            uow.save()
            digest, new = found
            return _back(agency, policy_id.strip(), "uploaded" if new else "unchanged",
                         version=digest)  # fmt: skip
    status = 413 if "at most" in errors.get("document") else 422
    return _upload_page(request, agency, errors=errors, typed=typed, status=status)


# -- the policy's page: publish, quiz, assign --------------------------------------------


def _manage_page(
    request: Request,
    agency: str,
    policy_id: str,
    *,
    errors: FormErrors | None = None,
    form: str = "",
    typed: dict[str, str] | None = None,
    status: int = 200,
    quiz_rows: int = 0,
    quiz_added: int = 0,
) -> Response:
    ledger = services(request).ledger
    programme = programme_now(ledger, agency)
    quizzes = ledger.policy_quizzes(agency, policy_id)  # refuses an unknown policy
    versions = versions_of(programme, policy_id)
    today = agency_today(ledger, agency)
    query = request.query_params
    chosen = query.get("version", "")
    # The quiz form starts from the quiz of the latest version that has one (edit and set
    # again), or empty.
    shown = next((v for v in reversed(versions) if v.version_hash in quizzes), None)
    if shown is not None and not chosen:
        chosen = shown.version_hash
    quiz_typed = {} if shown is None or form == "quiz" else _typed_quiz(quizzes[shown.version_hash])
    source = (typed or {}) if form == "quiz" else quiz_typed
    # One row per question typed or set (a crafted form's rows past the limit are refused
    # by the ledger and not shown), at least QUIZ_ROWS.
    rows = min(MAX_QUESTIONS, max(QUIZ_ROWS, quiz_rows, *_row_numbers(source)))
    context: dict[str, Any] = {
        "title": f"Manage: {programme.title_of(policy_id) or policy_id}",
        "hide_travel": True,
        "agency": agency,
        "policy_id": policy_id,
        "policy_title": programme.title_of(policy_id) or policy_id,
        "versions": versions,
        "unpublished": [v for v in versions if v.number is None],
        "quizzes": quizzes,
        "assignments": [a for a in programme.assignments if a.policy_id == policy_id],
        "errors": errors or FormErrors(),
        "form": form,
        "typed": typed or {},
        "today": today.isoformat(),
        "chosen": chosen,
        "due_from": DUE_FROM,
        "quiz_rows": list(range(1, rows + 1)),
        "quiz_typed": quiz_typed,
        "quiz_added": quiz_added,
        "max_choices": MAX_CHOICES,
        "max_questions": MAX_QUESTIONS,
        "notice": _NOTICES.get(query.get("done", ""), ""),
        "notice_hash": query.get("version", "")
        if query.get("done") in ("uploaded", "unchanged")
        else "",
        "library_href": _policies(agency),
        "upload_href": f"{_policies(agency)}/upload?"
        + urlencode({"policy": policy_id, "title": programme.title_of(policy_id)}),
        "coverage_href": f"{_policies(agency)}/{quote(policy_id, safe='')}/coverage",
    }
    return render(request, "policy_manage.html", context, status)


def _row_numbers(fields: dict[str, str]) -> list[int]:
    """The question rows named in the form's fields (``q3_text`` is row 3)."""
    return sorted({int(m.group(1)) for k in fields if (m := _ROW_FIELD.match(k))})


def _typed_quiz(quiz: Quiz) -> dict[str, str]:
    """A quiz as the form's fields, one row per question (the ledger caps their number)."""
    typed = {"pass_mark": str(quiz.pass_mark)}
    for n, q in enumerate(quiz.questions, 1):
        typed |= {f"q{n}_text": q.text, f"q{n}_choices": "\n".join(q.choices),
                  f"q{n}_correct": str(q.correct)}  # fmt: skip
    return typed


@web_route(router, "GET", _MANAGE, _PAGE)
def manage_page(request: Request, agency: str, policy_id: str) -> Response:
    return _manage_page(request, agency, policy_id)


def _publish_field(refused: LedgerError) -> str:
    return field_of(refused, ("version", "editorial", "reason"), "effective_on") or "version"


@web_route(router, "POST", f"{_POLICIES}/{{policy_id}}/publish", _WRITE)
def publish(
    request: Request,
    agency: str,
    policy_id: str,
    version: str = Form("", max_length=64),
    effective_on: str = Form("", max_length=40),
    editorial: str = Form("", max_length=10),
    reason: str = Form("", max_length=600),
) -> Response:
    typed = {"version": version, "effective_on": effective_on, "editorial": editorial,
             "reason": reason}  # fmt: skip
    errors = FormErrors()
    if not version.strip():
        errors.add("version", "Choose the uploaded version to publish.")
    day = parse_day(errors, "effective_on", effective_on, "the day it is in force from")
    if editorial and not reason.strip():
        errors.add("reason", "Say why the change is editorial (wording only).")
    if not errors and day is not None:
        ledger = services(request).ledger
        uow = ledger.unit_of_work()
        actor = principal_of(request).actor
        number = _run(
            errors,
            _publish_field,
            lambda: ledger.publish_policy(
                agency, policy_id, version.strip(), effective_on=day, editorial=bool(editorial),
                reason=reason, actor=actor, uow=uow,
            ),
        )  # fmt: skip
        if number is not None:
            uow.save()
            return _back(agency, policy_id, "published")
    return _manage_page(
        request, agency, policy_id, errors=errors, form="publish", typed=typed, status=422
    )


async def _all_fields(request: Request) -> dict[str, str]:
    """Every text field of the posted form (the quiz form's rows are numbered)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str) and len(v) <= 5000}


_ALL_FIELDS = Depends(_all_fields)


def _quiz_data(errors: FormErrors, fields: dict[str, str]) -> dict[str, Any]:
    """The quiz as ``ledger.policy_quiz`` reads it, from the form's rows: an empty row is
    left out; a choice is a line of its row's choices."""
    questions = []
    for row in _row_numbers(fields):
        text = fields.get(f"q{row}_text", "").strip()
        choices = [c.strip() for c in fields.get(f"q{row}_choices", "").splitlines() if c.strip()]
        correct = fields.get(f"q{row}_correct", "").strip()
        if not (text or choices or correct):
            continue
        if not correct.isdigit():
            errors.add(f"q{row}_correct", "Enter the number of the correct choice, e.g. 2.")
        questions.append({"id": f"q{row}", "text": text, "choices": choices,
                          "correct": int(correct) if correct.isdigit() else 0})  # fmt: skip
    if not questions:
        errors.add("q1_text", "Write at least one question, its choices and the correct one.")
    return {"pass_mark": fields.get("pass_mark", "").strip(), "questions": questions}


def _quiz_field(rows: list[int]) -> Callable[[str], str]:
    """A ledger message's field: "question 2 …" is the form's second filled row."""

    def name_of(message: str) -> str:
        if message.startswith("pass_mark"):
            return "pass_mark"
        if message.startswith("questions:"):
            return "questions"
        found = _QUESTION.match(message)
        if found and 1 <= int(found.group(1)) <= len(rows):
            row = rows[int(found.group(1)) - 1]
            if "correct" in message:
                return f"q{row}_correct"
            return f"q{row}_choices" if "choice" in message else f"q{row}_text"
        return "version" if "version" in message else ""

    return name_of


@web_route(router, "POST", f"{_POLICIES}/{{policy_id}}/quiz", _WRITE)
def set_quiz(
    request: Request, agency: str, policy_id: str, fields: dict[str, str] = _ALL_FIELDS
) -> Response:
    typed = {k: fields.get(k, "") for k in fields if k not in ("csrf_token", "add", "rows")}
    shown = fields.get("rows", "").strip()
    rows = min(int(shown), MAX_QUESTIONS) if shown.isdigit() else QUIZ_ROWS
    if fields.get("add"):
        # "Add a question": the same form again with one more empty row; nothing is written.
        errors = FormErrors()
        if rows >= MAX_QUESTIONS:
            errors.add("questions", f"questions: a quiz has at most {MAX_QUESTIONS} questions.")
            return _manage_page(request, agency, policy_id, errors=errors, form="quiz",
                                typed=typed, status=422, quiz_rows=rows)  # fmt: skip
        return _manage_page(request, agency, policy_id, form="quiz", typed=typed,
                            quiz_rows=rows + 1, quiz_added=rows + 1)  # fmt: skip
    errors = FormErrors()
    version = fields.get("version", "").strip()
    if not version:
        errors.add("version", "Choose the version the quiz is for.")
    data = _quiz_data(errors, fields)
    filled = [int(q["id"][1:]) for q in data["questions"]]
    if not errors:
        ledger = services(request).ledger
        uow = ledger.unit_of_work()
        actor = principal_of(request).actor
        found = _run(
            errors,
            lambda refused: _quiz_field(filled)(str(refused)),
            lambda: ledger.set_policy_quiz(agency, policy_id, version, data, actor=actor, uow=uow),
        )
        if found is not None:
            uow.save()
            return _back(agency, policy_id, "quiz")
    return _manage_page(
        request, agency, policy_id, errors=errors, form="quiz", typed=typed, status=422,
        quiz_rows=rows,
    )  # fmt: skip


def _assign_field(refused: LedgerError) -> str:
    return field_of(refused, ("audience", "due_days", "due_from"), "effective_on")


@web_route(router, "POST", f"{_POLICIES}/{{policy_id}}/assign", _WRITE)
def assign(
    request: Request,
    agency: str,
    policy_id: str,
    audience: str = Form("", max_length=2000),
    due_days: str = Form("", max_length=20),
    due_from: str = Form("publication", max_length=20),
    effective_on: str = Form("", max_length=40),
) -> Response:
    typed = {"audience": audience, "due_days": due_days, "due_from": due_from,
             "effective_on": effective_on}  # fmt: skip
    errors = FormErrors()
    selectors = [s for s in _SPLIT.split(audience) if s]
    if not selectors:
        errors.add("audience", "Say who must acknowledge it, e.g. everyone or unit:Patrol.")
    days = due_days.strip()
    if not days.isdigit():
        errors.add("due_days", "Enter a whole number of days, e.g. 30.")
    day = parse_day(errors, "effective_on", effective_on, "the day it is assigned from")
    if not errors and day is not None:
        ledger = services(request).ledger
        uow = ledger.unit_of_work()
        actor = principal_of(request).actor
        found = _run(
            errors,
            _assign_field,
            lambda: ledger.assign_policy(
                agency, policy_id, audience=selectors, due_days=int(days), due_from=due_from,
                effective_on=day, actor=actor, uow=uow,
            ),
        )  # fmt: skip
        if found is not None:
            uow.save()
            return _back(agency, policy_id, "assigned")
    return _manage_page(
        request, agency, policy_id, errors=errors, form="assign", typed=typed, status=422
    )
