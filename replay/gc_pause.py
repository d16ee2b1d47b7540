"""Bulk reads with the cyclic garbage collector paused (the helper lives beside the write
path, which pauses it for large appends; see ``ledger.gc_pause``)."""

from __future__ import annotations

from ledger.gc_pause import paused_gc

__all__ = ["paused_gc"]
