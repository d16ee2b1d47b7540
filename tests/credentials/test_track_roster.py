"""The roster, its exports and the trend across the three tracks (issue 17 §3), on both
backends: the worst track decides each person's status with its reasons, each track can be
asked for alone, an agency with only the state track gets the state answer byte for byte,
and the own tracks are judged as of the day and as recorded at ``known_at``."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from typing import Any

import orjson
import pytest
from pypdf import PdfReader

from ledger.application import Ledger
from ledger.clock import SettableClock
from projections.answer_keys import EXPORT_OPTIONS
from replay.asof import RosterFilters, roster, status
from replay.export import roster_csv, to_json
from replay.packet import agency_packet, person_packet
from replay.packet_verifier import verify_packet
from replay.track_answers import (
    _across_row,
    fill_own_tracks,
    parse_tracks,
    roster_across,
    trend_across,
)
from replay.trend import trend
from tests.credentials.helpers import ACTOR, FIREARMS, GLOCK, SLUG, agency, at, qualify, step

CPR = {**FIREARMS, "name": "CPR", "holders": ["kind:civilian"], "per_weapon": False}
CPR["weapon_classes"] = []
POLICY_V1 = b"# Use of force\n\nVersion one.\n"
POLICY_V2 = b"# Use of force\n\nVersion two: the words changed.\n"


def _civilian(ledger: Ledger, employee_id: str) -> None:
    ledger.enrol_person(
        SLUG,
        employee_id,
        first_name="Cy",
        last_name=employee_id,
        kind="civilian",
        hired_on=date(2020, 1, 6),
        actor=ACTOR,
    )


def _row(answer: Any, employee_id: str) -> dict[str, Any]:
    people = answer["people"]
    found = [p for p in people if p["employee_id"] == employee_id]
    assert len(found) == 1, people
    return dict(found[0])


def test_state_only_agency_gets_the_state_roster_and_trend_byte_for_byte(
    ledger: Ledger, clock: SettableClock
) -> None:
    clock.set(at(2025, 1, 2))
    agency(ledger, "E1", "E2")
    step(clock, at(2025, 2, 1))
    day = date(2025, 2, 1)
    state = roster(ledger, SLUG, day)
    across = roster_across(ledger, SLUG, day)
    assert to_json(across) == to_json(state)
    assert roster_csv(across) == roster_csv(state)
    assert "tracks" not in across["people"][0]
    assert to_json(trend_across(ledger, SLUG, date(2024, 1, 1), day, "month")) == to_json(
        trend(ledger, SLUG, date(2024, 1, 1), day, "month")
    )


def _programme(ledger: Ledger, clock: SettableClock) -> None:
    """E1 sworn and qualified on 2024-03-01 (valid 12 months: until 2025-02-28); C1 a
    civilian (no state requirement, no firearms) bound by the use-of-force policy."""
    clock.set(at(2024, 1, 2))
    agency(ledger, "E1")
    _civilian(ledger, "C1")
    ledger.define_credential_type(
        SLUG, "firearms", effective_on=date(2020, 1, 1), actor=ACTOR, **FIREARMS
    )
    ledger.issue_weapon(SLUG, "E1", weapon=GLOCK, on=date(2024, 1, 2), actor=ACTOR)
    clock.set(at(2024, 3, 1))
    qualify(ledger, "E1", date(2024, 3, 1))
    digest, _ = ledger.upload_policy(SLUG, "uof", POLICY_V1, title="Use of force", actor=ACTOR)
    ledger.publish_policy(SLUG, "uof", digest, effective_on=date(2024, 1, 2), actor=ACTOR)
    ledger.assign_policy(
        SLUG,
        "uof",
        audience=["kind:civilian"],
        due_days=10,
        effective_on=date(2024, 1, 2),
        actor=ACTOR,
    )
    ledger.acknowledge_policy(
        SLUG, "C1", "uof", 1, on=date(2024, 1, 3), channel="paper", actor=ACTOR
    )


def test_an_expired_credential_makes_a_person_non_compliant_with_its_reason(
    ledger: Ledger, clock: SettableClock
) -> None:
    _programme(ledger, clock)
    step(clock, at(2025, 3, 10))
    before = _row(roster_across(ledger, SLUG, date(2025, 1, 15)), "E1")
    assert before["tracks"]["credential"] == "compliant"
    after = roster_across(ledger, SLUG, date(2025, 3, 1))
    e1 = _row(after, "E1")
    assert e1["tracks"]["credential"] == "non_compliant"
    assert e1["status"] == "non_compliant"
    assert any(str(r).startswith("credential firearms[A1]:") for r in e1["reasons"])
    assert after["counts_by_track"]["credential"]["non_compliant"] == 1
    # Asked for the credential track alone: the state track is not in the status.
    alone = _row(roster_across(ledger, SLUG, date(2025, 3, 1), tracks=("credential",)), "E1")
    assert list(alone["tracks"]) == ["credential"]
    assert alone["status"] == "non_compliant"
    # The civilian: no state requirement nor credential, the policy acknowledged.
    c1 = _row(after, "C1")
    assert c1["tracks"]["policy"] == "compliant"
    assert c1["tracks"]["credential"] == "not_applicable"


def test_a_civilian_compliant_on_state_is_non_compliant_for_an_expired_credential(
    ledger: Ledger, clock: SettableClock
) -> None:
    """The adversarial case: the state track has nothing against the person (compliant or
    not applicable), the credential has expired: overall non-compliant, for the credential."""
    _programme(ledger, clock)
    ledger.define_credential_type(
        SLUG,
        "cpr",
        effective_on=date(2020, 1, 1),
        actor=ACTOR,
        **CPR,
    )
    ledger.record_qualification(
        SLUG,
        "C1",
        credential_type="cpr",
        on=date(2024, 3, 1),
        result="pass",
        score_value=90,
        instructor="Medic",
        actor=ACTOR,
    )
    step(clock, at(2025, 3, 10))
    c1 = _row(roster_across(ledger, SLUG, date(2025, 3, 5)), "C1")
    assert c1["tracks"]["state"] in {"compliant", "not_applicable"}
    assert c1["tracks"]["credential"] == "non_compliant"
    assert c1["status"] == "non_compliant"
    assert [str(r).split(":")[0] for r in c1["reasons"]] == ["credential cpr"]
    csv = roster_csv(roster_across(ledger, SLUG, date(2025, 3, 5))).decode()
    assert ",non_compliant,credential,,cpr@v1,cpr,non_compliant," in csv.replace("\r", "")
    points = trend_across(ledger, SLUG, date(2025, 2, 5), date(2025, 3, 5), "month")["points"]
    assert points[-1]["counts_by_track"]["credential"] == {"non_compliant": 2}
    assert points[0]["counts_by_track"]["credential"] == {"due_soon": 2}  # within 30 days
    assert points[-1]["counts"].get("non_compliant") == 2


def test_a_policy_version_acknowledged_after_the_day_does_not_count_before_it(
    ledger: Ledger, clock: SettableClock
) -> None:
    _programme(ledger, clock)
    step(clock, at(2025, 1, 2))
    digest, _ = ledger.upload_policy(SLUG, "uof", POLICY_V2, title="Use of force", actor=ACTOR)
    ledger.publish_policy(SLUG, "uof", digest, effective_on=date(2025, 1, 2), actor=ACTOR)
    step(clock, at(2025, 2, 1))
    ledger.acknowledge_policy(
        SLUG, "C1", "uof", 2, on=date(2025, 2, 1), channel="paper", actor=ACTOR
    )
    step(clock, at(2025, 3, 1))
    overdue = _row(roster_across(ledger, SLUG, date(2025, 1, 20), tracks=("policy",)), "C1")
    assert overdue["status"] == "non_compliant"
    assert "policy uof" in str(overdue["reasons"])
    done = _row(roster_across(ledger, SLUG, date(2025, 2, 2), tracks=("policy",)), "C1")
    assert done["status"] == "compliant"
    # As recorded before the acknowledgement was: still overdue on the later day.
    earlier = roster_across(ledger, SLUG, date(2025, 2, 2), at(2025, 1, 31))
    assert _row(earlier, "C1")["tracks"]["policy"] == "non_compliant"
    later = trend_across(
        ledger, SLUG, date(2025, 1, 20), date(2025, 2, 3), "week", tracks=("policy",)
    )
    assert [p["counts_by_track"]["policy"] for p in later["points"]] == [
        {"non_compliant": 1, "not_applicable": 1},
        {"non_compliant": 1, "not_applicable": 1},
        {"compliant": 1, "not_applicable": 1},
    ]
    assert later["tracks_shown"] == ["policy"]


def test_asked_again_the_answer_is_the_same_and_the_state_track_alone_is_the_state_roster(
    ledger: Ledger, clock: SettableClock
) -> None:
    _programme(ledger, clock)
    step(clock, at(2025, 3, 10))
    day = date(2025, 3, 1)
    first = to_json(roster_across(ledger, SLUG, day))
    assert to_json(roster_across(ledger, SLUG, day)) == first  # the memoised items
    assert b'"counts_by_track"' in first
    state = roster(ledger, SLUG, day)
    assert to_json(roster_across(ledger, SLUG, day, tracks=("state",))) == to_json(state)
    assert to_json(
        trend_across(ledger, SLUG, date(2025, 1, 1), day, "month", tracks=("state",))
    ) == to_json(trend(ledger, SLUG, date(2025, 1, 1), day, "month"))
    non_compliant = roster_across(
        ledger, SLUG, day, filters=RosterFilters(statuses=frozenset({"non_compliant"}))
    )
    assert all(p["status"] == "non_compliant" for p in non_compliant["people"])


def test_track_names() -> None:
    assert parse_tracks([]) == ("state", "credential", "policy")
    assert parse_tracks(["policies", "Credentials"]) == ("credential", "policy")
    with pytest.raises(ValueError, match="credentials or policies"):
        parse_tracks(["k9"])


def test_the_spliced_rows_are_the_rows_parsed_extended_and_serialised_again(
    ledger: Ledger, clock: SettableClock
) -> None:
    """The roster across the tracks splices its keys into the stored state rows' bytes:
    the export is byte for byte the parsed document serialised afresh, and each row is
    the state row with the four keys added."""
    _programme(ledger, clock)
    clock.set(at(2025, 1, 10))
    ledger.record_training(
        SLUG, "E1", completed_on=date(2025, 1, 9), course_title="Use of force", hours="4",
        actor=ACTOR,
    )  # fmt: skip
    step(clock, at(2025, 3, 10))
    day = date(2025, 3, 1)
    across = roster_across(ledger, SLUG, day)
    document = {key: across[key] for key in across}
    assert to_json(across) == orjson.dumps(document, option=EXPORT_OPTIONS) + b"\n"
    state = {p["employee_id"]: p for p in roster(ledger, SLUG, day)["people"]}
    for row in across["people"]:
        extra = {k: row.pop(k) for k in ("items", "reasons", "status", "tracks")}
        assert row == state[row["employee_id"]]
        assert extra["tracks"]["state"] == row["compliance"]["status"]
    stored = roster(ledger, SLUG, day)
    assert stored.facets  # the splice is what answered, not the parse-everything fallback
    for facet, raw in zip(stored.facets, stored.rows, strict=True):
        assert _across_row(facet, raw, None, ("state",)) is not None


@pytest.mark.parametrize("tracks", [("state", "credential", "policy"), ("credential",)])
def test_each_trend_point_counts_what_the_roster_of_its_day_counts(
    ledger: Ledger, clock: SettableClock, tracks: tuple[Any, ...]
) -> None:
    _programme(ledger, clock)
    step(clock, at(2025, 3, 10))
    ledger.change_status(
        SLUG, "C1", status="separated", effective_on=date(2025, 2, 20), reason="left",
        actor=ACTOR,
    )  # fmt: skip
    step(clock)
    points = trend_across(ledger, SLUG, date(2024, 12, 1), date(2025, 3, 1), "month", None, tracks)
    for point in points["points"]:
        day = date.fromisoformat(point["as_of"])
        answer = roster_across(ledger, SLUG, day, tracks=tracks)
        assert point["counts"] == answer["counts"], day
        assert point["counts_by_track"] == answer["counts_by_track"], day
    assert points["points"][-1]["counts"].get("inactive") == 1  # C1, separated


def test_the_agency_packet_answers_across_the_tracks_and_verifies(
    ledger: Ledger, clock: SettableClock
) -> None:
    """The packet's answer is the roster across the tracks, its CSV has the tracks' rows,
    the agency's events (its credential type and policy) are in it, and it verifies; for
    the state track alone it is the state packet."""
    _programme(ledger, clock)
    step(clock, at(2025, 3, 10))
    day, known_at = date(2025, 3, 1), at(2025, 3, 10)
    data = agency_packet(ledger, SLUG, day, known_at)
    assert verify_packet(data) == []
    members = zipfile.ZipFile(io.BytesIO(data))
    answer = orjson.loads(members.read("answer.json"))
    assert answer["tracks_shown"] == ["state", "credential", "policy"]
    assert to_json(roster_across(ledger, SLUG, day, known_at)) == members.read("answer.json")
    assert b",credential,,firearms@v1,firearms[A1],non_compliant," in members.read("answer.csv")
    events = members.read("events.jsonl")
    assert b"CredentialTypeDefined" in events
    assert b"PolicyPublished" in events
    assert orjson.loads(members.read("packet.json"))["tracks_shown"] == answer["tracks_shown"]
    state = agency_packet(ledger, SLUG, day, known_at, tracks=("state",))
    assert verify_packet(state) == []
    state_answer = zipfile.ZipFile(io.BytesIO(state)).read("answer.json")
    assert state_answer == to_json(roster(ledger, SLUG, day, known_at))


def test_the_person_packet_answers_across_the_tracks_and_verifies(
    ledger: Ledger, clock: SettableClock
) -> None:
    """A person's packet carries their row across the tracks (as a roster row across them
    has it), the credential's row in its CSV, the agency's events and a report naming the
    credential; it verifies; for the state track alone it is the state packet."""
    _programme(ledger, clock)
    step(clock, at(2025, 3, 10))
    day, known_at = date(2025, 3, 1), at(2025, 3, 10)  # E1's qualification ran out 02-28
    data = person_packet(ledger, SLUG, "E1", day, known_at)
    assert verify_packet(data) == []
    members = zipfile.ZipFile(io.BytesIO(data))
    answer = orjson.loads(members.read("answer.json"))
    person = answer["person"]
    row = _row(roster_across(ledger, SLUG, day, known_at), "E1")
    for key in ("items", "reasons", "status", "tracks"):
        assert person[key] == row[key], key
    assert person["tracks"]["credential"] == "non_compliant"
    assert person["status"] == "non_compliant"
    assert answer["tracks_shown"] == ["state", "credential", "policy"]
    assert b",credential,,firearms@v1,firearms[A1],non_compliant," in members.read("answer.csv")
    assert b"CredentialTypeDefined" in members.read("events.jsonl")
    pages = PdfReader(io.BytesIO(members.read("report.pdf"))).pages
    text = "\n".join(page.extract_text() for page in pages)
    assert "Status: non_compliant (across the tracks: state, credential, policy)" in text
    assert "Firearms qualification (A1)" in text
    assert person_packet(ledger, SLUG, "E1", day, known_at) == data  # the same bytes again
    state = person_packet(ledger, SLUG, "E1", day, known_at, tracks=("state",))
    assert verify_packet(state) == []
    state_answer = zipfile.ZipFile(io.BytesIO(state)).read("answer.json")
    assert state_answer == to_json(status(ledger, SLUG, "E1", day, known_at))
    assert b"CredentialTypeDefined" not in zipfile.ZipFile(io.BytesIO(state)).read("events.jsonl")


def test_the_agency_report_counts_each_track_and_names_the_credentials(
    ledger: Ledger, clock: SettableClock
) -> None:
    _programme(ledger, clock)
    step(clock, at(2025, 3, 10))
    data = agency_packet(ledger, SLUG, date(2025, 3, 1), at(2025, 3, 10))
    report = zipfile.ZipFile(io.BytesIO(data)).read("report.pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(report)).pages)
    assert "Across the tracks: state, credential, policy; each track alone:" in text
    assert "- credential: " in text
    assert "Firearms qualification (A1) (credential)" in text


def test_filled_own_tracks_are_read_not_judged_by_the_next_roster(
    ledger: Ledger, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``fill_own_tracks`` (what ``muster replay`` runs) stores everyone's credential and
    policy items for today; the roster across the tracks then judges nobody, and its bytes
    are the roster judged afresh; a write to one person makes the next fill judge that
    person alone."""
    _programme(ledger, clock)
    step(clock, at(2025, 3, 10))
    assert fill_own_tracks(ledger, SLUG) == 2
    assert fill_own_tracks(ledger, SLUG) == 0
    judged: list[str] = []
    import replay.tracks

    real = replay.tracks._own_items

    def spy(programme: Any, history: Any, *rest: Any) -> Any:
        judged.append(history.person_id)
        return real(programme, history, *rest)

    monkeypatch.setattr(replay.tracks, "_own_items", spy)
    answer = roster_across(ledger, SLUG, None)
    assert judged == []
    assert _row(answer, "E1")["tracks"]["credential"] == "non_compliant"
    step(clock)  # the same day, a minute on
    qualify(ledger, "E1", date(2025, 3, 10))
    assert fill_own_tracks(ledger, SLUG) == 1
    assert len(judged) == 1
    assert _row(roster_across(ledger, SLUG, None), "E1")["tracks"]["credential"] == "compliant"
    assert len(judged) == 1
    assert fill_own_tracks(ledger, "no-such-agency") == 0
