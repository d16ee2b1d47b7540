"""Byte-stable exports of as-of answers: JSON and CSV of the same query are reproducible."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from replay.asof import RosterAnswer

__all__ = ["ROSTER_CSV_COLUMNS", "roster_csv", "spreadsheet_cell", "spreadsheet_row", "to_json"]

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV
# Injection"): a name "=HYPERLINK(...)" would become a live link in the coordinator's Excel.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?[0-9]+(?:\.[0-9]+)?$")

ROSTER_CSV_COLUMNS = [
    "agency",
    "as_of",
    "known_at",
    "employee_id",
    "name",
    "kind",
    "person_status",
    "overall_status",
    "pack_id",
    "version_id",
    "requirement_id",
    "requirement_status",
    "window_start",
    "window_end",
    "deadline",
    "required",
    "counted",
    "remaining",
    "confidence",
    "records",
    "corrections",
    "time_zone",
]


def to_json(document: Mapping[str, Any]) -> bytes:
    """Sorted keys, two-space indent, trailing newline: the same answer, the same bytes."""
    if isinstance(document, RosterAnswer):
        return document.to_json()  # the same bytes, put together from the stored rows
    return orjson.dumps(document, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"


def spreadsheet_cell(value: str) -> str:
    """The cell as written to a CSV: text a spreadsheet would run as a formula gets a
    leading ``'`` (shown as text, the quote hidden); a plain signed number is left as it is."""
    if value.startswith(_FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


def spreadsheet_row(cells: Iterable[object]) -> list[str]:
    # None is an empty cell, as csv.writer writes it.
    return [spreadsheet_cell("" if cell is None else str(cell)) for cell in cells]


def roster_csv(document: Mapping[str, Any], *, line_end: str = "\n") -> bytes:
    """One row per person and requirement (a person with none still gets one row);
    counted records as ``record_id@effective_on/recorded_at`` joined by ``;``, and the
    corrections of those records, one a line, as ``record_id@recorded_at: reason`` (a
    reason holds no line break: the ledger refuses control characters in text). Rows end
    in ``line_end``: audit packets write RFC 4180's CRLF."""
    out = io.StringIO()
    writer = _SafeWriter(csv.writer(out, lineterminator=line_end))
    writer.writerow(ROSTER_CSV_COLUMNS)
    zone = document["time_zone"]
    for person in document["people"]:
        compliance = person["compliance"]
        records = {r["record_id"]: r for r in person["counted_records"]}
        base = [
            document["agency"]["slug"],
            document["as_of"],
            document["known_at"],
            person["employee_id"],
            person["name"],
            person["kind"],
            person["person_status"],
            compliance["status"],
        ]
        requirements = compliance["requirements"] or [None]
        for requirement in requirements:
            if requirement is None:
                blank = [""] * (len(ROSTER_CSV_COLUMNS) - len(base) - 1)
                writer.writerow([*base, *blank, zone])
                continue
            listed = [records[rid] for rid in requirement["records"] if rid in records]
            counted = ";".join(
                f"{r['record_id']}@{r['effective_on']}/{r['recorded_at']}" for r in listed
            )
            corrections = "\n".join(
                f"{r['record_id']}@{c['recorded_at']}: {c['reason']}"
                for r in listed
                for c in r.get("corrections", ())
            )
            writer.writerow(
                [
                    *base,
                    requirement["pack_id"],
                    requirement["version_id"],
                    requirement["requirement_id"],
                    requirement["status"],
                    requirement["window_start"] or "",
                    requirement["window_end"] or "",
                    requirement["deadline"] or "",
                    requirement["required"],
                    requirement["counted"],
                    requirement["remaining"],
                    requirement["confidence"],
                    counted,
                    corrections,
                    zone,
                ]
            )
    return out.getvalue().encode()


class _SafeWriter:
    """Every row the roster export writes goes through ``spreadsheet_row``."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer

    def writerow(self, cells: Iterable[object]) -> None:
        self._writer.writerow(spreadsheet_row(cells))
