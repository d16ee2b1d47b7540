"""A policy version as the pages show it: its Markdown text rendered safely, and its exact
bytes as a download response. The versions themselves and the download's bytes and headers
are ``replay.policy_versions``, which the HTTP routes share (neither edge imports the
other)."""

from __future__ import annotations

from functools import lru_cache

from fastapi.responses import Response
from markdown_it import MarkdownIt
from markupsafe import Markup

from ledger.application import Ledger
from replay.policy_versions import Version, version_document

__all__ = ["document_response", "markdown_html", "version_text"]


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


def version_text(ledger: Ledger, version: Version) -> Markup | None:
    """The Markdown version's text as HTML (its bytes checked against its hash), or None
    for a PDF."""
    if not version.markdown:
        return None
    content = ledger.policy_blobs.get(version.version_hash)
    return markdown_html(content.decode("utf-8"))


def document_response(ledger: Ledger, policy_id: str, version: Version) -> Response:
    """The version's exact bytes as a download (``replay.policy_versions``)."""
    download = version_document(ledger, policy_id, version)
    return Response(download.content, media_type=download.media_type, headers=download.headers)
