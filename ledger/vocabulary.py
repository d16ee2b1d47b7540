"""Closed vocabularies shared by events, commands and imports."""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "ASSIGNMENT_ALIASES",
    "Assignment",
    "DeliveryMode",
    "Employment",
    "ExemptionKind",
    "PersonKind",
    "PersonStatus",
    "assignment_id",
]


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


class Assignment(StrEnum):
    """The assignments the shipped rule packs' populations bind (``assignments_any`` /
    ``assignments_none``): MN school resource officers (Minn. Stat. 626.8482), CA public
    safety dispatchers and the PSP's patrol, traffic and investigations officers (not jail).
    An agency may record other assignments (k9, swat); no rule binds them."""

    SCHOOL_RESOURCE_OFFICER = "school_resource_officer"
    PATROL = "patrol"
    TRAFFIC = "traffic"
    INVESTIGATIONS = "investigations"
    JAIL = "jail"
    DISPATCH = "dispatch"
    DISPATCH_SUPERVISOR = "dispatch_supervisor"


# Other names agencies use for the same assignment, after lower-casing and turning spaces
# and hyphens into underscores ("School Resource Officer" -> school_resource_officer).
ASSIGNMENT_ALIASES: Mapping[str, Assignment] = MappingProxyType(
    {
        "sro": Assignment.SCHOOL_RESOURCE_OFFICER,
        "school_resource": Assignment.SCHOOL_RESOURCE_OFFICER,
        "school_resource_officers": Assignment.SCHOOL_RESOURCE_OFFICER,
        "patrol_officer": Assignment.PATROL,
        "uniform_patrol": Assignment.PATROL,
        "traffic_enforcement": Assignment.TRAFFIC,
        "investigation": Assignment.INVESTIGATIONS,
        "investigator": Assignment.INVESTIGATIONS,
        "detective": Assignment.INVESTIGATIONS,
        "detectives": Assignment.INVESTIGATIONS,
        "jail_deputy": Assignment.JAIL,
        "detention": Assignment.JAIL,
        "corrections": Assignment.JAIL,
        "dispatcher": Assignment.DISPATCH,
        "public_safety_dispatcher": Assignment.DISPATCH,
        "telecommunicator": Assignment.DISPATCH,
        "dispatcher_supervisor": Assignment.DISPATCH_SUPERVISOR,
        "supervising_dispatcher": Assignment.DISPATCH_SUPERVISOR,
    }
)
_SEPARATORS = re.compile(r"[\s\-]+")


def assignment_id(name: str) -> str:
    """The canonical id of an assignment name: an alias becomes its canonical id; any other
    name comes back lower case with spaces and hyphens as underscores (not validated)."""
    key = _SEPARATORS.sub("_", name.strip().casefold())
    alias = ASSIGNMENT_ALIASES.get(key)
    return alias.value if alias is not None else key
