"""The report's page: Letter paper, the header and footer naming ``as_of``, ``known_at``
and the ledger digest on every page, the fonts and the text they can show, and the few
drawing primitives (heading, paragraph, table row, progress bar) the sections use.

Deterministic: the creation date is the packet's ``known_at`` and the file identifier is
derived from the query, so the same query gives the same bytes."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import TTFFont

from replay.packet.fonts import ReportFonts

__all__ = ["ReportPage"]

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


class ReportPage(FPDF):
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
