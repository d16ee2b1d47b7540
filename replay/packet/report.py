"""``report.pdf``: the packet's answer as a text PDF (fpdf2): what was required, what was
counted, the status, the rule versions and their citations, with ``as_of`` and ``known_at``
in every page's header.

Deterministic: the creation date is the packet's ``known_at`` and the file identifier is
derived from the query, so the same query gives the same bytes. The report uses a
Unicode font installed by Debian (``replay.packet.fonts``: DejaVu Sans, and Droid Sans
Fallback for CJK when installed), so names in any script it covers are written as they are;
a character no installed font has is written as its code point (``\\u0416``): the exact
text is in ``answer.json`` and ``answer.csv``."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import TTFFont

from projections.notify import notice_label
from replay.packet.fonts import ReportFonts, report_fonts

__all__ = ["report_pdf"]

_TOP = 24  # the body's top margin, below the header's two lines and rule

_STATUS_COLOURS = {
    "compliant": (46, 125, 50),
    "on_track": (25, 118, 210),
    "due_soon": (237, 108, 2),
    "non_compliant": (198, 40, 40),
    "inactive": (117, 117, 117),
    "not_applicable": (158, 158, 158),
    "not_hired": (189, 189, 189),
}


# Typographic characters of rule texts and citations, in plain form (as the report has
# always shown them, so reports stay comparable).
_PLAIN = str.maketrans(
    {
        "\u2013": "-",
        "\u2014": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
        "\u2264": "<=",
        "\u2265": ">=",
        "\u2212": "-",
    }
)
_FAMILY = "DejaVu"
_FALLBACK = "Fallback"


class _Report(FPDF):
    def __init__(self, packet: Mapping[str, Any], root: str, fonts: ReportFonts) -> None:
        super().__init__(orientation="portrait", unit="mm", format="Letter")
        self._fonts = fonts
        self.add_font(_FAMILY, "", fonts.regular)
        self.add_font(_FAMILY, "B", fonts.bold)
        if fonts.fallback is not None:
            self.add_font(_FALLBACK, "", fonts.fallback)
            self.set_fallback_fonts([_FALLBACK], exact_match=False)
        # Every code point some font has a glyph for (fpdf2 reads each font's cmap).
        self._covered = _covered(
            tuple(f.cmap for f in self.fonts.values() if isinstance(f, TTFFont))
        )
        self._packet, self._root = packet, root
        # The characters both DejaVu faces have, when the pages' header and footer hold no
        # other (see ``_rows_in_dejavu``); empty: the fallback font always stays set.
        regular, bold = self.fonts[_FAMILY.lower()], self.fonts[_FAMILY.lower() + "B"]
        both = _characters(regular) & _characters(bold)
        frame = "".join(map(self._text, (*self._header_lines(), *self._footer_lines())))
        plain_frame = fonts.fallback is not None and both.issuperset(frame)
        self._dejavu = both if plain_frame else frozenset()
        self.set_margins(15, _TOP, 15)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_creation_date(datetime.fromisoformat(str(packet["known_at"])))
        self._id = (
            hashlib.sha256(
                f"{packet['kind']}|{packet['agency']}|{packet['employee_id']}|{packet['as_of']}|"
                f"{packet['known_at']}".encode()
            )
            .hexdigest()[:32]
            .upper()
        )
        self.set_title(self._text(f"muster compliance report: {packet['agency_name']}"))
        self.set_author(self._text(packet["agency_name"]))
        self.set_creator("muster")
        self.set_producer("muster")

    def _text(self, text: object) -> str:
        """The text as the fonts can show it: typographic dashes and quotes made plain,
        a character no font has (or an unprintable one) as its code point."""
        value = "" if text is None else str(text).translate(_PLAIN)
        covered = self._covered
        if all(c.isprintable() and ord(c) in covered for c in value):
            return value
        return "".join(
            c if c.isprintable() and ord(c) in covered else f"\\u{ord(c):04x}" for c in value
        )

    def file_id(self) -> str:
        return f"<{self._id}><{self._id}>"

    def _header_lines(self) -> tuple[str, str]:
        p = self._packet
        return (
            f"{p['agency_name']} ({p['agency']})",
            f"as of {p['as_of']} ({p['time_zone']})   known at {p['known_at']}   "
            "(the records as they stood then)",
        )

    def _footer_lines(self, page: int = 0) -> tuple[str, str]:
        p = self._packet
        return (
            f"page {page}/{{nb}}   as of {p['as_of']}, known at {p['known_at']}",
            f"ledger digest at known_at {self._root}",
        )

    def header(self) -> None:
        agency, axes = self._header_lines()
        self.set_y(8)
        self.set_font(_FAMILY, "B", 10)
        self.cell(0, 5, self._text(agency), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(_FAMILY, "", 9)
        self.cell(0, 5, self._text(axes), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(120, 120, 120)
        self.line(15, 19, self.w - 15, 19)
        self.set_y(_TOP)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(_FAMILY, "", 7)
        self.set_text_color(90, 90, 90)
        axes, root = self._footer_lines(self.page_no())
        self.cell(0, 3.5, self._text(axes), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.cell(0, 3.5, root, align="C")
        self.set_text_color(0, 0, 0)

    def heading(self, text: str) -> None:
        self.ln(2)
        self.set_font(_FAMILY, "B", 12)
        self.cell(0, 7, self._text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(_FAMILY, "", 9)

    def para(self, text: str, size: float = 9, style: str = "") -> None:
        self.set_font(_FAMILY, style, size)
        self.multi_cell(0, 4.5, self._text(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def row(self, widths: Sequence[float], cells: Sequence[object], bold: bool = False) -> None:
        self.set_font(_FAMILY, "B" if bold else "", 7)
        if self.will_page_break(5):
            self.add_page()
        texts = [self._text(cell) for cell in cells]
        with self._rows_in_dejavu(texts):
            for width, text in zip(widths, texts, strict=True):
                self.cell(width, 5, self._fitted(text, width - 1.5), border="B")
        self.ln(5)

    @contextmanager
    def _rows_in_dejavu(self, texts: Sequence[str]) -> Iterator[None]:
        """While a fallback font is set, fpdf2 splits every text it measures or writes
        character by character to find each one's font: most of an agency report's time.
        A text every character of which both DejaVu faces have is written the same without
        it, so for such a row (and when the header and footer, which an automatic page
        break would write meanwhile, are such text too) the fallback is set aside. The
        golden packets of ``tests/packets/test_same_bytes.py`` hold the bytes."""
        fallback = getattr(self, "_fallback_font_ids", None)  # fpdf2's own (2.8.9)
        if not fallback or not all(self._dejavu.issuperset(text) for text in texts):
            yield
            return
        self._fallback_font_ids = []
        try:
            yield
        finally:
            self._fallback_font_ids = fallback

    def _fitted(self, text: str, room: float) -> str:
        """The text cut to the column, ending in ``~`` when cut (the CSV has it whole)."""
        width = self.get_string_width(text)
        if width <= room:
            return text
        text = text[: max(int(len(text) * room / width), 1)]
        while text and self.get_string_width(text + "~") > room:
            text = text[:-1]
        return text + "~"

    def bars(self, items: Sequence[tuple[str, float, float, str]]) -> None:
        """A horizontal bar per item: counted against required, coloured by status."""
        for label, counted, required, status in items:
            if self.will_page_break(6):
                self.add_page()
            y = self.get_y()
            self.set_font(_FAMILY, "", 7.5)
            self.cell(55, 5, self._fitted(self._text(label), 54))
            full = 90.0
            share = 1.0 if required <= 0 else min(counted / required, 1.0)
            self.set_fill_color(230, 230, 230)
            self.rect(72, y + 1, full, 3, style="F")
            self.set_fill_color(*_STATUS_COLOURS.get(status, (0, 0, 0)))
            self.rect(72, y + 1, full * share, 3, style="F")
            self.set_x(72 + full + 3)
            self.cell(
                0,
                5,
                self._text(f"{counted:g} of {required:g}  {status}"),
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )


def _characters(font: object) -> frozenset[str]:
    return frozenset(map(chr, _covered((font.cmap,)))) if isinstance(font, TTFFont) else frozenset()


def _covered(cmaps: tuple[Mapping[int, object], ...]) -> frozenset[int]:
    return frozenset(code for cmap in cmaps for code, glyph in cmap.items() if glyph)


def report_pdf(
    packet: Mapping[str, Any],
    answer: Mapping[str, Any],
    people: Sequence[Mapping[str, Any]],
    digest: Mapping[str, Any],
    notices: Sequence[Mapping[str, Any]] = (),
) -> bytes:
    pdf = _Report(packet, str(digest["root"]), report_fonts())
    pdf.add_page()
    if packet["kind"] == "person":
        _person(pdf, people[0])
        _notices(pdf, "Notices about this person (proof of notice)", notices)
    else:
        _agency(pdf, answer, people)
        _agency_notices(pdf, people, notices)
    _provenance(pdf, packet, digest)
    return bytes(pdf.output())


def _person(pdf: _Report, person: Mapping[str, Any]) -> None:
    compliance = person["compliance"]
    pdf.para("Training compliance report", 15, "B")
    pdf.para(
        f"{person['name']}  (employee {person['employee_id']}, {person['kind']}, "
        f"{person['person_status']})",
        11,
    )
    pdf.para(f"Status: {compliance['status']}", 13, "B")
    pdf.heading("Rule versions in force")
    for label in compliance["rule_versions"] or ["none"]:
        pdf.para(f"- {label}")
    requirements = compliance["requirements"]
    pdf.heading("Requirements: required and counted")
    widths: tuple[float, ...] = (50, 38, 24, 14, 16, 20, 24)
    pdf.row(
        widths,
        ("requirement", "window", "required", "counted", "remaining", "deadline", "status"),
        bold=True,
    )
    for r in requirements:
        window = f"{r['window_start'] or ''}..{r['window_end'] or ''}"
        pdf.row(
            widths,
            (
                f"{r['requirement_id']} ({r['version_id']})",
                window,
                f"{r['required']} {'h' if r['unit'] == 'hours' else r['unit']}",
                r["counted"],
                r["remaining"],
                r["deadline"] or "",
                r["status"],
            ),
        )
    pdf.ln(2)
    pdf.bars(
        [
            (r["requirement_id"], float(r["counted"]), float(r["required"]), r["status"])
            for r in requirements
            if r["unit"] == "hours"
        ]
    )
    pdf.heading("Why: reasons and citations")
    for r in requirements:
        pdf.para(
            f"{r['requirement_id']}: {r.get('title', '')} [{r['status']}, "
            f"confidence {r['confidence']}]",
            9,
            "B",
        )
        for reason in r["reasons"]:
            pdf.para(f"  - {reason}", 8)
        for c in r.get("citations", ()):
            pdf.para(
                f"  cites {c['source_id']}: {c['title']}" + (f" <{c['url']}>" if c["url"] else ""),
                8,
            )
    for reason in compliance["reasons"]:
        pdf.para(f"- {reason}", 8)
    pdf.heading("Records counted")
    widths = (22, 54, 11, 42, 56)
    pdf.row(widths, ("completed on", "course", "hours", "recorded at (UTC)", "record"), bold=True)
    for record in person["counted_records"]:
        pdf.row(
            widths,
            (
                record["effective_on"],
                record["course_title"],
                record["hours"],
                record["recorded_at"],
                record["record_id"],
            ),
        )
        for c in record.get("corrections", ()):
            pdf.para(f"    corrected, recorded {c['recorded_at']}: {c['reason']}", 8)


def _agency(pdf: _Report, answer: Mapping[str, Any], people: Sequence[Mapping[str, Any]]) -> None:
    pdf.para("Agency training compliance roster", 15, "B")
    counts = answer["counts"]
    pdf.para(
        f"{sum(counts.values())} people counted; not yet hired (uncounted): "
        f"{answer['not_yet_hired']}",
        10,
    )
    pdf.heading("Status counts")
    total = max(sum(counts.values()), 1)
    pdf.bars([(status, float(n), float(total), status) for status, n in counts.items()])
    pdf.heading("Rule versions in force")
    for label in answer["rule_versions_known"] or ["none"]:
        pdf.para(f"- {label}")
    unmet = Counter(
        requirement
        for p in people
        for requirement in sorted(
            {
                r["requirement_id"]
                for r in p["compliance"]["requirements"]
                if r["status"] in {"non_compliant", "due_soon"}
            }
        )
    )
    if unmet:
        pdf.heading("Requirements most often unmet (non-compliant or due soon)")
        for requirement, n in sorted(unmet.items(), key=lambda item: (-item[1], item[0]))[:12]:
            pdf.para(f"- {requirement}: {n} {'person' if n == 1 else 'people'}")
    pdf.heading("Everyone")
    widths = (24, 52, 18, 20, 28, 44)
    pdf.row(
        widths, ("employee", "name", "kind", "person", "status", "unmet requirements"), bold=True
    )
    for p in people:
        open_ = sorted(
            {
                r["requirement_id"]
                for r in p["compliance"]["requirements"]
                if r["status"] in {"non_compliant", "due_soon", "on_track"}
            }
        )
        pdf.row(
            widths,
            (
                p["employee_id"],
                p["name"],
                p["kind"],
                p["person_status"],
                p["compliance"]["status"],
                ", ".join(open_),
            ),
        )


_NOTICE_WIDTHS = (20, 46, 50, 34, 36)


def _notices(pdf: _Report, title: str, notices: Sequence[Mapping[str, Any]]) -> None:
    """The notices as recorded by known_at: each one's day, what it was about, to whom,
    and whether (and when, UTC) it was delivered and acknowledged."""
    pdf.heading(title)
    if not notices:
        pdf.para("No notice was recorded by known_at.")
        return
    pdf.row(_NOTICE_WIDTHS, ("day", "notice", "to", "deadline", "outcome (UTC)"), bold=True)
    for n in notices:
        window = n["window"] if n["window"] in {"overdue", "digest"} else f"{n['window']} d before"
        outcome = (
            f"delivered {n['delivered_at'][:16]}"
            if n["outcome"] == "delivered"
            else f"{n['outcome']} ({n['attempts']} attempts)"
        )
        pdf.row(
            _NOTICE_WIDTHS,
            (
                n["day"],
                f"{n['kind']}: {notice_label(n['requirement'] or '', n['title'] or '')}",
                f"{n['recipient']} ({n['recipient_role']}, {n['channel']})",
                f"{n['deadline'] or ''} {window}",
                outcome,
            ),
        )
        if n["acknowledged_at"]:
            pdf.para(f"    acknowledged {n['acknowledged_at'][:16]} by {n['acknowledged_by']}", 8)


def _agency_notices(
    pdf: _Report, people: Sequence[Mapping[str, Any]], notices: Sequence[Mapping[str, Any]]
) -> None:
    """Counts of every notice, and the notices about those non-compliant or due soon on
    as_of listed (notices.csv holds them all)."""
    pdf.heading("Notices (proof of notice)")
    kinds = Counter((n["kind"], n["outcome"]) for n in notices)
    acknowledged = sum(1 for n in notices if n["acknowledged_at"])
    pdf.para(
        f"{len(notices)} notices decided by as_of and recorded by known_at; "
        f"{acknowledged} acknowledged. Every one is in notices.csv and notices.json."
    )
    for (kind, outcome), n in sorted(kinds.items()):
        pdf.para(f"- {kind}, {outcome}: {n}")
    open_ = {"non_compliant", "due_soon"}
    late = {p["employee_id"] for p in people if p["compliance"]["status"] in open_}
    _notices(
        pdf,
        "Notices about people non-compliant or due soon on as_of",
        [n for n in notices if n["employee_id"] in late],
    )


def _provenance(pdf: _Report, packet: Mapping[str, Any], digest: Mapping[str, Any]) -> None:
    pdf.heading("Where this comes from")
    pdf.para(
        f"This report is generated from the agency's append-only ledger as the records stood "
        f"at {packet['known_at']} (log position {digest['position']}, {digest['events']} "
        f"events). The ledger digest then was {digest['root']}. The packet's events.jsonl "
        "holds every event this report rests on with its hash link; packet_verifier.py "
        "checks them, their inclusion in the digest and every file's SHA-256 without muster."
    )
