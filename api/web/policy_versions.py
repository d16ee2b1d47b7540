"""A policy's versions as the pages show them: each uploaded version with its
publication, its Markdown text rendered safely, and its exact bytes as a download."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from fastapi.responses import Response
from markdown_it import MarkdownIt
from markupsafe import Markup

from ledger.application import Ledger
from ledger.errors import PolicyNotFoundError
from projections.credentials.programme import PolicyUpload, Programme

__all__ = [
    "Version",
    "markdown_html",
    "version_document",
    "version_of",
    "version_text",
    "versions_of",
]

_MARKDOWN = "text/markdown"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # CommonMark with raw HTML off: a tag in the document is shown as text. Images are off
    # too (the page loads nothing from elsewhere); links keep markdown-it's check, which
    # refuses javascript:, vbscript:, file: and data: targets.
    return MarkdownIt("commonmark", {"html": False}).disable("image")


def markdown_html(text: str, shift: int = 2) -> Markup:
    """The Markdown document as HTML, every tag in it escaped; its headings ``shift``
    levels down (its "# Title" under the page's own h1 and h2)."""
    parser = _parser()
    tokens = parser.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + shift)}"
    # markdown-it with html off escapes every tag and refuses unsafe links (tested).
    return Markup(parser.renderer.render(tokens, parser.options, {}))  # nosec B704


@dataclass(frozen=True)
class Version:
    """A policy version as the pages show it."""

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


def version_text(ledger: Ledger, version: Version) -> Markup | None:
    """The Markdown version's text as HTML (its bytes checked against its hash), or None
    for a PDF."""
    if not version.markdown:
        return None
    content = ledger.policy_blobs.get(version.version_hash)
    return markdown_html(content.decode("utf-8"))


def version_document(ledger: Ledger, policy_id: str, version: Version) -> Response:
    """The version's exact bytes as a download (checked against its SHA-256)."""
    content = ledger.policy_blobs.get(version.version_hash)
    label = f"v{version.number}" if version.number else "unpublished"
    name = f"{policy_id}-{label}-{version.version_hash[:12]}.{version.extension}"
    return Response(
        content,
        media_type=version.media_type or "application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
            "ETag": f'"{version.version_hash}"',
        },
    )
