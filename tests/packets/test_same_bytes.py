"""A packet's bytes do not depend on how the builder computes them (issue 19 §5: same query,
same ``as_of``/``known_at`` -> the same bytes), and a ledger whose links do not verify
gives no packet.

The golden digests were computed by the code of ``main`` at ``654aab0``, before the log
walk and ``events.jsonl`` were rewritten for speed (branch ``h-pkt19``), on both backends
(they agreed), for packets of a store made by the seeded synthetic generator. A later
change that alters a packet's bytes on purpose (a shipped rule pack, the PDF's layout or
fonts, ``packet_verifier.py``, which every packet carries) updates them and says why in
its commit; a speed-up never does. ``events.jsonl`` is also checked against the plain
reference writer below, on hostile text."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import orjson
import pytest

from api.rulebook import publish_shipped_packs
from api.synthetic import generate_agency
from ledger.application import Ledger
from ledger.chain import as_uuid, instant_text, link_for
from ledger.clock import SettableClock
from ledger.person import person_id_for
from replay.packet import BrokenChainError, agency_packet, person_packet
from replay.packet_verifier import verify_packet
from tests.factories import ACTOR
from tests.packets.helpers import KNOWN_AT, SLUG, members, record_agency
from tests.tamper import privileged

GOLD = "gold-pd"
GOLD_KNOWN_AT = datetime(2022, 2, 26, 9, 17, 50, tzinfo=UTC)  # the store's last record
MIDWAY = datetime(2020, 9, 1, 12, 0, tzinfo=UTC)
# SHA-256 of each member, and of the whole zip, at main 654aab0 (see above).
GOLDEN: dict[str, dict[str, str]] = {
    "agency": {
        "CERTIFICATION.txt": "f4657de6b8b821580abe300119b2a8e5ab9de95de51d70ec4c32edd7d9094ee3",
        "MANIFEST.sha256": "756750c11a498f0684067619cf290e2f05c88f3ebb714d18a813d52f2a5f64ce",
        "README.txt": "ed72ca14a971b928256847abb733579b9d044c13ef2819a7bdd59def53c56f8c",
        "answer.csv": "8be1f3c50ba428b1a0e0771627159496ab23d2c01f79b51980cb3fdf50a9eb2a",
        "answer.json": "6c4eb2ba745a29a5d8fddf22bf8ee8f53eaf41f0f53a3f6dc36e479466f38285",
        "citations.csv": "d067f8a8fe75e3adf72389c7c8b7c8c85597681cf08fa4e1ed45d44cb8da0619",
        "digest.json": "7aac9ecdf0ec48bebe348a2101a3d9f780e770b06cc1d3b3f55b3104fd7446d6",
        "events.jsonl": "5047e5c50632b5caf0866da750d8ecfc871a1883d1319c759149bdafaed3024b",
        "notices.csv": "ac3742ecfea3c43d1212f23338647a7e433ceb143ce480fcad9a23dc74c75564",
        "notices.json": "5e33f0d3b8bceb813741b741d3d787c36fc422d8021dcb73f21d8aa729a4b845",
        "packet.json": "5de57ae9feeb7b9e4499dc5bdf529624c87257d82fc77d60928625f4eb11042a",
        "packet_verifier.py": "f01e411a6f61955d6fa9940297bb715e82227d3592ac85394558970ab9a71577",
        "proofs.json": "09102261adf99be23f3556e15a5aee246eb60ea13c9c65b85a8f8be3557d4347",
        "renewal_roster.csv": "a823c7e0c5f63e617b90b9cc4deff7ccc2f5b1ba8e0aa4bbe8b21aa0c091a4de",
        "report.pdf": "20d6cf963840d10271606ae75682c9069722734ce479be2e363fdd0c9429e151",
        "zip": "7e6853dcda5648d0231da85610db771f24a8faba046e6589a94688c44ad2e2ab",
    },
    "agency_midway": {
        "CERTIFICATION.txt": "bf8613fc38f2bb2968b189916e152f16b7af0f153f9d71579da72b7f86356020",
        "MANIFEST.sha256": "db848c4959a0e78e2d17ae613eb2354afe8c6f976ca39bd69483c72ba38df66d",
        "README.txt": "64745af92dae57f48e3decbca33d27ef077296dbf6f650cf2d6674e10c7cbb9f",
        "answer.csv": "157859d2e991843e4359145ce274a0efaac6dd39ebc16fd088bf77389503c9e5",
        "answer.json": "383ed4c5f3704c0ae0d3493e575bfb1a11460a70dcf4d8d0c78f9e7c6c79557f",
        "citations.csv": "d067f8a8fe75e3adf72389c7c8b7c8c85597681cf08fa4e1ed45d44cb8da0619",
        "digest.json": "cbf10ab3a4e4ae76292cb4b75285c715899cb94e596d445414d8a8df825bfea2",
        "events.jsonl": "c27e4a311e0cfecc574aff7f8fe722db6a3e96c8902a5545f1da60de48cbaf85",
        "notices.csv": "ac3742ecfea3c43d1212f23338647a7e433ceb143ce480fcad9a23dc74c75564",
        "notices.json": "6c3cf9cfcdd1395d9b3484f824b2eea8accf147066ad509bb0a486190508a1cc",
        "packet.json": "ab0e9eb5501ed8d128e55ec0bee6e94ff0b5dfac9b69957972b7a3489f4dfb11",
        "packet_verifier.py": "f01e411a6f61955d6fa9940297bb715e82227d3592ac85394558970ab9a71577",
        "proofs.json": "bd70e819c9192f37edf93e42b52bbc453c8b57e86ad3914816004d0dbd53a0a5",
        "renewal_roster.csv": "78c02420789b29b8c5b8cdbea2d4e6a7fc0a5f364ac5b9c8d72532720038079b",
        "report.pdf": "62525472235fe5f50e5d88b9408b24d2511a726cc26d3569fa62c385987520d0",
        "zip": "b62f232687a80aa74a5628c8bf52a3ecd5641007b3d396abef414a832a5d5da0",
    },
    # After later events (names DejaVu lacks, an agency named in CJK): zip and report.
    "agency_cjk": {
        "report.pdf": "ac968753cb92c80eefc41a1159839072a69693f203a413b5c1a7a9c2729ded3e",
        "zip": "f1adc9770c54685f376a275c14db1681338416e77eff3da1a79cad2b3144f8d3",
    },
    "person_cjk": {
        "report.pdf": "d486c073a850faaec9d2200fbdaa4828d55585a63875dd66ead47f56dc67312e",
        "zip": "4fef287d15641c33cf1d945f4d9da46ca895e1ef691bd933815d4823951cfc7f",
    },
    "agency_named_in_cjk": {
        "report.pdf": "4988d7ef53238d4fb59afa165b2e951114538be57565bdde8e145e2f0f186237",
        "zip": "8942cc60d34cbaf6339bd1f3aeb08dd31776643f09b28d2dfa23ebf5ea1aaeab",
    },
    "person": {
        "CERTIFICATION.txt": "fe60b9ead36583ac55517a2e2923c784fc6fb61dc43c801076eb79c10f1074ca",
        "MANIFEST.sha256": "da68c0239af926e12a07d5176e04fc0c551e285ef015c69bd619a6281a5b6a10",
        "README.txt": "d1e1610c1ebd7b0ed358825d084af421a911d38f92c90bd4748182b35cc29205",
        "answer.csv": "ffde868930d6238e8456cd3ae0f6d660a8db03840703c25c8fb9c721738f9982",
        "answer.json": "08ec35e7b5480230596f16b90f5aaf9f0423a8b592efbdf689143b83ada94148",
        "ce_review.csv": "4bd91e7166fd178f679728e609a24da9b79a7d9df1555f57f095ee404e131a46",
        "citations.csv": "e4cc3e6ae73d23f4b62d470a48c05b8d8bbdcbfc5d33cf619c553925b65f7c04",
        "digest.json": "7aac9ecdf0ec48bebe348a2101a3d9f780e770b06cc1d3b3f55b3104fd7446d6",
        "events.jsonl": "63dea229d47bde80a517c168990abd9066f38f30abf0509335cd6436fa36d32c",
        "notices.csv": "ac3742ecfea3c43d1212f23338647a7e433ceb143ce480fcad9a23dc74c75564",
        "notices.json": "5e33f0d3b8bceb813741b741d3d787c36fc422d8021dcb73f21d8aa729a4b845",
        "packet.json": "8bd76628f03bb33d5f5434d299b65a7bee64dffa7de8e19c45b64af574f1f583",
        "packet_verifier.py": "f01e411a6f61955d6fa9940297bb715e82227d3592ac85394558970ab9a71577",
        "proofs.json": "0be8cd72c209de3360d0ad2433cfb5197a0e099d0471962183d9f10c3a2a1ee3",
        "report.pdf": "f0730e9024b740c08a4fc2f1f244d7ed15c1f201912515d7658dacb7e0ce5301",
        "zip": "eefce5f8717ebae8342938ef6f93f7d117289ead20f03c2a3f2ffb3fe142ea6d",
    },
}


def _digests(data: bytes) -> dict[str, str]:
    files = members(data)
    return {
        "zip": hashlib.sha256(data).hexdigest(),
        **{name: hashlib.sha256(body).hexdigest() for name, body in files.items()},
    }


def test_packets_of_a_generated_store_are_the_golden_bytes(
    ledger: Ledger, clock: SettableClock
) -> None:
    """Twelve officers over three years (seed 19): the agency packet at the store's end,
    one at a known_at halfway through (a prefix of the log), and a person's packet are
    the bytes ``main`` built before the speed-up, member by member (notices.csv, and so the
    manifest, certification and zip, since issue 18 added its `about` column). Then names in scripts
    DejaVu lacks (the report's fallback font) and an agency named in CJK are recorded:
    the first packet, rebuilt for its known_at, is still the same bytes, and the new
    packets' reports and zips are the bytes ``main`` built."""
    clock.set(datetime(2019, 1, 1, tzinfo=UTC))
    publish_shipped_packs(ledger, "system:bench")
    generate_agency(ledger, clock, slug=GOLD, name="Gold PD", state="MN", officers=12,
                    years=3, seed=19, until=date(2022, 3, 1), batch_size=500)  # fmt: skip
    assert ledger.store.count_events() == 416
    assert ledger.store.last_recorded() == GOLD_KNOWN_AT
    built = {
        "agency": agency_packet(ledger, GOLD, date(2021, 7, 1), GOLD_KNOWN_AT),
        "agency_midway": agency_packet(ledger, GOLD, date(2020, 7, 1), MIDWAY),
        "person": person_packet(ledger, GOLD, "E00003", date(2021, 7, 1), GOLD_KNOWN_AT),
    }
    clock.set(datetime(2022, 3, 2, 10, tzinfo=UTC))
    for employee_id, first, last in [("U1", "小龍", "李"), ("U2", "Thị Ánh", "Nguyễn"),
                                     ("U3", "Zoë", "X\U0010fffd")]:  # fmt: skip
        ledger.enrol_person(GOLD, employee_id, first_name=first, last_name=last, kind="sworn",
                            hired_on=date(2021, 3, 1), actor="user:test")  # fmt: skip
    ledger.register_agency("tokyo-pd", "東京 PD", "MN", actor="user:test")
    ledger.enrol_person("tokyo-pd", "T1", first_name="Ann", last_name="Lee", kind="sworn",
                        hired_on=date(2021, 3, 1), actor="user:test")  # fmt: skip
    clock.set(datetime(2022, 3, 2, 12, tzinfo=UTC))
    now, day = ledger.store.last_recorded(), date(2022, 3, 2)
    assert agency_packet(ledger, GOLD, date(2021, 7, 1), GOLD_KNOWN_AT) == built["agency"]
    built |= {
        "agency_cjk": agency_packet(ledger, GOLD, day, now),
        "person_cjk": person_packet(ledger, GOLD, "U1", day, now),
        "agency_named_in_cjk": agency_packet(ledger, "tokyo-pd", day, now),
    }
    for label, data in built.items():
        assert verify_packet(data) == [], label
        found = _digests(data)
        golden = GOLDEN[label]
        if len(golden) == 2:  # the zip and the report only
            found = {name: found[name] for name in golden}
        differing = sorted(n for n in found.keys() | golden.keys()
                           if found.get(n) != golden.get(n))  # fmt: skip
        assert differing == [], (label, differing)


def _reference_events_jsonl(ledger: Ledger, known_at: datetime, streams: list[UUID]) -> bytes:
    """``events.jsonl`` as the first builder wrote it: the index rows as ``iter_log`` gives
    them, every link recomputed by ``ledger.chain.link_for``, and each line the event's
    object through ``orjson`` with sorted keys."""
    rows = {}
    for row in ledger.store.iter_log():
        if row.meta.recorded_at > known_at:
            break
        rows[(row.originator_id, row.originator_version)] = row
    heads = {s: max(v for (o, v) in rows if o == s) for s in streams if (s, 1) in rows}
    lines, previous = [], b""
    for event in ledger.store.select_streams_up_to(heads):
        stream = as_uuid(event.originator_id)
        row = rows[(stream, event.originator_version)]
        if event.originator_version == 1:
            previous = bytes(32)
        args = (stream, event.originator_version, event.topic, event.state)
        assert link_for(previous, *args, row.meta) == row.link
        previous = row.link
        document: dict[str, Any] = {
            "agency_id": row.meta.agency_id,
            "effective_on": row.meta.effective_on,
            "link": row.link.hex(),
            "log_position": row.notification_id,
            "position": event.originator_version,
            "recorded_at": instant_text(row.meta.recorded_at),
            "state": event.state.decode("utf-8"),
            "stream": stream,
            "stream_type": row.meta.stream_type,
            "topic": event.topic,
        }
        lines.append(orjson.dumps(document, option=orjson.OPT_SORT_KEYS) + b"\n")
    return b"".join(lines)


def test_events_lines_are_the_reference_writers_on_hostile_text(
    ledger: Ledger, clock: SettableClock
) -> None:
    """Quotes, backslashes, a formula, non-Latin scripts, an astral character and a
    character no font has, in names and course titles: the person's and the agency's
    ``events.jsonl`` are byte for byte what the reference writer gives (the agency's at
    KNOWN_AT, each hostile person's at the log's end)."""
    record_agency(ledger, clock)
    clock.set(KNOWN_AT.replace(hour=9))
    hostile = [("H1", 'Quote "\\ back\\slash', "Øyvind"), ("H2", "李 小龍 😀", "X\U0010fffd")]
    for employee_id, last, first in hostile:
        ledger.enrol_person(SLUG, employee_id, first_name=first, last_name=last, kind="sworn",
                            hired_on=date(2021, 3, 1), actor=ACTOR)  # fmt: skip
        ledger.record_training(SLUG, employee_id, completed_on=date(2024, 6, 1),
                               course_title='="cmd" \\n "', hours="1.5",
                               topic_hours={"use_of_force": "1.5"}, actor=ACTOR)  # fmt: skip
    clock.set(KNOWN_AT.replace(hour=19))
    everyone = ("E1", "E2", "C1", "H1", "H2")  # H1 and H2 enrolled before KNOWN_AT
    people = [person_id_for(ledger.get_agency(SLUG).id, e) for e in everyone]
    packet = members(agency_packet(ledger, SLUG, date(2025, 3, 1), KNOWN_AT))
    assert packet["events.jsonl"] == _reference_events_jsonl(ledger, KNOWN_AT, people)
    now = ledger.store.last_recorded()
    assert now is not None
    for employee_id, last, _ in hostile:
        person = person_id_for(ledger.get_agency(SLUG).id, employee_id)
        files = members(person_packet(ledger, SLUG, employee_id, date(2025, 3, 1), now))
        assert files["events.jsonl"] == _reference_events_jsonl(ledger, now, [person])
        states = [orjson.loads(line)["state"] for line in files["events.jsonl"].splitlines()]
        assert any(orjson.dumps(last).decode() in state for state in states), last


def _tamper(ledger: Ledger, stream: UUID, version: int, table: str) -> None:
    """Change the event's stored bytes (a course title) or its index row (the effective
    date), as someone with the database's rights could."""
    with privileged(ledger) as raw:
        key = (raw.key(stream), version)
        where = "WHERE originator_id = %s AND originator_version = %s"
        if table == "index":
            raw.execute(f"UPDATE {raw.index} SET effective_on = '2019-01-01' {where}", key)
            return
        ((state,),) = raw.execute(f"SELECT state FROM {raw.events} {where}", key)
        changed = bytes(state).replace(b"Crisis", b"Crisp")
        assert changed != bytes(state)
        raw.execute(f"UPDATE {raw.events} SET state = %s {where}", (changed, *key))


@pytest.mark.parametrize("table", ["events", "index"])
def test_a_ledger_whose_links_break_gives_no_packet(
    ledger: Ledger, clock: SettableClock, table: str
) -> None:
    """An event's stored bytes, or its index row, changed behind the ledger's back: the
    packet builder recomputes the link, refuses, and names the stream and position (the
    person's packet and the agency's); other people's packets are still built."""
    record_agency(ledger, clock)
    person = ledger.get_person(SLUG, "E1").id
    positions = [e.originator_version for e in ledger.stream(person)]
    crisis = [
        e.originator_version
        for e in ledger.store.select_streams_up_to({person: max(positions)})
        if b"Crisis" in e.state
    ]
    assert len(crisis) == 1
    _tamper(ledger, person, crisis[0], table)
    where = f"stream {person} position {crisis[0]} does not match its hash link"
    with pytest.raises(BrokenChainError, match=where):
        person_packet(ledger, SLUG, "E1", date(2025, 3, 1), None)
    with pytest.raises(BrokenChainError, match=where):
        agency_packet(ledger, SLUG, date(2025, 3, 1), None)
    assert verify_packet(person_packet(ledger, SLUG, "E2", date(2025, 3, 1), None)) == []
