"""Turns ``MUSTER_DATABASE_URL`` into the eventsourcing environment for one of the two stores.

Parsed here with ``urllib.parse`` rather than at the edge with pydantic's DSN types: the
ledger is opened from a URL by every caller (the CLI, worker processes, tests, benchmarks),
and ``ledger/`` imports nothing beyond the standard library, eventsourcing and orjson.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = ["DatabaseConfig", "parse_database_url"]


@dataclass(frozen=True)
class DatabaseConfig:
    backend: str  # "sqlite" or "postgres"
    env: dict[str, str]
    sqlite_path: Path | None = None
    postgres_conninfo: str = ""
    postgres_schema: str = "public"


def parse_database_url(url: str) -> DatabaseConfig:
    """``sqlite:///relative/file.db``, ``sqlite:////absolute/file.db`` or
    ``postgresql://user:password@host:port/dbname?schema=name``."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = Path(unquote(parts.path)[1:])  # sqlite:///rel/file, sqlite:////abs/file
        if str(path) in {"", "."}:
            msg = f"sqlite URL needs a file path: {url!r}"
            raise ValueError(msg)
        return DatabaseConfig(
            backend="sqlite",
            sqlite_path=path,
            env={
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(path),
                "SQLITE_LOCK_TIMEOUT": "10",
                "APPLICATION_RECORDER_TOPIC": "ledger.sqlite_store:ChainedSQLiteRecorder",
            },
        )
    if parts.scheme in {"postgresql", "postgres"}:
        schema = parse_qs(parts.query).get("schema", ["public"])[0]
        dbname = unquote(parts.path.lstrip("/")) or "postgres"
        user = unquote(parts.username or "postgres")
        host = parts.hostname or "127.0.0.1"
        port = str(parts.port or 5432)
        password = unquote(parts.password or "")
        conninfo = _conninfo(host=host, port=port, dbname=dbname, user=user, password=password)
        return DatabaseConfig(
            backend="postgres",
            postgres_conninfo=conninfo,
            postgres_schema=schema,
            env={
                "PERSISTENCE_MODULE": "eventsourcing.postgres",
                "POSTGRES_DBNAME": dbname,
                "POSTGRES_HOST": host,
                "POSTGRES_PORT": port,
                "POSTGRES_USER": user,
                "POSTGRES_PASSWORD": password,
                "POSTGRES_SCHEMA": schema,
                # Fail fast instead of the library's ~5 minute retry loop on an empty pool.
                "POSTGRES_CONNECT_TIMEOUT": "5",
                "POSTGRES_LOCK_TIMEOUT": "10",
                # The library's 5 s default cut off large imports' transactions mid-write.
                "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "60",
                "POSTGRES_POOL_SIZE": "4",
                "POSTGRES_MAX_OVERFLOW": "8",
                # Never POSTGRES_ENABLE_DB_FUNCTIONS: in 9.5.6 it skips the table lock.
                "APPLICATION_RECORDER_TOPIC": "ledger.postgres_store:ChainedPostgresRecorder",
            },
        )
    msg = f"unsupported database URL {url!r}: use sqlite:///path or postgresql://..."
    raise ValueError(msg)


def _conninfo(**params: str) -> str:
    """A libpq keyword/value string; values with spaces, quotes or backslashes (a password
    may have any of them) are single-quoted and escaped as libpq requires."""
    parts = []
    for key, value in params.items():
        if not value:
            continue
        if any(char in value for char in " '\\\t\n"):
            value = "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
        parts.append(f"{key}={value}")
    return " ".join(parts)
