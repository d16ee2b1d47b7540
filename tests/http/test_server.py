"""The API through a real server process (issue 15, acceptance 1): the store is set up and
the first accounts made with the real ``muster`` console script (``account add|grant|
token``), ``muster serve`` runs uvicorn, and requests go over TCP. On PostgreSQL the
server reaches the database through a TCP relay this test can cut: ``/healthz`` and
``/readyz`` go red while the database is unreachable, and green again after."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyotp
import pytest

MUSTER = str(Path(sys.executable).with_name("muster"))
PASSWORD = "a long enough password"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Relay:
    """A TCP relay to the database that can be cut (every connection dropped, new ones
    refused) and restored."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = _free_port()
        self.open = True
        self._sockets: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.open = False
        for s in self._sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
        self._sockets = []

    def restore(self) -> None:
        self.open = True


def _via(url: str, port: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{port}"))


def muster(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MUSTER_DATABASE_URL": url, "MUSTER_ACTOR": "setup", "COLUMNS": "250"}
    return subprocess.run(
        [MUSTER, *args], input=stdin, capture_output=True, text=True, env=env, timeout=120,
        check=False,
    )  # fmt: skip


@pytest.fixture
def served(database_url: str, backend: str) -> Iterator[tuple[str, str, Relay | None]]:
    """A served store with agency ``mpls``, person E1, and a coordinator ``cora``."""
    for args in (
        ("agency", "add", "mpls", "--name", "Minneapolis PD", "--state", "MN"),
        ("person", "enrol", "E1", "--agency", "mpls", "--first-name", "Pat",
         "--last-name", "Officer", "--hired-on", "2020-01-06", "--unit", "Patrol"),
        ("account", "add", "cora", "--name", "Cora Coordinator", "--password-stdin"),
        ("account", "grant", "cora", "--role", "coordinator", "--agency", "mpls"),
    ):  # fmt: skip
        done = muster(database_url, *args, stdin=PASSWORD + "\n")
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    token = muster(database_url, "account", "token", "cora", "--label", "test")
    assert token.returncode == 0, token.stderr
    relay = None
    url = database_url
    if backend == "postgres":
        parts = urlsplit(database_url)
        relay = Relay((parts.hostname or "127.0.0.1", parts.port or 5432))
        url = _via(database_url, relay.port)
    port = _free_port()
    env = {
        **os.environ,
        "MUSTER_DATABASE_URL": url,
        "MUSTER_HTTP_PORT": str(port),
        "MUSTER_LOG_FORMAT": "json",
    }
    server = subprocess.Popen(
        [MUSTER, "serve", "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # two workers start on a shared, busy machine
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                server.terminate()
                _, errors = server.communicate(timeout=20)
                pytest.fail(f"muster serve did not become ready: {errors[-2000:]}")
            time.sleep(0.2)
        yield base, token.stdout.strip(), relay
    finally:
        server.terminate()
        server.wait(timeout=20)
        if relay is not None:
            relay.cut()


def test_the_real_server_serves_the_api(
    served: tuple[str, str, Relay | None], database_url: str
) -> None:
    base, token, _ = served
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=auth, timeout=30) as client:
        credentials = {"username": "cora", "password": PASSWORD}
        refused = client.post("/api/v1/session", json=credentials)  # a coordinator: TOTP
        assert refused.json()["code"] == "totp_not_enrolled"
        enrolled = muster(database_url, "account", "totp", "cora")
        assert enrolled.returncode == 0, enrolled.stderr
        uri, seed = enrolled.stdout.split()
        assert uri.startswith("otpauth://totp/muster:cora?secret=" + seed)
        code = pyotp.TOTP(seed).now()
        login = client.post("/api/v1/session", json={**credentials, "totp": code})
        assert login.status_code == 201, login.text
        replayed = client.post("/api/v1/session", json={**credentials, "totp": code})
        assert replayed.status_code == 401
        assert client.get("/api/v1/me").json()["grants"][0]["role"] == "coordinator"
        body = {"course_title": "Firearms", "hours": "8", "completed_on": "2020-03-01"}
        headers = {"Idempotency-Key": "serve-1"}
        first = client.post("/api/v1/agencies/mpls/people/E1/training", json=body, headers=headers)
        assert first.status_code == 201, first.text
        again = client.post("/api/v1/agencies/mpls/people/E1/training", json=body, headers=headers)
        assert again.json() == first.json()
        future = client.post(
            "/api/v1/agencies/mpls/people/E1/training",
            json={**body, "completed_on": "2999-01-01"},
        )
        assert (future.status_code, future.json()["field"]) == (422, "completed_on")
        history = client.get("/api/v1/agencies/mpls/people/E1/history").json()
        assert [e["event"] for e in history["entries"]].count("TrainingCompleted") == 1
        status = client.get("/api/v1/agencies/mpls/people/E1/status")
        assert status.status_code == 200
        assert status.json()["person"]["employee_id"] == "E1"
        assert client.get("/api/v1/openapi.json").json()["openapi"].startswith("3.")
        assert httpx.get(f"{base}/api/v1/me").status_code == 401


def test_health_goes_red_while_the_database_is_unreachable(
    served: tuple[str, str, Relay | None],
) -> None:
    base, _, relay = served
    if relay is None:
        pytest.skip("the embedded SQLite file cannot be made unreachable")
    assert httpx.get(f"{base}/healthz").status_code == 200
    relay.cut()
    for path in ("/healthz", "/readyz"):
        for _ in range(3):  # both workers, whichever answers
            down = httpx.get(f"{base}{path}", timeout=30)
            assert (down.status_code, down.json()["database"]) == (503, "down")
    relay.restore()
    for _ in range(50):
        if httpx.get(f"{base}/readyz", timeout=30).status_code == 200:
            break
        time.sleep(0.2)
    else:
        pytest.fail("readyz did not turn green again")
