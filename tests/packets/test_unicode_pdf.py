"""report.pdf writes names in any script the installed fonts cover (issue 19 brief:
"Nguyễn", "Øyvind", "Иван", "李"): DejaVu Sans (fonts-dejavu-core) and Droid Sans Fallback
(fonts-droid-fallback, CJK); the extracted text has them as they are. Without DejaVu no
report is made, and the error names the file and the package to install."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from ledger.application import Ledger
from ledger.clock import SettableClock
from replay.packet import agency_packet, person_packet
from replay.packet.fonts import FALLBACK_FILE, FontMissingError, report_fonts
from tests.factories import ACTOR
from tests.packets.helpers import KNOWN_AT, SLUG, members, record_agency

AS_OF = date(2025, 3, 1)
NAMES = [("U1", "Nguyễn", "Thị Ánh"), ("U2", "Øyvind", "Ærø"), ("U3", "Иван", "Петров")]
CJK = ("U4", "李", "小龍")


def _enrol_unicode(ledger: Ledger, clock: SettableClock) -> None:
    record_agency(ledger, clock)
    clock.set(KNOWN_AT.replace(hour=9))
    for employee_id, first, last in [*NAMES, CJK]:
        ledger.enrol_person(
            SLUG,
            employee_id,
            first_name=first,
            last_name=last,
            kind="sworn",
            hired_on=date(2021, 3, 1),
            actor=ACTOR,
        )
    clock.set(KNOWN_AT.replace(hour=19))


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_agency_report_writes_every_script(ledger: Ledger, clock: SettableClock) -> None:
    _enrol_unicode(ledger, clock)
    text = _text(members(agency_packet(ledger, SLUG, AS_OF, KNOWN_AT))["report.pdf"])
    for _, first, last in NAMES:
        assert f"{last}, {first}" in text
    assert "\\u" not in text  # nothing fell back to a code point
    if FALLBACK_FILE.is_file():
        assert f"{CJK[2]}, {CJK[1]}" in text


def test_person_report_heads_with_the_name_as_written(ledger: Ledger, clock: SettableClock) -> None:
    _enrol_unicode(ledger, clock)
    files = members(person_packet(ledger, SLUG, "U1", AS_OF, KNOWN_AT))
    first_page = PdfReader(io.BytesIO(files["report.pdf"])).pages[0].extract_text()
    assert "Thị Ánh, Nguyễn" in first_page
    again = members(person_packet(ledger, SLUG, "U1", AS_OF, KNOWN_AT))
    assert again["report.pdf"] == files["report.pdf"]  # the embedded subset is stable


def test_a_character_no_font_has_is_its_code_point(ledger: Ledger, clock: SettableClock) -> None:
    """U+10FFFD (private use) is in no installed font: it is written as ``\\U10fffd``'s
    code point, the rest of the name as it is."""
    record_agency(ledger, clock)
    clock.set(KNOWN_AT.replace(hour=9))
    ledger.enrol_person(
        SLUG,
        "U9",
        first_name="Zoë",
        last_name="X\U0010fffd",
        kind="sworn",
        hired_on=date(2021, 3, 1),
        actor=ACTOR,
    )
    clock.set(KNOWN_AT.replace(hour=19))
    text = _text(members(person_packet(ledger, SLUG, "U9", AS_OF, KNOWN_AT))["report.pdf"])
    assert "X\\u10fffd, Zoë" in text


def test_without_dejavu_the_error_names_the_package(tmp_path: Path) -> None:
    with pytest.raises(FontMissingError, match=r"DejaVuSans\.ttf.*fonts-dejavu-core"):
        report_fonts(tmp_path, tmp_path / "none.ttf")
    found = report_fonts()
    assert found.regular.name == "DejaVuSans.ttf"
    assert found.bold.name == "DejaVuSans-Bold.ttf"
