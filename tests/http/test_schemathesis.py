"""schemathesis against ``/api/v1/openapi.json`` (issue 15, acceptance 3: "per role, fixed
seed: 0 server errors and 0 schema violations (at least 100 cases per operation)").

Every operation of the served document gets ``CASES`` generated requests (a fixed seed),
sent through the ASGI app over a real store with a role's bearer token; each answer is
checked: no 5xx, a status the document lists, its content type, its body against the
document's schema. The normal tier runs the coordinator (who may call the most) on
SQLite; the fuzz tier (``make test-fuzz``, not in CI: about 18 minutes on two cores) runs
every role, and anonymous, on both backends."""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.http.conftest import ACCOUNTS, AGENCY, World

CASES = int(os.environ.get("MUSTER_SCHEMATHESIS_CASES", "100"))
SEED = 20261202
# Operations with no input at all: one request is every case there is.
INPUTLESS = {"GET /healthz", "GET /readyz", "GET /api/v1/me", "GET /api/v1/session/tokens",
             "GET /api/v1/accounts", "GET /api/v1/agencies", "GET /api/v1/me/notices"}  # fmt: skip
# Generated ids name the fixture's agency and, every other case, a real person and unit,
# so the cases reach the routes' own code rather than stopping at the guard.
REAL = {"agency": AGENCY, "employee_id": "E1", "unit": "Patrol", "username": "spare"}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _check_operation(operation: Any, headers: dict[str, str], counts: dict[str, int]) -> None:
    label = f"{operation.method.upper()} {operation.path}"
    counts[label] = 0

    @seed(SEED)
    @settings(
        max_examples=CASES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def check(case: Any) -> None:
        counts[label] += 1
        params = dict(case.path_parameters or {})
        for name, value in REAL.items():
            if name in params and (name == "agency" or counts[label] % 2 == 0):
                params[name] = value
        case.path_parameters = params
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()


def _run(world: World, role: str | None) -> dict[str, int]:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", world.client.app)
    headers = {} if role is None else world.auth(role)
    counts: dict[str, int] = {}
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        try:
            _check_operation(operation, headers, counts)
        except Exception as error:  # every operation's failure, not only the first
            failures[f"{operation.method.upper()} {operation.path}"] = str(error)[:1500]
    assert failures == {}
    return counts


def _assert_every_operation_ran(counts: dict[str, int]) -> None:
    assert len(counts) >= 38
    few = {op: n for op, n in counts.items() if n < CASES and op not in INPUTLESS}
    assert few == {}


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_openapi_document_holds_for_a_coordinator(world: World) -> None:
    _assert_every_operation_ran(_run(world, "coordinator"))


@pytest.mark.fuzz
@pytest.mark.parametrize("role", [None, *ACCOUNTS])
def test_the_openapi_document_holds_for_every_role(world: World, role: str | None) -> None:
    _assert_every_operation_ran(_run(world, role))
