"""``muster digest publish --webhook URL`` (issue 19 §3): the digest POSTed to a real HTTP
receiver started here on 127.0.0.1, signed with HMAC-SHA256 over ``timestamp.body`` under
the key of ``MUSTER_DIGEST_WEBHOOK_KEY_FILE`` (api/publication.py). The receiver checks
the signature as a real one would; a changed byte or another key fails it; refusals are one
line with exit status 2."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from api.publication import signature
from tests.api.test_cli import run

KEY = bytes(range(32))
KEY_FILE_TEXT = f"old {'ab' * 32}\nhook-2 {KEY.hex()}\n"


@dataclass
class Receiver:
    url: str
    answer: list[int] = field(default_factory=lambda: [204])
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            found.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(found.answer[0])
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    found.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/digest"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield found
    server.shutdown()
    server.server_close()


def _genuine(key: bytes, headers: dict[str, str], body: bytes) -> bool:
    """What a receiver does: recompute the HMAC over ``timestamp.body``, compare in
    constant time."""
    expected = hmac.new(key, headers["x-muster-timestamp"].encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest(f"sha256={expected.hexdigest()}", headers["x-muster-signature"])


def _store(database_url: str) -> None:
    run(database_url, "agency", "add", "hook-pd", "--name", "Hook PD", "--state", "MN")


def test_the_digest_reaches_the_webhook_signed(
    database_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    _store(database_url)
    keys = tmp_path / "webhook.keys"
    keys.write_text(KEY_FILE_TEXT)
    keys.chmod(0o600)
    held = tmp_path / "held.json"
    before = int(time.time())
    sent = run(
        database_url,
        "digest",
        "publish",
        "--out",
        str(held),
        "--webhook",
        receiver.url,
        env={"MUSTER_DIGEST_WEBHOOK_KEY_FILE": str(keys)},
    )
    assert "digest sent to the webhook (204), signed with key 'hook-2'" in sent.stdout
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    assert body == held.read_bytes()  # the same bytes as the file
    assert headers["content-type"] == "application/json"
    assert headers["x-muster-key-id"] == "hook-2"  # the current (last) key
    assert before - 1 <= int(headers["x-muster-timestamp"]) <= int(time.time()) + 1
    assert _genuine(KEY, headers, body)
    digest = json.loads(body)
    assert {"root", "position", "heads", "published_at"} <= set(digest)
    # A changed byte, another timestamp or another key: not genuine.
    assert not _genuine(KEY, headers, body.replace(b'"root"', b'"rooT"'))
    assert not _genuine(KEY, {**headers, "x-muster-timestamp": "1"}, body)
    assert not _genuine(bytes.fromhex("ab" * 32), headers, body)
    assert signature(KEY, int(headers["x-muster-timestamp"]), body) == headers["x-muster-signature"]
    # The held digest is what verify --against takes.
    assert json.loads(run(database_url, "verify", "--against", str(held), "--json").stdout)["ok"]


def test_webhook_refusals_are_one_line(
    database_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    _store(database_url)
    keys = tmp_path / "webhook.keys"
    keys.write_text(KEY_FILE_TEXT)
    keys.chmod(0o600)
    env = {"MUSTER_DIGEST_WEBHOOK_KEY_FILE": str(keys)}

    def refused(*args: str, environment: dict[str, str] | None = None) -> str:
        result = run(database_url, "digest", "publish", *args, ok=False, env=environment)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert len(lines) == 1, result.stderr
        return lines[0]

    assert "--out FILE, --webhook URL" in refused()
    assert "MUSTER_DIGEST_WEBHOOK_KEY_FILE" in refused("--webhook", receiver.url)
    short = tmp_path / "short.keys"
    short.write_text("k 00ff\n")
    assert "at least 32 bytes" in refused(
        "--webhook", receiver.url, environment={"MUSTER_DIGEST_WEBHOOK_KEY_FILE": str(short)}
    )
    assert "http:// or https://" in refused("--webhook", "file:///etc/passwd", environment=env)
    receiver.answer[0] = 500
    assert "answered 500" in refused("--webhook", receiver.url, environment=env)
    with socket.socket() as probe:  # a port nothing listens on: bound, then closed
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/hooks"
    assert "could not be reached" in refused("--webhook", closed, environment=env)
    assert len(receiver.received) == 1  # only the 500 reached it; nothing else was sent
