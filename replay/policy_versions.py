"""A policy's versions as every edge reads them (issue 17): each uploaded version with its
publication (``versions_of``, pure over the ``Programme`` read model), and a version's
exact bytes as a download (``version_document``: checked against its SHA-256 by the blob
store), with the headers that keep a browser from running or sniffing it.

Both the HTTP routes (``api.http.routes.policies``) and the dashboard's pages import it
from here, so neither edge depends on the other; the download is plain data, each edge
wraps it in its own response."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ledger.application import Ledger
from ledger.errors import PolicyNotFoundError
from projections.credentials.programme import PolicyUpload, Programme

__all__ = ["Download", "Version", "version_document", "version_of", "versions_of"]

_MARKDOWN = "text/markdown"


@dataclass(frozen=True)
class Version:
    """A policy version as the edges show it."""

    number: int | None  # None: uploaded, not published
    version_hash: str
    media_type: str
    size: int
    effective_on: date | None
    editorial: bool
    uploaded_at: datetime | None
    published_at: datetime | None
    reason: str = ""  # the publication's note

    @property
    def markdown(self) -> bool:
        return self.media_type == _MARKDOWN

    @property
    def extension(self) -> str:
        return "md" if self.markdown else "pdf"


def versions_of(programme: Programme, policy_id: str) -> list[Version]:
    """Every uploaded version, the published ones first in their order, then the others."""
    uploads: dict[str, PolicyUpload] = {}
    for upload in programme.uploads:
        if upload.policy_id == policy_id:
            uploads.setdefault(upload.version_hash, upload)
    found: list[Version] = []
    for p in programme.publications_of(policy_id):
        u = uploads.get(p.version_hash)
        found.append(
            Version(
                p.number,
                p.version_hash,
                u.media_type if u else "",
                u.size if u else 0,
                p.effective_on,
                p.editorial,
                u.recorded_at if u else None,
                p.recorded_at,
                p.reason,
            )
        )
    published = {v.version_hash for v in found}
    for u in uploads.values():
        if u.version_hash not in published:
            found.append(
                Version(
                    None, u.version_hash, u.media_type, u.size, None, False, u.recorded_at, None
                )
            )
    return found


def version_of(programme: Programme, policy_id: str, version_hash: str) -> Version:
    for v in versions_of(programme, policy_id):
        if v.version_hash == version_hash:
            return v
    raise PolicyNotFoundError(f"policy {policy_id!r} has no version {version_hash[:12]}…")


@dataclass(frozen=True)
class Download:
    """A version's exact bytes and the headers to send them with."""

    content: bytes
    media_type: str
    headers: dict[str, str]


def version_document(ledger: Ledger, policy_id: str, version: Version) -> Download:
    """The version's exact bytes as a download (checked against its SHA-256)."""
    content = ledger.policy_blobs.get(version.version_hash)
    label = f"v{version.number}" if version.number else "unpublished"
    name = f"{policy_id}-{label}-{version.version_hash[:12]}.{version.extension}"
    return Download(
        content,
        version.media_type or "application/octet-stream",
        {
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
            "ETag": f'"{version.version_hash}"',
        },
    )
