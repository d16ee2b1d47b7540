"""What a packet's files say: RFC 4180 CSV with formulas neutralised, the PDF's text
extractable and stating ``as_of`` and ``known_at`` on every page, the certification filled
in with the manifest's hash (issue 19 acceptance; reliability.md L3: "CSV parses under RFC
4180, UTF-8 with a header row; the PDF has extractable text; … the 902(13)/(14)
certification template is filled with the manifest hash and checkpoint")."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from datetime import date

from pypdf import PdfReader

from ledger.application import Ledger
from ledger.clock import SettableClock
from replay.packet import agency_packet, person_packet
from tests.packets.helpers import HOSTILE_COURSE, KNOWN_AT, SLUG, members, record_agency

AS_OF = date(2025, 3, 1)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
# RFC 4180: fields of TEXTDATA, or quoted with "" for a quote; records end in CRLF.
_FIELD = r'(?:[^",\r\n]*|"(?:[^"]|"")*")'
_RECORD = re.compile(rf"{_FIELD}(?:,{_FIELD})*\r\n")


def _rfc4180(data: bytes) -> list[list[str]]:
    """The file's records, after checking it is a run of RFC 4180 records end to end."""
    text = data.decode("utf-8")
    at = 0
    while at < len(text):
        match = _RECORD.match(text, at)
        assert match is not None, text[at : at + 80]
        assert match.end() > at, text[at : at + 80]
        at = match.end()
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    assert len({len(row) for row in rows}) == 1  # every record as wide as the header
    return rows


def test_csv_files_are_rfc4180_and_hold_no_formula(ledger: Ledger, clock: SettableClock) -> None:
    """answer.csv and citations.csv of the agency packet parse as RFC 4180 (CRLF, quoting),
    and the hostile course title and last name come out quoted as text; answer.json
    keeps them exactly."""
    record_agency(ledger, clock)
    files = members(agency_packet(ledger, SLUG, AS_OF, KNOWN_AT))
    answer = _rfc4180(files["answer.csv"])
    citations = _rfc4180(files["citations.csv"])
    assert citations[0] == ["rule_version", "requirement_id", "source_id", "title", "url"]
    assert len(citations) > 5
    header = answer[0]
    names = {row[header.index("employee_id")]: row[header.index("name")] for row in answer[1:]}
    assert names["E2"] == "'+1+cmd|' /C calc'!A0, Pat"
    for row in answer + citations:
        for cell in row:
            assert not cell.startswith(_FORMULA) or re.fullmatch(r"[+-]?\d+(\.\d+)?", cell), cell
    person = members(person_packet(ledger, SLUG, "E1", AS_OF, KNOWN_AT))
    counted = json.loads(person["answer.json"])["person"]["counted_records"]
    assert HOSTILE_COURSE in {r["course_title"] for r in counted}  # JSON keeps stored text


def test_pdf_text_states_both_axes_on_every_page(ledger: Ledger, clock: SettableClock) -> None:
    """Every page's extracted text has as_of and the known_at used; the first page names
    the person, the status and the rule versions; required and counted hours are there."""
    record_agency(ledger, clock)
    files = members(person_packet(ledger, SLUG, "E1", AS_OF, KNOWN_AT))
    answer = json.loads(files["answer.json"])
    reader = PdfReader(io.BytesIO(files["report.pdf"]))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 2
    for text in pages:
        assert f"as of {answer['as_of']}" in text
        assert f"known at {answer['known_at']}" in text
    compliance = answer["person"]["compliance"]
    assert "Officer, Pat" in pages[0]
    assert f"Status: {compliance['status']}" in pages[0]
    whole = "\n".join(pages)
    for label in compliance["rule_versions"]:
        assert label in whole
    hours = [r for r in compliance["requirements"] if r["unit"] == "hours"]
    assert any(r["counted"] != "0" for r in hours)
    for r in hours:  # the chart's label: counted of required
        assert f"{float(r['counted']):g} of {float(r['required']):g}  {r['status']}" in whole
    assert "Crisis intervention" in whole
    cited = {c["source_id"] for r in compliance["requirements"] for c in r.get("citations", ())}
    assert cited  # the rule versions' citations are in the report, each by its source
    for source in cited:
        assert f"cites {source}:" in whole, source
    assert reader.metadata is not None
    assert reader.metadata.creation_date is not None


def test_agency_pdf_lists_everyone_with_axes(ledger: Ledger, clock: SettableClock) -> None:
    record_agency(ledger, clock)
    files = members(agency_packet(ledger, SLUG, AS_OF, KNOWN_AT))
    answer = json.loads(files["answer.json"])
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(files["report.pdf"])).pages]
    for text in pages:
        assert f"known at {answer['known_at']}" in text
    whole = "\n".join(pages)
    for person in answer["people"]:
        assert person["employee_id"] in whole


def test_certification_carries_the_manifest_hash_and_the_digest(
    ledger: Ledger, clock: SettableClock
) -> None:
    record_agency(ledger, clock)
    files = members(person_packet(ledger, SLUG, "E1", AS_OF, KNOWN_AT))
    text = files["CERTIFICATION.txt"].decode()
    digest = json.loads(files["digest.json"])
    assert f"Manifest SHA-256: {hashlib.sha256(files['MANIFEST.sha256']).hexdigest()}" in text
    assert digest["root"] in text
    assert "902(13) and 902(14)" in text
    assert "Packet Test PD" in text
    assert "'E1'" in text
    listed = [line.split("  ")[1] for line in files["MANIFEST.sha256"].decode().splitlines()]
    assert listed == sorted(set(files) - {"MANIFEST.sha256", "CERTIFICATION.txt"})


def test_ce_review_sheet_lists_the_licence_periods_courses(
    ledger: Ledger, clock: SettableClock
) -> None:
    """Minnesota's CE review asks for "provider, course title, date(s) and hours completed"
    (post-rules.md §2.1) and courses carry a POST course number (post-rules-mn-or-update.md
    Q4): the person packet's ce_review.csv has them for each course in the licence period
    holding as_of, per requirement that counted it, with the MLO category of its topic
    hours; the hostile course title is written as text."""
    record_agency(ledger, clock)
    ledger.record_training(
        SLUG,
        "E1",
        completed_on=date(2024, 11, 4),
        course_title="Autism awareness",
        hours="4",
        topic_hours={"autism": "4"},
        provider="Autism Society",
        post_course_number="09053-0497",
        actor="user:test",
    )
    files = members(person_packet(ledger, SLUG, "E1", AS_OF, None))
    rows = _rfc4180(files["ce_review.csv"])
    header, body = rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert header[:3] == ["licence_number", "period_start", "period_end"]
    assert {r["period_start"] for r in body} == {"2020-01-06"}
    autism = [r for r in body if r["course_title"] == "Autism awareness"]
    assert autism
    for row in autism:
        assert row["provider"] == "Autism Society"
        assert row["post_course_number"] == "09053-0497"
        assert row["completed_on"] == "2024-11-04"
        assert row["credits"] == "4.00"
        assert row["categories"] == "MLO-AUT Autism: 4.00"
    assert any(r["requirement"].endswith("/mlo") for r in autism)
    titles = {r["course_title"] for r in body}
    assert "'" + HOSTILE_COURSE in titles
    assert "'-Legal update" not in titles  # E2's course is not E1's
    assert json.loads(files["packet.json"])["files"]["ce_review.csv"]


def test_every_formula_start_is_neutralised_in_the_packets_csv(
    ledger: Ledger, clock: SettableClock
) -> None:
    """A name or course title beginning with each of ``=``, ``+``, ``-``, ``@`` (and a
    plain negative number, which stays a number): in every CSV of the agency's and the
    person's packet each such cell is text (a leading ``'``), and answer.json keeps the
    stored text exactly."""
    record_agency(ledger, clock)
    clock.set(KNOWN_AT.replace(hour=9))
    ledger.enrol_person(SLUG, "F1", first_name="-2+3", last_name="@SUM(A1:A9)", kind="sworn",
                        hired_on=date(2021, 3, 1), actor="user:test")  # fmt: skip
    ledger.record_license(SLUG, "F1", license_number="6F0001", issued_on=date(2021, 3, 1),
                          period_end=date(2026, 6, 30), actor="user:test")  # fmt: skip
    for title in ("=1+1", "+cmd", "-x", "@me"):
        ledger.record_training(SLUG, "F1", completed_on=date(2024, 6, 1), course_title=title,
                               hours="1", topic_hours={"use_of_force": "1"},
                               actor="user:test")  # fmt: skip
    clock.set(KNOWN_AT.replace(hour=19))
    agency = members(agency_packet(ledger, SLUG, AS_OF, KNOWN_AT))
    person = members(person_packet(ledger, SLUG, "F1", AS_OF, KNOWN_AT))
    names = _rfc4180(agency["answer.csv"])
    name_at = names[0].index("name")
    assert {r[name_at] for r in names[1:] if "SUM" in r[name_at]} == {"'@SUM(A1:A9), -2+3"}
    review = _rfc4180(person["ce_review.csv"])
    titles = {row[review[0].index("course_title")] for row in review[1:]}
    assert {"'=1+1", "'+cmd", "'-x", "'@me"} <= titles
    cells = [
        cell
        for files in (agency, person)
        for name, data in files.items()
        if name.endswith(".csv")
        for row in _rfc4180(data)
        for cell in row
    ]
    assert cells
    for cell in cells:
        assert not cell.startswith(_FORMULA) or re.fullmatch(r"[+-]?\d+(\.\d+)?", cell), cell
    stored = json.loads(person["answer.json"])["person"]
    assert stored["name"] == "@SUM(A1:A9), -2+3"
    assert {"=1+1", "+cmd", "-x", "@me"} <= {r["course_title"] for r in stored["counted_records"]}
