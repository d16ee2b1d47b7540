"""Publishing the ledger digest (issue 19 §3): the verified store's digest with the instant
it was taken, as one JSON document, written to a file (``muster digest publish --out``),
sent to a webhook (``--webhook URL``) or served (``GET /api/v1/agencies/{agency}/digest``).

A webhook delivery is one ``POST`` of that document, signed so the receiver can tell it
came from this ledger and is fresh:

- ``X-Muster-Timestamp``: the sending time, whole seconds since 1970 (UTC);
- ``X-Muster-Key-Id``: which key of the key file signed it (keys rotate as seal keys do);
- ``X-Muster-Signature``: ``sha256=`` and the hex HMAC-SHA256, under that key, of the
  timestamp's digits, a ``.``, and the body's exact bytes.

A receiver recomputes the HMAC over ``timestamp + "." + body``, compares in constant
time, and refuses a timestamp far from its own clock (a replayed delivery). The key file
(``MUSTER_DIGEST_WEBHOOK_KEY_FILE``) has the seal key file's form: ``<key id> <64+ hex
digits>`` lines, the last the current one."""

from __future__ import annotations

import hashlib
import hmac
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from ledger.application import Ledger
from ledger.chain import instant_text
from ledger.seal import SealKeys
from replay.verify import verify_store

__all__ = [
    "Delivery",
    "LedgerDoesNotVerifyError",
    "WebhookError",
    "digest_document",
    "digest_json",
    "send_to_webhook",
    "signature",
]

TIMEOUT_SECONDS = 10


class LedgerDoesNotVerifyError(Exception):
    """No digest is published for a ledger that does not verify; the message says where."""


class WebhookError(Exception):
    """The webhook did not take the digest (one line: the URL's host and why)."""


@dataclass(frozen=True)
class Delivery:
    status: int
    timestamp: int


def digest_document(ledger: Ledger, seal_keys: SealKeys) -> dict[str, Any]:
    """The digest of the whole store, verified first, with ``published_at``."""
    published_at = ledger.clock()
    report = verify_store(ledger.store, keys=seal_keys)
    if not report.ok:
        first = report.breaks[0]
        msg = (
            f"the ledger does not verify (stream {first.originator_id} position "
            f"{first.position}: {first.problem}); run muster verify"
        )
        raise LedgerDoesNotVerifyError(msg)
    return {**report.digest(), "published_at": instant_text(published_at)}


def digest_json(document: dict[str, Any]) -> bytes:
    """The one byte form of a published digest (what a file holds and a webhook signs)."""
    return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def signature(key: bytes, timestamp: int, body: bytes) -> str:
    mac = hmac.new(key, str(timestamp).encode("ascii") + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def send_to_webhook(url: str, body: bytes, keys: SealKeys, now: datetime) -> Delivery:
    """POST ``body`` to ``url`` signed with the current key; a 2xx answer is a delivery,
    anything else (or no answer within 10 s) WebhookError."""
    if not url.startswith(("https://", "http://")):
        msg = f"the webhook must be an http:// or https:// URL, not {url[:40]!r}"
        raise WebhookError(msg)
    if not keys:
        msg = "signing a webhook delivery needs MUSTER_DIGEST_WEBHOOK_KEY_FILE"
        raise WebhookError(msg)
    timestamp = int(now.timestamp())
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "muster-digest-publish",
            "X-Muster-Timestamp": str(timestamp),
            "X-Muster-Key-Id": keys.current,
            "X-Muster-Signature": signature(keys.keys[keys.current], timestamp, body),
        },
    )
    host = urllib.parse.urlparse(url).netloc
    try:
        # Only http(s) URLs reach here (checked above).
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # nosec B310
            return Delivery(answer.status, timestamp)
    except urllib.error.HTTPError as error:
        msg = f"the webhook at {host} answered {error.code} {error.reason}"
        raise WebhookError(msg) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        msg = f"the webhook at {host} could not be reached: {reason}"
        raise WebhookError(msg) from None
