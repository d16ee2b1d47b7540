"""Role-aware navigation: the pages the caller's grants in force reach, each link keeping
both time axes. Only what the caller's policy allows is offered (the pages check again)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from ledger.account import Role

if TYPE_CHECKING:
    from api.http.policy import Principal
    from api.web.timetravel import TimeTravel

__all__ = ["NavLink", "home_path", "navigation"]

_AGENCY_WIDE = {Role.COORDINATOR, Role.COMMAND, Role.AUDITOR}


@dataclass(frozen=True)
class NavLink:
    label: str
    href: str
    current: bool


def _paths(principal: Principal) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for grant in principal.grants:
        agency = quote(grant.agency, safe="")
        several = len({g.agency for g in principal.grants if g.agency}) > 1
        suffix = f" ({grant.agency})" if several else ""
        if grant.role in _AGENCY_WIDE:
            found.append((f"Overview{suffix}", f"/agencies/{agency}"))
            found.append((f"By unit{suffix}", f"/agencies/{agency}/command"))
            found.append((f"Policies{suffix}", f"/agencies/{agency}/policies"))
            found.append((f"Credential types{suffix}", f"/agencies/{agency}/credential-types"))
            if grant.role == Role.COORDINATOR:
                found.append((f"Record training{suffix}", f"/agencies/{agency}/record"))
                found.append((f"Import{suffix}", f"/agencies/{agency}/import"))
                found.append((f"Range day{suffix}", f"/agencies/{agency}/qualifications"))
                found.append((f"Requests{suffix}", f"/agencies/{agency}/requests"))
                found.append((f"Who viewed what{suffix}", f"/agencies/{agency}/audit"))
        elif grant.role == Role.SUPERVISOR:
            unit = quote(grant.unit, safe="")
            found.append((f"Unit {grant.unit}{suffix}", f"/agencies/{agency}/units/{unit}"))
        elif grant.role == Role.ADMIN:
            found.append(("Accounts", "/admin/accounts"))
        elif grant.role == Role.OFFICER:
            employee = quote(grant.employee_id, safe="")
            found.append((f"My record{suffix}", f"/agencies/{agency}/people/{employee}"))
            found.append((f"My requests{suffix}", f"/agencies/{agency}/people/{employee}/requests"))
    if any(g.role != Role.ADMIN for g in principal.grants):
        found.append(("Inbox", "/inbox"))  # the notices told to the account
    unique: list[tuple[str, str]] = []
    for item in found:
        if item not in unique:
            unique.append(item)
    return unique


def home_path(principal: Principal) -> str:
    """Where a login lands: the first page the grants reach, else the account page."""
    paths = _paths(principal)
    return paths[0][1] if paths else "/account"


def navigation(principal: Principal | None, travel: TimeTravel, current: str) -> list[NavLink]:
    if principal is None:
        return []
    return [NavLink(label, travel.link(path), path == current) for label, path in _paths(principal)]
