"""The caller's inbox as JSON (the dashboard's ``/inbox`` page's twin): the notices told
to the account, newest first, and their acknowledgement (idempotent: acknowledging again
changes nothing and answers the same notice)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Depends, Request

from api.http.errors import ApiError
from api.http.policy import Access, Policy, Scope, access, api_route
from api.http.routes.reads import NoticePublic
from api.http.services import services
from api.notify.inbox import acknowledge, inbox
from ledger.errors import NoticeNotFoundError

__all__ = ["InboxNotice", "router"]

router = APIRouter(prefix="/api/v1/me", tags=["inbox"])


class InboxNotice(NoticePublic):
    agency: str
    label: str = ""


@api_route(router, "GET", "/notices", Policy(Scope.SELF), summary="The notices told to the caller")
def my_notices(request: Request, found: Access = Depends(access)) -> list[InboxNotice]:
    assert found.principal is not None
    return [InboxNotice(**row) for row in inbox(services(request).ledger, found.principal)]


@api_route(
    router,
    "POST",
    "/notices/{notice_id}/acknowledgement",
    Policy(Scope.SELF, statuses=(404,)),
    summary="Acknowledge a notice told to the caller (recorded once)",
)
def acknowledge_notice(
    request: Request, notice_id: UUID, found: Access = Depends(access)
) -> InboxNotice:
    assert found.principal is not None
    try:
        row = acknowledge(services(request).ledger, found.principal, notice_id)
    except NoticeNotFoundError as missing:
        raise ApiError(404, "notice_not_found", str(missing), "notice_id") from None
    return InboxNotice(**row)
