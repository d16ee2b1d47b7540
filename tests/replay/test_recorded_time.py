"""Issue 12 §1 with real concurrency and the real clock: an import of 10,000 training rows
runs in another process while this one asks for status and roster at instants taken
during it. Every answer is final: asked again afterwards at the ``known_at`` it states,
it is the same bytes, and each roster shows none or all of the import's records."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, date, datetime, timedelta
from typing import Any

from api.importing import ImportStatus, run_import
from api.rulebook import publish_shipped_packs
from ledger.application import Ledger
from replay.asof import roster, status
from replay.export import to_json
from tests.importing.helpers import people_file, person_row, training_file, training_row

SLUG = "busy-pd"
PEOPLE = 500
ROWS_EACH = 20  # 10,000 training rows in one import
AS_OF = date(2025, 6, 1)


def _training_rows() -> list[list[str]]:
    first = date(2023, 7, 3)
    return [
        training_row(
            employee_id=f"P{p:04d}",
            completed_on=(first + timedelta(days=30 * n + p % 7)).isoformat(),
            course_title=f"Course {n}",
            hours="1",
            topics="use_of_force=1",
        )
        for p in range(PEOPLE)
        for n in range(ROWS_EACH)
    ]


def _import(url: str, data: bytes) -> None:
    """The background writer: its own process, its own ledger, the system clock."""
    ledger = Ledger(url)
    try:
        report = run_import(ledger, "training", SLUG, data, file_name="history.csv")
        assert report.status is ImportStatus.IMPORTED, report.issues
    finally:
        ledger.close()


def _records(answer: Any) -> int:
    return sum(len(person["counted_records"]) for person in answer["people"])


def test_answers_given_during_an_import_never_change(database_url: str) -> None:
    ledger = Ledger(database_url)  # the system clock: no settable clock anywhere here
    try:
        ledger.register_agency(SLUG, "Busy Police Department", "MN", actor="user:test")
        publish_shipped_packs(ledger, "system:test")
        people = people_file(
            *(person_row(employee_id=f"P{p:04d}", hired_on="2015-04-01") for p in range(PEOPLE))
        )
        assert run_import(ledger, "people", SLUG, people, file_name="people.csv").status is (
            ImportStatus.IMPORTED
        )
        data = training_file(*_training_rows())
        writer = multiprocessing.get_context("spawn").Process(
            target=_import, args=(database_url, data)
        )
        answers: list[tuple[datetime, str, bytes, str, bytes]] = []
        writer.start()
        while writer.is_alive():
            asked = datetime.now(UTC)
            people_answer = roster(ledger, SLUG, AS_OF, asked)
            one = status(ledger, SLUG, "P0007", AS_OF, asked)
            answers.append(
                (
                    asked,
                    people_answer["known_at"],
                    people_answer.to_json(),
                    one["known_at"],
                    to_json(one),
                )
            )
        writer.join()
        assert writer.exitcode == 0

        final = roster(ledger, SLUG, AS_OF)
        all_records = _records(final)
        assert all_records > 5000
        clamped = 0
        partial = []
        for asked, used, roster_bytes, status_used, status_bytes in answers:
            moment = datetime.fromisoformat(used)
            assert moment <= asked
            clamped += moment < asked
            again = roster(ledger, SLUG, AS_OF, moment)
            assert again.to_json() == roster_bytes
            if moment == asked:  # not clamped: the same question gives the same bytes
                assert roster(ledger, SLUG, AS_OF, asked).to_json() == roster_bytes
            status_moment = datetime.fromisoformat(status_used)
            assert status_moment <= asked
            assert to_json(status(ledger, SLUG, "P0007", AS_OF, status_moment)) == status_bytes
            if _records(again) not in (0, all_records):
                partial.append((used, _records(again)))
        assert not partial, f"rosters showing part of the import: {partial}"
        assert len(answers) >= 3
        print(
            f"\n{ledger.database.backend}: {len(answers)} answers during the import "
            f"({clamped} clamped to the stable horizon); {all_records} records counted after"
        )
    finally:
        ledger.close()
