"""``replay.units.units_on``: a person's unit on ``as_of`` (not the current one), as
recorded by ``known_at``; the same from the stored unit periods as from the history, and
a transfer recorded later is not seen at an earlier ``known_at``."""

from __future__ import annotations

from datetime import date, timedelta

from ledger.application import Ledger
from ledger.clock import SettableClock
from replay.read_side import open_read_store
from replay.units import units_on
from tests.factories import ACTOR


def _stored(ledger: Ledger) -> int:
    store = open_read_store(ledger)
    with store.db.reading() as cur:
        cur.execute(f"SELECT count(*) FROM {store.db.table('rm_unit_periods')}")
        return int(cur.fetchall()[0][0])


def test_units_on_a_day_as_the_records_stood(ledger: Ledger, clock: SettableClock) -> None:
    from api.rulebook import publish_shipped_packs

    publish_shipped_packs(ledger, "system:test")
    ledger.register_agency("units-pd", "Units PD", "MN", actor=ACTOR)
    agency_id = ledger.get_agency("units-pd").id
    clock.set(clock() + timedelta(minutes=5))
    ledger.enrol_person(
        "units-pd", "T1", first_name="T", last_name="1", kind="sworn",
        hired_on=date(2018, 1, 1), unit_name="Patrol", actor=ACTOR,
    )  # fmt: skip
    ledger.enrol_person(
        "units-pd", "T2", first_name="T", last_name="2", kind="sworn",
        hired_on=date(2019, 1, 1), actor=ACTOR,
    )  # fmt: skip
    person = ledger.get_person("units-pd", "T1").id
    other = ledger.get_person("units-pd", "T2").id
    clock.set(clock() + timedelta(minutes=5))
    before = clock()  # the enrolments are recorded by now, the transfer after
    clock.set(before + timedelta(minutes=5))
    ledger.change_assignment(
        "units-pd", "T1", effective_on=date(2022, 6, 1), actor=ACTOR, rank="",
        unit_name="Traffic", assignments=[],
    )  # fmt: skip
    now = clock()
    expected = {
        (date(2021, 1, 1), now): "Patrol",
        (date(2023, 1, 1), now): "Traffic",
        (date(2023, 1, 1), before): "Patrol",
        (date(2017, 1, 1), now): "Patrol",  # before the hire: the first assignment
    }
    assert _stored(ledger) == 0
    for round_ in ("computed", "stored"):
        for (as_of, known_at), unit in expected.items():
            found = units_on(ledger, agency_id, as_of, known_at)
            assert found[person] == unit, round_
            assert found[other] == ""
    assert _stored(ledger) == 3  # T1 at two heads, T2 at one
    assert (
        set(units_on(ledger, agency_id, date(2023, 1, 1), before - timedelta(minutes=20))) == set()
    )
