"""Authorization (issue 15, acceptance 2): every route declares a policy, and the matrix
of every route, every role and objects of the caller, another officer of the same unit,
another unit and another agency has 0 unexpected allows and 0 unexpected denials.

The expectations are written here from the issue's role definitions (§4), not read off
``api.http.policy``: officer (own records only), supervisor (their unit, read),
coordinator (everything in the agency, write), command (agency read), auditor (read-only,
agency), admin (accounts, no records)."""

from __future__ import annotations

from uuid import uuid4

import pytest
from fastapi.routing import APIRoute

from api.http.app import ROUTERS, create_app
from api.web import web_routers
from tests.http.conftest import AGENCY, OTHER_AGENCY, World

# target -> (agency, employee id): the officer1 account's own record, a colleague in
# the same unit (Patrol), someone in another unit (Traffic), someone in another agency.
TARGETS = {
    "own": (AGENCY, "E1"),
    "same_unit": (AGENCY, "E2"),
    "other_unit": (AGENCY, "E3"),
    "other_agency": (OTHER_AGENCY, "S1"),
}
MPLS_PEOPLE = {"own", "same_unit", "other_unit"}
ROLES = [
    "anonymous",
    "nobody",
    "officer1",
    "supervisor",
    "coordinator",
    "command",
    "auditor",
    "admin",
    "other-coordinator",
]

_RECORD = str(uuid4())  # no such record: an allowed correction or void answers 404
_WRITE = {"course_title": "Matrix", "hours": "1", "completed_on": "2025-02-01"}
# route template -> (method, body, kind)
ROUTES: dict[str, tuple[str, dict[str, object] | None, str]] = {
    "/api/v1/agencies/{agency}/people/{employee_id}/status": ("GET", None, "read_person"),
    "/api/v1/agencies/{agency}/people/{employee_id}/history": ("GET", None, "read_person"),
    "/api/v1/agencies/{agency}/people/{employee_id}/training": ("POST", _WRITE, "write_person"),
    "/api/v1/agencies/{agency}/people/{employee_id}/training/{record_id}/corrections": (
        "POST",
        {"reason": "typo", "hours": "2"},
        "write_person",
    ),
    "/api/v1/agencies/{agency}/people/{employee_id}/training/{record_id}/void": (
        "POST",
        {"reason": "entered twice"},
        "write_person",
    ),
    "/api/v1/agencies/{agency}/people/{employee_id}/leave": ("POST", {}, "write_person"),
    "/api/v1/agencies/{agency}/people/{employee_id}/return": ("POST", {}, "write_person"),
    "/api/v1/agencies/{agency}/people/{employee_id}/separation": ("POST", {}, "write_person"),
    "/api/v1/agencies/{agency}/people/{employee_id}/reinstatement": ("POST", {}, "write_person"),
    "/api/v1/agencies/{agency}/roster": ("GET", None, "read_agency"),
    "/api/v1/agencies/{agency}/rules": ("GET", None, "member"),
    "/api/v1/agencies/{agency}/audit": ("GET", None, "audit"),
    "/api/v1/agencies/{agency}/training/classes": (
        "POST",
        {**_WRITE, "employee_ids": ["__target__"]},
        "write_agency",
    ),
    "/api/v1/agencies/{agency}/people/{employee_id}/training-requests#request": (
        "POST",
        None,  # multipart (``__certificate__`` below)
        "request_own",
    ),
    "/api/v1/agencies/{agency}/people/{employee_id}/training-requests": (
        "GET",
        None,
        "read_person",
    ),
    "/api/v1/agencies/{agency}/people/{employee_id}/training-requests/{request_id}/approval": (
        "POST",
        {},
        "write_person",
    ),
    "/api/v1/agencies/{agency}/people/{employee_id}/training-requests/{request_id}/rejection": (
        "POST",
        {"reason": "matrix"},
        "write_person",
    ),
    "/api/v1/agencies/{agency}/people/{employee_id}/training-requests/{request_id}/certificate": (
        "GET",
        None,
        "read_person",
    ),
    "/api/v1/agencies/{agency}/training-requests": ("GET", None, "queue"),
    "/api/v1/me": ("GET", None, "self"),
    "/api/v1/me/notices": ("GET", None, "self"),
    # No such notice: an allowed caller is answered 404, as for someone else's notice.
    "/api/v1/me/notices/{notice_id}/acknowledgement": ("POST", {}, "self"),
    "/api/v1/session/tokens": ("GET", None, "self"),
    "/api/v1/session/tokens/{token_id}": ("DELETE", None, "self"),
    "/api/v1/session": ("POST", {"username": "x", "password": "y"}, "public"),
    # Allowed callers are refused by the body (a weak new password, an empty password,
    # no enrolment waiting), so the matrix changes no secret and counts no failure.
    "/api/v1/me/password": ("POST", {"current_password": "x", "new_password": "short"}, "self"),
    "/api/v1/me/totp": ("POST", {"password": ""}, "self"),
    "/api/v1/me/totp/confirmation": ("POST", {"code": "000000"}, "self"),
    "/api/v1/accounts/{username}/tokens": ("GET", None, "accounts"),
    "/api/v1/accounts/{username}/tokens/{token_id}": ("DELETE", None, "accounts"),
    "/api/v1/accounts/{username}/totp": ("POST", None, "accounts"),
    "/api/v1/accounts/{username}/totp#reset": ("DELETE", None, "accounts"),
    # A weak password: an allowed admin is refused by the body; the spare account's
    # secrets are the only ones erased (it signs in nowhere in the matrix).
    "/api/v1/accounts/{username}/password": ("PUT", {"password": "short"}, "accounts"),
    "/api/v1/accounts/{username}/secrets": ("DELETE", None, "accounts"),
    "/healthz": ("GET", None, "public"),
    "/api/v1/accounts": ("GET", None, "accounts"),
    "/api/v1/accounts#open": (
        "POST",
        {"username": "__new__", "display_name": "New", "password": "a long enough password"},
        "accounts",
    ),
    "/api/v1/accounts/{username}/grants": (
        "POST",
        {"role": "command", "agency": "__agency__"},
        "accounts",
    ),
    "/api/v1/accounts/{username}/grants/{grant_id}/revocation": (
        "POST",
        {"reason": "matrix"},
        "accounts",
    ),
    "/readyz": ("GET", None, "public"),
    "/api/v1/agencies/{agency}/people/{employee_id}/packet": ("GET", None, "export_person"),
    "/api/v1/agencies/{agency}/packet": ("GET", None, "export_agency"),
    "/api/v1/agencies/{agency}/digest": ("GET", None, "export_agency"),
    "/api/v1/packets/verification": ("POST", {"packet": "bm90IGEgemlw"}, "self"),
    "/api/v1/agencies": ("GET", None, "self"),
    "/api/v1/agencies/{agency}": ("GET", None, "member"),
    "/api/v1/agencies/{agency}/units/{unit}/roster": ("GET", None, "read_unit"),
    "/api/v1/agencies/{agency}/trend": ("GET", None, "read_agency"),
    "/api/v1/agencies/{agency}/ledger/verify": ("GET", None, "read_agency"),
    "/api/v1/agencies/{agency}/people": (
        "POST",
        {"employee_id": "__new__", "first_name": "N", "last_name": "M", "hired_on": "2024-01-02"},
        "write_agency",
    ),
    "/api/v1/agencies/{agency}/people/{employee_id}/assignment": (
        "POST",
        {"rank": "Officer", "unit": "__unit__"},
        "write_person",
    ),
    "/api/v1/agencies/{agency}/people/{employee_id}/licence": (
        "POST",
        {"license_number": "L-9", "period_end": "2027-06-30"},
        "write_person",
    ),
    "/api/v1/agencies/{agency}/people/{employee_id}/certification": ("POST", {}, "write_person"),
    "/api/v1/agencies/{agency}/people/{employee_id}/exemptions": (
        "POST",
        {"kind": "medical_leave", "starts_on": "2025-01-01", "reason": "r", "approver": "a"},
        "write_person",
    ),
    "/api/v1/agencies/{agency}/people/{employee_id}/waivers": (
        "POST",
        {"starts_on": "2025-01-01", "ends_on": "2025-02-01", "reason": "r", "approver": "a"},
        "write_person",
    ),
    "/api/v1/agencies/{agency}/people/{employee_id}/extensions": (
        "POST",
        {"new_deadline": "2026-09-30", "reason": "r", "approver": "a"},
        "write_person",
    ),
    "/api/v1/agencies/{agency}/people/{employee_id}/exemptions/{relief_id}/end": (
        "POST",
        {"reason": "r"},
        "write_person",
    ),
    "/api/v1/agencies/{agency}/people/{employee_id}/waivers/{relief_id}/end": (
        "POST",
        {"reason": "r"},
        "write_person",
    ),
    "/api/v1/agencies/{agency}/people/{employee_id}/extensions/{relief_id}/end": (
        "POST",
        {"reason": "r"},
        "write_person",
    ),
    "/api/v1/agencies/{agency}/people/{employee_id}/tracks": ("GET", None, "read_person"),
    "/api/v1/agencies/{agency}/people/{employee_id}/qualifications": (
        "POST",
        {"credential_type": "firearms", "result": "pass", "instructor": "Sgt"},
        "write_person",
    ),
    "/api/v1/agencies/{agency}/people/{employee_id}/credentials": (
        "POST",
        {"credential_type": "cpr"},
        "write_person",
    ),
    "/api/v1/agencies/{agency}/people/{employee_id}/policy-acknowledgements": (
        "POST",
        {"policy_id": "use-of-force", "version": "1"},
        "acknowledge",
    ),
    "/api/v1/agencies/{agency}/policies/{policy_id}/assignments": (
        "POST",
        {"audience": ["everyone"], "due_days": 30},
        "write_agency",
    ),
    "/api/v1/agencies/{agency}/credential-types": ("GET", None, "read_agency"),
    # A body the route refuses (an unknown earned_by) once the guard lets the caller in.
    "/api/v1/agencies/{agency}/credential-types#define": (
        "POST",
        {
            "type_id": "matrix",
            "name": "M",
            "holders": ["everyone"],
            "earned_by": "x",
            "validity": "months",
        },
        "write_agency",
    ),
    "/api/v1/agencies/{agency}/credential-types/{type_id}/versions": (
        "POST",
        {
            "name": "M",
            "holders": ["everyone"],
            "earned_by": "x",
            "validity": "months",
            "reason": "r",
        },
        "write_agency",
    ),
    "/api/v1/agencies/{agency}/policies/{policy_id}/coverage": ("GET", None, "read_agency"),
    "/api/v1/agencies/{agency}/policies/{policy_id}/versions/{version}/acknowledgements": (
        "GET",
        None,
        "read_agency",
    ),
    # The policy library (issue 17 §4). The writes' bodies are refused by the use case for
    # an allowed coordinator (an empty document, no such policy, no type 'matrix'), so the matrix
    # writes nothing; an officer reads a version's document or quiz only where the policy
    # binds them, and none does here (the policy does not exist: refused, saying nothing).
    "/api/v1/agencies/{agency}/policies": ("GET", None, "read_agency"),
    "/api/v1/agencies/{agency}/policies/{policy_id}": ("GET", None, "read_agency"),
    "/api/v1/agencies/{agency}/policies/{policy_id}/versions": (
        "POST",
        None,  # multipart (``__document__`` below)
        "write_agency",
    ),
    "/api/v1/agencies/{agency}/policies/{policy_id}/publications": (
        "POST",
        {"version": "0" * 64},
        "write_agency",
    ),
    "/api/v1/agencies/{agency}/policies/{policy_id}/versions/{version}/quiz": (
        "PUT",
        {
            "pass_mark": 50,
            "questions": [{"text": "Which?", "choices": ["This", "That"], "correct": 1}],
        },
        "write_agency",
    ),
    "/api/v1/agencies/{agency}/policies/{policy_id}/versions/{version}/quiz#read": (
        "GET",
        None,
        "read_bound",
    ),
    "/api/v1/agencies/{agency}/policies/{policy_id}/versions/{version}/document": (
        "GET",
        None,
        "read_bound",
    ),
    "/api/v1/agencies/{agency}/credential-types/{type_id}/retirement": (
        "POST",
        {"reason": "matrix"},
        "write_agency",
    ),
    "/api/v1/agencies/{agency}/imports/{kind}/dry-run": (
        "POST",
        None,  # multipart (``__import__`` below)
        "write_agency",
    ),
    # No dry run kept these bytes: an allowed coordinator is answered 422 not_staged.
    "/api/v1/agencies/{agency}/imports/{kind}/commit": (
        "POST",
        {"file_sha256": "0" * 64},
        "write_agency",
    ),
}
# target -> the unit path parameter: the target's unit
UNITS = {"own": "Patrol", "same_unit": "Patrol", "other_unit": "Traffic", "other_agency": "Patrol"}


def expected(role: str, kind: str, target: str) -> bool:
    """Whether ``role`` may do a ``kind`` of thing to ``target``, from the issue's text."""
    if kind == "public":
        return True
    if role == "anonymous":
        return False
    if kind == "self":
        return True
    if kind == "accounts":
        return role == "admin"  # accounts only, whatever the target
    in_mpls = target in MPLS_PEOPLE
    home = {"other-coordinator": not in_mpls}.get(role, in_mpls)
    if role in {"nobody", "admin"} or not home:
        return False
    if kind == "read_person":
        return (
            role in {"coordinator", "command", "auditor", "other-coordinator"}
            or (role == "officer1" and target == "own")
            or (role == "supervisor" and target in {"own", "same_unit"})
        )
    if kind == "read_unit":  # a supervisor their own unit; never an officer
        return role in {"coordinator", "command", "auditor", "other-coordinator"} or (
            role == "supervisor" and target in {"own", "same_unit"}
        )
    if kind == "read_agency":
        return role in {"coordinator", "command", "auditor", "other-coordinator"}
    if kind == "member":
        return True  # any grant in the agency may read which rules bind it
    if kind in {"export_person", "export_agency"}:
        # Packets and the digest are exports: the coordinator and the auditor (issue 19's
        # records custodian and the reviewer), not command, nor an officer of their own.
        return role in {"coordinator", "auditor", "other-coordinator"}
    if kind == "request_own":
        return role == "officer1" and target == "own"  # officers ask for their own only
    if kind == "acknowledge":  # an officer their own; a coordinator one given on paper
        return role in {"coordinator", "other-coordinator"} or (
            role == "officer1" and target == "own"
        )
    if kind == "read_bound":  # agency-wide; an officer only what binds them (nothing here)
        return role in {"coordinator", "command", "auditor", "other-coordinator"}
    if kind in {"write_person", "write_agency", "audit", "queue"}:
        return role in {"coordinator", "other-coordinator"}
    raise AssertionError(kind)


def test_every_route_declares_a_policy() -> None:
    """A route without ``api_route`` (so without a guard and a declared policy) fails;
    and the app serves no operation outside the routers checked here."""
    routes = [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]
    assert routes
    missing = [r.path for r in routes if "x-muster-policy" not in (r.openapi_extra or {})]
    assert missing == []
    unguarded = [r.path for r in routes if not any(d.dependency for d in r.dependencies)]
    assert unguarded == []
    served = create_app().openapi()["paths"]
    assert set(served) == {r.path for r in routes}
    # ... and the matrix below covers every route there is.
    assert {r.path for r in routes} == {t.split("#")[0] for t in ROUTES}
    # The dashboard's pages (not in the API's document) are guarded the same way; their
    # matrix of pages by roles is tests/web/test_web_session.py.
    pages = [r for router in web_routers() for r in router.routes if isinstance(r, APIRoute)]
    assert pages
    assert [r.path for r in pages if "x-muster-policy" not in (r.openapi_extra or {})] == []
    assert [r.path for r in pages if not r.dependencies] == []


def test_the_openapi_document_states_every_policy(world: World) -> None:
    document = world.client.get("/api/v1/openapi.json").json()
    operations = [op for path in document["paths"].values() for op in path.values()]
    assert len(operations) == len(ROUTES)
    assert all("x-muster-policy" in op for op in operations)
    assert "ErrorBody" in document["components"]["schemas"]


def _denied(world: World, role: str, template: str, target: str) -> bool:
    """Whether the guard refused: 403, or 401 for want of a token (a public login's
    wrong password is a 401 too, but ``bad_credentials``)."""
    method, body, kind = ROUTES[template]
    agency, employee_id = TARGETS[target]
    path = (
        template.replace("{agency}", agency)
        .replace("{employee_id}", employee_id)
        .replace("{record_id}", _RECORD)
        .replace("{request_id}", _RECORD)
        .replace("{grant_id}", _RECORD)
        .replace("{token_id}", "0000")
        .replace("{relief_id}", _RECORD)
        .replace("{notice_id}", _RECORD)
        .replace("{unit}", UNITS[target])
        .replace("{policy_id}", "use-of-force")
        .replace("{type_id}", "matrix")
        .replace("{version}", "1")
        .replace("{kind}", "training")
    )
    path = path.replace("{username}", "spare").split("#")[0]
    if body is not None and body.get("username") == "__new__":
        body = {**body, "username": f"new-{uuid4().hex[:8]}"}
    if body is not None and body.get("agency") == "__agency__":
        body = {**body, "agency": agency}
    if body is not None and body.get("employee_id") == "__new__":
        body = {**body, "employee_id": f"N-{uuid4().hex[:8]}"}
    if body is not None and body.get("unit") == "__unit__":
        body = {**body, "unit": UNITS[target]}  # the same unit: the matrix stays put
    if body is not None and "employee_ids" in body:
        body = {**body, "employee_ids": [employee_id]}
    headers = {} if role == "anonymous" else world.auth(role)
    if kind == "request_own":
        form = {"completed_on": "2025-02-01", "course_title": "Matrix", "hours": "1"}
        files = {"certificate": ("matrix.pdf", b"%PDF-1.7 matrix", "application/pdf")}
        response = world.client.post(path, data=form, files=files, headers=headers)
    elif template.endswith("/versions") and method == "POST":
        files = {"document": ("matrix.md", b"", "text/markdown")}  # empty: refused
        response = world.client.post(path, data={"title": "M"}, files=files, headers=headers)
    elif template.endswith("/dry-run"):
        sheet = f"employee_id,completed_on,course_title,hours\n{employee_id},2025-02-01,M,1\n"
        files = {"file": ("matrix.csv", sheet.encode(), "text/csv")}
        response = world.client.post(path, files=files, headers=headers)
    else:
        response = world.client.request(method, path, json=body, headers=headers)
    assert response.status_code < 500, (role, path, response.text)
    code = response.json().get("code") if response.status_code >= 400 else None
    return response.status_code == 403 or code == "unauthenticated"


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_authorization_matrix(world: World, target: str) -> None:
    unexpected_allows, unexpected_denials = [], []
    for template, (_, _, kind) in ROUTES.items():
        for role in ROLES:
            allowed = not _denied(world, role, template, target)
            if allowed and not expected(role, kind, target):
                unexpected_allows.append((role, template))
            if not allowed and expected(role, kind, target):
                unexpected_denials.append((role, template))
    assert unexpected_allows == []
    assert unexpected_denials == []


def test_denials_are_audited_and_say_nothing_about_the_record(world: World) -> None:
    path = f"/api/v1/agencies/{AGENCY}/people/E3/status"
    denied = world.client.get(path, headers=world.auth("officer1"))
    missing = world.client.get(
        f"/api/v1/agencies/{AGENCY}/people/NOPE/status", headers=world.auth("officer1")
    )
    assert denied.status_code == missing.status_code == 403
    assert (
        denied.json()
        == missing.json()
        == {
            "code": "forbidden",
            "message": "your roles do not allow this",
            "field": None,
        }
    )
    entries = world.services.audit.entries(agency=AGENCY)
    assert [(e.actor, e.object, e.outcome) for e in entries[-2:]] == [
        ("account:officer1", f"person:{AGENCY}/E3", "denied"),
        ("account:officer1", f"person:{AGENCY}/NOPE", "denied"),
    ]
