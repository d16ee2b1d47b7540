"""Issue 15 benchmark: one person's status through the full HTTP stack (bearer token, grant
check, read-audit entry, read model) against a trivial authenticated JSON route
(``GET /api/v1/me``: the same token and grant lookups, no audit, no read model) on the same
server in the same run, at the M agency (``readside_bench.py``'s store: 1,000 officers x
10 years, generated once into benchmarks/out/ and reused).

    .venv/bin/python benchmarks/http_bench.py [--seconds 10] [--clients 4]

``muster serve`` (uvicorn, one worker) runs on a free 127.0.0.1 port; clients are threads
with keep-alive connections. Goals: status at >= 0.5x the trivial route's requests/s and
a p99 <= 3x its p99. Not measured here (yet): recording a completion with 8 concurrent
clients on PostgreSQL against the ledger's raw append, and the time until the read model
shows it.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from readside_bench import ensure_store, url_for  # benchmarks/ is the script's own folder

from api.http.services import open_side_database
from ledger.account_store import AccountStore
from ledger.accounts import AccountNotFoundError, get_account, grant_role, open_account
from ledger.application import Ledger

MUSTER = str(Path(sys.executable).with_name("muster"))
SLUG = "bench-pd"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _token_and_person(url: str) -> tuple[str, str]:
    made, _ = ensure_store("sqlite", "M")
    made.close()
    ledger = Ledger(url)  # the real clock: the account's events come after the store's
    try:
        try:
            account = get_account(ledger, "bench-command")
        except AccountNotFoundError:
            account = open_account(ledger, "bench-command", "Bench", actor="system:bench")
            grant_role(ledger, "bench-command", "command", actor="system:bench", agency=SLUG)
        side = open_side_database(ledger)
        now = ledger.clock()
        _, token = AccountStore(side).issue_token(account.id, "bench", now, None)
        side.close()
        person = ledger.get_person_by_id(ledger.people_ids(SLUG)[0]).employee_id
    finally:
        ledger.close()
    return token, person


def _load(base: str, path: str, token: str, seconds: float, clients: int) -> dict[str, float]:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client() -> None:
        mine: list[float] = []
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
            while time.perf_counter() < stop:
                began = time.perf_counter()
                answer = http.get(path)
                mine.append(time.perf_counter() - began)
                if answer.status_code != 200:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors[0],
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    url = url_for("sqlite", "M")
    token, person = _token_and_person(url)
    port = _free_port()
    env = {**os.environ, "MUSTER_DATABASE_URL": url, "MUSTER_HTTP_PORT": str(port),
           "MUSTER_LOG_LEVEL": "warning", "MUSTER_LOG_FORMAT": "json"}  # fmt: skip
    server = subprocess.Popen([MUSTER, "serve", "--workers", "1"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("muster serve did not become ready")
            time.sleep(0.3)
        status = f"/api/v1/agencies/{SLUG}/people/{person}/status"
        _load(base, status, token, 2, 1)  # warm: the person's answer memoised, caches filled
        _load(base, "/api/v1/me", token, 2, 1)
        trivial = _load(base, "/api/v1/me", token, args.seconds, args.clients)
        full = _load(base, status, token, args.seconds, args.clients)
        if trivial["errors"] or full["errors"]:
            raise SystemExit(f"requests failed: {httpx.get(base + status).text[:200]}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}"
    print(
        f"# http_bench: M agency (SQLite), {args.clients} clients x {args.seconds:.0f} s, {machine}"
    )
    for name, row in (("GET /api/v1/me (baseline)", trivial), ("GET …/status", full)):
        print(f"{name:28} {row['requests']:>7.0f} req {row['errors']:>4.0f} errors "
              f"{row['rps']:>8.1f} req/s  p50 {row['p50_ms']:6.1f} ms  "
              f"p99 {row['p99_ms']:6.1f} ms")  # fmt: skip
    print(f"ratio req/s {full['rps'] / trivial['rps']:.2f} (goal >= 0.5); "
          f"p99 {full['p99_ms'] / trivial['p99_ms']:.2f}x (goal <= 3)")  # fmt: skip


if __name__ == "__main__":
    main()
