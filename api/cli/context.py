"""What every CLI command shares: settings, logging, the ledger and error reporting."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from api.cli.errors import RefusedError, refuse

if TYPE_CHECKING:
    from rich.console import Console

    from ledger.application import Ledger
    from ledger.clock import Clock
    from ledger.ledger_core import LedgerCore
    from ledger.reader import LedgerReader
    from ledger.seal import SealKeys
    from ledger.secret_keys import SecretKeys

    # The CLI's two plain consoles (``api.cli.output.plain_console``): stdout and stderr.
    console: Console
    err_console: Console

__all__ = [
    "check_secret_keys",
    "configured_seal_keys",
    "configured_secret_keys",
    "console",
    "err_console",
    "lock_timeouts",
    "open_ledger",
    "open_reader",
]

Core = TypeVar("Core", bound="LedgerCore")

_CONSOLES = {"console": {}, "err_console": {"stderr": True}}


def __getattr__(name: str) -> Any:
    """``console`` and ``err_console``, made when first asked for: rich's console costs a
    start that prints nothing through it (``muster --help``) a fifth of typer and rich
    together, so the modules the root of the CLI imports name them when they print
    (``context.console``), not when they are imported (issue 14 §6)."""
    if name not in _CONSOLES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from api.cli.output import plain_console

    made = globals()[name] = plain_console(**_CONSOLES[name])
    return made


def lock_timeouts(seconds: int) -> dict[str, str]:
    """The stores' lock waits, in the eventsourcing environment's terms."""
    return {"POSTGRES_LOCK_TIMEOUT": str(seconds), "SQLITE_LOCK_TIMEOUT": str(seconds)}


def configured_seal_keys() -> SealKeys:
    """The keys of ``MUSTER_SEAL_KEY_FILE`` (none if unset); a bad file is a one-line error
    and exit status 2."""
    from api.settings import get_settings
    from ledger.seal import SealKeys, load_seal_keys

    path = get_settings().seal_key_file
    if path is None:
        return SealKeys()
    try:
        return load_seal_keys(path)
    except ValueError as error:
        refuse(str(error))


def configured_secret_keys() -> SecretKeys:
    """The keys that encrypt the TOTP seeds (``api.secret_key_setting``: the file of
    MUSTER_SECRET_KEY_FILE, or the one beside a SQLite store); none, or a bad file, is a
    one-line error and exit status 2. Call it once the store is open (the file beside a
    SQLite store is made then)."""
    from api.secret_key_setting import configured_secret_keys as configured
    from api.settings import get_settings
    from ledger.secret_keys import SecretKeyError

    try:
        return configured(get_settings())
    except SecretKeyError as error:
        refuse(str(error))


def check_secret_keys() -> None:
    """Before serving: a missing or bad MUSTER_SECRET_KEY_FILE (required on PostgreSQL) is
    one line and exit status 2 here, not a traceback from each worker. The key file
    beside a SQLite store is left for the server to make or read."""
    from api.settings import get_settings
    from ledger.database import parse_database_url

    settings = get_settings()
    try:
        sqlite = parse_database_url(settings.database_url).sqlite_path is not None
    except ValueError as error:
        refuse(f"MUSTER_DATABASE_URL: {error}")
    if settings.secret_key_file is not None or not sqlite:
        configured_secret_keys()


def _missing_store(url: str) -> None:
    """A read never creates a store: a SQLite file that is not there is an error saying
    how to make one (a PostgreSQL schema without tables is ``StoreSetupError``'s)."""
    from ledger.database import parse_database_url

    try:
        path = parse_database_url(url).sqlite_path
    except ValueError as error:
        refuse(f"MUSTER_DATABASE_URL: {error}")
    if path is not None and not path.exists():
        refuse(
            f"no database at {path.absolute()} (MUSTER_DATABASE_URL={url}): create one with "
            "`muster db init`, `muster agency add` or `muster demo`, or point "
            "MUSTER_DATABASE_URL at an existing one"
        )


@contextmanager
def open_ledger(clock: Clock | None = None, *, create: bool = False) -> Iterator[Ledger]:
    """The configured ledger; every error inside becomes one line and its exit status
    (``api.cli.errors``), an unknown agency or person with the nearest names. Only the
    commands that set a store up (``create``: ``agency add``, ``account add``, ``demo``)
    may make a new SQLite file."""
    from ledger.application import Ledger

    with _opened(Ledger, clock, create=create) as ledger:
        yield ledger


@contextmanager
def open_reader() -> Iterator[LedgerReader]:
    """The configured store opened for reading (``ledger.reader``), as ``open_ledger``
    opens it but without the write use cases: what the read commands (``agency list``,
    ``status``, ``roster``, ``trend``) answer from, so they import none of them (issue 14
    §6; ``tests/api/test_startup.py``)."""
    from ledger.reader import LedgerReader

    with _opened(LedgerReader, None, create=False) as reader:
        yield reader


@contextmanager
def _opened(kind: type[Core], clock: Clock | None, *, create: bool) -> Iterator[Core]:
    from api.settings import get_settings
    from ledger.clock import system_clock
    from ledger.errors import LedgerError, NotFoundError
    from projections.fingerprint import use_cache_dir

    settings = get_settings()
    use_cache_dir(settings.cache_dir)
    keys = configured_seal_keys()
    if not create:
        _missing_store(settings.database_url)
    try:
        ledger = kind(
            settings.database_url,
            clock=clock or system_clock,
            seal_keys=keys,
            allow_unsafe_durability=settings.allow_unsafe_durability,
            env=lock_timeouts(settings.lock_timeout),
        )
    except LedgerError:
        raise
    except Exception as error:
        refuse(f"cannot open the ledger at {settings.database_url}: {error}")
    try:
        yield ledger
    except NotFoundError as error:
        raise RefusedError(f"{error}{_nearest(ledger, error)}") from None
    finally:
        ledger.close()


def _nearest(ledger: LedgerCore, error: Exception) -> str:
    """For an unknown agency or person: the nearest names and where to list them."""
    from api.cli.suggest import nearest_agency, nearest_person
    from ledger.errors import AgencyNotFoundError, PersonNotFoundError

    try:
        if isinstance(error, AgencyNotFoundError):
            return nearest_agency(ledger)
        if isinstance(error, PersonNotFoundError):
            return nearest_person(ledger)
    except Exception:  # a hint must never hide the error it explains
        return ""
    return ""
