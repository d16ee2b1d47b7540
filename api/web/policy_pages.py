"""Policies in the browser (issue 17): the officer's acknowledgement page (the exact text of
the version in force, its SHA-256, the document to download, an Acknowledge button), the
coverage report of a policy version, and the policy library (version history, documents,
a diff between Markdown versions).

The acknowledgement page is behind the person-read policy (an officer their own record);
its button posts to the API's acknowledgement policy (the officer their own, a coordinator
one given on paper) with the session's CSRF token, and runs the same use case
(``Ledger.acknowledge_policy``) on the version hash the page showed: what is recorded is
what was read. The coverage report and the library are behind the agency-wide read (the
coordinator, command and the auditor) and carry the time-travel controls; neither has a
form that writes."""

from __future__ import annotations

import difflib
import itertools
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from markdown_it import MarkdownIt
from markupsafe import Markup

from api.http.policy import AGENCY_WIDE, READERS, Policy, Scope
from api.http.routes.credentials import ACKNOWLEDGE
from api.http.services import services
from api.http.write_route import COORDINATORS, agency_today
from api.web.base import principal_of, render, security_headers, web_route
from api.web.form_errors import FormErrors, sentence
from api.web.timetravel import time_travel
from ledger.account import Role
from ledger.agency import agency_id_for
from ledger.application import Ledger
from ledger.errors import LedgerError, NotFoundError, PolicyNotFoundError
from ledger.person import person_id_for
from ledger.policy_cases import CHANNELS
from projections.credentials.programme import PolicyUpload, Programme, Publication
from replay.asof import known_at_used, requested_instant
from replay.tracks import person_policy, policy_acknowledgements, policy_coverage, programme_at

__all__ = ["markdown_html", "router"]

router = APIRouter(tags=["web"])

_ACK = "/agencies/{agency}/people/{employee_id}/policies/{policy_id}"
_READ_OWN = Policy(Scope.PERSON, READERS, audit="read.policy", statuses=(404,))
_AGENCY_READ = Policy(Scope.AGENCY, AGENCY_WIDE, audit="read.policy", statuses=(404,))
_MARKDOWN = "text/markdown"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # CommonMark with raw HTML off: a tag in the document is shown as text. Images are off
    # too (the page loads nothing from elsewhere); links keep markdown-it's check, which
    # refuses javascript:, vbscript:, file: and data: targets.
    return MarkdownIt("commonmark", {"html": False}).disable("image")


def markdown_html(text: str, shift: int = 2) -> Markup:
    """The Markdown document as HTML, every tag in it escaped; its headings ``shift``
    levels down (its "# Title" under the page's own h1 and h2)."""
    parser = _parser()
    tokens = parser.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + shift)}"
    # markdown-it with html off escapes every tag and refuses unsafe links (tested).
    return Markup(parser.renderer.render(tokens, parser.options, {}))  # nosec B704


@dataclass(frozen=True)
class Version:
    """A policy version as the pages show it."""

    number: int | None  # None: uploaded, not published
    version_hash: str
    media_type: str
    size: int
    effective_on: date | None
    editorial: bool
    uploaded_at: datetime | None
    published_at: datetime | None

    @property
    def markdown(self) -> bool:
        return self.media_type == _MARKDOWN

    @property
    def extension(self) -> str:
        return "md" if self.markdown else "pdf"


def versions_of(programme: Programme, policy_id: str) -> list[Version]:
    """Every uploaded version, the published ones first in their order, then the others."""
    uploads: dict[str, PolicyUpload] = {}
    for upload in programme.uploads:
        if upload.policy_id == policy_id:
            uploads.setdefault(upload.version_hash, upload)
    found: list[Version] = []
    for p in programme.publications_of(policy_id):
        u = uploads.get(p.version_hash)
        found.append(
            Version(
                p.number,
                p.version_hash,
                u.media_type if u else "",
                u.size if u else 0,
                p.effective_on,
                p.editorial,
                u.recorded_at if u else None,
                p.recorded_at,
            )
        )
    published = {v.version_hash for v in found}
    for u in uploads.values():
        if u.version_hash not in published:
            found.append(
                Version(
                    None, u.version_hash, u.media_type, u.size, None, False, u.recorded_at, None
                )
            )
    return found


def _version(programme: Programme, policy_id: str, version_hash: str) -> Version:
    for v in versions_of(programme, policy_id):
        if v.version_hash == version_hash:
            return v
    raise PolicyNotFoundError(f"policy {policy_id!r} has no version {version_hash[:12]}…")


def _text(ledger: Ledger, version: Version) -> Markup | None:
    """The Markdown version's text as HTML (its bytes checked against its hash), or None
    for a PDF."""
    if not version.markdown:
        return None
    content = ledger.policy_blobs.get(version.version_hash)
    return markdown_html(content.decode("utf-8"))


def _document(ledger: Ledger, policy_id: str, version: Version) -> Response:
    """The version's exact bytes as a download (checked against its SHA-256)."""
    content = ledger.policy_blobs.get(version.version_hash)
    label = f"v{version.number}" if version.number else "unpublished"
    name = f"{policy_id}-{label}-{version.version_hash[:12]}.{version.extension}"
    return Response(
        content,
        media_type=version.media_type or "application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
            "ETag": f'"{version.version_hash}"',
        },
    )


def _may_acknowledge(request: Request, agency: str, employee_id: str) -> str:
    """'officer' (their own), 'coordinator' (one given on paper), or '' (no form)."""
    grants = principal_of(request).grants
    if any(
        g.role == Role.OFFICER and g.agency == agency and g.employee_id == employee_id
        for g in grants
    ):
        return "officer"
    if any(g.role in COORDINATORS and g.agency == agency for g in grants):
        return "coordinator"
    return ""


def _person_name(ledger: Ledger, agency: str, employee_id: str) -> str:
    view = ledger.get_person_by_id(person_id_for(agency_id_for(agency), employee_id))
    return f"{view.first_name} {view.last_name}".strip()


def _ack_page(
    request: Request,
    agency: str,
    employee_id: str,
    policy_id: str,
    *,
    errors: FormErrors | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    ledger = services(request).ledger
    seen = person_policy(ledger, agency, employee_id, policy_id)
    current = seen.current
    shown = None if current is None else _version(seen.programme, policy_id, current.version_hash)
    mine = [a for a in seen.acknowledgements if current and a.version_hash == current.version_hash]
    numbers = {p.version_hash: p.number for p in seen.programme.publications_of(policy_id)}
    history = [
        {
            "number": numbers.get(a.version_hash),
            "hash": a.version_hash,
            "on": a.on,
            "channel": a.channel.replace("_", " "),
        }
        for a in sorted(seen.acknowledgements, key=lambda a: a.on, reverse=True)
    ]
    who = _may_acknowledge(request, agency, employee_id)
    base = f"/agencies/{quote(agency, safe='')}/people/{quote(employee_id, safe='')}"
    context: dict[str, Any] = {
        "title": f"Policy: {seen.programme.title_of(policy_id) or policy_id}",
        "hide_travel": True,
        "agency": agency,
        "employee_id": employee_id,
        "name": _person_name(ledger, agency, employee_id),
        "policy_id": policy_id,
        "policy_title": seen.programme.title_of(policy_id) or policy_id,
        "as_of": seen.header["as_of"],
        "version": shown,
        "text": None if shown is None else _text(ledger, shown),
        "item": seen.item,
        "acknowledged_current": mine[0] if mine else None,
        "history": history,
        "who": who,
        "channels": CHANNELS,
        "errors": errors or FormErrors(),
        "typed": typed or {},
        "done": request.query_params.get("done", ""),
        "person_href": base,
        "document_href": (
            None
            if shown is None
            else f"{base}/policies/{quote(policy_id, safe='')}/document?"
            + urlencode({"version": shown.version_hash})
        ),
    }
    return render(request, "policy_acknowledge.html", context, status)


@web_route(router, "GET", _ACK, _READ_OWN)
def acknowledgement_page(
    request: Request, agency: str, employee_id: str, policy_id: str
) -> Response:
    return _ack_page(request, agency, employee_id, policy_id)


@web_route(router, "POST", _ACK, ACKNOWLEDGE)
def acknowledge(
    request: Request,
    agency: str,
    employee_id: str,
    policy_id: str,
    version_hash: str = Form("", max_length=64),
    channel: str = Form("online", max_length=20),
    on: str = Form("", max_length=40),
) -> Response:
    """Acknowledge the version the page showed (its hash), today (an officer online), or
    on a given day and channel (a coordinator, for one given on paper)."""
    ledger = services(request).ledger
    who = _may_acknowledge(request, agency, employee_id)
    typed = {"channel": channel, "on": on}
    errors = FormErrors()
    day = agency_today(ledger, agency)
    if who != "coordinator":
        channel = "online"  # an officer acknowledges on this page, today
    elif on.strip():
        try:
            day = date.fromisoformat(on.strip())
        except ValueError:
            errors.add("on", f"{on.strip()!r} is not a date: use YYYY-MM-DD, e.g. 2025-02-10.")
    if channel not in CHANNELS:
        errors.add("channel", f"Choose how it was acknowledged: {', '.join(CHANNELS)}.")
    if len(version_hash) != 64:
        errors.add("", "This page is out of date: reload it and read the version shown.")
    target = (
        f"/agencies/{quote(agency, safe='')}/people/{quote(employee_id, safe='')}"
        f"/policies/{quote(policy_id, safe='')}?done=1"
    )
    mine = person_policy(ledger, agency, employee_id, policy_id).acknowledgements
    if not errors and any(a.version_hash == version_hash for a in mine):
        # Sent twice (a double click, the back button): recorded once.
        return security_headers(RedirectResponse(target, 303))
    if not errors:
        uow = ledger.unit_of_work()
        try:
            ledger.acknowledge_policy(
                agency,
                employee_id,
                policy_id,
                version_hash,
                on=day,
                channel=channel,
                actor=principal_of(request).actor,
                uow=uow,
            )
        except NotFoundError as missing:
            errors.add("", sentence(str(missing)))
        except LedgerError as refused:
            text = str(refused)
            errors.add("on" if "date" in text and who == "coordinator" else "", sentence(text))
        else:
            uow.save()
            return security_headers(RedirectResponse(target, 303))
    return _ack_page(
        request, agency, employee_id, policy_id, errors=errors, typed=typed, status=422
    )


@web_route(router, "GET", f"{_ACK}/document", _READ_OWN)
def own_document(
    request: Request,
    agency: str,
    employee_id: str,
    policy_id: str,
    version: str = Query("", max_length=64),
) -> Response:
    """A published version's exact bytes, for the person the policy is shown to."""
    ledger = services(request).ledger
    programme = _programme_now(ledger, agency)
    found = _version(programme, policy_id, version)
    if found.number is None:  # an officer reads what was published, not a draft
        raise PolicyNotFoundError(f"policy {policy_id!r} has no published version {version[:12]}…")
    return _document(ledger, policy_id, found)


def _programme_now(ledger: Ledger, agency: str) -> Programme:
    return programme_at(
        ledger, agency, known_at_used(ledger, requested_instant(ledger, agency, None))
    )


def _programme_of(request: Request, agency: str) -> tuple[Programme, datetime]:
    travel = time_travel(request)
    ledger = services(request).ledger
    used = known_at_used(ledger, requested_instant(ledger, agency, travel.known_at))
    return programme_at(ledger, agency, used), used


# -- the coordinator's pages ---------------------------------------------------------------


def _names(ledger: Ledger, agency: str, employee_ids: list[str]) -> dict[str, str]:
    found = {}
    for employee_id in employee_ids:
        try:
            found[employee_id] = _person_name(ledger, agency, employee_id)
        except NotFoundError:
            found[employee_id] = ""
    return found


@web_route(router, "GET", "/agencies/{agency}/policies/{policy_id}/coverage", _AGENCY_READ)
def coverage_page(
    request: Request, agency: str, policy_id: str, version: str = Query("", max_length=64)
) -> Response:
    """Who the policy binds on ``as_of`` and whether each has acknowledged the version in
    force (or overdue, or still due), as the records stood at ``known_at``; and who had
    acknowledged exactly one version (``version``, default the one in force) by then."""
    travel = time_travel(request)
    ledger = services(request).ledger
    answer = policy_coverage(ledger, agency, policy_id, travel.as_of, travel.known_at)
    as_of = date.fromisoformat(answer["as_of"])
    known = datetime.fromisoformat(answer["known_at"])
    programme = programme_at(ledger, agency, known)
    published = programme.publications_of(policy_id)
    chosen: Publication | None = None
    if version.strip():
        chosen = next((p for p in published if str(p.number) == version.strip()), None)
        if chosen is None:
            numbers = ", ".join(str(p.number) for p in published) or "none"
            raise PolicyNotFoundError(
                f"policy {policy_id!r} has no published version {version.strip()!r} "
                f"(published: {numbers})"
            )
    elif answer["version"] is not None:
        chosen = next(p for p in published if p.number == answer["version"])
    people = answer["people"]
    exact: dict[str, Any] | None = None
    if chosen is not None:
        exact = policy_acknowledgements(ledger, agency, policy_id, chosen.number, as_of, known)
    exact_rows = [] if exact is None else exact["acknowledged"]
    ids = [p["employee_id"] for p in people] + [r["employee_id"] for r in exact_rows]
    names = _names(ledger, agency, list(dict.fromkeys(ids)))
    bound = {p["employee_id"] for p in people}
    for row in exact_rows:
        row["name"] = names.get(row["employee_id"], "")
        row["bound"] = row["employee_id"] in bound
    acknowledged = {r["employee_id"] for r in exact_rows}
    context: dict[str, Any] = {
        "title": f"Coverage: {answer['title'] or policy_id}",
        "agency": agency,
        "policy_id": policy_id,
        "answer": answer,
        "has": [p for p in people if p["status"] == "compliant"],
        "has_not": [p for p in people if p["status"] != "compliant"],
        "names": names,
        "counts": answer["counts"],
        "published": published,
        "chosen": chosen,
        "exact": exact_rows,
        "exact_missing": [p for p in people if p["employee_id"] not in acknowledged],
        "library_href": travel.link(f"/agencies/{quote(agency, safe='')}/policies"),
    }
    return render(request, "policy_coverage.html", context, travel=travel.showing(answer))


@web_route(router, "GET", "/agencies/{agency}/policies", _AGENCY_READ)
def library_page(request: Request, agency: str) -> Response:
    """Every policy: its versions (published and not), their SHA-256, documents, the
    diffs between consecutive Markdown versions, its assignments; as known at ``known_at``."""
    travel = time_travel(request)
    ledger = services(request).ledger
    programme, used = _programme_of(request, agency)
    as_of = travel.as_of or agency_today(ledger, agency)
    policies = []
    for policy_id in programme.policy_ids:
        versions = versions_of(programme, policy_id)
        current = programme.publication_on(policy_id, as_of)
        diffs = {}
        markdown = [v for v in versions if v.markdown]
        for before, after in itertools.pairwise(markdown):
            diffs[after.version_hash] = before.version_hash
        policies.append(
            {
                "policy_id": policy_id,
                "title": programme.title_of(policy_id),
                "versions": versions,
                "current": None if current is None else current.version_hash,
                "diffs": diffs,
                "assignments": [a for a in programme.assignments if a.policy_id == policy_id],
            }
        )
    return render(
        request,
        "policy_library.html",
        {"title": "Policy library", "agency": agency, "policies": policies},
        travel=travel.showing(as_of.isoformat(), used.isoformat()),
    )


@web_route(
    router,
    "GET",
    "/agencies/{agency}/policies/{policy_id}/versions/{version}/document",
    _AGENCY_READ,
)
def library_document(request: Request, agency: str, policy_id: str, version: str) -> Response:
    programme, _ = _programme_of(request, agency)
    return _document(services(request).ledger, policy_id, _version(programme, policy_id, version))


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "add", "del", "same", "hunk"
    text: str


def diff_lines(before: str, after: str) -> list[DiffLine]:
    """A unified diff of two texts by line (difflib), each line kept as text."""
    lines = []
    for raw in difflib.unified_diff(
        before.splitlines(), after.splitlines(), "before", "after", lineterm="", n=3
    ):
        if raw.startswith(("---", "+++")):
            continue
        kind = {"@": "hunk", "+": "add", "-": "del"}.get(raw[:1], "same")
        lines.append(DiffLine(kind, raw if kind == "hunk" else raw[1:]))
    return lines


@web_route(router, "GET", "/agencies/{agency}/policies/{policy_id}/diff", _AGENCY_READ)
def diff_page(
    request: Request,
    agency: str,
    policy_id: str,
    before: str = Query("", alias="from", max_length=64),
    after: str = Query("", alias="to", max_length=64),
) -> Response:
    ledger = services(request).ledger
    programme, _ = _programme_of(request, agency)
    old, new = _version(programme, policy_id, before), _version(programme, policy_id, after)
    if not (old.markdown and new.markdown):
        raise PolicyNotFoundError("only Markdown versions can be compared; a PDF is downloaded")
    texts = [ledger.policy_blobs.get(v.version_hash).decode("utf-8") for v in (old, new)]
    lines = diff_lines(texts[0], texts[1])
    return render(
        request,
        "policy_diff.html",
        {
            "title": f"Changes: {programme.title_of(policy_id) or policy_id}",
            "agency": agency,
            "policy_id": policy_id,
            "policy_title": programme.title_of(policy_id) or policy_id,
            "old": old,
            "new": new,
            "lines": lines,
            "added": sum(1 for line in lines if line.kind == "add"),
            "removed": sum(1 for line in lines if line.kind == "del"),
        },
    )
