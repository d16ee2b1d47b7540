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
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from projections.rules.schema import RuleVersion

__all__ = [
    "Followed",
    "StoredVersion",
    "StoredVersionMismatchError",
    "rule_catalogue",
    "stored_version_from_state",
    "stored_versions_from_events",
    "versions_for_agency",
]

# The stored topics of ``ledger.rule_pack``'s events: the two whose content is a version
# (``RuleVersionRevised`` is a ``RuleVersionPublished``), and the one that carries none.
# ``tests/rules/test_stored_versions.py`` checks these are every event class of a rule
# pack's stream, each of class version 1.
VERSION_TOPICS = frozenset(
    {"ledger.rule_pack:RuleVersionPublished", "ledger.rule_pack:RuleVersionRevised"}
)
NO_VERSION_TOPICS = frozenset({"ledger.rule_pack:RulePackRegistered"})


# Days an agency followed a jurisdiction: (from, inclusive, None for always; to, exclusive,
# None for still), as ``ledger.agency.jurisdiction_spans`` reads its adoptions. Defined
# here, beside the stored versions that carry it, so that a read without the schema can
# bind them (``RuleVersion.followed`` is the same spans on the validated version).
Followed = tuple[tuple[date | None, date | None], ...]


class StoredVersionMismatchError(ValueError):
    """A stored version's content does not match its recorded hash."""


class StoredVersion:
    """One stored rule version: its content as recorded, and what names it and says whom
    it binds, read with the schema's defaults (``owner`` "state", ``agency`` and
    ``consequence`` none, ``version.revision`` 1).

    ``followed``: for an agency that followed more than one jurisdiction, the days it
    followed this version's (``followed_during``); None: the version binds every day it
    claims. Not content: never stored or hashed, but part of the rules key."""

    __slots__ = (
        "_base",
        "_model",
        "agency",
        "consequence",
        "content",
        "followed",
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
        self.followed: Followed | None = None
        self._base: StoredVersion | None = None
        self._model: RuleVersion | None = None

    def followed_during(self, spans: Followed) -> StoredVersion:
        """A copy that binds only windows judged on a day in ``spans``: its validated
        version is this one's, bound to the same spans (``RuleVersion.followed_during``),
        so the schema still validates the content once."""
        copy = StoredVersion(self.content)
        copy.followed = spans
        copy._base = self if self._base is None else self._base
        return copy

    @property
    def label(self) -> str:
        """``pack@version``, and the revision after the first (``RuleVersion.label``)."""
        name = f"{self.pack}@{self.id}"
        return name if self.revision == 1 else f"{name} (revision {self.revision})"

    def rule_version(self) -> RuleVersion:
        """The version validated by the schema (once): what evaluation is given."""
        if self._model is None:
            if self._base is not None and self.followed is not None:
                self._model = self._base.rule_version().followed_during(self.followed)
            else:
                from projections.rules.loader import rule_version_from_content

                self._model = rule_version_from_content(self.content)
        return self._model

    def __repr__(self) -> str:
        if self.followed is None:
            return f"StoredVersion({self.label!r})"
        return f"StoredVersion({self.label!r}, followed={self.followed!r})"


def stored_version_from_state(topic: str, state: bytes) -> tuple[bool, StoredVersion | None]:
    """``stored_versions_from_events`` of one rule-pack event, read from its stored state
    (``ledger.state_codec``) without its class: (True, the version or None for an event
    that carries none), or (False, None) for an event this reading does not know (another
    topic, or a class version above 1: decode it with the mapper instead)."""
    if topic in NO_VERSION_TOPICS:
        return True, None
    if topic not in VERSION_TOPICS:
        return False, None
    import orjson

    from ledger.rule_content import content_hash
    from ledger.state_codec import untag

    fields = orjson.loads(state)
    if fields.get("class_version", 1) != 1:
        return False, None
    content = untag(fields["content"])
    if content_hash(content) != fields["content_hash"]:
        label = f"{fields['pack_id']}@{fields['version_id']}"
        raise StoredVersionMismatchError(f"{label}: stored content does not match its hash")
    return True, StoredVersion(content)


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
