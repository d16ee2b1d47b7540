"""Byte-stable exports of as-of answers: JSON and CSV of the same query are reproducible."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from replay.asof import RosterAnswer

__all__ = [
    "ROSTER_CSV_COLUMNS",
    "TRACKS_CSV_COLUMNS",
    "roster_csv",
    "spreadsheet_cell",
    "spreadsheet_row",
    "to_json",
]

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
# A roster across the tracks (``replay.track_answers``): each row names its track, and the
# credential and policy items get a row each (item id, version, status, last day, reasons).
TRACKS_CSV_COLUMNS = [
    *ROSTER_CSV_COLUMNS[:8],
    "track",
    *ROSTER_CSV_COLUMNS[8:-1],
    "reasons",
    ROSTER_CSV_COLUMNS[-1],
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
    import csv  # here: a status or a JSON export does without it

    writer = _SafeWriter(csv.writer(out, lineterminator=line_end))
    tracks = document.get("tracks_shown") if "counts_by_track" in document else None
    writer.writerow(ROSTER_CSV_COLUMNS if tracks is None else TRACKS_CSV_COLUMNS)
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
            compliance["status"] if tracks is None else person["status"],
        ]
        if tracks is not None:
            _track_rows(writer, base, person, tracks, zone)
            if "state" not in tracks:
                continue
            base.append("state")
        requirements = compliance["requirements"] or [None]
        for requirement in requirements:
            if requirement is None:
                blank = [""] * (len(ROSTER_CSV_COLUMNS) - 9)
                writer.writerow([*base, *blank, *([""] if tracks else []), zone])
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
                    *([] if tracks is None else [""]),
                    zone,
                ]
            )
    return out.getvalue().encode()


def _track_rows(
    writer: _SafeWriter, base: list[Any], person: Mapping[str, Any], tracks: list[str], zone: str
) -> None:
    """A row for each credential and policy item of the tracks shown (the state track's
    requirements follow, one a row, as in the state roster)."""
    for item in person["items"]:
        if item["track"] not in tracks:
            continue
        blank = [""] * 3
        writer.writerow(
            [
                *base,
                item["track"],
                "",
                item["version"],
                item["item_id"],
                item["status"],
                "",
                "",
                item["until"] or "",
                *blank,
                "",
                "",
                "",
                "\n".join(item["reasons"]),
                zone,
            ]
        )


class _SafeWriter:
    """Every row the roster export writes goes through ``spreadsheet_row``."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer

    def writerow(self, cells: Iterable[object]) -> None:
        self._writer.writerow(spreadsheet_row(cells))
