"""Policy documents, stored content-addressed: a version's id is the SHA-256 of its exact
bytes, and every read recomputes it, so bytes changed where they are kept are detected
(``PolicyBlobError``), never served as the version.

The embedded SQLite store keeps each document as a file in a directory beside the ledger
(``muster.db`` → ``muster.blobs/ab/abcdef…``), written to a temporary name, flushed to disk
and renamed, so a crash leaves the document whole or absent. On PostgreSQL a file beside
the server is not reachable by every worker, so documents are rows of the side table
``muster_policy_blobs`` (``ledger.side_database``), which the application role may only
select and insert into: the bytes live, and are backed up, with the events naming them.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

from eventsourcing.persistence import IntegrityError

from ledger.database import DatabaseConfig
from ledger.errors import InvalidValueError, PolicyBlobError
from ledger.side_database import BLOBS, SideDatabase

__all__ = ["MAX_DOCUMENT_BYTES", "PolicyBlobs", "blob_dir", "media_type_of", "version_hash"]

MAX_DOCUMENT_BYTES = 20_000_000
_HASH = re.compile(r"[0-9a-f]{64}")


def version_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def media_type_of(content: bytes) -> str:
    """``application/pdf`` for a PDF (by its signature), ``text/markdown`` for UTF-8 text;
    anything else is refused."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidValueError("a policy document must be a PDF or UTF-8 Markdown") from None
    if "\x00" in text:
        raise InvalidValueError("a policy document must be a PDF or UTF-8 Markdown")
    return "text/markdown"


def blob_dir(sqlite_path: Path) -> Path:
    return sqlite_path.with_name(f"{sqlite_path.stem}.blobs")


def _checked_hash(value: str) -> str:
    if not _HASH.fullmatch(value):
        raise InvalidValueError(f"{value!r} is not a version id (64 lowercase hex digits)")
    return value


class PolicyBlobs:
    """Put and get documents by their SHA-256, on the ledger's own backend."""

    def __init__(self, config: DatabaseConfig, datastore: Any = None) -> None:
        self._directory = None if config.sqlite_path is None else blob_dir(config.sqlite_path)
        self._side = None if self._directory is not None else SideDatabase(config, datastore)

    def put(self, content: bytes) -> tuple[str, str]:
        """Store the bytes (once: the same bytes are the same document); their hash and
        media type."""
        if not content:
            raise InvalidValueError("a policy document cannot be empty")
        if len(content) > MAX_DOCUMENT_BYTES:
            raise InvalidValueError(f"a policy document is at most {MAX_DOCUMENT_BYTES} bytes")
        media_type, digest = media_type_of(content), version_hash(content)
        if self._directory is not None:
            self._put_file(digest, content)
        else:
            self._put_row(digest, media_type, content)
        return digest, media_type

    def get(self, digest: str) -> bytes:
        """The document's bytes, after checking they still hash to ``digest``."""
        digest = _checked_hash(digest)
        content = self._get_file(digest) if self._directory is not None else self._get_row(digest)
        if content is None:
            raise PolicyBlobError(f"policy document {digest} is missing from the store")
        if version_hash(content) != digest:
            raise PolicyBlobError(
                f"policy document {digest} was altered where it is stored: its bytes hash to "
                f"{version_hash(content)}"
            )
        return content

    def close(self) -> None:
        if self._side is not None:
            self._side.close()

    # -- SQLite: files --------------------------------------------------------------------

    def _path(self, digest: str) -> Path:
        assert self._directory is not None
        return self._directory / digest[:2] / digest

    def _put_file(self, digest: str, content: bytes) -> None:
        path = self._path(digest)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{digest}.{os.getpid()}.tmp")
        with open(temporary, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)

    def _get_file(self, digest: str) -> bytes | None:
        path = self._path(digest)
        return path.read_bytes() if path.exists() else None

    # -- PostgreSQL: rows of the side table ------------------------------------------------

    def _put_row(self, digest: str, media_type: str, content: bytes) -> None:
        assert self._side is not None
        try:
            with self._side.transaction() as cur:
                cur.execute(
                    f"INSERT INTO {self._side.table(BLOBS)} (sha256, media_type, content) "
                    "VALUES (%s, %s, %s) ON CONFLICT (sha256) DO NOTHING",
                    (digest, media_type, content),
                )
        except IntegrityError:  # pragma: no cover - ON CONFLICT covers a racing insert
            return

    def _get_row(self, digest: str) -> bytes | None:
        assert self._side is not None
        with self._side.transaction() as cur:
            cur.execute(
                f"SELECT content FROM {self._side.table(BLOBS)} WHERE sha256 = %s",
                (digest,),
            )
            rows = cur.fetchall()
        return bytes(rows[0][0]) if rows else None
