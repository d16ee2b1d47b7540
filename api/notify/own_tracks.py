"""The agency's own deadlines as the deadline engine's open items (issue 18 over issue
17's tracks): every credential a person must hold that has a last valid day, and every
assigned policy version not yet acknowledged, on ``today`` as the records stand now.

- A credential's deadline is its last valid day (``until``); it is open while valid
  (``on_track`` until the type's warning window, then ``due_soon``) and ``non_compliant``
  from the day after. A credential never earned (or revoked and not earned again) has no
  deadline and is not announced; a suspended one still within its validity is not an
  expiry and is not announced either (the coordinator suspended it).
- A policy's deadline is the day the version to acknowledge is due by; acknowledged, it is
  no longer open. The version named is the one that must be acknowledged (for an
  editorial version in force, the substantive one before it).

The person's status is their own on ``today`` (separated, inactive: not reminded; leave:
as the agency's setting says, in ``projections.notify``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from ledger.application import Ledger
from projections.credentials.facts import CredentialFacts
from projections.credentials.programme import Programme
from projections.credentials.tracks import TrackItem
from projections.notify import OpenItem
from replay.tracks import everyone_own_items

__all__ = ["own_open_items"]


def own_open_items(
    ledger: Ledger, slug: str, today: date, names: Mapping[str, str]
) -> list[OpenItem]:
    """The credential and policy deadlines of everyone hired by ``today`` (``names``:
    each person's name as the roster gives it, else their employee id)."""
    programme, rows = everyone_own_items(ledger, slug, today)
    found: list[OpenItem] = []
    for history, facts, items in rows:
        person_status = history.status_on(today)
        name = names.get(facts.employee_id, facts.employee_id)
        for item in items:
            opened = _open(programme, facts, item, today)
            if opened is None:
                continue
            requirement, title, status = opened
            assert item.until is not None
            found.append(
                OpenItem(
                    employee_id=facts.employee_id,
                    name=name,
                    person_status=person_status,
                    requirement=requirement,
                    title=title,
                    status=status,
                    deadline=item.until,
                    source=item.track,
                )
            )
    return found


def _open(
    programme: Programme, facts: CredentialFacts, item: TrackItem, today: date
) -> tuple[str, str, str] | None:
    """(requirement, title, status) of an item with a deadline to announce, else None."""
    if item.until is None or item.status in {"not_applicable", "inactive"}:
        return None
    if item.track == "credential":
        if item.status == "non_compliant" and item.until >= today:
            return None  # suspended within its validity: not an expiry
        status = "on_track" if item.status == "compliant" else item.status
        return (
            f"credential:{item.item_id}",
            _credential_title(programme, facts, item, today),
            status,
        )
    if item.track == "policy" and item.status != "compliant":
        current = programme.publication_on(item.item_id, today)
        if current is None:
            return None
        number = programme.required_publication(current).number
        title = f"{item.title or item.item_id} v{number}"
        return f"policy:{item.item_id}@v{number}", title, item.status
    return None


def _credential_title(
    programme: Programme, facts: CredentialFacts, item: TrackItem, today: date
) -> str:
    """The type's name, with the weapon for a per-weapon credential: "Firearms
    qualification (Glock 17, serial A1)"."""
    type_id, _, rest = item.item_id.partition("[")
    serial = rest.removesuffix("]")
    version = programme.type_on(type_id, today)
    name = version.name if version is not None else type_id
    if not serial:
        return name
    weapon = next((w for w in reversed(facts.weapons) if w.serial == serial), None)
    model = f"{weapon.make_model}, " if weapon is not None and weapon.make_model else ""
    return f"{name} ({model}serial {serial})"
