"""Issue 12 §5: corrections show their own recorded time and reason; roster and trend count
the same people; each agency keeps its days in its own time zone."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from api.rulebook import publish_shipped_packs
from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.errors import InvalidValueError
from ledger.person import TrainingCompleted, TrainingCorrected
from projections.history import history_from_events
from projections.history_codec import Identity, decode_history, encode_history
from replay.asof import roster, status
from replay.export import roster_csv, to_json
from replay.read_models import catch_up
from replay.read_side import open_read_store
from replay.trend import trend
from tests.factories import ACTOR, agency, officer
from tests.replay.test_asof import _cli, _url

CHICAGO = ZoneInfo("America/Chicago")


def _train(ledger: Ledger, slug: str, employee_id: str, on: date, hours: str = "8") -> UUID:
    return ledger.record_training(
        slug,
        employee_id,
        completed_on=on,
        course_title="Use of force",
        hours=hours,
        actor=ACTOR,
    )


# -- corrections -----------------------------------------------------------------------


def test_a_corrected_record_shows_when_and_why_it_was_corrected(
    ledger: Ledger, clock: SettableClock
) -> None:
    """Status, roster (JSON and CSV) and the tracked model show, beside the record's own
    recorded time, each correction's recorded time and reason; before the correction was
    recorded, none."""
    publish_shipped_packs(ledger, ACTOR)
    slug = agency(ledger)
    officer(ledger, slug, "E1")
    clock.set(clock() + timedelta(days=1))
    uuid = _train(ledger, slug, "E1", date(2022, 5, 2))
    record_id = str(uuid)
    clock.set(clock() + timedelta(days=37))
    ledger.correct_training(
        slug, "E1", uuid, hours="9", reason="certificate shows 9 hours", actor=ACTOR
    )
    person_id = ledger.get_person(slug, "E1").id
    events = ledger.stream(person_id)
    completed = next(e for e in events if isinstance(e, TrainingCompleted))
    corrected = next(e for e in events if isinstance(e, TrainingCorrected))
    assert corrected.timestamp > completed.timestamp
    as_of = date(2023, 1, 15)

    answer = status(ledger, slug, "E1", as_of)
    (record,) = [r for r in answer["person"]["counted_records"] if r["record_id"] == record_id]
    assert record["recorded_at"] == completed.timestamp.isoformat()
    assert record["hours"] == "9"
    assert record["corrections"] == [
        {
            "recorded_at": corrected.timestamp.isoformat(),
            "reason": "certificate shows 9 hours",
            "changed": ["hours"],
        }
    ]
    document = roster(ledger, slug, as_of)
    (row,) = document["people"][0]["counted_records"]
    assert row["recorded_at"] == completed.timestamp.isoformat()
    assert row["corrections"] == record["corrections"]
    assert json.loads(to_json(document))["people"] == document["people"]
    lines = list(csv.DictReader(io.StringIO(roster_csv(document).decode())))
    cells = {line["corrections"] for line in lines if record_id in line["records"]}
    assert cells == {f"{record_id}@{corrected.timestamp.isoformat()}: certificate shows 9 hours"}

    # The tracked model's rows carry the same.
    store = open_read_store(ledger)
    catch_up(ledger, store, as_of)
    tracked = status(ledger, slug, "E1", as_of)
    assert tracked == answer

    # Known before the correction was recorded: the original, uncorrected.
    earlier = status(ledger, slug, "E1", as_of, corrected.timestamp - timedelta(seconds=1))
    (before,) = earlier["person"]["counted_records"]
    assert before["hours"] == "8"
    assert "corrections" not in before

    # A history checkpoint keeps the corrections.
    history = history_from_events(events)
    identity = Identity("E1", "Officer, Pat", "sworn")
    assert decode_history(encode_history(identity, history)) == (identity, history)
    assert history.records[0].corrections[0].reason == "certificate shows 9 hours"


# -- roster and trend count the same people ----------------------------------------------


def test_roster_and_trend_count_the_same_people_on_a_day(ledger: Ledger) -> None:
    """Someone enrolled already but hired after the day is listed on the roster yet counted
    in neither the roster's counts nor the trend's."""
    slug = agency(ledger)
    officer(ledger, slug, "E1")
    ledger.enrol_person(
        slug,
        "E2",
        first_name="Lee",
        last_name="Later",
        kind="sworn",
        hired_on=date(2024, 9, 1),
        rank="Officer",
        unit_name="Patrol",
        actor=ACTOR,
    )
    for day in (date(2024, 6, 1), date(2024, 12, 1)):
        answer = roster(ledger, slug, day)
        (point,) = trend(ledger, slug, day, day, "day")["points"]
        assert answer["counts"] == point["counts"], day
        hired = [p for p in answer["people"] if p["person_status"] != "not_hired"]
        assert sum(answer["counts"].values()) == len(hired)
        assert answer["not_yet_hired"] == len(answer["people"]) - len(hired)
    assert roster(ledger, slug, date(2024, 6, 1))["not_yet_hired"] == 1
    # The tracked model's counts (the demo's summary) leave them out too.
    store = open_read_store(ledger)
    catch_up(ledger, store, date(2024, 6, 1))
    counted = store.queries.counts_by_status(ledger.get_agency(slug).id)
    assert counted == roster(ledger, slug, date(2024, 6, 1))["counts"]


# -- time zones ----------------------------------------------------------------------------


def test_each_agency_keeps_its_days_in_a_time_zone(ledger: Ledger) -> None:
    """The default is the state's zone; one can be recorded at registration or later; an
    unknown zone, or a state with no default and no zone given, is refused with nothing
    appended. Answers state the zone."""
    agency(ledger, "mpls", "MN")
    agency(ledger, "cbus", "OH")
    ledger.register_agency("elpaso", "El Paso PD", "TX", actor=ACTOR, time_zone="America/Denver")
    zones = {a.slug: a.time_zone for a in ledger.list_agencies()}
    assert zones == {
        "mpls": "America/Chicago",
        "cbus": "America/New_York",
        "elpaso": "America/Denver",
    }
    before = ledger.store.count_events()
    with pytest.raises(InvalidValueError, match="time zone"):
        ledger.register_agency("xx-pd", "X", "MN", actor=ACTOR, time_zone="Mars/Olympus")
    with pytest.raises(InvalidValueError, match="time zone"):
        ledger.register_agency("wa-pd", "WA", "WA", actor=ACTOR)
    with pytest.raises(InvalidValueError, match="time zone"):
        ledger.set_time_zone("mpls", "/etc/passwd", actor=ACTOR)
    assert ledger.store.count_events() == before
    ledger.set_time_zone("mpls", "America/Denver", actor=ACTOR)
    assert ledger.get_agency("mpls").time_zone == "America/Denver"
    officer(ledger, "cbus", "E1")
    assert roster(ledger, "cbus", date(2024, 1, 1))["time_zone"] == "America/New_York"
    assert status(ledger, "cbus", "E1", date(2024, 1, 1))["time_zone"] == "America/New_York"
    assert (
        trend(ledger, "elpaso", date(2024, 1, 1), date(2024, 2, 1), "month")["time_zone"]
        == "America/Denver"
    )


def test_the_default_day_is_the_agencys_local_date(ledger: Ledger, clock: SettableClock) -> None:
    """At 7 pm on 31 December in Minnesota it is still 31 December there, though 1 January
    in UTC: that is the day status and roster answer for when none is asked."""
    clock.set(datetime(2024, 2, 1, tzinfo=UTC))
    slug = agency(ledger)
    officer(ledger, slug, "E1")
    evening = datetime(2024, 12, 31, 19, tzinfo=CHICAGO)
    clock.set(evening.astimezone(UTC))
    local, utc = clock().astimezone(CHICAGO).date(), clock().date()
    assert local != utc
    assert status(ledger, slug, "E1", None)["as_of"] == local.isoformat()
    assert roster(ledger, slug, None)["as_of"] == local.isoformat()
    # Asked at a past known_at, the default day is the local day then: the same bytes later.
    past = datetime(2024, 3, 1, 3, tzinfo=UTC)  # still 29 February in Minnesota
    answer = to_json(roster(ledger, slug, None, past))
    assert json.loads(answer)["as_of"] == past.astimezone(CHICAGO).date().isoformat()
    clock.set(clock() + timedelta(days=40))
    assert to_json(roster(ledger, slug, None, past)) == answer


def test_a_bare_date_known_at_is_the_end_of_the_local_day(
    ledger: Ledger, clock: SettableClock
) -> None:
    """A record recorded at 10 pm Minnesota time on 4 June (3 am UTC on the 5th) is known
    at ``known_at=2024-06-04``; one recorded after local midnight is not. An instant
    without an offset is local time too."""
    clock.set(datetime(2024, 6, 1, tzinfo=UTC))
    publish_shipped_packs(ledger, ACTOR)
    slug = agency(ledger)
    officer(ledger, slug, "E1")
    late_evening = datetime(2024, 6, 4, 22, tzinfo=CHICAGO).astimezone(UTC)
    after_midnight = datetime(2024, 6, 5, 0, 30, tzinfo=CHICAGO).astimezone(UTC)
    clock.set(late_evening)
    evening_record = str(_train(ledger, slug, "E1", date(2024, 6, 4)))
    clock.set(after_midnight)
    _train(ledger, slug, "E1", date(2024, 6, 4), hours="2")
    clock.set(datetime(2024, 7, 1, tzinfo=UTC))

    answer = status(ledger, slug, "E1", date(2024, 6, 20), date(2024, 6, 4))
    end_of_day = datetime.combine(date(2024, 6, 4), time.max, CHICAGO).astimezone(UTC)
    assert answer["known_at"] == end_of_day.isoformat()
    recorded = [r["record_id"] for r in answer["person"]["counted_records"]]
    assert recorded == [evening_record]
    naive = status(ledger, slug, "E1", date(2024, 6, 20), datetime(2024, 6, 4, 23, 0))
    assert naive["known_at"] == datetime(2024, 6, 4, 23, tzinfo=CHICAGO).astimezone(UTC).isoformat()
    assert [r["record_id"] for r in naive["person"]["counted_records"]] == [evening_record]
    # The roster and the trend read the date the same way.
    assert (
        roster(ledger, slug, date(2024, 6, 20), date(2024, 6, 4))["known_at"]
        == (answer["known_at"])
    )
    assert (
        trend(ledger, slug, date(2024, 6, 20), date(2024, 6, 20), "day", date(2024, 6, 4))[
            "known_at"
        ]
        == answer["known_at"]
    )


def test_the_cli_states_the_zone(ledger: Ledger) -> None:
    """Text, JSON and CSV answers name the agency's zone; ``muster agency time-zone``
    records another."""
    slug = agency(ledger)
    officer(ledger, slug, "E1")
    url = _url(ledger)
    args = ("--agency", slug, "--as-of", "2024-01-05")
    assert json.loads(_cli(url, "status", "E1", *args, "--json"))["time_zone"] == (
        "America/Chicago"
    )
    table = _cli(url, "roster", *args).decode()
    assert "(America/Chicago)" in table
    rows = list(csv.DictReader(io.StringIO(_cli(url, "roster", *args, "--format", "csv").decode())))
    assert {r["time_zone"] for r in rows} == {"America/Chicago"}
    _cli(url, "agency", "time-zone", slug, "America/Denver")
    assert json.loads(_cli(url, "roster", *args, "--format", "json"))["time_zone"] == (
        "America/Denver"
    )
    assert "America/Denver" in _cli(url, "agency", "list").decode()
