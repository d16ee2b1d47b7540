"""Time travel on every page: the two axes from the query string, ``as_of`` (the day
asked about) and ``known_at`` (the records as they stood then), read as the API reads
them (``api.http.routes.reads``), kept on every link, and stated in a banner when the
page is not today's picture."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Request

from api.cli.timeargs import LAST_DAY
from api.http.errors import ApiError
from api.http.routes.reads import parse_known_at
from replay.asof import KnownAt

__all__ = ["TimeTravel", "time_travel"]


@dataclass(frozen=True)
class TimeTravel:
    as_of_text: str  # as asked ('' for the agency's today)
    known_at_text: str  # as asked ('' for now)
    as_of: date | None
    known_at: KnownAt
    shown_as_of: str = ""  # what the answer says it used (set by the page)
    shown_known_at: str = ""
    time_zone: str = ""  # the agency's, to show instants in

    @property
    def travelling(self) -> bool:
        """Whether the page shows anything but today's picture as the records stand now."""
        return bool(self.as_of_text or self.known_at_text)

    def query(self, **extra: str) -> str:
        pairs = [("as_of", self.as_of_text), ("known_at", self.known_at_text), *extra.items()]
        kept = [(k, v) for k, v in pairs if v]
        return urlencode(kept)

    def link(self, path: str, **extra: str) -> str:
        """``path`` with both axes (and ``extra`` parameters) kept."""
        query = self.query(**extra)
        return f"{path}?{query}" if query else path

    def showing(self, answer: Mapping[str, Any] | str, known_at: str = "") -> TimeTravel:
        """These axes, with what an answer says it used: ``showing(answer)`` (its
        ``as_of``, ``known_at`` and the agency's time zone), or, as in the first base,
        ``showing(as_of, known_at)``."""
        if isinstance(answer, str):
            return replace(self, shown_as_of=answer, shown_known_at=known_at)
        return replace(
            self,
            shown_as_of=str(answer["as_of"]),
            shown_known_at=str(answer["known_at"]),
            time_zone=str(answer.get("time_zone") or ""),
        )

    @property
    def known_at_label(self) -> str:
        """The instant the answer used, to the second, in the agency's time zone (UTC
        without one; '' when not set)."""
        if not self.shown_known_at:
            return ""
        moment = datetime.fromisoformat(self.shown_known_at)
        if self.time_zone:
            try:
                return moment.astimezone(ZoneInfo(self.time_zone)).strftime("%Y-%m-%d %H:%M:%S %Z")
            except (ZoneInfoNotFoundError, ValueError):
                pass
        return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def time_travel(request: Request) -> TimeTravel:
    """The two axes of the request's query string; a 422 page for an unreadable one."""
    as_of_text = request.query_params.get("as_of", "").strip()
    known_text = request.query_params.get("known_at", "").strip()
    as_of = None
    if as_of_text:
        try:
            as_of = date.fromisoformat(as_of_text)
        except ValueError:
            raise ApiError(422, "invalid_as_of", "as_of: use YYYY-MM-DD", "as_of") from None
        if as_of > LAST_DAY:
            message = f"as_of: muster answers for days up to {LAST_DAY}"
            raise ApiError(422, "invalid_as_of", message, "as_of")
    if len(known_text) > 40:
        raise ApiError(422, "invalid_known_at", "known_at: use YYYY-MM-DD or an ISO instant")
    known_at = parse_known_at(known_text) if known_text else None
    return TimeTravel(as_of_text, known_text, as_of, known_at)
