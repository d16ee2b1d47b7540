"""The status route sends the stored answer's bytes as they are (``replay.asof.status_json``,
not parsed and written again): the document is still exactly ``status``'s, for a person
with records, corrections and voids, with and without ``as_of``/``known_at``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import orjson

from replay.asof import status, status_json
from tests.http.conftest import ACTOR, AGENCY, World


def test_the_sent_bytes_are_the_status_document(world: World) -> None:
    ledger = world.ledger
    first = ledger.record_training(AGENCY, "E1", completed_on=date(2025, 2, 1),
                                   course_title="Firearms \u00e9t\u00e9 \"quoted\"",
                                   hours=Decimal(8), actor=ACTOR)  # fmt: skip
    second = ledger.record_training(AGENCY, "E1", completed_on=date(2025, 3, 1),
                                    course_title="CPR", hours=Decimal(4), actor=ACTOR)  # fmt: skip
    ledger.correct_training(AGENCY, "E1", first, reason="typo", hours=Decimal(6), actor=ACTOR)
    ledger.void_training(AGENCY, "E1", second, reason="entered twice", actor=ACTOR)
    for as_of in (None, date(2025, 6, 1), date(2024, 1, 1)):
        sent = status_json(ledger, AGENCY, "E1", as_of)
        assert orjson.loads(sent) == status(ledger, AGENCY, "E1", as_of)
    path = f"/api/v1/agencies/{AGENCY}/people/E1/status"
    answer = world.client.get(
        path, params={"as_of": "2025-06-01"}, headers=world.auth("coordinator")
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == status(ledger, AGENCY, "E1", date(2025, 6, 1))
    assert answer.json()["person"]["employee_id"] == "E1"
    assert list(answer.json()) == sorted(answer.json())  # the header's keys stay sorted
