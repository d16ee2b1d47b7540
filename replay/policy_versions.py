"""A policy's versions as every edge reads them (issue 17): each uploaded version with its
publication (``versions_of``, pure over the ``Programme`` read model), and a version's
exact bytes as a download (``version_document``: checked against its SHA-256 by the blob
store), with the headers that keep a browser from running or sniffing it.

``library_at`` is the policy library on both axes, as every other read: ``as_of`` (the day
asked about: which version is in force) and ``known_at`` (only the agency's events
recorded by then count: a version uploaded or published later, or a quiz set later, is not
in the answer). ``resolve`` names a version in that library (a number, a hash or a prefix),
so a reference never reaches past ``known_at`` either.

Both the HTTP routes (``api.http.routes.policies``) and the dashboard's pages import it
from here, so neither edge depends on the other; the download is plain data, each edge
wraps it in its own response."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from ledger.agency import agency_id_for
from ledger.application import Ledger
from ledger.errors import PolicyNotFoundError
from ledger.policy_quiz import Quiz, parse_quiz
from ledger.program_events import PolicyQuizSet
from projections.credentials.programme import PolicyUpload, Programme, programme_from_events
from replay.asof import KnownAt, known_at_used, local_day, requested_instant
from replay.read_side import read_side

__all__ = [
    "Download",
    "Library",
    "Version",
    "library_at",
    "resolve",
    "version_document",
    "version_of",
    "versions_of",
]

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


@dataclass(frozen=True)
class Library:
    """The agency's policies as recorded by ``known_at``, asked about ``as_of``."""

    as_of: date
    known_at: datetime
    programme: Programme
    # Each policy's quizzes by version hash: the last set by known_at.
    quizzes: Mapping[str, Mapping[str, Quiz]] = field(default_factory=dict)

    def quizzes_of(self, policy_id: str) -> Mapping[str, Quiz]:
        return self.quizzes.get(policy_id, {})


def library_at(ledger: Ledger, slug: str, as_of: date | None, known_at: KnownAt) -> Library:
    """The library on both axes: ``known_at`` clamped to the stable horizon (default: the
    horizon), ``as_of`` default the agency's day at that instant. One read of the agency's
    stream up to its head at ``known_at`` gives the programme and the quizzes alike."""
    used = known_at_used(ledger, requested_instant(ledger, slug, known_at))
    agency = read_side(ledger).knowledge.agency_at(slug, used)
    day = local_day(agency, used) if as_of is None else as_of
    agency_id = agency_id_for(slug)
    head = ledger.store.heads_of([agency_id], recorded_by=used).get(agency_id)
    events = [] if head is None else list(ledger.events.get(agency_id, lte=head))
    quizzes: dict[str, dict[str, Quiz]] = {}
    for event in events:
        if isinstance(event, PolicyQuizSet):  # a later one for the same version replaces it
            quizzes.setdefault(event.policy_id, {})[event.version_hash] = parse_quiz(event.quiz)
    return Library(day, used, programme_from_events(events), quizzes)


def resolve(library: Library, policy_id: str, reference: str) -> Version:
    """The version a reference names in the library as known then: a published number
    (``3``), or the hash (or an unambiguous prefix of 8+ hex digits) of an uploaded one."""
    programme = library.programme
    if policy_id not in programme.policy_ids:
        raise PolicyNotFoundError(
            f"no policy {policy_id!r} was recorded by {library.known_at.isoformat()}"
        )
    versions = versions_of(programme, policy_id)
    text = reference.strip().lower()
    if text.isdigit():
        published = [v for v in versions if v.number is not None]
        found = [v for v in published if v.number == int(text)]
        if not found:
            raise PolicyNotFoundError(
                f"policy {policy_id!r} had {len(published)} published versions by "
                f"{library.known_at.isoformat()}, no {int(text)}"
            )
        return found[0]
    matches = [v for v in versions if len(text) >= 8 and v.version_hash.startswith(text)]
    if len(matches) != 1:
        raise PolicyNotFoundError(
            f"policy {policy_id!r} had no single version {text!r} by {library.known_at.isoformat()}"
        )
    return matches[0]
