"""Load rule-pack files (YAML) and resolve them into self-contained rule versions.

Every problem is reported as a ``RulePackError`` naming the file and the field, so a
coordinator editing a pack sees exactly where it went wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from projections.rules.schema import (
    CompleteOnceRequirement,
    CoursesRequirement,
    HoursRequirement,
    PackFile,
    PoolRequirement,
    RuleVersion,
    ValidAtAllTimesRequirement,
    VersionSpec,
)

__all__ = [
    "RulePackError",
    "load_pack",
    "load_pack_text",
    "parse_pack",
    "resolve_versions",
    "rule_version_from_content",
    "shipped_pack_dir",
    "shipped_packs",
    "version_content",
]


class RulePackError(ValueError):
    """A pack file that cannot be used; ``file`` and ``field`` say where."""

    def __init__(self, file: str, field: str, message: str) -> None:
        self.file, self.field, self.message = file, field, message
        super().__init__(f"{file}: {field or '(top level)'}: {message}")


def shipped_pack_dir() -> Path:
    """The packs shipped with muster (``ledger/rule_packs``, package data)."""
    return Path(str(resources.files("ledger").joinpath("rule_packs")))


def _field_path(loc: Iterable[int | str], tags: frozenset[str]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item in tags:
            # pydantic names the chosen union member ("hours") in the path; it is noise here.
            continue
        else:
            parts.append(f".{item}" if parts else item)
    return "".join(parts)


_PATH_PREFIX = re.compile(r"^(?P<path>[a-z_][\w.\[\]-]*): (?P<rest>.*)$", re.DOTALL)
_UNION_TAGS = frozenset(
    {
        "hours",
        "pool",
        "courses",
        "complete_once",
        "valid_at_all_times",
        "fixed",
        "license_period",
        "cohort",
        "rolling",
    }
)


def parse_pack(data: Any, file: str) -> PackFile:
    """Validate already-parsed data as a pack; ``file`` names it in errors."""
    if not isinstance(data, Mapping):
        raise RulePackError(file, "", "a pack file must be a mapping at the top level")
    # Top-level keys starting with "x-" hold YAML anchors for reuse; they are not data.
    data = {k: v for k, v in data.items() if not str(k).startswith("x-")}
    try:
        return PackFile.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = _field_path(first["loc"], _UNION_TAGS)
        message = str(first["msg"]).removeprefix("Value error, ")
        # Cross-reference checks run on the whole pack and put the field path in front.
        found = _PATH_PREFIX.match(message)
        if found:
            field = f"{field}.{found['path']}" if field else found["path"]
            message = found["rest"]
        more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
        raise RulePackError(file, field, f"{message}{more}") from None


# Fields whose value is free text (titles, citations, notes): a plain value followed by a
# comment on its line was most likely cut there ("LSA #08-288(F)" loads as "LSA").
_TEXT_FIELDS = frozenset(
    {
        "title",
        "url",
        "label",
        "note",
        "notes",
        "summary",
        "consequence",
        "action",
        "state_code",
        "state_category",
        "first_period_note",
        "first_window_note",
    }
)


def _cut_text(text: str) -> tuple[int, str] | None:
    """The first text field whose plain (unquoted) value is followed by a ``#`` comment on
    the same line, as (line number, field name); YAML ends a plain scalar at `` #``, so
    whatever followed was dropped without a word."""
    import yaml  # only pack files are YAML: an answer's rule versions come from the ledger

    opening = (
        yaml.BlockMappingStartToken,
        yaml.FlowMappingStartToken,
        yaml.BlockSequenceStartToken,
        yaml.FlowSequenceStartToken,
    )
    closing = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)
    entry = (yaml.BlockEntryToken, yaml.FlowEntryToken, yaml.FlowSequenceStartToken)
    owners: list[str | None] = []  # for each open collection: the key that holds it
    key: str | None = None
    previous: yaml.Token | None = None
    for token in yaml.scan(text):
        if isinstance(token, opening):
            owners.append(key)
        elif isinstance(token, closing) and owners:
            owners.pop()
        elif isinstance(token, yaml.ScalarToken) and isinstance(previous, yaml.KeyToken):
            key = token.value
        elif isinstance(token, yaml.ScalarToken) and token.plain:
            field = None
            if isinstance(previous, yaml.ValueToken):
                field = key
            elif isinstance(previous, entry) and owners:
                field = owners[-1]
            line_end = text.find("\n", token.end_mark.index)
            rest = text[token.end_mark.index : line_end if line_end >= 0 else len(text)]
            if field in _TEXT_FIELDS and rest.lstrip(" \t").startswith("#"):
                return token.end_mark.line + 1, str(field)
        previous = token
    return None


def load_pack_text(text: str, file: str) -> PackFile:
    import yaml

    try:
        data = yaml.safe_load(text)
        cut = _cut_text(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        raise RulePackError(file, where, f"not valid YAML: {error}") from None
    if cut is not None:
        line, field = cut
        raise RulePackError(
            file,
            f"line {line}",
            f"{field}: text followed by ' #' is cut there (YAML reads the rest as a "
            "comment): quote the value if the '#' belongs to it",
        )
    return parse_pack(data, file)


def load_pack(path: Path | str) -> PackFile:
    path = Path(path)
    return load_pack_text(path.read_text(encoding="utf-8"), str(path))


def shipped_packs(directory: Path | None = None) -> list[PackFile]:
    """Every pack in the directory (default: the shipped packs), ordered by pack id."""
    folder = directory or shipped_pack_dir()
    packs = [load_pack(path) for path in sorted(folder.glob("*.yaml"))]
    return sorted(packs, key=lambda p: p.pack)


def _uses(version: VersionSpec) -> tuple[set[str], set[str], set[str], set[str]]:
    """The source, topic, population and calendar ids a version refers to."""
    sources, topics, populations, calendars = set(version.source), set(), set(), set()
    for r in version.requirements:
        sources |= set(r.source)
        populations |= set(r.population)
        if r.not_before_calendar:
            calendars.add(r.not_before_calendar)
        if isinstance(r, HoursRequirement | PoolRequirement | CoursesRequirement):
            calendars.add(r.window)
        if isinstance(r, HoursRequirement):
            topics |= set(r.topics)
        elif isinstance(r, PoolRequirement):
            topics |= set(r.members)
            for m in r.per_member_min.values():
                sources |= set(m.source)
            if r.choose:
                sources |= set(r.choose.source)
        elif isinstance(r, CoursesRequirement | CompleteOnceRequirement):
            topics |= {t for item in r.complete_each for t in item.topics}
        elif isinstance(r, ValidAtAllTimesRequirement):
            topics |= set(r.credential.topics)
    for x in version.credit_exclusions:
        sources |= set(x.source)
        topics |= set(x.topics)
    for item in (*version.tolling, *version.enforcement_overrides, *version.earlier_windows):
        sources |= set(item.source)
    return sources, topics, populations, calendars


def resolve_versions(pack: PackFile) -> list[RuleVersion]:
    """Each version with copies of exactly what it uses, in effective order."""
    resolved = []
    for version in sorted(pack.versions, key=lambda v: v.effective_from):
        sources, topics, populations, calendars = _uses(version)
        for calendar_id in calendars:
            sources |= set(pack.calendars[calendar_id].source)
        resolved.append(
            RuleVersion(
                pack=pack.pack,
                title=pack.title,
                jurisdiction=pack.jurisdiction,
                credential=pack.credential,
                owner=pack.owner,
                agency=pack.agency,
                consequence=pack.consequence,
                version=version,
                sources={k: pack.sources[k] for k in sorted(sources)},
                topics={k: pack.topics[k] for k in sorted(topics)},
                populations={k: pack.populations[k] for k in sorted(populations)},
                calendars={k: pack.calendars[k] for k in sorted(calendars)},
            )
        )
    return resolved


def version_content(version: RuleVersion) -> dict[str, Any]:
    """Plain JSON-able content of a version: dates and hours as strings, defaults left out
    so that adding an optional schema field later does not change stored content."""
    return version.model_dump(mode="json", exclude_defaults=True)


def rule_version_from_content(content: Mapping[str, Any]) -> RuleVersion:
    """Rebuild a version from stored content (e.g. a RuleVersionPublished event)."""
    return RuleVersion.model_validate(dict(content))
