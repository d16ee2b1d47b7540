"""The dashboard's download buttons for audit packets: the person's and the agency's
packet on the page's ``as_of`` as the records stood at its ``known_at``, the same bytes
the API and ``muster export`` give, for the roles that may export (coordinator, auditor)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.http.policy import Policy, Principal, Scope
from api.http.routes.packets import EXPORTERS, built_packet, zip_download
from api.http.services import services
from api.web.base import web_route
from api.web.timetravel import TimeTravel, time_travel
from replay.packet import agency_packet, person_packet

__all__ = ["agency_packet_link", "person_packet_link", "router"]

router = APIRouter(tags=["web"])

_PERSON = Policy(Scope.PERSON, EXPORTERS, audit="export.packet", statuses=(404, 409))
_AGENCY = Policy(Scope.AGENCY, EXPORTERS, audit="export.packet", statuses=(404, 409))


def _may_export(principal: Principal | None, agency: str) -> bool:
    return principal is not None and any(
        g.role in EXPORTERS and g.agency == agency for g in principal.grants
    )


def person_packet_link(
    principal: Principal | None, travel: TimeTravel, agency: str, employee_id: str
) -> str:
    """The person page's download link, both axes kept; "" for a role that may not export."""
    if not _may_export(principal, agency):
        return ""
    path = f"/agencies/{quote(agency, safe='')}/people/{quote(employee_id, safe='')}/packet.zip"
    return travel.link(path)


def agency_packet_link(principal: Principal | None, travel: TimeTravel, agency: str) -> str:
    """The overview's download link, both axes kept; "" for a role that may not export."""
    if not _may_export(principal, agency):
        return ""
    return travel.link(f"/agencies/{quote(agency, safe='')}/packet.zip")


@web_route(
    router,
    "GET",
    "/agencies/{agency}/people/{employee_id}/packet.zip",
    _PERSON,
    response_class=Response,
)
def person_packet_download(request: Request, agency: str, employee_id: str) -> Response:
    travel = time_travel(request)
    ledger = services(request).ledger
    data = built_packet(
        lambda: person_packet(ledger, agency, employee_id, travel.as_of, travel.known_at)
    )
    return zip_download(data, f"{agency}-{employee_id}-packet.zip")


@web_route(router, "GET", "/agencies/{agency}/packet.zip", _AGENCY, response_class=Response)
def agency_packet_download(request: Request, agency: str) -> Response:
    travel = time_travel(request)
    ledger = services(request).ledger
    data = built_packet(lambda: agency_packet(ledger, agency, travel.as_of, travel.known_at))
    return zip_download(data, f"{agency}-packet.zip")
