"""Configuration, read once from ``MUSTER_*`` environment variables.

Plain parsing of a few typed fields rather than pydantic-settings: every CLI command reads
the settings, and pydantic-settings with pydantic cost a read command more than typer and
rich together (issue 14 §6, ``benchmarks/cli_startup_bench.py``). Names are matched
without regard to case; every bad variable is named in one ``SettingsError``."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "Settings",
    "SettingsError",
    "default_cache_dir",
    "default_database_url",
    "get_settings",
]

PREFIX = "MUSTER_"


def default_database_url() -> str:
    """``$XDG_DATA_HOME/muster/muster.db`` (``~/.local/share/muster/muster.db`` without it):
    the same file whichever directory a command runs in. XDG_DATA_HOME is the one variable
    read here besides ``MUSTER_*``: the freedesktop base-directory convention for where a
    user's data lives."""
    base = os.environ.get("XDG_DATA_HOME", "").strip()
    home = Path(base) if base and Path(base).is_absolute() else Path.home() / ".local" / "share"
    return f"sqlite:///{home / 'muster' / 'muster.db'}"


def default_cache_dir() -> Path:
    """The user's cache directory for muster (platformdirs: ``$XDG_CACHE_HOME/muster``,
    ``~/.cache/muster`` without it, on Linux): what can be recomputed, kept apart from the
    installed code and from the data."""
    import platformdirs  # here, not at import: only a command that needs it pays for it

    return platformdirs.user_cache_path("muster", appauthor=False)


class SettingsError(ValueError):
    """One or more settings are invalid: ``problems`` holds (variable, what is wrong)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{name}: {what}" for name, what in problems))


def _database_url(value: str) -> str:
    if not value.startswith(("sqlite:///", "postgresql://", "postgres://")):
        raise ValueError("MUSTER_DATABASE_URL must start with sqlite:/// or postgresql://")
    return value


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"Input should be {', '.join(repr(a) for a in allowed)}")
        return value

    return parse


def _integer(low: int, high: int | None = None) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value.strip())
        except ValueError:
            raise ValueError("Input should be a valid integer") from None
        if number < low:
            raise ValueError(f"Input should be greater than or equal to {low}")
        if high is not None and number > high:
            raise ValueError(f"Input should be less than or equal to {high}")
        return number

    return parse


_TRUE = {"1", "on", "t", "true", "y", "yes"}
_FALSE = {"0", "off", "f", "false", "n", "no"}


def _boolean(value: str) -> bool:
    word = value.strip().lower()
    if word in _TRUE or word in _FALSE:
        return word in _TRUE
    raise ValueError("Input should be a valid boolean")


_ROLES = frozenset({"officer", "supervisor", "coordinator", "command", "auditor", "admin"})


def _roles(value: str) -> str:
    roles = {r.strip().lower() for r in value.split(",") if r.strip()}
    if roles - _ROLES:
        raise ValueError(f"unknown roles {sorted(roles - _ROLES)}")
    return ",".join(sorted(roles))


def _path(value: str) -> Path:
    return Path(value)


def _text(value: str) -> str:
    return value


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=default_database_url)
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # Import limits (docs/import.md): a file beyond any of them is refused with one line.
    import_max_bytes: int = 100_000_000
    import_max_rows: int = 250_000
    import_max_columns: int = 256
    import_max_cell_chars: int = 4_096
    import_max_issues_per_column: int = 20
    # The largest certificate an officer may upload with a training request (bytes).
    upload_max_bytes: int = 10_000_000
    # Who a CLI write is recorded as (default: the operating-system user).
    actor: str | None = None
    # The file of seal keys (``ledger.seal``): keep it off the database's machine and out
    # of its backups; without it units are appended unsealed and verify says so.
    seal_key_file: Path | None = None
    # The key file that signs digests sent to a webhook (``muster digest publish
    # --webhook``, api/publication.py), in the seal key file's form; keep it apart from it.
    digest_webhook_key_file: Path | None = None
    # The key file that encrypts the account secrets read back (TOTP seeds:
    # ``ledger.secret_keys``), in the seal key file's form: the last key encrypts, the
    # earlier ones only open rows not yet re-encrypted (``muster account rotate-secrets``).
    # Unset on SQLite: a key file made beside the store; required on PostgreSQL.
    secret_key_file: Path | None = None
    # How long a write waits for another's write lock before giving up (seconds).
    lock_timeout: int = 10
    # Start on a PostgreSQL server with fsync or synchronous_commit off (tests only).
    allow_unsafe_durability: bool = False
    # ``muster serve`` (docs/http.md): where it listens and how many worker processes.
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    http_workers: int = 1
    # The largest packet ``POST /api/v1/packets/verification`` takes (bytes; an agency packet
    # at 1,000 officers and 10 years is about 140 MB, stored uncompressed).
    http_packet_max_bytes: int = 300_000_000
    # How long a bearer token from ``POST /api/v1/session`` stays valid (days).
    token_days: int = 30
    # Notices (``muster notify``, docs/notify.md): the SMTP server they are sent through,
    # the file holding its password, the From address, the file holding the webhook's
    # HMAC key, and how often ``muster serve`` runs a pass itself (seconds; 0: never).
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str = ""
    smtp_password_file: Path | None = None
    smtp_from: str = "muster@localhost"
    smtp_timeout: int = 30
    webhook_key_file: Path | None = None
    notify_interval: int = 0
    # The roles whose holders must log in with a TOTP code too (comma-separated; "" none).
    totp_required_roles: str = "admin,coordinator"
    # What can be recomputed, remembered across processes (the engine's fingerprint:
    # ``projections.fingerprint``); a location that cannot be written only costs time.
    cache_dir: Path = field(default_factory=default_cache_dir)

    def __post_init__(self) -> None:
        _database_url(self.database_url)

    @property
    def totp_roles(self) -> frozenset[str]:
        return frozenset(r for r in self.totp_required_roles.split(",") if r)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings the ``MUSTER_*`` variables of ``environ`` (default: the process's)
        give; SettingsError names every variable that is invalid."""
        given = {
            name.upper()[len(PREFIX) :]: value
            for name, value in (os.environ if environ is None else environ).items()
            if name.upper().startswith(PREFIX)
        }
        values: dict[str, Any] = {}
        problems: list[tuple[str, str]] = []
        for item in fields(cls):
            text = given.get(item.name.upper())
            if text is None:
                continue
            try:
                values[item.name] = _PARSERS[item.name](text)
            except ValueError as error:
                problems.append((PREFIX + item.name.upper(), str(error)))
        if problems:
            raise SettingsError(problems)
        return cls(**values)


# How each variable's text is read (every field of Settings has one).
_PARSERS: dict[str, Callable[[str], Any]] = {
    "database_url": _database_url,
    "log_format": _choice("auto", "json", "console"),
    "log_level": _choice("debug", "info", "warning", "error"),
    "import_max_bytes": _integer(1),
    "import_max_rows": _integer(1),
    "import_max_columns": _integer(1),
    "import_max_cell_chars": _integer(1),
    "import_max_issues_per_column": _integer(1),
    "upload_max_bytes": _integer(1),
    "actor": _text,
    "seal_key_file": _path,
    "digest_webhook_key_file": _path,
    "secret_key_file": _path,
    "lock_timeout": _integer(1, 600),
    "allow_unsafe_durability": _boolean,
    "http_host": _text,
    "http_port": _integer(1, 65535),
    "http_workers": _integer(1, 64),
    "http_packet_max_bytes": _integer(1),
    "token_days": _integer(1, 366),
    "smtp_host": _text,
    "smtp_port": _integer(1, 65535),
    "smtp_security": _choice("starttls", "tls", "none"),
    "smtp_username": _text,
    "smtp_password_file": _path,
    "smtp_from": _text,
    "smtp_timeout": _integer(1, 600),
    "webhook_key_file": _path,
    "notify_interval": _integer(0, 7 * 86_400),
    "totp_required_roles": _roles,
    "cache_dir": _path,
}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_environment()
