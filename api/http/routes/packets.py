"""Audit packets over HTTP (issue 19): a person's or an agency's packet as the CLI's
``muster export`` writes it (the same bytes for the same ``as_of`` and ``known_at``), the
offline check of an uploaded packet (``muster verify-packet``), and the ledger digest as
``muster digest publish`` publishes it.

Packets and the digest are exports: coordinators and auditors of the agency, each export
a read-audit entry (``export.packet``, ``export.digest``). Verification reads nothing of
the ledger, so any signed-in account may ask it; the upload is bounded by
``MUSTER_HTTP_PACKET_MAX_BYTES``."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.http.errors import ApiError
from api.http.policy import Policy, Scope, api_route
from api.http.routes.reads import AS_OF, KNOWN_AT, TRACK, AnswerableDay, parse_known_at, parse_track
from api.http.services import services
from api.publication import LedgerDoesNotVerifyError, digest_document
from ledger.account import Role
from replay.packet import BrokenChainError, agency_packet, person_packet
from replay.packet.fonts import FontMissingError
from replay.packet_verifier import PacketError, verify_packet

__all__ = ["EXPORTERS", "built_packet", "router", "zip_download"]

router = APIRouter(tags=["packets"])
EXPORTERS = frozenset({Role.COORDINATOR, Role.AUDITOR})
_ZIP = {"content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}}


def zip_download(data: bytes, name: str) -> Response:
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def built_packet(build: Callable[[], bytes]) -> bytes:
    """The packet ``build`` makes, or the API error a broken chain or a missing font is."""
    try:
        data: bytes = build()
    except BrokenChainError as error:
        raise ApiError(409, "ledger_does_not_verify", f"no packet: {error}") from None
    except FontMissingError as error:
        raise ApiError(503, "report_font_missing", f"no packet: {error}") from None
    return data


@api_route(
    router,
    "GET",
    "/api/v1/agencies/{agency}/people/{employee_id}/packet",
    Policy(Scope.PERSON, EXPORTERS, audit="export.packet", statuses=(404, 409)),
    summary="One person's audit packet (zip) on as_of, as the records stood at known_at",
    response_class=Response,
    responses={200: _ZIP},
)
def person_packet_route(
    request: Request,
    agency: str,
    employee_id: str,
    as_of: AnswerableDay | None = AS_OF,
    known_at: str | None = KNOWN_AT,
    track: list[str] = TRACK,
) -> Response:
    ledger = services(request).ledger
    moment, tracks = parse_known_at(known_at), parse_track(track)
    data = built_packet(
        lambda: person_packet(ledger, agency, employee_id, as_of, moment, tracks=tracks)
    )
    return zip_download(data, f"{agency}-{employee_id}-packet.zip")


@api_route(
    router,
    "GET",
    "/api/v1/agencies/{agency}/packet",
    Policy(Scope.AGENCY, EXPORTERS, audit="export.packet", statuses=(404, 409)),
    summary="The agency's audit packet (zip): the roster and everyone's events",
    response_class=Response,
    responses={200: _ZIP},
)
def agency_packet_route(
    request: Request,
    agency: str,
    as_of: AnswerableDay | None = AS_OF,
    known_at: str | None = KNOWN_AT,
    track: list[str] = TRACK,
) -> Response:
    ledger = services(request).ledger
    moment, tracks = parse_known_at(known_at), parse_track(track)
    data = built_packet(lambda: agency_packet(ledger, agency, as_of, moment, tracks=tracks))
    return zip_download(data, f"{agency}-packet.zip")


@api_route(
    router,
    "GET",
    "/api/v1/agencies/{agency}/digest",
    Policy(Scope.AGENCY, EXPORTERS, audit="export.digest", statuses=(404, 409)),
    summary="The ledger digest now, verified first, as muster digest publish writes it",
)
def published_digest(request: Request, agency: str) -> Response:
    svc = services(request)
    svc.ledger.get_agency(agency)  # 404 for an agency there is not
    try:
        document = digest_document(svc.ledger, svc.ledger.seal_keys)
    except LedgerDoesNotVerifyError as error:
        raise ApiError(409, "ledger_does_not_verify", f"no digest: {error}") from None
    return Response(
        orjson.dumps(document, option=orjson.OPT_SORT_KEYS), media_type="application/json"
    )


class Verification(BaseModel):
    verified: bool
    against_held_digest: bool
    problems: list[str]


@api_route(
    router,
    "POST",
    "/api/v1/packets/verification",
    Policy(Scope.SELF, statuses=(413,)),
    summary="Check a packet offline: the zip as the body (application/zip), or JSON "
    '{"packet": base64, "against": a held digest}',
    openapi_extra={
        "requestBody": {
            "content": {
                **_ZIP["content"],
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["packet"],
                        "properties": {
                            "packet": {"type": "string", "format": "byte"},
                            "against": {"type": "object"},
                        },
                    }
                },
            }
        }
    },
)
async def verify_uploaded_packet(request: Request) -> Verification:
    limit = services(request).settings.http_packet_max_bytes
    body = await _bounded_body(request, limit)
    data, held = body, None
    if request.headers.get("content-type", "").split(";")[0].strip() == "application/json":
        data, held = _json_upload(body)
    try:
        problems = await run_in_threadpool(verify_packet, data, held)
    except PacketError as error:
        return Verification(verified=False, against_held_digest=False, problems=[str(error)])
    return Verification(
        verified=not problems,
        against_held_digest=held is not None and not problems,
        problems=[str(p) for p in problems[:100]],
    )


async def _bounded_body(request: Request, limit: int) -> bytes:
    too_large = ApiError(
        413, "packet_too_large", f"the upload is over {limit} bytes (MUSTER_HTTP_PACKET_MAX_BYTES)"
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _json_upload(body: bytes) -> tuple[bytes, dict[str, Any] | None]:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise ApiError(422, "invalid_request", "the body is not JSON", None) from None
    if not isinstance(document, dict) or not isinstance(document.get("packet"), str):
        raise ApiError(422, "invalid_request", "packet: a base64 string is required", "packet")
    held = document.get("against")
    if held is not None and not isinstance(held, dict):
        raise ApiError(422, "invalid_request", "against: a digest object", "against")
    try:
        data = base64.b64decode(document["packet"], validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(422, "invalid_request", "packet: not base64", "packet") from None
    return data, held
