"""The inbox: the notices muster told the signed-in account (``api.notify.inbox``),
newest first, each with a button to acknowledge it (recorded as ``NoticeAcknowledged``
on the notice's stream, which the person's history and packets then show)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.http.policy import Policy, Scope
from api.http.services import services
from api.notify.inbox import acknowledge, inbox
from api.web.base import principal_of, render, security_headers, web_route
from ledger.errors import NoticeNotFoundError

__all__ = ["router"]

router = APIRouter(tags=["web"])


def _page(request: Request, *, notice: str = "", status: int = 200) -> Response:
    rows = inbox(services(request).ledger, principal_of(request))
    return render(
        request,
        "inbox.html",
        {
            "title": "Inbox",
            "hide_travel": True,
            "notices": rows,
            "unread": sum(1 for r in rows if not r["acknowledged_at"]),
            "notice": notice,
        },
        status,
    )


@web_route(router, "GET", "/inbox", Policy(Scope.SELF))
def inbox_page(request: Request) -> Response:
    return _page(request)


@web_route(
    router,
    "POST",
    "/inbox/{notice_id}/acknowledgement",
    Policy(Scope.SELF, statuses=(404,)),
)
def acknowledge_form(request: Request, notice_id: UUID) -> Response:
    try:
        acknowledge(services(request).ledger, principal_of(request), notice_id)
    except NoticeNotFoundError as missing:
        return _page(request, notice=str(missing), status=404)
    return security_headers(RedirectResponse(f"/inbox#notice-{notice_id}", 303))
