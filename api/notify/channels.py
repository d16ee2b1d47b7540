"""The channels a notice is sent by: email over SMTP and a signed webhook.

Delivery is at least once. The Message-ID (email) and ``X-Muster-Notice-Id`` (webhook) are
derived from the notice's id, so a message sent again after a crash between sending and
recording the delivery is the same message, which a receiver can drop as a duplicate; the
ledger records one ``NoticeDecided`` however often it is sent.

Webhook signature: ``X-Muster-Signature: sha256=HEX`` where HEX is HMAC-SHA256 with the key
in ``MUSTER_WEBHOOK_KEY_FILE`` over ``TIMESTAMP.BODY`` (the ``X-Muster-Timestamp`` header,
Unix seconds, a dot, then the raw body). A receiver recomputes it, compares in constant
time, refuses a timestamp more than five minutes from its own clock and a notice id it has
already accepted (``verify_webhook``): a replayed request is either stale or a duplicate.
"""

from __future__ import annotations

import hashlib
import hmac
import smtplib
import ssl
import urllib.request
from collections.abc import Mapping, MutableSet
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any, Protocol

import orjson

from api.notify.messages import Message
from ledger.secret_files import SecretFileError, read_secret_file

__all__ = [
    "REPLAY_WINDOW_SECONDS",
    "Channels",
    "DeliveryError",
    "SmtpChannel",
    "WebhookChannel",
    "message_id_for",
    "sign_webhook",
    "verify_webhook",
]

REPLAY_WINDOW_SECONDS = 300


class DeliveryError(Exception):
    """The channel did not take the message (the text says why); the pass retries."""


def message_id_for(notice_id: str) -> str:
    return f"<notice-{notice_id}@muster>"


class Channel(Protocol):
    def send(
        self,
        notice_id: str,
        recipient: str,
        message: Message,
        payload: Mapping[str, Any],
        now: float,
    ) -> str: ...


@dataclass(frozen=True)
class SmtpChannel:
    host: str
    port: int
    security: str  # starttls, tls, none
    sender: str
    username: str = ""
    password_file: Path | None = None
    timeout: float = 30.0

    def send(
        self,
        notice_id: str,
        recipient: str,
        message: Message,
        payload: Mapping[str, Any],
        now: float,
    ) -> str:
        if not self.host:
            raise DeliveryError("no SMTP server is set (MUSTER_SMTP_HOST)")
        email = EmailMessage()
        email["Subject"] = message.subject
        email["From"] = self.sender
        email["To"] = recipient
        email["Date"] = formatdate(now, usegmt=True)
        email["Message-ID"] = message_id_for(notice_id)
        email.set_content(message.text)
        email.add_alternative(message.html, subtype="html")
        secret = _secret(self.password_file, "SMTP password") if self.password_file else b""
        password = secret.decode(errors="replace")
        try:
            with self._connect() as smtp:
                if self.username:
                    smtp.login(self.username, password)
                smtp.send_message(email)
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(f"SMTP {self.host}:{self.port}: {error}") from None
        return message_id_for(notice_id)

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.security == "tls":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.security == "starttls":
            smtp.starttls(context=context)
        return smtp


def sign_webhook(key: bytes, timestamp: int, body: bytes) -> str:
    mac = hmac.new(key, str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_webhook(
    key: bytes, headers: Mapping[str, str], body: bytes, now: float, seen: MutableSet[str]
) -> bool:
    """What a receiver does: the signature matches, the timestamp is within five minutes of
    ``now`` and the notice id is new (then remembered in ``seen``)."""
    try:
        timestamp = int(headers["X-Muster-Timestamp"])
        notice_id = headers["X-Muster-Notice-Id"]
        signature = headers["X-Muster-Signature"]
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > REPLAY_WINDOW_SECONDS:
        return False
    if not hmac.compare_digest(sign_webhook(key, timestamp, body), signature):
        return False
    if notice_id in seen:
        return False
    seen.add(notice_id)
    return True


def _secret(path: Path, what: str) -> bytes:
    """The secret in ``path``, read at each send (a key or password replaced on disk is
    used from the next one); a file others may read is refused, not used."""
    try:
        return read_secret_file(path, what).strip()
    except SecretFileError as error:
        raise DeliveryError(str(error)) from None


@dataclass(frozen=True)
class WebhookChannel:
    key_file: Path | None
    timeout: float = 30.0

    def send(
        self,
        notice_id: str,
        recipient: str,
        message: Message,
        payload: Mapping[str, Any],
        now: float,
    ) -> str:
        if self.key_file is None:
            raise DeliveryError("no webhook key is set (MUSTER_WEBHOOK_KEY_FILE)")
        if not recipient.startswith(("https://", "http://")):
            raise DeliveryError(f"webhook {recipient!r} is not an http(s) URL")
        key = _secret(self.key_file, "webhook key")
        body = orjson.dumps(
            {**payload, "notice_id": notice_id, "subject": message.subject, "text": message.text},
            option=orjson.OPT_SORT_KEYS,
        )
        timestamp = int(now)
        request = urllib.request.Request(
            recipient,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Muster-Timestamp": str(timestamp),
                "X-Muster-Notice-Id": notice_id,
                "X-Muster-Signature": sign_webhook(key, timestamp, body),
            },
        )
        try:
            # Bandit B310 (file:// and custom schemes): the URL is http(s), checked above.
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # nosec B310
                status = response.status
        except OSError as error:
            raise DeliveryError(f"webhook {recipient}: {error}") from None
        if not 200 <= status < 300:
            raise DeliveryError(f"webhook {recipient}: HTTP {status}")
        return notice_id


@dataclass(frozen=True)
class Channels:
    email: Channel
    webhook: Channel

    def get(self, name: str) -> Channel:
        return self.email if name == "email" else self.webhook
