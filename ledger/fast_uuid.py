"""UUIDs to and from the 32-digit hex text the store keeps, without the ``uuid`` module's
Python-level formatting and parsing: the one place a UUID is built around its constructor.

Two UUIDs are written and read with every event; ``tests/ledger/test_fast_encoding.py``
proves the functions equal ``UUID.hex``, ``UUID(hex)`` and ``str(UUID(hex))``.
"""

from __future__ import annotations

from uuid import UUID, SafeUUID

__all__ = ["uuid_from_hex", "uuid_hex", "uuid_text"]


def uuid_hex(value: UUID) -> str:
    """``value.hex``."""
    return value.int.to_bytes(16).hex()


def uuid_from_hex(text: str) -> UUID:
    """``UUID(text)`` for the hex text ``uuid_hex`` writes: the two slots ``UUID.__init__``
    would set, set directly."""
    value = _new(UUID)
    _set(value, "int", int(text, 16))
    _set(value, "is_safe", SafeUUID.unknown)
    return value


def uuid_text(text: str) -> str:
    """``str(UUID(text))`` for the hex text ``uuid_hex`` writes, without building the UUID
    (a record id is kept as this text)."""
    digits = f"{int(text, 16):032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


_new = object.__new__
_set = object.__setattr__
