"""Which secret keys encrypt the TOTP seeds (``ledger.secret_keys``): those of
``MUSTER_SECRET_KEY_FILE``; without it, on the embedded SQLite store, a key file kept
beside the store (made once, owner-only, like the store itself a file of the one
machine); on PostgreSQL none: a server whose database is shared must be given its key
file, or it refuses to start (a key made on one host would lock out the second factors
written by another)."""

from __future__ import annotations

from api.settings import Settings
from ledger.database import parse_database_url
from ledger.secret_keys import SecretKeyError, SecretKeys, key_file_beside, load_secret_keys

__all__ = ["configured_secret_keys"]


def configured_secret_keys(settings: Settings) -> SecretKeys:
    """The secret keys for ``settings``; SecretKeyError with one line if there are none."""
    if settings.secret_key_file is not None:
        return load_secret_keys(settings.secret_key_file)
    store = parse_database_url(settings.database_url).sqlite_path
    if store is None:
        raise SecretKeyError(
            "MUSTER_SECRET_KEY_FILE is required on PostgreSQL (it encrypts the TOTP seeds): "
            "make one with `muster account new-secret-key FILE --id ID`, kept off the "
            "database's machine and out of its backups"
        )
    return key_file_beside(store)
