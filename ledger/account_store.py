"""Account secrets (password hashes, TOTP seeds, API tokens and browser sessions): rows
beside the event log (``ledger.side_database``), never events, so they can be rotated
and erased.

Password hashes arrive already hashed (argon2id, at the edge: ``api.http.passwords``);
API tokens are made here and only their SHA-256 is kept: the token itself is shown once.
TOTP seeds must be read back, so they are kept encrypted under the secret keys
(``ledger.secret_keys``), bound to their account; a seed under an earlier key is
re-encrypted under the current key when it is read, and ``rotate`` does every row at
once. A seed kept in plain text is refused, and sealed only by ``rotate`` when asked.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ledger.secret_keys import SecretKeyError, SecretKeys
from ledger.side_database import SECRETS, SideCursor, SideDatabase, utc_text

__all__ = ["AccountStore", "Rotation", "TokenInfo"]

_PREFIX = "mst"
_SESSION_PREFIX = "mss"


@dataclass(frozen=True)
class TokenInfo:
    token_id: str
    account_id: UUID
    label: str
    created_at: str
    expires_at: str | None
    revoked_at: str | None


@dataclass(frozen=True)
class Rotation:
    """What ``AccountStore.rotate`` did: rows re-encrypted under the current key, rows
    already under it, and the rows it could not read (each one line; left as they were)."""

    rewritten: int
    current: int
    unreadable: tuple[str, ...]


_SEED_KINDS = ("totp", "totp_pending")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class AccountStore:
    """The secrets table; ``keys`` encrypt the TOTP seeds (without them the seeds cannot
    be written or read, everything else can)."""

    def __init__(self, database: SideDatabase, keys: SecretKeys | None = None) -> None:
        self.db = database
        self.keys = keys or SecretKeys()

    # -- passwords -----------------------------------------------------------------------

    def set_password(self, account_id: UUID, password_hash: str, now: datetime) -> None:
        """Replace the account's password hash (a rotation leaves no old hash behind)."""
        with self.db.transaction() as cur:
            cur.execute(
                f"DELETE FROM {self.db.table(SECRETS)} WHERE account_id = %s AND kind = %s",
                (str(account_id), "password"),
            )
            cur.execute(
                f"INSERT INTO {self.db.table(SECRETS)} (secret_id, account_id, kind, hash, "
                "label, created_at) VALUES (%s, %s, %s, %s, %s, %s)",
                (f"pw-{account_id}", str(account_id), "password", password_hash, "", utc_text(now)),
            )

    def password_hash(self, account_id: UUID) -> str | None:
        with self.db.reading() as cur:
            cur.execute(
                f"SELECT hash FROM {self.db.table(SECRETS)} WHERE account_id = %s AND kind = %s",
                (str(account_id), "password"),
            )
            rows = cur.fetchall()
        return str(rows[0][0]) if rows else None

    def erase(self, account_id: UUID) -> int:
        """Erase every secret of the account (password, second factor, tokens, sessions);
        returns how many rows."""
        with self.db.transaction() as cur:
            cur.execute(
                f"DELETE FROM {self.db.table(SECRETS)} WHERE account_id = %s", (str(account_id),)
            )
            return cur.rowcount

    # -- TOTP second factor (RFC 6238) -----------------------------------------------------

    def set_totp_seed(self, account_id: UUID, seed: str, now: datetime) -> None:
        """Enrol (or re-enrol) the account's TOTP seed (base32); an old seed is gone. The
        seed must be readable to check codes, so it is kept encrypted (not hashed) under
        the current secret key: erase it with ``erase`` like the rest."""
        sealed = self.keys.seal(account_id, seed)
        with self.db.transaction() as cur:
            cur.execute(
                f"DELETE FROM {self.db.table(SECRETS)} WHERE account_id = %s AND kind = %s",
                (str(account_id), "totp"),
            )
            cur.execute(
                f"INSERT INTO {self.db.table(SECRETS)} (secret_id, account_id, kind, hash, "
                "label, created_at) VALUES (%s, %s, %s, %s, %s, %s)",
                (f"totp-{account_id}", str(account_id), "totp", sealed, "", utc_text(now)),
            )

    def totp_seed(self, account_id: UUID) -> str | None:
        """The account's active seed; SecretKeyError if it cannot be read (a wrong key, or
        a row copied from another account): the caller refuses the login."""
        with self.db.transaction() as cur:
            return self._read_seed(cur, account_id, "totp")

    def _read_seed(self, cur: SideCursor, account_id: UUID, kind: str) -> str | None:
        """The seed of ``kind``, re-encrypted in place if it was kept under an earlier key
        (only if the row is still the one read)."""
        cur.execute(
            f"SELECT hash FROM {self.db.table(SECRETS)} WHERE account_id = %s AND kind = %s",
            (str(account_id), kind),
        )
        rows = cur.fetchall()
        if not rows:
            return None
        stored = str(rows[0][0])
        seed = self.keys.open(account_id, stored)
        if self.keys and not self.keys.is_current(stored):
            self._reseal(cur, account_id, kind, stored, seed)
        return seed

    def _reseal(self, cur: SideCursor, account_id: UUID, kind: str, stored: str, seed: str) -> bool:
        cur.execute(
            f"UPDATE {self.db.table(SECRETS)} SET hash = %s WHERE account_id = %s AND kind = %s "
            "AND hash = %s",
            (self.keys.seal(account_id, seed), str(account_id), kind, stored),
        )
        return cur.rowcount == 1

    def rotate(self, *, seal_plaintext: bool = False) -> Rotation:
        """Re-encrypt every TOTP seed (active and staged) under the current key, and seal
        the seeds kept in plain text if ``seal_plaintext`` (an administrator's word that
        they are the store's own, not written into the table around muster); a row that
        cannot be read, or a plain one not to be sealed, is left as it is and named, so no
        second factor is ever lost."""
        if not self.keys:
            raise SecretKeyError("no secret key to encrypt with: set MUSTER_SECRET_KEY_FILE")
        with self.db.transaction() as cur:
            cur.execute(
                f"SELECT account_id, kind, hash FROM {self.db.table(SECRETS)} "
                "WHERE kind IN (%s, %s) ORDER BY account_id, kind",
                _SEED_KINDS,
            )
            rows = cur.fetchall()
        rewritten = current = 0
        unreadable: list[str] = []
        for account, kind, stored in rows:
            account_id, text = UUID(str(account)), str(stored)
            try:  # every row is opened, those already under the current key too: a check
                seed = self.keys.open(account_id, text, plaintext=seal_plaintext)
            except SecretKeyError as error:
                unreadable.append(f"{kind}: {error}")
                continue
            if self.keys.is_current(text):
                current += 1
                continue
            with self.db.transaction() as cur:
                if self._reseal(cur, account_id, str(kind), text, seed):
                    rewritten += 1
        return Rotation(rewritten, current, tuple(unreadable))

    def use_totp_step(self, account_id: UUID, step_start: datetime) -> bool:
        """Accept a code of the time step starting at ``step_start`` once: False if a code
        of this step or a later one was accepted already (a replay), atomically, so two
        logins racing with one code cannot both pass."""
        stamp = utc_text(step_start)
        with self.db.transaction() as cur:
            cur.execute(
                f"UPDATE {self.db.table(SECRETS)} SET last_used_at = %s WHERE account_id = %s "
                "AND kind = %s AND (last_used_at IS NULL OR last_used_at < %s)",
                (stamp, str(account_id), "totp", stamp),
            )
            return cur.rowcount == 1

    def start_totp(self, account_id: UUID, seed: str, now: datetime, expires_at: datetime) -> None:
        """Stage a TOTP enrolment (kind ``totp_pending``, replacing an earlier staged one):
        it counts only once confirmed with a code of its own (``confirm_totp``), so a seed
        nobody scanned never locks anyone out; an active seed stays as it is until then."""
        sealed = self.keys.seal(account_id, seed)
        with self.db.transaction() as cur:
            cur.execute(
                f"DELETE FROM {self.db.table(SECRETS)} WHERE account_id = %s AND kind = %s",
                (str(account_id), "totp_pending"),
            )
            cur.execute(
                f"INSERT INTO {self.db.table(SECRETS)} (secret_id, account_id, kind, hash, "
                "label, created_at, expires_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (f"totp-pending-{account_id}", str(account_id), "totp_pending", sealed, "",
                 utc_text(now), utc_text(expires_at)),
            )  # fmt: skip

    def pending_totp_seed(self, account_id: UUID, now: datetime) -> str | None:
        """The staged seed, unless it has expired (SecretKeyError as ``totp_seed``)."""
        with self.db.transaction() as cur:
            cur.execute(
                f"SELECT expires_at FROM {self.db.table(SECRETS)} "
                "WHERE account_id = %s AND kind = %s",
                (str(account_id), "totp_pending"),
            )
            rows = cur.fetchall()
            if not rows or (rows[0][0] is not None and str(rows[0][0]) <= utc_text(now)):
                return None
            return self._read_seed(cur, account_id, "totp_pending")

    def confirm_totp(
        self, account_id: UUID, seed: str, step_start: datetime, now: datetime
    ) -> bool:
        """Make the staged ``seed`` the account's second factor (the old one is gone), its
        code of ``step_start`` counted as used (no replay at login); False if that staged
        seed is no longer there (confirmed or replaced meanwhile)."""
        sealed = self.keys.seal(account_id, seed)
        with self.db.transaction() as cur:
            table = self.db.table(SECRETS)
            cur.execute(
                f"SELECT hash FROM {table} WHERE account_id = %s AND kind = %s",
                (str(account_id), "totp_pending"),
            )
            rows = cur.fetchall()
            if not rows or not hmac.compare_digest(
                self.keys.open(account_id, str(rows[0][0])).encode(), seed.encode()
            ):
                return False
            cur.execute(
                f"DELETE FROM {table} WHERE account_id = %s AND kind = %s AND hash = %s",
                (str(account_id), "totp_pending", str(rows[0][0])),
            )
            if cur.rowcount != 1:
                return False
            cur.execute(
                f"DELETE FROM {table} WHERE account_id = %s AND kind = %s",
                (str(account_id), "totp"),
            )
            cur.execute(
                f"INSERT INTO {table} (secret_id, account_id, kind, hash, label, created_at, "
                "last_used_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (f"totp-{account_id}", str(account_id), "totp", sealed, "", utc_text(now),
                 utc_text(step_start)),
            )  # fmt: skip
            return True

    def reset_totp(self, account_id: UUID) -> int:
        """Remove the account's second factor, active and staged; returns how many rows."""
        with self.db.transaction() as cur:
            cur.execute(
                f"DELETE FROM {self.db.table(SECRETS)} WHERE account_id = %s AND kind IN (%s, %s)",
                (str(account_id), "totp", "totp_pending"),
            )
            return cur.rowcount

    # -- API tokens ----------------------------------------------------------------------

    def issue_token(
        self, account_id: UUID, label: str, now: datetime, expires_at: datetime | None
    ) -> tuple[str, str]:
        """A new bearer token: ``(token_id, token)``; the token is not kept, only its hash."""
        return self._issue(account_id, label, now, expires_at, "token", _PREFIX)

    def issue_session(
        self, account_id: UUID, now: datetime, expires_at: datetime
    ) -> tuple[str, str]:
        """A new browser session: ``(session_id, cookie value)``; kept like a token, only
        its hash (a row of kind ``session``, never a bearer token)."""
        return self._issue(account_id, "browser", now, expires_at, "session", _SESSION_PREFIX)

    def session_account(self, cookie: str, now: datetime) -> UUID | None:
        """The account a live session cookie belongs to, else None."""
        return self._holder(cookie, now, "session", _SESSION_PREFIX)

    def end_session(self, cookie: str, now: datetime) -> bool:
        """Log a session out (its row is marked revoked); False if it was not live."""
        _prefix, _, rest = cookie.partition("_")
        session_id = rest.partition("_")[0]
        if self.session_account(cookie, now) is None:
            return False
        with self.db.transaction() as cur:
            cur.execute(
                f"UPDATE {self.db.table(SECRETS)} SET revoked_at = %s WHERE secret_id = %s "
                "AND kind = %s AND revoked_at IS NULL",
                (utc_text(now), session_id, "session"),
            )
            return cur.rowcount == 1

    def _issue(
        self,
        account_id: UUID,
        label: str,
        now: datetime,
        expires_at: datetime | None,
        kind: str,
        prefix: str,
    ) -> tuple[str, str]:
        token_id = secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        with self.db.transaction() as cur:
            cur.execute(
                f"INSERT INTO {self.db.table(SECRETS)} (secret_id, account_id, kind, hash, "
                "label, created_at, expires_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (
                    token_id,
                    str(account_id),
                    kind,
                    _digest(secret),
                    label,
                    utc_text(now),
                    None if expires_at is None else utc_text(expires_at),
                ),
            )
        return token_id, f"{prefix}_{token_id}_{secret}"

    def token_account(self, token: str, now: datetime) -> UUID | None:
        """The account a live token belongs to, else None (unknown, wrong, revoked or
        expired tokens alike)."""
        return self._holder(token, now, "token", _PREFIX)

    def _holder(self, token: str, now: datetime, kind: str, expected: str) -> UUID | None:
        prefix, _, rest = token.partition("_")
        token_id, _, secret = rest.partition("_")
        if prefix != expected or not token_id or not secret or len(token) > 200:
            return None
        with self.db.reading() as cur:
            cur.execute(
                f"SELECT account_id, hash, expires_at, revoked_at FROM {self.db.table(SECRETS)} "
                "WHERE secret_id = %s AND kind = %s",
                (token_id, kind),
            )
            rows = cur.fetchall()
        if not rows:
            return None
        account_id, digest, expires_at, revoked_at = rows[0]
        if not hmac.compare_digest(str(digest), _digest(secret)):
            return None
        if revoked_at is not None or (expires_at is not None and str(expires_at) <= utc_text(now)):
            return None
        return UUID(str(account_id))

    def tokens(self, account_id: UUID) -> list[TokenInfo]:
        with self.db.reading() as cur:
            cur.execute(
                f"SELECT secret_id, label, created_at, expires_at, revoked_at FROM "
                f"{self.db.table(SECRETS)} WHERE account_id = %s AND kind = %s "
                "ORDER BY created_at, secret_id",
                (str(account_id), "token"),
            )
            rows = cur.fetchall()
        return [TokenInfo(str(r[0]), account_id, str(r[1]), str(r[2]), r[3], r[4]) for r in rows]

    def revoke_token(self, account_id: UUID, token_id: str, now: datetime) -> bool:
        """Revoke one of the account's tokens; False if it has no such live token."""
        with self.db.transaction() as cur:
            cur.execute(
                f"UPDATE {self.db.table(SECRETS)} SET revoked_at = %s WHERE secret_id = %s "
                "AND account_id = %s AND kind = %s AND revoked_at IS NULL",
                (utc_text(now), token_id, str(account_id), "token"),
            )
            return cur.rowcount == 1

    def revoke_all(
        self, account_id: UUID, now: datetime, *, keep: str = "", tokens: bool = True
    ) -> int:
        """End every live browser session of the account and (``tokens``) every live API
        token, but the one ``keep`` names (the one in use); returns how many."""
        kinds = ("session", "token") if tokens else ("session", "session")
        with self.db.transaction() as cur:
            cur.execute(
                f"UPDATE {self.db.table(SECRETS)} SET revoked_at = %s WHERE account_id = %s "
                "AND kind IN (%s, %s) AND revoked_at IS NULL AND secret_id <> %s "
                "AND (expires_at IS NULL OR expires_at > %s)",
                (utc_text(now), str(account_id), *kinds, keep, utc_text(now)),
            )
            return cur.rowcount
