"""Certificates uploaded with training requests: their type read from their content
(magic bytes), never from the file's name or the upload's header. An accepted certificate
is a ``Blob``, kept content-addressed under its SHA-256 (which the ledger records in the
request's event) by ``ledger.blob_store``'s ``CERTIFICATE_BLOBS``.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from ledger.blob_store import Blob
from ledger.errors import CertificateRejectedError, CertificateTooLargeError

__all__ = [
    "JPEG",
    "MEDIA_TYPES",
    "PDF",
    "PNG",
    "Certificate",
    "inspect_certificate",
    "sniff",
]

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
MEDIA_TYPES = {PDF: "PDF document", JPEG: "JPEG image", PNG: "PNG image"}
_MAGIC = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))
_EXTENSIONS = {".pdf": PDF, ".png": PNG, ".jpg": JPEG, ".jpeg": JPEG}


# An accepted upload: its bytes, what they are and their SHA-256 (hex).
Certificate = Blob


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
    return Blob.of(content, media_type)


def _size(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1_000_000:g} MB"
    if count >= 1_000:
        return f"{count / 1_000:g} kB"
    return f"{count} bytes"
