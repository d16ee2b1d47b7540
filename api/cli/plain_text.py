"""rich's layout of the CLI's paragraphs and headings, for output rich would print without
any control code, made without importing rich (issue 14 §6: rich's console and table
cost a ``muster status`` a third of typer and rich together).

Where rich would style its output (a terminal, ``FORCE_COLOR``, Jupyter, Windows) or the
text is anything but printable ASCII (wide characters, control characters shown as
escapes), ``plain_width`` or ``PlainLines`` says so and the caller prints through rich as
before. What is laid out here is byte for byte rich 15's: ``Text.wrap`` with
``overflow="fold"`` (``rich._wrap.divide_line``), ``api.cli.output.paragraph``'s indent and
hanging bullet, and a two-column ``Table.grid(expand=True)`` (a left column of ratio 1 that
folds, a right column that never wraps); ``tests/api/test_plain_text.py`` compares the two
over drawn texts and widths and over whole answers, and the CLI's snapshot tests read it.
"""

from __future__ import annotations

import builtins
import itertools
import os
import re
import sys

__all__ = ["NotPlainError", "PlainLines", "boxed_table", "is_terminal", "plain_width", "wrap"]

_WORD = re.compile(r"\s*\S+\s*")
_TRAILING = re.compile(r"\s+$")


class NotPlainError(Exception):
    """What is to be printed needs rich (a table, or text that is not printable ASCII)."""


def is_terminal(stream: object) -> bool:
    """``rich.console.Console(file=stream).is_terminal`` for the CLI's consoles (no
    ``force_terminal``), as rich 15 decides it: not under IDLE or Jupyter; then
    ``TTY_COMPATIBLE`` (``0`` no, ``1`` yes), then ``FORCE_COLOR`` (set: yes unless
    empty), then the stream's ``isatty``."""
    if getattr(sys.stdin, "__module__", "").startswith("idlelib"):
        return False
    if _in_jupyter():
        return False
    env = os.environ
    compatible = env.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "1"
    force = env.get("FORCE_COLOR")
    if force is not None:
        return force != ""
    isatty = getattr(stream, "isatty", None)
    try:
        return False if isatty is None else bool(isatty())
    except ValueError:
        return False


def _in_jupyter() -> bool:
    return hasattr(builtins, "get_ipython")  # rich asks IPython's shell; None is no


def plain_width() -> int | None:
    """The width rich's console gives ``sys.stdout`` when it would print no control code
    there (``rich.console.Console``: not a terminal, not Jupyter, not Windows), else None:
    ``COLUMNS``, else the first standard stream's terminal size, else 80 (rich 15's)."""
    if sys.platform == "win32" or _in_jupyter() or is_terminal(sys.stdout):
        return None
    if getattr(sys.stdout, "rich_proxied_file", None) is not None:
        return None  # a live display owns the stream
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        return int(columns)
    width = 0
    for descriptor in (0, 1, 2):
        try:
            width = os.get_terminal_size(descriptor)[0]
        except (AttributeError, ValueError, OSError):
            continue
        break
    return width or 80


def _plain(text: str) -> str:
    """``text`` as the CLI's console renders it (``api.cli.output.visible``); one that
    would still hold a line break or a tab is left to rich."""
    from api.cli.output import visible

    shown = visible(text)
    if "\n" in shown or "\t" in shown:
        raise NotPlainError(text)
    return shown


def _cells(text: str) -> int:
    """``rich.cells.cell_len``: one cell per character of ASCII text."""
    if text.isascii():
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


def _cut(text: str, width: int) -> str:
    """``rich.cells.set_cell_size`` for a text wider than ``width``."""
    if text.isascii():
        return text[:width]
    from rich.cells import set_cell_size

    return set_cell_size(text, width)


def wrap(text: str, width: int) -> list[str]:
    """``rich.text.Text(text).wrap(console, width, overflow="fold")``'s lines of ``text``
    (no line break, no tab), each as rich leaves it. ASCII text (one cell per character)
    is divided here; any other by rich's own ``divide_line``."""
    if text.isascii():
        offsets = _ascii_offsets(text, width)
    else:
        from rich._wrap import divide_line

        offsets = divide_line(text, width, fold=True)
    bounds = [0, *offsets, len(text)]
    lines = []
    for begin, end in itertools.pairwise(bounds):
        line = text[begin:end]
        if len(line) > width:  # ``Text.rstrip_end``: trailing space beyond the width
            trailing = _TRAILING.search(line)
            if trailing is not None:
                line = line[: len(line) - min(len(trailing.group(0)), len(line) - width)]
        lines.append(_cut(line, width) if _cells(line) > width else line)  # ``truncate``
    return lines


def _ascii_offsets(text: str, width: int) -> list[int]:
    """``rich._wrap.divide_line(text, width, fold=True)`` for ASCII text."""
    offsets: list[int] = []
    offset = 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group(0)
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
        elif length > width:
            chunks = [word[i : i + width] for i in range(0, len(word), width)] or [""]
            for n, chunk in enumerate(chunks):
                if start:
                    offsets.append(start)
                if n == len(chunks) - 1:
                    offset = len(chunk)
                else:
                    start += len(chunk)
        elif offset and start:
            offsets.append(start)
            offset = len(word)
    return offsets


class PlainLines:
    """The lines of an answer as rich would print them at ``width``."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.lines: list[str] = []

    def blank(self) -> None:
        self.lines.append("")

    def paragraph(self, text: str, indent: int = 0, *, bullet: str = "") -> None:
        """``api.cli.output.paragraph(text, indent, bullet=bullet)``."""
        text, bullet = _plain(text), _plain(bullet)
        hang = len(bullet) + 1 if bullet else 0
        width = self.width - indent - hang
        if width < 8:  # rich wraps at 8 then, and folds the lines again at the console's
            raise NotPlainError("a console too narrow")
        for number, line in enumerate(wrap(text, width)):
            lead = bullet + " " if number == 0 and bullet else " " * hang
            self.lines.append(" " * indent + lead + line.rstrip())

    def heading(self, left: str, right: str) -> None:
        """``answers_text._heading``: a grid of the console's width, ``right`` whole at
        the right, ``left`` folded into the rest, every line padded to the width."""
        left, right = _plain(left), _plain(right)
        width = _cells(right)
        room = self.width - width
        if room < 1 or not width:
            raise NotPlainError("a heading wider than the console")
        for number, line in enumerate(wrap(left, room)):
            pad = " " * (room - _cells(line))
            self.lines.append(line + pad + (right if number == 0 else " " * width))

    def write(self) -> None:
        sys.stdout.write("".join(f"{line}\n" for line in self.lines))
        sys.stdout.flush()


def boxed_table(headers: list[str], rows: list[list[str]], width: int) -> list[str]:
    """``rich.table.Table(*headers)`` of these rows (rich's default box, ``HEAVY_HEAD``,
    and padding: one space each side of every cell) as printed at ``width``, where every
    column fits whole: no cell wraps, no column is shrunk. A table that does not fit, a
    stream that does not take the box's characters, or a cell that is not one line of
    printable ASCII raises ``NotPlainError`` (rich lays it out)."""
    encoding = (getattr(sys.stdout, "encoding", None) or "utf-8").lower()
    if not encoding.startswith("utf"):
        raise NotPlainError("rich draws an ASCII box on this stream")
    cells = [[_plain(cell) for cell in row] for row in [headers, *rows]]
    if any(not cell.isascii() for row in cells for cell in row):
        raise NotPlainError("a cell of more than one cell per character")
    widths = [max(len(row[n]) for row in cells) + 2 for n in range(len(headers))]
    if sum(widths) > width - (len(headers) + 1):
        raise NotPlainError("a table rich would shrink")

    def line(left: str, fill: str, cross: str, right: str) -> str:
        return left + cross.join(fill * w for w in widths) + right

    def row(edge: str, values: list[str]) -> str:
        return (
            edge
            + edge.join(f" {v.ljust(w - 2)} " for v, w in zip(values, widths, strict=True))
            + edge
        )

    return [
        line("┏", "━", "┳", "┓"),
        row("┃", cells[0]),
        line("┡", "━", "╇", "┩"),
        *(row("│", values) for values in cells[1:]),
        line("└", "─", "┴", "┘"),
    ]
