"""Writes with an ``Idempotency-Key``: the first request with a key is run and its answer
kept; a retry with the same key and the same request gets that answer again and appends
nothing (``Idempotent-Replayed: true``); the same key with a different request is refused
(422 ``idempotency_key_reused``), and while the first is still being answered a second
gets 409 ``idempotency_key_in_use``. Keys are per account. A refused request (any error)
releases its key, since it appended nothing.

Limit: the key's answer is kept in its own transaction right after the ledger's append;
a process killed between the two leaves the key claimed but unanswered (409 on retry).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import orjson
from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel

from api.http.errors import ApiError
from api.http.policy import Access
from api.http.services import services

__all__ = ["MAX_KEY", "idempotent"]

MAX_KEY = 200


def _request_hash(request: Request, body: BaseModel | None) -> str:
    payload = {
        "method": request.method,
        "path": request.url.path,
        "if_match": request.headers.get("if-match"),
        "body": None if body is None else body.model_dump(mode="json"),
    }
    return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()


def idempotent(
    request: Request,
    found: Access,
    body: BaseModel | None,
    run: Callable[[], BaseModel],
    status_code: int = 201,
) -> Response:
    """Run a write once per key (see the module's doc); the answer as JSON."""
    key = request.headers.get("idempotency-key")
    if key is None:
        return _respond(run(), status_code)
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise ApiError(
            422,
            "invalid_idempotency_key",
            f"Idempotency-Key: 1 to {MAX_KEY} printable characters",
            "Idempotency-Key",
        )
    svc = services(request)
    assert found.principal is not None
    account = found.principal.account_id
    digest = _request_hash(request, body)
    earlier = svc.idempotency.claim(account, key, digest, svc.now())
    if earlier is not None:
        if earlier.request_hash != digest:
            raise ApiError(
                422,
                "idempotency_key_reused",
                "this Idempotency-Key was used for a different request",
                "Idempotency-Key",
            )
        if earlier.status is None or earlier.response is None:
            raise ApiError(
                409,
                "idempotency_key_in_use",
                "a request with this Idempotency-Key is still being answered; retry",
                "Idempotency-Key",
            )
        return Response(
            earlier.response.encode(),
            status_code=earlier.status,
            media_type="application/json",
            headers={"Idempotent-Replayed": "true"},
        )
    try:
        answer = run()
    except BaseException:
        svc.idempotency.release(account, key)
        raise
    response = _respond(answer, status_code)
    svc.idempotency.answered(account, key, status_code, bytes(response.body).decode())
    return response


def _respond(answer: BaseModel, status_code: int) -> Response:
    return Response(
        orjson.dumps(answer.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS),
        status_code=status_code,
        media_type="application/json",
    )
