"""The synthetic agency (demo and test data): a client of the ledger's use cases, like the
spreadsheet import beside it."""

from __future__ import annotations

from api.synthetic.catalogue import COURSES
from api.synthetic.generator import DemoSummary, generate_agency

__all__ = ["COURSES", "DemoSummary", "generate_agency"]
