"""What every part of a pack shares: the frozen base models, identifiers and hour
amounts, confidence levels, sources, topics, populations and month-days."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CONFIDENCE_ORDER",
    "ApplicabilityMode",
    "CitedModel",
    "Confidence",
    "Hours",
    "Identifier",
    "MonthDay",
    "Population",
    "SchemaModel",
    "Source",
    "Topic",
    "VersionId",
]

Confidence = Literal["verified", "secondary", "derived", "uncertain"]
# Lower index = more trustworthy; a result's confidence is its least trustworthy input.
CONFIDENCE_ORDER: tuple[Confidence, ...] = ("verified", "secondary", "derived", "uncertain")
ApplicabilityMode = Literal[
    "cycle_start_on_or_after", "renewal_on_or_after", "calendar_year", "window_start_on_or_after"
]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
VersionId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")]
Hours = Annotated[Decimal, Field(ge=0, max_digits=8, decimal_places=2)]


class SchemaModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CitedModel(SchemaModel):
    """Anything that states a regulatory fact names its sources and how sure we are."""

    source: list[Identifier] = Field(min_length=1)
    confidence: Confidence = "verified"
    note: str | None = None


class Source(SchemaModel):
    title: str = Field(min_length=1)
    url: str | None = None


class Topic(SchemaModel):
    """A canonical topic id's meaning in this pack, with the state's own name and code."""

    title: str = Field(min_length=1)
    state_code: str | None = None
    state_category: str | None = None


class Population(SchemaModel):
    """Who a requirement binds. Every given condition must hold (AND); an empty list
    means "no condition"; rank and certificate names compare case-insensitively."""

    title: str = ""
    kinds: list[str] = []
    statuses: list[str] = []
    employment: list[str] = []
    employment_none: list[str] = []
    assignments_any: list[str] = []
    assignments_none: list[str] = []
    ranks_any: list[str] = []
    ranks_none: list[str] = []
    certificates_any: list[str] = []
    certificates_none: list[str] = []
    # Bound only once basic training is completed (an unknown date counts as completed
    # before hire, the usual case for lateral and long-serving officers).
    basic_completed: bool = False


class MonthDay(SchemaModel):
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)
