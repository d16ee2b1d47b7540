"""Shared fixtures: every store-backed test runs on a SQLite file and on PostgreSQL.

On PostgreSQL each test's store is created by the owner role (``POSTGRES_URL``'s, as
``muster db init`` would) and the test runs as the application role ``APP_ROLE``, which
may only select and insert."""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from ledger.application import Ledger
from ledger.clock import SettableClock
from ledger.seal import SealKeys
from projections.read_store.schema import read_schema
from replay.store_setup import init_store

POSTGRES_URL = os.environ.get(
    "MUSTER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
APP_ROLE = os.environ.get("MUSTER_TEST_APP_ROLE", "muster_app")
BACKENDS = ["sqlite", "postgres"]
# A command run without MUSTER_DATABASE_URL uses $XDG_DATA_HOME/muster/muster.db: in the
# suite that is a folder of its own, never the user's data.
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="muster-tests-data-")
# Likewise its cache (MUSTER_CACHE_DIR's default: $XDG_CACHE_HOME/muster).
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="muster-tests-cache-")
# The key of the account secrets (TOTP seeds) every test's server and command is given,
# as a server on PostgreSQL must be (MUSTER_SECRET_KEY_FILE); a fixed test key, never a
# real one. Tests of the key file kept beside a SQLite store unset it.
TEST_SECRET_KEY_FILE = Path(tempfile.mkdtemp(prefix="muster-tests-keys-")) / "secret-keys"
TEST_SECRET_KEY_FILE.write_text(f"test-1 {bytes(range(32, 64)).hex()}\n", encoding="utf-8")
TEST_SECRET_KEY_FILE.chmod(0o600)
os.environ["MUSTER_SECRET_KEY_FILE"] = str(TEST_SECRET_KEY_FILE)
# A fixed test key (never a real one): tests that attack the seals use it.
TEST_SEAL_KEYS = SealKeys({"test-1": bytes(range(32))}, "test-1")


def ci_required() -> bool:
    """CI set to any true value makes PostgreSQL mandatory."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on", "y"}


def as_role(url: str, role: str) -> str:
    """The same database URL, connecting as ``role`` (trust authentication in tests)."""
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    netloc = f"{role}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def owner_url(url: str) -> str:
    """A test store's URL as the owner role (``POSTGRES_URL``'s user), same schema."""
    owner = urlsplit(POSTGRES_URL).username or "postgres"
    return as_role(url, owner)


def create_postgres_store(schema: str, *, seal_keys: SealKeys | None = None) -> str:
    """Create a store in a fresh schema as the owner; its URL as the application role."""
    init_store(f"{POSTGRES_URL}?schema={schema}", app_role=APP_ROLE, seal_keys=seal_keys).close()
    return as_role(f"{POSTGRES_URL}?schema={schema}", APP_ROLE)


def drop_postgres_store(schema: str) -> None:
    with psycopg.connect(_conninfo(POSTGRES_URL), autocommit=True) as conn:
        for name in (schema, read_schema(schema)):
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


def _conninfo(url: str) -> str:
    from ledger.database import parse_database_url

    return parse_database_url(url).postgres_conninfo


def _postgres_available() -> str | None:
    try:
        with psycopg.connect(_conninfo(POSTGRES_URL), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as error:
        return str(error)
    return None


def _ensure_app_role() -> None:
    """The application role: may log in, owns nothing (created once per cluster)."""
    with psycopg.connect(_conninfo(POSTGRES_URL), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (APP_ROLE,)).fetchone()
        if exists is None:
            # Another test process may make it first.
            with contextlib.suppress(
                psycopg.errors.DuplicateObject, psycopg.errors.UniqueViolation
            ):
                conn.execute(
                    sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE").format(
                        sql.Identifier(APP_ROLE)
                    )
                )


@pytest.fixture(scope="session")
def postgres_ready() -> None:
    problem = _postgres_available()
    if problem is None:
        _ensure_app_role()
        return
    if ci_required():
        pytest.fail(f"PostgreSQL is required under CI but unreachable: {problem}")
    pytest.skip(f"PostgreSQL unreachable (set CI=true to make this a failure): {problem}")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        request.getfixturevalue("postgres_ready")
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: object) -> Iterator[str]:
    """A fresh store: a SQLite file in a temp dir, or a fresh PostgreSQL schema."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path}/muster.db"
        return
    schema = f"t_{uuid.uuid4().hex[:16]}"
    yield create_postgres_store(schema)
    drop_postgres_store(schema)


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(datetime(2025, 3, 1, 12, 0, tzinfo=UTC))


@pytest.fixture
def ledger(database_url: str, clock: SettableClock) -> Iterator[Ledger]:
    app = Ledger(database_url, clock=clock)
    yield app
    app.close()


@pytest.fixture
def postgres_ledger(postgres_ready: None, clock: SettableClock) -> Iterator[Ledger]:
    """A ledger on a fresh PostgreSQL schema, for behaviour only PostgreSQL has."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    app = Ledger(create_postgres_store(schema), clock=clock)
    yield app
    app.close()
    drop_postgres_store(schema)
