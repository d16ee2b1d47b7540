"""The keys that encrypt the account secrets that must be read back (TOTP seeds) at rest.

A password or token is kept only as a hash; a TOTP seed must be readable to check a
code, so it is kept encrypted: AES-256-GCM (``cryptography``) under a key the database
does not hold, the account's id as associated data, so a ciphertext copied onto another
account's row does not open. The stored text is ``aesgcm1:<key id>:<nonce and
ciphertext, base64url>``: the key id beside it lets old rows open after a rotation (the
earlier keys of the key file), until ``muster account rotate-secrets`` re-encrypts them
under the current one. A seed kept in plain text (plain base32, no ``:``: stored before
encryption, or written into the table around muster) is refused, so a second factor
cannot be bypassed by writing a known seed into the database; an administrator who knows
the plain seeds to be the store's own seals them with ``muster account rotate-secrets
--seal-plaintext``.

Key files have the seal key file's form (``ledger.seal``): ``<key id> <64 hex digits>``
lines, the last one current. The AES key is derived from the file's secret with a label
of its own, so a seal key listed here by mistake still never keys both an HMAC and AES.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ledger.seal import load_seal_keys, new_seal_key_line

__all__ = [
    "SecretKeyError",
    "SecretKeys",
    "is_sealed",
    "key_file_beside",
    "load_secret_keys",
    "new_secret_key_line",
]

_FORMAT = "aesgcm1"
_AAD = b"muster-account-secret/1\x00"
_DERIVE = b"muster-account-secret-key/1\x00"
_NONCE = 12
_BASE32 = re.compile(r"[A-Z2-7]+=*")


class SecretKeyError(ValueError):
    """A secret cannot be sealed or opened: no key, an unknown key id, or a ciphertext that
    does not open (a wrong key, or a row copied from another account); one line."""


def is_sealed(stored: str) -> bool:
    """Whether ``stored`` is a ciphertext (else a seed kept before encryption)."""
    return stored.startswith(_FORMAT + ":")


@dataclass(frozen=True)
class SecretKeys:
    """Secret keys by id; ``current`` (the last of the file) encrypts, every one opens."""

    keys: Mapping[str, bytes] = field(default_factory=dict)
    current: str = ""
    source: str = "MUSTER_SECRET_KEY_FILE"

    def __post_init__(self) -> None:
        if self.current and self.current not in self.keys:
            msg = f"secret key {self.current!r} is not among the keys"
            raise ValueError(msg)

    def __bool__(self) -> bool:
        return bool(self.current)

    def _aes(self, key_id: str) -> AESGCM:
        return AESGCM(hashlib.sha256(_DERIVE + self.keys[key_id]).digest())

    def seal(self, account_id: UUID, secret: str) -> str:
        """``secret`` encrypted under the current key, bound to ``account_id``."""
        if not self:
            msg = "no secret key to encrypt a second factor with: set MUSTER_SECRET_KEY_FILE"
            raise SecretKeyError(msg)
        nonce = os.urandom(_NONCE)
        sealed = self._aes(self.current).encrypt(nonce, secret.encode(), _AAD + account_id.bytes)
        text = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
        return f"{_FORMAT}:{self.current}:{text}"

    def open(self, account_id: UUID, stored: str, *, plaintext: bool = False) -> str:
        """The secret ``stored`` holds for ``account_id``; SecretKeyError if it cannot be
        read, or if it is a seed kept in plain text and ``plaintext`` is not allowed."""
        if not is_sealed(stored):
            if not _BASE32.fullmatch(stored):
                msg = f"account {account_id}: the stored second factor is neither a seed nor sealed"
                raise SecretKeyError(msg)
            if not plaintext:
                msg = (
                    f"account {account_id}: its second factor is kept in plain text, not "
                    "sealed: seal it with `muster account rotate-secrets --seal-plaintext` "
                    "if it is the store's own, else reset it"
                )
                raise SecretKeyError(msg)
            return stored
        _format, key_id, text = stored.split(":", 2)
        if key_id not in self.keys:
            msg = (
                f"account {account_id}: its second factor is sealed with key {key_id!r}, "
                f"which is not in {self.source}"
            )
            raise SecretKeyError(msg)
        try:
            raw = base64.urlsafe_b64decode(text.encode("ascii"))
            plain = self._aes(key_id).decrypt(raw[:_NONCE], raw[_NONCE:], _AAD + account_id.bytes)
        except (InvalidTag, ValueError, binascii.Error):
            msg = (
                f"account {account_id}: its second factor does not open with key {key_id!r} "
                "(a wrong key, or a row copied from another account)"
            )
            raise SecretKeyError(msg) from None
        return plain.decode()

    def is_current(self, stored: str) -> bool:
        """Whether ``stored`` is sealed under the current key (nothing to re-encrypt)."""
        return bool(self) and stored.startswith(f"{_FORMAT}:{self.current}:")


def load_secret_keys(path: Path) -> SecretKeys:
    """Keys from a key file (the seal key file's form; the last line is current). Raises
    SecretKeyError with a one-line reason, also when the file may be read or written by
    anyone but its owner (``ledger.seal.load_seal_keys``)."""
    try:
        keys = load_seal_keys(path)
    except ValueError as error:
        raise SecretKeyError(str(error).replace("seal key", "secret key")) from None
    return SecretKeys(dict(keys.keys), keys.current, str(path))


def new_secret_key_line(key_id: str) -> str:
    """A fresh key line (32 random bytes from ``secrets``)."""
    return new_seal_key_line(key_id)


def key_file_beside(store: Path) -> SecretKeys:
    """The key file kept beside a SQLite store (``muster.db`` → ``muster.secret-keys``),
    made with one fresh key, readable by its owner only, if it is not there yet: the
    embedded store needs no setting; a server on PostgreSQL names its key file."""
    path = store.with_name(store.stem + ".secret-keys")
    if path.exists():
        return load_secret_keys(path)
    # Written whole under another name, then linked into place: a second process starting
    # at the same moment either wins the link or reads the first one's complete file.
    staged = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        descriptor = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(
                "# muster's key for the account secrets (TOTP seeds) of the store beside it\n"
            )
            out.write(new_secret_key_line("local-1"))
        os.link(staged, path)
    except FileExistsError:
        pass
    except OSError as error:
        msg = f"cannot create the secret key file {path}: {error.strerror}"
        raise SecretKeyError(msg) from None
    finally:
        staged.unlink(missing_ok=True)
    return load_secret_keys(path)
