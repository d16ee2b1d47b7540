"""Audit packets anyone can verify offline (issue 19): ``build`` puts them together from
the as-of answers and the log's prefix at ``known_at``; ``replay.packet_verifier`` (one
stdlib-only file, copied into every packet) checks them."""

from replay.packet.build import agency_packet, person_packet
from replay.packet.events import BrokenChainError

__all__ = ["BrokenChainError", "agency_packet", "person_packet"]
