"""The report's fonts: DejaVu Sans (Debian's ``fonts-dejavu-core``), a Unicode TrueType
font covering Latin, Greek, Cyrillic and much else, so names like "Nguyễn", "Øyvind" and
"Иван" are written as they are; and, when installed, Droid Sans Fallback
(``fonts-droid-fallback``) for the Chinese, Japanese and Korean characters DejaVu lacks
("李"). The font files are read from the machine, never shipped with muster.

Without DejaVu no report is made: ``FontMissingError`` says which file and which Debian
package. A character no installed font covers is written as its code point (``\\u4e2d``);
the exact text is always in ``answer.json`` and ``answer.csv``.

Byte-identical rebuilds (issue 19 §5) hold on one machine; the embedded subsets are cut
from the installed font files, so another version of a font package changes the PDF's
bytes (not its text)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEJAVU_DIR", "FALLBACK_FILE", "FontMissingError", "ReportFonts", "report_fonts"]

DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
FALLBACK_FILE = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")
_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}


class FontMissingError(Exception):
    """The report's font is not installed; the message says which file and package."""


@dataclass(frozen=True)
class ReportFonts:
    regular: Path
    bold: Path
    fallback: Path | None  # CJK, when installed


def report_fonts(dejavu_dir: Path = DEJAVU_DIR, fallback: Path = FALLBACK_FILE) -> ReportFonts:
    """The installed fonts, or FontMissingError naming what to install."""
    return _found(dejavu_dir, fallback)


def _found(dejavu_dir: Path, fallback: Path) -> ReportFonts:
    paths = {style: dejavu_dir / name for style, name in _FILES.items()}
    for path in paths.values():
        if not path.is_file():
            msg = (
                f"the PDF report needs the DejaVu Sans font, {path} is missing "
                "(install the Debian package fonts-dejavu-core)"
            )
            raise FontMissingError(msg)
    return ReportFonts(paths[""], paths["B"], fallback if fallback.is_file() else None)
