"""A notice's message: subject, plain text and HTML, rendered only from the fields its
``NoticeDecided`` records, so the same notice renders to the same bytes after a restart
(``message_digest`` is recorded with the decision and checked before each send).

The HTML is one narrow column with inline styles (mail clients drop style sheets), large
type and no tables wider than a phone: each digest item is a block of its own.
"""

# ruff: noqa: E501 (the templates' inline styles are one line per element, as mail wants)
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from html import escape
from string import Template
from typing import Any

from projections.notify import source_of

__all__ = ["Message", "message_digest", "render"]


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str


_PAGE = Template(
    """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title></head>
<body style="margin:0;padding:0;background:#f3f4f6;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#111827;">
<div style="max-width:600px;margin:0 auto;padding:16px;">
<div style="background:#1f2937;color:#ffffff;padding:14px 18px;border-radius:8px 8px 0 0;font-size:14px;letter-spacing:.04em;">MUSTER &middot; $agency</div>
<div style="background:#ffffff;padding:18px;border-radius:0 0 8px 8px;">
<h1 style="font-size:22px;line-height:1.3;margin:0 0 12px 0;">$title</h1>
$body
<p style="font-size:13px;color:#6b7280;margin:20px 0 0 0;">$footer</p>
</div></div></body></html>
"""
)
_ITEM = Template(
    """<div style="border-left:6px solid $colour;background:#f9fafb;padding:10px 12px;margin:0 0 10px 0;border-radius:4px;">
<div style="font-size:13px;font-weight:bold;color:$colour;text-transform:uppercase;">$status_text</div>
<div style="font-size:17px;font-weight:bold;margin:2px 0;">$name <span style="font-weight:normal;color:#4b5563;">#$employee</span></div>
<div style="font-size:15px;">$requirement</div>
<div style="font-size:15px;">$label: <b>$deadline</b> <span style="color:#4b5563;">($distance)</span></div>
</div>"""
)
_COLOURS = {"non_compliant": "#b91c1c", "due_soon": "#b45309"}
# A digest item's words by source: what precedes its title, and its deadline's label.
_DIGEST_WORDS = {
    "credential": ("Credential: ", "Valid through"),
    "policy": ("Policy: acknowledge ", "Acknowledge by"),
}
_STATUS_TEXT = {"non_compliant": "Overdue", "due_soon": "Due soon", "on_track": "Coming up"}


def _day(value: date | None) -> str:
    return value.strftime("%d %B %Y").lstrip("0") if value else ""


def _footer(fields: dict[str, Any]) -> str:
    mandatory = (
        "This notice is required by your agency and cannot be turned off."
        if fields["mandatory"]
        else "You asked for this notice; your coordinator can stop it."
    )
    return f"{mandatory} It is recorded in the ledger as proof of notice."


def render(agency: str, fields: dict[str, Any]) -> Message:
    """The message for a notice with ``fields`` (``NoticeDecided``'s own fields)."""
    if fields["kind"] == "digest":
        return _digest(agency, fields)
    deadline = _day(fields["deadline"])
    who, what = fields["person_name"], fields["title"] or fields["requirement"]
    source = source_of(fields["requirement"])
    subject, lead, label = _wording(source, fields["kind"], who, what, deadline, fields)
    footer = _footer(fields)
    heading = {"credential": "Credential", "policy": "Policy"}.get(source, "Requirement")
    text = f"{lead}\n\nAgency: {agency}\n{heading}: {what}\n{label}: {deadline}\n\n{footer}\n"
    html = _PAGE.substitute(
        title=escape(subject),
        agency=escape(agency),
        body=f'<p style="font-size:17px;line-height:1.5;margin:0;">{escape(lead)}</p>',
        footer=escape(footer),
    )
    return Message(subject, text, html)


def _wording(
    source: str, kind: str, who: str, what: str, deadline: str, fields: dict[str, Any]
) -> tuple[str, str, str]:
    """(subject, lead, the deadline's label) for a notice about a requirement, a
    credential's expiry (the deadline is its last valid day) or a policy to acknowledge."""
    window = fields["window"]
    employee = fields["employee_id"]
    if source == "credential":
        if kind == "reminder":
            return (
                f"Reminder: {what} expires {deadline}",
                f"{who}, your {what} expires {deadline} ({window} days or less): "
                "requalify or renew it by then.",
                "Valid through",
            )
        if kind == "overdue":
            return (
                f"Expired: {what} (valid through {deadline})",
                f"{who}, your {what} has expired: it was valid through {deadline}.",
                "Valid through",
            )
        return (
            f"Expired in your unit: {who}, {what}",
            f"{who} (#{employee}) let {what} expire: it was valid through {deadline}.",
            "Valid through",
        )
    if source == "policy":
        if kind == "reminder":
            return (
                f"Reminder: acknowledge {what} by {deadline}",
                f"{who}, acknowledge {what} by {deadline} ({window} days or less).",
                "Acknowledge by",
            )
        if kind == "overdue":
            return (
                f"Overdue: acknowledge {what} (deadline {deadline})",
                f"{who}, the deadline to acknowledge {what} ({deadline}) has passed.",
                "Acknowledge by",
            )
        return (
            f"Overdue in your unit: {who}, acknowledge {what}",
            f"{who} (#{employee}) did not acknowledge {what} by {deadline}.",
            "Acknowledge by",
        )
    if kind == "reminder":
        return (
            f"Reminder: {what} is due by {deadline}",
            f"{who}, {what} is due by {deadline} ({window} days or less).",
            "Deadline",
        )
    if kind == "overdue":
        return (
            f"Overdue: {what} (deadline {deadline})",
            f"{who}, the deadline for {what} ({deadline}) has passed and it is not met.",
            "Deadline",
        )
    return (
        f"Overdue in your unit: {who}, {what}",
        f"{who} (#{employee}) did not meet {what} by {deadline}.",
        "Deadline",
    )


def _distance(deadline: date, day: date) -> str:
    days = (deadline - day).days
    if days == 0:
        return "today"
    unit = "day" if abs(days) == 1 else "days"
    return f"in {days} {unit}" if days > 0 else f"{-days} {unit} ago"


def _digest(agency: str, fields: dict[str, Any]) -> Message:
    items = [line.split("\t") for line in fields["lines"]]
    counts = {s: sum(1 for item in items if item[4] == s) for s in ("non_compliant", "due_soon")}
    overdue, due_soon = counts["non_compliant"], counts["due_soon"]
    coming = len(items) - overdue - due_soon
    # An expired credential is counted as expired, not overdue, as its block says; the
    # words appear only when one is listed (a digest of requirements reads as before).
    expired = sum(1 for item in items if item[4] == "non_compliant" and item[5:] == ["credential"])
    overdue -= expired
    expired_words = f", {expired} expired" if expired else ""
    digest_day: date = fields["deadline"]
    day = _day(digest_day)
    subject = (
        f"{agency}: {overdue} overdue{expired_words}, {due_soon} due soon, {coming} coming up "
        f"({day})"
    )
    text_lines = [f"Due or overdue in {agency} on {day}: {len(items)}", ""]
    blocks = []
    for employee, name, title, deadline, status, *rest in items:
        source = rest[0] if rest else "requirement"
        status_text = _STATUS_TEXT.get(status, status)
        if source == "credential" and status == "non_compliant":
            status_text = "Expired"
        due = date.fromisoformat(deadline)
        distance = _distance(due, digest_day)
        what, label = _DIGEST_WORDS.get(source, ("", "Deadline"))
        text_lines.append(
            f"- {status_text}: {name} #{employee}, {what}{title}, {label.lower()} {deadline} "
            f"({distance})"
        )
        blocks.append(
            _ITEM.substitute(
                colour=_COLOURS.get(status, "#1d4ed8"),
                status_text=escape(status_text),
                name=escape(name),
                employee=escape(employee),
                requirement=escape(what + title),
                label=escape(label),
                deadline=escape(_day(due)),
                distance=escape(distance),
            )
        )
    footer = _footer(fields)
    summary = (
        f'<p style="font-size:17px;margin:0 0 14px 0;"><b style="color:#b91c1c;">{overdue}'
        f"</b> overdue &middot; "
        + (f'<b style="color:#b91c1c;">{expired}</b> expired &middot; ' if expired else "")
        + f'<b style="color:#b45309;">{due_soon}</b> due soon &middot; '
        f"<b>{coming}</b> coming up</p>"
    )
    html = _PAGE.substitute(
        title=escape(f"Compliance digest, {day}"),
        agency=escape(agency),
        body=summary + "\n".join(blocks),
        footer=escape(footer),
    )
    return Message(subject, "\n".join([*text_lines, "", footer, ""]), html)


def message_digest(message: Message) -> str:
    joined = "\x00".join((message.subject, message.text, message.html))
    return hashlib.sha256(joined.encode()).hexdigest()
