"""Bad input is never a 500 (issue 15 §3): generated bodies, headers and query values
against the write and read routes answer 2xx or a 4xx with the stable error body, and a
refused write appends nothing. (A stand-in until schemathesis runs per role.)"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.agency import agency_id_for
from ledger.person import person_id_for
from tests.http.conftest import AGENCY, World

FIELDS = ["completed_on", "course_title", "hours", "topic_hours", "provider", "delivery",
          "valid_until", "tags", "post_course_number", "actor", "agency_id"]  # fmt: skip
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
VALUES = st.one_of(
    JSON,
    st.sampled_from(
        [
            "2025-02-10",
            "2999-01-01",
            "0001-01-01",
            "-1",
            "1e400",
            "4",
            "\x1b[31m",
            "‮",
            "a" * 5000,
            "use_of_force",
            "NaN",
        ]
    ),
)
BODIES = st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=6)


def _check(response: Any) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert set(response.json()) == {"code", "message", "field"}


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=BODIES, key=st.none() | st.text(max_size=300))
def test_generated_training_bodies(world: World, body: dict[str, Any], key: str | None) -> None:
    stream = person_id_for(agency_id_for(AGENCY), "E2")
    before = len(world.ledger.stream(stream))
    headers = world.auth("coordinator")
    if key is not None and key.isascii() and key.isprintable():
        headers["Idempotency-Key"] = key
    response = world.client.post(f"/api/v1/agencies/{AGENCY}/people/E2/training", json=body,
                                 headers=headers)  # fmt: skip
    _check(response)
    if response.status_code != 201:
        assert len(world.ledger.stream(stream)) == before


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    as_of=st.text(max_size=20),
    known_at=st.text(max_size=45),
    employee=st.text(min_size=1, max_size=80),
)
def test_generated_read_parameters(world: World, as_of: str, known_at: str, employee: str) -> None:
    params = {"as_of": as_of, "known_at": known_at}
    path = f"/api/v1/agencies/{AGENCY}/people/{quote(employee, safe='')}"
    for suffix in ("/status", "/history"):
        _check(world.client.get(path + suffix, params=params, headers=world.auth("auditor")))
