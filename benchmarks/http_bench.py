"""Issue 15 benchmark: one person's status through the full HTTP stack (bearer token, grant
check, read-audit entry, read model) against a trivial authenticated JSON route
(``GET /api/v1/me``: the same token and grant lookups, no audit, no read model) on the same
server in the same run, at the M agency (``readside_bench.py``'s store: 1,000 officers x
10 years, generated once into benchmarks/out/ and reused).

    .venv/bin/python benchmarks/http_bench.py [--seconds 10] [--clients 4]

``muster serve`` (uvicorn, one worker) runs on a free 127.0.0.1 port; clients are threads
with keep-alive connections. Goals: status at >= 0.5x the trivial route's requests/s and
a p99 <= 3x its p99.

    .venv/bin/python benchmarks/http_bench.py --writes [--per-client 25]

The write half (``write_bench``): recording a completion with 8 concurrent clients on
PostgreSQL, against the ledger's own use case in as many threads, and the time until the
status answer shows a write that has returned.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg import sql
from readside_bench import (  # the script's own folder
    PG,
    PG_CONNINFO,
    all_notifications,
    ensure_store,
    url_for,
)

from api.http.services import open_side_database
from api.rulebook import publish_shipped_packs
from ledger.account_store import AccountStore
from ledger.accounts import AccountNotFoundError, get_account, grant_role, open_account
from ledger.application import Ledger
from projections.read_store.schema import read_schema
from replay.store_setup import init_store

MUSTER = str(Path(sys.executable).with_name("muster"))
SLUG = "bench-pd"


def _load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


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


def _alternating(
    base: str, paths: tuple[str, str], token: str, seconds: float, clients: int, rounds: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Both routes' figures, measured in ``rounds`` alternating slices of ``seconds``
    each in all (baseline first in each round), so a change in the shared machine's load
    during the run falls on both alike rather than on whichever ran second."""
    slices: tuple[list[dict[str, Any]], list[dict[str, Any]]] = ([], [])
    for _ in range(rounds):
        for path, kept in zip(paths, slices, strict=True):
            kept.append(_load(base, path, token, seconds / rounds, clients))
    return _combined(slices[0]), _combined(slices[1])


def _combined(parts: list[dict[str, Any]]) -> dict[str, float]:
    latencies = sorted(x for part in parts for x in part["latencies"])
    elapsed = sum(part["elapsed"] for part in parts)
    return {
        "requests": len(latencies),
        "errors": sum(part["errors"] for part in parts),
        "cpu_ms": sum(part["cpu"] for part in parts) * 1000 / max(1, len(latencies)),
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


_SERVER_PID = [0]  # the server whose CPU time the slices read (Linux /proc)


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (0 where /proc is not there)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _load(base: str, path: str, token: str, seconds: float, clients: int) -> dict[str, Any]:
    cpu_before = _cpu_seconds(_SERVER_PID[0])
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
        "cpu": _cpu_seconds(_SERVER_PID[0]) - cpu_before,
        "latencies": latencies,
        "elapsed": elapsed,
        "requests": len(latencies),
        "errors": errors[0],
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def _secret_key_file() -> str:
    """MUSTER_SECRET_KEY_FILE, or a throwaway key file (a server on PostgreSQL needs one;
    the bench enrols no second factor, so a new key each run loses nothing)."""
    given = os.environ.get("MUSTER_SECRET_KEY_FILE", "")
    if given:
        return given
    from ledger.secret_keys import new_secret_key_line

    path = Path(tempfile.mkdtemp(prefix="muster-bench-keys-")) / "secret-keys"
    path.write_text(new_secret_key_line("bench"), encoding="utf-8")
    path.chmod(0o600)
    return str(path)


def _serve(url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "MUSTER_DATABASE_URL": url, "MUSTER_HTTP_PORT": str(port),
           "MUSTER_LOG_LEVEL": "warning", "MUSTER_LOG_FORMAT": "json",
           "MUSTER_SECRET_KEY_FILE": _secret_key_file()}  # fmt: skip
    server = subprocess.Popen([MUSTER, "serve", "--workers", "1"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(server, base)
    except SystemExit:
        server.terminate()
        raise
    return server, base


def wait_ready(server: subprocess.Popen[bytes], base: str) -> None:
    """Until ``base``'s ``/readyz`` answers 200; SystemExit if the server ends or 120 s pass."""
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("muster serve did not become ready")
        time.sleep(0.3)


def _p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000


def _in_threads(clients: int, work: Callable[[int], list[float]]) -> tuple[float, list[float]]:
    results: list[list[float]] = [[] for _ in range(clients)]

    def run(i: int) -> None:
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - began, [x for r in results for x in r]


def write_bench(clients: int, per_client: int) -> None:
    """Recording a completion, ``clients`` at once on PostgreSQL (a fresh schema, dropped
    after): ``POST …/training`` through the server vs the ledger's own ``record_training``
    (the same use case and events, in-process, no HTTP) in as many threads; then how long
    after a POST returns the status answer (the dashboard's read model) shows the record."""
    schema = f"bench_http_{os.getpid()}"
    url = f"{PG}?schema={schema}"
    ledger = init_store(url)
    try:
        ledger.register_agency("wpd", "Write PD", "MN", actor="system:bench")
        publish_shipped_packs(ledger, "system:bench", jurisdiction="US-MN")
        for i in range(2 * clients):
            ledger.enrol_person("wpd", f"W{i}", first_name="W", last_name=str(i), kind="sworn",
                                hired_on=date(2020, 1, 6), actor="system:bench")  # fmt: skip
            ledger.record_license("wpd", f"W{i}", license_number=f"L-{i}",
                                  issued_on=date(2020, 1, 6), period_end=date(2026, 6, 30),
                                  actor="system:bench")  # fmt: skip
        account = open_account(ledger, "bench-writer", "Writer", actor="system:bench")
        grant_role(ledger, "bench-writer", "coordinator", actor="system:bench", agency="wpd")
        side = open_side_database(ledger)
        token = AccountStore(side).issue_token(account.id, "bench", ledger.clock(), None)[1]
        side.close()

        def raw(i: int) -> list[float]:
            times = []
            for n in range(per_client):
                began = time.perf_counter()
                ledger.record_training("wpd", f"W{i}", completed_on=date(2025, 1, 1 + n % 28),
                                       course_title=f"Raw {n}", hours=Decimal(2),
                                       actor="system:bench")  # fmt: skip
                times.append(time.perf_counter() - began)
            return times

        raw_elapsed, raw_times = _in_threads(clients, raw)
        mark = len(all_notifications(ledger))  # the log before the HTTP writes
        server, base = _serve(url)
        try:
            auth = {"Authorization": f"Bearer {token}"}

            def http(i: int) -> list[float]:
                times = []
                with httpx.Client(base_url=base, headers=auth, timeout=60) as client:
                    for n in range(per_client):
                        body = {"course_title": f"HTTP {n}", "hours": "2",
                                "completed_on": f"2025-02-{1 + n % 28:02d}"}  # fmt: skip
                        began = time.perf_counter()
                        answer = client.post(f"/api/v1/agencies/wpd/people/W{clients + i}/training",
                                             json=body)  # fmt: skip
                        times.append(time.perf_counter() - began)
                        if answer.status_code != 201:
                            raise SystemExit(f"write refused: {answer.text[:200]}")
                return times

            http_elapsed, http_times = _in_threads(clients, http)
            end = len(all_notifications(ledger))  # the HTTP writes are [mark, end)
            # The dashboard's person page reads ``status``, its overview ``roster``: after
            # each write returns, one of them is polled until it names the new record.
            shown: dict[str, list[float]] = {"status": [], "roster": []}
            reads = {
                "status": "/api/v1/agencies/wpd/people/W0/status?as_of=2025-06-01",
                "roster": "/api/v1/agencies/wpd/roster?as_of=2025-06-01",
            }
            polls = [0]
            with httpx.Client(base_url=base, headers=auth, timeout=60) as client:
                for path in reads.values():
                    client.get(path)
                for n in range(40):
                    which = "status" if n % 2 == 0 else "roster"
                    body = {"course_title": f"Seen {n}", "hours": "1", "completed_on": "2025-03-03"}
                    made = client.post("/api/v1/agencies/wpd/people/W0/training", json=body)
                    record = made.json()["id"]
                    returned = time.perf_counter()
                    while record not in client.get(reads[which]).text:
                        polls[0] += 1
                        if time.perf_counter() - returned > 5:
                            raise SystemExit(f"the {which} answer never named the record")
                        time.sleep(0.001)
                    shown[which].append(time.perf_counter() - returned)
        finally:
            server.terminate()
            server.wait(timeout=30)
        append_elapsed, append_times, events_per_write = _raw_append(
            ledger, f"{PG}?schema={schema}_raw", (mark, end), clients, per_client
        )
    finally:
        ledger.close()
        with psycopg.connect(PG_CONNINFO, autocommit=True) as conn:
            for name in (
                schema,
                read_schema(schema),
                f"{schema}_raw",
                read_schema(f"{schema}_raw"),
            ):
                conn.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name))
                )
    total = clients * per_client
    print(f"# write_bench: PostgreSQL, {clients} clients x {per_client} completions each "
          f"({events_per_write:g} events per completion); load {_load_average()}")  # fmt: skip
    for name, elapsed, times in (
        ("Ledger.save of the same events (baseline)", append_elapsed, append_times),
        ("ledger.record_training (use case)", raw_elapsed, raw_times),
        ("POST …/training", http_elapsed, http_times),
    ):
        print(f"{name:42} {total / elapsed:8.1f} writes/s  p99 {_p99(times):6.1f} ms")
    print(
        f"ratio writes/s, HTTP / raw append: {append_elapsed / http_elapsed:.2f}; "
        f"HTTP / use case in-process: {raw_elapsed / http_elapsed:.2f}"
    )
    for which, times in shown.items():
        median, most = statistics.median(times) * 1000, max(times) * 1000
        print(
            f"shown in {which} after the POST returned: median {median:.1f} ms, max {most:.1f} ms"
        )
    print(f"reads that did not yet show a returned write: {polls[0]} (read-your-writes: 0)")


def _raw_append(
    source: Ledger, url: str, span: tuple[int, int], clients: int, per_client: int
) -> tuple[float, list[float], float]:
    """The ledger's raw append of exactly the events the HTTP writes appended: a fresh
    schema is given every event before them (untimed), then ``clients`` threads each
    append their person's completions' events in order, one ``Ledger.save`` per
    completion (mapper, hash chain, recorded-time index, insert; no use case, no HTTP)."""
    events = [source.mapper.to_domain_event(n) for n in all_notifications(source)]
    before, written = events[: span[0]], events[span[0] : span[1]]
    streams: dict[object, list[object]] = {}
    for event in written:
        streams.setdefault(event.originator_id, []).append(event)
    if len(streams) != clients or len(written) % (clients * per_client):
        raise SystemExit(
            f"the HTTP writes appended {len(written)} events to {len(streams)} streams"
        )
    per_write = len(written) // (clients * per_client)
    target = init_store(url)
    try:
        for i in range(0, len(before), 2000):
            target.save(*before[i : i + 2000])
        queues = list(streams.values())

        def append(i: int) -> list[float]:
            times = []
            mine = queues[i]
            for n in range(0, len(mine), per_write):
                began = time.perf_counter()
                target.save(*mine[n : n + per_write])  # type: ignore[arg-type]
                times.append(time.perf_counter() - began)
            return times

        elapsed, times = _in_threads(clients, append)
        if target.store.count_events() != span[1]:
            raise SystemExit("the raw append lost events")
    finally:
        target.close()
    return elapsed, times, float(per_write)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5, help="alternating slices per route")
    parser.add_argument("--writes", action="store_true", help="the PostgreSQL write half")
    parser.add_argument("--per-client", type=int, default=25)
    args = parser.parse_args()
    if args.writes:
        write_bench(8, args.per_client)
        return
    url = url_for("sqlite", "M")
    token, person = _token_and_person(url)
    port = _free_port()
    env = {**os.environ, "MUSTER_DATABASE_URL": url, "MUSTER_HTTP_PORT": str(port),
           "MUSTER_LOG_LEVEL": "warning", "MUSTER_LOG_FORMAT": "json",
           "MUSTER_SECRET_KEY_FILE": _secret_key_file()}  # fmt: skip
    server = subprocess.Popen([MUSTER, "serve", "--workers", "1"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    _SERVER_PID[0] = server.pid
    try:
        wait_ready(server, base)
        status = f"/api/v1/agencies/{SLUG}/people/{person}/status"
        _load(base, status, token, 2, 1)  # warm: the person's answer memoised, caches filled
        _load(base, "/api/v1/me", token, 2, 1)
        trivial, full = _alternating(
            base, ("/api/v1/me", status), token, args.seconds, args.clients, args.rounds
        )
        if trivial["errors"] or full["errors"]:
            raise SystemExit(f"requests failed: {httpx.get(base + status).text[:200]}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}"
    print(
        f"# http_bench: M agency (SQLite), {args.clients} clients x {args.seconds:.0f} s "
        f"per route in {args.rounds} alternating rounds, {machine}; load {_load_average()}"
    )
    for name, row in (("GET /api/v1/me (baseline)", trivial), ("GET …/status", full)):
        print(f"{name:28} {row['requests']:>7.0f} req {row['errors']:>4.0f} errors "
              f"{row['rps']:>8.1f} req/s  p50 {row['p50_ms']:6.1f} ms  "
              f"p99 {row['p99_ms']:6.1f} ms  server CPU {row['cpu_ms']:5.2f} ms/req")  # fmt: skip
    print(f"ratio req/s {full['rps'] / trivial['rps']:.2f} (goal >= 0.5); "
          f"p99 {full['p99_ms'] / trivial['p99_ms']:.2f}x (goal <= 3); server CPU per "
          f"request: baseline / status {trivial['cpu_ms'] / full['cpu_ms']:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
