"""Certificates uploaded with training requests: their type read from their content
(magic bytes), never from the file's name or the upload's header; stored
content-addressed, under their SHA-256, which the ledger records in the request's event.

Where they are kept: the embedded SQLite store keeps them as files in a directory beside
its own file (``muster.db`` → ``muster.certificates/<sha256>``); PostgreSQL keeps them in
a side table of the store's schema (``muster_certificates``, ``bytea``; created by ``muster
db init``, the application role may only select and insert), so every worker and every
host sees the same files and a backup of the database holds them. Either way a stored
certificate is never changed or removed by muster, and every read checks its bytes
against the SHA-256 it is stored under (``CertificateTamperedError`` when they differ).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol

from ledger.errors import (
    CertificateRejectedError,
    CertificateTamperedError,
    CertificateTooLargeError,
)
from ledger.side_database import CERTIFICATES, SideDatabase

__all__ = [
    "JPEG",
    "MEDIA_TYPES",
    "PDF",
    "PNG",
    "Certificate",
    "CertificateStore",
    "DirectoryCertificates",
    "TableCertificates",
    "certificates_for",
    "certificates_path",
    "inspect_certificate",
    "sniff",
]

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
MEDIA_TYPES = {PDF: "PDF document", JPEG: "JPEG image", PNG: "PNG image"}
_MAGIC = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))
_EXTENSIONS = {".pdf": PDF, ".png": PNG, ".jpg": JPEG, ".jpeg": JPEG}


@dataclass(frozen=True)
class Certificate:
    """An accepted upload: its bytes, what they are and their SHA-256 (hex)."""

    content: bytes
    media_type: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def sniff(content: bytes) -> str | None:
    """The media type the content's first bytes say (None: none of PDF, PNG, JPEG)."""
    return next((media for magic, media in _MAGIC if content.startswith(magic)), None)


def inspect_certificate(content: bytes, filename: str, max_bytes: int) -> Certificate:
    """Accept ``content`` as a certificate or refuse it with a message for the field.

    The content decides the type. A file name with an extension that says another type
    (a PNG named ``scan.pdf``, an HTML page named ``cert.pdf``, ``notes.txt``) is refused
    as mistyped: what the officer meant to send is not what arrived."""
    if len(content) > max_bytes:
        raise CertificateTooLargeError(
            f"certificate: the file is larger than the {_size(max_bytes)} allowed"
        )
    if not content:
        raise CertificateRejectedError("certificate: the file is empty")
    media_type = sniff(content)
    if media_type is None:
        raise CertificateRejectedError(
            "certificate: the file's content is not a PDF, JPEG or PNG "
            "(the type is read from the content, not the name)"
        )
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    named = _EXTENSIONS.get(suffix)
    if suffix and named != media_type:
        raise CertificateRejectedError(
            f"certificate: the file is named {suffix} but its content is a "
            f"{MEDIA_TYPES[media_type]}; send it under a name that says what it is"
        )
    return Certificate(content, media_type, hashlib.sha256(content).hexdigest())


def _size(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1_000_000:g} MB"
    if count >= 1_000:
        return f"{count / 1_000:g} kB"
    return f"{count} bytes"


def _checked(sha256: str, content: bytes | None) -> bytes:
    if content is None:
        raise CertificateTamperedError(f"certificate {sha256} is missing from its store")
    if hashlib.sha256(content).hexdigest() != sha256:
        raise CertificateTamperedError(
            f"certificate {sha256} no longer has the SHA-256 the ledger recorded"
        )
    return content


class CertificateStore(Protocol):
    def put(self, certificate: Certificate) -> None: ...

    def get(self, sha256: str) -> bytes:
        """The stored bytes, checked against ``sha256``."""
        ...


class DirectoryCertificates:
    """One file per certificate, named by its SHA-256, written whole (a temporary file,
    fsync, rename) or not at all."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise CertificateTamperedError(f"{sha256!r} is not a SHA-256")
        return self.root / sha256

    def put(self, certificate: Certificate) -> None:
        target = self.path(certificate.sha256)
        if target.exists():
            return  # the same bytes, by their name
        self.root.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(certificate.content)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, sha256: str) -> bytes:
        target = self.path(sha256)
        content = target.read_bytes() if target.is_file() else None
        return _checked(sha256, content)


class TableCertificates:
    """Certificates as rows of the side table ``muster_certificates`` (PostgreSQL)."""

    def __init__(self, side: SideDatabase) -> None:
        self.side = side

    def put(self, certificate: Certificate) -> None:
        with self.side.transaction() as cur:
            cur.execute(
                f"INSERT INTO {self.side.table(CERTIFICATES)} "
                "(sha256, media_type, size, content) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (sha256) DO NOTHING",
                (
                    certificate.sha256,
                    certificate.media_type,
                    certificate.size,
                    certificate.content,
                ),
            )

    def get(self, sha256: str) -> bytes:
        with self.side.transaction() as cur:
            cur.execute(
                f"SELECT content FROM {self.side.table(CERTIFICATES)} WHERE sha256 = %s",
                (sha256,),
            )
            rows = cur.fetchall()
        return _checked(sha256, bytes(rows[0][0]) if rows else None)


def certificates_path(ledger_path: Path) -> Path:
    return ledger_path.with_name(f"{ledger_path.stem}.certificates")


def certificates_for(side: SideDatabase) -> CertificateStore:
    """The store of ``side``'s database: a directory beside an SQLite file, else the table."""
    if side.backend == "sqlite":
        assert side.path is not None
        ledger_path = side.path.with_name(side.path.name.removesuffix(".side.db") + ".db")
        return DirectoryCertificates(certificates_path(ledger_path))
    return TableCertificates(side)
