"""Real workbooks edited the way a hostile or broken tool writes them: the sheet XML inside
the zip is rewritten (no mock of the reader)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

SHEET = "xl/worksheets/sheet1.xml"


def rewrite_sheet(data: bytes, edit: Callable[[str], str]) -> bytes:
    """The same workbook with its first worksheet's XML passed through ``edit``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == SHEET:
                body = edit(body.decode()).encode()
            target.writestr(info.filename, body)
    return out.getvalue()


def with_dimension(data: bytes, reference: str) -> bytes:
    """Store ``<dimension ref=…>`` (its place is right after ``<sheetPr>``)."""

    def edit(xml: str) -> str:
        assert "<dimension" not in xml
        return xml.replace("</sheetPr>", f'</sheetPr><dimension ref="{reference}"/>', 1)

    return rewrite_sheet(data, edit)


def sheet_xml(data: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read(SHEET).decode()
