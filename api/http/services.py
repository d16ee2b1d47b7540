"""What every request shares, made once per process: the one ``Ledger``, the side tables
(account secrets, throttling, idempotency keys, the read audit), the certificate store
and the settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from fastapi import Request

from api.secret_key_setting import configured_secret_keys
from api.settings import Settings
from ledger.account_store import AccountStore
from ledger.application import Ledger
from ledger.blob_store import CERTIFICATE_BLOBS, BlobStore, open_blob_store
from ledger.idempotency_keys import IdempotencyKeys
from ledger.login_throttle import LoginThrottle
from ledger.read_audit import ReadAudit
from ledger.side_database import SideDatabase

__all__ = ["Services", "open_side_database", "services"]


@dataclass
class Services:
    ledger: Ledger
    side: SideDatabase
    accounts: AccountStore
    throttle: LoginThrottle
    idempotency: IdempotencyKeys
    audit: ReadAudit
    settings: Settings
    certificates: BlobStore

    @classmethod
    def for_ledger(cls, ledger: Ledger, settings: Settings) -> Services:
        """SecretKeyError (one line) if there is no secret key for the TOTP seeds."""
        keys = configured_secret_keys(settings)
        side = open_side_database(ledger)
        # The store also stages import files between dry run and commit (``api.web``).
        limit = max(settings.upload_max_bytes, settings.import_max_bytes)
        certificates = open_blob_store(
            CERTIFICATE_BLOBS, ledger.database, side.datastore, max_bytes=limit
        )
        return cls(
            ledger,
            side,
            AccountStore(side, keys),
            LoginThrottle(side),
            IdempotencyKeys(side),
            ReadAudit(side),
            settings,
            certificates,
        )

    def now(self) -> datetime:
        return self.ledger.clock()

    def close(self) -> None:
        self.side.close()
        self.ledger.close()


def open_side_database(ledger: Ledger) -> SideDatabase:
    """The side tables of ``ledger``'s database, through its own connection pool."""
    datastore = getattr(ledger.recorder, "datastore", None)
    return SideDatabase(ledger.database, datastore)


def services(request: Request) -> Services:
    return cast(Services, request.app.state.services)
