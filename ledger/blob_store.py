"""The content-addressed blob store: bytes the ledger's events name by their SHA-256
(policy documents, uploaded certificates), kept under that hash, never overwritten or
deleted, and checked against it on every read, so bytes changed where they are kept are
refused, never served.

One interface (``BlobStore``), two backends chosen by the ledger's own: beside an SQLite
file a directory of files (written to a temporary file, fsynced, then linked into place,
so a crash leaves a blob whole or absent and an existing one is never replaced); on
PostgreSQL a side table of the store's schema (``ledger.side_database``; the application
role may only select and insert), so every worker sees the same bytes and a backup of
the database holds them. Each kind of blob is a ``Collection`` that fixes where it is kept
(the directories and tables of earlier releases, unchanged), its size limit and the error
a missing or altered blob raises.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ledger.database import DatabaseConfig
from ledger.errors import (
    BlobError,
    CertificateTamperedError,
    InvalidValueError,
    PolicyBlobError,
)
from ledger.side_database import BLOBS, CERTIFICATES, SideDatabase

__all__ = [
    "CERTIFICATE_BLOBS",
    "POLICY_DOCUMENTS",
    "Blob",
    "BlobStore",
    "Collection",
    "DirectoryBlobs",
    "TableBlobs",
    "open_blob_store",
    "sha256_of",
]

_SHA256 = re.compile(r"[0-9a-f]{64}")


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@dataclass(frozen=True)
class Blob:
    """Bytes to keep, what they are and their SHA-256 (hex), the key they are kept under."""

    content: bytes
    media_type: str
    sha256: str

    @classmethod
    def of(cls, content: bytes, media_type: str) -> Blob:
        return cls(content, media_type, sha256_of(content))

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(frozen=True)
class Collection:
    """One kind of blob: how it is named in messages, where each backend keeps it, how
    large one may be, and the error a missing or altered one raises."""

    label: str
    directory: str  # beside ``NAME.db``: ``NAME.<directory>/``
    fan_out: bool  # files under a folder of their hash's first two digits
    table: str  # PostgreSQL side table (``ledger.side_database``)
    sized: bool  # the table has a ``size`` column
    max_bytes: int
    error: type[BlobError]

    def directory_beside(self, sqlite_path: Path) -> Path:
        return sqlite_path.with_name(f"{sqlite_path.stem}.{self.directory}")


POLICY_DOCUMENTS = Collection(
    "policy document", "blobs", True, BLOBS, False, 20_000_000, PolicyBlobError
)
# Also the staging place of an import file between its dry run and its commit
# (``api.web.import_page``), hence a limit of the store's own above the upload limit.
CERTIFICATE_BLOBS = Collection(
    "certificate", "certificates", False, CERTIFICATES, True, 100_000_000, CertificateTamperedError
)


class BlobStore(Protocol):
    collection: Collection

    def put(self, blob: Blob) -> None:
        """Keep the bytes under their SHA-256 (once: the same bytes are the same blob)."""
        ...

    def get(self, sha256: str) -> bytes:
        """The kept bytes, after checking they still hash to ``sha256``."""
        ...

    def close(self) -> None: ...


class _Checked:
    """What both backends check: the key, the size and the hash on the way in, the hash
    on the way out."""

    def __init__(self, collection: Collection, max_bytes: int | None) -> None:
        self.collection = collection
        self.max_bytes = collection.max_bytes if max_bytes is None else max_bytes

    def _key(self, sha256: str) -> str:
        if not _SHA256.fullmatch(sha256):
            raise InvalidValueError(f"{sha256!r} is not a SHA-256 (64 lowercase hex digits)")
        return sha256

    def _admitted(self, blob: Blob) -> str:
        if blob.size > self.max_bytes:
            raise InvalidValueError(f"a {self.collection.label} is at most {self.max_bytes} bytes")
        if sha256_of(blob.content) != self._key(blob.sha256):
            raise InvalidValueError(
                f"a {self.collection.label}'s bytes do not hash to {blob.sha256}: not kept"
            )
        return blob.sha256

    def _verified(self, sha256: str, content: bytes | None) -> bytes:
        label = self.collection.label
        if content is None:
            raise self.collection.error(f"{label} {sha256} is missing from its store")
        actual = sha256_of(content)
        if actual != sha256:
            raise self.collection.error(
                f"{label} {sha256} was altered where it is stored: its bytes hash to {actual}"
            )
        return content


class DirectoryBlobs(_Checked):
    """One file per blob, named by its SHA-256 (under its first two digits when the
    collection fans out)."""

    def __init__(self, root: Path, collection: Collection, max_bytes: int | None = None) -> None:
        super().__init__(collection, max_bytes)
        self.root = root

    def path(self, sha256: str) -> Path:
        key = self._key(sha256)
        return self.root / key[:2] / key if self.collection.fan_out else self.root / key

    def put(self, blob: Blob) -> None:
        target = self.path(self._admitted(blob))
        if target.exists():
            return  # the same bytes, by their name
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(blob.content)
                handle.flush()
                os.fsync(handle.fileno())
            # A link never replaces a file already there: a racing writer kept the same
            # bytes first.
            with contextlib.suppress(FileExistsError):
                os.link(temporary, target)
            _sync_directory(target.parent)
        finally:
            Path(temporary).unlink(missing_ok=True)

    def get(self, sha256: str) -> bytes:
        target = self.path(sha256)
        return self._verified(sha256, target.read_bytes() if target.is_file() else None)

    def close(self) -> None:
        pass


def _sync_directory(directory: Path) -> None:
    """Make the new name durable too (the file's own fsync does not cover its entry)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class TableBlobs(_Checked):
    """Blobs as rows of a side table (PostgreSQL): ``sha256`` key, ``media_type``,
    ``content`` (``bytea``), and ``size`` where the collection's table has it."""

    def __init__(
        self, side: SideDatabase, collection: Collection, max_bytes: int | None = None
    ) -> None:
        super().__init__(collection, max_bytes)
        self.side = side

    def put(self, blob: Blob) -> None:
        sha256 = self._admitted(blob)
        columns = ["sha256", "media_type", "content"]
        values: list[object] = [sha256, blob.media_type, blob.content]
        if self.collection.sized:
            columns.append("size")
            values.append(blob.size)
        with self.side.transaction() as cur:
            cur.execute(
                f"INSERT INTO {self.side.table(self.collection.table)} ({', '.join(columns)}) "
                f"VALUES ({', '.join(['%s'] * len(values))}) ON CONFLICT (sha256) DO NOTHING",
                values,
            )

    def get(self, sha256: str) -> bytes:
        key = self._key(sha256)
        with self.side.reading() as cur:
            cur.execute(
                f"SELECT content FROM {self.side.table(self.collection.table)} WHERE sha256 = %s",
                (key,),
            )
            rows = cur.fetchall()
        return self._verified(key, bytes(rows[0][0]) if rows else None)

    def close(self) -> None:
        self.side.close()


def open_blob_store(
    collection: Collection,
    database: DatabaseConfig,
    datastore: Any = None,
    *,
    max_bytes: int | None = None,
) -> BlobStore:
    """``collection``'s store on ``database``'s backend: the directory beside an SQLite
    file, else its side table through ``datastore`` (the ledger's connection pool)."""
    if database.sqlite_path is not None:
        return DirectoryBlobs(
            collection.directory_beside(database.sqlite_path), collection, max_bytes
        )
    return TableBlobs(SideDatabase(database, datastore), collection, max_bytes)
