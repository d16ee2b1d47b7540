"""Password hashing: argon2id (argon2-cffi's defaults, RFC 9106's second recommended
profile), verified in constant time; a hash made with weaker parameters is re-hashed at
the next successful login."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = ["MIN_LENGTH", "check_new_password", "hash_password", "needs_rehash", "verify_password"]

MIN_LENGTH = 12  # OWASP ASVS 2.1.1
MAX_LENGTH = 256
_HASHER = PasswordHasher()  # argon2id
# Verified when an account has no password, so a missing account costs the same time.
_DUMMY = _HASHER.hash("muster-no-such-account")


def check_new_password(password: str) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < MIN_LENGTH:
        return f"a password has at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"a password has at most {MAX_LENGTH} characters"
    return None


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _HASHER.check_needs_rehash(stored)
