"""The nearest names to an unknown agency slug or employee id, for the one-line error
that refuses it (``api.cli.context.open_ledger``)."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from typer._click.globals import get_current_context

if TYPE_CHECKING:
    from ledger.ledger_core import LedgerCore

__all__ = ["nearest_agency", "nearest_person", "nearest_words"]

# Above this many people the ids are not read one by one for a hint; the roster lists them.
_PEOPLE_SCANNED = 2000


def nearest_words(asked: str, known: list[str]) -> list[str]:
    """Up to three known names close to ``asked`` (difflib's ratio ≥ 0.6), ignoring case."""
    by_folded = {name.casefold(): name for name in known}
    close = difflib.get_close_matches(asked.casefold(), list(by_folded), n=3, cutoff=0.6)
    return [by_folded[name] for name in close]


def _asked(*names: str) -> str | None:
    """The value the running command was given for the first of these parameters."""
    context = get_current_context(silent=True)
    if context is None:
        return None
    for name in names:
        value = context.params.get(name)
        if isinstance(value, str):
            return value
    return None


def _did_you_mean(close: list[str]) -> str:
    return f"; did you mean {' or '.join(repr(name) for name in close)}?" if close else ""


def nearest_agency(ledger: LedgerCore) -> str:
    """``; did you mean 'mpls'?; `muster agency list` lists the agencies``."""
    asked = _asked("agency", "slug")
    slugs = [agency.slug for agency in ledger.list_agencies()]
    close = [s for s in nearest_words(asked, slugs) if s != asked] if asked else []
    if not slugs:
        return "; the store holds no agency yet (`muster agency add` registers one)"
    return f"{_did_you_mean(close)}; `muster agency list` lists the agencies"


def nearest_person(ledger: LedgerCore) -> str:
    """``; did you mean 'E1001'?; `muster roster --agency X` lists its people``."""
    asked, slug = _asked("employee_id"), _asked("agency", "slug")
    if slug is None:
        return ""
    listing = f"; `muster roster --agency {slug} --all` lists its people"
    people = ledger.people_ids(slug)
    if asked is None or len(people) > _PEOPLE_SCANNED:
        return listing
    ids = [ledger.get_person_by_id(person).employee_id for person in people]
    close = [i for i in nearest_words(asked, ids) if i != asked]
    return f"{_did_you_mean(close)}{listing}"
