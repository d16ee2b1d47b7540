"""Closed vocabularies shared by events, commands and imports."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["DeliveryMode", "Employment", "ExemptionKind", "PersonKind", "PersonStatus"]


class PersonKind(StrEnum):
    SWORN = "sworn"
    CIVILIAN = "civilian"


class PersonStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    LEAVE = "leave"
    SEPARATED = "separated"


class DeliveryMode(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"
    SELF_STUDY = "self_study"


class ExemptionKind(StrEnum):
    MILITARY_LEAVE = "military_leave"
    MEDICAL_LEAVE = "medical_leave"
    ADMINISTRATIVE = "administrative"


class Employment(StrEnum):
    FULL_TIME = "full_time"
    PART_TIME = "part_time"
    RESERVE = "reserve"
    RESERVE_LEVEL_III = "reserve_level_iii"
