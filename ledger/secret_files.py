"""Reading a file that holds a secret (a key, a password), refused unless only its owner
may read or write it: as ssh refuses a private key others can read, since a key others can
read lets them forge what it signs, and a password others can read is theirs too."""

from __future__ import annotations

import stat
from pathlib import Path

__all__ = ["SecretFileError", "read_secret_file", "require_owner_only"]


class SecretFileError(ValueError):
    """A secret file that cannot be read, or that others may read or write (one line)."""


def read_secret_file(path: Path, what: str, *, owner_only: bool = True) -> bytes:
    """The bytes of ``path`` (the ``what`` file, as the error names it). ``owner_only``
    False reads first and leaves the check to the caller's ``require_owner_only``, for a
    file whose form is checked before its mode."""
    try:
        content = path.read_bytes()
    except OSError as error:
        raise SecretFileError(f"cannot read the {what} file {path}: {error.strerror}") from None
    if owner_only:
        require_owner_only(path, what)
    return content


def require_owner_only(path: Path, what: str) -> None:
    """Refuse ``path`` when its group or others have any permission on it."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError as error:
        raise SecretFileError(f"cannot read the {what} file {path}: {error.strerror}") from None
    if mode & 0o077:
        raise SecretFileError(
            f"the {what} file {path} is open to others (mode {mode:04o}): "
            f"make it its owner's alone with `chmod 600 {path}`"
        )
