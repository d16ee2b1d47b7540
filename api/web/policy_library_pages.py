"""The coordinator's policy pages (issue 17): the coverage report of a policy version,
and the policy library (version history, documents, a diff between Markdown versions).
Behind the agency-wide read (coordinator, command, auditor), with the time-travel
controls; no form here writes (a coordinator's forms are ``api.web.policy_forms``, linked
from the library today)."""

from __future__ import annotations

import difflib
import itertools
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.http.policy import AGENCY_WIDE, Policy, Scope
from api.http.services import services
from api.http.write_route import COORDINATORS, agency_today
from api.web.base import principal_of, render, web_route
from api.web.policy_pages import person_name
from api.web.policy_versions import document_response
from api.web.programme import programme_of
from api.web.timetravel import time_travel
from ledger.application import Ledger
from ledger.errors import NotFoundError, PolicyNotFoundError
from projections.credentials.programme import Publication
from replay.policy_versions import version_of, versions_of
from replay.tracks import policy_acknowledgements, policy_coverage, programme_at

__all__ = ["diff_lines", "router"]

router = APIRouter(tags=["web"])

_AGENCY_READ = Policy(Scope.AGENCY, AGENCY_WIDE, audit="read.policy", statuses=(404,))


def _names(ledger: Ledger, agency: str, employee_ids: list[str]) -> dict[str, str]:
    found = {}
    for employee_id in employee_ids:
        try:
            found[employee_id] = person_name(ledger, agency, employee_id)
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
    programme, used = programme_of(request, agency)
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
    grants = principal_of(request).grants
    can_write = not travel.travelling and any(
        g.role in COORDINATORS and g.agency == agency for g in grants
    )
    return render(
        request,
        "policy_library.html",
        {
            "title": "Policy library",
            "agency": agency,
            "policies": policies,
            "can_write": can_write,
        },
        travel=travel.showing(as_of.isoformat(), used.isoformat()),
    )


@web_route(
    router,
    "GET",
    "/agencies/{agency}/policies/{policy_id}/versions/{version}/document",
    _AGENCY_READ,
)
def library_document(request: Request, agency: str, policy_id: str, version: str) -> Response:
    programme, _ = programme_of(request, agency)
    return document_response(
        services(request).ledger, policy_id, version_of(programme, policy_id, version)
    )


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
    programme, _ = programme_of(request, agency)
    old, new = version_of(programme, policy_id, before), version_of(programme, policy_id, after)
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
