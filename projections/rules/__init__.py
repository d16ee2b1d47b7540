"""Rule packs: schema, loader, calendars, populations, crediting, measures and selection.

The evaluator that uses them is ``projections.evaluate.evaluate``.
"""

from __future__ import annotations

from projections.rules.loader import (
    RulePackError,
    load_pack,
    load_pack_text,
    resolve_versions,
    rule_version_from_content,
    shipped_packs,
    version_content,
)
from projections.rules.schema import PackFile, RuleVersion

__all__ = [
    "PackFile",
    "RulePackError",
    "RuleVersion",
    "load_pack",
    "load_pack_text",
    "resolve_versions",
    "rule_version_from_content",
    "shipped_packs",
    "version_content",
]
