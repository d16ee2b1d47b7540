"""Spreadsheet import (issue 5): read CSV/XLSX, validate every row, append all or nothing.

An edge like the CLI and the API: it parses and reports, and leaves every rule about what
may be recorded to the ledger's own use cases, called inside one unit per file.
"""

from __future__ import annotations

from api.importing.columns import PEOPLE_COLUMNS, TRAINING_COLUMNS, Column, columns_for
from api.importing.files import MalformedFileError, Sheet, read_sheet
from api.importing.limits import ImportLimits, LimitExceededError
from api.importing.report import ImportReport, ImportStatus, Issue, Severity
from api.importing.service import file_sha256, run_import
from api.importing.templates import template_bytes, template_rows
from api.importing.topics import NoRulePackError, agency_topics, known_topics

__all__ = [
    "PEOPLE_COLUMNS",
    "TRAINING_COLUMNS",
    "Column",
    "ImportLimits",
    "ImportReport",
    "ImportStatus",
    "Issue",
    "LimitExceededError",
    "MalformedFileError",
    "NoRulePackError",
    "Severity",
    "Sheet",
    "agency_topics",
    "columns_for",
    "file_sha256",
    "known_topics",
    "read_sheet",
    "run_import",
    "template_bytes",
    "template_rows",
]
