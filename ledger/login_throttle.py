"""Login throttling: failed logins counted per username in a side table; the fifth in a
row locks the name for 15 minutes (issue 15, OWASP ASVS 2.2.1)."""

from __future__ import annotations

from datetime import datetime, timedelta

from ledger.side_database import THROTTLE, SideDatabase, utc_text

__all__ = ["LOCKOUT", "MAX_FAILURES", "LoginThrottle"]

MAX_FAILURES = 5  # failed logins in a row ...
LOCKOUT = timedelta(minutes=15)  # ... lock the username for this long


class LoginThrottle:
    def __init__(self, database: SideDatabase) -> None:
        self.db = database

    def locked_until(self, name: str, now: datetime) -> datetime | None:
        with self.db.reading() as cur:
            cur.execute(
                f"SELECT locked_until FROM {self.db.table(THROTTLE)} WHERE username = %s",
                (name,),
            )
            rows = cur.fetchall()
        if not rows or rows[0][0] is None:
            return None
        until = datetime.fromisoformat(str(rows[0][0]))
        return until if until > now else None

    def login_failed(self, name: str, now: datetime) -> datetime | None:
        """Count a failure; the fifth in a row locks the name for 15 minutes (returned)."""
        with self.db.transaction() as cur:
            table = self.db.table(THROTTLE)
            cur.execute(f"SELECT failures FROM {table} WHERE username = %s", (name,))
            rows = cur.fetchall()
            failures = (int(rows[0][0]) if rows else 0) + 1
            locked = now + LOCKOUT if failures >= MAX_FAILURES else None
            if locked is not None:
                failures = 0
            if rows:
                cur.execute(
                    f"UPDATE {table} SET failures = %s, locked_until = %s WHERE username = %s",
                    (failures, None if locked is None else utc_text(locked), name),
                )
            else:
                cur.execute(
                    f"INSERT INTO {table} (username, failures, locked_until) VALUES (%s, %s, %s)",
                    (name, failures, None if locked is None else utc_text(locked)),
                )
        return locked

    def login_succeeded(self, name: str) -> None:
        with self.db.transaction() as cur:
            cur.execute(f"DELETE FROM {self.db.table(THROTTLE)} WHERE username = %s", (name,))
