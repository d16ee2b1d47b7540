"""A fingerprint of the evaluation code, so cached answers never outlive the code that
computed them."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

__all__ = ["engine_fingerprint"]


@cache
def engine_fingerprint() -> str:
    """SHA-256 over every source file of the projections package (sorted by path)."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
