"""How a status, a roster and a trend read on a terminal, 80 columns or wider.

Every line wraps at words instead of cutting a value short: requirement titles, full status
words, the window and which window it is, counted of required with the unit, what remains,
the deadline and the reasons. The machine-readable forms (``--json``, ``--format csv``)
are the answers themselves; this is only their reading.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from api.cli import context
from api.cli.plain_text import NotPlainError, PlainLines, plain_width

if TYPE_CHECKING:
    from rich.table import Table

__all__ = [
    "STATUS_WORDS",
    "UNMET",
    "amount",
    "print_roster",
    "print_status",
    "print_trend",
    "status_word",
]

# The engine's status codes as words, worst first (the order counts are told in).
STATUS_WORDS = {
    "non_compliant": "non-compliant",
    "due_soon": "due soon",
    "on_track": "on track",
    "compliant": "compliant",
    "inactive": "inactive",
    "not_applicable": "not applicable",
    "not_hired": "not yet hired",
}
_STYLE = {"non_compliant": "bold red", "due_soon": "yellow", "compliant": "green"}
# A requirement someone still has to do something for.
UNMET = frozenset({"non_compliant", "due_soon", "on_track"})
_PERSON_WORDS = {"not_hired": "not yet hired"}


def status_word(code: str) -> str:
    return STATUS_WORDS.get(code, code.replace("_", " "))


def _status(code: str) -> tuple[str, str]:
    return (status_word(code), _STYLE.get(code, ""))


def amount(value: str, unit: str) -> str:
    """``16 hours``, ``1 hour``, ``1 completion``, ``2 completions``."""
    one = value == "1"
    if unit == "hours":
        return f"{value} hour" if one else f"{value} hours"
    return f"{value} completion" if one else f"{value} completions"


def _window_kind(requirement: Mapping[str, Any], as_of: date) -> str:
    """Which window a result is for, seen from ``as_of``: the previous one (still shown
    while it is unmet or in its grace), the current one, or the next one."""
    start, end = requirement["window_start"], requirement["window_end"]
    if end is not None and date.fromisoformat(end) < as_of:
        return "previous window"
    if start is not None and date.fromisoformat(start) > as_of:
        return "next window"
    return "current window"


def _window(requirement: Mapping[str, Any], as_of: date) -> str:
    start, end = requirement["window_start"], requirement["window_end"]
    if start is None and end is None:
        return "no window"
    span = f"{start or 'the start'} to {end or 'open'}"
    return f"{_window_kind(requirement, as_of)} {span}"


# A line's parts: plain text, or (text, style) for text shown in a style on a terminal.
Parts = tuple[str | tuple[str, str], ...]


class _Rich:
    """The answer printed through rich's console (colours on a terminal)."""

    def blank(self) -> None:
        context.console.print()

    def say(self, text: str | Parts, indent: int = 0) -> None:
        from api.cli.output import paragraph, styled

        if isinstance(text, str) and text.startswith("- "):
            context.console.print(paragraph(text[2:], indent, bullet="-"))
        else:
            context.console.print(
                paragraph(text if isinstance(text, str) else styled(*text), indent)
            )

    def heading(self, left: Parts, right: Parts) -> None:
        """A title on the left that wraps, a status word on the right that never does."""
        from rich.table import Table

        from api.cli.output import styled

        grid = Table.grid(expand=True)
        grid.add_column(ratio=1, overflow="fold")
        grid.add_column(justify="right", no_wrap=True)
        grid.add_row(styled(*left), styled(*right))
        context.console.print(grid)

    def table(self, make: Callable[[], Table]) -> None:
        context.console.print(make())


class _Plain:
    """The same lines laid out without rich, where rich would print them plain
    (``api.cli.plain_text``); anything it cannot lay out raises ``NotPlainError``."""

    def __init__(self, lines: PlainLines) -> None:
        self.lines = lines

    def blank(self) -> None:
        self.lines.blank()

    def say(self, text: str | Parts, indent: int = 0) -> None:
        if isinstance(text, str) and text.startswith("- "):
            self.lines.paragraph(text[2:], indent, bullet="-")
        else:
            self.lines.paragraph(_joined(text), indent)

    def heading(self, left: Parts, right: Parts) -> None:
        self.lines.heading(_joined(left), _joined(right))

    def table(self, make: Callable[[], Table]) -> None:
        raise NotPlainError("a table")


Out = _Rich | _Plain


def _joined(text: str | Parts) -> str:
    if isinstance(text, str):
        return text
    return "".join(part if isinstance(part, str) else part[0] for part in text)


def _printed(render: Callable[[Out], None]) -> None:
    """``render`` laid out without rich where rich would print it plain, else (or when it
    holds what only rich lays out) through rich: the same bytes either way."""
    width = plain_width()
    if width is not None:
        lines = PlainLines(width)
        try:
            render(_Plain(lines))
        except NotPlainError:
            pass
        else:
            lines.write()
            return
    render(_Rich())


def _versions(labels: list[str]) -> str:
    """``pack: v1, v2 (revision 2)``: each pack named once."""
    by_pack: dict[str, list[str]] = {}
    for label in labels:
        pack, _, version = label.partition("@")
        by_pack.setdefault(pack, []).append(version or pack)
    return "; ".join(f"{pack} {', '.join(versions)}" for pack, versions in by_pack.items())


def _axes(answer: Mapping[str, Any]) -> str:
    """The two time axes an answer is for, with the agency's zone (``as_of`` is its local
    date; ``known_at`` is stated in UTC, as in the machine-readable exports)."""
    return f"as of {answer['as_of']} ({answer['time_zone']}), known at {answer['known_at']}"


def _requirement_lines(out: Out, requirement: Mapping[str, Any], as_of: date) -> None:
    """One requirement: its title and status, then its window (which one, seen from the
    day), what was counted of what is required, what remains, the deadline, the reasons."""
    unit, code = requirement["unit"], requirement["status"]
    deadline, remaining = requirement["deadline"], requirement["remaining"]
    out.heading(((requirement["title"], "bold"),), (_status(code),))
    out.say(_window(requirement, as_of) + (f"; deadline {deadline}" if deadline else ""), 2)
    if code not in {"not_applicable", "inactive"}:
        out.say(
            f"counted {requirement['counted']} of {amount(requirement['required'], unit)}; "
            f"{amount(remaining, unit)} remaining",
            2,
        )
        for topic in requirement.get("topics", ()):
            out.say(
                f"{topic['topic']}: {topic['counted']} of {amount(topic['required'], unit)},"
                f" {topic['remaining']} remaining",
                4,
            )
    for reason in requirement.get("reasons", ()):
        out.say(f"- {reason}", 2)


def _needs(results: list[Mapping[str, Any]], as_of: date) -> str:
    """What one requirement still needs, over its unmet windows: the current (or next)
    window's remainder and deadline, then the previous windows left unmet."""
    parts = []
    earlier = [r for r in results if _window_kind(r, as_of) == "previous window"]
    for r in results:
        if r not in earlier:
            due = f", deadline {r['deadline']}" if r["deadline"] else ""
            parts.append(
                f"{amount(r['remaining'], r['unit'])} remaining{due} ({_window_kind(r, as_of)})"
            )
    if earlier:
        owed = [f"{amount(r['remaining'], r['unit'])} by {r['deadline']}" for r in earlier]
        window = "window" if len(earlier) == 1 else "windows"
        parts.append(f"{len(earlier)} previous {window} unmet: {', '.join(owed)}")
    return "; ".join(parts)


def print_status(answer: Mapping[str, Any]) -> None:
    _printed(lambda out: _status_lines(out, answer))


def _status_lines(out: Out, answer: Mapping[str, Any]) -> None:
    person = answer["person"]
    compliance = person["compliance"]
    as_of = date.fromisoformat(answer["as_of"])
    who: Parts = (
        (person["name"], "bold"),
        f" ({person['employee_id']}, {person['kind']}, "
        f"{_PERSON_WORDS.get(person['person_status'], person['person_status'])})",
    )
    out.heading(who, (_status(compliance["status"]),))
    out.say(_axes(answer))
    out.say(f"rule versions: {_versions(compliance['rule_versions']) or 'none'}")
    for requirement in compliance["requirements"]:
        out.blank()
        _requirement_lines(out, requirement, as_of)
    _overall(out, compliance)
    records = person["counted_records"]
    out.blank()
    if not records:
        out.say("counted records: none")
        return
    out.table(lambda: _records_table(records))
    for record in records:
        _corrections(out, record, "")


def _records_table(records: list[Mapping[str, Any]]) -> Table:
    from rich.table import Table

    table = Table(title="counted records", title_justify="left", expand=False)
    for column in ("record", "effective on", "recorded at (UTC)", "course", "hours"):
        table.add_column(column, overflow="fold")
    for record in records:
        table.add_row(
            record["record_id"][:8],
            record["effective_on"],
            _instant(record["recorded_at"]),
            record["course_title"],
            record["hours"],
        )
    return table


def _corrections(out: Out, record: Mapping[str, Any], whose: str) -> None:
    """A corrected record's line per correction: when it was recorded, why, what changed."""
    for c in record.get("corrections", ()):
        changed = f" ({', '.join(c['changed'])})" if c.get("changed") else ""
        out.say(
            f"- {whose}record {record['record_id'][:8]} (recorded {record['recorded_at']}) "
            f"corrected, recorded {c['recorded_at']}: {c['reason']}{changed}"
        )


def _overall(out: Out, compliance: Mapping[str, Any]) -> None:
    """Why the overall status is what it is: the requirements at the worst status, by
    title and window (the engine names them by id and code), then its other reasons."""
    requirements = compliance["requirements"]
    by_reason = {
        f"{r['requirement_id']} ({r['window_start'] or ''}–{r['window_end'] or ''}): "
        f"{r['status']}": r
        for r in requirements
    }
    worst = [by_reason[x] for x in compliance["reasons"] if x in by_reason]
    others = [x for x in compliance["reasons"] if x not in by_reason]
    if not worst and not others:
        return
    out.blank()
    out.say(f"overall {status_word(compliance['status'])}" + (", because of:" if worst else ":"))
    for r in worst:
        span = f"{r['window_start'] or 'the start'} to {r['window_end'] or 'open'}"
        out.say(f"- {r['title']} ({span})", 2)
    for reason in others:
        out.say(f"- {reason}", 2)


def _instant(text: str | None) -> str:
    """``2025-03-01T12:00:00+00:00`` as ``2025-03-01 12:00:00`` (the column says UTC)."""
    if not text:
        return ""
    return text.replace("T", " ", 1).removesuffix("+00:00")


def _counts(counts: Mapping[str, int]) -> str:
    order = list(STATUS_WORDS)
    ranked = sorted(counts.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)
    return ", ".join(f"{status_word(k)}: {v}" for k, v in ranked) or "no one"


def _titles(answer: Mapping[str, Any]) -> dict[tuple[str, str, str], str]:
    """Requirement titles by (pack, version, requirement), from the roster's catalogue."""
    titles: dict[tuple[str, str, str], str] = {}
    for label, version in answer["rule_versions"].items():
        pack, _, version_id = label.partition("@")
        for requirement_id, requirement in version["requirements"].items():
            titles[(pack, version_id, requirement_id)] = requirement["title"]
    return titles


def print_roster(answer: Mapping[str, Any], *, separated_left_out: bool) -> None:
    """Per person a line (employee id, name, kind, person status, status), and under it
    every unmet requirement with what remains and the deadline."""
    _printed(lambda out: _roster_lines(out, answer, separated_left_out=separated_left_out))


def _roster_lines(out: Out, answer: Mapping[str, Any], *, separated_left_out: bool) -> None:
    as_of = date.fromisoformat(answer["as_of"])
    out.say(((answer["agency"]["name"], "bold"), f": {_axes(answer)}"))
    out.say(f"rule versions: {_versions(answer['rule_versions_known']) or 'none'}")
    counts = _counts(answer["counts"])
    if answer["not_yet_hired"]:
        counts += f" (not yet hired, uncounted: {answer['not_yet_hired']})"
    out.say(f"people by status: {counts}")
    for track, by_status in answer.get("counts_by_track", {}).items():
        out.say(f"{track} track: {_counts(by_status)}", 2)
    if separated_left_out:
        out.say("separated people are left out (--all lists them)")
    titles = _titles(answer)
    people = answer["people"]
    if not people:
        out.say("no one matches")
    for person in people:
        compliance = person["compliance"]
        state = _PERSON_WORDS.get(person["person_status"], person["person_status"])
        who: Parts = (
            (person["employee_id"], "bold"),
            f"  {person['name']} ({person['kind']}, {state})",
        )
        out.heading(who, (_status(person.get("status", compliance["status"])),))
        if "tracks" in person:
            _tracks_lines(out, person)
            if "state" not in person["tracks"]:
                continue
        unmet: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
        for r in compliance["requirements"]:
            if r["status"] in UNMET:
                unmet.setdefault((r["pack_id"], r["requirement_id"]), []).append(r)
        for results in unmet.values():
            last = results[-1]
            key = (last["pack_id"], last["version_id"], last["requirement_id"])
            title = titles.get(key, last["requirement_id"])
            out.say(f"- {title}: {_needs(results, as_of)}", 4)
    for person in people:
        for record in person["counted_records"]:
            _corrections(out, record, f"{person['employee_id']}: ")


def _tracks_lines(out: Out, person: Mapping[str, Any]) -> None:
    """A roster row across the tracks: each track's status, and each credential or policy
    item still to be done, with its reason (the state track's unmet requirements follow)."""
    out.say(", ".join(f"{t} {status_word(s)}" for t, s in person["tracks"].items()), 4)
    for item in person["items"]:
        if item["status"] in UNMET:
            reason = item["reasons"][0] if item["reasons"] else status_word(item["status"])
            out.say(f"- {item['track']} {item['item_id']}: {reason}", 4)


def print_trend(answer: Mapping[str, Any]) -> None:
    """The trend's counts are a table: printed through rich."""
    from rich.table import Table

    out = _Rich()
    out.say(
        (
            (answer["agency"]["name"], "bold"),
            f": known at {answer['known_at']}; days in {answer['time_zone']}; people not "
            "yet hired on a day are not counted",
        )
    )
    seen = {s for p in answer["points"] for s in p["counts"]}
    statuses = [s for s in STATUS_WORDS if s in seen] + sorted(seen - set(STATUS_WORDS))
    table = Table()
    table.add_column("as of", no_wrap=True)
    for code in statuses:
        table.add_column(status_word(code), justify="right", overflow="fold")
    for point in answer["points"]:
        table.add_row(point["as_of"], *(str(point["counts"].get(s, 0)) for s in statuses))
    context.console.print(table)
    if "tracks_shown" in answer:
        out.say(f"across the tracks: {', '.join(answer['tracks_shown'])} (--json: each's counts)")
