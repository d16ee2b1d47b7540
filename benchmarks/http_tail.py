"""Where the status route's slow requests spend their time (issue 15's p99): the same
server and load as ``http_bench.py`` (M agency, SQLite, one uvicorn worker, 4 keep-alive
client threads), with the server process instrumented:

- per request: arrival at the ASGI app, the guard's start (after the threadpool hop), the
  token lookup, the read-audit append, the route's start and its read model call, the end;
- every side-table transaction on SQLite: how long ``BEGIN`` took (time in SQLite's busy
  handler, which sleeps 1, 2, 5, 10, 15, 20, 25... ms between tries), the body, the commit;
- the read audit: time waiting for the writer's lock, whether this request wrote the group
  and how many entries it held;
- every garbage-collector pass (``gc.callbacks``) overlapping a request.

    .venv/bin/python benchmarks/http_tail.py [--seconds 10] [--clients 4] [--route status|me]

(``HTTP_TAIL_SWITCH_INTERVAL=0.001`` runs the server with that ``sys.setswitchinterval``.)

Prints a latency histogram (client side) and, for the slowest 1 % of requests against the
median request, where the time went. Diagnostic only: not the benchmark's figures.
"""

from __future__ import annotations

import argparse
import contextvars
import functools
import gc
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
_REQUEST: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "request", default=None
)


_PHASE: contextvars.ContextVar[str] = contextvars.ContextVar("phase", default="other")


def _add(key: str, seconds: float) -> None:
    record = _REQUEST.get()
    if record is not None:
        record[key] = record.get(key, 0.0) + seconds


def _instrument(out: Path) -> None:
    """Patch the server's modules in this process, then let uvicorn run the app."""
    if os.environ.get("HTTP_TAIL_SWITCH_INTERVAL"):  # the GIL's hand-over interval (5 ms)
        sys.setswitchinterval(float(os.environ["HTTP_TAIL_SWITCH_INTERVAL"]))
    from api.http import policy

    original_guard = policy._guard  # patched before the routes are declared with it

    def guard_factory(*args: Any, **kwargs: Any) -> Any:
        inner = original_guard(*args, **kwargs)

        @functools.wraps(inner)  # FastAPI reads the signature: ``request: Request``
        def guard(request: Any) -> Any:
            record = _REQUEST.get()
            if record is not None:
                record["guard_at"] = time.perf_counter()
            cpu = time.thread_time()
            try:
                return inner(request)
            finally:
                if record is not None:
                    record["guard_end"] = time.perf_counter()
                    record["guard_cpu"] = time.thread_time() - cpu

        return guard

    policy._guard = guard_factory  # type: ignore[assignment]
    import api.http.app as app_module
    import api.http.routes.reads as reads
    from ledger import read_audit, side_database
    from ledger.account_store import AccountStore

    records: list[dict[str, Any]] = []
    gcs: list[tuple[float, float, int]] = []
    gc_start: dict[int, float] = {}

    def on_gc(phase: str, info: dict[str, int]) -> None:
        me = threading.get_ident()
        if phase == "start":
            gc_start[me] = time.perf_counter()
        elif me in gc_start:
            gcs.append((gc_start.pop(me), time.perf_counter(), info["generation"]))

    gc.callbacks.append(on_gc)

    original_transaction = side_database.SideDatabase.transaction

    @contextmanager
    def transaction(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        if self.backend != "sqlite":  # pragma: no cover - the bench runs on SQLite
            with original_transaction(self, *args, **kwargs) as cur:
                yield cur
            return
        phase = _PHASE.get()
        began = time.perf_counter()
        with original_transaction(self, *args, **kwargs) as cur:
            _add(f"begin_{phase}", time.perf_counter() - began)
            yield cur
            committing = time.perf_counter()
        _add(f"commit_{phase}", time.perf_counter() - committing)

    side_database.SideDatabase.transaction = transaction  # type: ignore[method-assign]

    original_token = AccountStore.token_account

    def token_account(self: Any, token: str, now: Any) -> Any:
        began = time.perf_counter()
        phase = _PHASE.set("token")
        try:
            return original_token(self, token, now)
        finally:
            _PHASE.reset(phase)
            _add("token", time.perf_counter() - began)

    AccountStore.token_account = token_account  # type: ignore[method-assign]

    original_append = read_audit.ReadAudit.append
    original_write = read_audit.ReadAudit._write

    def append(self: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        phase = _PHASE.set("audit")
        try:
            return original_append(self, **kwargs)
        finally:
            _PHASE.reset(phase)
            _add("audit", time.perf_counter() - began)

    def write(self: Any, group: list[Any]) -> Any:
        began = time.perf_counter()
        try:
            return original_write(self, group)
        finally:
            _add("audit_write", time.perf_counter() - began)
            _add("group", float(len(group)))

    read_audit.ReadAudit.append = append  # type: ignore[method-assign]
    read_audit.ReadAudit._write = write  # type: ignore[method-assign]

    original_status = reads.status_json

    def status_json(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return original_status(*args, **kwargs)
        finally:
            _add("read_model", time.perf_counter() - began)

    reads.status_json = status_json

    original_create = app_module.create_app

    def create_app() -> Any:
        app = original_create()

        async def traced(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            record: dict[str, Any] = {"path": scope["path"], "at": time.perf_counter()}
            token = _REQUEST.set(record)

            async def sending(message: Any) -> None:
                if message["type"] == "http.response.start":
                    record["respond"] = time.perf_counter()
                await send(message)

            try:
                await app(scope, receive, sending)
            finally:
                record["end"] = time.perf_counter()
                _REQUEST.reset(token)
                records.append(record)

        return traced

    def dump(*_: Any) -> None:
        out.write_text(json.dumps({"records": records, "gcs": gcs}))
        os._exit(0)

    signal.signal(signal.SIGUSR1, dump)
    import uvicorn

    uvicorn.run(
        create_app,
        factory=True,
        host="127.0.0.1",
        port=int(os.environ["MUSTER_HTTP_PORT"]),
        workers=1,
        log_level="warning",
        access_log=False,
    )


def _client(base: str, path: str, token: str, seconds: float, clients: int) -> list[float]:
    import httpx

    stop = time.perf_counter() + seconds
    latencies: list[float] = []
    lock = threading.Lock()

    def run() -> None:
        mine = []
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
            while time.perf_counter() < stop:
                began = time.perf_counter()
                http.get(path).raise_for_status()
                mine.append(time.perf_counter() - began)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(latencies)


def _histogram(latencies: list[float]) -> None:
    edges = [1, 2, 4, 6, 8, 10, 15, 20, 30, 40, 60, 100, 1e9]
    counts = [0] * len(edges)
    for x in latencies:
        ms = x * 1000
        counts[next(i for i, e in enumerate(edges) if ms < e)] += 1
    low = 0.0
    for edge, count in zip(edges, counts, strict=True):
        label = f"{low:g}-{edge:g} ms" if edge < 1e9 else f">= {low:g} ms"
        print(f"  {label:>12} {count:7d} {'#' * round(60 * count / len(latencies))}")
        low = edge


_PARTS = (
    ("queue to guard", lambda r: r.get("guard_at", r["at"]) - r["at"]),
    ("token lookup", lambda r: r.get("token", 0.0)),
    ("  its BEGIN (waiting for a lock)", lambda r: r.get("begin_token", 0.0)),
    ("audit append", lambda r: r.get("audit", 0.0)),
    ("  of it: writing a group", lambda r: r.get("audit_write", 0.0)),
    ("    its BEGIN (waiting for a lock)", lambda r: r.get("begin_audit", 0.0)),
    ("    its COMMIT (fsync)", lambda r: r.get("commit_audit", 0.0)),
    ("guard CPU (thread)", lambda r: r.get("guard_cpu", 0.0)),
    ("guard to response start", lambda r: r.get("respond", r["end"]) - r.get("guard_end", r["at"])),
    ("  read model (status_json)", lambda r: r.get("read_model", 0.0)),
    ("server total", lambda r: r["end"] - r["at"]),
)


def _report(records: list[dict[str, Any]], gcs: list[list[float]], path: str, since: float) -> None:
    mine = [r for r in records if r["path"] == path and "end" in r and r["at"] >= since]
    gcs = [g for g in gcs if g[0] >= since]
    mine.sort(key=lambda r: r["end"] - r["at"])
    n = len(mine)
    tail = mine[int(n * 0.99) :]
    middle = mine[int(n * 0.45) : int(n * 0.55)]
    for r in mine:
        r["gc"] = sum(
            min(e, r["end"]) - max(s, r["at"]) for s, e, _ in gcs if s < r["end"] and e > r["at"]
        )
        r["gc2"] = any(g == 2 and s < r["end"] and e > r["at"] for s, e, g in gcs)
    parts = (*_PARTS, ("GC pauses overlapping", lambda r: r["gc"]))
    print(
        f"server side, {n} requests to {path}: mean ms, median decile vs slowest 1 % ({len(tail)})"
    )
    for name, part in parts:
        mid = statistics.mean(part(r) for r in middle) * 1000
        slow = statistics.mean(part(r) for r in tail) * 1000
        print(f"  {name:30} {mid:8.2f} {slow:8.2f}")
    slow_groups = [r.get("group", 0) for r in tail if r.get("audit_write")]
    if slow_groups:
        print(f"  tail requests that wrote a group: {len(slow_groups)}, mean group size "
              f"{statistics.mean(slow_groups):.1f}")  # fmt: skip
    commits = sorted((r["commit_audit"] * 1000 for r in mine if "commit_audit" in r), reverse=True)
    if commits:
        print(f"  audit commits: {len(commits)}, median {statistics.median(commits):.2f} ms, "
              f"slowest {', '.join(f'{c:.1f}' for c in commits[:8])} ms")  # fmt: skip
    for phase in ("token", "audit"):
        busy = sum(1 for r in mine if r.get(f"begin_{phase}", 0) > 0.0009)
        print(f"  requests whose {phase} BEGIN took >= 0.9 ms (busy handler slept): {busy} of {n}")
    full = sum(1 for g in gcs if g[2] == 2)
    overlapping = sum(1 for r in tail if r["gc2"])
    print(f"  GC passes: {len(gcs)} (gen 2: {full}); tail requests overlapping a gen-2 pass: "
          f"{overlapping}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--route", choices=("status", "me"), default="status")
    parser.add_argument("--serve", help=argparse.SUPPRESS)  # the instrumented server
    args = parser.parse_args()
    if args.serve:
        _instrument(Path(args.serve))
        return
    sys.path.insert(0, str(HERE))
    from http_bench import (
        SLUG,
        _free_port,
        _load_average,
        _secret_key_file,
        _token_and_person,
        wait_ready,
    )
    from readside_bench import url_for

    url = url_for("sqlite", "M")
    token, person = _token_and_person(url)
    port = _free_port()
    out = Path(f"/tmp/http_tail_{os.getpid()}.json")
    env = {**os.environ, "MUSTER_DATABASE_URL": url, "MUSTER_HTTP_PORT": str(port),
           "MUSTER_LOG_LEVEL": "warning", "MUSTER_LOG_FORMAT": "json",
           "MUSTER_SECRET_KEY_FILE": _secret_key_file()}  # fmt: skip
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(out)], env=env)
    base = f"http://127.0.0.1:{port}"
    wait_ready(server, base)
    path = (
        f"/api/v1/agencies/{SLUG}/people/{person}/status"
        if args.route == "status"
        else "/api/v1/me"
    )
    try:
        _client(base, path, token, 2, 1)  # warm
        since = time.perf_counter()
        latencies = _client(base, path, token, args.seconds, args.clients)
    finally:
        server.send_signal(signal.SIGUSR1)
        server.wait(timeout=60)
    data = json.loads(out.read_text())
    out.unlink()
    n = len(latencies)
    print(
        f"# http_tail: {path}, {args.clients} clients x {args.seconds:g} s; load {_load_average()}"
    )
    p50, p99 = statistics.median(latencies) * 1000, latencies[int(n * 0.99) - 1] * 1000
    print(f"client side: {n} requests, {n / args.seconds:.1f} req/s, p50 {p50:.1f} ms, "
          f"p99 {p99:.1f} ms, max {latencies[-1] * 1000:.1f} ms")  # fmt: skip
    _histogram(latencies)
    _report(data["records"], data["gcs"], path, since)


if __name__ == "__main__":
    main()
