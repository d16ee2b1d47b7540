"""``report.pdf``: the packet's answer as a text PDF (fpdf2): what was required, what was
counted, the status, the rule versions and their citations, with ``as_of`` and ``known_at``
in every page's header.

Deterministic (``replay.packet.report_page``): the same query gives the same bytes. The
report uses a Unicode font installed by Debian (``replay.packet.fonts``: DejaVu Sans, and
Droid Sans Fallback for CJK when installed), so names in any script it covers are written
as they are; a character no installed font has is written as its code point
(``\\u0416``): the exact text is in ``answer.json`` and ``answer.csv``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from projections.notify import notice_label
from replay.packet.fonts import report_fonts
from replay.packet.report_page import ReportPage

__all__ = ["report_pdf"]


def report_pdf(
    packet: Mapping[str, Any],
    answer: Mapping[str, Any],
    people: Sequence[Mapping[str, Any]],
    digest: Mapping[str, Any],
    notices: Sequence[Mapping[str, Any]] = (),
) -> bytes:
    pdf = ReportPage(packet, str(digest["root"]), report_fonts())
    pdf.add_page()
    if packet["kind"] == "person":
        _person(pdf, people[0])
        _notices(pdf, "Notices about this person (proof of notice)", notices)
    else:
        _agency(pdf, answer, people)
        _agency_notices(pdf, people, notices)
    _provenance(pdf, packet, digest)
    return bytes(pdf.output())


def _person(pdf: ReportPage, person: Mapping[str, Any]) -> None:
    compliance = person["compliance"]
    pdf.para("Training compliance report", 15, "B")
    pdf.para(
        f"{person['name']}  (employee {person['employee_id']}, {person['kind']}, "
        f"{person['person_status']})",
        11,
    )
    if "tracks" in person:
        shown = ", ".join(person["tracks"])
        pdf.para(f"Status: {person['status']} (across the tracks: {shown})", 13, "B")
        pdf.para(" · ".join(f"{t} {s}" for t, s in person["tracks"].items()), 10)
        for reason in person["reasons"]:
            pdf.para(f"- {reason}", 8)
    else:
        pdf.para(f"Status: {compliance['status']}", 13, "B")
    if "items" in person:
        _own_items(pdf, person["items"])
    pdf.heading("Rule versions in force")
    for label in compliance["rule_versions"] or ["none"]:
        pdf.para(f"- {label}")
    requirements = compliance["requirements"]
    pdf.heading("Requirements: required and counted")
    widths: tuple[float, ...] = (50, 38, 24, 14, 16, 20, 24)
    pdf.row(
        widths,
        ("requirement", "window", "required", "counted", "remaining", "deadline", "status"),
        bold=True,
    )
    for r in requirements:
        window = f"{r['window_start'] or ''}..{r['window_end'] or ''}"
        pdf.row(
            widths,
            (
                f"{r['requirement_id']} ({r['version_id']})",
                window,
                f"{r['required']} {'h' if r['unit'] == 'hours' else r['unit']}",
                r["counted"],
                r["remaining"],
                r["deadline"] or "",
                r["status"],
            ),
        )
    pdf.ln(2)
    pdf.bars(
        [
            (r["requirement_id"], float(r["counted"]), float(r["required"]), r["status"])
            for r in requirements
            if r["unit"] == "hours"
        ]
    )
    pdf.heading("Why: reasons and citations")
    for r in requirements:
        pdf.para(
            f"{r['requirement_id']}: {r.get('title', '')} [{r['status']}, "
            f"confidence {r['confidence']}]",
            9,
            "B",
        )
        for reason in r["reasons"]:
            pdf.para(f"  - {reason}", 8)
        for c in r.get("citations", ()):
            pdf.para(
                f"  cites {c['source_id']}: {c['title']}" + (f" <{c['url']}>" if c["url"] else ""),
                8,
            )
    for reason in compliance["reasons"]:
        pdf.para(f"- {reason}", 8)
    pdf.heading("Records counted")
    widths = (22, 54, 11, 42, 56)
    pdf.row(widths, ("completed on", "course", "hours", "recorded at (UTC)", "record"), bold=True)
    for record in person["counted_records"]:
        pdf.row(
            widths,
            (
                record["effective_on"],
                record["course_title"],
                record["hours"],
                record["recorded_at"],
                record["record_id"],
            ),
        )
        for c in record.get("corrections", ()):
            pdf.para(f"    corrected, recorded {c['recorded_at']}: {c['reason']}", 8)


def _own_items(pdf: ReportPage, items: Sequence[Mapping[str, Any]]) -> None:
    """The person's credentials and policy acknowledgements, each with its status, the day
    it holds until and why."""
    pdf.heading("Agency credentials and policy acknowledgements")
    if not items:
        pdf.para("None binds this person on as_of.")
        return
    widths: tuple[float, ...] = (66, 22, 30, 22, 46)
    pdf.row(widths, ("item", "track", "status", "until", "version"), bold=True)
    for item in items:
        pdf.row(
            widths,
            (
                item["title"] or item["item_id"],
                item["track"],
                item["status"],
                item["until"] or "",
                item["version"],
            ),
        )
        for reason in item["reasons"]:
            pdf.para(f"    {reason}", 8)


def _unmet_own(person: Mapping[str, Any], *, track: bool = True) -> list[str]:
    """The credentials and policies the person is short on, by title (and track)."""
    return sorted(
        f"{i['title'] or i['item_id']}" + (f" ({i['track']})" if track else "")
        for i in person.get("items", ())
        if i["status"] in {"non_compliant", "due_soon"}
    )


def _agency(
    pdf: ReportPage, answer: Mapping[str, Any], people: Sequence[Mapping[str, Any]]
) -> None:
    pdf.para("Agency training compliance roster", 15, "B")
    counts = answer["counts"]
    pdf.para(
        f"{sum(counts.values())} people counted; not yet hired (uncounted): "
        f"{answer['not_yet_hired']}",
        10,
    )
    pdf.heading("Status counts")
    total = max(sum(counts.values()), 1)
    pdf.bars([(status, float(n), float(total), status) for status, n in counts.items()])
    if "counts_by_track" in answer:
        pdf.para(f"Across the tracks: {', '.join(answer['tracks_shown'])}; each track alone:", 9)
        for track, by_status in answer["counts_by_track"].items():
            each = ", ".join(f"{status} {n}" for status, n in by_status.items()) or "nobody"
            pdf.para(f"- {track}: {each}", 8)
    pdf.heading("Rule versions in force")
    for label in answer["rule_versions_known"] or ["none"]:
        pdf.para(f"- {label}")
    unmet = Counter(
        requirement
        for p in people
        for requirement in sorted(
            {
                r["requirement_id"]
                for r in p["compliance"]["requirements"]
                if r["status"] in {"non_compliant", "due_soon"}
            }
        )
    )
    unmet.update(item for p in people for item in _unmet_own(p))
    if unmet:
        pdf.heading("Requirements most often unmet (non-compliant or due soon)")
        for requirement, n in sorted(unmet.items(), key=lambda item: (-item[1], item[0]))[:12]:
            pdf.para(f"- {requirement}: {n} {'person' if n == 1 else 'people'}")
    pdf.heading("Everyone")
    widths = (24, 52, 18, 20, 28, 44)
    pdf.row(
        widths, ("employee", "name", "kind", "person", "status", "unmet requirements"), bold=True
    )
    for p in people:
        open_ = sorted(
            {
                r["requirement_id"]
                for r in p["compliance"]["requirements"]
                if r["status"] in {"non_compliant", "due_soon", "on_track"}
            }
        )
        pdf.row(
            widths,
            (
                p["employee_id"],
                p["name"],
                p["kind"],
                p["person_status"],
                p.get("status") or p["compliance"]["status"],
                ", ".join([*open_, *_unmet_own(p, track=False)]),
            ),
        )


_NOTICE_WIDTHS = (20, 46, 50, 34, 36)


def _notices(pdf: ReportPage, title: str, notices: Sequence[Mapping[str, Any]]) -> None:
    """The notices as recorded by known_at: each one's day, what it was about, to whom,
    and whether (and when, UTC) it was delivered and acknowledged."""
    pdf.heading(title)
    if not notices:
        pdf.para("No notice was recorded by known_at.")
        return
    pdf.row(_NOTICE_WIDTHS, ("day", "notice", "to", "deadline", "outcome (UTC)"), bold=True)
    for n in notices:
        window = n["window"] if n["window"] in {"overdue", "digest"} else f"{n['window']} d before"
        outcome = (
            f"delivered {n['delivered_at'][:16]}"
            if n["outcome"] == "delivered"
            else f"{n['outcome']} ({n['attempts']} attempts)"
        )
        pdf.row(
            _NOTICE_WIDTHS,
            (
                n["day"],
                f"{n['kind']}: {notice_label(n['requirement'] or '', n['title'] or '')}",
                f"{n['recipient']} ({n['recipient_role']}, {n['channel']})",
                f"{n['deadline'] or ''} {window}",
                outcome,
            ),
        )
        if n["acknowledged_at"]:
            pdf.para(f"    acknowledged {n['acknowledged_at'][:16]} by {n['acknowledged_by']}", 8)


def _agency_notices(
    pdf: ReportPage, people: Sequence[Mapping[str, Any]], notices: Sequence[Mapping[str, Any]]
) -> None:
    """Counts of every notice, and the notices about those non-compliant or due soon on
    as_of listed (notices.csv holds them all)."""
    pdf.heading("Notices (proof of notice)")
    kinds = Counter((n["kind"], n["outcome"]) for n in notices)
    acknowledged = sum(1 for n in notices if n["acknowledged_at"])
    pdf.para(
        f"{len(notices)} notices decided by as_of and recorded by known_at; "
        f"{acknowledged} acknowledged. Every one is in notices.csv and notices.json."
    )
    for (kind, outcome), n in sorted(kinds.items()):
        pdf.para(f"- {kind}, {outcome}: {n}")
    open_ = {"non_compliant", "due_soon"}
    late = {
        p["employee_id"] for p in people if (p.get("status") or p["compliance"]["status"]) in open_
    }
    _notices(
        pdf,
        "Notices about people non-compliant or due soon on as_of",
        [n for n in notices if n["employee_id"] in late],
    )


def _provenance(pdf: ReportPage, packet: Mapping[str, Any], digest: Mapping[str, Any]) -> None:
    pdf.heading("Where this comes from")
    pdf.para(
        f"This report is generated from the agency's append-only ledger as the records stood "
        f"at {packet['known_at']} (log position {digest['position']}, {digest['events']} "
        f"events). The ledger digest then was {digest['root']}. The packet's events.jsonl "
        "holds every event this report rests on with its hash link; packet_verifier.py "
        "checks them, their inclusion in the digest and every file's SHA-256 without muster."
    )
