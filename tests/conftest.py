"""Shared fixtures: every store-backed test runs on a SQLite file and on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest
from psycopg import sql

from ledger.application import Ledger
from ledger.clock import SettableClock

POSTGRES_URL = os.environ.get(
    "MUSTER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
BACKENDS = ["sqlite", "postgres"]


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


@pytest.fixture(scope="session")
def postgres_ready() -> None:
    problem = _postgres_available()
    if problem is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required under CI=true but unreachable: {problem}")
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
    yield f"{POSTGRES_URL}?schema={schema}"
    with psycopg.connect(_conninfo(POSTGRES_URL), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


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
    app = Ledger(f"{POSTGRES_URL}?schema={schema}", clock=clock)
    yield app
    app.close()
    with psycopg.connect(_conninfo(POSTGRES_URL), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
