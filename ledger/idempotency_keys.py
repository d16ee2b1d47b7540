"""Idempotency keys: the first answer to a write, kept per account and key, so a retry
returns it and appends nothing (``api.http.idempotency``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from ledger.side_database import IDEMPOTENCY, SideDatabase, utc_text

__all__ = ["IdempotencyKeys", "IdempotentResult"]


@dataclass(frozen=True)
class IdempotentResult:
    """What an earlier request with the same key asked (``request_hash``) and answered
    (``status`` None: it is still being answered)."""

    request_hash: str
    status: int | None
    response: str | None


class IdempotencyKeys:
    def __init__(self, database: SideDatabase) -> None:
        self.db = database

    def claim(
        self, account_id: UUID, key: str, request_hash: str, now: datetime
    ) -> IdempotentResult | None:
        """Claim ``key`` for a request (None: claimed, go on), or what the earlier request
        with the same key asked and answered."""
        table = self.db.table(IDEMPOTENCY)
        try:
            with self.db.transaction() as cur:
                cur.execute(
                    f"INSERT INTO {table} (account_id, key, request_hash, created_at) "
                    "VALUES (%s, %s, %s, %s)",
                    (str(account_id), key, request_hash, utc_text(now)),
                )
            return None
        except IntegrityError:
            pass
        with self.db.reading() as cur:
            cur.execute(
                f"SELECT request_hash, status, response FROM {table} "
                "WHERE account_id = %s AND key = %s",
                (str(account_id), key),
            )
            rows = cur.fetchall()
        if not rows:  # released meanwhile: claim again
            return self.claim(account_id, key, request_hash, now)
        digest, status, response = rows[0]
        return IdempotentResult(str(digest), None if status is None else int(status), response)

    def answered(self, account_id: UUID, key: str, status: int, response: str) -> None:
        with self.db.transaction() as cur:
            cur.execute(
                f"UPDATE {self.db.table(IDEMPOTENCY)} SET status = %s, response = %s "
                "WHERE account_id = %s AND key = %s",
                (status, response, str(account_id), key),
            )

    def release(self, account_id: UUID, key: str) -> None:
        """Forget a claim whose request appended nothing (refused), so it can be retried."""
        with self.db.transaction() as cur:
            cur.execute(
                f"DELETE FROM {self.db.table(IDEMPOTENCY)} WHERE account_id = %s AND key = %s",
                (str(account_id), key),
            )
