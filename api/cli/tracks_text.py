"""What ``muster credential status|roster`` and ``muster policy coverage|acknowledged`` print
at a terminal: one line per person or item, wrapped at words (through the plain consoles,
``api.cli.output``), never truncating an id or a status."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
import typer

from api.cli.answers_text import status_word
from api.cli.context import console
from api.cli.output import paragraph

__all__ = ["print_acknowledged", "print_coverage", "print_json", "print_roster", "print_tracks"]


def print_json(answer: Mapping[str, Any]) -> None:
    typer.echo(orjson.dumps(answer, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2).decode())


def _axes(answer: Mapping[str, Any]) -> str:
    return f"as of {answer['as_of']}, known at {answer['known_at']}"


def _say(text: str, indent: int = 0, bullet: str = "") -> None:
    console.print(paragraph(text, indent, bullet=bullet))


def print_tracks(answer: Mapping[str, Any]) -> None:
    tracks = ", ".join(f"{t} {status_word(s)}" for t, s in answer["tracks"].items())
    _say(f"{answer['employee_id']}: {status_word(answer['status'])} ({_axes(answer)})")
    _say(f"tracks: {tracks}", 2)
    for reason in answer["reasons"]:
        _say(reason, 2, "-")
    for item in answer["items"]:
        until = f", until {item['until']}" if item["until"] else ""
        _say(f"{item['track']} {item['item_id']}: {status_word(item['status'])}{until}", 2)
        for reason in item["reasons"]:
            _say(reason, 6, "-")


def print_roster(answer: Mapping[str, Any]) -> None:
    _say(
        f"{len(answer['people'])} people, tracks {', '.join(answer['tracks_shown'])}, "
        f"{_axes(answer)}"
    )
    for person in answer["people"]:
        _say(f"{person['employee_id']}: {status_word(person['status'])}")
        for reason in person["reasons"]:
            _say(reason, 4, "-")


def print_coverage(answer: Mapping[str, Any]) -> None:
    version = answer["version"]
    head = f"{answer['policy_id']} ({answer['title']})"
    if version is None:
        _say(f"{head}: no version in force ({_axes(answer)})")
        return
    counts = (
        ", ".join(f"{n} {status_word(s)}" for s, n in answer["counts"].items()) or "nobody bound"
    )
    _say(f"{head} v{version} {answer['version_hash']} ({_axes(answer)})")
    _say(counts, 2)
    for row in answer["people"]:
        _say(f"{row['employee_id']}: {status_word(row['status'])} ({row['reasons'][0]})", 2)


def print_acknowledged(answer: Mapping[str, Any]) -> None:
    found = answer["acknowledged"]
    _say(
        f"{answer['policy_id']} v{answer['version']} {answer['version_hash']}: "
        f"{len(found)} acknowledged by {answer['as_of']}, known at {answer['known_at']}"
    )
    for ack in found:
        score = f", quiz {ack['quiz_score']}" if ack["quiz_score"] is not None else ""
        _say(
            f"{ack['employee_id']}: {ack['acknowledged_on']} ({ack['channel']}{score}; "
            f"recorded {ack['recorded_at']})",
            2,
        )
