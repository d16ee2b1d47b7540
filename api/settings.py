"""Configuration, read once from ``MUSTER_*`` environment variables."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "default_database_url", "get_settings"]


def default_database_url() -> str:
    """``$XDG_DATA_HOME/muster/muster.db`` (``~/.local/share/muster/muster.db`` without it):
    the same file whichever directory a command runs in. XDG_DATA_HOME is the one variable
    read here besides ``MUSTER_*``: the freedesktop base-directory convention for where a
    user's data lives."""
    base = os.environ.get("XDG_DATA_HOME", "").strip()
    home = Path(base) if base and Path(base).is_absolute() else Path.home() / ".local" / "share"
    return f"sqlite:///{home / 'muster' / 'muster.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MUSTER_", extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # Import limits (docs/import.md): a file beyond any of them is refused with one line.
    import_max_bytes: int = Field(default=100_000_000, gt=0)
    import_max_rows: int = Field(default=250_000, gt=0)
    import_max_columns: int = Field(default=256, gt=0)
    import_max_cell_chars: int = Field(default=4_096, gt=0)
    import_max_issues_per_column: int = Field(default=20, gt=0)
    # The largest certificate an officer may upload with a training request (bytes).
    upload_max_bytes: int = Field(default=10_000_000, gt=0)
    # Who a CLI write is recorded as (default: the operating-system user).
    actor: str | None = None
    # The file of seal keys (``ledger.seal``): keep it off the database's machine and out
    # of its backups; without it units are appended unsealed and verify says so.
    seal_key_file: Path | None = None
    # How long a write waits for another's write lock before giving up (seconds).
    lock_timeout: int = Field(default=10, ge=1, le=600)
    # Start on a PostgreSQL server with fsync or synchronous_commit off (tests only).
    allow_unsafe_durability: bool = False
    # ``muster serve`` (docs/http.md): where it listens and how many worker processes.
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=1, le=65535)
    http_workers: int = Field(default=1, ge=1, le=64)
    # How long a bearer token from ``POST /api/v1/session`` stays valid (days).
    token_days: int = Field(default=30, ge=1, le=366)

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "postgresql://", "postgres://")):
            msg = "MUSTER_DATABASE_URL must start with sqlite:/// or postgresql://"
            raise ValueError(msg)
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
