"""Rule versions as stored in the ledger, read without the rule-pack schema.

A read that is answered from the tracked model or the answer memo needs of its rule
versions only what names them (``label``), which agency they bind (``owner``,
``jurisdiction``, ``agency``) and, for a roster, their catalogue (requirement titles,
kinds and consequences; source titles and urls). Those are read here from the stored
content (plain JSON, defaults left out: ``projections.rules.loader.version_content``)
with the schema's defaults, so such a read imports no pydantic (issue 14 §6,
``benchmarks/cli_startup_bench.py``). Evaluating needs the whole version:
``StoredVersion.rule_version`` validates it with the schema, once.

``tests/rules/test_stored_versions.py`` checks every field read here against the schema's
reading of every shipped pack version, and of versions drawn around them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from projections.rules.schema import RuleVersion

__all__ = [
    "StoredVersion",
    "StoredVersionMismatchError",
    "rule_catalogue",
    "stored_versions_from_events",
    "versions_for_agency",
]


class StoredVersionMismatchError(ValueError):
    """A stored version's content does not match its recorded hash."""


class StoredVersion:
    """One stored rule version: its content as recorded, and what names it and says whom
    it binds, read with the schema's defaults (``owner`` "state", ``agency`` and
    ``consequence`` none, ``version.revision`` 1)."""

    __slots__ = (
        "_model",
        "agency",
        "consequence",
        "content",
        "id",
        "jurisdiction",
        "owner",
        "pack",
        "revision",
    )

    def __init__(self, content: Mapping[str, Any]) -> None:
        version = content["version"]
        self.content = content
        self.pack: str = content["pack"]
        self.id: str = version["id"]
        self.revision: int = version.get("revision", 1)
        self.owner: str = content.get("owner", "state")
        self.jurisdiction: str = content["jurisdiction"]
        self.agency: str | None = content.get("agency")
        self.consequence: str | None = content.get("consequence")
        self._model: RuleVersion | None = None

    @property
    def label(self) -> str:
        """``pack@version``, and the revision after the first (``RuleVersion.label``)."""
        name = f"{self.pack}@{self.id}"
        return name if self.revision == 1 else f"{name} (revision {self.revision})"

    def rule_version(self) -> RuleVersion:
        """The version validated by the schema (once): what evaluation is given."""
        if self._model is None:
            from projections.rules.loader import rule_version_from_content

            self._model = rule_version_from_content(self.content)
        return self._model

    def __repr__(self) -> str:
        return f"StoredVersion({self.label!r})"


def stored_versions_from_events(
    events: Iterable[object], known_at: datetime | None = None
) -> list[StoredVersion]:
    """The read side's fold over RuleVersionPublished (and Revised) events: only events
    recorded at or before ``known_at`` count, a later one of a version replaces an earlier,
    and each stored content is checked against its recorded hash before it is trusted."""
    from ledger.rule_pack import RuleVersionPublished, content_hash

    versions: dict[tuple[str, str], StoredVersion] = {}
    for event in events:
        if not isinstance(event, RuleVersionPublished):
            continue
        if known_at is not None and event.timestamp > known_at:
            continue
        if content_hash(event.content) != event.content_hash:
            msg = f"{event.pack_id}@{event.version_id}: stored content does not match its hash"
            raise StoredVersionMismatchError(msg)
        versions[(event.pack_id, event.version_id)] = StoredVersion(event.content)
    return [versions[key] for key in sorted(versions)]


class _Binding(Protocol):
    @property
    def owner(self) -> str: ...
    @property
    def jurisdiction(self) -> str: ...
    @property
    def agency(self) -> str | None: ...


Version = TypeVar("Version", bound=_Binding)


def versions_for_agency(
    versions: Sequence[Version], jurisdiction: str, agency_slug: str
) -> list[Version]:
    """The state's packs for the agency's jurisdiction plus the agency's own local packs."""
    return [
        v
        for v in versions
        if (v.owner == "state" and v.jurisdiction == jurisdiction)
        or (v.owner == "agency" and v.agency == agency_slug)
    ]


def rule_catalogue(versions: Iterable[StoredVersion]) -> dict[str, Any]:
    """Per rule version: its requirements' titles, kinds and default consequences, and the
    sources a roster row cites by id."""
    catalogue: dict[str, Any] = {}
    for v in versions:
        requirements = sorted(v.content["version"].get("requirements", []), key=_by_id)
        catalogue[f"{v.pack}@{v.id}"] = {
            "revision": v.revision,
            "requirements": {
                r["id"]: {
                    "title": r["title"],
                    "kind": r["kind"],
                    "consequence": r.get("consequence") or v.consequence,
                }
                for r in requirements
            },
            "sources": {
                source_id: {"title": source["title"], "url": source.get("url")}
                for source_id, source in sorted(v.content["sources"].items())
            },
        }
    return catalogue


def _by_id(requirement: Mapping[str, Any]) -> str:
    return str(requirement["id"])
