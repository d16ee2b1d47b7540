"""The content hash of a rule version, apart from the rule-pack aggregate: a reader that
checks stored versions against their hashes (``projections.stored_versions``) need not
import the aggregate or the event-sourcing library."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import orjson

__all__ = ["content_hash"]


def content_hash(content: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no whitespace) of a version's content."""
    return hashlib.sha256(orjson.dumps(dict(content), option=orjson.OPT_SORT_KEYS)).hexdigest()
