"""Charts as server-side SVG drawn by pygal (imported when a chart is drawn): the share of
people compliant at each step of a trend, the counts by status stacked, no script, in
print-friendly colours. The numbers are always beside the chart as a table
(``trend_table``) for screen readers and print."""

from __future__ import annotations

import re
from typing import Any

import orjson
from markupsafe import Markup, escape

from api.web.base import Recent

__all__ = ["GOOD_STATUSES", "STATUS_ORDER", "trend_chart", "trend_table"]

STATUS_ORDER = ("compliant", "on_track", "due_soon", "non_compliant", "inactive", "not_applicable")
GOOD_STATUSES = ("compliant", "on_track")
_COLOURS = {
    "compliant": "#1d6b32",
    "on_track": "#4f9a5e",
    "due_soon": "#c98a00",
    "non_compliant": "#a3141d",
    "inactive": "#6b7680",
    "not_applicable": "#a9b2ba",
}
_SCRIPT = re.compile(r"<script.*?</script>", re.DOTALL)


def _statuses(points: list[dict[str, Any]]) -> list[str]:
    seen = {s for p in points for s in p["counts"]}
    return [s for s in STATUS_ORDER if s in seen] + sorted(seen - set(STATUS_ORDER))


def trend_table(answer: dict[str, Any]) -> dict[str, Any]:
    """The chart's numbers: one row per step, a column per status, and the compliant share."""
    points = answer["points"]
    statuses = _statuses(points)
    rows = []
    for point in points:
        counts = point["counts"]
        total = sum(counts.values())
        good = sum(counts.get(s, 0) for s in GOOD_STATUSES)
        share = f"{100 * good / total:.0f}%" if total else "—"
        rows.append((point["as_of"], [counts.get(s, 0) for s in statuses], total, share))
    return {"statuses": statuses, "rows": rows}


_DRAWN: Recent[tuple[str, bytes], str] = Recent()


def trend_chart(answer: dict[str, Any], title: str, nonce: str = "") -> Markup:
    """A stacked bar chart of the counts by status at each step, as inline SVG (its
    ``<style>`` carries ``nonce`` for the page's Content-Security-Policy). The last few
    drawn are kept by their title and numbers (all a chart is drawn from)."""
    numbers = orjson.dumps([answer.get("every"), answer["points"]])
    svg = _DRAWN.get((title, numbers), lambda: _draw(answer, title))
    if nonce:
        svg = svg.replace("<style", f'<style nonce="{nonce}"')
    label = escape(f"{title} (the numbers are in the table below)")
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
    # pygal escapes the labels and title it draws, and all of them are ours.
    return Markup(svg)  # nosec B704


def _draw(answer: dict[str, Any], title: str) -> str:
    import pygal  # only when a chart is drawn
    from pygal.style import Style

    points = answer["points"]
    statuses = _statuses(points)
    style = Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#1b1f24",
        foreground_strong="#1b1f24",
        foreground_subtle="#c9d1d9",
        font_family="DejaVu Sans, sans-serif",
        title_font_size=18,
        label_font_size=13,
        major_label_font_size=13,
        legend_font_size=14,
        colors=tuple(_COLOURS.get(s, "#12324f") for s in statuses),
    )
    chart = pygal.StackedBar(
        style=style,
        js=[],
        disable_xml_declaration=True,
        width=900,
        height=380,
        title=title,
        legend_at_bottom=True,
        legend_at_bottom_columns=min(len(statuses), 6) or 1,
        show_minor_x_labels=False,
        x_label_rotation=0,
        print_values=False,
        spacing=4,
        margin=8,
        truncate_legend=-1,
        truncate_label=-1,
        y_title="people",
    )
    monthly = answer.get("every") == "month"
    labels = [p["as_of"][:7] if monthly else p["as_of"] for p in points]
    chart.x_labels = labels
    if monthly:  # one label a year (January), the others minor: readable in print
        chart.x_labels_major = [label for label in labels if label.endswith("-01")] or labels[:1]
    else:
        chart.show_minor_x_labels = True
    for status in statuses:
        chart.add(status.replace("_", " "), [p["counts"].get(status, 0) for p in points])
    return _SCRIPT.sub("", chart.render(is_unicode=True))
